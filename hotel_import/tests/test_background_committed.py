import base64
import threading
from unittest.mock import patch

from odoo import SUPERUSER_ID, api, sql_db
from odoo.api import Transaction
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, tagged

from ..wizard import hotel_import_wizard as wizard_module
from .common import PMS_HEADER, HotelImportCase


class WorkerKilled(BaseException):
    """The worker dies in the middle of a batch (its time or memory limit): not an error
    the job could catch, the transaction is simply never committed."""


@tagged("post_install", "-at_install")
class TestBackgroundImportCommitted(BaseCase):
    """The runner as a cron worker runs it: every batch commits, a worker killed in a batch
    loses that batch only, and the next run resumes and ends with every row imported once.
    The data is committed (and removed in ``tearDown``)."""

    REFS = [f"KILL{n}" for n in range(12)]

    def setUp(self):
        super().setUp()
        from odoo.tests.common import get_db_name

        self.db = sql_db.db_connect(get_db_name())
        self.registry = Registry(get_db_name())
        with self.db.cursor() as cr:
            env = self.env_of(cr)
            company = env.ref("base.main_company").name
            rows = [HotelImportCase.pms_row(ref, f"断点 Guest {n}", f"kill{n}@example.com", "",
                                            prop=company)
                    for n, ref in enumerate(self.REFS)]
            data = HotelImportCase.csv_bytes(PMS_HEADER, rows)
            env["ir.config_parameter"].set_param("hotel_import.background_rows", 5)
            wizard = env["hotel.import.wizard"].create({
                "file": base64.b64encode(data), "filename": "kill.csv",
                "preset_id": env.ref("hotel_import.preset_pms").id,
                "company_id": env.ref("base.main_company").id,
            })
            action = wizard.action_apply()
            self.job_id = action["res_id"]
            self.log_id = wizard.log_id.id
            cr.commit()  # pylint: disable=invalid-commit

    def tearDown(self):
        with self.db.cursor() as cr:
            cr.execute("DELETE FROM hotel_stay WHERE booking_ref = ANY(%s)", [self.REFS])
            cr.execute("DELETE FROM hotel_duplicate_candidate WHERE partner_a_id IN (SELECT id "
                       "FROM res_partner WHERE email LIKE 'kill%%@example.com') OR partner_b_id "
                       "IN (SELECT id FROM res_partner WHERE email LIKE 'kill%%@example.com')")
            cr.execute("DELETE FROM res_partner WHERE email LIKE 'kill%%@example.com'")
            cr.execute("DELETE FROM hotel_import_log WHERE id = %s", [self.log_id])
            cr.execute("DELETE FROM ir_attachment WHERE res_model = 'hotel.import.log' "
                       "AND res_id = %s", [self.log_id])
            cr.execute("DELETE FROM mail_message WHERE model = 'hotel.job' AND res_id = %s",
                       [self.job_id])
            cr.execute("DELETE FROM mail_followers WHERE res_model = 'hotel.job' "
                       "AND res_id = %s", [self.job_id])
            cr.execute("DELETE FROM hotel_job WHERE id = %s", [self.job_id])
            cr.execute("DELETE FROM ir_config_parameter WHERE key = "
                       "'hotel_import.background_rows'")
            cr.commit()  # pylint: disable=invalid-commit
        super().tearDown()

    def env_of(self, cr):
        # Odoo's own runner holds the registries' lock: the registry is handed over
        cr.transaction = Transaction(self.registry)
        return api.Environment(cr, SUPERUSER_ID, {})

    def job_state(self):
        with self.db.cursor() as cr:
            cr.execute("SELECT state, done, total, attempts, error FROM hotel_job "
                       "WHERE id = %s", [self.job_id])
            return cr.fetchone()

    def run_runner(self):
        """One call of the cron's method, in a cursor of its own (as a cron worker)."""
        with self.db.cursor() as cr:
            self.env_of(cr)["hotel.job"]._cron_run_jobs()

    def test_a_worker_killed_in_a_batch_loses_that_batch_only_and_the_job_resumes(self):
        original = wizard_module.HotelImportWizard._process_rows
        calls = []

        def process_then_die(wizard, *args, **kwargs):
            result = original(wizard, *args, **kwargs)
            calls.append(1)
            if len(calls) == 2:  # the second batch of rows is written, then the kill
                raise WorkerKilled
            return result

        with patch.multiple(wizard_module, ROW_BATCH=4, STAGE_BATCH=5):
            with patch.object(wizard_module.HotelImportWizard, "_process_rows",
                              process_then_die):
                for __ in range(4):  # stage (3 batches), rows 2-5
                    self.run_runner()
                self.assertEqual(self.job_state()[:2], ("running", 4))
                with self.assertRaises(WorkerKilled):
                    self.run_runner()
            state, done, __, attempts, __ = self.job_state()
            # what the killed batch wrote was never committed; its attempt was
            self.assertEqual((state, done, attempts), ("running", 4, 1))
            # another runner is not kept out by the dead one
            for __ in range(10):
                if self.job_state()[0] != "running":
                    break
                self.run_runner()
        state, done, total, attempts, error = self.job_state()
        self.assertEqual((state, done, total, attempts), ("done", 12, 12, 0), error)
        with self.db.cursor() as cr:
            cr.execute("SELECT booking_ref, COUNT(*) FROM hotel_stay WHERE booking_ref = ANY(%s) "
                       "GROUP BY booking_ref", [self.REFS])
            self.assertEqual(dict(cr.fetchall()), dict.fromkeys(self.REFS, 1))
            cr.execute("SELECT COUNT(*) FROM res_partner WHERE email LIKE 'kill%%@example.com'")
            self.assertEqual(cr.fetchone()[0], 12)
            cr.execute("SELECT state, stays_created, guests_created FROM hotel_import_log "
                       "WHERE id = %s", [self.log_id])
            self.assertEqual(cr.fetchone(), ("done", 12, 12))

    def test_two_runners_never_work_the_same_job_at_once(self):
        """While one runner holds the job (in a batch), another finds nothing to do."""
        inside, release = threading.Event(), threading.Event()
        original = wizard_module.HotelImportWizard._background_batch

        def slow_batch(wizard, log, job):
            inside.set()
            release.wait(30)
            return original(wizard, log, job)

        def first_runner():
            with patch.object(wizard_module.HotelImportWizard, "_background_batch",
                              slow_batch):
                self.run_runner()

        thread = threading.Thread(target=first_runner)
        thread.start()
        try:
            self.assertTrue(inside.wait(30))
            with self.db.cursor() as cr:
                env = self.env_of(cr)
                self.assertFalse(env["hotel.job"]._claim().filtered(
                    lambda j: j.id == self.job_id))
                cr.execute("SELECT pg_advisory_unlock_all()")
        finally:
            release.set()
            thread.join(30)
        self.assertEqual(self.job_state()[1], 0)  # the first batch (staging) is done
        self.assertEqual(self.job_state()[0], "running")
