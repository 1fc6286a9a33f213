import importlib.util
from pathlib import Path

from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL, sql

MIGRATION = Path(__file__).resolve().parents[1] / "migrations" / "18.0.1.1.0" / "pre-migrate.py"


def _migration():
    spec = importlib.util.spec_from_file_location("hotel_crm_migration_18_0_1_1_0", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestRoomTypeModelRename(TransactionCase):
    """Upgrading from 18.0.1.0.0, where room types were the model ``hotel.room.type`` (the
    name OCA's hotel module uses), keeps every room type, every stay's room type and the
    access rights, under the names a new installation has."""

    def _state(self):
        cr = self.env.cr
        self.env.flush_all()
        cr.execute("SELECT id, code, active FROM hotel_crm_room_type ORDER BY id")
        rows = cr.fetchall()
        cr.execute("SELECT count(*) FROM hotel_stay WHERE room_type_id IS NOT NULL")
        linked = cr.fetchone()[0]
        cr.execute("""
            SELECT d.name FROM ir_model_data d
             WHERE d.module = 'hotel_crm'
               AND d.name ~ '^(model|field|constraint)_hotel_crm_room_type'
             ORDER BY d.name""")
        xmlids = [r[0] for r in cr.fetchall()]
        cr.execute("""
            SELECT count(*) FROM ir_model_access a JOIN ir_model m ON m.id = a.model_id
             WHERE m.model = 'hotel.crm.room.type'""")
        acls = cr.fetchone()[0]
        cr.execute("""
            SELECT count(*) FROM ir_model_fields
             WHERE relation = 'hotel.crm.room.type' AND ttype = 'many2one'""")
        relations = cr.fetchone()[0]
        cr.execute("""
            SELECT conname FROM pg_constraint
             WHERE conrelid = 'hotel_crm_room_type'::regclass ORDER BY conname""")
        constraints = [r[0] for r in cr.fetchall()]
        return rows, linked, xmlids, acls, relations, constraints

    def _rename_model(self, migration, old, new, old_table, new_table):
        cr = self.env.cr
        cr.execute(SQL("ALTER TABLE %s RENAME TO %s", SQL.identifier(old_table),
                       SQL.identifier(new_table)))
        cr.execute(SQL("ALTER SEQUENCE %s RENAME TO %s", SQL.identifier(f"{old_table}_id_seq"),
                       SQL.identifier(f"{new_table}_id_seq")))
        cr.execute(SQL("ALTER INDEX %s RENAME TO %s", SQL.identifier(f"{old_table}_pkey"),
                       SQL.identifier(f"{new_table}_pkey")))
        for table, column in migration.MODEL_NAME_COLUMNS:
            cr.execute(SQL("UPDATE %s SET %s = %s WHERE %s = %s", SQL.identifier(table),
                           SQL.identifier(column), new, SQL.identifier(column), old))

    def _oca_room_types_aside(self, migration):
        """Where OCA's hotel module is installed, its own model ``hotel.room.type`` (table
        hotel_room_type) is moved out of the way while the database plays 18.0.1.0.0, which
        could not have it; returns what puts it back."""
        if not sql.table_exists(self.env.cr, migration.OLD_TABLE):
            return lambda: None
        aside = ("hotel.room.type.oca.aside", "hotel_room_type_oca_aside")
        self._rename_model(migration, migration.OLD, aside[0], migration.OLD_TABLE, aside[1])
        return lambda: self._rename_model(migration, aside[0], migration.OLD, aside[1],
                                          migration.OLD_TABLE)

    def _back_to_18_0_1_0_0(self, migration):
        """The database as 18.0.1.0.0 left it (the migration's work undone)."""
        cr = self.env.cr
        new, old = migration.NEW_TABLE, migration.OLD_TABLE
        cr.execute(SQL("ALTER TABLE %s RENAME TO %s", SQL.identifier(new), SQL.identifier(old)))
        cr.execute(SQL("ALTER SEQUENCE %s RENAME TO %s", SQL.identifier(f"{new}_id_seq"),
                       SQL.identifier(f"{old}_id_seq")))
        cr.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass",
                   (old,))
        for (name,) in cr.fetchall():
            if name.startswith(new):
                cr.execute(SQL("ALTER TABLE %s RENAME CONSTRAINT %s TO %s", SQL.identifier(old),
                               SQL.identifier(name), SQL.identifier(old + name[len(new):])))
        cr.execute("UPDATE ir_model_constraint SET name = %s WHERE name = %s",
                   (f"{old}_code_unique", f"{new}_code_unique"))
        for table, column in migration.MODEL_NAME_COLUMNS:
            cr.execute(SQL("UPDATE %s SET %s = %s WHERE %s = %s", SQL.identifier(table),
                           SQL.identifier(column), migration.OLD, SQL.identifier(column),
                           migration.NEW))
        cr.execute("""
            UPDATE ir_model_data
               SET name = regexp_replace(name, '_hotel_crm_room_type', '_hotel_room_type')
             WHERE module = 'hotel_crm'
               AND name ~ '^(model|field|constraint)_hotel_crm_room_type'""")

    def test_upgrade_from_18_0_1_0_0_keeps_room_types_stays_and_access_rights(self):
        migration = _migration()
        stay = self.env["hotel.stay"].search([("room_type_id", "!=", False)], limit=1)
        if not stay:
            guest = self.env["res.partner"].create({"name": "周敏", "is_guest": True})
            stay = self.env["hotel.stay"].create({
                "partner_id": guest.id, "channel_id": self.env.ref("hotel_crm.channel_ctrip").id,
                "booking_ref": "MIG-1", "check_in": "2026-11-01", "check_out": "2026-11-03",
                "room_type_id": self.env.ref("hotel_crm.room_type_suite").id,
            })
        room_type = stay.room_type_id
        before = self._state()
        self.assertTrue(before[0] and before[1] and before[3] and before[4])

        put_back = self._oca_room_types_aside(migration)
        self._back_to_18_0_1_0_0(migration)
        self.env.cr.execute("SELECT count(*) FROM ir_model WHERE model = 'hotel.room.type'")
        self.assertEqual(self.env.cr.fetchone()[0], 1)
        migration.migrate(self.env.cr, "18.0.1.0.0")
        put_back()

        self.assertEqual(self._state(), before)
        self.env.invalidate_all()
        self.assertEqual(self.env["hotel.stay"].browse(stay.id).room_type_id, room_type)
        self.assertEqual(self.env.ref("hotel_crm.room_type_suite")._name, "hotel.crm.room.type")
        self.assertEqual(self.env.ref("hotel_crm.model_hotel_crm_room_type").model,
                         "hotel.crm.room.type")

    def test_the_migration_does_nothing_on_a_new_installation(self):
        before = self._state()
        _migration().migrate(self.env.cr, "18.0.1.0.0")
        self.assertEqual(self._state(), before)
