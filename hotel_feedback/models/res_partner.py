from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    feedback_ids = fields.One2many("hotel.feedback", "partner_id")
    open_feedback_count = fields.Integer(compute="_compute_feedback_figures")
    last_satisfaction = fields.Integer(
        compute="_compute_feedback_figures", string="Last Satisfaction (1–5)"
    )

    def _compute_feedback_figures(self):
        counts = dict(self.env["hotel.feedback"]._read_group(
            [("partner_id", "in", self.ids), ("is_closed", "=", False)],
            ["partner_id"], ["__count"]))
        # sudo: only the score is read; survey answers stay with the survey officers
        answers = self.env["survey.user_input"].sudo().search(
            [("partner_id", "in", self.ids), ("state", "=", "done"),
             ("hotel_overall_score", ">", 0)], order="end_datetime desc, id desc",
        )
        last = {}
        for answer in answers:
            last.setdefault(answer.partner_id.id, answer.hotel_overall_score)
        for partner in self:
            partner.open_feedback_count = counts.get(partner, 0)
            partner.last_satisfaction = last.get(partner.id, 0)

    def action_view_feedback(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "hotel_feedback.hotel_feedback_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id, "search_default_open": 1}
        return action

    def action_new_feedback(self):
        """The front desk records what the guest just said (quick-entry form)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "hotel_feedback.hotel_feedback_quick_action"
        )
        action["context"] = {"default_partner_id": self.id, "default_channel": "front_desk"}
        return action
