"""Room types were the model ``hotel.room.type``, the name OCA's ``hotel`` module gives its
own room types (a product category): a database could not hold both. They are now
``hotel.crm.room.type``; this renames the table and every reference to the model before
the module is loaded, so that no room type, stay link or access right is lost (without it
Odoo would create an empty table and remove the old model with its access rights)."""

import logging

from odoo.tools import SQL, sql

_logger = logging.getLogger(__name__)

OLD, NEW = "hotel.room.type", "hotel.crm.room.type"
OLD_TABLE, NEW_TABLE = "hotel_room_type", "hotel_crm_room_type"

# (table, column) holding a model name
MODEL_NAME_COLUMNS = (
    ("ir_model", "model"),
    ("ir_model_fields", "model"),
    ("ir_model_fields", "relation"),
    ("ir_model_data", "model"),
    ("ir_act_window", "res_model"),
    ("ir_ui_view", "model"),
    ("ir_filters", "model_id"),
    ("ir_attachment", "res_model"),
    ("ir_exports", "resource"),
    ("mail_message", "model"),
    ("mail_followers", "res_model"),
    ("mail_activity", "res_model"),
    ("rating_rating", "res_model"),
    ("base_import_mapping", "res_model"),
)


def migrate(cr, version):
    if sql.table_exists(cr, NEW_TABLE) or not sql.column_exists(cr, OLD_TABLE, "code"):
        return  # already renamed, or no room types of this addon (OCA's have no code)
    _logger.info("hotel_crm: renaming the model %s to %s", OLD, NEW)
    cr.execute(SQL("ALTER TABLE %s RENAME TO %s", SQL.identifier(OLD_TABLE),
                   SQL.identifier(NEW_TABLE)))
    cr.execute(SQL("ALTER SEQUENCE IF EXISTS %s RENAME TO %s",
                   SQL.identifier(f"{OLD_TABLE}_id_seq"), SQL.identifier(f"{NEW_TABLE}_id_seq")))
    # the table's own constraints (primary key, unique code, foreign keys) are named after it
    cr.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass "
               "AND conname LIKE %s", (NEW_TABLE, f"{OLD_TABLE}\\_%"))
    for (old,) in cr.fetchall():
        new = NEW_TABLE + old[len(OLD_TABLE):]
        cr.execute(SQL("ALTER TABLE %s RENAME CONSTRAINT %s TO %s",
                       SQL.identifier(NEW_TABLE), SQL.identifier(old), SQL.identifier(new)))
    cr.execute("UPDATE ir_model_constraint SET name = %s WHERE name = %s",
               (f"{NEW_TABLE}_code_unique", f"{OLD_TABLE}_code_unique"))
    for table, column in MODEL_NAME_COLUMNS:
        if sql.column_exists(cr, table, column):
            cr.execute(SQL("UPDATE %s SET %s = %s WHERE %s = %s", SQL.identifier(table),
                           SQL.identifier(column), NEW, SQL.identifier(column), OLD))
    # the xml ids Odoo gives the model, its fields and its constraint follow the model's
    # name: kept under their new names, they are not removed as orphans after the update
    cr.execute(
        "UPDATE ir_model_data SET name = regexp_replace(name, %s, %s) "
        "WHERE module = 'hotel_crm' AND name ~ %s",
        (r"^(model|field|constraint)_hotel_room_type", r"\1_hotel_crm_room_type",
         r"^(model_hotel_room_type$|field_hotel_room_type__|constraint_hotel_room_type_code_unique$)"),
    )
