from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from .common import FeedbackCase


@tagged("post_install", "-at_install")
class TestFeedbackAccess(FeedbackCase):
    def test_front_desk_records_feedback_with_the_quick_form(self):
        Feedback = self.env["hotel.feedback"].with_user(self.front_desk)
        view = self.env.ref("hotel_feedback.hotel_feedback_view_form_quick")
        with Form(Feedback.with_context(default_channel="front_desk"), view=view) as form:
            form.partner_id = self.guest
            form.name = "早餐太冷了"
        ticket = form.save()
        self.assertEqual((ticket.channel, ticket.category_id), ("front_desk", self.food))
        self.assertIn(ticket, Feedback.search([]))
        with self.assertRaises(AccessError):
            ticket.with_user(self.front_desk).unlink()

    def test_front_desk_records_feedback_from_the_guest_form(self):
        action = self.guest.with_user(self.front_desk).action_new_feedback()
        self.assertEqual(action["res_model"], "hotel.feedback")
        view = self.env.ref("hotel_feedback.hotel_feedback_view_form_quick")
        Feedback = self.env["hotel.feedback"].with_user(self.front_desk)
        with Form(Feedback.with_context(**action["context"]), view=view) as form:
            form.name = "Wants a quieter room"
        ticket = form.save()
        self.assertEqual((ticket.partner_id, ticket.channel), (self.guest, "front_desk"))

    def test_department_manager_sees_only_the_department(self):
        towels = self.ticket(name="毛巾不干净")
        aircon = self.ticket(name="空调坏了")
        seen = self.env["hotel.feedback"].with_user(self.housekeeping_manager).search([])
        self.assertIn(towels, seen)
        self.assertNotIn(aircon, seen)
        with self.assertRaises(AccessError):
            aircon.with_user(self.housekeeping_manager).read(["name"])

    def test_properties_are_isolated_and_marketing_only_reads(self):
        cny = self.env.ref("base.CNY")
        cny.active = True
        other = self.env["res.company"].create({"name": "Other Hotel", "currency_id": cny.id})
        other_user = new_test_user(
            self.env, login="fb_other", groups="base.group_user,hotel_crm.group_hotel_front_desk",
            company_id=other.id, company_ids=[(6, 0, other.ids)],
        )
        ticket = self.ticket()
        self.assertNotIn(ticket, self.env["hotel.feedback"].with_user(other_user).search([]))
        self.assertEqual(ticket.with_user(self.marketing).name, ticket.name)
        with self.assertRaises(AccessError):
            ticket.with_user(self.marketing).write({"name": "x"})

    def test_guest_form_counts_open_complaints(self):
        self.ticket()
        done = self.ticket(name="Thanks!")
        done.stage_id = self.resolved
        self.assertEqual(self.guest.with_user(self.front_desk).open_feedback_count, 1)

    def test_compensation_is_approved_once_with_its_cost(self):
        ticket = self.ticket(compensation_type="voucher", compensation_value="100 CNY",
                             compensation_cost=100)
        ticket.with_user(self.guest_relations).action_approve_compensation()
        self.assertEqual(ticket.compensation_approved_by, self.guest_relations)
        self.assertIn("100 CNY", ticket.message_ids[0].body)
