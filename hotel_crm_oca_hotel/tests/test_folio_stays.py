from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.hotel_crm.tests.common import HotelCrmCase


@tagged("post_install", "-at_install")
class TestFolioStays(HotelCrmCase):
    """Folios of OCA's Hotel Management become CRM stays and stay in step with them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.tz = "Asia/Shanghai"
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=[
            cls.property_a.id, *cls.env.user.company_ids.ids]))
        cls.env.user.company_ids |= cls.property_a
        # stock gives a new company its warehouse only in Odoo's own test runner
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.property_a.id)], limit=1) or cls.env[
            "stock.warehouse"].create({"company_id": cls.property_a.id})
        cls.sea_view = cls.env["hotel.room.type"].create({"name": "Deluxe Sea View 海景豪华"})
        cls.room = cls.env["hotel.room"].create({
            "name": "Sea-801", "room_categ_id": cls.sea_view.id, "capacity": 2,
            "list_price": 800.0, "company_id": cls.property_a.id,
        })
        cls.spa = cls.env["product.product"].create(
            {"name": "Spa 水疗", "type": "service", "list_price": 120.0})
        cls.guest = cls.make_guest("林晓", email="linxiao@example.com")
        cls.channel = cls.env.ref("hotel_crm_oca_hotel.channel_odoo_hotel")

    def folio(self, partner=None, check_in="2026-11-21 06:00:00",
              check_out="2026-11-23 04:00:00", price=800.0, spa=True, user=None, room=None):
        """A folio of property A: 14:00 on 21 November to noon on 23 November, Shanghai
        time (06:00 and 04:00 UTC), one room at ``price`` a night and a spa treatment."""
        partner = partner or self.guest
        env = self.env(user=user, context=dict(
            self.env.context, allowed_company_ids=self.property_a.ids)) if user else self.env
        folio = env["hotel.folio"].with_company(self.property_a).create({
            "partner_id": partner.id, "partner_invoice_id": partner.id,
            "partner_shipping_id": partner.id, "company_id": self.property_a.id,
            "warehouse_id": self.warehouse.id, "date_order": "2026-11-10 02:00:00",
            "checkin_date": check_in, "checkout_date": check_out,
        })
        env["hotel.folio.line"].create({
            "folio_id": folio.id, "product_id": (room or self.room).product_id.id,
            "checkin_date": check_in, "checkout_date": check_out,
            "product_uom_qty": 2, "price_unit": price, "tax_id": [(5, 0, 0)],
        })
        if spa:
            env["hotel.service.line"].create({
                "folio_id": folio.id, "product_id": self.spa.id, "product_uom_qty": 1,
                "price_unit": 120.0, "tax_id": [(5, 0, 0)],
            })
        return folio

    @freeze_time("2026-11-20 10:00:00")
    def test_a_folio_is_a_booked_stay_with_its_days_room_type_and_revenue(self):
        folio = self.folio()
        stay = folio.hotel_stay_ids
        self.assertEqual(len(stay), 1)
        self.assertEqual(stay.partner_id, self.guest)
        self.assertEqual(stay.company_id, self.property_a)
        self.assertEqual(stay.channel_id, self.channel)
        self.assertTrue(stay.booking_ref)
        self.assertEqual(stay.booking_ref, folio.name or folio.order_id.name)
        # the days of the hotel's time zone, not of UTC
        self.assertEqual((stay.check_in, stay.check_out, stay.nights),
                         (date(2026, 11, 21), date(2026, 11, 23), 2))
        self.assertEqual(stay.booked_on, date(2026, 11, 10))
        self.assertEqual(stay.state, "booked")
        self.assertEqual((stay.amount_room, stay.amount_other, stay.amount_total),
                         (1600.0, 120.0, 1720.0))
        self.assertEqual(stay.room_type_id.name, "Deluxe Sea View 海景豪华")
        self.assertEqual(stay.room_type_id._name, "hotel.crm.room.type")
        self.assertTrue(self.guest.is_guest)

    @freeze_time("2026-11-20 10:00:00")
    def test_the_stay_follows_price_changes_and_confirmation(self):
        folio = self.folio()
        folio.room_line_ids.price_unit = 900.0
        self.assertEqual(folio.hotel_stay_ids.amount_room, 1800.0)
        folio.action_confirm()
        self.assertEqual(folio.state, "sale")
        self.assertEqual(folio.hotel_stay_ids.state, "booked")  # arrives tomorrow
        self.assertEqual(self.env["hotel.stay"].search_count([("folio_id", "=", folio.id)]), 1)

    def test_folios_synced_together_each_get_the_type_of_their_room(self):
        """The hourly job brings folios in step in batches: each stay gets the type of its
        own first room, and a category met twice is one CRM room type."""
        family = self.env["hotel.room.type"].create({"name": "Family Suite 家庭套房"})
        family_room = self.env["hotel.room"].create({
            "name": "Fam-1201", "room_categ_id": family.id, "capacity": 4,
            "list_price": 1500.0, "company_id": self.property_a.id,
        })
        sea_room = self.env["hotel.room"].create({
            "name": "Sea-802", "room_categ_id": self.sea_view.id, "capacity": 2,
            "list_price": 800.0, "company_id": self.property_a.id,
        })
        with freeze_time("2026-11-20 10:00:00"):
            folios = self.folio() | self.folio(room=family_room) | self.folio(room=sea_room)
            for folio in folios:
                folio.action_confirm()
        stays = folios.hotel_stay_ids
        self.assertEqual(len(stays), 3)
        stays.room_type_id = False
        with freeze_time("2026-11-21 07:00:00"):
            self.assertEqual(self.env["hotel.folio"]._cron_hotel_sync_folio_stays(), 3)
        self.assertEqual([folio.hotel_stay_ids.room_type_id.name for folio in folios],
                         ["Deluxe Sea View 海景豪华", "Family Suite 家庭套房",
                          "Deluxe Sea View 海景豪华"])
        self.assertEqual(set(stays.mapped("state")), {"in_house"})
        self.assertEqual(self.env["hotel.crm.room.type"].search_count(
            [("code", "in", [f"hotel-{self.sea_view.id}", f"hotel-{family.id}"])]), 2)

    def test_confirmed_folios_go_in_house_and_check_out_as_the_days_come(self):
        with freeze_time("2026-11-20 10:00:00"):
            folio = self.folio()
            folio.action_confirm()
        Folio = self.env["hotel.folio"]
        with freeze_time("2026-11-21 07:00:00"):  # 15:00 in Shanghai on the 21st
            self.assertEqual(Folio._cron_hotel_sync_folio_stays(), 1)
            self.assertEqual(folio.hotel_stay_ids.state, "in_house")
            self.assertEqual(Folio._cron_hotel_sync_folio_stays(), 0)
        with freeze_time("2026-11-23 05:00:00"):
            self.assertEqual(Folio._cron_hotel_sync_folio_stays(), 1)
            self.assertEqual(folio.hotel_stay_ids.state, "checked_out")
            self.assertEqual(Folio._cron_hotel_sync_folio_stays(), 0)
            self.guest._hotel_refresh_guests()
        self.assertEqual((self.guest.stay_count, self.guest.night_count), (1, 2))
        self.assertEqual(self.guest.total_spend, 1720.0)

    @freeze_time("2026-11-20 10:00:00")
    def test_a_cancelled_folio_cancels_its_stay(self):
        folio = self.folio()
        folio.action_cancel()
        self.assertEqual(folio.hotel_stay_ids.state, "cancelled")

    @freeze_time("2026-11-20 10:00:00")
    def test_a_company_customer_makes_no_stay(self):
        company = self.env["res.partner"].create({"name": "华信科技有限公司", "is_company": True})
        folio = self.folio(partner=company)
        self.assertFalse(self.env["hotel.stay"].search([("folio_id", "=", folio.id)]))

    @freeze_time("2026-11-20 10:00:00")
    def test_hotel_staff_without_a_crm_role_keep_working_and_do_not_see_stays(self):
        clerk = new_test_user(
            self.env, login="hotel_clerk",
            # a hotel manager in Odoo Hotel (which writes the rooms' products when a folio
            # books them) and in sales, without any hotel CRM role
            groups="base.group_user,hotel.group_hotel_manager,sales_team.group_sale_manager,"
                   "stock.group_stock_user",
            company_id=self.property_a.id, company_ids=[(6, 0, self.property_a.ids)])
        folio = self.folio(user=clerk, spa=False)
        folio.action_confirm()
        self.assertEqual(folio.sudo().hotel_stay_ids.state, "booked")
        def stays(user, company):
            return self.env["hotel.stay"].with_user(user).with_context(
                allowed_company_ids=company.ids)

        with self.assertRaises(AccessError):
            stays(clerk, self.property_a).search([]).mapped("booking_ref")
        # the front desk of another property does not see the stay either
        self.assertFalse(stays(self.front_desk_b, self.property_b).search(
            [("folio_id", "=", folio.id)]))
        self.assertTrue(stays(self.front_desk_a, self.property_a).search(
            [("folio_id", "=", folio.id)]))

    def test_crm_room_types_live_beside_odoo_hotel_room_types(self):
        """Both addons have room types: Odoo Hotel's (product categories) and the CRM's
        (code, name) are separate models in one database."""
        self.assertIn("product_categ_id", self.env["hotel.room.type"]._fields)
        self.assertEqual(self.king._name, "hotel.crm.room.type")
        self.assertEqual(self.king.code, "std_king")
        self.assertTrue(self.env["hotel.crm.room.type"].search([("code", "=", "std_king")]))

    @freeze_time("2026-11-20 10:00:00")
    def test_a_forged_folio_sync_key_does_not_desync_the_stay(self):
        """hotel_folio_sync was a context key: any caller setting it on a write of the
        folio's order or lines left the stay out of step with the folio."""
        clerk = new_test_user(
            self.env, login="hotel_clerk_forge",
            groups="base.group_user,hotel.group_hotel_manager,sales_team.group_sale_manager,"
                   "stock.group_stock_user",
            company_id=self.property_a.id, company_ids=[(6, 0, self.property_a.ids)])
        folio = self.folio(user=clerk)
        stay = folio.sudo().hotel_stay_ids
        forged = {"hotel_folio_sync": True, "allowed_company_ids": self.property_a.ids}
        line = folio.room_line_ids.order_line_id.with_user(clerk).with_context(**forged)
        line.write({"price_unit": 950.0})
        self.assertEqual(stay.amount_room, 1900.0)
        folio.order_id.with_user(clerk).with_context(**forged).write({"state": "cancel"})
        self.assertEqual(stay.state, "cancelled")

    @freeze_time("2026-11-20 10:00:00")
    def test_a_script_cannot_link_or_unlink_a_stay_and_a_folio(self):
        folio = self.folio()
        other = self.make_stay(self.guest, "2026-10-01", company=self.property_a)
        Stay = self.env["hotel.stay"].with_user(self.front_desk_a).with_context(
            allowed_company_ids=self.property_a.ids)
        with self.assertRaises(AccessError):
            Stay.browse(folio.hotel_stay_ids.id).write({"folio_id": False})
        with self.assertRaises(AccessError):
            Stay.browse(other.id).write({"folio_id": folio.id})
        with self.assertRaises(AccessError):
            Stay.create({"partner_id": self.guest.id, "company_id": self.property_a.id,
                         "channel_id": self.walk_in.id, "booking_ref": "LINK-1",
                         "check_in": "2026-12-01", "check_out": "2026-12-02",
                         "folio_id": folio.id})
        self.assertEqual(folio.hotel_stay_ids.folio_id, folio)
        self.assertFalse(other.folio_id)
