from datetime import date

import psycopg2
from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import HotelMarketingCase


@tagged("post_install", "-at_install")
class TestAutomation(HotelMarketingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Automation = cls.env["hotel.marketing.automation"]

    def automation(self, xmlid, **vals):
        automation = self.env.ref(xmlid)
        automation.write({"active": True, **vals})
        if automation.kind in automation._hotel_stay_kinds():
            self.only_test_properties(automation)
        return automation

    def sends(self, automation):
        return self.env["hotel.marketing.send"].search([("automation_id", "=", automation.id)])

    def test_post_stay_mail_once_and_only_to_consenting_guests(self):
        automation = self.automation("hotel_marketing.automation_post_stay")
        with freeze_time("2026-11-20"):
            for guest in self.guests:
                self.make_stay(guest, "2026-11-17", nights=2)  # checked out on the 19th
            first = automation._hotel_run(today=date(2026, 11, 20))
            second = automation._hotel_run(today=date(2026, 11, 20))
            third = automation._hotel_run(today=date(2026, 11, 21))  # catch-up window
        self.assertEqual((first, second, third), (1, 0, 0))
        sends = self.sends(automation)
        self.assertEqual(sends.partner_id, self.ok)
        self.assertTrue(sends.occasion_key.startswith("stay:"))
        self.assertEqual(sends.state, "sent")
        # Traced like a campaign: the trace belongs to the automation's mailing.
        self.assertEqual(sends.trace_id.mass_mailing_id, automation.mailing_id)
        self.assertEqual(sends.trace_id.res_id, self.ok.id)
        self.assertEqual(sends.mail_id.mailing_id, automation.mailing_id)
        self.assertIn("Thank you for staying", sends.mail_id.subject)
        self.assertIn(self.property_a.name, sends.mail_id.body_html)

    def test_pre_arrival_mail_n_days_before_check_in(self):
        automation = self.automation("hotel_marketing.automation_pre_arrival", days=3)
        with freeze_time("2026-11-20"):
            stay = self.make_stay(self.ok, "2026-11-25", state="booked")
            self.assertEqual(automation._hotel_run(today=date(2026, 11, 21)), 0)  # 4 days
            self.assertEqual(automation._hotel_run(today=date(2026, 11, 22)), 1)  # 3 days
            self.assertEqual(automation._hotel_run(today=date(2026, 11, 23)), 0)
        self.assertEqual(self.sends(automation).stay_id, stay)
        self.assertEqual(self.sends(automation).company_id, self.property_a)

    def test_booking_confirmation_once_per_booking(self):
        automation = self.automation("hotel_marketing.automation_booking")
        with freeze_time("2026-11-20"):
            self.make_stay(self.ok, "2026-12-24", state="booked", booked_on=date(2026, 11, 20))
            self.make_stay(self.ok, "2026-12-30", state="booked", booked_on=date(2026, 11, 20))
            self.make_stay(self.relay, "2026-12-24", state="booked",
                           booked_on=date(2026, 11, 20))
            self.assertEqual(automation._hotel_run(today=date(2026, 11, 20)), 2)
            self.assertEqual(automation._hotel_run(today=date(2026, 11, 20)), 0)
        self.assertEqual(self.sends(automation).partner_id, self.ok)

    def test_birthday_greeting_once_a_year(self):
        automation = self.only_guests(
            self.automation("hotel_marketing.automation_birthday"), self.guests)
        (self.ok | self.no_consent | self.blacklisted).write({"birthday": date(1988, 11, 20)})
        with freeze_time("2026-11-20"):
            self.assertEqual(automation._hotel_run(today=date(2026, 11, 20)), 1)
            self.assertEqual(automation._hotel_run(today=date(2026, 11, 20)), 0)
            self.assertEqual(automation._hotel_run(today=date(2026, 11, 22)), 0)
        with freeze_time("2027-11-20"):
            self.assertEqual(automation._hotel_run(today=date(2027, 11, 20)), 1)
        self.assertEqual(
            sorted(self.sends(automation).mapped("occasion_key")),
            ["birthday:2026", "birthday:2027"],
        )

    def test_holiday_greeting_once_per_holiday_within_its_segment_and_property(self):
        automation = self.automation(
            "hotel_marketing.automation_christmas",
            occasion_date=date(2026, 12, 25), days=3,
            company_ids=[(6, 0, self.property_b.ids)],
        )
        other = self.consenting_guest("黄蕾", "huanglei@example.com")
        with freeze_time("2026-11-20"):
            self.make_stay(self.ok, "2026-10-01", company=self.property_a)
            self.make_stay(other, "2026-10-01", company=self.property_b)
        self.assertEqual(automation._hotel_run(today=date(2026, 12, 21)), 0, "too early")
        self.assertEqual(automation._hotel_run(today=date(2026, 12, 22)), 1)
        self.assertEqual(automation._hotel_run(today=date(2026, 12, 23)), 0)
        self.assertEqual(self.sends(automation).partner_id, other)
        automation._hotel_roll_yearly(today=date(2027, 1, 10))
        self.assertEqual(automation.occasion_date, date(2027, 12, 25))

    def test_once_only_key_is_enforced_by_the_database(self):
        automation = self.automation("hotel_marketing.automation_birthday")
        values = {"automation_id": automation.id, "partner_id": self.ok.id,
                  "occasion_key": "birthday:2026"}
        self.env["hotel.marketing.send"].create(values)
        with self.assertRaises(psycopg2.IntegrityError), mute_logger("odoo.sql_db"), \
                self.env.cr.savepoint():
            self.env["hotel.marketing.send"].create(values)

    def test_segment_narrows_the_audience(self):
        automation = self.automation(
            "hotel_marketing.automation_post_stay",
            mailing_domain="[('is_guest', '=', True), ('guest_type', '=', 'business')]",
        )
        business = self.consenting_guest("孙丽", "sunli@example.com", guest_type="business")
        with freeze_time("2026-11-20"):
            self.make_stay(self.ok, "2026-11-17", nights=2)
            self.make_stay(business, "2026-11-17", nights=2)
            self.assertEqual(automation._hotel_run(today=date(2026, 11, 20)), 1)
        self.assertEqual(self.sends(automation).partner_id, business)

    def test_bad_configuration_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "date of the holiday"):
            self.Automation.create({
                "name": "Lantern Festival", "kind": "holiday",
                "template_id": self.env.ref("hotel_marketing.mail_template_holiday").id,
            })
        with self.assertRaisesRegex(ValidationError, "not a valid filter"):
            self.Automation.create({
                "name": "Broken", "kind": "birthday", "mailing_domain": "[('nope', '=', 1)]",
                "template_id": self.env.ref("hotel_marketing.mail_template_birthday").id,
            })
        with self.assertRaisesRegex(ValidationError, "res.partner"):
            self.Automation.create({
                "name": "Wrong model", "kind": "birthday",
                "template_id": self.env["mail.template"].search(
                    [("model", "!=", "res.partner")], limit=1).id,
            })

    def test_mail_follows_the_guest_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["hotel_marketing"], ["zh_CN"],
                                                        overwrite=True)
        self.ok.lang = "zh_CN"
        english = self.consenting_guest("Emily Clark", "emily.clark@example.com", lang="en_US")
        automation = self.automation("hotel_marketing.automation_post_stay")
        with freeze_time("2026-11-20"):
            self.make_stay(self.ok, "2026-11-17", nights=2)
            self.make_stay(english, "2026-11-17", nights=2)
            self.assertEqual(automation._hotel_run(today=date(2026, 11, 20)), 2)
        mails = {send.partner_id: send.mail_id for send in self.sends(automation)}
        self.assertEqual(mails[self.ok].subject, "感谢您的光临")
        self.assertIn("感谢您入住", mails[self.ok].body_html)
        self.assertEqual(mails[english].subject, "Thank you for staying with us")
