"""The nightly figures job works on what changed since its last run (issue 18), and its
result is the full recompute's."""
import json
import time
from datetime import date, timedelta

from freezegun import freeze_time

from odoo import SUPERUSER_ID, api, fields
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, tagged
from odoo.tools import SQL

from ..tools.nightly import PARAM, NightlyMark
from .common import HotelCrmCase

FIGURES = ("stay_count", "night_count", "total_spend", "stays_12m", "nights_12m", "spend_12m",
           "first_stay_date", "last_stay_date", "avg_lead_days", "avg_los")


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestNightlyFigures(HotelCrmCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.guests = [cls.make_guest(f"夜间 {n}") for n in range(6)]
        for n, guest in enumerate(cls.guests):
            cls.make_stay(guest, date(2025, 6, 20) + timedelta(days=n), amount_room=500 + n)
            cls.make_stay(guest, date(2026, 3, 1) + timedelta(days=n), amount_room=800)

    def nightly(self):
        return self.env["res.partner"]._cron_hotel_recompute_figures()

    def quiet_mark(self, day="2026-06-29"):
        """The mark of a run that ended after everything written so far was committed."""
        self.env.flush_all()
        self.env.cr.execute("SELECT MAX(write_date) FROM res_partner")
        after = self.env.cr.fetchone()[0] + timedelta(seconds=1)
        self.env["ir.config_parameter"].set_param(PARAM % "figures", json.dumps(
            {"since": fields.Datetime.to_string(after), "day": day}))
        return after

    def stored(self):
        self.env.flush_all()
        self.env.cr.execute(SQL(
            "SELECT id, %s FROM res_partner WHERE is_guest ORDER BY id",
            SQL(", ").join(SQL.identifier(f) for f in FIGURES)))
        return self.env.cr.fetchall()

    def ids_tonight(self, today="2026-06-30"):
        mark = NightlyMark(self.env, "figures")
        self.assertFalse(mark.full)
        return set(self.env["res.partner"]._hotel_nightly_guest_ids(
            mark, date.fromisoformat(today)))

    def test_the_first_run_recomputes_every_guest_and_leaves_a_mark(self):
        self.env["ir.config_parameter"].search(
            [("key", "=", PARAM % "figures")]).unlink()
        victim = self.guests[0]
        self.env.cr.execute("UPDATE res_partner SET stay_count = 99 WHERE id = %s",
                            [victim.id])  # around the ORM: no write_date
        victim.invalidate_recordset()
        self.nightly()
        self.assertEqual(victim.stay_count, 2)
        mark = json.loads(self.env["ir.config_parameter"].get_param(PARAM % "figures"))
        self.assertEqual(mark["day"], "2026-06-30")

    def test_a_damaged_mark_makes_a_full_run(self):
        self.env["ir.config_parameter"].set_param(PARAM % "figures", "{not json")
        self.assertTrue(NightlyMark(self.env, "figures").full)

    def test_a_quiet_night_looks_at_no_guest(self):
        self.quiet_mark(day="2026-06-30")
        self.assertEqual(self.ids_tonight(), set())
        before = self.stored()
        self.assertEqual(self.nightly(), 0)
        self.assertEqual(self.stored(), before)

    def test_a_stay_written_since_the_last_run_is_counted_whoever_wrote_it(self):
        after = self.quiet_mark(day="2026-06-30")
        guest = self.guests[2]
        stay = self.env["hotel.stay"].search([("partner_id", "=", guest.id)], limit=1,
                                             order="check_in desc")
        # a repair script, not the ORM: the guest's figures are not refreshed at once
        self.env.cr.execute(
            "UPDATE hotel_stay SET amount_company = amount_company + 1000, write_date = %s "
            "WHERE id = %s", [after + timedelta(seconds=1), stay.id])
        self.env["hotel.stay"].invalidate_model()
        self.assertEqual(self.ids_tonight(), {guest.id})
        spend = guest.spend_12m
        self.nightly()
        self.assertEqual(guest.spend_12m, spend + 1000)

    def test_a_stay_leaving_the_12_month_window_overnight_is_counted(self):
        # a stay that checked out on 2025-06-29 leaves the window on 2026-06-30 (the other
        # guests' stays left it earlier, or are in it still)
        with freeze_time("2026-06-29"):
            leaving = self.make_guest("窗口")
            self.make_stay(leaving, "2025-06-27", nights=2, amount_room=700)
            self.assertEqual(leaving.stays_12m, 1)
        self.quiet_mark(day="2026-06-29")
        tonight = self.ids_tonight()
        self.assertIn(leaving.id, tonight)
        self.assertFalse(tonight & {g.id for g in self.guests}, "nothing moved for them")
        self.nightly()
        self.assertEqual((leaving.stays_12m, leaving.spend_12m, leaving.stay_count), (0, 0, 1))

    def test_the_calendar_of_several_missed_nights_is_caught_up(self):
        leaving = self.make_guest("多日")
        self.make_stay(leaving, "2025-06-01", nights=2, amount_room=700)  # out 2025-06-03
        self.quiet_mark(day="2026-05-20")  # the job did not run for six weeks
        self.assertIn(leaving.id, self.ids_tonight())
        self.nightly()
        self.assertEqual(leaving.stays_12m, 0)

    def test_the_nightly_result_is_the_full_recompute(self):
        with freeze_time("2026-06-25"):  # every guest as the run of that day left them
            self.env["res.partner"]._hotel_recompute_figures()
        after = self.quiet_mark(day="2026-06-25")
        # changes of every kind since the mark: SQL writes with a date, a moved stay, a
        # guest's own change, and the calendar
        stays = self.env["hotel.stay"].search(
            [("partner_id", "in", [g.id for g in self.guests])], order="id")
        self.env.cr.execute(
            "UPDATE hotel_stay SET state = 'cancelled', write_date = %s WHERE id = %s",
            [after + timedelta(seconds=2), stays[3].id])
        self.env.cr.execute(
            "UPDATE hotel_stay SET amount_company = 1, write_date = %s WHERE id = %s",
            [after + timedelta(seconds=2), stays[0].id])
        self.env["hotel.stay"].invalidate_model()
        stays[5].partner_id = self.guests[0]  # through the ORM: both guests at once
        self.nightly()
        nightly = self.stored()
        self.assertEqual(self.env["res.partner"]._hotel_recompute_figures(), 0,
                         "the full recompute finds nothing left to change")
        self.assertEqual(self.stored(), nightly)

    def test_a_threshold_rule_changed_since_the_last_run_tags_every_guest(self):
        tag = self.env["res.partner.category"].create({"name": "两次入住"})
        rule = self.env["hotel.guest.tag.rule"].create({
            "name": "Two stays", "tag_id": tag.id, "rule_type": "threshold",
            "figure": "stay_count", "operator": ">=", "threshold": 2})
        self.nightly()
        self.assertEqual(tag.partner_ids & self.guests_record(), self.guests_record())
        after = self.quiet_mark(day="2026-06-30")
        rule.threshold = 3
        rule.flush_recordset()
        self.env.cr.execute("UPDATE hotel_guest_tag_rule SET write_date = %s WHERE id = %s",
                            [after + timedelta(seconds=1), rule.id])
        rule.invalidate_recordset()
        self.nightly()
        self.assertFalse(tag.partner_ids & self.guests_record())

    def test_a_filter_rule_is_applied_to_every_guest_each_night(self):
        tag = self.env["res.partner.category"].create({"name": "北京客人"})
        self.env["hotel.guest.tag.rule"].create({
            "name": "From Beijing", "tag_id": tag.id, "rule_type": "domain",
            "domain": "[('city', '=', 'Beijing')]"})
        self.quiet_mark(day="2026-06-30")
        # a guest's city set around the ORM (no write date): a filter may read anything,
        # so the nightly job applies filters to every guest
        self.env.cr.execute("UPDATE res_partner SET city = 'Beijing' WHERE id = %s",
                            [self.guests[1].id])
        self.env["res.partner"].invalidate_model()
        self.nightly()
        self.assertIn(self.guests[1], tag.partner_ids)

    def guests_record(self):
        return self.env["res.partner"].browse([g.id for g in self.guests])


@tagged("post_install", "-at_install")
class TestNightlyMarkUnderConcurrency(BaseCase):
    """The mark is the oldest open transaction's start: what such a transaction writes and
    commits after the run has started is seen by the next run."""

    def test_the_mark_is_no_later_than_a_transaction_still_open(self):
        from odoo.tests.common import get_db_name
        registry = Registry(get_db_name())
        with registry.cursor() as older, registry.cursor() as cr:
            older.execute("SELECT now() AT TIME ZONE 'UTC'")
            started = older.fetchone()[0]
            time.sleep(0.05)
            env = api.Environment(cr, SUPERUSER_ID, {})
            cr.execute("SELECT now() AT TIME ZONE 'UTC'")
            own = cr.fetchone()[0]
            self.assertGreater(own, started)
            mark = NightlyMark(env, "probe")
            self.assertLessEqual(mark.now, started)
            cr.rollback()
            older.rollback()


@tagged("post_install", "-at_install")
class TestNightlyRunsAgainAfterAConflict(BaseCase):
    """A user changes a guest while the nightly job runs: the job is run again on a new
    snapshot instead of failing for the night (committed transactions, two cursors)."""

    def setUp(self):
        super().setUp()
        from odoo.tests.common import get_db_name
        self.registry = Registry(get_db_name())
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            guest = env["res.partner"].create({"name": "冲突测试", "is_guest": True})
            cr.execute("UPDATE res_partner SET stay_count = 7 WHERE id = %s", [guest.id])
            self.guest_id = guest.id
            env["ir.config_parameter"].search([("key", "=", PARAM % "figures")]).unlink()
        self.addCleanup(self.cleanup)

    def cleanup(self):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM res_partner WHERE id = %s", [self.guest_id])
            cr.execute("DELETE FROM ir_config_parameter WHERE key = %s", [PARAM % "figures"])

    def test_a_user_s_write_during_the_run_does_not_lose_the_night(self):
        from unittest.mock import patch
        Partner = self.registry["res.partner"]
        runs = []
        original = Partner._hotel_nightly_figures

        def counted(partner, today=None):
            runs.append(1)
            if len(runs) == 1:
                # the user's change commits after the job's snapshot was taken
                with self.registry.cursor() as user_cr:
                    user_cr.execute("UPDATE res_partner SET stay_count = 5 WHERE id = %s",
                                    [self.guest_id])
            return original(partner, today)

        with self.registry.cursor() as cron_cr:
            cron_cr.execute("SELECT COUNT(*) FROM res_partner")  # the job's snapshot
            env = api.Environment(cron_cr, SUPERUSER_ID, {})
            with patch.object(Partner, "_hotel_nightly_figures", counted):
                env["res.partner"]._cron_hotel_recompute_figures()
            cron_cr.execute("SELECT stay_count FROM res_partner WHERE id = %s",
                            [self.guest_id])
            self.assertEqual(cron_cr.fetchone()[0], 0)
        self.assertEqual(len(runs), 2, "run once more on a new snapshot")
