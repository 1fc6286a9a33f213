"""The loyalty programme over the external API (XML-RPC), as a script of each role meets it:
a context key is input, never a privilege (L3, S4), and every public method checks its
caller itself."""

import xmlrpc.client
from datetime import date

from odoo.tests import HttpCase, new_test_user, tagged

ACCESS_ERROR = 4  # odoo.addons.base.controllers.rpc.RPC_FAULT_CODE_ACCESS_ERROR


@tagged("post_install", "-at_install")
class TestLoyaltyExternalApi(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company = env.company
        cny = env.ref("base.CNY")
        cny.active = True
        cls.other = env["res.company"].create({"name": "API Loyalty Other",
                                               "currency_id": cny.id})

        def user(login, group, company=None):
            company = company or cls.company
            return new_test_user(
                env, login=login, password=f"{login}_secret",
                groups=f"base.group_user,{group}",
                company_id=company.id, company_ids=[(6, 0, company.ids)],
            )

        cls.front_desk = user("api_loy_fd", "hotel_crm.group_hotel_front_desk")
        cls.marketing = user("api_loy_mkt", "hotel_crm.group_hotel_marketing")
        cls.manager = user("api_loy_mgr", "hotel_crm.group_hotel_manager")
        cls.front_desk_other = user("api_loy_fd_other", "hotel_crm.group_hotel_front_desk",
                                    cls.other)
        cls.diamond = env.ref("hotel_loyalty.tier_diamond")
        cls.entry = env.ref("hotel_loyalty.tier_member")
        Partner = env["res.partner"]
        cls.guest = Partner.create({"name": "API 会员 Member", "is_guest": True})
        cls.friend = Partner.create({"name": "API 朋友 Friend", "is_guest": True})
        Member = env["hotel.loyalty.member"]
        cls.member = Member.create({"partner_id": cls.guest.id, "company_id": cls.company.id})
        cls.friend_member = Member.create({"partner_id": cls.friend.id,
                                           "company_id": cls.company.id})
        env["hotel.loyalty.ledger"]._post_lines([{
            "member_id": cls.member.id, "kind": "bonus", "points": 400,
            "res_model": "test.api", "res_id": cls.member.id,
        }])

    def call(self, user, model, method, *args, **kwargs):
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, user.id, f"{user.login}_secret", model, method, list(args),
            kwargs,
        )

    def assertRefused(self, user, model, method, *args, **kwargs):
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            self.call(user, model, method, *args, **kwargs)
        return caught.exception

    def snapshot(self, member):
        self.env.invalidate_all()
        return (member.tier_id, member.points_balance, member.window_spend,
                member.tier_valid_until, member.member_number, len(member.ledger_ids))

    def test_a_context_key_grants_no_tier_or_points_over_the_api(self):
        before = self.snapshot(self.member)
        forged = {"hotel_loyalty_system": True, "hotel_loyalty_post": True}
        for user in (self.front_desk, self.marketing):
            for vals in ({"tier_id": self.diamond.id}, {"points_balance": 99999},
                         {"window_spend": 50000.0}, {"window_stays": 99},
                         {"tier_valid_until": "2099-12-31"}, {"member_number": "VIP-0001"}):
                fault = self.assertRefused(user, "hotel.loyalty.member", "write",
                                           [self.member.id], vals, context=forged)
                self.assertEqual(fault.faultCode, ACCESS_ERROR, f"{user.login} {vals}")
        self.assertEqual(self.snapshot(self.member), before)

    def test_a_context_key_creates_no_ledger_line_over_the_api(self):
        before = self.snapshot(self.member)
        for user in (self.front_desk, self.marketing, self.manager):
            fault = self.assertRefused(user, "hotel.loyalty.ledger", "create", {
                "member_id": self.member.id, "kind": "bonus", "points": 100000,
                "company_id": self.company.id, "date": "2026-06-30",
            }, context={"hotel_loyalty_post": True, "hotel_loyalty_system": True})
            self.assertEqual(fault.faultCode, ACCESS_ERROR, user.login)
        self.assertEqual(self.snapshot(self.member), before)

    def test_a_front_desk_script_cannot_enrol_with_preset_tier_points_or_number(self):
        guest = self.env["res.partner"].create({"name": "API 新客 New", "is_guest": True})
        for vals in ({"tier_id": self.diamond.id}, {"points_balance": 5000},
                     {"member_number": "VIP-0002"}, {"join_date": "2000-01-01"},
                     {"company_id": self.other.id}):
            self.assertRefused(self.front_desk, "hotel.loyalty.member", "create",
                               {"partner_id": guest.id, **vals},
                               context={"hotel_loyalty_system": True})
        self.assertFalse(guest.loyalty_member_ids)
        member_id = self.call(self.front_desk, "hotel.loyalty.member", "create",
                              {"partner_id": guest.id})
        member = self.env["hotel.loyalty.member"].browse(member_id)
        self.assertEqual((member.tier_id, member.points_balance), (self.entry, 0))

    def test_a_front_desk_script_cannot_hand_a_membership_to_another_guest(self):
        stranger = self.env["res.partner"].create({"name": "API 陌生人", "is_guest": True})
        # the friend's membership has no points, only a tier (which a downgrade waits for)
        self.assertRefused(self.front_desk, "hotel.loyalty.member", "write",
                           [self.friend_member.id], {"partner_id": stranger.id})
        # nor point a guest at somebody else's membership (compensation points and member
        # mails go to the guest's loyalty_member_id)
        self.assertRefused(self.front_desk, "res.partner", "write", [stranger.id],
                           {"loyalty_member_id": self.member.id})
        self.assertRefused(self.front_desk, "res.partner", "create",
                           {"name": "API 假会员", "loyalty_member_id": self.member.id})
        self.env.invalidate_all()
        self.assertEqual(self.friend_member.partner_id, self.friend)
        self.assertFalse(stranger.loyalty_member_id)
        self.assertEqual(self.guest.loyalty_member_id, self.member)

    def test_a_front_desk_script_cannot_backdate_or_rehome_a_member(self):
        self.assertRefused(self.front_desk, "hotel.loyalty.member", "write",
                           [self.member.id], {"join_date": "2000-01-01"})
        self.assertRefused(self.front_desk, "hotel.loyalty.member", "write",
                           [self.member.id], {"company_id": self.other.id})
        self.env.invalidate_all()
        self.assertEqual(self.member.company_id, self.company)
        self.assertNotEqual(self.member.join_date, date(2000, 1, 1))

    def test_a_front_desk_script_cannot_award_points_for_years_of_past_invoices(self):
        program = self.env["hotel.loyalty.program"]._for_company(self.company)
        program.retro_days = 30
        guest = self.env["res.partner"].create({"name": "API 追溯 Retro", "is_guest": True})
        wizard = self.call(self.front_desk, "hotel.loyalty.enrol.wizard", "create",
                           {"partner_ids": [(6, 0, guest.ids)], "retro_days": 3650})
        fault = self.assertRefused(self.front_desk, "hotel.loyalty.enrol.wizard",
                                   "action_enrol", [wizard])
        self.assertIn("Manager", fault.faultString)
        self.assertFalse(guest.loyalty_member_ids)

    def test_tier_evaluation_is_for_the_front_desk_of_the_members_property(self):
        self.assertRefused(self.marketing, "hotel.loyalty.member", "action_evaluate_tier",
                           [self.member.id])
        self.assertRefused(self.front_desk_other, "hotel.loyalty.member",
                           "action_evaluate_tier", [self.member.id])
        self.assertTrue(self.call(self.front_desk, "hotel.loyalty.member",
                                  "action_evaluate_tier", [self.member.id]))

    def test_a_front_desk_script_cannot_redeem_for_a_member_it_cannot_see(self):
        reward = self.env.ref("hotel_loyalty.reward_breakfast")
        wizard = self.call(self.front_desk_other, "hotel.loyalty.redeem.wizard", "create",
                           {"member_id": self.member.id, "reward_id": reward.id})
        self.assertRefused(self.front_desk_other, "hotel.loyalty.redeem.wizard",
                           "action_redeem", [wizard])
        self.assertEqual(self.snapshot(self.member)[1], 400)

    def test_only_managers_and_accounting_export_the_programme_figures(self):
        program = self.env["hotel.loyalty.program"]._for_company(self.company)
        for user in (self.front_desk, self.marketing):
            fault = self.assertRefused(user, "hotel.loyalty.program", "action_export_xlsx",
                                       [program.id])
            self.assertEqual(fault.faultCode, ACCESS_ERROR)
        action = self.call(self.manager, "hotel.loyalty.program", "action_export_xlsx",
                           [program.id])
        self.assertEqual(action["type"], "ir.actions.act_url")
