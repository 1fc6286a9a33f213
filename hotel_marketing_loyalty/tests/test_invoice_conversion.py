from datetime import date

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.hotel_marketing.tests.common import HotelMarketingCase, dt


@tagged("post_install", "-at_install")
class TestInvoiceConversion(HotelMarketingCase):
    """Posted customer invoices of recipients convert like stays, revenue counted once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["account.chart.template"].try_loading(
            "generic_coa", company=cls.property_a, install_demo=False
        )
        cls.Attribution = cls.env["hotel.marketing.attribution"]
        cls.campaign = cls.env["utm.campaign"].create({
            "title": "Spa week", "hotel_cost": 500,
            "hotel_currency_id": cls.env.ref("base.CNY").id,
        })
        cls.mailing = cls.make_mailing([("is_guest", "=", True)], campaign_id=cls.campaign.id)
        cls.mailing.write({"state": "done", "sent_date": dt("2026-03-01 08:00:00")})
        cls.make_trace(cls.mailing, cls.ok, dt("2026-03-01 08:00:00"),
                       opened=dt("2026-03-02 09:00:00"))

    @classmethod
    def invoice(cls, guest, day, amount=1000.0, post=True, move_type="out_invoice", **vals):
        move = cls.env["account.move"].with_company(cls.property_a).create({
            "move_type": move_type,
            "partner_id": guest.id,
            "invoice_date": day,
            "invoice_line_ids": [Command.create({
                "name": "Spa treatment", "quantity": 1, "price_unit": amount,
                "tax_ids": [Command.clear()],
            })],
            **vals,
        })
        if post:
            move.action_post()
        return move

    def conversions(self):
        self.Attribution._hotel_recompute([self.campaign.id])
        return self.Attribution.search([("campaign_id", "=", self.campaign.id)])

    def test_invoice_within_the_window_converts_once_and_not_after(self):
        inside = self.invoice(self.ok, date(2026, 3, 20), 1000.0)
        self.invoice(self.ok, date(2026, 4, 5), 700.0)  # day 34
        self.invoice(self.ok, date(2026, 3, 1), 300.0)  # before the guest opened the mail
        rows = self.conversions()
        self.assertEqual(rows.move_id, inside)
        self.assertEqual((rows.source, rows.touch, rows.mailing_id, rows.partner_id),
                         ("invoice", "open", self.mailing, self.ok))
        self.assertEqual((rows.booked_on, rows.property_revenue, rows.revenue),
                         (date(2026, 3, 20), 1000.0, 1000.0))
        self.assertEqual(rows.display_name, inside.name)
        self.assertEqual(self.campaign.hotel_conversion_count, 1)
        self.assertEqual(self.campaign.hotel_revenue, 1000.0)
        self.assertAlmostEqual(self.campaign.hotel_roi, 100.0)
        report = self.env["hotel.marketing.performance"].search(
            [("mailing_id", "=", self.mailing.id)])
        self.assertEqual((report.conversions, report.revenue), (1, 1000.0))
        self.assertEqual((self.mailing.hotel_attributed_count,
                          self.mailing.hotel_converted_count), (1, 1))
        # Running again changes nothing.
        again = self.conversions()
        self.assertEqual((len(again), again.move_id, again.revenue), (1, inside, 1000.0))

    def test_invoice_of_an_attributed_stay_adds_no_revenue(self):
        stay = self.make_stay(self.ok, "2026-03-25", booked_on=date(2026, 3, 10))
        folio = self.invoice(self.ok, date(2026, 3, 27), 1500.0, hotel_stay_id=stay.id)
        rows = self.conversions()
        self.assertEqual(rows.stay_id, stay)
        self.assertFalse(rows.move_id, "the folio of an attributed stay is not counted again")
        self.assertEqual(self.campaign.hotel_revenue, stay.amount_company)
        # The folio of a stay that is not attributed (booked before the mail was opened)
        # converts on its own.
        early = self.make_stay(self.ok, "2026-03-15", booked_on=date(2026, 2, 20))
        folio.hotel_stay_id = early  # set after posting, as the front office may
        rows = self.conversions()
        self.assertEqual(rows.stay_id, stay)
        self.assertEqual(rows.move_id, folio)
        self.assertEqual(self.campaign.hotel_revenue, stay.amount_company + 1500.0)

    def test_draft_cancelled_and_refunded_invoices_do_not_count(self):
        self.invoice(self.ok, date(2026, 3, 10), post=False)
        cancelled = self.invoice(self.ok, date(2026, 3, 11))
        cancelled.button_draft()
        cancelled.button_cancel()
        refunded = self.invoice(self.ok, date(2026, 3, 12), 800.0)
        self.invoice(self.ok, date(2026, 3, 13), 800.0, move_type="out_refund",
                     reversed_entry_id=refunded.id)
        partly = self.invoice(self.ok, date(2026, 3, 14), 1000.0)
        self.invoice(self.ok, date(2026, 3, 30), 250.0, move_type="out_refund",
                     reversed_entry_id=partly.id)
        rows = self.conversions()
        self.assertEqual(rows.move_id, partly)
        self.assertEqual(rows.revenue, 750.0, "net of its credit note")

    def test_holdout_guests_are_not_attributed_but_measured(self):
        guests = self.Partner
        for i in range(10):
            guests |= self.consenting_guest(f"Invoice guest {i}", f"inv{i}@example.com")
        mailing = self.make_mailing([("id", "in", guests.ids)], hotel_holdout_pct=20,
                                    campaign_id=self.campaign.id)
        mailing.action_send_mail()
        sent = dt("2026-03-01 08:00:00")
        self.env["mailing.trace"].search([("mass_mailing_id", "=", mailing.id)]).write(
            {"trace_status": "open", "sent_datetime": sent, "open_datetime": sent})
        mailing.sent_date = sent
        held, mailed = mailing.hotel_holdout_partner_ids, self.mailed_partners(mailing)
        self.assertEqual((len(held), len(mailed)), (2, 8))
        self.invoice(held[0], date(2026, 3, 5), 900.0)
        self.invoice(mailed[0], date(2026, 3, 5), 900.0)
        rows = self.conversions()
        self.assertEqual(rows.filtered(lambda r: r.mailing_id == mailing).partner_id, mailed[0])
        self.assertNotIn(held[0], rows.partner_id)
        mailing.invalidate_recordset()
        self.assertEqual((mailing.hotel_converted_count, mailing.hotel_holdout_converted_count),
                         (1, 1))
        self.assertAlmostEqual(mailing.hotel_incremental_rate, 100.0 / 8 - 100.0 / 2)

    def test_an_invoice_bills_a_stay_of_its_guest_at_its_property(self):
        stay = self.make_stay(self.ok, "2026-03-25")
        move = self.invoice(self.ok, date(2026, 3, 27), post=False, hotel_stay_id=stay.id)
        other_guest = self.make_stay(self.no_consent, "2026-03-25")
        with self.assertRaisesRegex(ValidationError, "is a stay of"):
            move.hotel_stay_id = other_guest
        elsewhere = self.make_stay(self.ok, "2026-04-25", company=self.property_b)
        with self.assertRaisesRegex(ValidationError, "invoice it from that property"):
            move.hotel_stay_id = elsewhere

    def test_marketing_sees_invoice_conversions_without_accounting_rights(self):
        inside = self.invoice(self.ok, date(2026, 3, 20), 1000.0)
        self.conversions()
        self.assertFalse(self.marketing.has_group("account.group_account_invoice"))
        rows = self.Attribution.with_user(self.marketing).search(
            [("campaign_id", "=", self.campaign.id)])
        self.assertEqual(rows.display_name, inside.name)
        self.assertEqual(rows.revenue, 1000.0)
