from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import HotelCrmCase


@tagged("post_install", "-at_install")
class TestConsent(HotelCrmCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.guest = cls.make_guest("李娜", email="li.na@example.com", mobile="+8613800138000")

    def mailable(self, channel="email"):
        Partner = self.env["res.partner"]
        return Partner.search([("id", "=", self.guest.id),
                               *Partner._hotel_mailable_domain(channel)])

    def test_the_latest_decision_per_channel_is_the_consent(self):
        self.assertFalse(self.guest.email_consent)
        with freeze_time("2026-03-01 10:00:00"):
            self.guest._hotel_set_consent("email", True, "booking_engine", proof="checkbox v3")
        with freeze_time("2026-04-01 10:00:00"):
            self.guest._hotel_set_consent("sms", True, "front_desk")
            self.guest._hotel_set_consent("email", False, "guest_request")
        self.assertEqual(self.guest.email_consent, "withdrawn")
        self.assertEqual(str(self.guest.email_consent_date), "2026-04-01 10:00:00")
        self.assertEqual(self.guest.sms_consent, "granted")
        self.assertEqual(len(self.guest.hotel_consent_ids), 3)
        # a decision recorded late but dated earlier does not override a newer one
        self.guest._hotel_set_consent("email", True, "import", date="2026-03-15 00:00:00")
        self.assertEqual(self.guest.email_consent, "withdrawn")

    def test_history_cannot_be_rewritten_by_users(self):
        consent = self.guest.with_user(self.front_desk_a)._hotel_set_consent(
            "email", True, "front_desk"
        )
        with self.assertRaises(UserError):
            consent.with_user(self.manager).write({"granted": False})
        with self.assertRaises(UserError):
            consent.with_user(self.manager).unlink()
        with self.assertRaises(UserError):
            consent.write({"granted": False})  # not even as admin: only superuser erasure
        self.assertEqual(self.guest.email_consent, "granted")

    def test_future_dates_and_unknown_channels_are_refused(self):
        with self.assertRaises(ValidationError):
            self.guest._hotel_set_consent("email", True, "front_desk", date="2099-01-01")
        with self.assertRaises(UserError):
            self.guest._hotel_set_consent("fax", True, "front_desk")

    def test_blacklist_wins_over_consent(self):
        self.guest._hotel_set_consent("email", True, "booking_engine")
        self.assertEqual(self.mailable(), self.guest)
        self.env["mail.blacklist"]._add("LI.NA@example.com")
        self.assertFalse(self.mailable())

    def test_relay_addresses_are_recognised_and_never_mailable(self):
        self.guest.email = "8a7f@M.CTRIP.COM"
        self.assertTrue(self.guest.is_relay_email)
        self.guest._hotel_set_consent("email", True, "import")
        self.assertFalse(self.mailable())
        self.guest.email = "8a7f@ctrip-lookalike.com"
        self.assertFalse(self.guest.is_relay_email)
        # a new relay domain on a channel is applied to existing guests
        self.walk_in.relay_email_domains = "ctrip-lookalike.com"
        self.assertTrue(self.guest.is_relay_email)

    def test_sms_needs_its_own_consent(self):
        self.guest._hotel_set_consent("email", True, "booking_engine")
        self.assertFalse(self.mailable("sms"))
        self.guest._hotel_set_consent("sms", True, "front_desk")
        self.assertEqual(self.mailable("sms"), self.guest)

    def test_consent_follows_the_guest_property_visibility(self):
        self.make_stay(self.guest, "2026-05-01", company=self.property_a)
        self.guest._hotel_set_consent("email", True, "front_desk")
        Consent = self.env["hotel.guest.consent"]
        domain = [("partner_id", "=", self.guest.id)]
        self.assertEqual(Consent.with_user(self.front_desk_a).search_count(domain), 1)
        self.assertEqual(Consent.with_user(self.front_desk_b).search_count(domain), 0)
        with self.assertRaises(AccessError):
            Consent.with_user(self.front_desk_b).create(
                {"partner_id": self.guest.id, "channel": "email", "granted": False}
            )
