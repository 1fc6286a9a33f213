from datetime import date, timedelta

from odoo.tests import tagged
from odoo.tools import SQL

from .common import HotelMarketingCase


@tagged("post_install", "-at_install")
class TestRecommendation(HotelMarketingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bar = cls.env.ref("hotel_crm.rate_plan_bar")
        guests = cls.Partner
        day = iter(range(1, 400))

        def stay(guest, **vals):
            # One stay every three days: each guest's stays follow each other in time.
            return cls.make_stay(guest, date(2025, 1, 1) + timedelta(days=3 * next(day)), **vals)

        # Diners who went on to the spa (their spa stay is the last one: held out).
        cls.diners = cls.Partner
        for n in range(4):
            guest = cls.make_guest(f"Diner {n}")
            stay(guest, amount_fb=300)
            stay(guest, amount_other=500)
            cls.diners |= guest
        # Guests whose history already shows dining and spa together.
        for n in range(3):
            guest = cls.make_guest(f"Spa regular {n}")
            stay(guest, amount_fb=200)
            stay(guest, amount_other=400)
            stay(guest)
            guests |= guest
        # The popular choice: suites on the best available rate.
        for n in range(6):
            guest = cls.make_guest(f"Suite guest {n}")
            stay(guest, room_type_id=cls.suite.id, rate_plan_id=cls.bar.id)
            stay(guest, room_type_id=cls.suite.id, rate_plan_id=cls.bar.id)
            guests |= guest
        cls.newcomer = cls.make_guest("Newcomer who dined")
        stay(cls.newcomer, amount_fb=150)
        guests |= cls.diners | cls.newcomer
        cls.env.flush_all()
        cls.env.cr.execute(SQL(
            "UPDATE hotel_stay SET state = 'cancelled' WHERE partner_id <> ALL(%s)", guests.ids))

    def test_diner_is_offered_the_spa_first(self):
        Recommendation = self.env["hotel.recommendation"]
        keys = Recommendation._hotel_recommend(self.newcomer.id)
        self.assertEqual(keys[0], "other")
        self.assertNotIn("fb", keys, "nothing the guest already had")
        self.assertTrue(self.newcomer.hotel_recommendation_text.startswith("Spa and wellness"))

    def test_guest_without_history_gets_the_popular_items(self):
        keys = self.env["hotel.recommendation"]._hotel_recommend(self.ok.id, limit=2)
        # Most guests stayed in a king room (8) and dined (8): the popular items.
        self.assertEqual(set(keys), {"fb", f"room:{self.king.id}"})

    def test_offline_hit_rate_beats_popularity_on_held_out_stays(self):
        result = self.env["hotel.recommendation"]._hotel_evaluate(limit=1)
        self.assertEqual(result["guests"], 4, "the four diners bring a new item")
        self.assertEqual(result["model_hit_rate"], 100.0)
        self.assertEqual(result["popularity_hit_rate"], 0.0)

    def test_recommendation_is_a_template_placeholder(self):
        template = self.env.ref("hotel_marketing.mail_template_pre_arrival")
        body = template._render_field("body_html", self.newcomer.ids)[self.newcomer.id]
        self.assertIn("Spa and wellness", body)
