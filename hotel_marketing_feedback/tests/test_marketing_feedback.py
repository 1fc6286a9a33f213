import io
from datetime import date, datetime

from freezegun import freeze_time
from openpyxl import load_workbook

from odoo.tests import tagged

from odoo.addons.hotel_marketing.tests.common import HotelMarketingCase


@tagged("post_install", "-at_install")
class TestMarketingFeedback(HotelMarketingCase):
    def test_thank_you_mail_carries_the_survey_link_and_no_second_survey_mail(self):
        automation = self.env.ref("hotel_marketing.automation_post_stay")
        automation.active = True
        self.only_test_properties(automation)
        with freeze_time("2026-11-20"):
            stay = self.make_stay(self.ok, "2026-11-17", nights=2)
            self.assertEqual(automation._hotel_run(today=date(2026, 11, 20)), 1)
            send = self.env["hotel.marketing.send"].search(
                [("automation_id", "=", automation.id)])
            answer = stay.survey_user_input_id
            self.assertTrue(answer, "the survey answer is linked to the stay")
            # The link is tracked (clicks count like a campaign's) and leads to the answer.
            tracker = self.env["link.tracker"].search([("url", "like", answer.access_token)])
            self.assertEqual(tracker.mass_mailing_id, automation.mailing_id)
            self.assertIn(tracker.short_url, send.mail_id.body_html)
            self.assertIn("Tell us about your stay", send.mail_id.body_html)
            surveyed = self.env["hotel.stay"]._cron_send_post_stay_surveys()
        self.assertNotIn(stay, surveyed, "hotel_feedback does not survey the stay twice")

    def test_kpi_report_shows_feedback_figures(self):
        survey = self.env.ref("hotel_feedback.survey_post_stay")
        stay = self.make_stay(self.ok, "2026-02-01")
        for overall in (5, 3):
            answer = survey.sudo()._create_answer(partner=self.ok, check_attempts=False,
                                                  hotel_stay_id=stay.id)
            answer.write({"state": "done", "end_datetime": datetime(2026, 2, 10),
                          "hotel_overall_score": overall})
        for rating, day in ((5, 3), (4, 4)):
            self.env["hotel.review"].create({
                "source": "ctrip", "date": date(2026, 2, day), "rating": rating,
                "external_ref": f"MK{day}", "company_id": self.property_a.id,
            })
        report = self.env["hotel.marketing.kpi.report"].create(
            {"year": 2026, "quarter": "1", "company_ids": [(6, 0, self.property_a.ids)]})
        row = report._kpi_rows()[0]
        self.assertAlmostEqual(row["csat"], 50.0)
        self.assertEqual(row["csat_target"], 85.0)
        self.assertAlmostEqual(row["online_rating"], 4.5)
        self.assertEqual(row["rating_target"], 4.5)
        self.assertIsNone(row["reply_compliance"], "no ticket this quarter")
        sheet = load_workbook(io.BytesIO(report._kpi_xlsx())).active
        header = [cell.value for cell in sheet[1]]
        values = dict(zip(header, next(sheet.iter_rows(min_row=2, values_only=True)),
                          strict=True))
        self.assertAlmostEqual(values["Satisfaction (CSAT)"], 50.0)
        self.assertAlmostEqual(values["Online Rating"], 4.5)
        self.assertIsNone(values["Replied within SLA (24 h)"])
