"""The nightly tier evaluation works on the members whose tier may change since its last run
(issue 18); its result is the full evaluation's."""
import json
from datetime import date, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.hotel_crm.tools.nightly import PARAM, NightlyMark

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestNightlyTiers(LoyaltyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Member = cls.env["hotel.loyalty.member"]
        # silver by one stay of 6,000 that checked out on 2025-07-01
        cls.leaving = cls.enrol_with(6000, date(2025, 7, 1))
        cls.steady = cls.enrol_with(6000, date(2026, 6, 1))

    @classmethod
    def enrol_with(cls, amount, check_out):
        partner = cls.guest()
        with freeze_time(check_out):
            cls.stays(partner, count=1, amount=amount, end=check_out)
            return cls.enrol(partner)

    def quiet_mark(self, day):
        """The mark of a run on ``day`` that ended after everything so far was committed."""
        self.env.flush_all()
        self.env.cr.execute("SELECT MAX(write_date) FROM hotel_loyalty_member")
        after = self.env.cr.fetchone()[0] + timedelta(seconds=1)
        self.env["ir.config_parameter"].set_param(PARAM % "tiers", json.dumps(
            {"since": fields.Datetime.to_string(after), "day": day}))
        return after

    def tonight(self, today):
        mark = NightlyMark(self.env, "tiers")
        return set(self.Member._nightly_member_ids(mark, date.fromisoformat(today)))

    def members_state(self):
        self.env.flush_all()
        self.env.cr.execute(SQL(
            "SELECT id, tier_id, tier_valid_until, window_spend, window_stays "
            "FROM hotel_loyalty_member ORDER BY id"))
        return self.env.cr.fetchall()

    def test_a_quiet_night_evaluates_none_of_them(self):
        self.Member._run_tier_evaluation()
        self.quiet_mark("2026-06-30")
        self.assertFalse(self.tonight("2026-06-30") & {self.leaving.id, self.steady.id})

    def test_a_stay_leaving_the_window_updates_the_member_s_window_figures(self):
        with freeze_time("2026-06-30"):
            self.Member._run_tier_evaluation()
        self.assertEqual(self.leaving.window_spend, 6000)
        self.quiet_mark("2026-06-30")
        with freeze_time("2026-07-02"):
            self.assertIn(self.leaving.id, self.tonight("2026-07-02"))
            self.assertNotIn(self.steady.id, self.tonight("2026-07-02"))
            self.Member._cron_evaluate_tiers()
        self.assertEqual((self.leaving.window_spend, self.leaving.window_stays), (0, 0))
        self.assertEqual(self.leaving.tier_id, self.silver, "the period is not over yet")

    def test_a_stay_written_since_the_last_run_upgrades_at_the_next_run(self):
        self.Member._run_tier_evaluation()
        after = self.quiet_mark("2026-06-30")
        stay = self.env["hotel.stay"].search([("partner_id", "=", self.steady.partner_id.id)])
        # a repair script: the stay's amount set in SQL, no evaluation at once
        self.env.cr.execute(
            "UPDATE hotel_stay SET amount_company = 12000, write_date = %s WHERE id = %s",
            [after + timedelta(seconds=1), stay.id])
        self.env.invalidate_all()
        self.assertIn(self.steady.id, self.tonight("2026-06-30"))
        self.Member._cron_evaluate_tiers()
        self.assertEqual(self.steady.tier_id, self.gold)

    def test_a_programme_changed_since_the_last_run_evaluates_every_member(self):
        self.Member._run_tier_evaluation()
        after = self.quiet_mark("2026-06-30")
        self.program.window_months = 24
        self.program.flush_recordset()
        self.env.cr.execute("UPDATE hotel_loyalty_program SET write_date = %s WHERE id = %s",
                            [after + timedelta(seconds=1), self.program.id])
        self.assertTrue(self.Member._tier_rules_changed_since(after))
        self.Member._cron_evaluate_tiers()
        self.assertEqual(self.leaving.window_spend, 6000)

    def test_the_nightly_result_is_the_full_evaluation(self):
        self.Member._run_tier_evaluation()
        last = "2026-06-30"
        for day in ("2026-07-02", "2026-08-15", "2026-09-01"):
            self.quiet_mark(last)  # each night sees only what the calendar moved
            with freeze_time(day):
                self.Member._cron_evaluate_tiers()
                nightly = self.members_state()
                self.assertEqual(self.Member._run_tier_evaluation(), 0, day)
                self.assertEqual(self.members_state(), nightly, day)
            last = day
        self.assertEqual(self.leaving.tier_id, self.member_tier,
                         "period over on 2026-07-01, grace on 2026-07-31: one tier down")

    def test_the_scheduled_job_commits_small_chunks_with_the_result_of_one_statement(self):
        """A statement over every member would meet the members being redeemed all day and
        fail at each retry: the scheduled job evaluates members in chunks, each committed."""
        from unittest.mock import patch

        from odoo.addons.hotel_crm.tools import nightly

        from ..models import hotel_loyalty_member as member_module

        commits = []
        with patch.object(member_module, "TIER_CHUNK", 1), \
                patch.object(nightly, "commit", lambda env: commits.append(1)), \
                freeze_time("2026-09-01"):
            self.Member._cron_evaluate_tiers()
        chunked = self.members_state()
        self.assertGreaterEqual(len(commits), 2)
        with freeze_time("2026-09-01"):
            self.assertEqual(self.Member._run_tier_evaluation(), 0)
        self.assertEqual(self.members_state(), chunked)
        self.assertEqual(self.leaving.tier_id, self.member_tier)
