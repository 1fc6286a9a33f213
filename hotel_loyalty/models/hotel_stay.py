from odoo import fields, models


class HotelStay(models.Model):
    _inherit = "hotel.stay"

    loyalty_tier_id = fields.Many2one(
        related="partner_id.loyalty_member_id.tier_id", string="Loyalty Tier"
    )
    loyalty_benefit_ids = fields.Many2many(
        related="partner_id.loyalty_member_id.benefit_ids", string="Member Benefits"
    )

    def write(self, vals):
        res = super().write(vals)
        if vals.get("state") in ("checked_out", "in_house"):
            members = self.partner_id.loyalty_member_ids
            if members:
                members.sudo()._evaluate_tiers(allow_downgrade=False)
        return res
