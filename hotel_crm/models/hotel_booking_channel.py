from odoo import api, fields, models


class HotelBookingChannel(models.Model):
    _name = "hotel.booking.channel"
    _description = "Booking Channel"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Short technical code used by imports, e.g. ctrip.")
    sequence = fields.Integer(default=10)
    channel_type = fields.Selection(
        [
            ("ota", "Online Travel Agency"),
            ("direct", "Direct Online"),
            ("phone", "Phone"),
            ("walk_in", "Walk-in"),
            ("corporate", "Corporate"),
            ("group", "Group"),
        ],
        required=True,
        default="direct",
    )
    source_id = fields.Many2one(
        "utm.source",
        string="UTM Source",
        ondelete="restrict",
        help="Marketing source that stays booked through this channel are attributed to.",
    )
    relay_email_domains = fields.Char(
        help="Comma-separated e-mail domains this OTA uses for relay addresses "
        "(e.g. guest.booking.com). Relay addresses are never used for marketing.",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("code_unique", "unique(code)", "A booking channel with this code already exists."),
    ]

    @api.model
    def _relay_domains(self):
        """Every relay e-mail domain of every channel, lower-cased."""
        channels = self.with_context(active_test=False).search(
            [("relay_email_domains", "!=", False)]
        )
        return {
            part.strip().lower().lstrip("@")
            for channel in channels
            for part in channel.relay_email_domains.split(",")
            if part.strip()
        }

    @api.model_create_multi
    def create(self, vals_list):
        channels = super().create(vals_list)
        if any(vals.get("relay_email_domains") for vals in vals_list):
            self._recompute_relay_partners()
        return channels

    def write(self, vals):
        res = super().write(vals)
        if "relay_email_domains" in vals:
            self._recompute_relay_partners()
        return res

    def _recompute_relay_partners(self):
        partners = self.env["res.partner"].with_context(active_test=False).search(
            ["|", ("email", "!=", False), ("is_relay_email", "=", True)]
        )
        self.env.add_to_compute(partners._fields["is_relay_email"], partners)
