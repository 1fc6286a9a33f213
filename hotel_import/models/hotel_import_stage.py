import hashlib
import json

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.hotel_crm.tools import sql_copy


class HotelImportStage(models.Model):
    """The rows of a file imported in the background, staged once (streamed from the file,
    batch by batch) and read back batch by batch: the file is never held in memory as rows.
    Staged rows hold guests' personal data: they are deleted when the import ends."""

    _name = "hotel.import.stage"
    _description = "Staged Import Row"
    _log_access = False
    _order = "log_id, row_number"

    log_id = fields.Many2one("hotel.import.log", required=True, ondelete="cascade")
    row_number = fields.Integer(required=True)
    cells = fields.Json(required=True)
    # md5 of the trimmed cells: a row that repeats an earlier one is rejected, as in a
    # single-pass import
    row_key = fields.Char(required=True)
    repeat_of = fields.Integer()

    _sql_constraints = [
        ("row_unique", "UNIQUE (log_id, row_number)", "A row is staged once."),
    ]

    def init(self):
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS hotel_import_stage_key_idx "
            "ON hotel_import_stage (log_id, row_key, row_number)")

    def _stage(self, log, numbered_rows, encoding_is_xlsx, as_text):
        """COPY (row number, cells) pairs into the stage."""
        def lines():
            for number, row in numbered_rows:
                texts = [as_text(v) for v in row] if encoding_is_xlsx else row
                key = hashlib.md5(
                    "\x1f".join(t.strip() for t in texts).encode(), usedforsecurity=False,
                ).hexdigest()
                cells = sql_copy.copy_text(json.dumps(texts, ensure_ascii=False))
                yield f"{log.id}\t{number}\t{cells}\t{key}"
        sql_copy.copy_lines(self.env.cr, self._table,
                            ["log_id", "row_number", "cells", "row_key"], lines())

    def _mark_repeats(self, log):
        """A staged row whose cells repeat an earlier row's: repeat_of = that row."""
        self.env.cr.execute(SQL(
            """
            UPDATE hotel_import_stage s
               SET repeat_of = f.first_row
              FROM (SELECT row_key, MIN(row_number) AS first_row
                      FROM hotel_import_stage WHERE log_id = %(log)s
                     GROUP BY row_key HAVING COUNT(*) > 1) f
             WHERE s.log_id = %(log)s AND s.row_key = f.row_key
               AND s.row_number > f.first_row
            """, log=log.id))

    def _batch(self, log, after, limit):
        """[(row number, cells, repeat_of)] of the next staged rows after row ``after``."""
        self.env.cr.execute(SQL(
            "SELECT row_number, cells, repeat_of FROM hotel_import_stage "
            "WHERE log_id = %s AND row_number > %s ORDER BY row_number LIMIT %s",
            log.id, after, limit))
        return self.env.cr.fetchall()


    @api.model
    def _forget(self, log_ids):
        """Delete the staged rows and the memory of these imports, one statement each: an
        import stages up to a million rows, which the ORM would read and log id by id."""
        self.env.cr.execute(SQL("DELETE FROM hotel_import_stage WHERE log_id = ANY(%s)",
                                list(log_ids)))
        self.env.cr.execute(SQL("DELETE FROM hotel_import_memory WHERE log_id = ANY(%s)",
                                list(log_ids)))
        self.invalidate_model()
        self.env["hotel.import.memory"].invalidate_model()


class HotelImportMemory(models.Model):
    """What earlier batches of a background import held, so that batches together do what
    one pass over the file does: a booking reference seen twice is refused the second time,
    and rows of one new guest make one guest (``kind`` 'ref' or 'guest', ``partner_id`` the
    guest an applied batch created)."""

    _name = "hotel.import.memory"
    _description = "Background Import Memory"
    _log_access = False

    log_id = fields.Many2one("hotel.import.log", required=True, ondelete="cascade")
    kind = fields.Selection([("ref", "Booking Reference"), ("guest", "Guest")], required=True)
    key = fields.Char(required=True)
    row_number = fields.Integer(required=True)
    partner_id = fields.Many2one("res.partner", ondelete="cascade")

    _sql_constraints = [
        ("key_unique", "UNIQUE (log_id, kind, key)", "A key is remembered once per import."),
    ]


class ImportMemory:
    """The ``prior`` of :meth:`hotel.import.wizard._process_rows` for one import log."""

    def __init__(self, env, log):
        self.env, self.log = env, log

    @staticmethod
    def _ref_text(key):
        company_id, channel_id, ref = key
        return f"{company_id}|{channel_id or ''}|{ref}"

    def _read(self, kind, keys):
        if not keys:
            return {}
        self.env.cr.execute(SQL(
            "SELECT key, row_number, partner_id FROM hotel_import_memory "
            "WHERE log_id = %s AND kind = %s AND key = ANY(%s)",
            self.log.id, kind, list(keys)))
        return {key: (row, partner_id) for key, row, partner_id in self.env.cr.fetchall()}

    def _write(self, kind, values):
        if not values:
            return
        self.env.cr.execute(SQL(
            """
            INSERT INTO hotel_import_memory (log_id, kind, key, row_number, partner_id)
            SELECT %s, %s, k, r, p FROM unnest(%s::varchar[], %s::int[], %s::int[]) AS t(k, r, p)
            ON CONFLICT (log_id, kind, key) DO UPDATE
               SET partner_id = COALESCE(hotel_import_memory.partner_id, EXCLUDED.partner_id)
            """, self.log.id, kind, list(values), [v[0] for v in values.values()],
            [v[1] for v in values.values()]))

    def refs(self, keys):
        """{ref key: first row} of the booking references earlier batches held."""
        texts = {self._ref_text(k): k for k in keys}
        return {texts[text]: row for text, (row, __) in self._read("ref", texts).items()}

    def remember_refs(self, refs):
        self._write("ref", {self._ref_text(k): (row, None) for k, row in refs.items()})

    def guests(self, keys):
        """{guest key: (first row, guest id or None)} of the new guests of earlier batches."""
        return self._read("guest", keys)

    def remember_guests(self, guests):
        self._write("guest", guests)
