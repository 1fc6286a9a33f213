from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestLedger(LoyaltyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.member = cls.enrol(cls.guest("孙丽"))

    def test_nobody_edits_or_deletes_a_ledger_line(self):
        line = self.give(self.member, 100)
        for user in (self.front_desk, self.manager):
            # AccessError is a UserError: refused either by the rights or by the ledger
            with self.assertRaises(UserError):
                line.with_user(user).write({"points": 1000})
            with self.assertRaises(UserError):
                line.with_user(user).unlink()
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            line.sudo().write({"points": 1000})
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            line.sudo().unlink()
        with self.assertRaises(UserError):
            self.env["hotel.loyalty.ledger"].with_user(self.manager).create(
                {"member_id": self.member.id, "kind": "bonus", "points": 5,
                 "company_id": self.company.id, "date": date(2026, 6, 30)}
            )
        with self.assertRaisesRegex(UserError, "not by hand"):
            self.env["hotel.loyalty.ledger"].with_user(self.manager).sudo().create(
                {"member_id": self.member.id, "kind": "bonus", "points": 5,
                 "company_id": self.company.id, "date": date(2026, 6, 30)}
            )
        self.assertEqual(self.member.points_balance, 100)

    def test_a_context_key_does_not_open_the_ledger_even_to_superuser_code(self):
        Ledger = self.env["hotel.loyalty.ledger"]
        # code running as superuser on behalf of a user (an RPC call that reaches a sudo())
        for env_ledger in (Ledger.with_user(self.manager).sudo(),
                           Ledger.with_user(self.manager)):
            env_ledger = env_ledger.with_context(hotel_loyalty_post=True)
            with self.assertRaises(AccessError):
                env_ledger.create({"member_id": self.member.id, "kind": "bonus",
                                   "points": 5000, "company_id": self.company.id,
                                   "date": date(2026, 6, 30)})
        self.assertFalse(self.member.ledger_ids)
        self.assertEqual(self.member.points_balance, 0)

    def test_an_archived_reward_cannot_be_redeemed(self):
        self.give(self.member, 500)
        self.breakfast.active = False
        wizard = self.env["hotel.loyalty.redeem.wizard"].with_user(self.front_desk).create(
            {"member_id": self.member.id, "reward_id": self.breakfast.id})
        with self.assertRaisesRegex(UserError, "not offered"):
            wizard.action_redeem()
        self.assertEqual(self.member.points_balance, 500)

    def test_a_goodwill_bonus_keeps_to_the_stricter_property_limit(self):
        self.program.goodwill_limit = 1000
        other = self.env["res.company"].create({"name": "Strict Resort"})
        self.env["hotel.loyalty.program"]._for_company(other).goodwill_limit = 100
        self.guest_relations.company_ids |= other
        Wizard = self.env["hotel.loyalty.adjust.wizard"].with_user(
            self.guest_relations).with_context(allowed_company_ids=[other.id, self.company.id])
        with self.assertRaisesRegex(AccessError, "needs a Manager"):
            Wizard.create({"member_id": self.member.id, "kind": "bonus", "points": 500,
                           "reason": "Noisy room"}).action_apply()
        self.assertEqual(self.member.points_balance, 0)

    def test_front_desk_redeems_a_breakfast(self):
        self.give(self.member, 500)
        action = self.member.with_user(self.front_desk).action_redeem()
        with Form(self.env["hotel.loyalty.redeem.wizard"].with_user(self.front_desk)
                  .with_context(**action["context"])) as form:
            form.reward_id = self.breakfast
            self.assertEqual(form.points, 300)
        form.save().action_redeem()
        self.assertEqual(self.member.points_balance, 200)
        redeem = self.member.ledger_ids.filtered(lambda ln: ln.kind == "redeem")
        self.assertEqual(redeem.points, -300)
        self.assertIn(self.breakfast.name, redeem.source_name)

    def test_balance_never_goes_negative(self):
        self.give(self.member, 250)
        wizard = self.env["hotel.loyalty.redeem.wizard"].with_user(self.front_desk).create(
            {"member_id": self.member.id, "reward_id": self.breakfast.id}
        )
        with self.assertRaisesRegex(UserError, "250 points available; 300 are needed"):
            wizard.action_redeem()
        self.assertEqual(self.member.points_balance, 250)

    def test_redemptions_use_the_oldest_points_and_expiry_is_fifo_and_idempotent(self):
        self.program.expiry_months = 24
        old = self.give(self.member, 100, on_date=date(2024, 7, 15))
        new = self.give(self.member, 200, on_date=date(2026, 1, 10))
        self.give(self.member, -50, kind="redeem")
        self.assertEqual((old.remaining, new.remaining), (50, 200))
        Ledger = self.env["hotel.loyalty.ledger"]
        with freeze_time("2026-07-16"):
            self.assertEqual(self.member.points_available, 200, "expired points are not usable")
            self.assertEqual(Ledger._cron_expire_points(), 1)
            self.assertEqual(Ledger._cron_expire_points(), 0)
        expired = self.member.ledger_ids.filtered(lambda ln: ln.kind == "expire")
        self.assertEqual((len(expired), expired.points), (1, -50))
        self.assertEqual(old.remaining, 0)
        self.assertEqual(self.member.points_balance, 200)

    def test_only_a_manager_adjusts_and_always_with_a_reason(self):
        Wizard = self.env["hotel.loyalty.adjust.wizard"]
        for user in (self.front_desk, self.guest_relations):
            with self.assertRaises(AccessError):
                Wizard.with_user(user).create(
                    {"member_id": self.member.id, "kind": "adjust", "points": -10,
                     "reason": "typo"}
                ).action_apply()
        self.give(self.member, 100)
        Wizard.with_user(self.manager).create(
            {"member_id": self.member.id, "kind": "adjust", "points": -30,
             "reason": "Duplicate stay from the PMS"}
        ).action_apply()
        self.assertEqual(self.member.points_balance, 70)
        self.assertIn("Duplicate stay from the PMS", self.member.message_ids[0].body)
        with self.assertRaisesRegex(UserError, "reason"):
            Wizard.with_user(self.manager).create(
                {"member_id": self.member.id, "kind": "adjust", "points": 5, "reason": " "}
            ).action_apply()

    def test_goodwill_bonus_is_limited_for_guest_relations(self):
        Wizard = self.env["hotel.loyalty.adjust.wizard"].with_user(self.guest_relations)
        Wizard.create({"member_id": self.member.id, "kind": "bonus", "points": 500,
                       "reason": "Noisy room"}).action_apply()
        with self.assertRaisesRegex(AccessError, "needs a Manager"):
            Wizard.create({"member_id": self.member.id, "kind": "bonus", "points": 501,
                           "reason": "Noisy room"}).action_apply()
        with self.assertRaises(AccessError):
            self.env["hotel.loyalty.adjust.wizard"].with_user(self.front_desk).create(
                {"member_id": self.member.id, "kind": "bonus", "points": 10, "reason": "x"}
            ).action_apply()
        self.assertEqual(self.member.points_balance, 500)

    def test_birthday_bonus_once_a_year(self):
        self.member.partner_id.birthday = date(1990, 6, 28)
        Member = self.env["hotel.loyalty.member"]
        Member._cron_birthday_bonus()
        Member._cron_birthday_bonus()
        bonus = self.member.ledger_ids.filtered(lambda ln: ln.kind == "bonus")
        self.assertEqual((len(bonus), bonus.points), (1, self.program.birthday_bonus))
        with freeze_time("2027-06-28"):
            Member._cron_birthday_bonus()
        self.assertEqual(len(self.member.ledger_ids.filtered(lambda ln: ln.kind == "bonus")), 2)

    def test_marketing_reads_but_cannot_redeem(self):
        self.give(self.member, 500)
        self.assertEqual(self.member.with_user(self.marketing).points_balance, 500)
        with self.assertRaises(AccessError):
            self.env["hotel.loyalty.redeem.wizard"].with_user(self.marketing).create(
                {"member_id": self.member.id, "reward_id": self.breakfast.id}
            )

    def test_member_form_reads_a_bounded_number_of_queries(self):
        small = self.enrol(self.guest("Small Ledger"))
        big = self.enrol(self.guest("Big Ledger"))
        for i in range(30):
            self.give(small, 10 + i)
        for i in range(300):
            self.give(big, 10 + i)
        Form(small.with_user(self.front_desk))  # views loaded once
        counts = []
        for member in (small, big, small, big):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            Form(member.with_user(self.front_desk))
            counts.append(self.env.cr.sql_log_count - before)
        counts = counts[2:]  # the first opening of the session fills one more cache
        self.assertEqual(counts[0], counts[1], "the ledger size must not change the query count")
        self.env.invalidate_all()
        with self.assertQueryCount(counts[1]):
            Form(big.with_user(self.front_desk))
