from odoo import api, fields, models
from odoo.exceptions import AccessError


class HotelPrivacyAnonymise(models.TransientModel):
    """Erase the personal data of guests on request (right to erasure), keeping figures."""

    _name = "hotel.privacy.anonymise"
    _description = "Anonymise Guests"

    partner_ids = fields.Many2many("res.partner", string="Guests", required=True)
    reason = fields.Char(
        required=True,
        help="Why the data is erased, e.g. the guest's written request and its date.",
    )
    blockers = fields.Text(compute="_compute_blockers")

    @api.depends("partner_ids")
    def _compute_blockers(self):
        for wizard in self:
            wizard.blockers = "\n".join(
                msg for partner in wizard.partner_ids._origin
                for msg in partner._hotel_anonymise_blockers()
            )

    def action_anonymise(self):
        self.ensure_one()
        if not self.env.user.has_group("hotel_crm.group_hotel_manager"):
            raise AccessError(self.env._("Only hotel managers export or erase guest data."))
        # the guests asked for, those the user's rules hide from the field included: a
        # guest of another property is refused, not silently left out
        # sudo: read the ids only; access is checked as the user next
        guests = self.sudo().partner_ids.with_env(self.env)
        guests.check_access("write")
        guests._hotel_anonymise(self.reason)
        return {"type": "ir.actions.act_window_close"}
