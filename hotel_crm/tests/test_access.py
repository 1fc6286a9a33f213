from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import HotelCrmCase


@tagged("post_install", "-at_install")
class TestAccess(HotelCrmCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.guest_a = cls.make_guest("北京客人 Guest A")
        cls.guest_b = cls.make_guest("杭州客人 Guest B")
        cls.guest_ab = cls.make_guest("两地客人 Guest AB")
        cls.stay_a = cls.make_stay(cls.guest_a, "2026-03-01", company=cls.property_a)
        cls.stay_b = cls.make_stay(cls.guest_b, "2026-03-01", company=cls.property_b)
        cls.make_stay(cls.guest_ab, "2026-03-01", company=cls.property_a)
        cls.make_stay(cls.guest_ab, "2026-04-01", company=cls.property_b)
        cls.allergy = cls.env["hotel.guest.preference"].create(
            {"partner_id": cls.guest_ab.id,
             "category_id": cls.env.ref("hotel_crm.pref_cat_allergy").id,
             "value": "花生过敏 peanuts"}
        )
        cls.pillow = cls.env["hotel.guest.preference"].create(
            {"partner_id": cls.guest_ab.id,
             "category_id": cls.env.ref("hotel_crm.pref_cat_pillow").id,
             "value": "荞麦枕 buckwheat"}
        )

    def test_front_desk_sees_only_the_stays_of_its_property(self):
        stays = self.env["hotel.stay"].with_user(self.front_desk_a).search([])
        self.assertIn(self.stay_a, stays)
        self.assertNotIn(self.stay_b, stays)
        with self.assertRaises(AccessError):
            self.stay_b.with_user(self.front_desk_a).read(["booking_ref"])

    def test_guest_is_visible_to_every_property_they_stayed_at(self):
        Partner = self.env["res.partner"]
        seen_a = Partner.with_user(self.front_desk_a).search([("is_guest", "=", True)])
        seen_b = Partner.with_user(self.front_desk_b).search([("is_guest", "=", True)])
        self.assertIn(self.guest_ab, seen_a)
        self.assertIn(self.guest_ab, seen_b)
        self.assertIn(self.guest_a, seen_a)
        self.assertNotIn(self.guest_a, seen_b)
        self.assertNotIn(self.guest_b, seen_a)
        with self.assertRaises(AccessError):
            self.guest_b.with_user(self.front_desk_a).read(["name"])

    def test_a_new_guest_without_stays_is_visible_to_the_front_desk(self):
        walk_in = self.env["res.partner"].with_user(self.front_desk_a).create(
            {"name": "新客人 New Guest", "is_guest": True}
        )
        self.assertTrue(walk_in.with_user(self.front_desk_b).read(["name"]))

    def test_front_desk_cannot_record_a_stay_for_another_property(self):
        with self.assertRaises(AccessError):
            self.make_stay(self.guest_a, "2026-05-01", company=self.property_b).with_user(
                self.front_desk_a
            ).write({"note": "x"})
        with self.assertRaises(AccessError):
            self.env["hotel.stay"].with_user(self.front_desk_a).create(
                {"partner_id": self.guest_a.id, "company_id": self.property_b.id,
                 "channel_id": self.walk_in.id, "booking_ref": "X1",
                 "check_in": "2026-05-01", "check_out": "2026-05-02"}
            )

    def test_roles_on_stays(self):
        self.stay_a.with_user(self.front_desk_a).write({"note": "late arrival"})
        with self.assertRaises(AccessError):
            self.stay_a.with_user(self.front_desk_a).unlink()
        with self.assertRaises(AccessError):
            self.stay_a.with_user(self.marketing).write({"note": "x"})
        self.assertEqual(self.stay_a.with_user(self.marketing).booking_ref, self.stay_a.booking_ref)
        self.stay_a.with_user(self.manager).unlink()
        self.assertFalse(self.stay_a.exists())

    def test_allergies_only_for_the_sensitive_data_group(self):
        for user in (self.front_desk_a, self.front_desk_b, self.marketing, self.guest_relations):
            prefs = self.guest_ab.with_user(user).hotel_preference_ids
            self.assertEqual(prefs, self.pillow, f"{user.login} must not see allergies")
            with self.assertRaises(AccessError):
                self.allergy.with_user(user).read(["value"])
        self.assertEqual(self.guest_ab.with_user(self.manager).hotel_preference_ids,
                         self.allergy | self.pillow)

    def test_preferences_follow_the_guest_s_properties(self):
        pref_b = self.env["hotel.guest.preference"].create(
            {"partner_id": self.guest_b.id,
             "category_id": self.env.ref("hotel_crm.pref_cat_floor").id,
             "value": "高楼层 high floor"}
        )
        Pref = self.env["hotel.guest.preference"]
        self.assertNotIn(pref_b, Pref.with_user(self.front_desk_a).search([]))
        self.assertIn(pref_b, Pref.with_user(self.front_desk_b).search([]))
        self.assertIn(self.pillow, Pref.with_user(self.front_desk_a).search([]))
        with self.assertRaises(AccessError):
            pref_b.with_user(self.front_desk_a).read(["value"])

    def test_only_managers_configure_the_crm(self):
        rule = self.env.ref("hotel_crm.tag_rule_frequent_guest")
        for user in (self.front_desk_a, self.guest_relations, self.marketing):
            with self.assertRaises(AccessError):
                rule.with_user(user).write({"threshold": 1})
            with self.assertRaises(AccessError):
                self.ctrip.with_user(user).write({"name": "x"})
        rule.with_user(self.manager).write({"threshold": 4})
        self.assertEqual(rule.threshold, 4)

    def test_users_outside_the_hotel_groups_see_no_stays(self):
        from odoo.tests import new_test_user

        clerk = new_test_user(self.env, login="clerk", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.env["hotel.stay"].with_user(clerk).search([])
