from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.mail.tests.common import MockEmail

from .common import HotelMarketingCase, dt


@tagged("post_install", "-at_install")
class TestConsent(HotelMarketingCase, MockEmail):
    def test_mass_mailing_reaches_only_consenting_guests(self):
        mailing = self.make_mailing([("id", "in", self.guests.ids)])
        self.assertEqual(mailing.total, 1, "only the consenting guest counts as a recipient")
        with self.mock_mail_gateway():  # sent mails are deleted: keep them to look at
            mailing.action_send_mail()
        self.assertEqual(self.mailed_partners(mailing), self.ok)
        mails = self._new_mails.filtered(lambda m: m.mailing_id == mailing)
        self.assertEqual(mails.mapped("res_id"), self.ok.ids)

    def test_segment_written_for_everyone_still_respects_consent(self):
        # every test guest, whatever their consent (the database may hold demo guests too)
        mailing = self.make_mailing([("id", "in", self.guests.ids)])
        mailing.action_send_mail()
        mailed = self.mailed_partners(mailing)
        self.assertIn(self.ok, mailed)
        for guest in self.guests - self.ok:
            self.assertNotIn(guest, mailed, guest.name)

    def test_explicit_recipients_are_filtered(self):
        mailing = self.make_mailing([("is_guest", "=", True)])
        mailing.action_send_mail(res_ids=(self.ok | self.blacklisted | self.relay).ids)
        self.assertEqual(self.mailed_partners(mailing), self.ok)

    def test_explicit_recipients_without_consent_are_refused(self):
        mailing = self.make_mailing([("is_guest", "=", True)])
        with self.assertRaisesRegex(UserError, "consent"):
            mailing.action_send_mail(res_ids=(self.no_consent | self.withdrawn).ids)
        self.assertFalse(self.mailed_partners(mailing))

    def test_consent_withdrawn_after_mailing_was_prepared(self):
        mailing = self.make_mailing([("id", "in", self.ok.ids)])
        self.assertEqual(mailing.total, 1)
        self.ok._hotel_set_consent("email", False, "guest_request", proof="phone call")
        mailing.invalidate_recordset(["total"])
        self.assertEqual(mailing.total, 0)
        with self.assertRaises(UserError):
            mailing.action_send_mail()

    def test_not_blacklisted_search_selects_the_same_guests_as_the_flag(self):
        partners = self.guests | self.make_guest("没有邮箱的客人")
        found = self.Partner.search([("id", "in", partners.ids), ("is_blacklisted", "=", False)])
        self.assertEqual(found, partners.filtered(lambda p: not p.is_blacklisted))
        self.assertNotIn(self.blacklisted, found)
        blacklisted = self.Partner.search(
            [("id", "in", partners.ids), ("is_blacklisted", "!=", False)])
        self.assertEqual(blacklisted, self.blacklisted)

    def test_an_erased_guest_leaves_mailing_lists_and_keeps_the_campaign_figures(self):
        mailing_list = self.env["mailing.list"].create({"name": "Newsletter"})
        contact = self.env["mailing.contact"].create({
            "name": self.ok.name, "email": self.ok.email, "list_ids": mailing_list.ids,
        })
        mailing = self.make_mailing([("id", "in", self.ok.ids)])
        trace = self.make_trace(mailing, self.ok, dt("2026-05-01 10:00:00"))
        exported = self.ok._hotel_privacy_data()["Mailings Received"]
        self.assertEqual(exported[0]["Mailing"], mailing.display_name)
        self.ok._hotel_anonymise("Guest request")
        self.assertFalse(contact.exists())
        self.assertTrue(trace.exists())
        self.assertFalse(self.env["res.partner"].search(
            [("id", "=", self.ok.id), *self.ok._hotel_mailable_domain()]))
