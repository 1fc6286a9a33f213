from datetime import date

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import HotelImportCase


@tagged("post_install", "-at_install")
class TestEveryMergeIsReversible(HotelImportCase):
    """G9: whichever way two guests were merged (review queue, nightly job, Odoo's own
    contact merge, the journal), the merge is journaled and can be undone, and the merged
    guest gets its whole history back."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["hotel.duplicate.candidate"].search([]).unlink()
        # the same person twice: same name, birthday and phone (a certain pair)
        cls.survivor = cls.make_guest("王伟明", email="wwm@example.com", phone="+8613800138000",
                                      birthday=date(1980, 5, 4))
        cls.duplicate = cls.make_guest("Weiming Wang", phone="138 0013 8000",
                                       birthday=date(1980, 5, 4))
        cls.s1 = cls.make_stay(cls.survivor, "2026-01-05")
        cls.s2 = cls.make_stay(cls.survivor, "2026-02-05")
        cls.d1 = cls.make_stay(cls.duplicate, "2026-03-05", company=cls.property_b)
        cls.duplicate.message_post(body="Allergic to feathers")
        cls.ticket = cls.env["hotel.feedback"]
        if "hotel.feedback" in cls.env:
            cls.ticket = cls.env["hotel.feedback"].create({
                "partner_id": cls.duplicate.id, "company_id": cls.property_b.id,
                "name": "Noisy room",
            })
        cls.member = None
        if "hotel.loyalty.member" in cls.env:
            cls.member = cls.env["hotel.loyalty.member"].create(
                {"partner_id": cls.duplicate.id, "company_id": cls.property_b.id})
        cls.contacts_gr = new_test_user(
            cls.env, login="gr_contacts",
            groups="base.group_user,base.group_partner_manager,"
                   "hotel_crm.group_hotel_guest_relations",
            company_id=cls.property_a.id,
            company_ids=[(6, 0, (cls.property_a | cls.property_b).ids)],
        )
        cls.contacts_fd = new_test_user(
            cls.env, login="fd_contacts",
            groups="base.group_user,base.group_partner_manager,"
                   "hotel_crm.group_hotel_front_desk",
            company_id=cls.property_a.id,
            company_ids=[(6, 0, (cls.property_a | cls.property_b).ids)],
        )

    def ledger(self):
        if "hotel.loyalty.ledger" not in self.env:
            return self.env["res.partner"]
        return self.env["hotel.loyalty.ledger"].search(
            [("partner_id", "in", (self.survivor | self.duplicate).ids)])

    def assert_merged(self, journal, origin):
        self.assertEqual(journal.origin, origin)
        self.assertFalse(self.duplicate.active)
        self.assertEqual(self.d1.partner_id, self.survivor)
        self.assertTrue(journal.reversible, journal.moved_summary)
        self.assertTrue(journal.can_unmerge)

    def assert_history_back(self, journal, ledger_before):
        journal.with_user(self.guest_relations).action_unmerge()
        self.assertEqual(journal.state, "unmerged")
        self.assertTrue(self.duplicate.active)
        self.assertFalse(self.duplicate.hotel_merged_into_id)
        self.assertEqual(self.d1.partner_id, self.duplicate)
        self.assertEqual((self.s1 | self.s2).partner_id, self.survivor)
        self.assertEqual((self.survivor.stay_count, self.duplicate.stay_count), (2, 1))
        self.assertIn("feathers", " ".join(self.duplicate.message_ids.mapped("body")))
        if self.ticket:
            self.assertEqual(self.ticket.partner_id, self.duplicate)
        if self.member:
            self.assertEqual(self.member.partner_id, self.duplicate)
        self.assertEqual({(line.id, line.partner_id.id) for line in self.ledger()},
                         ledger_before)
        # undone means "not the same guest": the nightly job does not merge them again
        pair = self.env["hotel.duplicate.candidate"].search(
            [("partner_a_id", "=", self.survivor.id), ("partner_b_id", "=", self.duplicate.id)])
        self.assertEqual(pair.state, "rejected")
        self.env["hotel.duplicate.candidate"]._cron_detect_and_merge()
        self.assertTrue(self.duplicate.active)

    def test_a_merge_from_the_review_queue_can_be_undone(self):
        ledger_before = {(line.id, line.partner_id.id) for line in self.ledger()}
        cand = self.env["hotel.duplicate.candidate"].create(
            {"partner_a_id": self.survivor.id, "partner_b_id": self.duplicate.id})
        cand.with_user(self.guest_relations).action_merge()
        self.assertEqual(cand.state, "merged")
        self.assert_merged(cand.journal_id, "review")
        self.assert_history_back(cand.journal_id, ledger_before)

    def test_a_nightly_automatic_merge_can_be_undone(self):
        ledger_before = {(line.id, line.partner_id.id) for line in self.ledger()}
        __, merged = self.env["hotel.duplicate.candidate"]._cron_detect_and_merge()
        self.assertGreaterEqual(merged, 1)
        journal = self.env["hotel.merge.journal"].search(
            [("merged_partner_id", "=", self.duplicate.id)])
        self.assert_merged(journal, "automatic")
        self.assert_history_back(journal, ledger_before)

    def test_odoos_own_contact_merge_of_guests_is_journaled_and_can_be_undone(self):
        ledger_before = {(line.id, line.partner_id.id) for line in self.ledger()}
        # a forged journal context key changes nothing: the merge journals what it moved
        wizard = self.env["base.partner.merge.automatic.wizard"].with_user(
            self.contacts_gr).with_context(hotel_merge_journal={"fk": {}}).create({
                "partner_ids": [(6, 0, (self.survivor | self.duplicate).ids)],
                "dst_partner_id": self.survivor.id,
            })
        wizard.action_merge()
        self.assertTrue(self.duplicate.exists(), "Odoo's merge deleted the guest")
        journal = self.env["hotel.merge.journal"].search(
            [("merged_partner_id", "=", self.duplicate.id)])
        self.assert_merged(journal, "contacts")
        self.assertIn(self.d1.id, journal.moved_references["fk"]["hotel_stay.partner_id"]["ids"])
        self.assert_history_back(journal, ledger_before)

    def test_a_contact_manager_without_merge_rights_cannot_merge_guests(self):
        self.duplicate.email = self.survivor.email  # Odoo's own merge asks for one e-mail
        wizard = self.env["base.partner.merge.automatic.wizard"].with_user(
            self.contacts_fd).create({
                "partner_ids": [(6, 0, (self.survivor | self.duplicate).ids)],
                "dst_partner_id": self.survivor.id,
            })
        with self.assertRaises(AccessError):
            wizard.action_merge()
        self.assertTrue(self.duplicate.active)

    def test_a_later_merge_does_not_rewrite_an_earlier_journal(self):
        # an earlier merge of a third profile into the duplicate, then the duplicate merged
        # into the survivor: the first journal still names its own two guests
        third = self.make_guest("W. Wang", email="third@example.com")
        Journal = self.env["hotel.merge.journal"].with_user(self.guest_relations)
        first = Journal._merge(third, self.duplicate, "same card")
        second = Journal._merge(self.duplicate, self.survivor, "same passport")
        self.assertEqual((first.survivor_id, first.merged_partner_id), (self.duplicate, third))
        self.assertTrue(second.reversible)
        second.action_unmerge()
        first.action_unmerge()
        self.assertTrue(third.active)
