from datetime import date

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestTiers(LoyaltyCase):
    def _tier_for(self, spend=0.0, stays=0):
        partner = self.guest()
        if stays:
            self.stays(partner, count=stays, amount=1.0)
        if spend:
            self.stays(partner, count=1, amount=spend - (stays or 0) * 1.0)
        return self.enrol(partner).tier_id

    def test_seed_spend_thresholds_give_the_seed_tiers(self):
        expected = {4999: self.member_tier, 5000: self.silver, 10000: self.gold,
                    20000: self.gold, 20001: self.diamond}
        for spend, tier in expected.items():
            self.assertEqual(self._tier_for(spend=spend), tier, f"{spend} CNY")

    def test_seed_stay_thresholds_give_the_seed_tiers(self):
        expected = {4: self.member_tier, 5: self.silver, 10: self.gold, 20: self.gold,
                    21: self.diamond}
        for stays, tier in expected.items():
            self.assertEqual(self._tier_for(stays=stays), tier, f"{stays} stays")

    def test_and_rule_needs_both(self):
        self.silver.qualify_rule = "and"
        self.assertEqual(self._tier_for(spend=6000), self.member_tier)
        self.assertEqual(self._tier_for(stays=5), self.member_tier)
        partner = self.guest()
        self.stays(partner, count=5, amount=1200)
        self.assertEqual(self.enrol(partner).tier_id, self.silver)

    def test_checkout_upgrades_at_once_and_explains_the_next_tier(self):
        partner = self.guest()
        self.stays(partner, count=4, amount=100)
        member = self.enrol(partner)
        self.assertEqual(member.tier_id, self.member_tier)
        self.assertEqual(member.next_tier_id, self.silver)
        self.assertIn("1 more stays or", member.next_tier_gap)
        self.assertIn("4,600.00", member.next_tier_gap)
        booked = self.stays(partner, count=1, amount=100, state="in_house")
        booked.action_check_out()
        self.assertEqual(member.tier_id, self.silver)
        history = member.tier_history_ids.sorted("id")
        self.assertEqual(history.mapped("kind"), ["initial", "upgrade"])
        self.assertEqual(history[-1].old_tier_id, self.member_tier)
        self.assertEqual(history[-1].window_stays, 5)
        self.assertEqual(member.tier_valid_until, date(2027, 6, 30))

    def test_downgrade_waits_for_period_end_and_grace_then_one_tier(self):
        partner = self.guest()
        self.stays(partner, count=1, amount=25000, end=date(2026, 6, 1))
        member = self.enrol(partner)
        self.assertEqual(member.tier_id, self.diamond)
        Member = self.env["hotel.loyalty.member"]
        # the stay leaves the window in June 2027, but the period runs to 2027-06-30
        with freeze_time("2027-06-15"):
            Member._cron_evaluate_tiers()
            self.assertEqual(member.tier_id, self.diamond)
        with freeze_time("2027-07-29"):  # period over, grace (30 days) not yet
            Member._cron_evaluate_tiers()
            self.assertEqual(member.tier_id, self.diamond)
        with freeze_time("2027-07-30"):
            preview = Member._run_tier_evaluation(apply=False)
            planned = [(row["member_id"], tier, kind) for row, tier, kind in preview]
            self.assertIn((member.id, self.gold.id, "downgrade"), planned)
            self.assertEqual(member.tier_id, self.diamond, "a preview changes nothing")
            Member._cron_evaluate_tiers()
            self.assertEqual(member.tier_id, self.gold, "one tier at a time")
            last = member.tier_history_ids.sorted("id")[-1]
            self.assertEqual((last.kind, last.old_tier_id, last.new_tier_id),
                             ("downgrade", self.diamond, self.gold))
            self.assertTrue(last.reason)
            Member._cron_evaluate_tiers()
            self.assertEqual(member.tier_id, self.gold, "a new period starts after a change")

    def test_direct_downgrade_when_configured(self):
        self.program.downgrade_steps = "direct"
        partner = self.guest()
        self.stays(partner, count=1, amount=25000, end=date(2026, 6, 1))
        member = self.enrol(partner)
        with freeze_time("2027-08-15"):
            self.env["hotel.loyalty.member"]._cron_evaluate_tiers()
        self.assertEqual(member.tier_id, self.member_tier)

    def test_tier_cannot_be_edited_by_hand(self):
        member = self.enrol(self.guest())
        with self.assertRaisesRegex(UserError, "cannot be edited"):
            member.with_user(self.manager).write({"tier_id": self.diamond.id})
        with self.assertRaisesRegex(UserError, "cannot be edited"):
            member.with_user(self.front_desk).write({"points_balance": 99999})

    def test_a_guest_is_a_member_once(self):
        partner = self.guest()
        self.enrol(partner)
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), \
                self.env.cr.savepoint():
            self.enrol(partner)
