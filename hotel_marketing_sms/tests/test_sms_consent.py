from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.hotel_marketing.tests.common import HotelMarketingCase
from odoo.addons.sms.tests.common import SMSCase


@tagged("post_install", "-at_install")
class TestSmsConsent(HotelMarketingCase, SMSCase):
    """SMS mailings reach only guests with SMS consent, a number to text and no blacklist
    entry; Odoo's SMS gateway is intercepted by its own test helpers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()

        def texter(name, consent=True, **vals):
            guest = cls.make_guest(name, **vals)
            if consent:
                guest._hotel_set_consent("sms", True, "front_desk", proof="registration card")
            return guest

        cls.sms_ok = texter("周杰", mobile="+8613900000001")
        cls.phone_only = texter("吴磊", phone="+8613900000002")
        cls.sms_no_consent = texter("郑爽", consent=False, mobile="+8613900000003")
        cls.sms_withdrawn = texter("冯刚", mobile="+8613900000004")
        cls.sms_withdrawn._hotel_set_consent("sms", False, "guest_request")
        cls.sms_blacklisted = texter("褚莹", mobile="+8613900000005")
        cls.env["phone.blacklist"].add("+8613900000005")
        cls.sms_no_phone = texter("卫东")
        cls.sms_bad_number = texter("蒋琴", mobile="12")
        # E-mail consent is not SMS consent.
        cls.email_only = cls.consenting_guest("沈文", "shenwen@example.com",
                                              mobile="+8613900000006")
        cls.texters = (
            cls.sms_ok | cls.phone_only | cls.sms_no_consent | cls.sms_withdrawn
            | cls.sms_blacklisted | cls.sms_no_phone | cls.sms_bad_number | cls.email_only
        )

    def sms_mailing(self, guests, **vals):
        return self.env["mailing.mailing"].create({
            "subject": "Mid-Autumn",
            "mailing_type": "sms",
            "body_plaintext": "Happy Mid-Autumn: mooncakes with every stay this week.",
            "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
            "mailing_domain": repr([("id", "in", guests.ids)]),
            **vals,
        })

    def texted(self, mailing):
        traces = self.env["mailing.trace"].search([("mass_mailing_id", "=", mailing.id)])
        self.assertTrue(all(t.trace_type == "sms" for t in traces))
        return self.Partner.browse(traces.mapped("res_id"))

    def test_only_consenting_guests_with_a_number_are_texted(self):
        mailing = self.sms_mailing(self.texters)
        with self.mockSMSGateway():
            mailing.action_send_mail()
        self.assertEqual(self.texted(mailing), self.sms_ok | self.phone_only)
        self.assertEqual(self._new_sms.partner_id, self.sms_ok | self.phone_only)
        self.assertEqual(sorted(self._new_sms.mapped("number")),
                         ["+8613900000001", "+8613900000002"])
        self.assertEqual(mailing.total, 2)

    def test_explicit_recipients_pass_the_same_gate(self):
        mailing = self.sms_mailing(self.texters)
        with self.mockSMSGateway():
            mailing.action_send_sms(res_ids=self.texters.ids)
        self.assertEqual(self.texted(mailing), self.sms_ok | self.phone_only)
        refused = self.sms_no_consent | self.sms_withdrawn | self.sms_blacklisted
        other = self.sms_mailing(self.texters)
        with self.mockSMSGateway(), self.assertRaisesRegex(UserError, "None of the selected"):
            other._action_send_mail(res_ids=refused.ids)
        self.assertFalse(self.texted(other))
        self.assertFalse(self._new_sms)

    def test_holdout_is_drawn_for_sms_and_never_texted(self):
        guests = self.Partner
        for i in range(10):
            guest = self.make_guest(f"短信宾客 {i}", mobile=f"+86139100000{i:02d}")
            guest._hotel_set_consent("sms", True, "booking_engine")
            guests |= guest
        mailing = self.sms_mailing(guests | self.sms_no_consent, hotel_holdout_pct=20)
        with self.mockSMSGateway():
            mailing.action_send_sms()
        held = mailing.hotel_holdout_partner_ids
        self.assertEqual(len(held), 2)
        self.assertLessEqual(held, guests, "drawn from the guests who may be texted")
        self.assertEqual(self.texted(mailing), guests - held)

    def test_segment_preview_counts_sms_consent(self):
        mailing = self.sms_mailing(self.texters)
        preview = self.env["hotel.segment.preview"].browse(
            mailing.action_hotel_preview_segment()["res_id"])
        self.assertEqual(preview.mailing_type, "sms")
        self.assertEqual((preview.segment_count, preview.mailable_count), (8, 2))
        self.assertEqual(preview.sample_ids, self.sms_ok | self.phone_only)


@tagged("post_install", "-at_install")
class TestSmsMailingListConsent(HotelMarketingCase, SMSCase):
    """An SMS mailing to a mailing list (or any model with a number) reaches no guest who
    did not consent to SMS, whatever the number's format; the excluded numbers show as
    cancelled traces with their reason."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.texter = cls.make_guest("周杰", mobile="+8613900000011")
        cls.texter._hotel_set_consent("sms", True, "front_desk")
        cls.silent = cls.make_guest("郑爽", mobile="+8613900000013")  # never granted
        cls.stopped = cls.make_guest("冯刚", phone="+8613900000014")
        cls.stopped._hotel_set_consent("sms", True, "front_desk")
        cls.stopped._hotel_set_consent("sms", False, "guest_request")
        # what the erasure of a guest leaves: the hash of the number (S5)
        cls.env["hotel.privacy.suppression"]._suppress("sms", "+86 139 0000 0016")
        cls.env["phone.blacklist"].add("+8613900000015")
        cls.sms_list = cls.env["mailing.list"].create({"name": "SMS Club"})
        cls.contacts = cls.env["mailing.contact"].create([
            {"name": name, "mobile": mobile, "list_ids": cls.sms_list.ids}
            for name, mobile in (
                ("周杰", "+86 139 0000 0011"),
                ("Fan", "+8613900000012"),       # subscriber only, no guest
                ("郑爽", "+86 139-0000-0013"),
                ("冯刚", "+8613900000014"),
                ("褚莹", "+8613900000015"),
                ("孙丽", "+8613900000016"),
            )
        ])

    def sms_mailing(self, **vals):
        return self.env["mailing.mailing"].create({
            "subject": "Double Eleven",
            "mailing_type": "sms",
            "body_plaintext": "Double Eleven: 20% off direct bookings.",
            "mailing_model_id": self.env["ir.model"]._get_id("mailing.list"),
            "contact_list_ids": self.sms_list.ids,
            **vals,
        })

    def outcome(self, mailing):
        traces = self.env["mailing.trace"].search([("mass_mailing_id", "=", mailing.id)])
        return {t.sms_number: "sent" if t.trace_status != "cancel"
                else (t.failure_type, t.failure_reason) for t in traces}

    def assertOnlyConsentingNumbersTexted(self, mailing):
        outcome = self.outcome(mailing)
        self.assertEqual(outcome["+8613900000011"], "sent")
        self.assertEqual(outcome["+8613900000012"], "sent")
        self.assertEqual(outcome["+8613900000013"], ("sms_optout", "No SMS consent"))
        self.assertEqual(outcome["+8613900000014"], ("sms_optout", "SMS consent withdrawn"))
        self.assertEqual(outcome["+8613900000016"],
                         ("sms_optout", "Number of an erased guest"))
        texted = self._new_sms.filtered(lambda s: s.state != "canceled").mapped("number")
        self.assertEqual(sorted(texted), ["+8613900000011", "+8613900000012"])

    def test_an_sms_mailing_list_sent_at_once_reaches_only_consenting_numbers(self):
        mailing = self.sms_mailing()
        with self.mockSMSGateway():
            mailing.with_user(self.marketing).action_send_mail()
        self.assertOnlyConsentingNumbersTexted(mailing)

    def test_a_queued_sms_mailing_list_is_gated_when_the_cron_sends_it(self):
        mailing = self.sms_mailing()
        mailing.with_user(self.marketing).action_put_in_queue()
        with self.mockSMSGateway():
            self.env["mailing.mailing"]._process_mass_mailing_queue()
        self.assertOnlyConsentingNumbersTexted(mailing)

    def test_the_sms_blacklist_switch_in_the_context_does_not_open_the_gate(self):
        mailing = self.sms_mailing(
            mailing_model_id=self.env["ir.model"]._get_id("mailing.contact"),
            mailing_domain=repr([("id", "in", self.contacts.ids)]),
        )
        with self.mockSMSGateway():
            mailing.with_user(self.marketing).with_context(
                default_mass_use_blacklist=False).action_send_mail()
        self.assertEqual(self.outcome(mailing)["+8613900000015"],
                         ("sms_optout", "Blacklisted number"))
        self.assertOnlyConsentingNumbersTexted(mailing)

    def test_a_test_text_cannot_go_to_a_guest_who_did_not_consent(self):
        mailing = self.sms_mailing()
        wizard = self.env["mailing.sms.test"].with_user(self.marketing).create(
            {"mailing_id": mailing.id, "numbers": "+8613900000013"})
        with self.mockSMSGateway(), self.assertRaisesRegex(UserError, "cannot go to"):
            wizard.action_send_sms()


@tagged("post_install", "-at_install")
class TestSmsPropertyScope(HotelMarketingCase, SMSCase):
    """S1 for texts: a marketer of one property texts only the guests they may see, also
    when the mailing queue (superuser) sends the mailing they queued."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.marketing_a = new_test_user(
            cls.env, login="mkt_sms_beijing",
            groups="base.group_user,hotel_crm.group_hotel_marketing",
            company_id=cls.property_a.id, company_ids=[(6, 0, cls.property_a.ids)],
        )
        cls.beijing = cls.make_guest("北京短信", mobile="+8613900000031")
        cls.hangzhou = cls.make_guest("杭州短信", mobile="+8613900000032")
        for guest, company in ((cls.beijing, cls.property_a), (cls.hangzhou, cls.property_b)):
            guest._hotel_set_consent("sms", True, "front_desk")
            cls.make_stay(guest, "2026-05-01", company=company)

    def test_a_property_marketers_queued_sms_mailing_texts_only_their_guests(self):
        mailing = self.env["mailing.mailing"].with_user(self.marketing_a).create({
            "subject": "Summer", "mailing_type": "sms",
            "body_plaintext": "Summer: late check-out for members.",
            "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
            "mailing_domain": repr([("id", "in", (self.beijing | self.hangzhou).ids)]),
        })
        mailing.action_put_in_queue()
        with self.mockSMSGateway():
            self.env["mailing.mailing"]._process_mass_mailing_queue()
        self.assertEqual(self._new_sms.filtered(lambda s: s.state != "canceled").partner_id,
                         self.beijing)
        traces = self.env["mailing.trace"].with_user(self.marketing_a).search_read(
            [("mass_mailing_id", "=", mailing.id)], ["res_id", "sms_number"])
        self.assertEqual({t["res_id"] for t in traces}, set(self.beijing.ids))

    def test_a_property_marketers_sms_list_mailing_cancels_numbers_of_other_properties(self):
        sms_list = self.env["mailing.list"].create({"name": "Summer SMS"})
        self.env["mailing.contact"].create([
            {"name": "北京短信", "mobile": "+86 139 0000 0031", "list_ids": sms_list.ids},
            {"name": "杭州短信", "mobile": "+86 139 0000 0032", "list_ids": sms_list.ids},
        ])
        mailing = self.env["mailing.mailing"].with_user(self.marketing_a).create({
            "subject": "Summer list", "mailing_type": "sms",
            "body_plaintext": "Summer: late check-out for members.",
            "mailing_model_id": self.env["ir.model"]._get_id("mailing.list"),
            "contact_list_ids": sms_list.ids,
        })
        mailing.action_put_in_queue()
        with self.mockSMSGateway():
            self.env["mailing.mailing"]._process_mass_mailing_queue()
        texted = self._new_sms.filtered(lambda s: s.state != "canceled").mapped("number")
        self.assertEqual(texted, ["+8613900000031"])
