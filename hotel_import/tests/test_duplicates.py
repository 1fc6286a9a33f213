from datetime import date
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from ..models import hotel_duplicate_candidate as candidate_module
from .common import HotelImportCase


@tagged("post_install", "-at_install")
class TestDuplicates(HotelImportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Candidate = cls.env["hotel.duplicate.candidate"]
        # earlier data (demo) must not change what these tests see
        Candidate.search([]).unlink()
        cls.wang = cls.make_guest("王伟明", email="wwm@example.com", phone="+8613800138000",
                                  birthday=date(1980, 5, 4))
        # pinyin name, phone written another way, same birthday: certain
        cls.wang_pinyin = cls.make_guest("Weiming Wang", phone="138 0013 8000",
                                         birthday=date(1980, 5, 4))
        # OTA relay address, same name and phone: probable
        cls.wang_relay = cls.make_guest("王伟明", email="m5550001@m.ctrip.com",
                                        phone="13800138000")
        # typo in a Latin name, same e-mail and phone
        cls.john = cls.make_guest("John Smith", email="john.smith@example.com",
                                  phone="+447400123456")
        cls.jonh = cls.make_guest("Jonh Smith", email="John.Smith@example.com",
                                  phone="+44 7400 123456")
        # two different guests who booked through the same OTA relay domain
        cls.other1 = cls.make_guest("李娜", email="m1@m.ctrip.com")
        cls.other2 = cls.make_guest("赵敏", email="m1@m.ctrip.com")
        # namesakes with different birthdays and phones
        cls.li1 = cls.make_guest("李强", phone="13900000001", birthday=date(1970, 1, 1))
        cls.li2 = cls.make_guest("李强", phone="13900000002", birthday=date(1990, 1, 1))

    def candidates(self):
        self.env["hotel.duplicate.candidate"]._detect()
        result = {}
        for cand in self.env["hotel.duplicate.candidate"].search([]):
            result[frozenset((cand.partner_a_id.id, cand.partner_b_id.id))] = cand
        return result

    def pair(self, a, b):
        return frozenset((a.id, b.id))

    def test_detection_finds_the_typical_variations_and_scores_them(self):
        found = self.candidates()
        certain = found[self.pair(self.wang, self.wang_pinyin)]
        self.assertGreaterEqual(certain.score, 0.95)
        self.assertIn("name_birthday", certain.reasons)
        relay = found[self.pair(self.wang, self.wang_relay)]
        self.assertLess(relay.score, 0.95)
        self.assertGreaterEqual(relay.score, 0.6)
        self.assertNotIn("email", relay.reasons.split(", "))
        typo = found[self.pair(self.john, self.jonh)]
        self.assertIn("email", typo.reasons)
        self.assertIn("name_close", typo.reasons)
        self.assertGreaterEqual(typo.score, 0.6)

    def test_relay_addresses_and_namesakes_are_not_duplicates(self):
        found = self.candidates()
        self.assertNotIn(self.pair(self.other1, self.other2), found)
        self.assertNotIn(self.pair(self.li1, self.li2), found)

    def test_do_not_merge_is_remembered(self):
        found = self.candidates()
        cand = found[self.pair(self.wang, self.wang_relay)]
        cand.with_user(self.guest_relations).action_reject()
        self.assertEqual(cand.state, "rejected")
        self.env["hotel.duplicate.candidate"]._detect()
        self.assertEqual(cand.state, "rejected")
        self.assertEqual(self.env["hotel.duplicate.candidate"].search_count(
            [("partner_a_id", "=", cand.partner_a_id.id),
             ("partner_b_id", "=", cand.partner_b_id.id)]), 1)

    def test_nightly_job_merges_certain_pairs_and_queues_the_rest(self):
        found, merged = self.env["hotel.duplicate.candidate"]._cron_detect_and_merge()
        self.assertGreaterEqual(found, 3)
        self.assertGreaterEqual(merged, 1)  # (demo data may hold a certain pair too)
        self.assertFalse(self.wang_pinyin.active)
        self.assertEqual(self.wang_pinyin.hotel_merged_into_id, self.wang)
        journal = self.env["hotel.merge.journal"].search([("merged_partner_id", "=",
                                                           self.wang_pinyin.id)])
        self.assertEqual(journal.origin, "automatic")
        queue = self.env["hotel.duplicate.candidate"].search([("state", "=", "review")])
        self.assertIn(self.john, queue.partner_a_id | queue.partner_b_id)

    def test_thresholds_set_in_settings_decide_what_the_nightly_job_merges(self):
        settings = self.env["res.config.settings"].create({})
        self.assertEqual((settings.hotel_review_threshold, settings.hotel_auto_merge_threshold,
                          settings.hotel_unmerge_days), (0.6, 0.95, 30))
        # merge only after review: nothing is certain enough for the nightly job
        self.env["res.config.settings"].create({"hotel_auto_merge_threshold": 1.0}).execute()
        found, merged = self.env["hotel.duplicate.candidate"]._cron_detect_and_merge()
        self.assertGreaterEqual(found, 3)
        self.assertEqual(merged, 0)
        self.assertTrue(self.wang_pinyin.active)
        for values in ({"hotel_review_threshold": 0.97, "hotel_auto_merge_threshold": 0.95},
                       {"hotel_auto_merge_threshold": 1.5},
                       {"hotel_review_threshold": 0.0}, {"hotel_unmerge_days": -1}):
            with self.assertRaises(ValidationError):
                self.env["res.config.settings"].create(values)
        self.env["res.config.settings"].create({"hotel_unmerge_days": 7}).execute()
        self.assertEqual(self.env["hotel.merge.journal"]._unmerge_days(), 7)

    def test_front_desk_flags_a_duplicate_but_cannot_merge(self):
        Candidate = self.env["hotel.duplicate.candidate"].with_user(self.front_desk_a)
        cand = Candidate.create({"partner_a_id": self.li2.id, "partner_b_id": self.li1.id,
                                 "origin": "front_desk"})
        self.assertEqual(cand.partner_a_id, self.li1)
        self.assertEqual(cand.state, "review")
        self.assertIn("flagged by", cand.reasons)
        with self.assertRaises(AccessError):
            cand.action_merge()
        with self.assertRaises(AccessError):
            cand.action_reject()
        with self.assertRaises(UserError):
            Candidate.create({"partner_a_id": self.li1.id, "partner_b_id": self.li1.id})
        self.assertEqual(self.li1.hotel_duplicate_candidate_count, 1)

    def test_pairs_of_some_guests_are_the_same_by_lookup_and_by_full_pass(self):
        Candidate = self.env["hotel.duplicate.candidate"]
        self.env.flush_all()
        ids = (self.wang | self.john).ids

        def pairs():
            self.env.cr.execute(Candidate._candidate_pairs_sql(0.0, ids))
            return sorted(self.env.cr.fetchall())

        by_lookup = pairs()
        with patch.object(candidate_module, "FOCUS_LOOKUP_LIMIT", 0):
            by_full_pass = pairs()
        self.assertEqual(by_lookup, by_full_pass)
        self.assertTrue(by_lookup)
        self.assertTrue(all({a, b} & set(ids) for a, b, __, __ in by_lookup))
