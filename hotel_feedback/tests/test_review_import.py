import base64
from datetime import date

from odoo.tests import tagged

from .common import FeedbackCase

CSV = """source,date,rating,text,guest,booking_ref,review_ref
ctrip,2026-05-01,5,服务很好,张先生,,C1
booking,2026-05-02,2,Dirty towels and hair in the shower,Emma,RV-1,B1
meituan,2026-13-45,4,bad date,,,M1
dianping,2026-05-03,7,bad rating,,,D1
expedia,2026-05-04,3,unknown stay,,NO-SUCH-REF,E1
myspace,2026-05-05,3,unknown source,,,X1
"""


@tagged("post_install", "-at_install")
class TestReviewImport(FeedbackCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stay = cls.env["hotel.stay"].create({
            "partner_id": cls.guest.id, "company_id": cls.company.id,
            "channel_id": cls.env.ref("hotel_crm.channel_booking").id, "booking_ref": "RV-1",
            "check_in": date(2026, 4, 28), "check_out": date(2026, 4, 30),
            "state": "checked_out",
        })

    def run_import(self, text, encoding="utf-8"):
        wizard = self.env["hotel.review.import"].with_user(self.guest_relations).create(
            {"file": base64.b64encode(text.encode(encoding)), "filename": "reviews.csv"}
        )
        wizard.action_import()
        return wizard

    def test_good_rows_land_bad_rows_are_reported_with_their_reason(self):
        wizard = self.run_import(CSV)
        self.assertEqual(wizard.imported_count, 2)
        log = wizard.error_log
        self.assertIn("Line 4: unreadable date", log)
        self.assertIn("Line 5: rating '7'", log)
        self.assertIn("Line 6: no stay with booking reference 'NO-SUCH-REF'", log)
        self.assertIn("Line 7: unknown source 'myspace'", log)
        reviews = self.env["hotel.review"].search([("external_ref", "in", ["C1", "B1"])])
        self.assertEqual(len(reviews), 2)
        low = reviews.filtered(lambda r: r.rating == 2)
        self.assertEqual(low.stay_id, self.stay)
        self.assertEqual(low.ticket_id.channel, "review")
        self.assertEqual(low.ticket_id.partner_id, self.guest)
        self.assertEqual(low.ticket_id.category_id, self.cleanliness)
        self.assertFalse(self.env["hotel.review"].search([("external_ref", "=", "M1")]))

    def test_reimporting_changes_nothing(self):
        self.run_import(CSV)
        again = self.run_import(CSV)
        self.assertEqual(again.imported_count, 0)
        self.assertEqual(self.env["hotel.review"].search_count(
            [("external_ref", "in", ["C1", "B1"])]), 2)

    def test_a_gb18030_file_from_a_chinese_spreadsheet(self):
        wizard = self.run_import(CSV.splitlines()[0] + "\nctrip,2026-05-01,4,干净整洁,李女士,,G1\n",
                                 encoding="gb18030")
        self.assertEqual(wizard.imported_count, 1)
        self.assertEqual(self.env["hotel.review"].search([("external_ref", "=", "G1")]).text,
                         "干净整洁")
