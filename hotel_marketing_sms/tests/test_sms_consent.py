from odoo.exceptions import UserError
from odoo.tests import tagged

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
