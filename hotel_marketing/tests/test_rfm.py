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

    def rfm_state(self):
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT id, rfm_last_in, rfm_stays, rfm_spend, rfm_score, rfm_segment "
            "FROM res_partner WHERE is_guest ORDER BY id")
        return self.env.cr.fetchall()

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

    def test_the_nightly_job_recomputes_changed_inputs_only_and_equals_the_full_run(self):
        """Issue 18: the nightly RFM job recomputes the inputs of the guests whose stays
        changed or moved through the window since its last run; its scores are those of a
        full run."""
        import json
        from datetime import timedelta

        from odoo import fields

        from odoo.addons.hotel_crm.tools.nightly import PARAM, NightlyMark

        def quiet_mark(day):
            self.env.flush_all()
            self.env.cr.execute("SELECT MAX(write_date) FROM res_partner")
            after = self.env.cr.fetchone()[0] + timedelta(seconds=1)
            self.env["ir.config_parameter"].set_param(PARAM % "rfm", json.dumps(
                {"since": fields.Datetime.to_string(after), "day": day, "months": 24}))
            return after

        self.Partner._hotel_recompute_rfm(today=date(2026, 11, 20))
        quiet_mark("2026-11-20")
        ids = self.Partner._hotel_rfm_nightly_ids(
            NightlyMark(self.env, "rfm"), date(2026, 11, 20), 24)
        self.assertFalse(set(ids) & set((self.ranked | self.lost).ids), "a quiet night")
        # a day later: a stay booked for today is reached, a stay written in SQL since
        with freeze_time("2026-11-20"):
            arriving = self.make_guest("RFM arriving")
            self.make_stay(arriving, date(2026, 11, 21), state="in_house")
        self.Partner._hotel_recompute_rfm(today=date(2026, 11, 20))
        after = quiet_mark("2026-11-20")
        self.assertEqual(arriving.rfm_stays, 0, "not reached on the 20th")
        stay = self.env["hotel.stay"].search([("partner_id", "=", self.ranked[0].id)], limit=1)
        self.env.cr.execute(
            "UPDATE hotel_stay SET amount_company = amount_company + 5000, write_date = %s "
            "WHERE id = %s", [after + timedelta(seconds=1), stay.id])
        self.env.invalidate_all()
        with freeze_time("2026-11-21"):
            ids = set(self.Partner._hotel_rfm_nightly_ids(
                NightlyMark(self.env, "rfm"), date(2026, 11, 21), 24))
            self.assertEqual(ids & set((self.ranked | self.lost | arriving).ids),
                             {arriving.id, self.ranked[0].id})
            self.Partner._hotel_nightly_rfm()
        nightly = self.rfm_state()
        self.assertEqual(arriving.rfm_stays, 1)
        self.assertEqual(self.Partner._hotel_recompute_rfm(today=date(2026, 11, 21)), 0)
        self.assertEqual(self.rfm_state(), nightly, "the nightly scores are the full run's")

    def test_the_scheduled_job_writes_in_chunks_the_scores_of_one_statement(self):
        """The scheduled job commits chunks of guests (a statement over every guest would
        meet the guests changed meanwhile); the scores are those of one statement."""
        from unittest.mock import patch

        from odoo.addons.hotel_crm.tools import nightly

        from ..models import res_partner as partner_module

        commits = []
        with patch.object(nightly, "commit", lambda env: commits.append(1)), \
                patch.object(partner_module, "RFM_CHUNK", 4):
            self.Partner._hotel_recompute_rfm(today=date(2026, 11, 20), commit=True)
        chunked = self.rfm_state()
        self.assertGreater(len(commits), 3, "several short transactions")
        self.env.cr.execute("UPDATE res_partner SET rfm_score = NULL, rfm_stays = 0, "
                            "rfm_last_in = NULL, rfm_spend = 0, rfm_segment = NULL")
        self.env.invalidate_all()
        self.Partner._hotel_recompute_rfm(today=date(2026, 11, 20))
        self.assertEqual(self.rfm_state(), chunked)
        self.assertEqual(self.ranked[-1].rfm_score, "555")
