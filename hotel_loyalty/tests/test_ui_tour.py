from datetime import date, timedelta

from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestLoyaltyTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        new_test_user(
            cls.env, login="loy_tour_fd", password="loy_tour_fd",
            groups="base.group_user,hotel_crm.group_hotel_front_desk",
            company_id=company.id, company_ids=[(6, 0, company.ids)],
        )
        guest = cls.env["res.partner"].create({"name": "金卡会员 Gold Tour Member",
                                               "is_guest": True})
        # The browser runs on the real clock: the stay that makes Gold ended last week.
        check_out = date.today() - timedelta(days=7)
        cls.env["hotel.stay"].create({
            "partner_id": guest.id, "company_id": company.id,
            "channel_id": cls.env.ref("hotel_crm.channel_phone").id,
            "booking_ref": "GOLD-1", "check_in": check_out - timedelta(days=3),
            "booked_on": check_out - timedelta(days=10),
            "check_out": check_out, "state": "checked_out", "amount_room": 12000,
        })
        member = cls.env["hotel.loyalty.member"].create({"partner_id": guest.id})
        cls.env["hotel.loyalty.ledger"]._post_lines([{
            "member_id": member.id, "kind": "bonus", "points": 1000,
            "res_model": "test.tour", "res_id": member.id, "source_name": "Welcome",
        }])
        cls.member = member

    def test_front_desk_redeems_a_breakfast_for_a_gold_member(self):
        self.assertEqual(self.member.tier_id, self.env.ref("hotel_loyalty.tier_gold"))
        self.start_tour(f"/odoo/action-hotel_crm.hotel_guest_action/{self.member.partner_id.id}",
                        "hotel_loyalty_redeem_tour", login="loy_tour_fd")
        self.assertEqual(self.member.points_balance, 700)
        redeem = self.member.ledger_ids.filtered(lambda ln: ln.kind == "redeem")
        self.assertEqual(redeem.points, -300)
