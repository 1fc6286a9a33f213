"""Guest data export and erasure reach feedback; guest-written text never runs as HTML."""

from datetime import date

from freezegun import freeze_time

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import FeedbackCase

XSS_IMG = '<img src=x onerror="window.__hotel_xss=1">'
XSS_SCRIPT = "<script>window.__hotel_xss=2</script>"


@tagged("post_install", "-at_install")
@freeze_time("2026-06-10 04:00:00")
class TestFeedbackPrivacy(FeedbackCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.config = cls.env["hotel.feedback.config"]._for_company(cls.company)
        cls.stay = cls.env["hotel.stay"].create({
            "partner_id": cls.guest.id, "company_id": cls.company.id,
            "channel_id": cls.env.ref("hotel_crm.channel_ctrip").id,
            "booking_ref": "PV-1", "check_in": date(2026, 6, 6), "check_out": date(2026, 6, 9),
            "booked_on": date(2026, 6, 1), "state": "checked_out", "amount_room": 1800,
        })
        cls.guest._hotel_set_consent("email", True, "booking_engine")
        cls.env["hotel.stay"]._cron_send_post_stay_surveys()
        survey = cls.env.ref("hotel_feedback.survey_post_stay")
        q = {role: survey.question_ids.filtered(lambda x, r=role: x.hotel_role == r)
             for role in ("overall", "nps", "comment")}
        cls.answer = cls.stay.survey_user_input_id
        cls.answer._save_lines(q["overall"], "2")
        cls.answer._save_lines(q["nps"], "3")
        cls.answer._save_lines(q["comment"], "吴敏: 浴室漏水, call me on 13800138000")
        cls.answer._mark_done()
        cls.ticket = cls.answer.hotel_feedback_id
        cls.ticket.message_post(body="吴敏 phoned again about the shower",
                                message_type="comment")

    def test_the_export_holds_tickets_and_survey_answers(self):
        data = self.guest._hotel_privacy_data()
        self.assertEqual(data["Feedback"][0]["Description"],
                         "吴敏: 浴室漏水, call me on 13800138000")
        self.assertEqual(data["Survey Answers"][0]["Overall Satisfaction"], "2")

    def test_erasure_wipes_free_texts_and_keeps_the_scores_and_kpis(self):
        kpi_before = self.config._kpi_figures(date(2026, 6, 1), date(2026, 6, 30))
        self.guest._hotel_anonymise("Guest request of 2026-06-10")
        self.assertFalse(self.ticket.description)
        self.assertNotIn("吴敏", self.ticket.name)
        self.assertFalse(self.answer.hotel_comment)
        self.assertFalse(self.answer.user_input_line_ids.filtered("value_text_box"))
        self.assertEqual((self.answer.hotel_overall_score, self.answer.hotel_nps_score), (2, 3))
        self.assertEqual((self.ticket.category_id, self.ticket.channel),
                         (self.answer.hotel_feedback_id.category_id, "survey"))
        bodies = self.env["mail.message"].search(
            [("model", "=", "hotel.feedback"), ("res_id", "=", self.ticket.id)]
        ).mapped("body")
        self.assertFalse(any("吴敏" in (body or "") for body in bodies))
        self.assertEqual(self.config._kpi_figures(date(2026, 6, 1), date(2026, 6, 30)),
                         kpi_before)

    def test_html_mailed_in_by_a_guest_is_kept_as_text_only(self):
        ticket = self.env["hotel.feedback"].message_new({
            "email_from": "wu.min@example.com", "subject": "Noise " + XSS_SCRIPT,
            "body": f"<p>Loud music{XSS_IMG}{XSS_SCRIPT}</p>",
        })
        self.assertIn("Loud music", ticket.description)
        for needle in ("<img", "onerror", "<script"):
            self.assertNotIn(needle, ticket.description)
        message = ticket.message_post(body=f"<p>Loud music{XSS_IMG}{XSS_SCRIPT}</p>",
                                      message_type="comment")
        self.assertNotIn("<img", message.body)
        self.assertNotIn("<script", message.body)
        self.assertIn("Loud music", message.body)

    def test_a_guest_name_with_markup_is_escaped_in_mails(self):
        self.guest.name = f"Evil {XSS_SCRIPT}{XSS_IMG}"
        self.stay.survey_user_input_id = False
        self.env["hotel.stay"]._cron_send_post_stay_surveys()
        mail = self.env["mail.mail"].search([("subject", "ilike", "How was your stay")],
                                            order="id desc", limit=1)
        self.assertTrue(mail)
        self.assertNotIn("<script>", mail.body_html)
        self.assertNotIn("<img src=x", mail.body_html)
        self.assertIn("&lt;script&gt;", mail.body_html)


@tagged("post_install", "-at_install")
class TestFeedbackXssInTheBrowser(HttpCase):
    """Ticket and review texts written by guests are shown, never run, in the web client."""

    def test_payloads_in_a_ticket_do_not_run_in_the_form(self):
        new_test_user(
            self.env, login="xss_gr", password="xss_gr",
            groups="base.group_user,hotel_crm.group_hotel_guest_relations",
            company_id=self.env.company.id, company_ids=[(6, 0, self.env.company.ids)],
        )
        guest = self.env["res.partner"].create(
            {"name": f"Guest {XSS_SCRIPT}", "is_guest": True}
        )
        ticket = self.env["hotel.feedback"].create({
            "name": f"Subject {XSS_IMG}", "partner_id": guest.id, "channel": "phone",
            "description": f"Description {XSS_IMG}{XSS_SCRIPT}",
            "resolution": f"Resolution {XSS_IMG}",
        })
        self.env["hotel.review"].create({
            "source": "ctrip", "date": fields.Date.today(), "rating": 1,
            "text": f"Review {XSS_IMG}", "reviewer_name": f"R {XSS_SCRIPT}",
            "company_id": self.env.company.id, "partner_id": guest.id,
        })
        self.browser_js(f"/odoo/action-hotel_feedback.hotel_feedback_action/{ticket.id}",
                        self.CHECK % {"selector": ".o_field_widget[name='description']",
                                      "what": "the ticket form"}, login="xss_gr")
        self.browser_js("/odoo/action-hotel_feedback.hotel_review_action",
                        self.CHECK % {"selector": ".o_list_view table",
                                      "what": "the review list"}, login="xss_gr")

    # Waits for `selector`, then fails if a payload ran or became an element, or if the
    # text is not shown as written.
    CHECK = """
            const started = Date.now();
            (function check() {
                const field = document.querySelector("%(selector)s");
                if (!field) {
                    if (Date.now() - started < 20000) { return setTimeout(check, 200); }
                    console.error("%(what)s did not open");
                    return;
                }
                const shown = field.querySelector("textarea")?.value || field.textContent;
                if (window.__hotel_xss) {
                    console.error("a guest-written payload ran: " + window.__hotel_xss);
                } else if (document.querySelector("img[src='x']")) {
                    console.error("a guest-written <img> became an element");
                } else if (!shown.includes("onerror")) {
                    console.error("the description is not shown as written: " + shown);
                } else {
                    console.log("test successful");
                }
            })();
        """
