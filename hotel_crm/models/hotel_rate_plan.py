from odoo import fields, models


class HotelRatePlan(models.Model):
    _name = "hotel.rate.plan"
    _description = "Rate Plan"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("code_unique", "unique(code)", "A rate plan with this code already exists."),
    ]
