"""G2, S2: the front desk opens every stay of its property, and a guest's sensitive
(health) preferences stay hidden from users outside the sensitive-data group on every path
the web client and the external API offer: the stay form as the web client loads it
(get_views, web_read with the view's field specification, onchange), the guest's
preferences, domains on them (an oracle), read_group, export and name_search."""

import json

from odoo.exceptions import AccessError
from odoo.tests import Form, HttpCase, tagged
from odoo.tests.common import JsonRpcException

from .common import HotelCrmCase

SECRET = "PEANUT-7Q"


def password(user):
    return user.login + "x" * (8 - len(user.login))


@tagged("post_install", "-at_install")
class TestSensitivePreferencesOverRpc(HotelCrmCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.guest = cls.make_guest("过敏客人 Allergic Guest", is_vip=True)
        cls.stay = cls.make_stay(cls.guest, "2026-03-01", company=cls.property_a)
        Preference = cls.env["hotel.guest.preference"]
        cls.allergy = Preference.create({
            "partner_id": cls.guest.id,
            "category_id": cls.env.ref("hotel_crm.pref_cat_allergy").id,
            "value": f"{SECRET} 花生过敏 peanut allergy",
        })
        cls.pillow = Preference.create({
            "partner_id": cls.guest.id,
            "category_id": cls.env.ref("hotel_crm.pref_cat_pillow").id,
            "value": "荞麦枕 buckwheat pillow",
        })
        cls.not_sensitive = (cls.front_desk_a, cls.marketing)
        # export is a right of its own (base.group_allow_export): given, to try the path
        export = cls.env.ref("base.group_allow_export")
        for user in cls.not_sensitive:
            user.groups_id = [(4, export.id)]

    def rpc(self, user, model, method, *args, **kwargs):
        self.authenticate(user.login, password(user))
        context = {"allowed_company_ids": user.company_ids.ids, "lang": "en_US"}
        return self.make_jsonrpc_request("/web/dataset/call_kw", {
            "model": model, "method": method, "args": list(args),
            "kwargs": {"context": context, **kwargs},
        })

    def form_spec(self, user, record):
        """The field specification the web client sends for the form view the user gets
        (with the preferences' list, which the test Form leaves out of a read-only field)."""
        spec = dict(Form(record.with_user(user))._view["fields_spec"])
        spec["preference_ids"] = {"fields": {"category_id": {"fields": {"display_name": {}}},
                                             "value": {}, "note": {}}, "limit": 40}
        return spec

    def assertNoSecret(self, result, what):
        self.assertNotIn(SECRET, json.dumps(result, ensure_ascii=False), what)

    @staticmethod
    def command_ids(commands):
        """Record ids in a list of x2many commands or of records read by web_read."""
        ids = set()
        for item in commands or []:
            if isinstance(item, int):
                ids.add(item)
            elif isinstance(item, dict):
                ids.add(item["id"])
            elif isinstance(item, (list, tuple)) and len(item) > 1 and item[1]:
                ids.add(item[1])
        return ids

    def test_the_front_desk_and_marketing_open_the_stay_form_of_a_guest_with_an_allergy(self):
        for user in self.not_sensitive:
            views = self.rpc(user, "hotel.stay", "get_views", [[False, "form"]])
            self.assertIn("preference_ids", views["views"]["form"]["arch"])
            spec = self.form_spec(user, self.stay)
            self.assertIn("preference_ids", spec)
            [values] = self.rpc(user, "hotel.stay", "web_read", [self.stay.id],
                                specification=spec)
            self.assertEqual(self.command_ids(values["preference_ids"]), {self.pillow.id},
                             f"{user.login} sees the pillow, not the allergy")
            self.assertTrue(values["is_vip"])
            self.assertNoSecret(values, user.login)

    def test_onchange_of_the_stay_form_shows_no_sensitive_preference(self):
        for user in self.not_sensitive:
            spec = self.form_spec(user, self.stay)
            if user == self.front_desk_a:  # a new stay for the guest (marketing cannot create)
                result = self.rpc(user, "hotel.stay", "onchange", [],
                                  {"partner_id": self.guest.id}, ["partner_id"], spec)
                self.assertEqual(self.command_ids(result["value"].get("preference_ids")),
                                 {self.pillow.id})
                self.assertNoSecret(result, user.login)
            result = self.rpc(user, "hotel.stay", "onchange", [self.stay.id],
                              {"note": "late arrival"}, ["note"], spec)
            self.assertNotIn(self.allergy.id,
                             self.command_ids(result["value"].get("preference_ids")))
            self.assertNoSecret(result, user.login)

    def test_the_guest_s_preferences_hide_the_allergy(self):
        spec = {"hotel_preference_ids": {"fields": {"value": {}, "category_id": {}}}}
        for user in self.not_sensitive:
            [values] = self.rpc(user, "res.partner", "web_read", [self.guest.id],
                                specification=spec)
            self.assertEqual(self.command_ids(values["hotel_preference_ids"]),
                             {self.pillow.id})
            self.assertNoSecret(values, user.login)

    def test_a_domain_on_a_hidden_preference_is_no_oracle(self):
        for user in self.not_sensitive:
            self.assertEqual(self.rpc(
                user, "res.partner", "search_read",
                [("hotel_preference_ids.value", "ilike", SECRET)], fields=["name"]), [])
            self.assertEqual(self.rpc(
                user, "hotel.stay", "search_read",
                [("preference_ids.value", "ilike", SECRET)], fields=["booking_ref"]), [])
            self.assertEqual(self.rpc(
                user, "hotel.guest.preference", "search_count",
                [("value", "ilike", SECRET)]), 0)
            # the same domain finds the guest's visible preference: the search itself works
            self.assertEqual(len(self.rpc(
                user, "hotel.stay", "search_read",
                [("preference_ids.value", "ilike", "buckwheat")], fields=["booking_ref"])), 1)
        self.assertEqual(self.env["hotel.stay"].with_user(self.manager).search(
            [("preference_ids.value", "ilike", SECRET)]), self.stay)

    def test_read_group_export_and_name_search_hide_the_allergy(self):
        allergy_category = self.env.ref("hotel_crm.pref_cat_allergy").id
        for user in self.not_sensitive:
            groups = self.rpc(user, "hotel.guest.preference", "read_group",
                              [("partner_id", "=", self.guest.id)], ["value:count"],
                              ["category_id"])
            self.assertNotIn(allergy_category,
                             [g["category_id"][0] for g in groups if g["category_id"]])
            exported = self.rpc(user, "res.partner", "export_data", [self.guest.id],
                                ["name", "hotel_preference_ids/value"])
            self.assertIn("buckwheat", json.dumps(exported))
            self.assertNoSecret(exported, user.login)
            exported = self.rpc(user, "hotel.stay", "export_data", [self.stay.id],
                                ["booking_ref", "preference_ids/value",
                                 "preference_ids/category_id"])
            self.assertNoSecret(exported, user.login)
            self.assertEqual(self.rpc(user, "hotel.guest.preference", "name_search", "PEANUT"),
                             [])
            with self.assertRaises(JsonRpcException):
                self.rpc(user, "hotel.guest.preference", "read", [self.allergy.id], ["value"])

    def test_the_sensitive_data_group_sees_the_allergy_on_the_stay(self):
        spec = self.form_spec(self.manager, self.stay)
        [values] = self.rpc(self.manager, "hotel.stay", "web_read", [self.stay.id],
                            specification=spec)
        self.assertEqual(self.command_ids(values["preference_ids"]),
                         {self.pillow.id, self.allergy.id})


@tagged("post_install", "-at_install")
class TestSensitivePreferencesInTheOrm(HotelCrmCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.guest = cls.make_guest("过敏客人 Allergic Guest")
        cls.stay = cls.make_stay(cls.guest, "2026-03-01", company=cls.property_a)
        cls.allergy = cls.env["hotel.guest.preference"].create({
            "partner_id": cls.guest.id,
            "category_id": cls.env.ref("hotel_crm.pref_cat_allergy").id,
            "value": f"{SECRET} peanut allergy",
        })

    def test_the_stay_form_opens_for_the_front_desk_after_sudo_code_read_the_guest(self):
        # code running as superuser in the same transaction fills the guest's one2many with
        # every preference; the stay still shows the user only what the user may read
        self.assertIn(self.allergy, self.guest.sudo().hotel_preference_ids)
        form = Form(self.stay.with_user(self.front_desk_a))
        self.assertEqual(len(form.preference_ids), 0)
        self.assertEqual(self.stay.with_user(self.front_desk_a).preference_ids.ids, [])
        self.assertEqual(self.stay.with_user(self.manager).preference_ids, self.allergy)

    def test_a_preference_cannot_be_marked_not_sensitive_by_hand(self):
        Preference = self.env["hotel.guest.preference"].with_user(self.front_desk_a)
        allergy = self.env.ref("hotel_crm.pref_cat_allergy")
        with self.assertRaises(AccessError):
            Preference.create({"partner_id": self.guest.id, "category_id": allergy.id,
                               "value": "shellfish", "sensitive": False})
        pillow = Preference.create({
            "partner_id": self.guest.id,
            "category_id": self.env.ref("hotel_crm.pref_cat_pillow").id, "value": "feather",
        })
        with self.assertRaises(AccessError):
            pillow.write({"category_id": allergy.id, "sensitive": False})
        self.assertFalse(self.env["hotel.guest.preference"].search(
            [("category_id", "=", allergy.id), ("sensitive", "=", False)]))

    def test_a_preference_cannot_be_moved_to_a_guest_of_another_property(self):
        guest_b = self.make_guest("杭州客人 Guest B")
        self.make_stay(guest_b, "2026-03-01", company=self.property_b)
        pillow = self.env["hotel.guest.preference"].with_user(self.front_desk_a).create({
            "partner_id": self.guest.id,
            "category_id": self.env.ref("hotel_crm.pref_cat_pillow").id, "value": "feather",
        })
        with self.assertRaises(AccessError):
            pillow.write({"partner_id": guest_b.id})
        self.assertEqual(pillow.partner_id, self.guest)
