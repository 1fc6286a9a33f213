from contextlib import closing
from datetime import date
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from ..models import hotel_duplicate_candidate as candidate_module
from .common import HotelImportCase


@tagged("post_install", "-at_install")
class TestDuplicateScanJob(HotelImportCase):
    """The duplicate scan started from the review queue runs as a background job: who may
    start it and when first, then what it finds and merges."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Candidate = cls.env["hotel.duplicate.candidate"]
        # earlier data (demo) must not change what these tests see
        Candidate.search([]).unlink()
        # the same guest twice: name, birthday and phone (written another way): certain
        cls.chen = cls.make_guest("陈晓明", email="chenxm@example.com", phone="+8613911112222",
                                  birthday=date(1985, 2, 3))
        cls.chen_again = cls.make_guest("陈晓明", phone="139 1111 2222",
                                        birthday=date(1985, 2, 3))
        # the same name and e-mail: probable, for a person to review
        cls.anna = cls.make_guest("Anna Keller", email="anna.keller@example.com")
        cls.anna_again = cls.make_guest("Anna Keller", email="Anna.Keller@example.com")

    def start(self, user):
        action = self.env["hotel.duplicate.candidate"].with_user(user).action_scan_duplicates()
        self.assertEqual(action["res_model"], "hotel.job")
        return self.env["hotel.job"].browse(action["res_id"])

    def run_all(self, job, limit=20):
        for __ in range(limit):
            if job.state not in ("queued", "running"):
                return job
            job._run_batch()
        self.fail("the scan did not end")

    def pairs(self, domain=()):
        # sudo: the test compares every pair of the queue, whoever may see them
        candidates = self.env["hotel.duplicate.candidate"].sudo().search(list(domain))
        return {(c.partner_a_id.id, c.partner_b_id.id): c.score for c in candidates}

    def pair(self, a, b):
        return min(a.id, b.id), max(a.id, b.id)

    # ------------------------------------------------------------------
    # Hostile paths
    # ------------------------------------------------------------------
    def test_a_front_desk_user_cannot_start_a_scan(self):
        before = self.env["hotel.job"].search_count([])
        for user in (self.front_desk_a, self.marketing):
            with self.assertRaisesRegex(AccessError, "scan for duplicate guests"):
                self.env["hotel.duplicate.candidate"].with_user(user).action_scan_duplicates()
        self.assertEqual(self.env["hotel.job"].search_count([]), before)
        # nor does the list show them the button
        Candidate = self.env["hotel.duplicate.candidate"]
        for user, shown in ((self.front_desk_a, False), (self.guest_relations, True),
                            (self.manager, True)):
            arch = Candidate.with_user(user).get_views([(False, "list")])["views"]["list"]["arch"]
            self.assertEqual("action_scan_duplicates" in arch, shown, user.login)

    def test_a_second_scan_is_refused_while_one_is_queued_or_running(self):
        job = self.start(self.manager)
        self.assertEqual((job.state, job.stage), ("queued", "Finding possible duplicates"))
        # another user, who cannot even read the first job, is refused too
        with self.assertRaisesRegex(UserError, "Scan for duplicate guests.*still queued"):
            self.start(self.guest_relations)
        job._run_batch()
        self.assertEqual(job.state, "running")
        with self.assertRaisesRegex(UserError, "Scan for duplicate guests"):
            self.start(self.manager)
        self.assertEqual(self.env["hotel.job"].search_count(
            [("method", "=", "_hotel_job_scan_duplicates")]), 1)
        # once it has ended, a new scan may start
        self.run_all(job)
        self.assertEqual(self.start(self.guest_relations).state, "queued")

    # ------------------------------------------------------------------
    # What the scan does
    # ------------------------------------------------------------------
    def test_the_scan_finds_the_pairs_detection_finds(self):
        Candidate = self.env["hotel.duplicate.candidate"]
        with closing(self.env.cr.savepoint()):
            Candidate._detect()
            expected = self.pairs()
        self.env.invalidate_all()
        self.assertFalse(self.pairs())
        self.assertIn(self.pair(self.chen, self.chen_again), expected)
        self.assertIn(self.pair(self.anna, self.anna_again), expected)
        job = self.start(self.guest_relations)
        job._run_batch()  # the detection, before any merge
        self.assertEqual(self.pairs(), expected)
        self.assertEqual(job.sudo().payload["found"], len(expected))
        self.assertEqual(job.stage, "Merging certain duplicates")
        # progress: the detection, then each certain pair its user may merge (both guests
        # visible at the properties the scan was started in)
        certain = Candidate.with_user(self.guest_relations).with_context(
            allowed_company_ids=job.company_ids.ids).search_count(Candidate._auto_merge_domain())
        self.assertGreaterEqual(certain, 1)
        self.assertEqual((job.done, job.total), (1, 1 + certain))

    def test_the_scan_merges_certain_pairs_and_ends_done_with_its_counts(self):
        job = self.start(self.guest_relations)
        self.run_all(job)
        self.assertEqual(job.state, "done")
        self.assertEqual(job.user_id, self.guest_relations)
        # the certain pair is merged, as the nightly job would
        chen = self.chen | self.chen_again
        merged = chen.filtered(lambda p: not p.active)
        self.assertEqual(len(merged), 1)
        self.assertEqual(merged.hotel_merged_into_id, chen - merged)
        journal = self.env["hotel.merge.journal"].search(
            [("merged_partner_id", "=", merged.id)])
        self.assertEqual((journal.origin, journal.create_uid), ("automatic",
                                                                 self.guest_relations))
        cand = self.env["hotel.duplicate.candidate"].search(
            [("partner_a_id", "=", min(chen.ids)), ("partner_b_id", "=", max(chen.ids))])
        self.assertEqual(cand.state, "merged")
        # the probable pair waits for a person
        anna = self.env["hotel.duplicate.candidate"].search(
            [("partner_a_id", "=", min(self.anna.id, self.anna_again.id))])
        self.assertEqual(anna.state, "review")
        self.assertTrue(self.anna.active and self.anna_again.active)
        payload = job.sudo().payload
        self.assertGreaterEqual(payload["merged"], 1)
        self.assertEqual(job.done, 1 + payload["merged"])
        self.assertEqual((job.total, job.progress), (job.done, 100.0))
        self.assertEqual(job.stage, (
            f"Found {payload['found']} possible duplicate pairs, merged {payload['merged']} "
            "certain duplicates; the others wait in Possible Duplicates."))
        self.assertIn(self.guest_relations.partner_id, job.message_ids[:1].partner_ids)

    def test_the_merges_run_in_batches_until_one_merges_nothing(self):
        # a second certain pair: two merge batches of one pair, then one that merges nothing
        li = self.make_guest("李小龙", phone="+8613722223333", birthday=date(1979, 8, 9))
        li_again = self.make_guest("李小龙", phone="13722223333", birthday=date(1979, 8, 9))
        job = self.start(self.manager)
        with patch.object(candidate_module, "AUTO_MERGE_BATCH", 1):
            job._run_batch()
            total = job.total
            self.assertGreaterEqual(total, 3)
            job._run_batch()
            self.assertEqual((job.state, job.done, job.total), ("running", 2, total))
            self.assertEqual(job.sudo().payload["merged"], 1)
            self.run_all(job)
        self.assertEqual((job.state, job.done), ("done", total))
        self.assertEqual(job.sudo().payload["merged"], total - 1)
        self.assertFalse(self.chen.active and self.chen_again.active)
        self.assertFalse(li.active and li_again.active)

    def test_a_scan_whose_user_lost_the_right_fails_with_the_reason(self):
        job = self.start(self.guest_relations)
        self.guest_relations.groups_id = [
            (3, self.env.ref("hotel_crm.group_hotel_guest_relations").id)]
        job._run_batch()
        self.assertEqual(job.state, "failed")
        self.assertIn("Guest Relations", job.error)
        self.assertFalse(self.pairs())
