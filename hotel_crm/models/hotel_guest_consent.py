from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

CONSENT_CHANNELS = [("email", "E-mail"), ("sms", "SMS")]
CONSENT_SOURCES = [
    ("booking_engine", "Booking Engine"),
    ("front_desk", "Front Desk"),
    ("survey", "Survey"),
    ("import", "Import"),
    ("guest_request", "Guest Request"),
    ("merge", "Merge"),
    ("system", "System"),
]


class HotelGuestConsent(models.Model):
    """One consent decision of a guest for one channel (M5, S5).

    The history is kept whole: a new decision is a new row, the guest's current consent per
    channel is the latest row (``res.partner.email_consent`` / ``sms_consent``). Rows are not
    edited or deleted by users; only erasure (as superuser) wipes the proof text.
    """

    _name = "hotel.guest.consent"
    _description = "Guest Consent"
    _inherit = ["hotel.audited.mixin"]
    _order = "date desc, id desc"
    _hotel_audit_fields = ("channel", "granted", "source", "date", "proof")

    partner_id = fields.Many2one(
        "res.partner", string="Guest", required=True, index=True, ondelete="cascade"
    )
    channel = fields.Selection(CONSENT_CHANNELS, required=True, default="email")
    granted = fields.Boolean(
        string="Consent Given", help="Ticked: the guest agreed. Unticked: the guest declined "
        "or withdrew consent."
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    source = fields.Selection(CONSENT_SOURCES, required=True, default="front_desk")
    proof = fields.Text(
        help="What shows the decision: the booking engine's checkbox text and version, the "
        "registration card number, the survey answer, the import file …"
    )
    company_id = fields.Many2one(
        "res.company", string="Property", index=True, default=lambda self: self.env.company
    )
    user_id = fields.Many2one(
        "res.users", string="Recorded By", default=lambda self: self.env.user, readonly=True
    )

    @api.constrains("date")
    def _check_date(self):
        now = fields.Datetime.now()
        for consent in self:
            if consent.date > now:
                raise ValidationError(self.env._(
                    "A consent of %(guest)s is dated in the future (%(date)s). Record the date "
                    "the guest actually decided.",
                    guest=consent.partner_id.display_name, date=consent.date,
                ))

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            # the proof names who recorded it: a caller cannot record it in another's name
            vals_list = [{**vals, "user_id": self.env.uid} for vals in vals_list]
            # A grant is the guest's word taken by who meets or serves the guest (front desk,
            # guest relations, managers) or by the addons' own paths (as superuser). Marketing,
            # whose mailings consent decides, records withdrawals only.
            if any(vals.get("granted") for vals in vals_list) and not self.env.user.has_group(
                "hotel_crm.group_hotel_front_desk"
            ):
                raise AccessError(self.env._(
                    "Only the front desk, guest relations and managers record a guest's "
                    "consent. You may record a withdrawal."
                ))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise UserError(self.env._(
                "Consent history cannot be changed. Record a new decision instead."
            ))
        return super().write(vals)

    def unlink(self):
        if not self.env.su:
            raise UserError(self.env._(
                "Consent history cannot be deleted. Record a new decision instead."
            ))
        return super().unlink()
