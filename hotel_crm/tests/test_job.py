from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from ..models import res_partner as res_partner_module
from ..models.hotel_job import JOB_RUN, MAX_ATTEMPTS
from ..tools.trusted import trusted
from .common import HotelCrmCase


class Interrupted(Exception):
    """A batch cut off before its commit (the worker killed at its limit)."""


@tagged("post_install", "-at_install")
class TestBackgroundJobs(HotelCrmCase):
    """Long work runs as a background job batch by batch: the hostile paths first (who may
    start, read, change or cancel a job), then progress, a batch that is cut off, a failure
    and a cancellation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.guests = cls.env["res.partner"]
        for n in range(5):
            guest = cls.make_guest(f"后台 Job Guest {n}")
            cls.make_stay(guest, "2026-03-01", nights=n + 1)
            cls.guests |= guest

    def start(self, user=None):
        Partner = self.env["res.partner"].with_user(user or self.manager)
        action = Partner.action_hotel_recompute_all()
        return self.env["hotel.job"].browse(action["res_id"])

    def run_all(self, job, limit=50):
        for __ in range(limit):
            if job.state not in ("queued", "running"):
                return
            job._run_batch()
        self.fail("the job did not end")

    # ------------------------------------------------------------------
    # Hostile paths
    # ------------------------------------------------------------------
    def test_only_a_manager_starts_the_recompute_of_all_guests(self):
        before = self.env["hotel.job"].search_count([])
        for user in (self.front_desk_a, self.guest_relations, self.marketing):
            with self.assertRaises(AccessError):
                self.env["res.partner"].with_user(user).action_hotel_recompute_all()
        self.assertEqual(self.env["hotel.job"].search_count([]), before)

    def test_nobody_creates_or_rewrites_a_job_directly(self):
        job = self.start()
        for user in (self.manager, self.guest_relations):
            with self.assertRaises(AccessError):
                self.env["hotel.job"].with_user(user).create({
                    "name": "forged", "user_id": user.id, "res_model": "res.partner",
                    "method": "unlink"})
        for vals in ({"state": "done"}, {"done": 5}, {"method": "unlink"},
                     {"res_model": "res.users"}, {"user_id": self.env.uid}):
            with self.assertRaises(AccessError):
                job.with_user(self.manager).write(vals)
        # a context key grants nothing
        with self.assertRaises(AccessError):
            job.with_user(self.manager).with_context(hotel_job_run=True).write({"state": "done"})
        self.assertEqual(job.state, "queued")

    def test_only_a_private_job_method_can_be_queued(self):
        with self.assertRaises(UserError):
            self.env["hotel.job"]._enqueue(self.guests[0], "unlink", "forged")

    def test_a_job_is_seen_by_its_user_and_the_managers_of_its_property_only(self):
        job = self.start(self.manager)
        Job = self.env["hotel.job"]
        self.assertIn(job, Job.with_user(self.manager).search([]))
        for user in (self.front_desk_a, self.guest_relations, self.marketing):
            self.assertNotIn(job, Job.with_user(user).search([]))
            with self.assertRaises(AccessError):
                job.with_user(user).read(["name", "state"])
            with self.assertRaises(AccessError):
                job.with_user(user).action_cancel()
        # the payload (the job's internal state) is for the system only
        with self.assertRaises(AccessError):
            job.with_user(self.manager).read(["payload"])
        # cancellation requests are records of the runner
        with self.assertRaises(AccessError):
            self.env["hotel.job.cancel"].with_user(self.manager).create({
                "job_id": job.id, "user_id": self.manager.id})

    # ------------------------------------------------------------------
    # Batches
    # ------------------------------------------------------------------
    def test_the_job_runs_batch_by_batch_with_its_progress_and_notifies_its_user(self):
        guests = self.guests
        self.env.cr.execute("UPDATE res_partner SET stay_count = 0, night_count = 0 "
                            "WHERE id = ANY(%s)", [guests.ids])
        guests.invalidate_recordset()
        job = self.start()
        self.assertEqual(job.state, "queued")
        self.assertEqual(job.user_id, self.manager)
        total = job.total
        self.assertGreaterEqual(total, 5)
        with patch.object(res_partner_module, "RECOMPUTE_BATCH", 2):
            job._run_batch()
            self.assertEqual((job.state, job.done), ("running", 2))
            self.assertEqual(job.progress, 100.0 * 2 / total)
            self.run_all(job, limit=total)
        self.assertEqual(job.state, "done")
        self.assertEqual(job.done, total)
        self.assertEqual(job.progress, 100.0)
        self.assertTrue(job.date_start and job.date_end)
        self.assertEqual(guests.mapped("stay_count"), [1] * 5)
        self.assertEqual(guests.mapped("night_count"), [1, 2, 3, 4, 5])
        # the user who started it is told, in their inbox
        message = job.message_ids[:1]
        self.assertIn(self.manager.partner_id, message.partner_ids)
        self.assertIn("Done", message.body)

    def test_a_batch_cut_off_before_its_commit_is_done_again_from_the_last_progress(self):
        job = self.start()
        with patch.object(res_partner_module, "RECOMPUTE_BATCH", 2):
            job._run_batch()
            before = (job.done, dict(job.sudo().payload))
            # the second batch does its work, then the worker dies before the commit
            with self.assertRaises(Interrupted), self.env.cr.savepoint():
                job._run_batch()
                self.assertEqual(job.done, 4)
                raise Interrupted
            job.invalidate_recordset()
            self.assertEqual((job.done, job.sudo().payload), before)
            self.run_all(job, limit=job.total)
        self.assertEqual((job.state, job.done), ("done", job.total))

    def test_a_batch_interrupted_again_and_again_fails_the_job_with_its_reason(self):
        job = self.start()
        with trusted(JOB_RUN):
            job.write({"attempts": MAX_ATTEMPTS})
        job._run_batch()
        self.assertEqual(job.state, "failed")
        self.assertIn("interrupted", job.error)
        self.assertIn(self.manager.partner_id, job.message_ids[:1].partner_ids)

    def test_a_failing_batch_ends_the_job_with_the_reason(self):
        job = self.start()
        # the manager lost the right meanwhile: the job runs as its user, and says why
        self.manager.groups_id = [(3, self.env.ref("hotel_crm.group_hotel_manager").id)]
        job._run_batch()
        self.assertEqual(job.state, "failed")
        self.assertIn("managers", job.error)

    def test_a_cancelled_job_stops_after_its_batch_and_keeps_what_is_done(self):
        job = self.start()
        with patch.object(res_partner_module, "RECOMPUTE_BATCH", 2):
            job._run_batch()
            job.with_user(self.manager).action_cancel()
            self.assertTrue(job.cancel_requested)
            self.assertEqual(job.state, "running")  # the request never waits for the batch
            job._run_batch()
        self.assertEqual((job.state, job.done), ("cancelled", 2))
        self.assertFalse(job.cancel_requested)
        with self.assertRaises(UserError):
            job.with_user(self.manager).action_cancel()

    def test_the_runner_takes_the_oldest_job_no_other_runner_holds(self):
        first, second = self.start(), self.start()
        claimed = self.env["hotel.job"]._claim()
        try:
            self.assertEqual(claimed, first)
            # another runner (another connection) skips the job this one holds
            with self.env.registry.cursor() as other_cr:
                other_cr.execute("SELECT pg_try_advisory_lock(%s, %s)",
                                 [71_820_001, first.id])
                self.assertFalse(other_cr.fetchone()[0])
                other_cr.execute("SELECT pg_try_advisory_lock(%s, %s)",
                                 [71_820_001, second.id])
                self.assertTrue(other_cr.fetchone()[0])
                other_cr.execute("SELECT pg_advisory_unlock_all()")
        finally:
            self.env.cr.execute("SELECT pg_advisory_unlock_all()")

    def test_a_cron_run_ends_before_the_worker_s_time_limit_and_asks_for_the_next(self):
        """Odoo calls the runner up to ten times in one run of a cron worker, which a
        prefork server kills at its real-time limit: past its share of the limit the runner
        says nothing remains in this run and triggers the next one at once."""
        self.start(), self.start()
        Job = type(self.env["hotel.job"])
        Cron = type(self.env["ir.cron"])
        cron = self.env.ref("hotel_crm.ir_cron_hotel_job")
        notified = []

        def runs(budget):
            triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
            with patch.object(Job, "_commit", lambda job: None), \
                    patch.object(Job, "_run_budget", lambda job: budget), \
                    patch.object(Cron, "_notify_progress",
                                 lambda c, done=0, remaining=0, deactivate=False:
                                 notified.append((done, remaining))):
                self.env["hotel.job"]._cron_run_jobs()
            return self.env["ir.cron.trigger"].search_count(
                [("cron_id", "=", cron.id)]) - triggers

        self.assertEqual(runs(budget=0.0), 1, "the next run is asked for")
        self.assertEqual(notified[-1], (1, 0))
        self.assertEqual(runs(budget=3600), 0)
        self.assertEqual(notified[-1][0], 1)
        self.assertGreater(notified[-1][1], 0, "time is left: Odoo calls the runner again")
