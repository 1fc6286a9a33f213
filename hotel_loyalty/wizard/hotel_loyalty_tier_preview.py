from odoo import api, fields, models
from odoo.exceptions import AccessError


class HotelLoyaltyTierPreview(models.TransientModel):
    _name = "hotel.loyalty.tier.preview"
    _description = "Tier Evaluation Preview"

    date = fields.Date(required=True, default=fields.Date.context_today)
    line_ids = fields.One2many("hotel.loyalty.tier.preview.line", "preview_id", readonly=True)
    upgrade_count = fields.Integer(compute="_compute_counts")
    downgrade_count = fields.Integer(compute="_compute_counts")

    @api.depends("line_ids")
    def _compute_counts(self):
        for preview in self:
            kinds = preview.line_ids.mapped("kind")
            preview.upgrade_count = kinds.count("upgrade")
            preview.downgrade_count = kinds.count("downgrade")

    def _visible_member_ids(self):
        """The members of the manager's properties (the evaluation itself is raw SQL)."""
        if not self.env.user.has_group("hotel_crm.group_hotel_manager"):
            raise AccessError(self.env._("Only a Manager evaluates the tiers of all members."))
        return self.env["hotel.loyalty.member"].search([]).ids

    def action_compute(self):
        """List the members who would move, without changing anything."""
        self.ensure_one()
        changes = self.env["hotel.loyalty.member"]._run_tier_evaluation(
            member_ids=self._visible_member_ids(), today=self.date, apply=False
        )
        self.line_ids = [(5, 0, 0)] + [
            (0, 0, {"member_id": row["member_id"], "old_tier_id": row["tier_id"],
                    "new_tier_id": tier_id, "kind": kind, "window_spend": row["spend"],
                    "window_stays": row["stays"]})
            for row, tier_id, kind in changes if kind != "renewal"
        ]
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id,
                "view_mode": "form", "target": "new"}

    def action_apply(self):
        self.ensure_one()
        self.env["hotel.loyalty.member"]._run_tier_evaluation(
            member_ids=self._visible_member_ids(), today=self.date
        )
        return {"type": "ir.actions.act_window_close"}


class HotelLoyaltyTierPreviewLine(models.TransientModel):
    _name = "hotel.loyalty.tier.preview.line"
    _description = "Tier Evaluation Preview Line"

    preview_id = fields.Many2one("hotel.loyalty.tier.preview", required=True, ondelete="cascade")
    member_id = fields.Many2one("hotel.loyalty.member", required=True)
    old_tier_id = fields.Many2one("hotel.loyalty.tier", string="From Tier")
    new_tier_id = fields.Many2one("hotel.loyalty.tier", string="To Tier")
    kind = fields.Selection([("upgrade", "Upgrade"), ("downgrade", "Downgrade")])
    window_spend = fields.Float(string="Spend in Window")
    window_stays = fields.Integer(string="Stays in Window")
