"""S3: the documented backup (Odoo's database manager: SQL dump + filestore in one zip)
restores into a new database with the same figures, ledger balances and open tickets."""

import os
import shutil
import tempfile
import uuid
from unittest.mock import patch

import odoo
from odoo.modules.registry import Registry
from odoo.service import db as db_service
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

FIGURES = """
    SELECT COUNT(*), SUM(stay_count), SUM(night_count), SUM(total_spend), SUM(spend_12m),
           MAX(last_stay_date)
      FROM res_partner WHERE is_guest
"""
BALANCES = """
    SELECT m.member_number, m.points_balance, COALESCE(SUM(l.points), 0)
      FROM hotel_loyalty_member m LEFT JOIN hotel_loyalty_ledger l ON l.member_id = m.id
     GROUP BY m.id ORDER BY m.member_number
"""
OPEN_TICKETS = """
    SELECT f.reference, f.sla_state, f.reply_deadline
      FROM hotel_feedback f WHERE NOT f.is_closed ORDER BY f.reference
"""


def snapshot(cr):
    result = {}
    for name, query in (("figures", FIGURES), ("balances", BALANCES),
                        ("tickets", OPEN_TICKETS)):
        cr.execute(query)
        result[name] = cr.fetchall()
    cr.execute("SELECT COUNT(*) FROM ir_attachment WHERE store_fname IS NOT NULL")
    result["stored_files"] = cr.fetchone()
    return result


def drop(dbname):
    Registry.delete(dbname)
    odoo.sql_db.close_db(dbname)
    with odoo.sql_db.db_connect("postgres").cursor() as cr:
        cr._cnx.autocommit = True
        cr.execute(SQL("DROP DATABASE IF EXISTS %s WITH (FORCE)", SQL.identifier(dbname)))
    shutil.rmtree(odoo.tools.config.filestore(dbname), ignore_errors=True)


@tagged("post_install", "-at_install")
class TestBackupRestore(TransactionCase):
    def test_a_dump_restores_with_the_same_figures_balances_and_open_tickets(self):
        source = self.env.cr.dbname
        with Registry(source).cursor() as cr:  # what is committed, as a backup sees it
            expected = snapshot(cr)
        self.assertGreater(expected["figures"][0][0], 0, "the database holds demo guests")
        self.assertTrue(expected["balances"], "the database holds loyalty members")
        self.assertTrue(expected["tickets"], "the database holds open tickets")
        target = "%s_restore_%s" % (source, uuid.uuid4().hex[:8])
        # Odoo's database manager is on for this test only (the test command serves with
        # list_db off), and loading the restored database must not collect the tests again
        no_tests = patch.dict(odoo.tools.config.options,
                              {"test_enable": False, "list_db": True})
        with no_tests, tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "backup.zip")
            with open(path, "wb") as stream:
                db_service.dump_db(source, stream, "zip")
            self.assertGreater(os.path.getsize(path), 0)
            try:
                db_service.restore_db(target, path, copy=True)
            except Exception:
                drop(target)
                raise
        try:
            with odoo.sql_db.db_connect(target).cursor() as cr:
                self.assertEqual(snapshot(cr), expected)
            # the restored database loads in Odoo and shows the same guests and balances
            with no_tests, Registry(target).cursor() as cr:
                env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
                self.assertEqual(env["res.partner"].search_count([("is_guest", "=", True)]),
                                 expected["figures"][0][0])
                members = env["hotel.loyalty.member"].search([], order="member_number")
                self.assertEqual([(m.member_number, m.points_balance) for m in members],
                                 [row[:2] for row in expected["balances"]])
        finally:
            drop(target)
