from datetime import date

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import format_amount, mute_logger

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
        with self.assertRaisesRegex(AccessError, "cannot be written directly"):
            member.with_user(self.manager).write({"tier_id": self.diamond.id})
        with self.assertRaisesRegex(AccessError, "cannot be written directly"):
            member.with_user(self.front_desk).write({"points_balance": 99999})
        with self.assertRaises(AccessError):
            member.with_user(self.front_desk).with_context(hotel_loyalty_system=True).write(
                {"tier_id": self.diamond.id, "points_balance": 99999})
        self.assertEqual((member.tier_id, member.points_balance), (self.member_tier, 0))

    # ------------------------------------------------------------------
    # "To reach the next tier" (L6): exact at every boundary
    # ------------------------------------------------------------------
    def _member_with(self, amounts):
        """A new member whose window holds one stay per amount."""
        partner = self.guest()
        for amount in amounts:
            self.stays(partner, count=1, amount=amount)
        return self.enrol(partner)

    def _after(self, amounts, more_stays=0, more_spend=0.0):
        """The tier the evaluation gives after `more_stays` stays (nothing spent on them)
        and `more_spend` spent (on one more stay, counted among the stays)."""
        member = self._member_with(amounts)
        partner = member.partner_id
        if more_spend:
            self.stays(partner, count=1, amount=more_spend)
            more_stays -= 1
        if more_stays > 0:
            self.stays(partner, count=more_stays, amount=0.0)
        member._evaluate_tiers()
        return member.tier_id

    def assertExactGap(self, amounts, current, target, by="spend"):
        member = self._member_with(amounts)
        self.assertEqual((member.tier_id, member.next_tier_id), (current, target))
        stays, spend = member._next_tier_needs(target)
        unit = member.currency_id.rounding
        if by == "spend":
            self.assertIn(format_amount(self.env, spend, member.currency_id),
                          member.next_tier_gap)
            self.assertEqual(self._after(amounts, more_spend=spend), target,
                             f"{amounts} + {spend}")
            self.assertEqual(self._after(amounts, more_spend=spend - unit), current,
                             f"{amounts} + {spend} - {unit}")
        else:
            self.assertIn(f"{stays} more stays", member.next_tier_gap)
            self.assertEqual(self._after(amounts, more_stays=stays), target)
            self.assertEqual(self._after(amounts, more_stays=stays - 1), current)
        return stays, spend

    def test_a_gold_member_is_told_the_smallest_spend_that_reaches_diamond(self):
        # the case: Diamond needs more than 20,000 (strict), not 20,000 itself
        _stays, spend = self.assertExactGap([10000.0], self.gold, self.diamond)
        self.assertAlmostEqual(spend, 10000.01)

    def test_the_spend_gap_is_exact_from_the_threshold_and_above_it(self):
        _stays, spend = self.assertExactGap([4000.0], self.member_tier, self.silver)
        self.assertAlmostEqual(spend, 1000.0)
        _stays, spend = self.assertExactGap([12345.67], self.gold, self.diamond)
        self.assertAlmostEqual(spend, 7654.34)
        _stays, spend = self.assertExactGap([19999.99], self.gold, self.diamond)
        self.assertAlmostEqual(spend, 0.02)

    def test_the_stays_gap_is_exact_from_the_threshold_and_above_it(self):
        stays, _spend = self.assertExactGap([1.0] * 4, self.member_tier, self.silver,
                                            by="stays")
        self.assertEqual(stays, 1)
        stays, _spend = self.assertExactGap([1.0] * 20, self.gold, self.diamond, by="stays")
        self.assertEqual(stays, 1, "20 stays are not more than 20")

    def test_the_gap_of_an_and_programme_names_both_and_both_are_exact(self):
        self.silver.qualify_rule = "and"
        member = self._member_with([100.0] * 4)
        self.assertEqual(member._next_tier_needs(self.silver), (1, 4600.0))
        self.assertIn("1 more stays and", member.next_tier_gap)
        self.assertEqual(self._after([100.0] * 4, more_spend=4600.0), self.silver)
        self.assertEqual(self._after([100.0] * 4, more_spend=4599.99), self.member_tier)
        self.assertEqual(self._after([100.0] * 4, more_stays=1), self.member_tier)
        member = self._member_with([6000.0])
        self.assertEqual(member._next_tier_needs(self.silver), (4, 0.0))
        self.assertEqual(member.next_tier_gap, "4 more stays")
        self.assertEqual(self._after([6000.0], more_stays=4), self.silver)
        self.assertEqual(self._after([6000.0], more_stays=3), self.member_tier)

    def test_a_guest_is_a_member_once(self):
        partner = self.guest()
        self.enrol(partner)
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), \
                self.env.cr.savepoint():
            self.enrol(partner)
