"""What a script on the external API can do with hotel_crm, as its users (S1, S2, G4, M5):
derived values are not writable, a context key grants nothing, public methods check their
caller, and a stay neither reveals a guest of another property nor moves to one."""

import xmlrpc.client

from odoo.tests import HttpCase, new_test_user, tagged

from .common import HotelCrmCase


def password(user):
    return user.login + "x" * (8 - len(user.login))


@tagged("post_install", "-at_install")
class TestApiHardening(HotelCrmCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.guest_a = cls.make_guest("北京客人 API Guest A", email="guest.a@example.com")
        cls.guest_b = cls.make_guest("杭州客人 API Guest B")
        cls.stay_a = cls.make_stay(cls.guest_a, "2026-03-01", company=cls.property_a)
        cls.stay_b = cls.make_stay(cls.guest_b, "2026-03-01", company=cls.property_b)
        cls.clerk = new_test_user(cls.env, login="clerk_x", groups="base.group_user")

    def call(self, user, model, method, *args, context=None, **kwargs):
        if context is not None:
            kwargs["context"] = context
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, user.id, password(user), model, method, list(args), kwargs)

    def assertFault(self, user, model, method, *args, **kwargs):
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            self.call(user, model, method, *args, **kwargs)
        return caught.exception

    def new_stay_values(self, guest, company, ref, **vals):
        return {"partner_id": guest.id, "company_id": company.id,
                "channel_id": self.walk_in.id, "booking_ref": ref,
                "check_in": "2026-05-01", "check_out": "2026-05-04",
                "booked_on": "2026-04-01", "state": "checked_out", "amount_room": 900, **vals}

    # -- derived values of the guest ------------------------------------------------------
    def test_a_front_desk_script_cannot_write_a_guest_s_figures_properties_or_consent(self):
        before = self.guest_a.read(["stay_count", "total_spend", "property_ids"])[0]
        for vals in ({"stay_count": 99}, {"total_spend": 1e6}, {"spend_12m": 1e6},
                     {"last_stay_date": "2026-12-01"}, {"avg_los": 30.0},
                     {"preferred_channel_id": self.booking.id},
                     {"property_ids": [(6, 0, [])]},
                     {"property_ids": [(4, self.property_b.id)]},
                     {"email_consent": "granted"}, {"sms_consent": "granted"},
                     {"is_relay_email": False}):
            self.assertFault(self.front_desk_a, "res.partner", "write", [self.guest_a.id], vals)
        self.guest_a.invalidate_recordset()
        self.assertEqual(self.guest_a.read(["stay_count", "total_spend", "property_ids"])[0],
                         before)
        self.assertFalse(self.guest_a.email_consent)
        # nor preset them on a new guest
        self.assertFault(self.front_desk_a, "res.partner", "create",
                         {"name": "新客 New", "is_guest": True, "email_consent": "granted",
                          "email": "new@example.com"})
        self.assertFault(self.front_desk_a, "res.partner", "create",
                         {"name": "新客 New", "is_guest": True, "stay_count": 50})

    def test_a_copied_guest_starts_without_figures_or_properties(self):
        copy = self.guest_a.copy()
        self.assertEqual((copy.stay_count, copy.total_spend, copy.property_ids.ids),
                         (0, 0.0, []))

    # -- derived values of the stay -------------------------------------------------------
    def test_a_front_desk_script_cannot_write_a_stay_s_nights_or_totals(self):
        for vals in ({"nights": 30}, {"amount_total": 99999}, {"amount_company": 99999},
                     {"lead_days": 300}, {"channel_type": "direct"}):
            self.assertFault(self.front_desk_a, "hotel.stay", "write", [self.stay_a.id], vals)
        self.assertFault(self.front_desk_a, "hotel.stay", "create",
                         self.new_stay_values(self.guest_a, self.property_a, "N1", nights=40,
                                              amount_company=1e6))
        self.stay_a.invalidate_recordset()
        self.assertEqual((self.stay_a.nights, self.guest_a.night_count), (2, 2))

    # -- context keys ---------------------------------------------------------------------
    def test_a_forged_figures_current_key_leaves_no_figure_stale(self):
        forged = {"hotel_figures_current": [self.guest_a.id]}
        self.call(self.front_desk_a, "hotel.stay", "create",
                  self.new_stay_values(self.guest_a, self.property_a, "F1"), context=forged)
        self.guest_a.invalidate_recordset()
        self.assertEqual((self.guest_a.stay_count, self.guest_a.night_count), (2, 5))
        # a refresh with the forged key still refreshes
        self.env.cr.execute("UPDATE res_partner SET stay_count = 0 WHERE id = %s",
                            [self.guest_a.id])
        self.guest_a.invalidate_recordset()
        self.call(self.front_desk_a, "res.partner", "action_hotel_refresh_figures",
                  [self.guest_a.id], context=forged)
        self.guest_a.invalidate_recordset()
        self.assertEqual(self.guest_a.stay_count, 2)

    # -- public methods -------------------------------------------------------------------
    def test_refresh_figures_is_for_hotel_users_and_their_own_guests(self):
        fault = self.assertFault(self.clerk, "res.partner", "action_hotel_refresh_figures",
                                 [self.guest_a.id])
        self.assertEqual(fault.faultCode, 4, fault.faultString)  # an access error
        self.assertFault(self.front_desk_a, "res.partner", "action_hotel_refresh_figures",
                         [self.guest_b.id])
        self.assertTrue(self.call(self.front_desk_a, "res.partner",
                                  "action_hotel_refresh_figures", [self.guest_a.id]))

    def test_only_a_manager_applies_the_tag_rules_to_all_guests(self):
        rule = self.env.ref("hotel_crm.tag_rule_frequent_guest")
        for user in (self.front_desk_a, self.marketing, self.guest_relations):
            self.assertFault(user, "hotel.guest.tag.rule", "action_apply", [rule.id])
        self.assertTrue(self.call(self.manager, "hotel.guest.tag.rule", "action_apply",
                                  [rule.id]))

    # -- stays and the guests they reveal -------------------------------------------------
    def test_a_stay_cannot_reveal_a_guest_of_another_property(self):
        self.assertFault(self.front_desk_a, "hotel.stay", "create",
                         self.new_stay_values(self.guest_b, self.property_a, "R1"))
        self.assertFault(self.front_desk_a, "hotel.stay", "write", [self.stay_a.id],
                         {"partner_id": self.guest_b.id})
        self.assertFault(self.front_desk_a, "res.partner", "read", [self.guest_b.id], ["name"])
        self.assertEqual(self.guest_b.property_ids, self.property_b)

    def test_a_stay_cannot_be_moved_to_another_property(self):
        self.assertFault(self.front_desk_a, "hotel.stay", "write", [self.stay_a.id],
                         {"company_id": self.property_b.id})
        self.assertEqual(self.stay_a.company_id, self.property_a)

    def test_a_booking_reference_of_another_property_is_not_revealed(self):
        fault = self.assertFault(self.front_desk_a, "hotel.stay", "create",
                                 self.new_stay_values(self.guest_a, self.property_b,
                                                      self.stay_b.booking_ref,
                                                      channel_id=self.ctrip.id))
        self.assertNotIn(self.stay_b.booking_ref, fault.faultString)
        self.assertNotIn("already exists", fault.faultString)

    # -- consent --------------------------------------------------------------------------
    def test_a_consent_is_recorded_in_the_name_of_its_caller(self):
        consent_id = self.call(self.front_desk_a, "hotel.guest.consent", "create", {
            "partner_id": self.guest_a.id, "channel": "email", "granted": True,
            "source": "front_desk", "user_id": self.manager.id,
        })
        consent = self.env["hotel.guest.consent"].browse(consent_id)
        self.assertEqual(consent.user_id, self.front_desk_a)
        self.assertEqual(self.guest_a.email_consent, "granted")
        self.assertFault(self.front_desk_a, "hotel.guest.consent", "write", [consent_id],
                         {"date": "2020-01-01 00:00:00"})

    def test_marketing_cannot_grant_consent_in_a_guest_s_name_but_records_a_withdrawal(self):
        """Consent decides who marketing may mail: marketing cannot give it to itself."""
        fault = self.assertFault(self.marketing, "hotel.guest.consent", "create", {
            "partner_id": self.guest_a.id, "channel": "email", "granted": True,
            "source": "guest_request",
        }, context={"hotel_loyalty_system": True, "hotel_audit_skip": True})
        self.assertIn("record a withdrawal", fault.faultString)
        self.guest_a.invalidate_recordset()
        self.assertFalse(self.guest_a.email_consent)
        consent_id = self.call(self.marketing, "hotel.guest.consent", "create", {
            "partner_id": self.guest_a.id, "channel": "email", "granted": False,
            "source": "guest_request",
        })
        self.assertTrue(consent_id)
        self.guest_a.invalidate_recordset()
        self.assertEqual(self.guest_a.email_consent, "withdrawn")
