from datetime import date, timedelta

from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestGuestTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        new_test_user(
            cls.env, login="tour_front_desk", password="tour_front_desk",
            groups="base.group_user,hotel_crm.group_hotel_front_desk",
            company_id=company.id, company_ids=[(6, 0, company.ids)],
        )
        guest = cls.env["res.partner"].create(
            {"name": "欧阳娜娜 Tour Guest", "is_guest": True, "guest_type": "business",
             "is_vip": True}
        )
        cls.env["hotel.guest.preference"].create(
            {"partner_id": guest.id, "category_id": cls.env.ref("hotel_crm.pref_cat_pillow").id,
             "value": "荞麦枕 buckwheat pillow"}
        )
        # The browser runs on the real clock, so the stays are placed relative to today:
        # three stays in the last 90 days make a frequent guest.
        today = date.today()
        for n in range(3):
            check_in = today - timedelta(days=30 * (n + 1))
            cls.env["hotel.stay"].create(
                {"partner_id": guest.id, "company_id": company.id,
                 "channel_id": cls.env.ref("hotel_crm.channel_website").id,
                 "booking_ref": f"TOUR-{n}", "check_in": check_in,
                 "check_out": check_in + timedelta(days=2),
                 "state": "checked_out", "amount_room": 1500}
            )

    def test_front_desk_opens_a_guest_and_sees_preferences_figures_and_tags(self):
        self.start_tour("/odoo/action-hotel_crm.hotel_guest_action", "hotel_crm_guest_tour",
                        login="tour_front_desk")
