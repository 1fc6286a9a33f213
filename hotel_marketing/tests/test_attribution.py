from datetime import date

from odoo.tests import tagged

from .common import HotelMarketingCase, dt


@tagged("post_install", "-at_install")
class TestAttribution(HotelMarketingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Attribution = cls.env["hotel.marketing.attribution"]
        cny = cls.env.ref("base.CNY")
        cls.campaign = cls.env["utm.campaign"].create(
            {"title": "Spring", "hotel_cost": 1000, "hotel_currency_id": cny.id})
        cls.other_campaign = cls.env["utm.campaign"].create(
            {"title": "Summer", "hotel_currency_id": cny.id})
        cls.mailing = cls.make_mailing([("is_guest", "=", True)], campaign_id=cls.campaign.id)
        cls.mailing.write({"state": "done", "sent_date": dt("2026-03-01 08:00:00")})
        cls.later = cls.make_mailing([("is_guest", "=", True)],
                                     campaign_id=cls.other_campaign.id)
        cls.later.write({"state": "done", "sent_date": dt("2026-03-10 08:00:00")})

    def attributed(self, stay):
        return self.Attribution.search([("stay_id", "=", stay.id)])

    def test_stay_within_the_window_counts_once_and_not_after(self):
        self.make_trace(self.mailing, self.ok, dt("2026-03-01 08:00:00"),
                        opened=dt("2026-03-02 09:00:00"))
        inside = self.make_stay(self.ok, "2026-04-10", booked_on=date(2026, 3, 20))
        after = self.make_stay(self.ok, "2026-05-10", booked_on=date(2026, 4, 5))  # day 34
        before = self.make_stay(self.ok, "2026-03-05", booked_on=date(2026, 3, 1))
        self.Attribution._hotel_recompute([self.campaign.id])
        self.assertEqual(self.attributed(inside).campaign_id, self.campaign)
        self.assertEqual(self.attributed(inside).touch, "open")
        self.assertFalse(self.attributed(after))
        self.assertFalse(self.attributed(before), "booked before the guest opened the mail")
        self.assertEqual(self.campaign.hotel_conversion_count, 1)
        self.assertEqual(self.campaign.hotel_revenue, inside.amount_company)
        self.assertAlmostEqual(
            self.campaign.hotel_roi, 100.0 * (inside.amount_company - 1000) / 1000
        )
        # The performance report shows the mailing's figures.
        report = self.env["hotel.marketing.performance"].search(
            [("mailing_id", "=", self.mailing.id)])
        self.assertEqual((report.delivered, report.opened, report.conversions),
                         (1, 1, 1))
        self.assertEqual(report.campaign_id, self.campaign)
        self.assertEqual(report.revenue, inside.amount_company)
        self.assertEqual(report.conversion_rate, 100.0)
        # Running twice changes nothing.
        self.Attribution._hotel_recompute([self.campaign.id])
        self.assertEqual(self.Attribution.search_count([("campaign_id", "=", self.campaign.id)]), 1)

    def test_unopened_mail_does_not_convert(self):
        self.make_trace(self.mailing, self.ok, dt("2026-03-01 08:00:00"))
        stay = self.make_stay(self.ok, "2026-04-10", booked_on=date(2026, 3, 20))
        self.Attribution._hotel_recompute()
        self.assertFalse(self.attributed(stay))

    def test_two_mailings_touching_one_stay_last_touch_wins(self):
        self.make_trace(self.mailing, self.ok, dt("2026-03-01 08:00:00"),
                        opened=dt("2026-03-01 10:00:00"))
        self.make_trace(self.later, self.ok, dt("2026-03-10 08:00:00"),
                        clicked=dt("2026-03-11 10:00:00"))
        stay = self.make_stay(self.ok, "2026-04-10", booked_on=date(2026, 3, 20))
        self.Attribution._hotel_recompute()
        self.assertEqual(len(self.attributed(stay)), 1)
        self.assertEqual(self.attributed(stay).mailing_id, self.later)
        self.assertEqual(self.attributed(stay).touch, "click")
        self.env["ir.config_parameter"].sudo().set_param(
            "hotel_marketing.attribution_model", "first")
        self.Attribution._hotel_recompute()
        self.assertEqual(self.attributed(stay).mailing_id, self.mailing)

    def test_utm_campaign_on_the_stay_wins(self):
        self.make_trace(self.later, self.ok, dt("2026-03-10 08:00:00"),
                        opened=dt("2026-03-10 10:00:00"))
        stay = self.make_stay(self.ok, "2026-04-10", booked_on=date(2026, 3, 20),
                              campaign_id=self.campaign.id)
        cancelled = self.make_stay(self.ok, "2026-04-20", booked_on=date(2026, 3, 21),
                                   campaign_id=self.campaign.id, state="cancelled")
        self.Attribution._hotel_recompute()
        self.assertEqual(self.attributed(stay).campaign_id, self.campaign)
        self.assertEqual(self.attributed(stay).touch, "utm")
        self.assertFalse(self.attributed(cancelled))

    def test_holdout_is_not_mailed_and_measured(self):
        guests = self.Partner
        for i in range(10):
            guests |= self.consenting_guest(f"Holdout guest {i}", f"holdout{i}@example.com")
        mailing = self.make_mailing([("id", "in", guests.ids)], hotel_holdout_pct=20,
                                    campaign_id=self.campaign.id)
        mailing.action_send_mail()
        held = mailing.hotel_holdout_partner_ids
        self.assertEqual(len(held), 2)
        mailed = self.mailed_partners(mailing)
        self.assertEqual(len(mailed), 8)
        self.assertFalse(held & mailed, "the holdout group is never mailed")
        self.assertEqual(mailed | held, guests)
        # Sending again (a retry) does not reach the holdout either.
        self.assertEqual(mailing.total, 8)
        # Conversion: 2 of the 8 mailed book within the window, 0 of the holdout.
        # No SMTP server in tests: record the delivery the mail server would report.
        self.env["mailing.trace"].search([("mass_mailing_id", "=", mailing.id)]).write(
            {"trace_status": "sent", "sent_datetime": mailing.sent_date})
        sent_on = mailing.sent_date.date()
        for guest in mailed[:2]:
            self.make_stay(guest, "2027-01-10", booked_on=sent_on, state="booked")
        self.make_stay(held[0], "2027-01-10", booked_on=date(2020, 1, 1), state="booked")
        mailing.invalidate_recordset()
        self.assertEqual(mailing.hotel_delivered_count, 8)
        self.assertEqual(mailing.hotel_converted_count, 2)
        self.assertAlmostEqual(mailing.hotel_conversion_rate, 25.0)
        self.assertEqual(mailing.hotel_holdout_count, 2)
        self.assertAlmostEqual(mailing.hotel_holdout_conversion_rate, 0.0)
        self.assertAlmostEqual(mailing.hotel_incremental_rate, 25.0)

    def test_holdout_and_incremental_conversion_with_known_numbers(self):
        """20 guests, 20 % held out: 6 of the 16 mailed and 1 of the 4 held-out guests book
        within the window; bookings before the mailing, after the window or cancelled do not
        count."""
        guests = self.Partner
        for i in range(20):
            guests |= self.consenting_guest(f"Known guest {i}", f"known{i}@example.com")
        mailing = self.make_mailing([("id", "in", guests.ids)], hotel_holdout_pct=20,
                                    campaign_id=self.campaign.id, hotel_window_days=30)
        mailing.action_send_mail()
        traces = self.env["mailing.trace"].search([("mass_mailing_id", "=", mailing.id)])
        traces.write({"trace_status": "sent", "sent_datetime": dt("2026-03-01 08:00:00")})
        mailing.sent_date = dt("2026-03-01 08:00:00")
        held = mailing.hotel_holdout_partner_ids
        mailed = self.mailed_partners(mailing)
        self.assertEqual((len(mailed), len(held)), (16, 4))
        for guest in mailed[:6]:
            self.make_stay(guest, "2026-04-20", booked_on=date(2026, 3, 15))
        self.make_stay(mailed[6], "2026-04-20", booked_on=date(2026, 2, 27))  # before
        self.make_stay(mailed[7], "2026-05-20", booked_on=date(2026, 4, 1))  # day 31
        self.make_stay(mailed[8], "2026-04-20", booked_on=date(2026, 3, 10), state="cancelled")
        self.make_stay(held[0], "2026-04-20", booked_on=date(2026, 3, 31))  # day 30: counts
        self.make_stay(held[1], "2026-05-20", booked_on=date(2026, 4, 2))
        mailing.invalidate_recordset()
        self.assertEqual(mailing.hotel_delivered_count, 16)
        self.assertEqual(mailing.hotel_converted_count, 6)
        self.assertAlmostEqual(mailing.hotel_conversion_rate, 37.5)
        self.assertEqual(mailing.hotel_holdout_count, 4)
        self.assertEqual(mailing.hotel_holdout_converted_count, 1)
        self.assertAlmostEqual(mailing.hotel_holdout_conversion_rate, 25.0)
        self.assertAlmostEqual(mailing.hotel_incremental_rate, 12.5)
        # Without opens or clicks nothing is attributed, whatever the conversion.
        self.env["hotel.marketing.attribution"]._hotel_recompute([self.campaign.id])
        mailing.invalidate_recordset()
        self.assertEqual(mailing.hotel_attributed_count, 0)
