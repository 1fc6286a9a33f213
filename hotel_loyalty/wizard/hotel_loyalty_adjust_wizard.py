from odoo import fields, models
from odoo.exceptions import AccessError, UserError


class HotelLoyaltyAdjustWizard(models.TransientModel):
    _name = "hotel.loyalty.adjust.wizard"
    _description = "Adjust Loyalty Points"

    member_id = fields.Many2one("hotel.loyalty.member", required=True)
    kind = fields.Selection(
        [("adjust", "Adjustment (Manager)"), ("bonus", "Goodwill Bonus")],
        required=True, default="bonus",
    )
    points = fields.Integer(required=True)
    reason = fields.Char(required=True)

    def action_apply(self):
        """Goodwill bonus (guest relations, up to the limit) or adjustment (manager).
        Callable over RPC: every check is here."""
        self.ensure_one()
        user = self.env.user
        self.member_id.check_access("read")
        if not self.reason or not self.reason.strip():
            raise UserError(self.env._("Give a reason for the adjustment."))
        if not self.points:
            raise UserError(self.env._("Enter a number of points other than zero."))
        if self.kind == "adjust" and not user.has_group("hotel_crm.group_hotel_manager"):
            raise AccessError(self.env._("Only a Manager can adjust points."))
        if self.kind == "bonus":
            if self.points < 0:
                raise UserError(self.env._("A goodwill bonus adds points; use an adjustment."))
            if not user.has_group("hotel_crm.group_hotel_guest_relations"):
                raise AccessError(self.env._("Only Guest Relations can grant a goodwill bonus."))
            # the stricter of the member's home property and the granting property
            Program = self.env["hotel.loyalty.program"]
            limit = min(Program._for_company(self.member_id.company_id).goodwill_limit,
                        Program._for_company(self.env.company).goodwill_limit)
            if self.points > limit and not user.has_group("hotel_crm.group_hotel_manager"):
                raise AccessError(
                    self.env._("A goodwill bonus above %(limit)s points needs a Manager.",
                               limit=limit)
                )
        self.env["hotel.loyalty.ledger"]._post_lines([{
            "member_id": self.member_id.id,
            "kind": self.kind,
            "points": self.points,
            "company_id": self.env.company.id,
            "res_model": "hotel.loyalty.adjust.wizard",
            "res_id": self.id,
            "source_name": self.reason,
            "reason": self.reason,
        }])
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        signed_points = f"{self.points:+d}"
        self.member_id.message_post(
            body=self.env._(
                "%(points)s points (%(kind)s) by %(user)s: %(reason)s",
                points=signed_points, user=user.name, reason=self.reason,
                kind=kinds[self.kind],
            )
        )
        return {"type": "ir.actions.act_window_close"}
