"""The external API as front desk and guest relations meet it (F4, F6, R1, S1): the clocks, SLA
states, figures and links the addon derives change only through its own logic, whatever the
values or the context a script sends."""

from datetime import date, timedelta

from odoo import fields
from odoo.tests import tagged

from .common import FeedbackApiCase

OLD_KEY = {"hotel_feedback_clock": True}  # the context key that used to skip every check
# ... and the names of the reasons the addon now grants itself in code
FORGED = {**OLD_KEY, "hotel_feedback.clock": True, "hotel_feedback.review": True,
          "hotel_feedback.survey": True}

# A value for each field the addon derives; none may be written or preset by a user.
DERIVED = {
    "reference": "FB-FAKE",
    "received_date": "2020-01-01 00:00:00",
    "opened_date": "2020-01-01 00:00:00",
    "reply_deadline": "2099-01-01 00:00:00",
    "resolve_deadline": "2099-01-01 00:00:00",
    "first_reply_date": "2026-01-01 00:00:00",
    "resolved_date": "2026-01-01 00:00:00",
    "reply_hours": 0.5,
    "resolve_hours": 0.5,
    "reply_sla_state": "met",
    "resolve_sla_state": "met",
    "sla_state": "met",
    "reply_escalated": True,
    "resolve_escalated": True,
    "sla_id": False,
    "is_closed": True,
    "department": "other",
    "auto_category_id": False,
    "classification_confidence": 1.0,
    "category_corrected": True,
    "compensation_approved_by": 2,
    "review_id": False,
    "survey_user_input_id": False,
    "reply_breached": False,
    "resolve_breached": False,
    "first_resolved_date": "2026-01-01 00:00:00",
    "first_resolve_hours": 0.5,
    "first_resolve_deadline": "2099-01-01 00:00:00",
}


@tagged("post_install", "-at_install")
class TestFeedbackApi(FeedbackApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cny = env.ref("base.CNY")
        cny.active = True
        cls.other = env["res.company"].create({"name": "FB Other Hotel", "currency_id": cny.id})
        cls.other_guest = env["res.partner"].create({
            "name": "别家客人", "email": "other.guest@example.com", "is_guest": True,
        })
        cls.other_stay = cls.stay(cls.other_guest, cls.other, "FB-O1")
        cls.own_stay = cls.stay(cls.guest, cls.company, "FB-A1")

    @classmethod
    def stay(cls, guest, company, ref, check_in=None, state="checked_out"):
        check_in = check_in or fields.Date.today() - timedelta(days=3)
        return cls.env["hotel.stay"].create({
            "partner_id": guest.id, "company_id": company.id,
            "channel_id": cls.env.ref("hotel_crm.channel_walk_in").id, "booking_ref": ref,
            "check_in": check_in, "check_out": check_in + timedelta(days=2),
            "booked_on": check_in - timedelta(days=10), "state": state,
            "amount_room": 1000,
        })

    def snapshot(self, ticket):
        ticket.invalidate_recordset()
        return ticket.read(list(DERIVED))[0]

    def new(self, user, **vals):
        return self.call(user, "hotel.feedback", "create", {
            "name": "Noisy air conditioning", "partner_id": self.guest.id, "channel": "phone",
            **vals,
        })

    def test_front_desk_and_guest_relations_cannot_rewrite_clocks_states_or_figures(self):
        ticket = self.ticket(category_id=self.facilities.id)
        before = self.snapshot(ticket)
        for user in (self.front_desk, self.guest_relations):
            for context in ({}, FORGED):
                for name, value in DERIVED.items():
                    with self.subTest(user=user.login, field=name, context=context):
                        self.assertFault(user, "hotel.feedback", "write", [ticket.id],
                                         {name: value}, context=context)
        self.assertEqual(self.snapshot(ticket), before)

    def test_clocks_states_and_figures_cannot_be_preset_when_a_ticket_is_created(self):
        Feedback = self.env["hotel.feedback"]
        count = Feedback.search_count([])
        for user in (self.front_desk, self.guest_relations):
            for context in ({}, FORGED):
                for name, value in DERIVED.items():
                    if name == "received_date":
                        continue  # bounded, see the next test
                    with self.subTest(user=user.login, field=name, context=context):
                        self.assertFault(user, "hotel.feedback", "create", {
                            "name": "x", "partner_id": self.guest.id, name: value,
                        }, context=context)
                        self.assertFault(user, "hotel.feedback", "create", {
                            "name": "x", "partner_id": self.guest.id,
                        }, context={**context, f"default_{name}": value})
            # the mail gateway's entry point is public too: its values go through create
            self.assertFault(user, "hotel.feedback", "message_new",
                             {"email_from": "wu.min@example.com", "subject": "x", "body": "y"},
                             {"reply_deadline": "2099-01-01 00:00:00"}, context=OLD_KEY)
        self.assertEqual(Feedback.search_count([]), count)

    def test_only_guest_relations_may_date_a_late_logged_complaint_and_only_within_bounds(self):
        now = fields.Datetime.now().replace(microsecond=0)
        two_days_ago = fields.Datetime.to_string(now - timedelta(days=2))
        self.assertFault(self.front_desk, "hotel.feedback", "create",
                         {"name": "x", "received_date": two_days_ago})
        for when in (now + timedelta(hours=1), now - timedelta(days=8)):
            self.assertFault(self.guest_relations, "hotel.feedback", "create",
                             {"name": "x", "received_date": fields.Datetime.to_string(when)})
        # not before the guest's stay
        late_stay = self.stay(self.guest, self.company, "FB-A2",
                              check_in=fields.Date.today() - timedelta(days=1),
                              state="in_house")
        self.assertFault(self.guest_relations, "hotel.feedback", "create", {
            "name": "x", "stay_id": late_stay.id, "received_date": two_days_ago,
        })
        ticket = self.env["hotel.feedback"].browse(
            self.new(self.guest_relations, received_date=two_days_ago)
        )
        self.assertEqual(ticket.received_date, now - timedelta(days=2))
        self.assertEqual(ticket.reply_deadline, now - timedelta(days=1))
        self.assertEqual(ticket.sla_state, "breached", "a late-logged complaint is late")

    def test_the_old_context_key_no_longer_skips_the_clocks(self):
        ticket = self.env["hotel.feedback"].browse(self.new(self.front_desk))
        self.call(self.front_desk, "hotel.feedback", "write", [ticket.id],
                  {"stage_id": self.resolved.id}, context=OLD_KEY)
        ticket.invalidate_recordset()
        self.assertTrue(ticket.resolved_date, "closing stops the resolution clock")
        self.assertEqual(ticket.resolve_sla_state, "met")
        self.call(self.front_desk, "hotel.feedback", "write", [ticket.id],
                  {"stage_id": self.in_progress.id}, context=OLD_KEY)
        ticket.invalidate_recordset()
        self.assertFalse(ticket.resolved_date, "reopening restarts it")

    def test_a_new_priority_or_category_does_not_erase_a_breach(self):
        self.env["hotel.feedback.sla"].create({
            "name": "Low: a week", "sequence": 5, "priority": "0",
            "reply_hours": 168, "resolve_hours": 336,
        })
        start = fields.Datetime.now() - timedelta(hours=30)
        ticket = self.env["hotel.feedback"].create({  # the addon's own clock, as superuser
            "name": "Lift broken", "partner_id": self.guest.id, "received_date": start,
            "opened_date": start,
        })
        self.env["hotel.feedback"]._cron_check_sla()
        self.assertEqual((ticket.reply_sla_state, ticket.reply_escalated), ("breached", True))
        deadline = ticket.reply_deadline
        for vals in ({"priority": "0"}, {"category_id": self.food.id}, {"priority": "1"}):
            self.call(self.front_desk, "hotel.feedback", "write", [ticket.id], vals)
            ticket.invalidate_recordset()
            self.assertEqual(ticket.reply_deadline, deadline)
            self.assertEqual(ticket.reply_sla_state, "breached")

    def test_a_copied_ticket_starts_its_own_clocks_without_the_approval(self):
        ticket = self.ticket(compensation_type="voucher", compensation_value="100 CNY")
        ticket.with_user(self.guest_relations).action_approve_compensation()
        copy_id = self.call(self.front_desk, "hotel.feedback", "copy", [ticket.id],
                            context=OLD_KEY)
        copy = self.env["hotel.feedback"].browse(copy_id)  # one id or a list of one
        self.assertEqual(len(copy), 1)
        self.assertFalse(copy.compensation_approved_by)
        self.assertNotEqual(copy.reference, ticket.reference)
        self.assertGreaterEqual(copy.received_date, ticket.received_date)
        self.assertFault(self.front_desk, "hotel.feedback", "copy", [ticket.id],
                         {"reply_deadline": "2099-01-01 00:00:00"})

    def test_an_approved_compensation_stays_what_was_approved(self):
        ticket = self.ticket(compensation_type="voucher", compensation_value="100 CNY",
                             compensation_cost=100)
        ticket.with_user(self.guest_relations).action_approve_compensation()
        other = self.env["res.partner"].create({"name": "Another Guest", "is_guest": True})
        for vals in ({"compensation_cost": 1000}, {"compensation_value": "1000 CNY"},
                     {"compensation_type": "upgrade"}, {"partner_id": other.id}):
            self.assertFault(self.guest_relations, "hotel.feedback", "write", [ticket.id], vals,
                             context=OLD_KEY)
        self.assertEqual((ticket.compensation_cost, ticket.partner_id), (100, self.guest))
        self.assertFault(self.guest_relations, "hotel.feedback", "action_approve_compensation",
                         [ticket.id], context=OLD_KEY)

    def test_a_front_desk_clerk_cannot_approve_a_compensation(self):
        ticket_id = self.new(self.front_desk, compensation_type="upgrade",
                             compensation_cost=800)
        for context in ({}, FORGED):
            self.assertFault(self.front_desk, "hotel.feedback", "action_approve_compensation",
                             [ticket_id], context=context)
        self.assertFalse(self.env["hotel.feedback"].browse(ticket_id).compensation_approved_by)

    def test_a_ticket_shows_only_a_guest_stay_and_property_of_the_users_own(self):
        ticket_id = self.new(self.front_desk)
        # another property's guest or stay: its name would show to every user of this one
        self.assertFault(self.front_desk, "hotel.feedback", "create",
                         {"name": "x", "partner_id": self.other_guest.id})
        self.assertFault(self.front_desk, "hotel.feedback", "create",
                         {"name": "x", "stay_id": self.other_stay.id})
        self.assertFault(self.front_desk, "hotel.feedback", "create",
                         {"name": "x", "company_id": self.other.id})
        for vals in ({"partner_id": self.other_guest.id}, {"stay_id": self.other_stay.id},
                     {"company_id": self.other.id}):
            self.assertFault(self.front_desk, "hotel.feedback", "write", [ticket_id], vals)
        # a stay of this property, but of someone else
        stranger = self.env["res.partner"].create({"name": "Stranger", "is_guest": True})
        self.assertFault(self.front_desk, "hotel.feedback", "write", [ticket_id],
                         {"partner_id": stranger.id, "stay_id": self.own_stay.id})
        ticket = self.env["hotel.feedback"].browse(ticket_id)
        self.assertEqual((ticket.partner_id, ticket.company_id), (self.guest, self.company))

    def test_guest_relations_cannot_rewrite_an_online_rating_or_its_ticket(self):
        review_id = self.call(self.guest_relations, "hotel.review", "create", {
            "source": "ctrip", "date": str(date.today()), "rating": 2, "text": "Dirty room",
            "external_ref": "API-R1",
        })
        review = self.env["hotel.review"].browse(review_id)
        self.assertTrue(review.ticket_id, "a low rating opens a ticket")
        for context in ({}, FORGED):
            for vals in ({"rating": 5}, {"date": "2020-01-01"}, {"source": "google"},
                         {"external_ref": "X"}, {"ticket_id": False},
                         {"company_id": self.other.id}):
                self.assertFault(self.guest_relations, "hotel.review", "write", [review_id],
                                 vals, context=context)
            self.assertFault(self.guest_relations, "hotel.review", "create", {
                "source": "ctrip", "date": str(date.today()), "rating": 5,
                "ticket_id": review.ticket_id.id,
            }, context=context)
        self.assertFault(self.guest_relations, "hotel.review", "create", {
            "source": "ctrip", "date": str(date.today()), "rating": 1,
            "partner_id": self.other_guest.id,
        })
        review.invalidate_recordset()
        self.assertEqual((review.rating, review.source), (2, "ctrip"))
        self.assertTrue(review.ticket_id)
        # text and the guest link stay editable
        self.call(self.guest_relations, "hotel.review", "write", [review_id],
                  {"reviewer_name": "李先生", "partner_id": self.guest.id})

    def test_survey_scores_and_the_stays_survey_link_cannot_be_written(self):
        survey = self.env.ref("hotel_feedback.survey_post_stay")
        officer = self.make_user("fb_survey", ["hotel_crm.group_hotel_front_desk",
                                               "survey.group_survey_manager"])
        answer = survey.sudo()._create_answer(partner=self.guest, check_attempts=False,
                                              hotel_stay_id=self.own_stay.id)
        answer.hotel_overall_score = 2
        self.own_stay.survey_user_input_id = answer
        for context in ({}, FORGED):
            for vals in ({"hotel_overall_score": 5}, {"hotel_nps_score": 10},
                         {"hotel_comment": "Great"}, {"hotel_stay_id": False},
                         {"hotel_company_id": self.other.id},
                         {"hotel_feedback_id": False}):
                self.assertFault(officer, "survey.user_input", "write", [answer.id], vals,
                                 context=context)
            self.assertFault(officer, "survey.user_input", "create", {
                "survey_id": survey.id, "hotel_overall_score": 5,
                "hotel_stay_id": self.own_stay.id,
            }, context=context)
            # clearing the link would make the survey job mail the guest again
            self.assertFault(self.front_desk, "hotel.stay", "write", [self.own_stay.id],
                             {"survey_user_input_id": False}, context=context)
        answer.invalidate_recordset()
        self.assertEqual(answer.hotel_overall_score, 2)
        self.assertEqual(self.own_stay.survey_user_input_id, answer)
