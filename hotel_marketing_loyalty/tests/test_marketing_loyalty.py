from ast import literal_eval
from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.hotel_marketing.tests.common import HotelMarketingCase


@tagged("post_install", "-at_install")
class TestMarketingLoyalty(HotelMarketingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gold = cls.env.ref("hotel_loyalty.tier_gold")
        cls.silver = cls.env.ref("hotel_loyalty.tier_silver")
        cls.gold_dormant = cls.consenting_guest("钱多多", "qianduoduo@example.com")
        cls.gold_recent = cls.consenting_guest("孙悦", "sunyue@example.com")
        cls.silver_dormant = cls.consenting_guest("马可", "make@example.com")
        with freeze_time("2026-11-20"):
            cls.make_stay(cls.gold_dormant, "2026-01-10")
            cls.make_stay(cls.gold_recent, "2026-10-10")
            cls.make_stay(cls.silver_dormant, "2026-01-10")
            cls.members = {}
            for guest, tier in ((cls.gold_dormant, cls.gold), (cls.gold_recent, cls.gold),
                                (cls.silver_dormant, cls.silver)):
                member = cls.env["hotel.loyalty.member"].create(
                    {"partner_id": guest.id, "company_id": cls.property_a.id,
                     "join_date": date(2025, 1, 1)})
                member.write({"tier_id": tier.id})
                cls.members[guest] = member
        cls.Partner._hotel_recompute_figures(today=date(2026, 11, 20))

    @freeze_time("2026-11-20")
    def test_tier_segments_match_plain_sql(self):
        self.env.flush_all()
        tiers = [self.gold.id, self.env.ref("hotel_loyalty.tier_diamond").id]
        for xmlid, extra in (
            ("hotel_marketing_loyalty.filter_members_gold_plus", SQL("TRUE")),
            ("hotel_marketing_loyalty.filter_members_dormant_gold",
             SQL("p.last_stay_date < %s", date(2026, 5, 24))),
            ("hotel_marketing_loyalty.filter_members_gold_plus_recent",
             SQL("p.last_stay_date >= %s", date(2025, 11, 20))),
        ):
            self.env.cr.execute(SQL(
                """SELECT COUNT(*) FROM res_partner p
                     JOIN hotel_loyalty_member m ON m.partner_id = p.id
                    WHERE p.active AND p.is_guest AND m.active AND m.tier_id = ANY(%s) AND %s""",
                tiers, extra))
            expected = self.env.cr.fetchone()[0]
            domain = literal_eval(self.env.ref(xmlid).mailing_domain)
            self.assertEqual(self.Partner.search_count(domain), expected, xmlid)
        dormant = self.Partner.search(literal_eval(
            self.env.ref("hotel_marketing_loyalty.filter_members_dormant_gold").mailing_domain))
        self.assertIn(self.gold_dormant, dormant)
        self.assertNotIn(self.gold_recent, dormant)
        self.assertNotIn(self.silver_dormant, dormant)

    def test_win_back_once_per_dormancy_and_only_with_consent(self):
        automation = self.env.ref("hotel_marketing_loyalty.automation_winback")
        automation.active = True
        self.only_test_properties(automation)
        self.gold_recent._hotel_set_consent("email", False, "guest_request")
        with freeze_time("2026-11-20"):
            self.assertEqual(automation._hotel_run(today=date(2026, 11, 20)), 2)
            self.assertEqual(automation._hotel_run(today=date(2026, 11, 20)), 0)
        sends = self.env["hotel.marketing.send"].search([("automation_id", "=", automation.id)])
        self.assertEqual(sends.partner_id, self.gold_dormant | self.silver_dormant)
        mail = sends.filtered(lambda s: s.partner_id == self.gold_dormant).mail_id
        self.assertIn(self.gold.name, mail.body_html)

    def test_new_member_welcome_once(self):
        automation = self.env.ref("hotel_marketing_loyalty.automation_welcome")
        automation.active = True
        newcomer = self.consenting_guest("林晓", "linxiao@example.com")
        member = self.env["hotel.loyalty.member"].create(
            {"partner_id": newcomer.id, "company_id": self.property_a.id,
             "join_date": date(2026, 11, 19)})
        self.assertEqual(automation._hotel_run(today=date(2026, 11, 20)), 1)
        self.assertEqual(automation._hotel_run(today=date(2026, 11, 21)), 0)
        send = self.env["hotel.marketing.send"].search([("automation_id", "=", automation.id)])
        self.assertEqual(send.occasion_key, f"member:{member.id}")
        self.assertIn(member.member_number, send.mail_id.body_html)

    def test_birthday_mail_mentions_the_birthday_points(self):
        automation = self.only_guests(self.env.ref("hotel_marketing.automation_birthday"),
                                      self.guests | self.gold_dormant | self.gold_recent)
        automation.active = True
        self.gold_dormant.birthday = date(1980, 11, 20)
        program = self.env["hotel.loyalty.program"]._for_company(self.property_a)
        self.assertEqual(automation._hotel_run(today=date(2026, 11, 20)), 1)
        send = self.env["hotel.marketing.send"].search([("automation_id", "=", automation.id)])
        self.assertIn(str(program.birthday_bonus), send.mail_id.body_html)

    def test_kpi_members_share_of_revenue(self):
        guest = self.make_guest("非会员")
        self.make_stay(self.gold_recent, "2026-02-01", nights=3)   # 1 800, member
        self.make_stay(guest, "2026-02-01", nights=1)              # 600, not a member
        report = self.env["hotel.marketing.kpi.report"].create(
            {"year": 2026, "quarter": "1", "company_ids": [(6, 0, self.property_a.ids)]})
        row = report._kpi_rows()[0]
        # Members' stays: 1 800 now plus the two 1 200 stays of January; 600 from a non-member.
        self.assertEqual(row["member_revenue"], 4200.0)
        self.assertEqual(row["revenue"], 4800.0)
        self.assertAlmostEqual(row["member_share"], 87.5)
        self.assertIn("Members' Share of Revenue", [c[1] for c in report._kpi_columns()])
