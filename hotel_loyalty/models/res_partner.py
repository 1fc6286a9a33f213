from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    loyalty_member_ids = fields.One2many("hotel.loyalty.member", "partner_id")
    loyalty_member_id = fields.Many2one(
        "hotel.loyalty.member", compute="_compute_loyalty_member_id", string="Membership",
        store=True, index="btree_not_null",
    )
    loyalty_tier_id = fields.Many2one(
        related="loyalty_member_id.tier_id", string="Loyalty Tier"
    )
    loyalty_points = fields.Integer(
        related="loyalty_member_id.points_balance", string="Points"
    )
    loyalty_tier_valid_until = fields.Date(
        related="loyalty_member_id.tier_valid_until", string="Tier Valid Until"
    )
    loyalty_next_tier_gap = fields.Char(
        related="loyalty_member_id.next_tier_gap", string="To Reach the Next Tier"
    )
    loyalty_benefit_ids = fields.Many2many(
        related="loyalty_member_id.benefit_ids", string="Member Benefits"
    )

    @api.depends("loyalty_member_ids")
    def _compute_loyalty_member_id(self):
        for partner in self:
            partner.loyalty_member_id = partner.loyalty_member_ids[:1]

    def action_hotel_loyalty_enrol(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Enrol in the Loyalty Programme"),
            "res_model": "hotel.loyalty.enrol.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_ids": self.ids},
        }

    def action_hotel_loyalty_open_member(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "hotel.loyalty.member",
            "res_id": self.loyalty_member_id.id,
            "view_mode": "form",
        }

    def _hotel_refresh_derived(self):
        res = super()._hotel_refresh_derived()
        members = self.env["hotel.loyalty.member"].sudo().search(
            [("partner_id", "in", self.ids)]
        )
        if members:
            members._refresh_balance()
            members._evaluate_tiers()
        return res
