"""hotel_crm.tools.trusted: what only the addons' own code may do is marked by a flag of the
running code, never by a context key."""

from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..tools.trusted import check_protected_fields, is_trusted, trusted
from .common import HotelCrmCase

REASON = "hotel_crm.test_reason"


@tagged("post_install", "-at_install")
class TestTrusted(HotelCrmCase):
    def setUp(self):
        super().setUp()
        self.user_env = self.env(user=self.front_desk_a)
        self.assertFalse(self.user_env.su)

    def test_the_flag_holds_inside_the_block_only(self):
        self.assertFalse(is_trusted(self.user_env, REASON))
        with trusted(REASON):
            self.assertTrue(is_trusted(self.user_env, REASON))
            self.assertFalse(is_trusted(self.user_env, "hotel_crm.another_reason"))
        self.assertFalse(is_trusted(self.user_env, REASON))

    def test_the_flag_does_not_leak_after_an_exception(self):
        with self.assertRaises(ZeroDivisionError):
            with trusted(REASON):
                raise ZeroDivisionError
        self.assertFalse(is_trusted(self.user_env, REASON))

    def test_nested_blocks_keep_the_outer_grant(self):
        with trusted(REASON):
            with trusted("hotel_crm.inner"):
                self.assertTrue(is_trusted(self.user_env, REASON))
                self.assertTrue(is_trusted(self.user_env, "hotel_crm.inner"))
            self.assertTrue(is_trusted(self.user_env, REASON))
            self.assertFalse(is_trusted(self.user_env, "hotel_crm.inner"))

    def test_a_context_key_named_like_the_reason_grants_nothing(self):
        forged = self.user_env(context={REASON: True, "trusted": [REASON],
                                        "hotel_trusted": [REASON]})
        self.assertFalse(is_trusted(forged, REASON))
        guest = self.make_guest("伪造 Forged").with_env(forged)
        with self.assertRaises(AccessError):
            check_protected_fields(guest, ("stay_count",), {"stay_count": 99}, REASON)

    def test_sudo_is_trusted(self):
        self.assertTrue(is_trusted(self.user_env(su=True), REASON))
        guest = self.make_guest("超级 Sudo")
        check_protected_fields(guest.with_env(self.user_env).sudo(), ("stay_count",),
                               {"stay_count": 1}, REASON)

    def test_protected_fields_are_refused_outside_the_block_and_allowed_inside(self):
        guest = self.make_guest("保护 Protected").with_env(self.user_env)
        with self.assertRaises(AccessError) as caught:
            check_protected_fields(guest, ("stay_count", "night_count"),
                                   {"stay_count": 9, "name": "x"}, REASON)
        self.assertIn("Stays", str(caught.exception))
        check_protected_fields(guest, ("stay_count",), {"name": "x"}, REASON)
        with trusted(REASON):
            check_protected_fields(guest, ("stay_count",), {"stay_count": 9}, REASON)
