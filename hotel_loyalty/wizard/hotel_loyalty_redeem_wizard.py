from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError


class HotelLoyaltyRedeemWizard(models.TransientModel):
    _name = "hotel.loyalty.redeem.wizard"
    _description = "Redeem Loyalty Points"

    member_id = fields.Many2one("hotel.loyalty.member", required=True)
    points_available = fields.Integer(related="member_id.points_available")
    reward_id = fields.Many2one(
        "hotel.loyalty.reward", required=True,
        domain="['|', ('company_id', '=', False), ('company_id', 'in', allowed_company_ids)]",
    )
    quantity = fields.Integer(default=1, required=True)
    points = fields.Integer(compute="_compute_points", string="Points to Redeem")
    note = fields.Char()

    @api.depends("reward_id", "quantity")
    def _compute_points(self):
        for wizard in self:
            wizard.points = wizard.reward_id.points_cost * wizard.quantity

    def action_redeem(self):
        """Redeem (front desk). Callable over RPC: the role, the member's visibility and the
        reward are checked here; the balance under the member's lock in _post_lines."""
        self.ensure_one()
        if not self.env.user.has_group("hotel_crm.group_hotel_front_desk"):
            raise AccessError(self.env._("Only the front desk redeems points."))
        today = fields.Date.context_today(self)
        if self.quantity < 1:
            raise UserError(self.env._("Redeem at least one reward."))
        if not self.reward_id.active or not self.reward_id._is_valid_on(today):
            raise UserError(
                self.env._("%(reward)s is not offered today.", reward=self.reward_id.name)
            )
        if self.reward_id.company_id and self.reward_id.company_id not in self.env.companies:
            raise UserError(
                self.env._("%(reward)s is offered by another property.",
                           reward=self.reward_id.name)
            )
        # The front desk may redeem without write access to the ledger: points only move
        # through _post_lines, which locks the member and checks the balance.
        self.member_id.check_access("read")
        self.env["hotel.loyalty.ledger"]._post_lines([{
            "member_id": self.member_id.id,
            "kind": "redeem",
            "points": -self.points,
            "company_id": self.env.company.id,
            "res_model": "hotel.loyalty.redeem.wizard",
            "res_id": self.id,
            "source_name": f"{self.reward_id.name} × {self.quantity}",
            "reason": self.note,
        }])
        self.member_id.message_post(
            body=self.env._(
                "%(points)s points redeemed for %(reward)s × %(qty)s.",
                points=self.points, reward=self.reward_id.name, qty=self.quantity,
            )
        )
        return {"type": "ir.actions.act_window_close"}
