from datetime import date

from odoo.tests import tagged

from .common import HotelMarketingCase, dt


@tagged("post_install", "-at_install")
class TestCampaignCurrency(HotelMarketingCase):
    """A campaign reports cost, revenue and ROI in its own currency; revenue earned at a
    property with another currency is converted with that property's rates of the day."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cny = cls.env.ref("base.CNY")
        cls.usd = cls.env.ref("base.USD")
        cls.usd.active = True
        cls.property_usd = cls.env["res.company"].create(
            {"name": "Test Hotel Singapore", "currency_id": cls.usd.id})
        Rate = cls.env["res.currency.rate"]
        # 1 USD = 7.20 CNY on 2026-03-01 (and 8 before), as each property records it (its
        # own currency at 1, so that rates of other companies or global ones play no part).
        for company, rates in (
            (cls.property_a, [(cls.cny, 1.0, "2026-01-01"), (cls.usd, 1 / 8.0, "2026-01-01"),
                              (cls.usd, 1 / 7.2, "2026-03-01")]),
            (cls.property_usd, [(cls.usd, 1.0, "2026-01-01"), (cls.cny, 8.0, "2026-01-01"),
                                (cls.cny, 7.2, "2026-03-01")]),
        ):
            for currency, rate, day in rates:
                Rate.create({"currency_id": currency.id, "rate": rate, "name": day,
                             "company_id": company.id})
        cls.campaign = cls.env["utm.campaign"].create(
            {"title": "Asia spring", "hotel_cost": 1000, "hotel_currency_id": cls.cny.id})
        cls.mailing = cls.make_mailing([("is_guest", "=", True)], campaign_id=cls.campaign.id)
        cls.mailing.write({"state": "done", "sent_date": dt("2026-03-01 08:00:00")})
        cls.singapore = cls.consenting_guest("Tan Wei", "tanwei@example.com")
        for guest in (cls.ok, cls.singapore):
            cls.make_trace(cls.mailing, guest, dt("2026-03-01 08:00:00"),
                           opened=dt("2026-03-02 09:00:00"))
        # 1,200 CNY in Beijing, 100 USD in Singapore (= 720 CNY at the booking date).
        cls.beijing_stay = cls.make_stay(cls.ok, "2026-04-10", booked_on=date(2026, 3, 20))
        cls.singapore_stay = cls.make_stay(
            cls.singapore, "2026-04-10", nights=1, company=cls.property_usd,
            booked_on=date(2026, 3, 20), amount_room=100.0)
        cls.Attribution = cls.env["hotel.marketing.attribution"]
        cls.Attribution._hotel_recompute([cls.campaign.id])

    def test_revenue_of_two_currencies_is_converted_into_the_campaign_currency(self):
        self.assertEqual(self.beijing_stay.amount_company, 1200.0)
        self.assertEqual(self.singapore_stay.amount_company, 100.0)
        row = self.Attribution.search([("stay_id", "=", self.singapore_stay.id)])
        self.assertEqual((row.property_revenue, row.property_currency_id), (100.0, self.usd))
        self.assertEqual((row.revenue, row.currency_id), (720.0, self.cny))
        self.assertEqual(self.campaign.hotel_conversion_count, 2)
        self.assertAlmostEqual(self.campaign.hotel_revenue, 1920.0)
        self.assertAlmostEqual(self.campaign.hotel_roi, 92.0)
        self.assertEqual(self.mailing.hotel_currency_id, self.cny)
        self.assertAlmostEqual(self.mailing.hotel_attributed_revenue, 1920.0)
        report = self.env["hotel.marketing.performance"].search(
            [("mailing_id", "=", self.mailing.id)])
        self.assertEqual((report.revenue, report.currency_id), (1920.0, self.cny))

    def test_changing_the_campaign_currency_converts_everything_again(self):
        self.campaign.hotel_currency_id = self.usd
        self.campaign.invalidate_recordset()
        self.mailing.invalidate_recordset()
        self.assertEqual(self.mailing.hotel_currency_id, self.usd)
        # 1,200 CNY / 7.2 = 166.67 USD, plus the 100 USD earned in Singapore.
        self.assertAlmostEqual(self.campaign.hotel_revenue, 266.67)
        self.assertAlmostEqual(self.mailing.hotel_attributed_revenue, 266.67)
        report = self.env["hotel.marketing.performance"].search(
            [("mailing_id", "=", self.mailing.id)])
        self.assertEqual(report.currency_id, self.usd)
        self.assertAlmostEqual(report.revenue, 266.67)


@tagged("post_install", "-at_install")
class TestWeightedRates(HotelMarketingCase):
    """Grouped performance rows weigh each mailing by its delivered mails."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.campaign = cls.env["utm.campaign"].create({"title": "Weighted"})
        guests = cls.Partner.create([
            {"name": f"Reader {i}", "email": f"reader{i}@example.com", "is_guest": True}
            for i in range(100)
        ])
        sent = dt("2026-03-01 08:00:00")
        # A small mailing: 2 delivered, both opened and clicked (100 %).
        cls.small = cls.make_mailing([("is_guest", "=", True)], campaign_id=cls.campaign.id)
        cls.small.write({"state": "done", "sent_date": sent})
        for guest in guests[:2]:
            cls.make_trace(cls.small, guest, sent, opened=dt("2026-03-01 09:00:00"),
                           clicked=dt("2026-03-01 09:01:00"))
        # A large one: 100 delivered, 10 opened, 4 clicked.
        cls.large = cls.make_mailing([("is_guest", "=", True)], campaign_id=cls.campaign.id)
        cls.large.write({"state": "done", "sent_date": dt("2026-03-20 08:00:00")})
        for index, guest in enumerate(guests):
            opened = dt("2026-03-21 09:00:00") if index < 10 else None
            clicked = dt("2026-03-21 09:00:00") if index < 4 else None
            cls.make_trace(cls.large, guest, sent, opened=opened, clicked=clicked)
        # 3 of the large mailing's readers book within the window.
        for guest in guests[:3]:
            cls.make_stay(guest, "2026-04-10", booked_on=date(2026, 3, 25))
        cls.env["hotel.marketing.attribution"]._hotel_recompute([cls.campaign.id])
        cls.Performance = cls.env["hotel.marketing.performance"]
        cls.domain = [("mailing_id", "in", (cls.small | cls.large).ids)]

    def test_each_mailing_keeps_its_own_rates(self):
        small = self.Performance.search([("mailing_id", "=", self.small.id)])
        large = self.Performance.search([("mailing_id", "=", self.large.id)])
        self.assertEqual((small.open_rate, small.click_rate), (100.0, 100.0))
        self.assertEqual((large.open_rate, large.click_rate, large.conversion_rate),
                         (10.0, 4.0, 3.0))

    def test_grouped_rows_are_weighted_by_delivered_mails(self):
        fields = ["delivered:sum", "opened:sum", "open_rate:avg", "click_rate:avg",
                  "conversion_rate:avg", "conversions:sum"]
        # As the pivot and the grouped list ask for them (per campaign, per month).
        by_campaign = self.Performance.read_group(self.domain, fields, ["campaign_id"])
        self.assertEqual(len(by_campaign), 1)
        group = by_campaign[0]
        self.assertEqual((group["delivered"], group["opened"], group["conversions"]),
                         (102, 12, 3))
        self.assertAlmostEqual(group["open_rate"], 100.0 * 12 / 102)  # not (100 + 10) / 2
        self.assertAlmostEqual(group["click_rate"], 100.0 * 6 / 102)
        self.assertAlmostEqual(group["conversion_rate"], 100.0 * 3 / 102)
        by_month = self.Performance.read_group(self.domain, fields, ["sent_on:month"])
        self.assertEqual(len(by_month), 1)
        self.assertAlmostEqual(by_month[0]["open_rate"], 100.0 * 12 / 102)
        # The ORM's own grouping agrees, and the total row (no group) too.
        [(rate,)] = self.Performance._read_group(self.domain, [], ["open_rate:avg"])
        self.assertAlmostEqual(rate, 100.0 * 12 / 102)
        # Other aggregates are left alone.
        [(top,)] = self.Performance._read_group(self.domain, [], ["open_rate:max"])
        self.assertEqual(top, 100.0)
