import base64
from unittest.mock import patch

from odoo.tests import HttpCase, new_test_user, tagged

from ..wizard import hotel_import_wizard as wizard_module
from .common import PMS_HEADER, HotelImportCase


@tagged("post_install", "-at_install")
class TestImportTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        company.hotel_import_aliases = "TOUR"
        new_test_user(
            cls.env, login="tour_guest_relations", password="tour_guest_relations",
            groups="base.group_user,hotel_crm.group_hotel_guest_relations",
            company_id=company.id, company_ids=[(6, 0, company.ids)],
        )
        cls.env["hotel.duplicate.candidate"].search([]).unlink()
        cls.nana = cls.env["res.partner"].create(
            {"name": "欧阳娜娜", "is_guest": True, "phone": "+8613511112222",
             "birthday": "1990-02-03"})
        cls.env["res.partner"].create(
            {"name": "Nana Ouyang", "is_guest": True, "phone": "135 1111 2222",
             "birthday": "1990-02-03", "email": "nana.ouyang@example.com"})
        cls.env["hotel.duplicate.candidate"]._detect()
        cls.env["ir.config_parameter"].set_param("hotel_import.auto_merge_threshold", 1.1)

    def test_guest_relations_imports_a_ctrip_export_and_merges_a_duplicate(self):
        self.start_tour("/odoo/action-hotel_import.hotel_import_wizard_action",
                        "hotel_import_tour", login="tour_guest_relations")
        stay = self.env["hotel.stay"].search([("booking_ref", "=", "CTTOUR0001")])
        self.assertTrue(stay)
        journal = self.env["hotel.merge.journal"].search([("reason", "like", "Duplicate review")])
        self.assertEqual(len(journal), 1)
        self.assertEqual(journal.survivor_id, stay.partner_id)
        self.assertEqual(journal.survivor_id, self.nana)
        self.assertEqual(journal.survivor_id.email, "nana.ouyang@example.com")


@tagged("post_install", "-at_install")
class TestBackgroundImportTour(HttpCase):
    """The web client as guest relations use it: a large file returns at once with its job,
    whose form shows the stage, the rows and the progress, and cancels."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        company.hotel_import_aliases = "TOUR"
        cls.user = new_test_user(
            cls.env, login="tour_background", password="tour_background",
            groups="base.group_user,hotel_crm.group_hotel_guest_relations",
            company_id=company.id, company_ids=[(6, 0, company.ids)],
        )
        cls.env["ir.config_parameter"].set_param("hotel_import.background_rows", 2)

    def test_a_large_file_returns_at_once_with_its_job_which_then_runs(self):
        self.start_tour("/odoo/action-hotel_import.hotel_import_wizard_action",
                        "hotel_import_background_tour", login="tour_background")
        job = self.env["hotel.job"].search([("name", "like", "ctrip_large.csv")])
        self.assertEqual((len(job), job.state, job.user_id), (1, "queued", self.user))
        for __ in range(10):
            if job.state != "queued" and job.state != "running":
                break
            job._run_batch()
        log = self.env["hotel.import.log"].browse(job.res_id)
        self.assertEqual((job.state, log.state, log.stays_created), ("done", "dry_run", 3))

    def test_the_job_form_shows_its_progress_and_cancels(self):
        rows = [HotelImportCase.pms_row(f"PROG{n}", f"进度 Guest {n}", f"prog{n}@example.com",
                                        "", prop="TOUR") for n in range(12)]
        wizard = self.env["hotel.import.wizard"].with_user(self.user).create({
            "file": base64.b64encode(HotelImportCase.csv_bytes(PMS_HEADER, rows)),
            "filename": "progress.csv",
            "preset_id": self.env.ref("hotel_import.preset_pms").id,
            "company_id": self.env.company.id,
        })
        job = self.env["hotel.job"].browse(wizard.action_apply()["res_id"])
        with patch.multiple(wizard_module, ROW_BATCH=4, STAGE_BATCH=5):
            for __ in range(4):  # three staging batches, then rows 2-5
                job._run_batch()
        self.assertEqual((job.done, job.total), (4, 12))
        self.start_tour(f"/odoo/action-hotel_crm.hotel_job_action/{job.id}",
                        "hotel_job_progress_tour", login="tour_background")
        self.assertTrue(job.cancel_requested)
        job._run_batch()
        self.assertEqual(job.state, "cancelled")
        self.assertEqual(self.env["hotel.import.log"].browse(job.res_id).state, "partial")
