from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import HotelImportCase


@tagged("post_install", "-at_install")
class TestMerge(HotelImportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.survivor = cls.make_guest("王伟", email="wangwei@example.com",
                                      birthday=date(1980, 5, 4))
        cls.duplicate = cls.make_guest("Wei Wang", email="m777@m.ctrip.com",
                                       phone="+8613800138000", is_vip=True)
        cls.s1 = cls.make_stay(cls.survivor, "2026-01-05")
        cls.s2 = cls.make_stay(cls.survivor, "2026-02-05")
        cls.d1 = cls.make_stay(cls.duplicate, "2026-03-05", nights=3)
        cls.d2 = cls.make_stay(cls.duplicate, "2026-04-05", company=cls.property_b)
        cls.tag = cls.env["res.partner.category"].create({"name": "Golfer"})
        cls.duplicate.category_id = cls.tag
        cls.duplicate.message_post(body="Asked for a quiet room")

    def merge(self, user=None):
        Journal = self.env["hotel.merge.journal"]
        if user:
            Journal = Journal.with_user(user)
        return Journal._merge(self.duplicate, self.survivor, "same passport")

    def test_merge_moves_every_reference_and_recomputes_the_survivor(self):
        journal = self.merge()
        self.assertEqual((self.d1 | self.d2).partner_id, self.survivor)
        self.assertEqual(self.survivor.stay_count, 4)
        self.assertEqual(self.survivor.night_count, 2 + 2 + 3 + 2)
        self.assertEqual(self.survivor.property_ids, self.property_a | self.property_b)
        self.assertIn(self.tag, self.survivor.category_id)
        self.assertIn("quiet room", " ".join(self.survivor.message_ids.mapped("body")))
        self.assertFalse(self.duplicate.active)
        self.assertEqual(self.duplicate.hotel_merged_into_id, self.survivor)
        # survivorship: empty fields filled, the real address kept over the relay one
        self.assertEqual(self.survivor.phone, "+8613800138000")
        self.assertEqual(self.survivor.email, "wangwei@example.com")
        self.assertTrue(self.survivor.is_vip)
        # the journal keeps the merged profile, who, when and why
        self.assertEqual(journal.merged_values["email"], "m777@m.ctrip.com")
        self.assertEqual(journal.user_id, self.env.user)
        self.assertEqual(journal.reason, "same passport")
        self.assertEqual(sorted(journal.moved_references["fk"]["hotel_stay.partner_id"]["ids"]),
                         sorted((self.d1 | self.d2).ids))
        self.assertTrue(journal.can_unmerge)

    def test_merges_are_in_the_audit_trail_and_the_guest_data_export(self):
        journal = self.merge()
        Log = self.env["hotel.audit.log"]
        merged = Log.search([("partner_id", "=", self.survivor.id), ("action", "=", "merge")])
        self.assertEqual((merged.user_id, merged.note), (
            self.env.user, "#%s → #%s: same passport" % (self.duplicate.id, self.survivor.id)))
        rows = self.survivor._hotel_privacy_data()["Merges"]
        self.assertEqual(rows[0]["Merged Guest"], "Wei Wang")
        journal.action_unmerge()
        self.assertTrue(Log.search([("partner_id", "=", self.duplicate.id),
                                    ("action", "=", "unmerge")]))

    def test_the_journal_shows_id_numbers_only_to_the_sensitive_group(self):
        self.duplicate.write({"id_document_type": "passport", "id_document_number": "E7654321"})
        journal = self.merge()
        as_gr = journal.with_user(self.guest_relations)
        self.assertIn("Wei Wang", as_gr.merged_values_text)
        self.assertNotIn("E7654321", as_gr.merged_values_text)
        with self.assertRaises(AccessError):
            as_gr.read(["merged_values"])
        self.assertIn("E7654321", journal.with_user(self.manager).merged_values_text)
        as_gr.action_unmerge()  # guest relations may still undo it
        self.assertTrue(self.duplicate.active)

    def test_unmerge_puts_every_reference_back(self):
        journal = self.merge()
        journal.action_unmerge()
        self.assertEqual(journal.state, "unmerged")
        self.assertTrue(self.duplicate.active)
        self.assertFalse(self.duplicate.hotel_merged_into_id)
        self.assertEqual((self.d1 | self.d2).partner_id, self.duplicate)
        self.assertEqual((self.s1 | self.s2).partner_id, self.survivor)
        self.assertEqual((self.survivor.stay_count, self.duplicate.stay_count), (2, 2))
        self.assertEqual(self.duplicate.property_ids, self.property_a | self.property_b)
        self.assertEqual(self.survivor.property_ids, self.property_a)
        self.assertIn(self.tag, self.duplicate.category_id)
        self.assertNotIn(self.tag, self.survivor.category_id)
        self.assertIn("quiet room", " ".join(self.duplicate.message_ids.mapped("body")))
        self.assertFalse(self.survivor.phone)
        self.assertFalse(self.survivor.is_vip)
        with self.assertRaises(UserError):
            journal.action_unmerge()

    def test_consent_the_strictest_wins_and_unmerge_restores_it(self):
        with freeze_time("2026-05-01 10:00:00"):
            self.survivor._hotel_set_consent("email", True, "front_desk",
                                             date=datetime(2026, 5, 1, 9))
            self.duplicate._hotel_set_consent("email", False, "guest_request",
                                              date=datetime(2026, 4, 1, 9))
            self.duplicate._hotel_set_consent("sms", True, "booking_engine",
                                              date=datetime(2026, 4, 1, 9))
            journal = self.merge()
            self.assertEqual(self.survivor.email_consent, "withdrawn")
            self.assertEqual(self.survivor.sms_consent, "granted")
            self.assertNotIn(self.survivor, self.env["res.partner"].search(
                self.env["res.partner"]._hotel_mailable_domain("email")))
            journal.action_unmerge()
            self.assertEqual(self.survivor.email_consent, "granted")
            self.assertFalse(self.survivor.sms_consent)
            self.assertEqual(self.duplicate.email_consent, "withdrawn")

    def test_erasing_the_merged_profile_keeps_the_journal_but_not_the_unmerge(self):
        journal = self.merge()
        self.duplicate.unlink()
        self.assertTrue(journal.exists())
        self.assertFalse(journal.merged_partner_id)
        self.assertEqual(journal.merged_name, "Wei Wang")
        self.assertFalse(journal.can_unmerge)
        with self.assertRaisesRegex(UserError, "erased"):
            journal.action_unmerge()

    def test_unmerge_only_within_the_configured_period(self):
        self.env["ir.config_parameter"].set_param("hotel_import.unmerge_days", 7)
        with freeze_time("2026-06-01"):
            journal = self.merge()
        self.assertEqual(str(journal.unmerge_deadline), "2026-06-08")
        with freeze_time("2026-06-09"):
            journal.invalidate_recordset(["can_unmerge"])
            self.assertFalse(journal.can_unmerge)
            with self.assertRaisesRegex(UserError, "ended on"):
                journal.action_unmerge()

    def test_roles_guest_relations_merge_front_desk_and_marketing_cannot(self):
        for user in (self.front_desk_a, self.marketing):
            with self.assertRaises(AccessError):
                self.merge(user=user)
        journal = self.merge(user=self.guest_relations)
        self.assertEqual(journal.user_id, self.guest_relations)
        with self.assertRaises(AccessError):
            journal.with_user(self.front_desk_a).action_unmerge()
        journal.with_user(self.guest_relations).action_unmerge()
        self.assertEqual(journal.state, "unmerged")

    def test_merge_refuses_bad_requests(self):
        Journal = self.env["hotel.merge.journal"]
        with self.assertRaisesRegex(UserError, "itself"):
            Journal._merge(self.survivor, self.survivor, "x")
        with self.assertRaisesRegex(UserError, "reason"):
            Journal._merge(self.duplicate, self.survivor, "  ")
        company = self.env["res.partner"].create({"name": "ACME", "is_company": True})
        with self.assertRaisesRegex(UserError, "company"):
            Journal._merge(company, self.survivor, "x")
        self.merge()
        with self.assertRaisesRegex(UserError, "archived or already merged"):
            Journal._merge(self.duplicate, self.survivor, "again")

    # With hotel_loyalty installed: the survivor's tier and balance follow the merge.
    def _loyalty(self):
        if "hotel.loyalty.member" not in self.env:
            self.skipTest("hotel_loyalty is not installed")
        return self.env["hotel.loyalty.member"]

    def test_merge_moves_the_membership_and_upgrades_the_survivor(self):
        Member = self._loyalty()
        member = Member.create({"partner_id": self.duplicate.id,
                                "company_id": self.property_a.id})
        classic = member.tier_id
        self.merge()
        self.assertEqual(member.partner_id, self.survivor)
        self.assertEqual(self.survivor.loyalty_member_id, member)
        # 2,400 + 3,000 CNY in 12 months reaches Silver (5,000)
        self.assertNotEqual(member.tier_id, classic)
        self.assertEqual(member.window_stays, 4)

    def test_merge_of_two_members_is_refused(self):
        Member = self._loyalty()
        Member.create([{"partner_id": p.id, "company_id": self.property_a.id}
                       for p in (self.survivor, self.duplicate)])
        with self.assertRaisesRegex(UserError, "only once per guest"):
            self.merge()
        self.assertTrue(self.duplicate.active)
        self.assertEqual(self.d1.partner_id, self.duplicate)

    def test_erasing_a_guest_blanks_what_the_merge_journal_kept(self):
        if not hasattr(self.survivor, "_hotel_anonymise"):
            self.skipTest("no privacy erasure")
        journal = self.merge()
        self.survivor._hotel_anonymise("guest request")
        self.assertFalse(journal.merged_values)
        self.assertNotIn("Wei Wang", journal.merged_name)
