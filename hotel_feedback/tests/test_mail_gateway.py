from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import FeedbackCase

MAIL = """Return-Path: <{sender}>
From: {name} <{sender}>
To: feedback@hotel.example.com
Subject: {subject}
Message-ID: <{msgid}@mail.example.com>
Date: Mon, 01 Jun 2026 10:00:00 +0800
MIME-Version: 1.0
Content-Type: text/html; charset="utf-8"

{body}
"""


@tagged("post_install", "-at_install")
class TestMailGateway(FeedbackCase):
    def receive(self, sender, subject, body, name="Guest", msgid="1"):
        thread_id = self.env["mail.thread"].message_process(
            "hotel.feedback",
            MAIL.format(sender=sender, name=name, subject=subject, body=body, msgid=msgid),
        )
        return self.env["hotel.feedback"].browse(thread_id)

    def test_a_mail_from_a_known_guest_opens_a_ticket_for_that_guest(self):
        ticket = self.receive("Wu.Min@Example.com", "房间空调坏了", "<p>空调一直不制冷。</p>")
        self.assertEqual(ticket.partner_id, self.guest)
        self.assertEqual(ticket.channel, "email")
        self.assertEqual(ticket.category_id, self.facilities)
        self.assertEqual(ticket.description, "空调一直不制冷。")
        self.assertTrue(ticket.reply_deadline)

    def test_an_unknown_sender_is_proposed_as_a_guest(self):
        ticket = self.receive("new.person@example.org", "Noise", "<p>Noisy room</p>",
                              name="New Person", msgid="2")
        self.assertFalse(ticket.partner_id)
        self.assertIn("new.person@example.org", ticket.email_from)
        ticket.with_user(self.guest_relations).action_create_guest()
        self.assertEqual(ticket.partner_id.email, "new.person@example.org")
        self.assertEqual(ticket.partner_id.name, "New Person")
        self.assertTrue(ticket.partner_id.is_guest)

    def test_an_empty_mail_still_opens_a_ticket_that_says_so(self):
        ticket = self.receive("wu.min@example.com", "", "", msgid="3")
        self.assertEqual(ticket.name, "(no subject)")
        self.assertEqual(ticket.description, "(empty message)")

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_script_in_a_mail_is_kept_as_text_only(self):
        body = ('<p>Bad stay<script>alert("x")</script>'
                '<img src="x" onerror="alert(1)"></p>')
        ticket = self.receive("wu.min@example.com", "<b>Complaint</b>", body, msgid="4")
        self.assertNotIn("<script", ticket.description)
        self.assertNotIn("onerror", ticket.description)
        self.assertIn("Bad stay", ticket.description)
        # the description is plain text: the form shows it escaped, never as HTML
        self.assertEqual(ticket._fields["description"].type, "text")

    def test_a_mail_is_matched_only_to_a_guest_of_the_tickets_property(self):
        """The gateway runs as superuser: a guest known only at another property is not put
        on this property's ticket (its users would see the guest's name)."""
        cny = self.env.ref("base.CNY")
        cny.active = True
        other = self.env["res.company"].create({"name": "Gateway Other Hotel",
                                                "currency_id": cny.id})
        elsewhere = self.env["res.partner"].create(
            {"name": "别处客人", "email": "elsewhere@example.com", "is_guest": True})
        self.env["hotel.stay"].create({
            "partner_id": elsewhere.id, "company_id": other.id,
            "channel_id": self.env.ref("hotel_crm.channel_walk_in").id, "booking_ref": "GW-1",
            "check_in": "2026-05-01", "check_out": "2026-05-03", "booked_on": "2026-04-01",
            "state": "checked_out", "amount_room": 1000,
        })
        self.assertEqual(elsewhere.property_ids, other)
        ticket = self.receive("elsewhere@example.com", "Lost bag", "<p>Lost my bag</p>",
                              msgid="5")
        self.assertEqual(ticket.company_id, self.env.company)
        self.assertFalse(ticket.partner_id)
        self.assertIn("elsewhere@example.com", ticket.email_from)
