from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import SQL

from .common import HotelMarketingCase


@tagged("post_install", "-at_install")
class TestRfm(HotelMarketingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ranked = cls.Partner
        with freeze_time("2026-11-20"):
            for i in range(1, 11):
                guest = cls.make_guest(f"RFM guest {i:02d}")
                for n in range(i):
                    # i stays, the last one on 2026-01-i: more recent, more frequent, more spend
                    cls.make_stay(guest, date(2026, 1, i) if n == 0 else date(2025, 2, 1 + n))
                cls.ranked |= guest
            cls.lost = cls.make_guest("RFM lost")
            cls.make_stay(cls.lost, "2022-05-01")
        # Only this dataset is ranked: stays of other tests or demo data are set aside.
        cls.env.flush_all()
        cls.env.cr.execute(SQL(
            "UPDATE hotel_stay SET state = 'cancelled' WHERE partner_id <> ALL(%s)",
            (cls.ranked | cls.lost).ids,
        ))
        cls.Partner._hotel_recompute_figures(today=date(2026, 11, 20))

    def test_quintiles_on_a_known_dataset(self):
        self.Partner._hotel_recompute_rfm(today=date(2026, 11, 20))
        expected = [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
        self.assertEqual(self.ranked.mapped("rfm_recency"), expected)
        self.assertEqual(self.ranked.mapped("rfm_frequency"), expected)
        self.assertEqual(self.ranked.mapped("rfm_monetary"), expected)
        self.assertEqual(self.ranked[-1].rfm_score, "555")
        self.assertEqual(
            self.ranked.mapped("rfm_segment"),
            ["hibernating"] * 4 + ["need_attention"] * 2 + ["champions"] * 4,
        )
        self.assertEqual(self.lost.rfm_segment, "lost")
        self.assertFalse(self.ok.rfm_segment, "a guest without stays has no portrait")
        self.assertEqual(self.ranked[-1].lifetime_value, self.ranked[-1].total_spend)

    def test_equal_values_share_a_score(self):
        twin = self.make_guest("RFM twin of 01")
        with freeze_time("2026-11-20"):
            self.make_stay(twin, date(2026, 1, 1))
        self.Partner._hotel_recompute_rfm(today=date(2026, 11, 20))
        self.assertEqual(twin.rfm_score, self.ranked[0].rfm_score)

    def test_new_guest_and_recompute_is_idempotent(self):
        newcomer = self.make_guest("RFM newcomer")
        with freeze_time("2026-11-20"):
            self.make_stay(newcomer, date(2026, 11, 1))
        self.Partner._hotel_recompute_figures(today=date(2026, 11, 20))
        self.Partner._hotel_recompute_rfm(today=date(2026, 11, 20))
        self.assertEqual(newcomer.rfm_segment, "new")
        self.assertEqual(self.Partner._hotel_recompute_rfm(today=date(2026, 11, 20)), 0)

    def test_segment_is_searchable_for_mailings(self):
        self.Partner._hotel_recompute_rfm(today=date(2026, 11, 20))
        segment = self.env.ref("hotel_marketing.filter_guests_champions")
        mailing = self.make_mailing([], mailing_filter_id=segment.id,
                                    mailing_domain=segment.mailing_domain)
        self.assertEqual(mailing.total, 0, "the champions have not given consent")
        self.ranked[-1]._hotel_set_consent("email", True, "survey")
        self.ranked[-1].email = "champion@example.com"
        mailing.invalidate_recordset(["total"])
        self.assertEqual(mailing.total, 1)

    def test_window_must_be_positive(self):
        self.env["ir.config_parameter"].sudo().set_param("hotel_marketing.rfm_window_months", "0")
        with self.assertRaisesRegex(UserError, "RFM window"):
            self.Partner._hotel_recompute_rfm()
