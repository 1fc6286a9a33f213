from ast import literal_eval
from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import SQL

from .common import HotelMarketingCase


@tagged("post_install", "-at_install")
class TestSegments(HotelMarketingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.recent = cls.consenting_guest("周敏", "zhoumin@example.com", guest_type="business",
                                          birthday=date(1985, 11, 3), lang="en_US")
        cls.dormant = cls.consenting_guest("吴昊", "wuhao@example.com", guest_type="leisure",
                                           birthday=date(1990, 5, 20))
        cls.frequent = cls.consenting_guest("郑爽", "zhengshuang@example.com",
                                            guest_type="business")
        with freeze_time("2026-11-20"):
            cls.make_stay(cls.recent, "2026-10-01")
            cls.make_stay(cls.dormant, "2024-06-01")
            for month in (3, 6, 9):
                cls.make_stay(cls.frequent, f"2026-0{month}-10")
            cls.Partner._hotel_recompute_figures(today=date(2026, 11, 20))

    def sql_count(self, where, *params):
        self.env.flush_all()
        self.env.cr.execute(SQL("SELECT COUNT(*) FROM res_partner WHERE active AND %s",
                                SQL(where, *params)))
        return self.env.cr.fetchone()[0]

    @freeze_time("2026-11-20")
    def test_shipped_segments_match_plain_sql(self):
        expected = {
            "hotel_marketing.filter_guests_recent": self.sql_count(
                "is_guest AND last_stay_date >= %s", date(2025, 11, 20)),
            "hotel_marketing.filter_guests_dormant": self.sql_count(
                "is_guest AND last_stay_date < %s", date(2025, 11, 20)),
            "hotel_marketing.filter_guests_frequent": self.sql_count(
                "is_guest AND stays_12m >= 3"),
            "hotel_marketing.filter_guests_birthday": self.sql_count(
                "is_guest AND EXTRACT(MONTH FROM birthday) = 11"),
            "hotel_marketing.filter_guests_business": self.sql_count(
                "is_guest AND guest_type = 'business'"),
        }
        for xmlid, count in expected.items():
            segment = self.env.ref(xmlid)
            found = self.Partner.search_count(literal_eval(segment.mailing_domain))
            self.assertEqual(found, count, xmlid)
        self.assertGreaterEqual(expected["hotel_marketing.filter_guests_recent"], 2)
        self.assertGreaterEqual(expected["hotel_marketing.filter_guests_dormant"], 1)

    @freeze_time("2026-11-20")
    def test_days_since_last_stay_is_searchable(self):
        Partner = self.Partner
        self.assertIn(self.recent, Partner.search([("days_since_last_stay", "<=", 60)]))
        self.assertNotIn(self.dormant, Partner.search([("days_since_last_stay", "<=", 365)]))
        over = Partner.search([("days_since_last_stay", ">", 365)])
        self.assertIn(self.dormant, over)
        self.assertNotIn(self.ok, over, "a guest who never stayed is not dormant")
        with self.assertRaises(UserError):
            Partner.search([("days_since_last_stay", "<=", "soon")])

    @freeze_time("2026-11-20")
    def test_preview_shows_count_excluded_and_sample(self):
        domain = [("is_guest", "=", True), ("id", "in", (self.guests | self.recent).ids)]
        preview = self.env["hotel.segment.preview"].create({"mailing_domain": repr(domain)})
        self.assertEqual(preview.segment_count, 7)
        self.assertEqual(preview.mailable_count, 2)
        self.assertEqual(preview.excluded_count, 5)
        self.assertEqual(preview.sample_ids, self.ok | self.recent)

    def test_preview_refuses_an_invalid_segment(self):
        with self.assertRaisesRegex(UserError, "not a valid filter"):
            preview = self.env["hotel.segment.preview"].create(
                {"mailing_domain": "[('no_such_field', '=', 1)]"}
            )
            self.assertFalse(preview.segment_count)

    def test_preview_from_the_mailing(self):
        mailing = self.make_mailing([("id", "in", self.guests.ids)])
        action = mailing.action_hotel_preview_segment()
        preview = self.env["hotel.segment.preview"].browse(action["res_id"])
        self.assertEqual(preview.mailable_count, 1)
        self.assertEqual(mailing.total, 1)
