from datetime import date

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.hotel_feedback.tests.common import FeedbackApiCase, FeedbackCase


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


@tagged("post_install", "-at_install")
class TestPointsCompensationApi(FeedbackApiCase):
    """Points by service recovery over XML-RPC (F7, S1): only guest relations, once per
    ticket, to the ticket's own guest, at the approver's property, whatever the context."""

    FORGED = {"hotel_feedback_clock": True, "hotel_loyalty_post": True,
              "hotel_loyalty_system": True, "hotel_feedback.clock": True}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.member = env["hotel.loyalty.member"].create({"partner_id": cls.guest.id})
        cny = env.ref("base.CNY")
        cny.active = True
        cls.other = env["res.company"].create({"name": "Points Other Hotel",
                                               "currency_id": cny.id})
        cls.other_guest = env["res.partner"].create({"name": "别家会员", "is_guest": True})
        env["hotel.stay"].create({
            "partner_id": cls.other_guest.id, "company_id": cls.other.id,
            "channel_id": env.ref("hotel_crm.channel_walk_in").id, "booking_ref": "PT-O1",
            "check_in": date(2026, 5, 1), "check_out": date(2026, 5, 3),
            "booked_on": date(2026, 4, 1), "state": "checked_out", "amount_room": 1000,
        })
        cls.other_member = env["hotel.loyalty.member"].create(
            {"partner_id": cls.other_guest.id, "company_id": cls.other.id})

    def new(self, user, **vals):
        return self.call(user, "hotel.feedback", "create", {
            "name": "Room not cleaned", "partner_id": self.guest.id, "channel": "phone",
            "compensation_type": "points", "compensation_value": "300 points",
            "compensation_points": 300, **vals,
        })

    def balance(self, member):
        member.invalidate_recordset()
        return member.points_balance

    def test_a_front_desk_clerk_cannot_approve_a_points_compensation(self):
        ticket_id = self.new(self.front_desk)
        for context in ({}, self.FORGED):
            self.assertFault(self.front_desk, "hotel.feedback", "action_approve_compensation",
                             [ticket_id], context=context)
            self.assertFault(self.front_desk, "hotel.feedback", "_grant_compensation",
                             [ticket_id], context=context)
        self.assertEqual(self.balance(self.member), 0)
        self.assertFalse(self.env["hotel.feedback"].browse(ticket_id).compensation_approved_by)

    def test_a_points_compensation_is_granted_once(self):
        ticket_id = self.new(self.guest_relations)
        self.call(self.guest_relations, "hotel.feedback", "action_approve_compensation",
                  [ticket_id], context=self.FORGED)
        self.assertEqual(self.balance(self.member), 300)
        gr = self.guest_relations
        for context in ({}, self.FORGED):
            # approving again, clearing the approval, changing what was approved
            self.assertFault(gr, "hotel.feedback", "action_approve_compensation", [ticket_id],
                             context=context)
            for vals in ({"compensation_approved_by": False}, {"compensation_points": 500},
                         {"compensation_type": "voucher"}):
                self.assertFault(gr, "hotel.feedback", "write", [ticket_id], vals,
                                 context=context)
        # resolving and reopening the ticket does not open a second compensation
        for stage in (self.resolved, self.in_progress):
            self.call(gr, "hotel.feedback", "write", [ticket_id], {"stage_id": stage.id})
        self.assertFault(gr, "hotel.feedback", "action_approve_compensation", [ticket_id])
        self.assertEqual(self.balance(self.member), 300)
        lines = self.member.ledger_ids.filtered(lambda ln: ln.res_model == "hotel.feedback")
        self.assertEqual((len(lines), lines.points), (1, 300))

    def test_points_go_only_to_the_tickets_own_guest_at_the_approvers_property(self):
        gr = self.guest_relations
        # another property's member cannot be put on a ticket of this property
        self.assertFault(gr, "hotel.feedback", "create", {
            "name": "x", "partner_id": self.other_guest.id, "compensation_type": "points",
            "compensation_points": 300,
        })
        ticket_id = self.new(gr)
        self.assertFault(gr, "hotel.feedback", "write", [ticket_id],
                         {"partner_id": self.other_guest.id}, context=self.FORGED)
        # a ticket of the other property is not this approver's to approve
        theirs = self.env["hotel.feedback"].create({
            "name": "y", "partner_id": self.other_guest.id, "company_id": self.other.id,
            "compensation_type": "points", "compensation_points": 300,
        })
        self.assertFault(gr, "hotel.feedback", "action_approve_compensation", [theirs.id],
                         context={**self.FORGED, "allowed_company_ids": [self.other.id]})
        self.assertEqual(self.balance(self.other_member), 0)
        self.assertFalse(theirs.compensation_approved_by)

    def test_guest_relations_needs_a_manager_above_the_goodwill_limit(self):
        ticket_id = self.new(self.guest_relations, compensation_points=5000)
        for context in ({}, self.FORGED):
            self.assertFault(self.guest_relations, "hotel.feedback",
                             "action_approve_compensation", [ticket_id], context=context)
        self.assertEqual(self.balance(self.member), 0)
        self.call(self.manager, "hotel.feedback", "action_approve_compensation", [ticket_id])
        self.assertEqual(self.balance(self.member), 5000)
