from odoo import api, fields, models

COUNTED = ("checked_out", "in_house")


class HotelStay(models.Model):
    _inherit = "hotel.stay"

    loyalty_tier_id = fields.Many2one(
        related="partner_id.loyalty_member_id.tier_id", string="Loyalty Tier"
    )
    loyalty_benefit_ids = fields.Many2many(
        related="partner_id.loyalty_member_id.benefit_ids", string="Member Benefits"
    )

    @api.model_create_multi
    def create(self, vals_list):
        stays = super().create(vals_list)
        stays.filtered(lambda s: s.state in COUNTED)._loyalty_upgrade()
        return stays

    def write(self, vals):
        res = super().write(vals)
        if vals.get("state") in COUNTED:
            self._loyalty_upgrade()
        return res

    def _loyalty_upgrade(self):
        """A checkout (or a stay recorded as checked out) upgrades its member at once;
        downgrades wait for the end of the evaluation period."""
        members = self.partner_id.loyalty_member_ids
        if members:
            # sudo: a checkout upgrades the tier whoever records it
            members.sudo()._evaluate_tiers(allow_downgrade=False)
