from odoo import api, fields, models

from odoo.addons.hotel_crm.tools.trusted import check_protected_fields, trusted

from .hotel_feedback import check_create_values

SURVEY = "hotel_feedback.survey"
# The satisfaction figures (F6, R1) and their links: set from the guest's answers only.
SURVEY_FIELDS = frozenset({
    "hotel_stay_id", "hotel_company_id", "hotel_overall_score", "hotel_nps_score",
    "hotel_comment", "hotel_feedback_id",
})


class SurveyQuestion(models.Model):
    _inherit = "survey.question"

    hotel_role = fields.Selection(
        [("overall", "Overall Satisfaction (1–5)"), ("nps", "Recommendation (0–10)"),
         ("department", "Department Score (1–5)"), ("comment", "Comment")],
        string="Hotel Figure",
        help="Which satisfaction figure this question's answer feeds.",
    )


class SurveyUserInput(models.Model):
    _inherit = "survey.user_input"

    hotel_stay_id = fields.Many2one(
        "hotel.stay", string="Stay", index=True, readonly=True, copy=False
    )
    hotel_company_id = fields.Many2one(
        related="hotel_stay_id.company_id", store=True, string="Property"
    )
    hotel_overall_score = fields.Integer(
        string="Overall Satisfaction", readonly=True, copy=False
    )
    hotel_nps_score = fields.Integer(
        string="Recommendation Score", readonly=True, default=-1, copy=False
    )
    hotel_comment = fields.Text(string="Guest Comment", readonly=True, copy=False)
    hotel_feedback_id = fields.Many2one(
        "hotel.feedback", string="Ticket", readonly=True, copy=False
    )

    @api.model_create_multi
    def create(self, vals_list):
        check_create_values(self, SURVEY_FIELDS, vals_list, SURVEY)
        return super().create(vals_list)

    def write(self, vals):
        check_protected_fields(self, SURVEY_FIELDS, vals, SURVEY)
        return super().write(vals)

    def _mark_done(self):
        res = super()._mark_done()
        with trusted(SURVEY):
            self.filtered("hotel_stay_id")._hotel_process_answers()
        return res

    def _hotel_process_answers(self):
        """Store the figures of a finished post-stay survey; a low score opens a ticket."""
        for answer in self:
            overall = nps = None
            comment = ""
            for line in answer.user_input_line_ids.filtered(lambda ln: not ln.skipped):
                role = line.question_id.hotel_role
                if role == "overall" and line.answer_type == "scale":
                    overall = line.value_scale
                elif role == "nps" and line.answer_type == "scale":
                    nps = line.value_scale
                elif role == "comment":
                    comment = (line.value_text_box or line.value_char_box or "").strip()
            answer.write({
                "hotel_overall_score": overall or 0,
                "hotel_nps_score": -1 if nps is None else nps,
                "hotel_comment": comment,
            })
            answer._hotel_open_ticket_if_low(overall, nps, comment)

    def _hotel_open_ticket_if_low(self, overall, nps, comment):
        self.ensure_one()
        if self.hotel_feedback_id:
            return  # answered twice: one ticket
        stay = self.hotel_stay_id
        config = self.env["hotel.feedback.config"]._for_company(stay.company_id)
        low = (overall is not None and overall <= config.low_overall) or (
            nps is not None and nps <= config.low_nps and comment
        )
        if not low:
            return
        # sudo: the guest answering the survey opens the ticket (public user)
        ticket = self.env["hotel.feedback"].sudo().create({
            "name": self.env._("Post-stay survey: satisfaction %(overall)s/5, "
                               "recommendation %(nps)s/10",
                               overall=overall if overall is not None else "-",
                               nps=nps if nps is not None else "-"),
            "description": comment,
            "channel": "survey",
            "partner_id": stay.partner_id.id,
            "stay_id": stay.id,
            "company_id": stay.company_id.id,
            "priority": "2",
            "survey_user_input_id": self.id,
            "user_id": False,
        })
        with trusted(SURVEY):
            self.hotel_feedback_id = ticket
