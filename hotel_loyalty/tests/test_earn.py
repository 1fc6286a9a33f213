from datetime import date

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
        cls.member = cls.env["hotel.loyalty.member"].create(
            {"partner_id": cls.guest.id, "join_date": date(2026, 1, 1)}
        )
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

    def test_reposting_never_earns_twice(self):
        move = self.invoice()
        move.button_draft()
        move.action_post()
        move.button_draft()
        move.action_post()
        self.assertEqual(len(self.earn_lines(move)), 1)
        self.assertEqual(self.member.points_balance, 2450)

    def test_credit_note_takes_the_points_back(self):
        move = self.invoice()
        refund = move._reverse_moves([{"invoice_date": date(2026, 6, 25)}])
        refund.action_post()
        reversal = self.earn_lines(refund)
        self.assertEqual((reversal.kind, reversal.points), ("reversal", -2450))
        self.assertEqual(self.member.points_balance, 0)
        refund.button_draft()
        refund.action_post()
        self.assertEqual(len(self.earn_lines(refund)), 1, "a credit note reverses once")

    def test_partial_credit_note_reverses_its_share(self):
        move = self.invoice(lines=[(self.room, 2, 800)])
        refund = move._reverse_moves([{"invoice_date": date(2026, 6, 25)}])
        refund.invoice_line_ids.quantity = 1
        refund.action_post()
        self.assertEqual(self.earn_lines(refund).points, -800)
        self.assertEqual(self.member.points_balance, 800)

    def test_reversal_after_points_were_spent_stops_at_zero(self):
        move = self.invoice(lines=[(self.room, 1, 1000)])
        self.env["hotel.loyalty.ledger"]._post_lines([{
            "member_id": self.member.id, "kind": "redeem", "points": -700,
            "res_model": "test.redeem", "res_id": 1,
        }])
        refund = move._reverse_moves([{"invoice_date": date(2026, 6, 25)}])
        refund.action_post()
        reversal = self.earn_lines(refund)
        self.assertEqual(reversal.points, -300)
        self.assertIn("700", reversal.reason)
        self.assertEqual(self.member.points_balance, 0)

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
