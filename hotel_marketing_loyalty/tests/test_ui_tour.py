from datetime import date, timedelta

from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestMarketingTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        new_test_user(
            cls.env, login="tour_marketing", password="tour_marketing",
            email="tour.marketing@example.com",
            groups="base.group_user,hotel_crm.group_hotel_marketing",
            company_id=company.id, company_ids=[(6, 0, company.ids)],
        )
        gold = cls.env.ref("hotel_loyalty.tier_gold")
        # The browser runs on the real clock: the last stays are 300 days ago.
        check_in = date.today() - timedelta(days=300)
        for n, (name, consent) in enumerate(
            (("金卡甲 Tour", True), ("金卡乙 Tour", True), ("金卡丙 Tour", False))
        ):
            guest = cls.env["res.partner"].create(
                {"name": name, "is_guest": True, "email": f"gold{n}@example.com"}
            )
            if consent:
                guest._hotel_set_consent("email", True, "front_desk")
            cls.env["hotel.stay"].create(
                {"partner_id": guest.id, "company_id": company.id,
                 "channel_id": cls.env.ref("hotel_crm.channel_website").id,
                 "booking_ref": f"MKT-TOUR-{n}", "check_in": check_in,
                 "check_out": check_in + timedelta(days=2),
                 "state": "checked_out", "amount_room": 1500}
            )
            member = cls.env["hotel.loyalty.member"].create(
                {"partner_id": guest.id, "company_id": company.id}
            )
            member.write({"tier_id": gold.id})
        cls.mailing = cls.env["mailing.mailing"].create({
            "subject": "Gold members: we miss you",
            "body_html": "<p>Come back and enjoy your points.</p>",
            "mailing_model_id": cls.env["ir.model"]._get_id("res.partner"),
            "mailing_domain": "[('is_guest', '=', True)]",
            "user_id": cls.env.ref("base.user_admin").id,
        })

    def test_marketing_picks_dormant_gold_segment_previews_and_sends_a_test(self):
        self.start_tour(f"/odoo/action-mass_mailing.mailing_mailing_action_mail/{self.mailing.id}",
                        "hotel_marketing_loyalty_segment_tour", login="tour_marketing")
        self.assertEqual(
            self.mailing.mailing_filter_id,
            self.env.ref("hotel_marketing_loyalty.filter_members_dormant_gold"),
        )
        # The test mail is deleted once sent; the mailing's chatter logs the attempt.
        logs = self.mailing.message_ids.filtered(lambda m: "test.gold@example.com" in m.body)
        self.assertTrue(logs, "the test mailing was sent")
