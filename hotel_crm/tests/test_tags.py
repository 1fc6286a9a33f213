from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import HotelCrmCase


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestGuestTags(HotelCrmCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.frequent = cls.env.ref("hotel_crm.tag_frequent_guest")
        cls.high_spender = cls.env.ref("hotel_crm.tag_high_spender")
        cls.vip = cls.env.ref("hotel_crm.tag_vip")
        cls.guest = cls.make_guest("陈静")

    def test_third_stay_in_twelve_months_makes_a_frequent_guest(self):
        self.make_stay(self.guest, "2026-01-05")
        self.make_stay(self.guest, "2026-03-05")
        self.assertNotIn(self.frequent, self.guest.category_id)
        third = self.make_stay(self.guest, "2026-05-05")
        self.assertIn(self.frequent, self.guest.category_id)
        third.state = "cancelled"
        self.assertNotIn(self.frequent, self.guest.category_id)

    def test_high_spender_from_twenty_thousand_in_twelve_months(self):
        stay = self.make_stay(self.guest, "2026-02-01", nights=5, amount_room=19999.99)
        self.assertNotIn(self.high_spender, self.guest.category_id)
        stay.amount_fb = 0.01
        self.assertIn(self.high_spender, self.guest.category_id)

    def test_tags_fall_away_when_stays_leave_the_window(self):
        for month in (8, 9, 10):
            self.make_stay(self.guest, f"2025-{month:02d}-01")
        self.assertIn(self.frequent, self.guest.category_id)
        with freeze_time("2026-09-15"):
            self.env["res.partner"]._cron_hotel_recompute_figures()
            self.assertNotIn(self.frequent, self.guest.category_id)

    def test_vip_flag_gives_the_vip_tag(self):
        self.guest.is_vip = True
        self.assertIn(self.vip, self.guest.category_id)
        self.guest.is_vip = False
        self.assertNotIn(self.vip, self.guest.category_id)

    def test_manager_adds_a_filter_rule(self):
        tag = self.env["res.partner.category"].create({"name": "商务常客"})
        rule = self.env["hotel.guest.tag.rule"].with_user(self.manager).create(
            {"name": "Business guests", "tag_id": tag.id, "rule_type": "domain",
             "domain": "[('guest_type', '=', 'business')]"}
        )
        business = self.make_guest("赵磊", guest_type="business")
        leisure = self.make_guest("Tom Baker", guest_type="leisure")
        rule.action_apply()
        self.assertIn(tag, business.category_id)
        self.assertNotIn(tag, leisure.category_id)
        self.assertEqual(rule.guest_count, 1)

    def test_a_rule_with_a_broken_filter_is_refused(self):
        tag = self.env["res.partner.category"].create({"name": "Broken"})
        with self.assertRaisesRegex(ValidationError, "cannot be used"):
            self.env["hotel.guest.tag.rule"].create(
                {"name": "Broken", "tag_id": tag.id, "rule_type": "domain",
                 "domain": "[('no_such_field', '=', 1)]"}
            )

    def test_rules_do_not_touch_tags_of_partners_that_are_not_guests(self):
        supplier = self.env["res.partner"].create(
            {"name": "Linen Supplier", "category_id": [(4, self.frequent.id)]}
        )
        self.env["res.partner"]._cron_hotel_recompute_figures()
        self.assertIn(self.frequent, supplier.category_id)
