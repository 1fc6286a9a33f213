from datetime import datetime

from freezegun import freeze_time

from odoo.tests import tagged

from .common import FeedbackCase


@tagged("post_install", "-at_install")
class TestTwoClocks(FeedbackCase):
    def reply(self, ticket, user=None, note=False):
        ticket.with_user(user or self.guest_relations).message_post(
            body="We are sorry, an engineer is on the way.",
            message_type="comment",
            subtype_xmlid="mail.mt_note" if note else "mail.mt_comment",
            partner_ids=ticket.partner_id.ids,  # "Send message" to the guest
        )

    @freeze_time("2026-06-01 02:00:00")
    def test_deadlines_are_24_and_72_hours_by_default(self):
        ticket = self.ticket()
        self.assertEqual(ticket.reply_deadline, datetime(2026, 6, 2, 2, 0))
        self.assertEqual(ticket.resolve_deadline, datetime(2026, 6, 4, 2, 0))
        self.assertEqual(ticket.sla_state, "on_track")
        self.assertTrue(ticket.activity_ids.filtered(
            lambda a: a.user_id == self.guest_relations))

    def test_reply_clock_stops_at_a_message_to_the_guest_not_at_a_note(self):
        with freeze_time("2026-06-01 02:00:00"):
            ticket = self.ticket()
        with freeze_time("2026-06-01 05:00:00"):
            self.reply(ticket, note=True)
            self.assertFalse(ticket.first_reply_date)
            self.assertEqual(ticket.reply_sla_state, "on_track")
        with freeze_time("2026-06-01 06:30:00"):
            self.reply(ticket)
        self.assertEqual(ticket.first_reply_date, datetime(2026, 6, 1, 6, 30))
        self.assertAlmostEqual(ticket.reply_hours, 4.5)
        self.assertEqual(ticket.reply_sla_state, "met")
        self.assertEqual(ticket.sla_state, "on_track", "the resolution clock still runs")
        with freeze_time("2026-06-02 02:00:00"):
            ticket.stage_id = self.resolved
        self.assertEqual(ticket.resolve_sla_state, "met")
        self.assertEqual(ticket.sla_state, "met")
        self.assertAlmostEqual(ticket.resolve_hours, 24.0)

    def test_the_guest_writing_back_does_not_stop_the_reply_clock(self):
        with freeze_time("2026-06-01 02:00:00"):
            ticket = self.ticket()
            ticket.message_post(body="Any news?", message_type="comment",
                                subtype_xmlid="mail.mt_comment", author_id=self.guest.id)
        self.assertFalse(ticket.first_reply_date)

    def test_business_calendar_skips_nights_and_the_weekend(self):
        self.env.ref("hotel_feedback.sla_default").use_calendar = True
        calendar = self.env.ref("resource.resource_calendar_std")
        calendar.tz = "Asia/Shanghai"  # Mon–Fri 08:00–12:00 and 13:00–17:00
        self.company.resource_calendar_id = calendar
        # Friday 16:00 in Shanghai (08:00 UTC): 1 hour left on Friday
        with freeze_time("2026-06-05 08:00:00"):
            ticket = self.ticket()
        # 24 working hours: Fri 1 h + Mon 8 + Tue 8 + Wed 7 → Wednesday 16:00 Shanghai
        self.assertEqual(ticket.reply_deadline, datetime(2026, 6, 10, 8, 0))
        # 72 working hours: Fri 1 + 5 days (40) + Mon–Wed (24) + Thu 7 → Thursday 16:00
        self.assertEqual(ticket.resolve_deadline, datetime(2026, 6, 18, 8, 0))
        with freeze_time("2026-06-08 01:00:00"):  # Monday 09:00 Shanghai: 2 h used of 24
            self.env["hotel.feedback"]._cron_check_sla()
            self.assertEqual(ticket.reply_sla_state, "on_track")

    def test_at_risk_from_80_percent_then_breached_and_escalated_once(self):
        with freeze_time("2026-06-01 00:00:00"):
            ticket = self.ticket(category_id=self.facilities.id)
        Feedback = self.env["hotel.feedback"]
        with freeze_time("2026-06-01 19:00:00"):
            Feedback._cron_check_sla()
            self.assertEqual(ticket.reply_sla_state, "on_track")
        with freeze_time("2026-06-01 19:30:00"):
            Feedback._cron_check_sla()
            self.assertEqual(ticket.reply_sla_state, "at_risk")
            self.assertEqual(ticket.sla_state, "at_risk")
        with freeze_time("2026-06-02 00:30:00"):
            escalated = Feedback._cron_check_sla()
            self.assertEqual(escalated, ticket)
            self.assertEqual(ticket.sla_state, "breached")
            Feedback._cron_check_sla()
        escalations = ticket.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref(
                "hotel_feedback.mail_activity_feedback_escalation"))
        self.assertEqual(len(escalations), 1, "escalated exactly once")
        self.assertEqual(escalations.user_id, self.manager, "to the department manager")
        notes = ticket.message_ids.filtered(lambda m: "SLA breached" in (m.body or ""))
        self.assertEqual(len(notes), 1)
        # a late reply is recorded, and stays breached
        with freeze_time("2026-06-02 01:00:00"):
            self.reply(ticket)
        self.assertEqual(ticket.reply_sla_state, "breached")

    def test_reopening_restarts_the_resolution_clock(self):
        with freeze_time("2026-06-01 00:00:00"):
            ticket = self.ticket()
        with freeze_time("2026-06-02 00:00:00"):
            ticket.stage_id = self.resolved
            self.assertEqual(ticket.resolve_sla_state, "met")
        with freeze_time("2026-06-10 00:00:00"):
            ticket.stage_id = self.in_progress
        self.assertFalse(ticket.resolved_date)
        self.assertEqual(ticket.opened_date, datetime(2026, 6, 10))
        self.assertEqual(ticket.resolve_deadline, datetime(2026, 6, 13))
        self.assertEqual(ticket.resolve_sla_state, "on_track")

    @freeze_time("2026-06-01 00:00:00")
    def test_urgent_feedback_gets_the_urgent_policy(self):
        ticket = self.ticket(priority="3")
        self.assertEqual(ticket.sla_id, self.env.ref("hotel_feedback.sla_urgent"))
        self.assertEqual(ticket.reply_deadline, datetime(2026, 6, 1, 2, 0))
