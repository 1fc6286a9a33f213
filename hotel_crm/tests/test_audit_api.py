"""The audit trail (S4) over the external API: complete for every caller, append-only for
every caller, whatever context an RPC client sends; the privacy wizards' entry points."""

import json
import xmlrpc.client
from datetime import date

from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.hotel_crm.tools.trusted import trusted

PHOTO = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJ"
         "RU5ErkJggg==")


@tagged("post_install", "-at_install")
class TestAuditTrailOverTheApi(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cny = env.ref("base.CNY")
        cny.active = True
        cls.beijing = env["res.company"].create({"name": "Audit Hotel Beijing",
                                                 "currency_id": cny.id})
        cls.hangzhou = env["res.company"].create({"name": "Audit Resort Hangzhou",
                                                  "currency_id": cny.id})

        def user(login, group, companies):
            return new_test_user(
                env, login=login, password=login + "_secret",
                groups="base.group_user," + group, company_id=companies[0].id,
                company_ids=[(6, 0, companies.ids)],
            )

        cls.front_desk = user("audit_fd", "hotel_crm.group_hotel_front_desk", cls.beijing)
        cls.manager = user("audit_mgr", "hotel_crm.group_hotel_manager",
                           cls.beijing | cls.hangzhou)
        cls.manager_hz = user("audit_mgr_hz", "hotel_crm.group_hotel_manager", cls.hangzhou)
        cls.guest = env["res.partner"].create({
            "name": "审计 客人", "is_guest": True, "email": "audit.guest@example.com",
        })
        env["hotel.stay"].create({
            "partner_id": cls.guest.id, "company_id": cls.beijing.id,
            "channel_id": env.ref("hotel_crm.channel_walk_in").id, "booking_ref": "AUD-1",
            "check_in": date(2026, 5, 1), "check_out": date(2026, 5, 3),
            "booked_on": date(2026, 4, 1), "state": "checked_out", "amount_room": 1000,
        })

    def call(self, user, model, method, *args, **kwargs):
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, user.id, user.login + "_secret", model, method, list(args),
            kwargs,
        )

    def assertFault(self, *call, **kwargs):
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            self.call(*call, **kwargs)
        return caught.exception

    def logs(self, **domain):
        return self.env["hotel.audit.log"].search(
            [("partner_id", "=", self.guest.id)] + [(k, "=", v) for k, v in domain.items()])

    # ------------------------------------------------------------------ complete
    def test_a_context_key_does_not_keep_a_change_out_of_the_audit_trail(self):
        self.call(self.front_desk, "res.partner", "write", [self.guest.id],
                  {"name": "审计 改名", "email": "changed@example.com"},
                  context={"hotel_audit_skip": True})
        log = self.logs(action="write")
        self.assertEqual(len(log), 1)
        self.assertEqual(log.user_id, self.front_desk)
        self.assertEqual(json.loads(log.old_values),
                         {"name": "审计 客人", "email": "audit.guest@example.com"})
        self.assertEqual(json.loads(log.new_values),
                         {"name": "审计 改名", "email": "changed@example.com"})

    def test_superuser_code_does_not_keep_a_change_out_of_the_audit_trail(self):
        self.guest.sudo().with_context(hotel_audit_skip=True).write({"phone": "010-1111111"})
        self.assertEqual(self.logs(action="write").field_names, "Phone")

    def test_every_personal_field_of_the_guest_is_audited(self):
        tag = self.env["res.partner.category"].create({"name": "Audit tag"})
        values = {"website": "https://audit.example.com", "function": "CFO",
                  "state_id": self.env.ref("base.state_us_1").id, "ref": "G-1",
                  "company_name": "Audit Co", "category_id": [(6, 0, tag.ids)],
                  "image_1920": PHOTO}
        self.call(self.front_desk, "res.partner", "write", [self.guest.id], values)
        logged = json.loads(self.logs(action="write").new_values)
        self.assertEqual(set(logged), set(values))
        self.assertEqual(logged["category_id"], "Audit tag")
        # the photo is logged by a fingerprint, not copied into the log
        self.assertTrue(logged["image_1920"].startswith("sha256:"))
        self.assertLess(len(logged["image_1920"]), 30)
        # the proof of a consent is part of its logged creation
        self.guest._hotel_set_consent("email", True, "front_desk", proof="card 42")
        consent = self.logs(action="create", model="hotel.guest.consent")
        self.assertEqual(json.loads(consent.new_values)["proof"], "card 42")

    # ------------------------------------------------------------------ append-only
    def test_nobody_rewrites_or_deletes_the_audit_trail_over_the_api(self):
        self.guest.write({"mobile": "+86 139 0000 0000"})
        log = self.logs(action="write")
        for context in ({}, {"hotel_audit_skip": True}):
            for user in (self.manager, self.front_desk):
                self.assertFault(user, "hotel.audit.log", "write", log.ids,
                                 {"old_values": False}, context=context)
                self.assertFault(user, "hotel.audit.log", "unlink", log.ids, context=context)
                self.assertFault(user, "hotel.audit.log", "create",
                                 {"action": "write", "partner_id": self.guest.id},
                                 context=context)
        self.assertTrue(json.loads(log.old_values))
        # not superuser code either; only the erasure blanks values, and only values
        with self.assertRaises(UserError):
            log.sudo().write({"old_values": False})
        with self.assertRaises(UserError):
            log.sudo().unlink()
        with trusted("hotel_crm.erasure"), self.assertRaises(UserError):
            log.sudo().write({"user_id": self.front_desk.id})
        with trusted("hotel_crm.erasure"):
            log.sudo().write({"old_values": False})
        self.assertFalse(log.old_values)

    # ------------------------------------------------------------------ privacy wizards
    def test_a_front_desk_script_cannot_export_or_erase_a_guest(self):
        self.assertFault(self.front_desk, "hotel.privacy.export", "create",
                         {"partner_id": self.guest.id})
        self.assertFault(self.front_desk, "hotel.privacy.anonymise", "create",
                         {"partner_ids": [self.guest.id], "reason": "x"})
        wizard = self.call(self.manager, "hotel.privacy.anonymise", "create",
                           {"partner_ids": [self.guest.id], "reason": "request"})
        self.assertFault(self.front_desk, "hotel.privacy.anonymise", "action_anonymise",
                         [wizard])
        for method in ("_hotel_anonymise", "_cron_hotel_retention", "_hotel_erase"):
            self.assertFault(self.front_desk, "res.partner", method, [self.guest.id], "x")
        self.assertFault(self.front_desk, "res.partner", "action_hotel_retention_preview",
                         [self.guest.id])
        self.assertFalse(self.guest.is_anonymised)

    def test_a_manager_exports_and_erases_only_guests_of_their_properties(self):
        with self.assertRaises(xmlrpc.client.Fault):
            wizard = self.call(self.manager_hz, "hotel.privacy.export", "create",
                               {"partner_id": self.guest.id})
            self.call(self.manager_hz, "hotel.privacy.export", "action_export", [wizard])
        with self.assertRaises(xmlrpc.client.Fault):
            wizard = self.call(self.manager_hz, "hotel.privacy.anonymise", "create",
                               {"partner_ids": [self.guest.id], "reason": "request"})
            self.call(self.manager_hz, "hotel.privacy.anonymise", "action_anonymise", [wizard])
        self.assertFalse(self.env["hotel.audit.log"].search(
            [("partner_id", "=", self.guest.id), ("action", "=", "export")]))
        self.assertFalse(self.guest.is_anonymised)

    def test_only_guests_are_erased(self):
        supplier = self.env["res.partner"].create({"name": "Audit Linen Supplier",
                                                   "email": "linen@example.com"})
        wizard = self.call(self.manager, "hotel.privacy.anonymise", "create",
                           {"partner_ids": [supplier.id], "reason": "request"})
        fault = self.assertFault(self.manager, "hotel.privacy.anonymise", "action_anonymise",
                                 [wizard])
        self.assertIn("is not a guest", fault.faultString)
        self.assertEqual(supplier.name, "Audit Linen Supplier")
