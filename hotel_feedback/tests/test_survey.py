from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import FeedbackCase


@tagged("post_install", "-at_install")
@freeze_time("2026-06-10 04:00:00")
class TestPostStaySurvey(FeedbackCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.survey = cls.env.ref("hotel_feedback.survey_post_stay")
        cls.stay = cls.env["hotel.stay"].create({
            "partner_id": cls.guest.id, "company_id": cls.company.id,
            "channel_id": cls.env.ref("hotel_crm.channel_ctrip").id,
            "booking_ref": "SV-1", "check_in": date(2026, 6, 6), "check_out": date(2026, 6, 9),
            "booked_on": date(2026, 6, 1), "state": "checked_out", "amount_room": 1800,
        })
        cls.guest._hotel_set_consent("email", True, "booking_engine")
        cls.q = {role: cls.survey.question_ids.filtered(lambda q, r=role: q.hotel_role == r)
                 for role in ("overall", "nps", "comment")}

    def answer(self, overall, nps, comment=""):
        answer = self.stay.survey_user_input_id
        answer._save_lines(self.q["overall"], str(overall))
        answer._save_lines(self.q["nps"], str(nps))
        if comment:
            answer._save_lines(self.q["comment"], comment)
        answer._mark_done()
        return answer

    def test_survey_is_sent_once_after_checkout(self):
        Stay = self.env["hotel.stay"]
        sent = Stay._cron_send_post_stay_surveys()
        self.assertIn(self.stay, sent)
        self.assertEqual(self.stay.survey_user_input_id.partner_id, self.guest)
        self.assertEqual(self.stay.survey_user_input_id.hotel_stay_id, self.stay)
        self.assertNotIn(self.stay, Stay._cron_send_post_stay_surveys())
        mail = self.env["mail.mail"].search([("subject", "ilike", "How was your stay")])
        self.assertTrue(mail)

    def test_no_survey_to_a_blacklisted_address(self):
        self.env["mail.blacklist"]._add(self.guest.email)
        self.assertNotIn(self.stay, self.env["hotel.stay"]._cron_send_post_stay_surveys())

    def test_no_survey_without_consent_or_after_withdrawal(self):
        Stay = self.env["hotel.stay"]
        self.guest.hotel_consent_ids.sudo().unlink()
        self.assertFalse(self.guest.email_consent)
        self.assertNotIn(self.stay, Stay._cron_send_post_stay_surveys())
        self.guest._hotel_set_consent("email", True, "front_desk")
        self.guest._hotel_set_consent("email", False, "guest_request")
        self.assertEqual(self.guest.email_consent, "withdrawn")
        self.assertNotIn(self.stay, Stay._cron_send_post_stay_surveys())

    def test_no_survey_to_an_ota_relay_address(self):
        self.guest.email = "a1b2c3@m.ctrip.com"
        self.assertTrue(self.guest.is_relay_email)
        self.assertNotIn(self.stay, self.env["hotel.stay"]._cron_send_post_stay_surveys())

    def test_a_low_score_opens_a_ticket_with_the_answer(self):
        self.env["hotel.stay"]._cron_send_post_stay_surveys()
        answer = self.answer(2, 3, "房间有烟味")
        ticket = answer.hotel_feedback_id
        self.assertTrue(ticket)
        self.assertEqual((ticket.channel, ticket.stay_id, ticket.partner_id),
                         ("survey", self.stay, self.guest))
        self.assertEqual(ticket.survey_user_input_id, answer)
        self.assertEqual(ticket.description, "房间有烟味")
        self.assertEqual(self.guest.last_satisfaction, 2)
        # the survey answered twice does not open a second ticket
        answer._mark_done()
        self.assertEqual(self.env["hotel.feedback"].search_count(
            [("survey_user_input_id", "=", answer.id)]), 1)

    def test_a_good_score_opens_nothing_and_a_low_nps_needs_a_comment(self):
        self.env["hotel.stay"]._cron_send_post_stay_surveys()
        answer = self.answer(5, 6)
        self.assertFalse(answer.hotel_feedback_id)
        self.assertEqual((answer.hotel_overall_score, answer.hotel_nps_score), (5, 6))
