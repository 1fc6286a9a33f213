from odoo import api, fields, models
from odoo.exceptions import ValidationError


class HotelLoyaltyReward(models.Model):
    _name = "hotel.loyalty.reward"
    _description = "Loyalty Reward"
    _order = "sequence, points_cost, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    kind = fields.Selection(
        [("free_night", "Free Night"), ("breakfast", "Breakfast"), ("spa", "Spa"),
         ("upgrade", "Room Upgrade"), ("late_checkout", "Late Checkout"),
         ("voucher", "Voucher")],
        required=True,
    )
    points_cost = fields.Integer(required=True)
    company_id = fields.Many2one(
        "res.company", string="Property", index=True,
        help="Leave empty for a reward offered by every property.",
    )
    valid_from = fields.Date()
    valid_to = fields.Date()
    description = fields.Text(translate=True)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("cost_check", "CHECK(points_cost > 0)", "A reward costs at least one point."),
    ]

    @api.constrains("valid_from", "valid_to")
    def _check_validity(self):
        for reward in self:
            if reward.valid_from and reward.valid_to and reward.valid_to < reward.valid_from:
                raise ValidationError(
                    self.env._("Reward %(name)s ends before it starts.", name=reward.name)
                )

    def _is_valid_on(self, day):
        self.ensure_one()
        return (not self.valid_from or self.valid_from <= day) and (
            not self.valid_to or day <= self.valid_to
        )
