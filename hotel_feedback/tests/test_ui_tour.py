from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestFeedbackTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        user = new_test_user(
            cls.env, login="fb_tour_gr", password="fb_tour_gr",
            groups="base.group_user,hotel_crm.group_hotel_guest_relations",
            company_id=cls.env.company.id, company_ids=[(6, 0, cls.env.company.ids)],
            email="gr@example.com",
        )
        guest = cls.env["res.partner"].create(
            {"name": "投诉客人 Tour Guest", "email": "tour.guest@example.com", "is_guest": True}
        )
        cls.ticket = cls.env["hotel.feedback"].create({
            "name": "Tour: the shower is leaking", "partner_id": guest.id,
            "channel": "email", "user_id": user.id,
        })

    def test_guest_relations_answers_a_ticket_by_email(self):
        self.assertEqual(self.ticket.reply_sla_state, "on_track")
        self.start_tour("/odoo/action-hotel_feedback.hotel_feedback_action",
                        "hotel_feedback_reply_tour", login="fb_tour_gr")
        self.assertTrue(self.ticket.first_reply_date)
        self.assertEqual(self.ticket.reply_sla_state, "met")
