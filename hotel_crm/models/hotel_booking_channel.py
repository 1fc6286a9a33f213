from odoo import fields, models


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
