"""The 24 h / 72 h compliance measures the very users who handle the tickets (F4, F6, R1): what
they do on a ticket can neither erase a recorded breach, nor stop the reply clock without the
guest hearing from the hotel, nor hand the ticket (and its breach) to someone who cannot see it."""

from datetime import date, datetime

from freezegun import freeze_time

from odoo.tests import new_test_user, tagged

from .common import FeedbackApiCase, FeedbackCase


@tagged("post_install", "-at_install")
class TestRecordedBreachesStay(FeedbackCase):
    def kpi(self):
        config = self.env["hotel.feedback.config"]._for_company(self.company)
        return config._kpi_figures(date(2026, 4, 1), date(2026, 6, 30))

    def send(self, ticket, user=None):
        ticket.with_user(user or self.guest_relations).message_post(
            body="We are sorry.", message_type="comment", subtype_xmlid="mail.mt_comment",
            partner_ids=ticket.partner_id.ids,
        )

    def test_closing_late_then_reopening_and_closing_in_time_keeps_the_breach(self):
        gr = self.guest_relations
        with freeze_time("2026-06-01 00:00:00"):
            late = self.ticket()  # reply by 06-02, resolve by 06-04 00:00
            in_time = self.ticket(name="Towels missing")
        with freeze_time("2026-06-01 02:00:00"):
            self.send(late)
            self.send(in_time)
            in_time.with_user(gr).stage_id = self.resolved
        with freeze_time("2026-06-05 00:00:00"):  # 24 h late
            late.with_user(gr).stage_id = self.resolved
            self.assertEqual(late.resolve_sla_state, "breached")
        with freeze_time("2026-06-05 01:00:00"):
            late.with_user(gr).stage_id = self.in_progress
        self.assertEqual(late.resolve_sla_state, "on_track", "the follow-up gets its own clock")
        with freeze_time("2026-06-05 02:00:00"):
            late.with_user(gr).stage_id = self.resolved
            fig = self.kpi()
        self.assertEqual(fig["resolve_compliance"], 50.0, "the first resolution was late")
        self.assertAlmostEqual(fig["resolve_p90"], 2 + 0.9 * (96 - 2),
                               msg="the first resolution's time counts, not the follow-up's")
        self.assertEqual(fig["reply_compliance"], 100.0)
        self.assertTrue(late.resolve_breached)
        self.assertEqual(late.first_resolved_date, datetime(2026, 6, 5))
        self.assertAlmostEqual(late.first_resolve_hours, 96.0)
        self.assertFalse(in_time.resolve_breached)
        # reopening and closing again, in time, does not make the late one met either
        with freeze_time("2026-06-06 00:00:00"):
            late.with_user(gr).stage_id = self.in_progress
            late.with_user(gr).stage_id = self.resolved
            self.assertEqual(self.kpi()["resolve_compliance"], 50.0)

    def test_a_breach_found_while_open_stays_after_the_ticket_is_closed_and_reopened(self):
        gr = self.guest_relations
        with freeze_time("2026-06-01 00:00:00"):
            ticket = self.ticket()
        with freeze_time("2026-06-04 01:00:00"):
            self.env["hotel.feedback"]._cron_check_sla()
            self.assertEqual((ticket.reply_breached, ticket.resolve_breached), (True, True))
            ticket.with_user(gr).stage_id = self.resolved
            ticket.with_user(gr).stage_id = self.in_progress
        with freeze_time("2026-06-04 02:00:00"):
            self.send(ticket)
            ticket.with_user(gr).stage_id = self.resolved
            fig = self.kpi()
        self.assertEqual((ticket.reply_breached, ticket.resolve_breached), (True, True))
        self.assertEqual((fig["reply_compliance"], fig["resolve_compliance"]), (0.0, 0.0))

    def test_a_first_resolution_in_time_stays_met_after_a_reopen(self):
        gr = self.guest_relations
        with freeze_time("2026-06-01 00:00:00"):
            ticket = self.ticket()
        with freeze_time("2026-06-02 00:00:00"):
            ticket.with_user(gr).stage_id = self.resolved
        with freeze_time("2026-06-10 00:00:00"):
            ticket.with_user(gr).stage_id = self.in_progress
            ticket.with_user(gr).stage_id = self.resolved
            fig = self.kpi()
        self.assertFalse(ticket.resolve_breached)
        self.assertEqual(fig["resolve_compliance"], 100.0)
        self.assertAlmostEqual(fig["resolve_p50"], 24.0)


@tagged("post_install", "-at_install")
class TestReplyClockNeedsTheGuest(FeedbackCase):
    def post(self, ticket, note=False, to=None, user=None):
        return ticket.with_user(user or self.guest_relations).message_post(
            body="An engineer is on the way.", message_type="comment",
            subtype_xmlid="mail.mt_note" if note else "mail.mt_comment",
            partner_ids=(to.ids if to else []),
        )

    def test_an_internal_note_does_not_stop_the_reply_clock_even_naming_the_guest(self):
        ticket = self.ticket()
        self.post(ticket, note=True)
        self.post(ticket, note=True, to=self.guest)
        self.assertFalse(ticket.first_reply_date)

    def test_a_message_to_the_followers_without_the_guest_does_not_stop_the_reply_clock(self):
        ticket = self.ticket()
        self.assertNotIn(self.guest, ticket.message_partner_ids)
        self.post(ticket)  # the owner (a follower) is notified, the guest is not
        self.post(ticket, to=self.front_desk.partner_id)
        self.assertFalse(ticket.first_reply_date)
        self.assertNotEqual(ticket.reply_sla_state, "met")

    def test_sending_a_message_to_the_guest_stops_the_reply_clock(self):
        with freeze_time("2026-06-01 00:00:00"):
            ticket = self.ticket()
            suggested = ticket._message_get_suggested_recipients()
        self.assertIn(self.guest.id, [r.get("partner_id") for r in suggested],
                      "the chatter's Send message proposes the guest")
        with freeze_time("2026-06-01 03:00:00"):
            self.post(ticket, to=self.guest)
        self.assertEqual(ticket.first_reply_date, datetime(2026, 6, 1, 3))
        self.assertEqual(ticket.reply_sla_state, "met")

    def test_a_message_to_the_followers_reaches_a_guest_who_follows_the_ticket(self):
        ticket = self.ticket()
        ticket.message_subscribe(partner_ids=self.guest.ids)
        self.post(ticket)
        self.assertTrue(ticket.first_reply_date)

    def test_a_guest_without_an_address_receives_nothing(self):
        silent = self.env["res.partner"].create({"name": "No Mail", "is_guest": True})
        ticket = self.ticket(partner_id=silent.id)
        self.post(ticket, to=silent)
        self.assertFalse(ticket.first_reply_date)

    def test_a_reply_to_an_unknown_senders_address_stops_the_reply_clock(self):
        ticket = self.env["hotel.feedback"].message_new({
            "email_from": "Stranger <stranger@example.com>", "subject": "Broken lift",
            "body": "The lift is broken.",
        })
        suggested = ticket._message_get_suggested_recipients()
        self.assertTrue(any("stranger@example.com" in (r.get("email") or "") for r in suggested))
        self.post(ticket, to=self.guest)  # someone else
        self.assertFalse(ticket.first_reply_date)
        # the chatter creates the proposed recipient from the address, then sends
        sender = self.env["res.partner"].with_user(self.guest_relations).create(
            {"name": "Stranger", "email": "stranger@example.com"})
        self.post(ticket, to=sender)
        self.assertTrue(ticket.first_reply_date)


@tagged("post_install", "-at_install")
class TestTicketOwnerApi(FeedbackApiCase):
    def test_a_ticket_goes_only_to_an_owner_who_handles_feedback_at_its_property(self):
        cny = self.env.ref("base.CNY")
        cny.active = True
        other = self.env["res.company"].create({"name": "FB Owner Other Hotel",
                                                "currency_id": cny.id})
        outsiders = [
            new_test_user(self.env, login="fb_portal", groups="base.group_portal",
                          password="fb_portal-secret"),
            self.marketing,  # reads every ticket, handles none
            self.housekeeping_manager,  # sees only the tickets of the departments
            self.make_user("fb_fd_other", ["hotel_crm.group_hotel_front_desk"], other),
            self.make_user("fb_plain", []),
        ]
        archived = self.make_user("fb_fd_gone", ["hotel_crm.group_hotel_front_desk"])
        archived.active = False
        outsiders.append(archived)
        ticket = self.ticket()
        for owner in outsiders:
            with self.subTest(owner=owner.login):
                fault = self.assertFault(self.guest_relations, "hotel.feedback", "write",
                                         [ticket.id], {"user_id": owner.id})
                self.assertIn("cannot own", fault.faultString)
                self.assertFault(self.guest_relations, "hotel.feedback", "create", {
                    "name": "x", "partner_id": self.guest.id, "user_id": owner.id,
                })
        ticket.invalidate_recordset()
        self.assertEqual(ticket.user_id, self.guest_relations)
        self.assertFalse(ticket.activity_ids.filtered(lambda a: a.user_id in outsiders))
        # a colleague of the front desk at the same property may own it
        self.call(self.guest_relations, "hotel.feedback", "write", [ticket.id],
                  {"user_id": self.front_desk.id})
        ticket.invalidate_recordset()
        self.assertEqual(ticket.user_id, self.front_desk)
        self.assertIn(self.front_desk, ticket.activity_ids.user_id)
