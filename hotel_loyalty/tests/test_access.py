from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestLoyaltyAccess(LoyaltyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cny = cls.env.ref("base.CNY")
        cny.active = True
        cls.other = cls.env["res.company"].create({"name": "Other Resort", "currency_id": cny.id})
        cls.front_desk_other = new_test_user(
            cls.env, login="loy_fd_other",
            groups="base.group_user,hotel_crm.group_hotel_front_desk",
            company_id=cls.other.id, company_ids=[(6, 0, cls.other.ids)],
        )
        cls.here = cls.enrol(cls.guest("本店会员"))
        cls.stays(cls.here.partner_id, count=1, amount=500)
        cls.give(cls.here, 400)

    def test_a_member_is_not_visible_to_a_property_the_guest_never_visited(self):
        Member = self.env["hotel.loyalty.member"]
        self.assertIn(self.here, Member.with_user(self.front_desk).search([]))
        self.assertNotIn(self.here, Member.with_user(self.front_desk_other).search([]))
        with self.assertRaises(AccessError):
            self.here.with_user(self.front_desk_other).read(["points_balance"])
        Ledger = self.env["hotel.loyalty.ledger"].with_user(self.front_desk_other)
        self.assertFalse(Ledger.search([("member_id", "=", self.here.id)]))

    def test_the_member_becomes_visible_once_the_guest_stays_there(self):
        self.env["hotel.stay"].create({
            "partner_id": self.here.partner_id.id, "company_id": self.other.id,
            "channel_id": self.channel.id, "booking_ref": "OTHER-1",
            "check_in": "2026-06-01", "check_out": "2026-06-03", "state": "checked_out",
        })
        member = self.here.with_user(self.front_desk_other)
        self.assertEqual(member.points_balance, 400)
        self.assertEqual(len(member.ledger_ids), 1)

    def test_accounting_reads_the_liability(self):
        accountant = new_test_user(
            self.env, login="loy_acc", groups="base.group_user,account.group_account_invoice",
            company_id=self.company.id, company_ids=[(6, 0, self.company.ids)],
        )
        self.program.point_value = 0.1
        program = self.program.with_user(accountant)
        self.assertEqual(program.outstanding_points, 400)
        self.assertAlmostEqual(program.liability, 40.0)
        with self.assertRaises(AccessError):
            program.write({"point_value": 1.0})

    def test_manager_previews_tier_changes_before_applying(self):
        partner = self.guest("升级预览")
        member = self.enrol(partner)
        self.stays(partner, count=5, amount=100)
        self.assertEqual(member.tier_id, self.silver, "checkout already upgraded")
        member.with_context(hotel_loyalty_system=True).write({"tier_id": self.member_tier.id})
        with Form(self.env["hotel.loyalty.tier.preview"].with_user(self.manager)) as form:
            pass
        preview = form.save()
        preview.action_compute()
        line = preview.line_ids.filtered(lambda ln: ln.member_id == member)
        self.assertEqual((line.kind, line.old_tier_id, line.new_tier_id),
                         ("upgrade", self.member_tier, self.silver))
        self.assertEqual(member.tier_id, self.member_tier, "a preview changes nothing")
        preview.action_apply()
        self.assertEqual(member.tier_id, self.silver)
        with self.assertRaises(AccessError):
            self.env["hotel.loyalty.tier.preview"].with_user(self.front_desk).create({})

    def test_a_manager_previews_and_applies_tier_changes_of_their_properties_only(self):
        manager_other = new_test_user(
            self.env, login="loy_mgr_other",
            groups="base.group_user,hotel_crm.group_hotel_manager",
            company_id=self.other.id, company_ids=[(6, 0, self.other.ids)],
        )
        partner = self.guest("别家升级")
        member = self.enrol(partner)
        self.stays(partner, count=5, amount=100)
        member.with_context(hotel_loyalty_system=True).write({"tier_id": self.member_tier.id})
        preview = self.env["hotel.loyalty.tier.preview"].with_user(manager_other).create({})
        preview.action_compute()
        self.assertNotIn(member, preview.sudo().line_ids.member_id,
                         "a member of another property is not listed")
        preview.action_apply()
        self.assertEqual(member.tier_id, self.member_tier, "nor changed")
        with self.assertRaises(AccessError):
            preview.with_user(self.front_desk).action_apply()
