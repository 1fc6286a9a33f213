from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import HotelCrmCase


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestGuestFigures(HotelCrmCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.guest = cls.make_guest("张伟")

    def test_figures_count_checked_out_and_in_house_stays_only(self):
        g = self.guest
        self.make_stay(g, "2024-03-01", nights=2, amount_room=1000, amount_fb=200,
                       booked_on=date(2024, 2, 20), room_type_id=self.suite.id)
        self.make_stay(g, "2026-01-10", nights=3, amount_room=1800, amount_other=300,
                       booked_on=date(2026, 1, 1))
        self.make_stay(g, "2026-06-29", nights=2, state="in_house", amount_room=1200,
                       booked_on=date(2026, 6, 29))
        self.make_stay(g, "2026-05-01", state="cancelled", amount_room=999)
        self.make_stay(g, "2026-05-05", state="no_show", amount_room=999)
        self.make_stay(g, "2026-08-01", state="booked", amount_room=999)

        self.assertEqual(g.stay_count, 3)
        self.assertEqual(g.night_count, 7)
        self.assertEqual(g.total_spend, 1200 + 2100 + 1200)
        self.assertEqual(g.stays_12m, 2)
        self.assertEqual(g.nights_12m, 5)
        self.assertEqual(g.spend_12m, 3300)
        self.assertEqual(g.first_stay_date, date(2024, 3, 1))
        self.assertEqual(g.last_stay_date, date(2026, 6, 29))
        lead_days = [(date(2024, 3, 1) - date(2024, 2, 20)).days, 9, 0]  # 2024 is a leap year
        self.assertAlmostEqual(g.avg_lead_days, round(sum(lead_days) / 3, 1))
        self.assertAlmostEqual(g.avg_los, round(7 / 3, 1))
        self.assertEqual(g.preferred_room_type_id, self.king)
        self.assertEqual(g.preferred_channel_id, self.ctrip)

    def test_figures_follow_changes_of_a_stay(self):
        stay = self.make_stay(self.guest, "2026-06-01", nights=2, amount_room=1000)
        self.assertEqual(self.guest.spend_12m, 1000)
        stay.amount_fb = 250
        self.assertEqual(self.guest.spend_12m, 1250)
        stay.state = "cancelled"
        self.assertEqual(self.guest.stay_count, 0)
        self.assertEqual(self.guest.spend_12m, 0)
        self.assertFalse(self.guest.last_stay_date)

    def test_moving_a_stay_to_another_guest_updates_both(self):
        other = self.make_guest("Emily Clark")
        stay = self.make_stay(self.guest, "2026-06-01")
        stay.partner_id = other
        self.assertEqual(self.guest.stay_count, 0)
        self.assertEqual(other.stay_count, 1)
        self.assertEqual(other.property_ids, self.property_a)

    def test_rolling_window_moves_with_the_daily_job(self):
        self.make_stay(self.guest, "2025-07-15", nights=2, amount_room=1000)
        self.assertEqual(self.guest.stays_12m, 1)
        with freeze_time("2026-08-01"):
            self.env["res.partner"]._cron_hotel_recompute_figures()
            self.assertEqual(self.guest.stays_12m, 0)
            self.assertEqual(self.guest.spend_12m, 0)
            self.assertEqual(self.guest.stay_count, 1)

    def test_properties_stayed_at_are_kept(self):
        self.make_stay(self.guest, "2026-01-01", company=self.property_a)
        stay_b = self.make_stay(self.guest, "2026-02-01", company=self.property_b)
        self.assertEqual(self.guest.property_ids, self.property_a | self.property_b)
        stay_b.unlink()
        self.assertEqual(self.guest.property_ids, self.property_a)

    def test_full_recompute_repairs_figures_written_around_the_orm(self):
        self.make_stay(self.guest, "2026-06-01", amount_room=700)
        self.env.cr.execute(
            "UPDATE res_partner SET stay_count = 99, spend_12m = 0 WHERE id = %s",
            [self.guest.id],
        )
        self.env["res.partner"].invalidate_model()
        self.assertEqual(self.guest.stay_count, 99)
        changed = self.env["res.partner"]._hotel_recompute_figures()
        self.assertGreaterEqual(changed, 1)
        self.assertEqual(self.guest.stay_count, 1)
        self.assertEqual(self.guest.spend_12m, 700)
        # nothing to change the second time: no row is rewritten
        self.assertEqual(self.env["res.partner"]._hotel_recompute_figures(), 0)

    def test_figures_of_stays_not_stored_yet_are_the_stored_figures(self):
        """An import computes a new guest's figures from its rows before storing them: on
        the same stays they are what the guest shows once they are stored, the 12-month
        window ending today when no date is given."""
        stays = [
            self.make_stay(self.guest, "2025-06-01", nights=3, amount_room=900,
                           booked_on=date(2025, 5, 1), room_type_id=self.suite.id),
            self.make_stay(self.guest, "2026-03-01", nights=1, amount_room=450,
                           booked_on=date(2026, 2, 27)),
            self.make_stay(self.guest, "2026-04-01", state="cancelled", amount_room=999),
        ]
        rows = [stay.read(["state", "check_in", "check_out", "nights", "lead_days",
                           "amount_company", "room_type_id", "channel_id"], load=None)[0]
                for stay in stays]
        figures = self.env["res.partner"]._hotel_figures_from_stays(rows)
        stored = self.guest.read(list(figures), load=None)[0]
        self.assertEqual(figures, {key: stored[key] for key in figures})
        self.assertEqual((figures["stays_12m"], figures["spend_12m"]), (1, 450))
        self.assertEqual(figures["stay_count"], 2)

    def test_stay_in_another_currency_counts_in_the_property_currency(self):
        usd = self.env.ref("base.USD")
        self.env["res.currency.rate"].create(
            {"name": "2026-01-01", "currency_id": usd.id, "company_id": self.property_a.id,
             "rate": 0.14}
        )
        stay = self.make_stay(self.guest, "2026-06-01", currency_id=usd.id, amount_room=140)
        self.assertAlmostEqual(stay.amount_company, 1000.0, places=2)
        self.assertAlmostEqual(self.guest.spend_12m, 1000.0, places=2)
