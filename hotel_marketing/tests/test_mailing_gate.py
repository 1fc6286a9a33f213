from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import email_normalize

from odoo.addons.mail.tests.common import MockEmail

from .common import HotelMarketingCase

ALLOWED = object()


@tagged("post_install", "-at_install")
class TestMailingGate(HotelMarketingCase, MockEmail):
    """Consent (M5) holds whatever a mailing's recipients model is and however it is sent:
    the excluded addresses show as cancelled traces with their reason, as Odoo shows its
    own opt-outs and blacklist."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # what the erasure of a guest leaves: the hash of the address (S5)
        cls.env["hotel.privacy.suppression"]._suppress("email", "sunli@example.com")
        cls.newsletter = cls.env["mailing.list"].create({"name": "Hotel Newsletter"})
        # the list was imported before the consent decisions (and the erasure) were known
        cls.contacts = cls.env["mailing.contact"].create([
            {"name": name, "email": email, "list_ids": cls.newsletter.ids}
            for name, email in (
                ("李娜", "lina@example.com"),              # guest, consent granted
                ("Fan", "fan@example.com"),                # subscriber only, no guest
                ("张伟", "zhangwei@example.com"),          # guest, never granted
                ("刘洋", "liuyang@example.com"),           # guest, withdrew
                ("陈静", "chenjing@example.com"),          # blacklisted
                ("杨帆", "yangfan-8821@m.ctrip.com"),      # OTA relay address
                ("孙丽", "sunli@example.com"),             # erased guest (suppression list)
            )
        ])

    def mailing_to(self, model, **vals):
        return self.env["mailing.mailing"].create({
            "subject": "Golden Week",
            "body_html": "<p>Golden Week offer</p>",
            "mailing_model_id": self.env["ir.model"]._get_id(model),
            **vals,
        })

    def outcome(self, mailing):
        """{address: ALLOWED or (failure type, reason)} of the mailing's traces."""
        traces = self.env["mailing.trace"].search([("mass_mailing_id", "=", mailing.id)])
        return {
            email_normalize(t.email): ALLOWED if t.trace_status != "cancel"
            else (t.failure_type, t.failure_reason)
            for t in traces
        }

    def sent_to(self):
        """The addresses the mail server was asked to deliver to."""
        return {email_normalize(address) for mail in self._mails for address in mail["email_to"]}

    def assertGuestRules(self, outcome):
        self.assertEqual(outcome["lina@example.com"], ALLOWED)
        self.assertEqual(outcome["zhangwei@example.com"], ("mail_optout", "No e-mail consent"))
        self.assertEqual(outcome["liuyang@example.com"],
                         ("mail_optout", "E-mail consent withdrawn"))
        self.assertEqual(outcome["yangfan-8821@m.ctrip.com"],
                         ("mail_optout", "OTA relay address"))

    def test_a_mailing_list_sent_at_once_reaches_only_consenting_addresses(self):
        mailing = self.mailing_to("mailing.list", contact_list_ids=self.newsletter.ids)
        with self.mock_mail_gateway():
            mailing.with_user(self.marketing).action_send_mail()
        outcome = self.outcome(mailing)
        self.assertGuestRules(outcome)
        self.assertEqual(outcome["fan@example.com"], ALLOWED, "a plain subscriber is mailed")
        self.assertEqual(outcome["sunli@example.com"],
                         ("mail_optout", "Address of an erased guest"))
        self.assertEqual(outcome["chenjing@example.com"][0], "mail_bl", "Odoo's own blacklist")
        self.assertEqual(self.sent_to(), {"lina@example.com", "fan@example.com"})
        self.assertEqual(mailing.canceled, 5, "the statistics count the excluded addresses")

    def test_a_queued_mailing_list_is_gated_when_the_mailing_cron_sends_it(self):
        mailing = self.mailing_to("mailing.list", contact_list_ids=self.newsletter.ids)
        mailing.with_user(self.marketing).action_put_in_queue()
        with self.mock_mail_gateway():
            self.env["mailing.mailing"]._process_mass_mailing_queue()
        self.assertEqual(mailing.state, "done")
        self.assertGuestRules(self.outcome(mailing))
        self.assertEqual(self.sent_to(), {"lina@example.com", "fan@example.com"})

    def test_a_mailing_to_mailing_contacts_is_gated(self):
        mailing = self.mailing_to("mailing.contact",
                                  mailing_domain=repr([("id", "in", self.contacts.ids)]))
        with self.mock_mail_gateway():
            mailing.with_user(self.marketing).action_send_mail()
        outcome = self.outcome(mailing)
        self.assertGuestRules(outcome)
        self.assertEqual(outcome["chenjing@example.com"][0], "mail_bl", "Odoo's own blacklist")
        self.assertEqual(self.sent_to(), {"lina@example.com", "fan@example.com"})

    def test_explicit_contact_ids_are_gated_too(self):
        mailing = self.mailing_to("mailing.contact",
                                  mailing_domain=repr([("id", "in", self.contacts.ids)]))
        with self.mock_mail_gateway():
            mailing.with_user(self.marketing).action_send_mail(res_ids=self.contacts[:4].ids)
        self.assertEqual(self.sent_to(), {"lina@example.com", "fan@example.com"})

    def test_a_mailing_on_another_model_is_gated_by_its_partner(self):
        if "sale.order" not in self.env or not self.env["sale.order"]._mailing_enabled:
            self.skipTest("no other mailing-enabled model installed")
        orders = self.env["sale.order"].create([
            {"partner_id": guest.id}
            for guest in (self.ok, self.no_consent, self.withdrawn, self.relay)
        ])
        mailing = self.mailing_to("sale.order", mailing_domain=repr([("id", "in", orders.ids)]))
        mailing.action_put_in_queue()
        with self.mock_mail_gateway():
            self.env["mailing.mailing"]._process_mass_mailing_queue()
        self.assertGuestRules(self.outcome(mailing))
        self.assertEqual(self.sent_to(), {"lina@example.com"})

    def test_the_composer_exclusion_switch_in_the_context_does_not_open_the_gate(self):
        mailing = self.mailing_to("mailing.contact",
                                  mailing_domain=repr([("id", "in", self.contacts.ids)]))
        with self.mock_mail_gateway():
            mailing.with_user(self.marketing).with_context(
                default_use_exclusion_list=False).action_send_mail()
        outcome = self.outcome(mailing)
        self.assertEqual(outcome["chenjing@example.com"], ("mail_optout", "Blacklisted address"))
        self.assertEqual(self.sent_to(), {"lina@example.com", "fan@example.com"})

    def test_a_test_mail_cannot_go_to_a_guest_who_did_not_consent(self):
        mailing = self.mailing_to("mailing.list", contact_list_ids=self.newsletter.ids)
        Test = self.env["mailing.mailing.test"].with_user(self.marketing)
        for address in ("liuyang@example.com", "zhangwei@example.com",
                        "yangfan-8821@m.ctrip.com", "sunli@example.com"):
            wizard = Test.create({"mass_mailing_id": mailing.id,
                                  "email_to": f"staff@hotel.example\n{address}"})
            with self.assertRaisesRegex(UserError, "cannot go to"):
                wizard.send_mail_test()
        # staff and consenting guests may receive the test
        with self.mock_mail_gateway():
            Test.create({"mass_mailing_id": mailing.id,
                         "email_to": "staff@hotel.example\nlina@example.com"}).send_mail_test()
        self.assertEqual(self.sent_to(), {"staff@hotel.example", "lina@example.com"})

    def test_a_lifecycle_mail_is_cancelled_for_an_address_another_profile_withdrew(self):
        # The same person, imported twice: the OTA profile withdrew, the other did not.
        twin = self.make_guest("李娜 (OTA)", email="LiNa@example.com")
        twin._hotel_set_consent("email", False, "guest_request")
        automation = self.env.ref("hotel_marketing.automation_post_stay")
        automation.active = True
        self.only_test_properties(automation)
        with freeze_time("2026-11-20"):
            self.make_stay(self.ok, "2026-11-17", nights=2)
            automation._hotel_run(today=date(2026, 11, 20))
        send = self.env["hotel.marketing.send"].search([("automation_id", "=", automation.id)])
        self.assertEqual(send.partner_id, self.ok)
        self.assertEqual((send.state, send.failure_reason), ("failed", "E-mail consent withdrawn"))
        self.assertEqual(send.mail_id.state, "cancel")
        self.assertEqual((send.trace_id.trace_status, send.trace_id.failure_type),
                         ("cancel", "mail_optout"))
