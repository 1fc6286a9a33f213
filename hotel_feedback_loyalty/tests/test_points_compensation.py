from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.hotel_feedback.tests.common import FeedbackCase


@tagged("post_install", "-at_install")
class TestPointsCompensation(FeedbackCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.member = cls.env["hotel.loyalty.member"].create({"partner_id": cls.guest.id})

    def test_points_compensation_is_a_bonus_line_from_the_ticket(self):
        ticket = self.ticket(compensation_type="points", compensation_value="300 points",
                             compensation_points=300)
        ticket.with_user(self.guest_relations).action_approve_compensation()
        line = self.member.ledger_ids.filtered(lambda ln: ln.res_model == "hotel.feedback")
        self.assertEqual((line.kind, line.points, line.res_id), ("bonus", 300, ticket.id))
        self.assertEqual(self.member.points_balance, 300)
        with self.assertRaisesRegex(UserError, "already approved"):
            ticket.with_user(self.guest_relations).action_approve_compensation()
        self.assertEqual(self.member.points_balance, 300)

    def test_above_the_goodwill_limit_needs_a_manager(self):
        ticket = self.ticket(compensation_type="points", compensation_points=5000)
        with self.assertRaisesRegex(UserError, "needs a Manager"):
            ticket.with_user(self.guest_relations).action_approve_compensation()
        self.assertEqual(self.member.points_balance, 0)
        ticket.with_user(self.manager).action_approve_compensation()
        self.assertEqual(self.member.points_balance, 5000)

    def test_a_guest_who_is_not_a_member_cannot_get_points(self):
        stranger = self.env["res.partner"].create({"name": "Not A Member", "is_guest": True})
        ticket = self.ticket(partner_id=stranger.id, compensation_type="points",
                             compensation_points=100)
        with self.assertRaisesRegex(UserError, "not a loyalty member"):
            ticket.with_user(self.guest_relations).action_approve_compensation()
        self.assertFalse(ticket.compensation_approved_by)
