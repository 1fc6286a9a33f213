from odoo import fields, models


class HotelLoyaltyTierHistory(models.Model):
    _name = "hotel.loyalty.tier.history"
    _description = "Loyalty Tier Change"
    _order = "date desc, id desc"

    member_id = fields.Many2one(
        "hotel.loyalty.member", required=True, ondelete="cascade", index=True
    )
    partner_id = fields.Many2one(related="member_id.partner_id", store=True, string="Guest")
    company_id = fields.Many2one(related="member_id.company_id", store=True, string="Property")
    date = fields.Date(required=True, index=True)
    old_tier_id = fields.Many2one("hotel.loyalty.tier", string="From Tier")
    new_tier_id = fields.Many2one("hotel.loyalty.tier", string="To Tier", required=True)
    kind = fields.Selection(
        [("initial", "Enrolment"), ("upgrade", "Upgrade"), ("downgrade", "Downgrade"),
         ("renewal", "Renewal")],
        required=True,
    )
    reason = fields.Char()
    window_spend = fields.Float(string="Spend in Window")
    window_stays = fields.Integer(string="Stays in Window")
