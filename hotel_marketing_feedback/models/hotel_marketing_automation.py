from odoo import models


class HotelMarketingAutomation(models.Model):
    _inherit = "hotel.marketing.automation"

    def _hotel_occasion_values(self, send):
        """The thank-you mail carries the post-stay survey link.

        The survey answer is created here and linked to the stay, so hotel_feedback's own
        survey job sees the stay as surveyed and the guest gets one mail, not two.
        """
        values = super()._hotel_occasion_values(send)
        stay = send.stay_id
        if self.kind != "post_stay" or not stay:
            return values
        # sudo: the survey answer of the stay is system data the cron links
        answer = stay.sudo().survey_user_input_id
        if not answer:
            config = self.env["hotel.feedback.config"]._for_company(stay.company_id)
            if not config.survey_id:
                return values
            # sudo: the answer is created for the guest by the system, as hotel_feedback does
            answer = config.survey_id.sudo()._create_answer(
                partner=stay.partner_id, check_attempts=False, hotel_stay_id=stay.id
            )
            # sudo: linking the answer to the stay is a system field, readonly for users
            stay.sudo().survey_user_input_id = answer
        values["survey_url"] = answer.get_start_url()
        return values
