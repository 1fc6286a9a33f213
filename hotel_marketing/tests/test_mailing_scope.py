import xmlrpc.client
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import email_normalize

from odoo.addons.mail.tests.common import MockEmail

from .common import HotelMarketingCase

ACCESS_ERROR = 4  # odoo.addons.base.controllers.rpc.RPC_FAULT_CODE_ACCESS_ERROR


@tagged("post_install", "-at_install")
class TestMailingScope(HotelMarketingCase, MockEmail):
    """S1: a mailing reaches only the guests its sender may see, however it is sent: at
    once as the user, or by the mailing queue and the A/B cron, which run as superuser."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.marketing_a = new_test_user(
            cls.env, login="mkt_beijing",
            groups="base.group_user,hotel_crm.group_hotel_marketing",
            company_id=cls.property_a.id, company_ids=[(6, 0, cls.property_a.ids)],
        )
        cls.beijing = cls.consenting_guest("北京客", "beijing@example.com")
        cls.make_stay(cls.beijing, "2026-05-01", company=cls.property_a)
        cls.hangzhou = cls.consenting_guest("杭州客", "hangzhou@example.com")
        cls.make_stay(cls.hangzhou, "2026-05-01", company=cls.property_b)
        cls.both = cls.consenting_guest("两地客", "both@example.com")
        cls.make_stay(cls.both, "2026-05-01", company=cls.property_a)
        cls.make_stay(cls.both, "2026-06-01", company=cls.property_b)
        cls.scoped_guests = cls.beijing | cls.hangzhou | cls.both

    def contacts_mailing(self, user, **vals):
        return self.env["mailing.mailing"].with_user(user).create({
            "subject": "Summer offer",
            "body_html": "<p>Summer offer</p>",
            "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
            "mailing_domain": repr([("id", "in", self.scoped_guests.ids)]),
            **vals,
        })

    def run_queue(self):
        with self.mock_mail_gateway():
            self.env["mailing.mailing"]._process_mass_mailing_queue()
        return self.sent_to()

    def sent_to(self):
        return {email_normalize(a) for mail in self._mails for a in mail["email_to"]}

    def test_a_property_marketers_queued_mailing_reaches_only_guests_they_may_see(self):
        mailing = self.contacts_mailing(self.marketing_a)
        mailing.action_put_in_queue()
        self.assertEqual(self.run_queue(), {"beijing@example.com", "both@example.com"})
        self.assertEqual(self.mailed_partners(mailing), self.beijing | self.both)
        traces = self.env["mailing.trace"].with_user(self.marketing_a).search_read(
            [("mass_mailing_id", "=", mailing.id)], ["email", "res_id"])
        self.assertNotIn(self.hangzhou.id, {t["res_id"] for t in traces})
        self.assertNotIn("hangzhou@example.com", {t["email"] for t in traces})
        self.assertEqual(mailing.sudo().hotel_sender_id, self.marketing_a)
        self.assertEqual(mailing.sudo().hotel_scope_company_ids, self.property_a)

    def test_a_managers_chain_wide_mailing_reaches_guests_of_every_property(self):
        mailing = self.contacts_mailing(self.manager)
        mailing.action_launch()
        self.assertEqual(self.run_queue(), {"beijing@example.com", "hangzhou@example.com",
                                            "both@example.com"})

    def test_a_property_marketer_who_edits_a_queued_chain_wide_mailing_is_bound_by_it(self):
        mailing = self.contacts_mailing(self.manager, mailing_domain="[('id', '=', 0)]")
        mailing.with_user(self.manager).action_put_in_queue()
        # the Beijing marketer retargets the manager's queued mailing at every guest
        mailing.with_user(self.marketing_a).write(
            {"mailing_domain": repr([("id", "in", self.scoped_guests.ids)])})
        self.assertEqual(self.run_queue(), {"beijing@example.com", "both@example.com"})

    def test_retry_failed_by_a_property_marketer_stays_within_their_properties(self):
        mailing = self.contacts_mailing(self.manager, keep_archives=True)
        mailing.action_put_in_queue()
        self.assertIn("hangzhou@example.com", self.run_queue())
        # the mail to the Hangzhou guest failed; the Beijing marketer presses "Retry failed"
        failed = self.env["mail.mail"].search([("mailing_id", "=", mailing.id)]).filtered(
            lambda mail: mail.mailing_trace_ids.res_id == self.hangzhou.id)
        self.assertEqual(len(failed), 1)
        failed.state = "exception"
        mailing.with_user(self.marketing_a).action_retry_failed()
        self.assertEqual(mailing.state, "in_queue")
        self.assertNotIn("hangzhou@example.com", self.run_queue())
        self.assertEqual(self.mailed_partners(mailing), self.beijing | self.both)

    def test_a_property_marketers_mailing_sent_at_once_stays_within_their_properties(self):
        mailing = self.contacts_mailing(self.marketing_a)
        with self.mock_mail_gateway():
            mailing.action_send_mail()
        self.assertEqual(self.sent_to(), {"beijing@example.com", "both@example.com"})

    def test_an_ab_test_winner_sent_by_the_cron_stays_within_the_senders_properties(self):
        extra = self.consenting_guest("北京客二", "beijing2@example.com")
        self.make_stay(extra, "2026-05-03", company=self.property_a)
        self.scoped_guests |= extra
        mailing = self.contacts_mailing(
            self.marketing_a, ab_testing_enabled=True, ab_testing_pc=34,
            ab_testing_winner_selection="opened_ratio",
            ab_testing_schedule_datetime=fields.Datetime.now() + timedelta(days=1),
        )
        mailing.action_launch()
        first = self.run_queue()
        self.assertEqual(len(first), 1)
        self.assertNotIn("hangzhou@example.com", first)
        campaign = mailing.sudo().campaign_id
        campaign.ab_testing_schedule_datetime = fields.Datetime.now() - timedelta(minutes=1)
        self.env["utm.campaign"]._cron_process_mass_mailing_ab_testing()
        winner = campaign.ab_testing_winner_mailing_id
        self.assertTrue(winner)
        rest = self.run_queue()
        self.assertNotIn("hangzhou@example.com", rest)
        self.assertEqual(first | rest, {"beijing@example.com", "beijing2@example.com",
                                        "both@example.com"})
        self.assertEqual(winner.hotel_sender_id, self.marketing_a)

    def test_a_property_marketers_list_mailing_skips_addresses_of_other_properties_guests(self):
        newsletter = self.env["mailing.list"].create({"name": "Summer list"})
        self.env["mailing.contact"].create([
            {"name": name, "email": email, "list_ids": newsletter.ids}
            for name, email in (("北京客", "beijing@example.com"),
                                ("杭州客", "hangzhou@example.com"),
                                ("两地客", "both@example.com"),
                                ("Fan", "fan@example.com"))
        ])
        mailing = self.env["mailing.mailing"].with_user(self.marketing_a).create({
            "subject": "Summer list", "body_html": "<p>Summer</p>",
            "mailing_model_id": self.env["ir.model"]._get_id("mailing.list"),
            "contact_list_ids": newsletter.ids,
        })
        mailing.action_put_in_queue()
        self.assertEqual(self.run_queue(),
                         {"beijing@example.com", "both@example.com", "fan@example.com"})
        traces = self.env["mailing.trace"].with_user(self.marketing_a).search_read(
            [("mass_mailing_id", "=", mailing.id)], ["email"])
        self.assertNotIn("hangzhou@example.com", {t["email"] for t in traces})

    def test_the_last_gate_blocks_a_record_outside_the_senders_scope(self):
        mailing = self.contacts_mailing(self.marketing_a)
        mailing.action_put_in_queue()
        blocked = mailing._hotel_blocked_recipients({
            self.hangzhou.id: ["hangzhou@example.com"],
            self.beijing.id: ["beijing@example.com"],
        })
        self.assertEqual(blocked, {
            self.hangzhou.id: "Guest of a property outside the sender's scope"})

    def test_explicit_recipients_outside_the_senders_scope_are_refused(self):
        newsletter = self.env["mailing.list"].create({"name": "Explicit"})
        contact = self.env["mailing.contact"].create(
            {"name": "杭州客", "email": "hangzhou@example.com", "list_ids": newsletter.ids})
        mailing = self.env["mailing.mailing"].with_user(self.marketing_a).create({
            "subject": "Explicit", "body_html": "<p>x</p>",
            "mailing_model_id": self.env["ir.model"]._get_id("mailing.list"),
            "contact_list_ids": newsletter.ids,
        })
        mailing.action_put_in_queue()
        with self.mock_mail_gateway(), self.assertRaisesRegex(UserError, "outside the"):
            mailing.sudo()._action_send_mail(res_ids=contact.ids)
        self.assertFalse(self._mails)

    def test_nobody_chooses_the_sender_or_scope_of_a_mailing(self):
        mailing = self.contacts_mailing(self.marketing_a)
        for user in (self.marketing_a, self.manager):
            with self.assertRaises(AccessError):
                mailing.with_user(user).write({"hotel_sender_id": self.manager.id})
            with self.assertRaises(AccessError):
                mailing.with_user(user).write(
                    {"hotel_scope_company_ids": [(6, 0, self.property_b.ids)]})


@tagged("post_install", "-at_install")
class TestMailingScopeApi(HttpCase, MockEmail):
    """XML-RPC as a Beijing marketer with forged context keys: the recorded sender and
    property scope of a mailing cannot be chosen, nor widened to another property."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.beijing_co = env["res.company"].create({"name": "API Hotel Beijing"})
        cls.hangzhou_co = env["res.company"].create({"name": "API Resort Hangzhou"})
        cls.user = new_test_user(
            env, login="api_mkt_bj", password="api_mkt_bj_secret",
            groups="base.group_user,hotel_crm.group_hotel_marketing",
            company_id=cls.beijing_co.id, company_ids=[(6, 0, cls.beijing_co.ids)],
        )
        cls.mailing = env["mailing.mailing"].create({
            "subject": "API scope", "body_html": "<p>x</p>",
            "mailing_model_id": env["ir.model"]._get_id("res.partner"),
            "mailing_domain": "[('id', '=', 0)]",
        })

    def call(self, model, method, *args, **kwargs):
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, self.user.id, "api_mkt_bj_secret", model, method, list(args),
            kwargs,
        )

    def assertAccessFault(self, *args, **kwargs):
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            self.call(*args, **kwargs)
        self.assertEqual(caught.exception.faultCode, ACCESS_ERROR)

    def test_a_marketing_script_cannot_widen_the_property_scope_of_a_mailing(self):
        forged = {"hotel_trusted": True, "hotel_marketing.mailing_scope": True,
                  "mail_notrack": True}
        # queued over the API (the state written directly, as action_put_in_queue does)
        self.call("mailing.mailing", "write", [self.mailing.id], {"state": "in_queue"})
        self.assertEqual(self.mailing.hotel_scope_company_ids, self.beijing_co)
        self.assertAccessFault("mailing.mailing", "write", [self.mailing.id], {
            "hotel_scope_company_ids": [(6, 0, (self.beijing_co | self.hangzhou_co).ids)],
        }, context=forged)
        self.assertAccessFault("mailing.mailing", "write", [self.mailing.id], {
            "hotel_sender_id": self.env.ref("base.user_admin").id}, context=forged)
        self.assertAccessFault("mailing.mailing", "create", [{
            "subject": "Preset", "body_html": "<p>x</p>",
            "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
            "state": "in_queue",
            "hotel_scope_company_ids": [(6, 0, self.hangzhou_co.ids)],
        }], context=forged)
        # nor by selecting a property the user does not have
        self.assertAccessFault("mailing.mailing", "write", [self.mailing.id],
                               {"subject": "Retargeted"},
                               context={"allowed_company_ids": self.hangzhou_co.ids})
        self.mailing.invalidate_recordset()
        self.assertEqual(self.mailing.hotel_scope_company_ids, self.beijing_co)
        self.assertEqual(self.mailing.hotel_sender_id, self.user)
