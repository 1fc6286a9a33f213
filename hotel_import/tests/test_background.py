from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from ..wizard import hotel_import_wizard as wizard_module
from .common import PMS_HEADER, HotelImportCase


class Interrupted(Exception):
    """A batch cut off before its commit (the worker killed at its limit)."""


@tagged("post_install", "-at_install")
class TestBackgroundImport(HotelImportCase):
    """A file above the background threshold never runs in the request: it is staged and
    imported batch by batch by a background job, with the result one pass would give."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param("hotel_import.background_rows", 5)
        rows = [
            cls.pms_row("B1", "王伟", "wangwei@example.com", "13800138000"),
            cls.pms_row("B2", "李娜", "lina@example.com", "13900139000"),
            cls.pms_row("B3", "王伟", "wangwei@example.com", "", check_in="2026-04-01",
                        check_out="2026-04-04"),
            cls.pms_row("B4", "张伟", "", "", Birthday="1990-03-07"),
            cls.pms_row("B5", "Bad Date", "bad@example.com", "", check_in="2026-13-45"),
            cls.pms_row("B2", "李娜", "lina@example.com", "13900139000"),  # repeats row 3
            cls.pms_row("B6", "张伟", "", "", Birthday="1990-03-07", check_in="2026-05-01",
                        check_out="2026-05-02"),  # the same new guest, in another batch
            cls.pms_row("B1", "王伟", "wangwei@example.com", "13800138000",
                        amount="999"),  # a booking reference seen in the first batch
            cls.pms_row("B7", "刘洋", "liuyang@example.com", "13700137000"),
            cls.pms_row("B8", "李娜", "", "13900139000", check_in="2026-06-01",
                        check_out="2026-06-03"),
        ]
        cls.data = cls.csv_bytes(PMS_HEADER, rows)

    def batches(self):
        return patch.multiple(wizard_module, ROW_BATCH=3, STAGE_BATCH=4)

    def run_job(self, job, limit=60):
        with self.batches():
            for __ in range(limit):
                if job.state not in ("queued", "running"):
                    return job
                job._run_batch()
        self.fail("the import job did not end")

    def start(self, apply=True, user=None):
        wizard = self.wizard(self.data, user=user or self.guest_relations)
        action = wizard.action_apply() if apply else wizard.action_dry_run()
        self.assertEqual(action["res_model"], "hotel.job")
        return self.env["hotel.job"].browse(action["res_id"]), wizard.log_id

    def outcome(self, log):
        stays = self.env["hotel.stay"].search([("booking_ref", "in", [
            "B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8"])])
        return {
            "counts": {f: log[f] for f in (
                "rows_total", "rows_rejected", "guests_created", "guests_updated",
                "stays_created", "stays_updated", "stays_unchanged")},
            "rejects": sorted((line.row_number, line.reason) for line in log.line_ids),
            "stays": sorted((s.booking_ref, s.partner_id.name, s.amount_room) for s in stays),
            "guests": sorted(stays.partner_id.mapped("name")),
        }

    def one_pass(self, apply=True):
        """The same file imported in one pass (inline), then undone."""
        with self.env.cr.savepoint(flush=False) as savepoint:
            wizard = self.wizard(self.data, user=self.guest_relations)
            wizard.sudo()._run(apply=apply)  # the inline engine itself, whatever the size
            result = self.outcome(wizard.log_id)
            savepoint.rollback()
        self.env.invalidate_all()
        return result

    # ------------------------------------------------------------------
    # The request
    # ------------------------------------------------------------------
    def test_the_request_only_queues_the_import_and_writes_no_guest(self):
        guests_before = self.env["res.partner"].search_count([])
        job, log = self.start()
        self.assertEqual((job.state, job.user_id), ("queued", self.guest_relations))
        self.assertEqual(log.state, "running")
        self.assertEqual(log.job_id, job)
        self.assertEqual(self.env["res.partner"].search_count([]), guests_before)
        # the file is kept for the job, reachable through the log only
        self.assertTrue(log.sudo().file_id.raw)

    def test_a_file_that_cannot_be_imported_is_refused_in_the_request(self):
        header = [h if h != "Guest Name" else "Nom" for h in PMS_HEADER]
        data = self.csv_bytes(header, [self.pms_row(f"X{n}") for n in range(10)])
        jobs = self.env["hotel.job"].search_count([])
        with self.assertRaises(UserError):
            self.wizard(data, user=self.guest_relations).action_apply()
        self.assertEqual(self.env["hotel.job"].search_count([]), jobs)

    def test_front_desk_and_marketing_cannot_import_nor_read_a_kept_file(self):
        for user in (self.front_desk_a, self.marketing):
            with self.assertRaises(AccessError):
                self.wizard(self.data, user=user).action_apply()
        job, log = self.start()
        attachment = log.sudo().file_id
        for user in (self.front_desk_a, self.marketing):
            with self.assertRaises(AccessError):
                attachment.with_user(user).read(["raw", "datas"])
            with self.assertRaises(AccessError):
                self.env["hotel.import.stage"].with_user(user).search([])
        with self.assertRaises(AccessError):
            self.env["hotel.import.stage"].with_user(self.guest_relations).search([])
        # the job is its starter's (and the managers')
        with self.assertRaises(AccessError):
            job.with_user(self.front_desk_a).read(["state"])

    # ------------------------------------------------------------------
    # Batches give what one pass gives
    # ------------------------------------------------------------------
    def test_an_applied_import_in_batches_is_what_one_pass_gives(self):
        expected = self.one_pass(apply=True)
        job, log = self.start()
        self.run_job(job)
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(log.state, "done")
        self.assertEqual(self.outcome(log), expected)
        # one guest for 张伟's two rows in two batches; 王伟's booking B1 not overwritten
        self.assertEqual(expected["guests"].count("张伟"), 1)
        self.assertIn(("B1", "王伟", 1200.0), expected["stays"])
        self.assertEqual(job.done, job.total)
        self.assertEqual(job.result_id, log.id)
        # no copy of the rows is left: staged rows, memory and the file are gone
        self.assertFalse(self.env["hotel.import.stage"].sudo().search([("log_id", "=", log.id)]))
        self.assertFalse(self.env["hotel.import.memory"].sudo().search(
            [("log_id", "=", log.id)]))
        self.assertFalse(log.sudo().file_id)
        self.assertTrue(log.rejects_file)

    def test_a_dry_run_in_batches_counts_what_one_pass_counts_and_then_applies(self):
        expected = self.one_pass(apply=False)
        job, log = self.start(apply=False)
        self.run_job(job)
        self.assertEqual((job.state, log.state), ("done", "dry_run"))
        self.assertEqual(self.outcome(log)["counts"], expected["counts"])
        self.assertEqual(self.outcome(log)["rejects"], expected["rejects"])
        self.assertFalse(self.outcome(log)["stays"])  # a dry run writes nothing
        applied = self.one_pass(apply=True)
        action = log.with_user(self.guest_relations).action_apply_file()
        self.run_job(self.env["hotel.job"].browse(action["res_id"]))
        self.assertEqual(log.state, "done")
        self.assertEqual(self.outcome(log), applied)

    def test_a_batch_cut_off_before_its_commit_is_done_again_without_duplicates(self):
        expected = self.one_pass(apply=True)
        job, log = self.start()
        with self.batches():
            job._run_batch()  # rows 2-5 staged
            job._run_batch()  # rows 6-9 staged
            job._run_batch()  # rows 10-11 staged
            job._run_batch()  # rows 2-4 written
            with self.assertRaises(Interrupted), self.env.cr.savepoint():
                job._run_batch()  # rows 5-7 written, then the worker dies
                raise Interrupted
            self.env.invalidate_all()
        self.run_job(job)
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(self.outcome(log), expected)

    def test_a_cancelled_import_keeps_whole_batches_and_completes_when_imported_again(self):
        expected = self.one_pass(apply=True)
        job, log = self.start()
        with self.batches():
            for __ in range(4):  # three staging batches, then rows 2-4
                job._run_batch()
            job.with_user(self.guest_relations).action_cancel()
            job._run_batch()
        self.assertEqual((job.state, log.state), ("cancelled", "partial"))
        self.assertFalse(self.env["hotel.import.stage"].sudo().search([("log_id", "=", log.id)]))
        done_so_far = self.env["hotel.stay"].search_count([("booking_ref", "in", ["B1", "B2"])])
        self.assertEqual(done_so_far, 2)
        # the same file again: what is there is recognised, the rest is written
        job2, log2 = self.start()
        self.run_job(job2)
        self.assertEqual(self.outcome(log2)["stays"], expected["stays"])
        self.assertEqual(self.outcome(log2)["guests"], expected["guests"])

    def test_a_background_import_fails_with_the_reason_when_its_user_lost_the_right(self):
        job, log = self.start()
        self.guest_relations.groups_id = [
            (3, self.env.ref("hotel_crm.group_hotel_guest_relations").id)]
        self.run_job(job)
        self.assertEqual(job.state, "failed")
        self.assertIn("Guest Relations", job.error)
        # the user no longer reads import logs: the administrator looks
        self.assertEqual(log.with_user(self.env.user).state, "dry_run")

    def test_a_deadlock_with_another_transaction_rejects_no_row_and_the_batch_runs_again(self):
        """Another transaction (a nightly job tagging every guest) holds what a batch needs:
        no row is at fault. The rows are neither rejected one by one nor lost; the batch is
        tried again (before: every row of the batch "refused by the database")."""
        import psycopg2

        expected = self.one_pass(apply=True)
        job, log = self.start()
        Wizard = type(self.env["hotel.import.wizard"])
        original = Wizard._write_plan
        calls = []

        def deadlock_once(wizard, plan, counts, channel_types):
            calls.append(len(plan))
            if len(calls) == 1:
                raise psycopg2.errors.DeadlockDetected("deadlock detected")
            return original(wizard, plan, counts, channel_types)

        with patch.object(Wizard, "_write_plan", deadlock_once):
            self.run_job(job)
        self.assertEqual(job.state, "done")
        self.assertGreater(calls[1], 1, "the batch again, not row by row")
        self.assertEqual(self.outcome(log)["stays"], expected["stays"])
        self.assertEqual(self.outcome(log)["counts"]["rows_rejected"],
                         expected["counts"]["rows_rejected"])
        self.assertFalse(log.line_ids.filtered(lambda line: "database" in (line.reason or "")))

    def test_erasing_a_guest_deletes_the_kept_file_and_staged_rows_holding_them(self):
        """A background import keeps the uploaded file and stages its rows: both are copies
        of the guests' data, reached by the erasure like every other copy."""
        job, log = self.start(apply=False)
        with self.batches():
            job._run_batch()  # the first rows staged
        Stage = self.env["hotel.import.stage"].sudo()
        self.assertTrue(log.sudo().file_id)
        self.assertTrue(Stage.search([("log_id", "=", log.id)]))
        # a guest who is not in the file: nothing of the import is touched
        stranger = self.env["res.partner"].create(
            {"name": "Nobody Here", "is_guest": True, "email": "nobody@example.org"})
        stranger.sudo()._hotel_anonymise("test")
        self.assertTrue(log.sudo().file_id)
        # a guest whose e-mail is in the file
        guest = self.env["res.partner"].create(
            {"name": "王伟", "is_guest": True, "email": "wangwei@example.com"})
        guest.sudo()._hotel_anonymise("test")
        self.assertFalse(log.sudo().file_id)
        self.assertFalse(Stage.search([("log_id", "=", log.id)]))
        self.assertFalse(self.env["ir.attachment"].sudo().search(
            [("res_model", "=", "hotel.import.log"), ("res_id", "=", log.id)]))
        # the import stops and asks for the file again
        self.run_job(job)
        self.assertEqual(job.state, "failed")
        self.assertIn("upload it again", job.error)

    def test_a_gzip_compressed_file_imports_as_the_file_itself(self):
        import gzip

        expected = self.one_pass(apply=True)
        wizard = self.wizard(gzip.compress(self.data), filename="export.csv.gz",
                             user=self.guest_relations)
        action = wizard.action_apply()
        self.assertEqual(action["res_model"], "hotel.job", "counted as a large file")
        job = self.env["hotel.job"].browse(action["res_id"])
        self.run_job(job)
        self.assertEqual(job.state, "done")
        self.assertEqual(self.outcome(wizard.log_id), expected)

    def test_erasure_searches_a_gzip_compressed_kept_file_unpacked(self):
        import gzip

        wizard = self.wizard(gzip.compress(self.data), filename="export.csv.gz",
                             user=self.guest_relations)
        wizard.action_dry_run()
        log = wizard.log_id
        self.assertTrue(log.sudo().file_id)
        stranger = self.env["res.partner"].create(
            {"name": "Nobody Here", "is_guest": True, "email": "nobody@example.org"})
        stranger.sudo()._hotel_anonymise("test")
        self.assertTrue(log.sudo().file_id, "a file without them is kept")
        guest = self.env["res.partner"].create(
            {"name": "刘洋", "is_guest": True, "email": "liuyang@example.com"})
        guest.sudo()._hotel_anonymise("test")
        self.assertFalse(log.sudo().file_id, "their e-mail is in the compressed file")
