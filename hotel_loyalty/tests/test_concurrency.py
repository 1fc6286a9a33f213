import threading

from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, api, sql_db
from odoo.api import Transaction
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestConcurrentRedemptions(BaseCase):
    """Two redemptions at the same time, each in its own database transaction.

    The data must be committed for the second connection to see it, and every transaction
    commits like a request would: the commits are the subject of the test (and the data is
    removed in ``finally``).
    """

    def test_two_concurrent_redemptions_cannot_overdraw(self):
        from odoo.tests.common import get_db_name

        db = sql_db.db_connect(get_db_name())
        registry = Registry(get_db_name())

        def thread_env(cr):
            # Odoo's own runner loads the database and runs the post-install tests holding the
            # registries' lock: another thread cannot look the registry up by name meanwhile,
            # so it is handed over
            cr.transaction = Transaction(registry)
            return api.Environment(cr, SUPERUSER_ID, {})
        with db.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            partner = env["res.partner"].create({"name": "并发 Concurrency Guest",
                                                 "is_guest": True})
            member = env["hotel.loyalty.member"].create({"partner_id": partner.id})
            env["hotel.loyalty.ledger"]._post_lines([{
                "member_id": member.id, "kind": "bonus", "points": 500,
                "res_model": "test.concurrency", "res_id": member.id,
            }])
            cr.commit()  # pylint: disable=invalid-commit
            member_id, partner_id = member.id, partner.id
        barrier = threading.Barrier(2)
        outcomes = []

        def redeem(n):
            try:
                attempts(n)
            except Exception as exc:  # noqa: BLE001 (shown by the assertion below)
                outcomes.append(f"error: {exc!r}")

        def attempts(n):
            for attempt in range(3):  # Odoo retries a request that hit a serialization error
                with db.cursor() as cr:
                    env = thread_env(cr)
                    try:
                        if attempt == 0:
                            barrier.wait()
                        env["hotel.loyalty.ledger"]._post_lines([{
                            "member_id": member_id, "kind": "redeem", "points": -300,
                            "res_model": "test.concurrency.redeem", "res_id": n,
                        }])
                        cr.commit()  # pylint: disable=invalid-commit
                        outcomes.append("redeemed")
                        return
                    except SerializationFailure:
                        cr.rollback()
                    except UserError:
                        cr.rollback()
                        outcomes.append("refused")
                        return
            outcomes.append("gave up")

        try:
            threads = [threading.Thread(target=redeem, args=(n,)) for n in (1, 2)]
            # the serialization failure retried here is expected: not an ERROR of the log
            with mute_logger("odoo.sql_db"):
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(60)
            self.assertEqual(sorted(outcomes), ["redeemed", "refused"])
            with db.cursor() as cr:
                cr.execute("SELECT points_balance FROM hotel_loyalty_member WHERE id = %s",
                           [member_id])
                self.assertEqual(cr.fetchone()[0], 200)
                cr.execute("SELECT SUM(points) FROM hotel_loyalty_ledger WHERE member_id = %s",
                           [member_id])
                self.assertEqual(cr.fetchone()[0], 200)
        finally:
            with db.cursor() as cr:
                cr.execute("DELETE FROM hotel_loyalty_ledger WHERE member_id = %s", [member_id])
                cr.execute("DELETE FROM hotel_loyalty_tier_history WHERE member_id = %s",
                           [member_id])
                cr.execute("DELETE FROM mail_message WHERE model = 'hotel.loyalty.member' "
                           "AND res_id = %s", [member_id])
                cr.execute("DELETE FROM mail_followers WHERE res_model = 'hotel.loyalty.member' "
                           "AND res_id = %s", [member_id])
                cr.execute("DELETE FROM hotel_loyalty_member WHERE id = %s", [member_id])
                cr.execute("DELETE FROM res_partner WHERE id = %s", [partner_id])
                cr.commit()  # pylint: disable=invalid-commit
