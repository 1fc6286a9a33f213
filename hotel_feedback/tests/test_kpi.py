import io
from datetime import date, datetime, timedelta

import openpyxl
from freezegun import freeze_time

from odoo.tests import tagged

from .common import FeedbackCase


@tagged("post_install", "-at_install")
class TestKpi(FeedbackCase):
    def test_quarter_figures_on_a_known_dataset(self):
        survey = self.env.ref("hotel_feedback.survey_post_stay")
        stay = self.env["hotel.stay"].create({
            "partner_id": self.guest.id, "company_id": self.company.id,
            "channel_id": self.env.ref("hotel_crm.channel_ctrip").id, "booking_ref": "K-1",
            "check_in": date(2026, 4, 1), "check_out": date(2026, 4, 3), "state": "checked_out",
        })
        # 5 answers: overall 5,4,4,3,1 → CSAT 60 %; NPS 10,9,8,5,2 → (2 − 2) / 5 = 0
        for overall, nps in ((5, 10), (4, 9), (4, 8), (3, 5), (1, 2)):
            answer = survey.sudo()._create_answer(partner=self.guest, check_attempts=False,
                                                  hotel_stay_id=stay.id)
            answer.write({"state": "done", "end_datetime": datetime(2026, 5, 2),
                          "hotel_overall_score": overall, "hotel_nps_score": nps})
        for rating, day in ((5, 3), (4, 4), (4, 5)):
            self.env["hotel.review"].create({"source": "ctrip", "date": date(2026, 5, day),
                                             "rating": rating, "external_ref": f"R{day}"})
        replies = (2, 4, 10, 30)  # hours to the first reply
        for hours in replies:
            with freeze_time("2026-05-10 00:00:00"):
                ticket = self.ticket()
            with freeze_time(datetime(2026, 5, 10) + timedelta(hours=hours)):
                ticket.with_user(self.guest_relations).message_post(
                    body="Reply", message_type="comment", subtype_xmlid="mail.mt_comment",
                    partner_ids=self.guest.ids)
        config = self.env["hotel.feedback.config"]._for_company(self.company)
        fig = config._kpi_figures(date(2026, 4, 1), date(2026, 6, 30))
        self.assertEqual(fig["surveys"], 5)
        self.assertAlmostEqual(fig["csat"], 60.0)
        self.assertAlmostEqual(fig["nps"], 0.0)
        self.assertAlmostEqual(fig["online_rating"], 13 / 3)
        self.assertEqual(fig["tickets"], 4, "reviews rated 4 or 5 open no ticket")
        self.assertAlmostEqual(fig["reply_p50"], 7.0)
        self.assertAlmostEqual(fig["reply_p90"], 24.0)  # 10 + 0.7 × (30 − 10)
        self.assertAlmostEqual(fig["reply_compliance"], 75.0)
        other = config._kpi_figures(date(2026, 1, 1), date(2026, 3, 31))
        self.assertEqual((other["surveys"], other["tickets"]), (0, 0))
        self.assertIsNone(other["csat"])

        book = openpyxl.load_workbook(io.BytesIO(config._kpi_xlsx(2026)))
        sheet = book["KPI"]
        header = [c.value for c in sheet[1]]
        rows = [dict(zip(header, [c.value for c in row], strict=True)) for row in sheet[2:5]]
        q2 = next(r for r in rows if r["Quarter"] == "2026 Q2")
        self.assertAlmostEqual(q2["CSAT (%)"], 60.0)
        self.assertEqual(q2["CSAT Target (%)"], 85.0)
        self.assertAlmostEqual(q2["Online Rating"], 13 / 3)
        self.assertAlmostEqual(q2["Reply SLA Met (%)"], 75.0)
