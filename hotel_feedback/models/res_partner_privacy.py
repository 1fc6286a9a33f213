from odoo import Command, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _hotel_privacy_data(self):
        data = super()._hotel_privacy_data()
        _ = self.env._
        tickets = self.env["hotel.feedback"].sudo().search([("partner_id", "=", self.id)])
        data[_("Feedback")] = self._hotel_privacy_rows(tickets, [
            "reference", "received_date", "company_id", "channel", "category_id", "name",
            "description", "resolution", "stage_id", "compensation_type", "compensation_value",
        ])
        answers = self.env["survey.user_input"].sudo().search([("partner_id", "=", self.id)])
        data[_("Survey Answers")] = self._hotel_privacy_rows(answers, [
            "create_date", "survey_id", "hotel_stay_id", "hotel_overall_score",
            "hotel_nps_score", "hotel_comment", "state",
        ])
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
        messages = self.env["mail.message"].sudo().search(
            [("model", "=", "hotel.feedback"), ("res_id", "in", tickets.ids)]
        )
        self.env["mail.tracking.value"].sudo().search(
            [("mail_message_id", "in", messages.ids)]
        ).unlink()
        messages.write({"body": False, "subject": False, "email_from": False,
                        "attachment_ids": [Command.clear()]})
        answers = self.env["survey.user_input"].sudo().search([("partner_id", "in", self.ids)])
        answers.user_input_line_ids.filtered(
            lambda line: line.answer_type in ("text_box", "char_box")
        ).write({"value_text_box": False, "value_char_box": False})
        answers.write({"hotel_comment": False, "email": False, "nickname": False})
        self.env["hotel.review"].sudo().search([("partner_id", "in", self.ids)]).write(
            {"text": False, "reviewer_name": False}
        )
        return res
