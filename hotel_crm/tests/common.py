from datetime import date

from odoo.tests import TransactionCase, new_test_user


class HotelCrmCase(TransactionCase):
    """Two properties, one user per role, reference data from the addon."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cny = cls.env.ref("base.CNY")
        cny.active = True
        cls.property_a = cls.env["res.company"].create(
            {"name": "Test Hotel Beijing", "currency_id": cny.id}
        )
        cls.property_b = cls.env["res.company"].create(
            {"name": "Test Resort Hangzhou", "currency_id": cny.id}
        )
        cls.ctrip = cls.env.ref("hotel_crm.channel_ctrip")
        cls.booking = cls.env.ref("hotel_crm.channel_booking")
        cls.walk_in = cls.env.ref("hotel_crm.channel_walk_in")
        cls.king = cls.env.ref("hotel_crm.room_type_std_king")
        cls.suite = cls.env.ref("hotel_crm.room_type_suite")
        cls.bar = cls.env.ref("hotel_crm.rate_plan_bar")

        def user(login, groups, companies):
            return new_test_user(
                cls.env,
                login=login,
                groups=",".join(["base.group_user", *groups]),
                company_id=companies[0].id,
                company_ids=[(6, 0, [c.id for c in companies])],
            )

        cls.front_desk_a = user("fd_a", ["hotel_crm.group_hotel_front_desk"], cls.property_a)
        cls.front_desk_b = user("fd_b", ["hotel_crm.group_hotel_front_desk"], cls.property_b)
        cls.guest_relations = user(
            "gr_ab", ["hotel_crm.group_hotel_guest_relations"], cls.property_a | cls.property_b
        )
        cls.marketing = user(
            "mkt_ab", ["hotel_crm.group_hotel_marketing"], cls.property_a | cls.property_b
        )
        cls.manager = user(
            "mgr_ab", ["hotel_crm.group_hotel_manager"], cls.property_a | cls.property_b
        )
        cls._ref_counter = 0

    @classmethod
    def make_guest(cls, name="王伟", **vals):
        return cls.env["res.partner"].create({"name": name, "is_guest": True, **vals})

    @classmethod
    def make_stay(cls, guest, check_in, nights=2, company=None, state="checked_out", **vals):
        cls._ref_counter += 1
        check_in = date.fromisoformat(check_in) if isinstance(check_in, str) else check_in
        values = {
            "partner_id": guest.id,
            "company_id": (company or cls.property_a).id,
            "channel_id": cls.ctrip.id,
            "booking_ref": f"T{cls._ref_counter:06d}",
            "booked_on": check_in,
            "check_in": check_in,
            "check_out": date.fromordinal(check_in.toordinal() + nights),
            "room_type_id": cls.king.id,
            "state": state,
            "amount_room": 600.0 * nights,
            **vals,
        }
        return cls.env["hotel.stay"].create(values)
