from odoo import fields, models


class HotelLoyaltyBenefit(models.Model):
    _name = "hotel.loyalty.benefit"
    _description = "Loyalty Tier Benefit"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    description = fields.Text(translate=True)
    active = fields.Boolean(default=True)

    _sql_constraints = [("code_unique", "unique(code)", "A benefit with this code already exists.")]
