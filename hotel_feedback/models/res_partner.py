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

    # ------------------------------------------------------------------
    # Privacy (S5): export sections and erasure
    # ------------------------------------------------------------------
    def _hotel_privacy_data(self):
        data = super()._hotel_privacy_data()
        _ = self.env._
        # sudo: tickets of every department belong in the guest's export
        tickets = self.env["hotel.feedback"].sudo().search([("partner_id", "=", self.id)])
        data[_("Feedback")] = self._hotel_privacy_rows(tickets, [
            "reference", "received_date", "company_id", "channel", "category_id", "name",
            "description", "resolution", "stage_id", "compensation_type", "compensation_value",
        ])
        # sudo: survey answers belong in the guest's export
        answers = self.env["survey.user_input"].sudo().search([("partner_id", "=", self.id)])
        data[_("Survey Answers")] = self._hotel_privacy_rows(answers, [
            "create_date", "survey_id", "hotel_stay_id", "hotel_overall_score",
            "hotel_nps_score", "hotel_comment", "state",
        ])
        # sudo: reviews linked to the guest belong in their export
        reviews = self.env["hotel.review"].sudo().search([("partner_id", "=", self.id)])
        data[_("Reviews")] = self._hotel_privacy_rows(reviews, [
            "date", "source", "rating", "reviewer_name", "text", "company_id",
        ])
        return data

    def _hotel_anonymise_related(self):
        """Free texts go; categories, scores, dates and SLA figures stay for the KPIs."""
        res = super()._hotel_anonymise_related()
        # sudo: erasure reaches tickets and answers of every department and property
        erased = self.env._("(erased)")
        tickets = self.env["hotel.feedback"].sudo().with_context(
            active_test=False, tracking_disable=True
        ).search([("partner_id", "in", self.ids)])
        tickets.write({"name": erased, "description": False, "resolution": False,
                       "email_from": False, "compensation_value": False})
        # their chatter (messages, tracked values, files, e-mails), files and activities
        self._hotel_erase_documents("hotel.feedback", tickets.ids)
        tickets._track_discard()
        # sudo: survey answers are not readable by hotel roles; answers given under the
        # guest's e-mail without a partner are theirs too
        __, emails, __ = self._hotel_erasure_identifiers(self)
        answers = self.env["survey.user_input"].sudo().search(
            ["|", ("partner_id", "in", self.ids), ("email", "in", list(emails))])
        answers.user_input_line_ids.filtered(
            lambda line: line.answer_type in ("text_box", "char_box")
        ).write({"value_text_box": False, "value_char_box": False})
        answers.write({"hotel_comment": False, "email": False, "nickname": False})
        self._hotel_erase_documents("survey.user_input", answers.ids)
        # sudo: reviews of every property linked to the guest
        reviews = self.env["hotel.review"].sudo().search([("partner_id", "in", self.ids)])
        reviews.write({"text": False, "reviewer_name": False})
        self._hotel_erase_documents("hotel.review", reviews.ids)
        return res
