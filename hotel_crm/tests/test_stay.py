from datetime import date

from freezegun import freeze_time
from psycopg2.errors import CheckViolation

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import HotelCrmCase


@tagged("post_install", "-at_install")
class TestStay(HotelCrmCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.guest = cls.make_guest("李娜", email="li.na@example.com")

    def test_nights_lead_time_and_total_are_computed(self):
        stay = self.make_stay(
            self.guest, "2026-05-01", nights=3, booked_on=date(2026, 4, 11),
            amount_room=1800, amount_fb=320.5, amount_other=99.5,
        )
        self.assertEqual(stay.nights, 3)
        self.assertEqual(stay.lead_days, 20)
        self.assertEqual(stay.amount_total, 2220.0)
        self.assertEqual(stay.currency_id, self.property_a.currency_id)
        self.assertEqual(stay.amount_company, 2220.0)
        self.assertIn("李娜", stay.display_name)

    @freeze_time("2026-05-11 09:00:00")
    def test_front_desk_records_a_walk_in_through_the_form(self):
        with Form(self.env["hotel.stay"].with_user(self.front_desk_a)) as form:
            form.partner_id = self.guest
            form.channel_id = self.walk_in
            form.booking_ref = "  WI-0001 "
            form.check_in = date(2026, 5, 10)
            form.check_out = date(2026, 5, 12)
            form.amount_room = 1280
        stay = form.save()
        self.assertEqual(stay.booking_ref, "WI-0001")
        self.assertEqual(stay.company_id, self.property_a)
        self.assertEqual(stay.nights, 2)
        self.assertEqual(stay.state, "booked")
        # recorded the day after arrival: booked on the arrival day, lead time 0
        self.assertEqual(stay.booked_on, date(2026, 5, 10))
        self.assertEqual(stay.lead_days, 0)

    def test_check_out_before_check_in_is_refused_with_a_clear_message(self):
        with self.assertRaisesRegex(ValidationError, "check-out date .* must be after"):
            self.make_stay(self.guest, "2026-05-01", nights=0)
        with self.assertRaisesRegex(ValidationError, "must be after"):
            self.make_stay(self.guest, "2026-05-01", nights=-2)

    def test_negative_amounts_are_refused(self):
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.make_stay(self.guest, "2026-05-01", amount_fb=-10)

    def test_booking_date_after_arrival_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "booking date cannot be after"):
            self.make_stay(self.guest, "2026-05-01", booked_on=date(2026, 5, 3))

    def test_a_stay_needs_an_adult_and_a_person(self):
        with self.assertRaisesRegex(ValidationError, "at least one adult"):
            self.make_stay(self.guest, "2026-05-01", adults=0)
        company = self.env["res.partner"].create({"name": "华为技术有限公司", "is_company": True})
        with self.assertRaisesRegex(ValidationError, "must be a person"):
            self.make_stay(company, "2026-05-01")

    def test_booking_reference_is_unique_per_property_and_channel(self):
        self.make_stay(self.guest, "2026-05-01", booking_ref="CT0000000001")
        with self.assertRaisesRegex(ValidationError, "already exists"):
            self.make_stay(self.guest, "2026-06-01", booking_ref="CT0000000001")
        # the same reference on another channel or at another property is another booking
        other_channel = self.make_stay(
            self.guest, "2026-06-01", booking_ref="CT0000000001", channel_id=self.booking.id
        )
        other_property = self.make_stay(
            self.guest, "2026-06-01", booking_ref="CT0000000001", company=self.property_b
        )
        self.assertTrue(other_channel and other_property)

    @mute_logger("odoo.sql_db")
    def test_database_refuses_bad_rows_written_around_the_orm_checks(self):
        stay = self.make_stay(self.guest, "2026-05-01")
        with self.assertRaises(CheckViolation), self.env.cr.savepoint():
            self.env.cr.execute(
                "UPDATE hotel_stay SET check_out = check_in WHERE id = %s", [stay.id]
            )
        with self.assertRaises(CheckViolation), self.env.cr.savepoint():
            self.env.cr.execute(
                "UPDATE hotel_stay SET amount_room = -1 WHERE id = %s", [stay.id]
            )

    def test_state_buttons_follow_the_stay_lifecycle(self):
        stay = self.make_stay(self.guest, "2026-05-01", state="booked")
        stay.action_check_in()
        self.assertEqual(stay.state, "in_house")
        with self.assertRaisesRegex(UserError, "cannot be set to"):
            stay.action_cancel()
        stay.action_check_out()
        self.assertEqual(stay.state, "checked_out")
        with self.assertRaisesRegex(UserError, "Checked Out and cannot be set to In House"):
            stay.action_check_in()
        other = self.make_stay(self.guest, "2026-06-01", state="booked")
        other.action_no_show()
        other.action_reset_to_booked()
        other.action_cancel()
        self.assertEqual(other.state, "cancelled")

    def test_recording_a_stay_makes_the_person_a_guest(self):
        person = self.env["res.partner"].create({"name": "Anna Schmidt"})
        self.assertFalse(person.is_guest)
        self.make_stay(person, "2026-05-01")
        self.assertTrue(person.is_guest)
        self.assertEqual(person.stay_count, 1)
