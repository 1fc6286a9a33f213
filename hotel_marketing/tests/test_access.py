from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import HotelMarketingCase


@tagged("post_install", "-at_install")
class TestAccess(HotelMarketingCase):
    def test_marketing_builds_mailings_and_automations(self):
        env = self.env(user=self.marketing)
        mailing = env["mailing.mailing"].create({
            "subject": "Member day", "body_html": "<p>Member day</p>",
            "mailing_model_id": env["ir.model"]._get_id("res.partner"),
            "mailing_domain": "[('is_guest', '=', True)]",
        })
        self.assertTrue(mailing.action_hotel_preview_segment()["res_id"])
        automation = env["hotel.marketing.automation"].create({
            "name": "Member day", "kind": "birthday",
            "template_id": self.env.ref("hotel_marketing.mail_template_birthday").id,
        })
        self.assertEqual(automation.send_count, 0)

    def test_marketing_runs_an_automation_now(self):
        automation = self.env.ref("hotel_marketing.automation_post_stay")
        automation.active = True
        with freeze_time("2026-11-20"):
            self.make_stay(self.ok, "2026-11-17", nights=2)
            self.make_stay(self.blacklisted, "2026-11-17", nights=2)
            action = automation.with_user(self.marketing).action_hotel_run()
        self.assertEqual(action["params"]["type"], "success")
        sends = self.env["hotel.marketing.send"].search([("automation_id", "=", automation.id)])
        self.assertEqual(sends.partner_id, self.ok)
        self.assertEqual(sends.state, "sent")
        with self.assertRaises(AccessError):
            sends.with_user(self.marketing).write({"occasion_key": "again"})

    def test_marketing_does_not_see_sensitive_preferences(self):
        Preference = self.env["hotel.guest.preference"]
        allergy = Preference.create({
            "partner_id": self.ok.id, "value": "peanuts",
            "category_id": self.env.ref("hotel_crm.pref_cat_allergy").id,
        })
        pillow = Preference.create({
            "partner_id": self.ok.id, "value": "buckwheat",
            "category_id": self.env.ref("hotel_crm.pref_cat_pillow").id,
        })
        self.assertTrue(allergy.sensitive)
        visible = Preference.with_user(self.marketing).search([("partner_id", "=", self.ok.id)])
        self.assertEqual(visible, pillow)

    def test_front_desk_cannot_configure_automations(self):
        env = self.env(user=self.front_desk_a)
        with self.assertRaises(AccessError):
            env["hotel.marketing.automation"].create({
                "name": "Rogue", "kind": "birthday",
                "template_id": self.env.ref("hotel_marketing.mail_template_birthday").id,
            })
        with self.assertRaises(AccessError):
            env["hotel.marketing.attribution"].search([])

    def test_automated_mails_follow_the_property(self):
        automation = self.env.ref("hotel_marketing.automation_post_stay")
        automation.active = True
        other = self.consenting_guest("钱程", "qiancheng@example.com")
        with freeze_time("2026-11-20"):
            self.make_stay(self.ok, "2026-11-17", nights=2, company=self.property_a)
            self.make_stay(other, "2026-11-17", nights=2, company=self.property_b)
            automation._hotel_run(today=date(2026, 11, 20))
        marketing_a = self.marketing.copy({"login": "mkt_a", "company_id": self.property_a.id,
                                           "company_ids": [(6, 0, self.property_a.ids)]})
        visible = self.env["hotel.marketing.send"].with_user(marketing_a).search(
            [("automation_id", "=", automation.id)])
        self.assertEqual(visible.partner_id, self.ok)
        every = self.env["hotel.marketing.send"].with_user(self.marketing).search(
            [("automation_id", "=", automation.id)])
        self.assertEqual(every.partner_id, self.ok | other)
