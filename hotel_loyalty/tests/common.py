from datetime import date, timedelta
from unittest.mock import patch

from odoo.tests import TransactionCase, new_test_user

from odoo.addons.hotel_crm.tools import nightly


class LoyaltyCase(TransactionCase):
    """A property, users per role, and helpers to give a guest stays and points."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the scheduled jobs commit their chunks (hotel_crm.tools.nightly.run_in_chunks): in
        # a test, the test's transaction goes on
        patcher = patch.object(nightly, "commit", lambda env: None)
        patcher.start()
        cls.addClassCleanup(patcher.stop)
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.program = cls.env["hotel.loyalty.program"]._for_company(cls.company)
        ref = cls.env.ref
        cls.member_tier = ref("hotel_loyalty.tier_member")
        cls.silver = ref("hotel_loyalty.tier_silver")
        cls.gold = ref("hotel_loyalty.tier_gold")
        cls.diamond = ref("hotel_loyalty.tier_diamond")
        cls.breakfast = ref("hotel_loyalty.reward_breakfast")
        cls.channel = ref("hotel_crm.channel_website")

        def user(login, group):
            return new_test_user(
                cls.env, login=login, groups=f"base.group_user,{group}",
                company_id=cls.company.id, company_ids=[(6, 0, cls.company.ids)],
            )

        cls.front_desk = user("loy_fd", "hotel_crm.group_hotel_front_desk")
        cls.guest_relations = user("loy_gr", "hotel_crm.group_hotel_guest_relations")
        cls.marketing = user("loy_mkt", "hotel_crm.group_hotel_marketing")
        cls.manager = user("loy_mgr", "hotel_crm.group_hotel_manager")
        cls._n = 0

    @classmethod
    def guest(cls, name="周杰"):
        return cls.env["res.partner"].create({"name": name, "is_guest": True})

    @classmethod
    def stays(cls, partner, count=1, amount=100.0, end=None, state="checked_out"):
        end = end or date.today()
        vals = []
        for i in range(count):
            cls._n += 1
            check_out = end - timedelta(days=3 * i)
            vals.append({
                "partner_id": partner.id, "company_id": cls.company.id,
                "channel_id": cls.channel.id, "booking_ref": f"L{cls._n:06d}",
                "booked_on": check_out - timedelta(days=1),
                "check_in": check_out - timedelta(days=1), "check_out": check_out,
                "state": state, "amount_room": amount,
            })
        return cls.env["hotel.stay"].create(vals)

    @classmethod
    def enrol(cls, partner, join_date=None):
        return cls.env["hotel.loyalty.member"].create(
            {"partner_id": partner.id, "company_id": cls.company.id,
             **({"join_date": join_date} if join_date else {})}
        )

    @classmethod
    def give(cls, member, points, on_date=None, kind="bonus"):
        cls._n += 1
        return cls.env["hotel.loyalty.ledger"]._post_lines([{
            "member_id": member.id, "kind": kind, "points": points,
            "res_model": "test.source", "res_id": cls._n, "source_name": f"test {cls._n}",
            **({"date": on_date} if on_date else {}),
        }])
