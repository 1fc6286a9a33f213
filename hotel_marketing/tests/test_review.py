import xmlrpc.client

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import email_normalize

from odoo.addons.mail.tests.common import MockEmail

from .common import HotelMarketingCase

ACCESS_ERROR = 4  # odoo.addons.base.controllers.rpc.RPC_FAULT_CODE_ACCESS_ERROR


@tagged("post_install", "-at_install")
class TestDerivedFieldsAndActions(HotelMarketingCase):
    """What the addon computes itself cannot be written by users, and the buttons check who
    presses them (every public method is callable over RPC)."""

    def test_marketing_cannot_choose_the_holdout_group_of_a_mailing(self):
        mailing = self.make_mailing([("id", "in", self.guests.ids)], hotel_holdout_pct=20)
        as_marketing = mailing.with_user(self.marketing)
        with self.assertRaises(AccessError):
            as_marketing.write({"hotel_holdout_partner_ids": [(6, 0, self.ok.ids)]})
        with self.assertRaises(AccessError):
            self.env["mailing.mailing"].with_user(self.marketing).create({
                "subject": "Rigged", "body_html": "<p>x</p>",
                "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
                "hotel_holdout_partner_ids": [(6, 0, self.ok.ids)],
            })
        automation = self.env.ref("hotel_marketing.automation_post_stay")
        with self.assertRaises(AccessError):
            as_marketing.write({"hotel_automation_id": automation.id})

    def test_nobody_rewrites_a_guests_rfm_portrait_or_holdout_membership(self):
        mailing = self.make_mailing([("id", "in", self.guests.ids)])
        for user in (self.marketing, self.guest_relations, self.manager):
            guest = self.ok.with_user(user)
            with self.assertRaises(AccessError):
                guest.write({"rfm_segment": "champions", "rfm_score": "555"})
            with self.assertRaises(AccessError):
                guest.write({"hotel_holdout_mailing_ids": [(4, mailing.id)]})
        with self.assertRaises(AccessError):
            self.Partner.with_user(self.marketing).create(
                {"name": "Preset", "is_guest": True, "rfm_segment": "champions"})

    def test_marketing_cannot_rewire_an_automations_statistics_or_clock(self):
        automation = self.env.ref("hotel_marketing.automation_post_stay").with_user(
            self.marketing)
        other = self.make_mailing([("id", "in", self.ok.ids)])
        with self.assertRaises(AccessError):
            automation.write({"mailing_id": other.id})
        with self.assertRaises(AccessError):
            automation.write({"last_run": "2020-01-01 00:00:00"})
        automation.write({"days": 2})  # the settings stay editable

    def test_a_front_desk_clerk_cannot_run_automations_or_recompute_figures(self):
        automation = self.env.ref("hotel_marketing.automation_post_stay")
        campaign = self.env["utm.campaign"].create({"name": "Spring"})
        with self.assertRaises(AccessError):
            automation.with_user(self.front_desk_a).action_hotel_run()
        with self.assertRaises(AccessError):
            self.ok.with_user(self.front_desk_a).action_hotel_recompute_rfm()
        with self.assertRaises(AccessError):
            campaign.with_user(self.front_desk_a).action_hotel_recompute_attribution()
        campaign.with_user(self.marketing).action_hotel_recompute_attribution()
        self.ok.with_user(self.marketing).action_hotel_recompute_rfm()

    def test_a_property_marketer_cannot_report_kpis_of_another_property(self):
        marketing_a = self.marketing.copy({
            "login": "mkt_only_a", "company_id": self.property_a.id,
            "company_ids": [(6, 0, self.property_a.ids)],
        })
        Report = self.env["hotel.marketing.kpi.report"].with_user(marketing_a)
        own = Report.create({"year": 2026, "quarter": "2",
                             "company_ids": [(6, 0, self.property_a.ids)]})
        self.assertIn(self.property_a.name, own.summary_html)
        other = Report.create({"year": 2026, "quarter": "2",
                               "company_ids": [(6, 0, self.property_b.ids)]})
        # the multi-company rule on res.company refuses the other property's figures
        try:
            html = other.summary_html
        except AccessError:
            html = ""
        self.assertNotIn(self.property_b.name, html)


@tagged("post_install", "-at_install")
class TestMarketingApi(HttpCase, MockEmail):
    """XML-RPC as a marketing user, with forged context keys: consent and the holdout hold."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.user = new_test_user(
            env, login="api_mkt", password="api_mkt_secret",
            groups="base.group_user,hotel_crm.group_hotel_marketing",
        )
        Partner = env["res.partner"]
        cls.ok = Partner.create({"name": "API 许可", "is_guest": True,
                                 "email": "api-ok@example.com"})
        cls.ok._hotel_set_consent("email", True, "front_desk")
        cls.blacklisted = Partner.create({"name": "API 黑名单", "is_guest": True,
                                          "email": "api-bl@example.com"})
        cls.blacklisted._hotel_set_consent("email", True, "front_desk")
        env["mail.blacklist"]._add("api-bl@example.com")
        cls.withdrawn = Partner.create({"name": "API 撤回", "is_guest": True,
                                        "email": "api-wd@example.com"})
        cls.withdrawn._hotel_set_consent("email", False, "guest_request")
        cls.contacts = env["mailing.contact"].create([
            {"name": p.name, "email": p.email} for p in (cls.ok, cls.blacklisted, cls.withdrawn)
        ])
        cls.mailing = env["mailing.mailing"].create({
            "subject": "API", "body_html": "<p>API</p>",
            "mailing_model_id": env["ir.model"]._get_id("mailing.contact"),
            "mailing_domain": repr([("id", "in", cls.contacts.ids)]),
        })

    def call(self, model, method, *args, **kwargs):
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, self.user.id, "api_mkt_secret", model, method, list(args), kwargs
        )

    def test_a_marketing_script_cannot_switch_off_the_exclusion_list_by_context(self):
        with self.mock_mail_gateway():
            self.call("mailing.mailing", "action_send_mail", [self.mailing.id],
                      context={"default_use_exclusion_list": False})
        sent = {email_normalize(a) for mail in self._mails for a in mail["email_to"]}
        self.assertEqual(sent, {"api-ok@example.com"})

    def test_a_marketing_script_cannot_empty_a_holdout_group(self):
        mailing = self.env["mailing.mailing"].create({
            "subject": "Holdout", "body_html": "<p>x</p>",
            "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
            "mailing_domain": repr([("id", "in", self.ok.ids)]),
        })
        mailing.hotel_holdout_partner_ids = self.ok
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            self.call("mailing.mailing", "write", [mailing.id],
                      {"hotel_holdout_partner_ids": [(5,)]},
                      context={"hotel_trusted": True})
        self.assertEqual(caught.exception.faultCode, ACCESS_ERROR)
        self.assertEqual(mailing.hotel_holdout_partner_ids, self.ok)
