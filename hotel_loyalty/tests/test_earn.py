from datetime import date
from unittest.mock import patch

import psycopg2
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestEarnFromInvoices(AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        # the accounting test case creates its users as a non-superuser (res.users passes
        # the partner's default figures, zero, to the partner's create)
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        # the invoicing user of the accounting test case also works at the front desk
        cls.env.user.groups_id |= cls.env.ref("hotel_crm.group_hotel_front_desk")
        Category = cls.env["product.category"]
        Product = cls.env["product.product"]
        cls.room = Product.create({
            "name": "Deluxe Room Night", "lst_price": 800, "taxes_id": False,
            "categ_id": Category.create({"name": "Rooms", "hotel_revenue_category": "room"}).id,
        })
        cls.dinner = Product.create({
            "name": "Dinner", "lst_price": 300, "taxes_id": False,
            "categ_id": Category.create({"name": "F&B", "hotel_revenue_category": "fb"}).id,
        })
        cls.spa = Product.create({"name": "Massage", "lst_price": 500, "taxes_id": False})
        cls.program = cls.env["hotel.loyalty.program"]._for_company(cls.env.company)
        cls.program.write({"earn_rate_room": 1.0, "earn_rate_fb": 2.0, "earn_rate_other": 0.5,
                           "member_day": 0})
        cls.guest = cls.env["res.partner"].create({"name": "黄磊", "is_guest": True})
        # sudo: a member who joined in January (a back-dated enrolment is the programme's)
        cls.member = cls.env["hotel.loyalty.member"].sudo().create(
            {"partner_id": cls.guest.id, "join_date": date(2026, 1, 1)}
        ).with_env(cls.env)
        cls.member_tier = cls.env.ref("hotel_loyalty.tier_member")

    def invoice(self, partner=None, lines=None, post=True, day=date(2026, 6, 20)):
        move = self.env["account.move"].create({
            "move_type": "out_invoice",
            "partner_id": (partner or self.guest).id,
            "invoice_date": day,
            "invoice_line_ids": [
                Command.create({"product_id": p.id, "quantity": q, "price_unit": price,
                                "tax_ids": [Command.clear()]})
                for p, q, price in (lines or [(self.room, 2, 800), (self.dinner, 1, 300),
                                              (self.spa, 1, 500)])
            ],
        })
        if post:
            move.action_post()
        return move

    def earn_lines(self, move):
        return self.env["hotel.loyalty.ledger"].search(
            [("res_model", "=", "account.move"), ("res_id", "=", move.id)]
        )

    def test_posting_an_invoice_earns_by_revenue_category_and_tier(self):
        self.assertEqual(self.member.tier_id, self.member_tier)
        move = self.invoice()
        # rooms 1,600 × 1 + F&B 300 × 2 + spa 500 × 0.5, tier multiplier 1
        line = self.earn_lines(move)
        self.assertEqual(line.points, 1600 + 600 + 250)
        self.assertEqual((line.kind, line.category, line.source_name), ("earn", "mixed", move.name))
        self.assertEqual(self.member.points_balance, 2450)
        self.assertEqual(line.expiry_date, date(2028, 6, 20))

    def test_tier_multiplier_applies(self):
        silver = self.env.ref("hotel_loyalty.tier_silver")
        self.member._change_tier(silver, "upgrade", "test", date(2026, 6, 1))
        move = self.invoice(lines=[(self.room, 1, 1000)])
        self.assertEqual(self.earn_lines(move).points, 1250)
        self.assertEqual(self.earn_lines(move).tier_id, silver)

    def net(self, move):
        return sum(self.earn_lines(move).mapped("points"))

    def moves_of(self, move):
        return sorted((ln.kind, ln.points) for ln in self.earn_lines(move))

    def test_reposting_never_earns_twice(self):
        move = self.invoice()
        move.button_draft()
        move.action_post()
        move.button_draft()
        move.action_post()
        self.assertEqual(self.net(move), 2450)
        self.assertEqual(self.member.points_balance, 2450)
        count = len(self.earn_lines(move))
        move._hotel_loyalty_sync()
        move.write({"state": "posted"})
        self.assertEqual(len(self.earn_lines(move)), count, "a sync in line records nothing")

    def test_reset_to_draft_takes_the_points_back_and_posting_again_earns_once(self):
        move = self.invoice()
        move.button_draft()
        self.assertEqual(self.moves_of(move), [("earn", 2450), ("reversal", -2450)])
        self.assertEqual(self.member.points_balance, 0)
        self.assertIn("reset to draft", self.earn_lines(move).filtered(
            lambda ln: ln.kind == "reversal").reason)
        move.action_post()
        self.assertEqual(self.moves_of(move),
                         [("earn", 2450), ("earn", 2450), ("reversal", -2450)])
        self.assertEqual(sorted(self.earn_lines(move).mapped("source_seq")), [0, 1, 2])
        self.assertEqual(self.member.points_balance, 2450)

    def test_an_invoice_reset_to_draft_then_cancelled_keeps_no_points(self):
        move = self.invoice()
        move.button_draft()
        move.button_cancel()
        self.assertEqual(move.state, "cancel")
        self.assertEqual(self.moves_of(move), [("earn", 2450), ("reversal", -2450)])
        self.assertEqual(self.member.points_balance, 0)

    def test_cancelling_a_posted_invoice_takes_the_points_back(self):
        move = self.invoice()
        move.button_cancel()
        self.assertEqual(move.state, "cancel")
        self.assertEqual(self.net(move), 0)
        self.assertEqual(self.member.points_balance, 0)

    def test_deleting_a_draft_leaves_no_points(self):
        move = self.invoice()
        move.button_draft()
        draft = self.invoice(post=False)
        move_ids = (move | draft).ids
        (move | draft).unlink()
        lines = self.env["hotel.loyalty.ledger"].search(
            [("res_model", "=", "account.move"), ("res_id", "in", move_ids)])
        self.assertEqual(sum(lines.mapped("points")), 0)
        self.assertEqual(self.member.points_balance, 0)

    def test_deleting_a_draft_whose_points_were_pending_takes_them_back(self):
        move = self.invoice()
        self.assertEqual(self.member.points_balance, 2450)
        with self.lock_busy():
            move.button_draft()
        self.assertTrue(move.hotel_loyalty_pending)
        self.assertEqual(self.member.points_balance, 2450, "the reversal waits for the job")
        move_id = move.id
        move.unlink()
        lines = self.env["hotel.loyalty.ledger"].search(
            [("res_model", "=", "account.move"), ("res_id", "=", move_id)])
        self.assertEqual(sum(lines.mapped("points")), 0)
        self.assertEqual(self.member.points_balance, 0)

    def test_credit_note_takes_the_points_back(self):
        move = self.invoice()
        refund = move._reverse_moves([{"invoice_date": date(2026, 6, 25)}])
        refund.action_post()
        reversal = self.earn_lines(refund)
        self.assertEqual((reversal.kind, reversal.points), ("reversal", -2450))
        self.assertEqual(self.member.points_balance, 0)
        refund.button_draft()
        refund.action_post()
        self.assertEqual(self.net(refund), -2450, "a credit note reverses once")
        self.assertEqual(self.net(move) + self.net(refund), 0)
        self.assertEqual(self.member.points_balance, 0)

    def test_partial_credit_note_reverses_its_share(self):
        move = self.invoice(lines=[(self.room, 2, 800)])
        refund = move._reverse_moves([{"invoice_date": date(2026, 6, 25)}])
        refund.invoice_line_ids.quantity = 1
        refund.action_post()
        self.assertEqual(self.earn_lines(refund).points, -800)
        self.assertEqual(self.member.points_balance, 800)

    def test_reversal_after_points_were_spent_stops_at_zero(self):
        move = self.invoice(lines=[(self.room, 1, 1000)])
        self.redeem(700)
        refund = move._reverse_moves([{"invoice_date": date(2026, 6, 25)}])
        refund.action_post()
        reversal = self.earn_lines(refund)
        self.assertEqual(reversal.points, -300)
        self.assertIn("700", reversal.reason)
        self.assertEqual(self.member.points_balance, 0)

    def redeem(self, points):
        self.env["hotel.loyalty.ledger"]._post_lines([{
            "member_id": self.member.id, "kind": "redeem", "points": -points,
            "res_model": "test.redeem", "res_id": points,
        }])

    def test_points_already_redeemed_are_lost_never_negative_and_never_earned_twice(self):
        move = self.invoice(lines=[(self.room, 1, 1000)])
        self.redeem(700)
        move.button_draft()
        reversal = self.earn_lines(move).filtered(lambda ln: ln.kind == "reversal")
        self.assertEqual(reversal.points, -300, "the reversal takes what is left")
        self.assertIn("700", reversal.reason)
        self.assertEqual(self.member.points_balance, 0)
        move.action_post()
        self.assertEqual(self.net(move), 1000)
        self.assertEqual(self.member.points_balance, 300, "1,000 earned once, 700 redeemed")
        move.button_cancel()
        self.assertEqual(self.member.points_balance, 0)
        self.assertEqual(self.net(move), 700, "the 700 redeemed stay on the invoice")

    def test_a_credit_note_reset_to_draft_gives_the_points_back(self):
        move = self.invoice()
        refund = move._reverse_moves([{"invoice_date": date(2026, 6, 25)}])
        refund.action_post()
        self.assertEqual(self.member.points_balance, 0)
        refund.button_draft()
        self.assertEqual(self.net(refund), 0)
        self.assertEqual(self.member.points_balance, 2450)
        refund.action_post()
        self.assertEqual(self.net(refund), -2450)
        self.assertEqual(self.member.points_balance, 0)

    def test_an_invoice_reset_under_its_partial_credit_note_nets_zero(self):
        move = self.invoice(lines=[(self.room, 2, 800)])
        refund = move._reverse_moves([{"invoice_date": date(2026, 6, 25)}])
        refund.invoice_line_ids.quantity = 1
        refund.action_post()
        self.assertEqual(self.member.points_balance, 800)
        move.button_draft()
        self.assertEqual((self.net(move), self.net(refund)), (0, 0))
        self.assertEqual(self.member.points_balance, 0)
        move.action_post()
        self.assertEqual((self.net(move), self.net(refund)), (1600, -800))
        self.assertEqual(self.member.points_balance, 800)

    def test_two_partial_credit_notes_never_take_more_than_was_earned(self):
        move = self.invoice(lines=[(self.room, 2, 800)])
        for _n in range(3):
            refund = move._reverse_moves([{"invoice_date": date(2026, 6, 25)}])
            refund.invoice_line_ids.quantity = 1
            refund.action_post()
        self.assertEqual(self.member.points_balance, 0)
        self.assertEqual(self.net(move) + sum(
            self.net(r) for r in move.reversal_move_ids), 0)

    def test_reverse_and_create_a_new_invoice_moves_the_points_to_the_new_one(self):
        move = self.invoice()
        reversal = self.env["account.move.reversal"].with_context(
            active_model="account.move", active_ids=move.ids
        ).create({"date": date(2026, 6, 25), "journal_id": move.journal_id.id})
        new = self.env["account.move"].browse(reversal.modify_moves()["res_id"])
        refund = move.reversal_move_ids
        self.assertEqual(self.net(move) + self.net(refund), 0)
        self.assertEqual(self.member.points_balance, 0)
        self.assertEqual(new.state, "draft")
        new.action_post()
        self.assertEqual(self.net(new), 2450)
        self.assertEqual(self.member.points_balance, 2450)

    def lock_busy(self):
        """The member is locked by another transaction (a redemption): NOWAIT fails."""
        Ledger = type(self.env["hotel.loyalty.ledger"])
        original = Ledger._lock_members

        def lock(ledger, member_ids, nowait=False):
            if nowait:
                raise psycopg2.errors.LockNotAvailable("could not obtain lock on row")
            return original(ledger, member_ids, nowait=nowait)

        return patch.object(Ledger, "_lock_members", lock)

    def test_posting_never_waits_for_a_busy_member_and_the_job_catches_up(self):
        with self.lock_busy():
            move = self.invoice()
        self.assertEqual(move.state, "posted", "accounting is never blocked by points")
        self.assertTrue(move.hotel_loyalty_pending)
        self.assertFalse(self.earn_lines(move))
        self.env["account.move"]._cron_hotel_loyalty_sync()
        self.assertFalse(move.hotel_loyalty_pending)
        self.assertEqual(self.net(move), 2450)
        self.assertEqual(self.member.points_balance, 2450)

    def test_the_pending_flag_cannot_be_cleared_over_the_api(self):
        move = self.invoice(post=False)
        with self.assertRaises(UserError):
            move.write({"hotel_loyalty_pending": True})

    def test_non_members_and_vendor_bills_earn_nothing(self):
        other = self.env["res.partner"].create({"name": "Walk-in Guest"})
        move = self.invoice(partner=other)
        self.assertFalse(self.earn_lines(move))
        bill = self.env["account.move"].create({
            "move_type": "in_invoice", "partner_id": self.guest.id,
            "invoice_date": date(2026, 6, 20),
            "invoice_line_ids": [Command.create({"name": "Linen", "price_unit": 1000,
                                                 "tax_ids": [Command.clear()]})],
        })
        bill.action_post()
        self.assertFalse(self.earn_lines(bill))

    def test_member_day_doubles_points(self):
        self.program.write({"member_day": 8, "member_day_factor": 2.0})
        move = self.invoice(lines=[(self.room, 1, 1000)], day=date(2026, 6, 8))
        self.assertEqual(self.earn_lines(move).points, 2000)

    def test_enrolment_awards_recent_invoices_when_asked(self):
        self.program.retro_days = 30
        guest = self.env["res.partner"].create({"name": "徐静", "is_guest": True})
        move = self.invoice(partner=guest, lines=[(self.room, 1, 1000)], day=date(2026, 6, 10))
        self.assertFalse(self.earn_lines(move))
        wizard = self.env["hotel.loyalty.enrol.wizard"].create(
            {"partner_ids": [Command.set(guest.ids)], "retro_days": 30}
        )
        wizard.action_enrol()
        self.assertEqual(self.earn_lines(move).points, 1000)
        self.assertEqual(guest.loyalty_points, 1000)
        self.assertEqual(guest.loyalty_member_id.join_date, date(2026, 6, 30))
        move.button_draft()
        move.action_post()
        self.assertEqual(guest.loyalty_points, 1000, "the award follows the invoice")

    def test_erasure_waits_for_unpaid_invoices_and_keeps_the_points(self):
        move = self.invoice(lines=[(self.room, 1, 1000)])
        points = self.guest.loyalty_points
        self.assertIn("unpaid invoice", "\n".join(self.guest._hotel_anonymise_blockers()))
        with self.assertRaisesRegex(UserError, "unpaid invoice"):
            self.guest._hotel_anonymise("Guest request")
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=move.ids
        ).create({})._create_payments()
        self.assertIn(move.payment_state, ("paid", "in_payment"))
        self.guest._hotel_anonymise("Guest request")
        self.assertTrue(self.guest.is_anonymised)
        self.assertEqual(self.guest.loyalty_points, points)
        self.assertEqual(move.partner_id, self.guest)
        data = self.guest._hotel_privacy_data()
        self.assertTrue(data["Points Ledger"])
