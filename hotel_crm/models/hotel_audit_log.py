import hashlib
import json

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools import sql_copy
from ..tools.trusted import is_trusted

# Granted by the erasure (res_partner_privacy._hotel_anonymise) around its own writes: they
# are not logged value by value (that would copy the erased data into the log) and it alone
# may blank the values the log holds. Superuser code is NOT exempted from the log: only this
# block is (see _erasing).
ERASURE = "hotel_crm.erasure"
# What the erasure may blank in a log line (values, the record's name, a free-text note such
# as a merge reason); everything else stays (who, when, what, which fields).
ERASABLE_LOG_FIELDS = frozenset({"old_values", "new_values", "record_name", "note"})


class _NotSuperuser:
    """Stands for an environment without superuser rights: ``is_trusted`` then answers for
    the ``trusted()`` block alone (``env(su=False)`` would not do: uid 1, the user of crons
    and of the shell, is always superuser)."""

    su = False


def _erasing():
    """True only inside the erasure's ``trusted(ERASURE)`` block: neither a context key nor
    sudo() (nor uid 1) silences the audit trail or rewrites it."""
    return is_trusted(_NotSuperuser, ERASURE)

AUDIT_ACTIONS = [
    ("create", "Created"),
    ("write", "Changed"),
    ("unlink", "Deleted"),
    ("export", "Data Exported"),
    ("anonymise", "Anonymised"),
    ("merge", "Merged"),
    ("unmerge", "Unmerged"),
]


class HotelAuditLog(models.Model):
    """Who created, changed or deleted guest personal data, and who exported or erased it (S4).

    A focused log rather than OCA ``auditlog``: it also records the events that are not ORM
    writes (data export, anonymisation, merges), it is append-only for every user (only the
    erasure, as superuser, may blank the values it holds about the erased guest), and it
    logs only the fields that are personal data, so it stays small at chain scale.
    """

    _name = "hotel.audit.log"
    _description = "Guest Data Audit Log"
    _order = "date desc, id desc"
    _rec_name = "summary"

    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)
    user_id = fields.Many2one("res.users", readonly=True, index=True)
    action = fields.Selection(AUDIT_ACTIONS, required=True, readonly=True, index=True)
    model = fields.Char(string="Document Model", readonly=True, index=True)
    res_id = fields.Integer(string="Record ID", readonly=True)
    record_name = fields.Char(string="Record", readonly=True)
    partner_id = fields.Many2one(
        "res.partner", string="Guest", readonly=True, index=True, ondelete="set null"
    )
    field_names = fields.Char(string="Fields", readonly=True)
    old_values = fields.Text(readonly=True)
    new_values = fields.Text(readonly=True)
    note = fields.Char(readonly=True)
    summary = fields.Char(compute="_compute_summary")

    @api.depends("action", "model", "record_name", "field_names")
    def _compute_summary(self):
        labels = dict(self._fields["action"]._description_selection(self.env))
        for log in self:
            log.summary = " · ".join(filter(None, [
                labels.get(log.action), log.record_name, log.field_names
            ]))

    def write(self, vals):
        # append-only for every caller, superuser included: the erasure alone blanks the
        # values a line holds about the erased guest
        if not (_erasing() and set(vals) <= ERASABLE_LOG_FIELDS):
            raise UserError(self.env._("The audit log cannot be changed."))
        return super().write(vals)

    # Append-only: refusing without calling super is the point of this override.
    def unlink(self):  # pylint: disable=method-required-super
        raise UserError(self.env._("The audit log cannot be deleted."))

    # ------------------------------------------------------------------
    # Recording
    # ------------------------------------------------------------------
    @api.model
    def _value_text(self, record, fname):
        value = record[fname]
        field = record._fields[fname]
        if field.type in ("many2one", "many2many", "one2many"):
            return ", ".join(value.mapped("display_name"))
        if field.type == "selection":
            return dict(field._description_selection(self.env)).get(value, value or "")
        if value is False or value is None:
            return ""
        if field.type == "binary":  # a photo: which one, not the file itself
            raw = value if isinstance(value, bytes) else str(value).encode()
            return "sha256:" + hashlib.sha256(raw).hexdigest()[:16]
        return str(value)

    @api.model
    def _snapshot(self, records, fnames):
        """{record id: {field: text}} of ``fnames``, read as superuser (sensitive included).

        Plain stored columns are read with one query per thousand records and turned into the
        texts :meth:`_value_text` gives (names of linked records, labels of selections);
        other fields are read record by record."""
        # sudo: the log keeps the values whatever the changer may read (ID numbers too)
        records = records.sudo().with_context(active_test=False)
        result = {rec_id: {} for rec_id in records._ids}
        columns = [f for f in fnames if self._snapshot_column(records._fields[f])]
        others = [f for f in fnames if f not in columns]
        if columns and records:
            records.flush_recordset(columns)
            rows = []
            for start in range(0, len(records), 1000):
                self.env.cr.execute(SQL(
                    "SELECT id, %s FROM %s WHERE id = ANY(%s)",
                    SQL(", ").join(SQL.identifier(f) for f in columns),
                    SQL.identifier(records._table), list(records._ids[start:start + 1000]),
                ))
                rows += self.env.cr.fetchall()
            for index, fname in enumerate(columns, start=1):
                texts = self._column_texts(records, fname, {row[index] for row in rows})
                for row in rows:
                    result[row[0]][fname] = texts[row[index]]
        for rec in records if others else ():
            result[rec.id].update({f: self._value_text(rec, f) for f in others})
        return result

    @api.model
    def _snapshot_column(self, field):
        return (field.store and field.column_type and not field.translate
                and field.type in ("char", "text", "html", "date", "datetime", "boolean",
                                   "integer", "selection", "many2one"))

    @api.model
    def _column_texts(self, records, fname, values):
        """{stored value: text} as :meth:`_value_text` writes the field's values."""
        field = records._fields[fname]
        texts = {None: "0" if field.type == "integer" else ""}
        values = values - {None}
        if field.type == "many2one":
            linked = records.env[field.comodel_name].browse(values)
            texts.update((rec.id, rec.display_name or "") for rec in linked)
        elif field.type == "selection":
            labels = dict(field._description_selection(self.env))
            texts.update((value, labels.get(value, value or "")) for value in values)
        else:
            texts.update((value, "" if value is False else str(value)) for value in values)
        return texts

    @api.model
    def _record(self, action, records, partner_of, fnames=(), old=None, new=None, note=None):
        """Append one log line per record. ``partner_of(record)`` names the guest concerned.

        ``old``/``new`` are snapshots from :meth:`_snapshot`; only fields whose value changed
        are kept, so an unchanged write leaves no line. The lines are stored at once (an
        import logs tens of thousands of guests), written while they are stored.
        """
        # everything read through the ORM (guest, field labels, names) is read here: the
        # lines are made while they are stored, when a query would end the COPY
        entries = []
        labels_of = {}
        for rec in records:
            before = (old or {}).get(rec.id, {})
            after = (new or {}).get(rec.id, {})
            changed = [f for f in fnames if before.get(f, "") != after.get(f, "")]
            if action == "write" and not changed:
                continue
            for fname in changed:
                if fname not in labels_of:
                    labels_of[fname] = rec._fields[fname].get_description(self.env)["string"]
            entries.append((rec.id, partner_of(rec).id or None, before, after, changed))
        if not entries:
            return self.browse()
        names = self._record_names(records)

        def lines():
            for rec_id, partner_id, before, after, changed in entries:
                yield (
                    rec_id,
                    names[rec_id] or None,
                    partner_id,
                    ", ".join(labels_of[f] for f in changed) or None,
                    json.dumps({f: before.get(f, "") for f in changed}, ensure_ascii=False)
                    if changed and before else None,
                    json.dumps({f: after.get(f, "") for f in changed}, ensure_ascii=False)
                    if changed and after else None,
                )

        return self._insert_lines(action, records._name, lines(), len(entries), note)

    @api.model
    def _record_names(self, records):
        """{id: display name}; a guest's is its stored complete name (one query for an
        import's tens of thousands of guests instead of computing each display name)."""
        if records._name == "res.partner":
            records.flush_recordset(["complete_name"])
            self.env.cr.execute(SQL("SELECT id, complete_name FROM res_partner WHERE id = ANY(%s)",
                                    list(records._ids)))
            return dict(self.env.cr.fetchall())
        # sudo: name of a record the user just changed or deleted
        return {rec.id: rec.display_name for rec in records.sudo()}

    @api.model
    def _insert_lines(self, action, model, lines, count, note=None):
        """Store ``count`` log lines of ``action`` on ``model``: ``lines`` gives (res_id,
        record_name, partner_id, field_names, old_values, new_values) of each, possibly
        while they are stored (one COPY: making them must not query the database)."""
        ids = sql_copy.reserve_ids(self.env.cr, self._table, count)
        now = fields.Datetime.to_string(fields.Datetime.now())
        uid = str(self.env.uid)
        # date, user_id, action, model … after the id; note and the magic columns after them
        head = "\t".join([now, uid, sql_copy.copy_text(action), sql_copy.copy_text(model)])
        tail = "\t".join([sql_copy.copy_text(note or None), uid, uid, now, now])

        def text_lines():
            for id_, line in zip(ids, lines, strict=True):
                yield "\t".join([str(id_), head, *map(sql_copy.copy_text, line), tail])

        sql_copy.copy_lines(
            self.env.cr, self._table,
            ["id", "date", "user_id", "action", "model", "res_id", "record_name", "partner_id",
             "field_names", "old_values", "new_values", "note", "create_uid", "write_uid",
             "create_date", "write_date"],
            text_lines(),
        )
        return self.browse(ids)


class HotelAuditedMixin(models.AbstractModel):
    """Log create/write/unlink of ``_hotel_audit_fields`` in ``hotel.audit.log``."""

    _name = "hotel.audited.mixin"
    _description = "Audited Guest Data"
    _hotel_audit_fields = ()

    def _hotel_audit_partner(self):
        return self.partner_id

    def _hotel_audit_scope(self):
        """The records of ``self`` whose changes are logged."""
        return self

    def _hotel_audited(self):
        """The part of ``self`` to log now: nothing inside the erasure's own block (which
        logs itself as one "anonymise" line), all of the scope for every other caller, a
        context key or sudo() notwithstanding."""
        if _erasing():
            return self.browse()
        return self._hotel_audit_scope()

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        scope = records._hotel_audited()
        if scope:
            Log = self.env["hotel.audit.log"]
            fnames = [f for f in self._hotel_audit_fields if f in self._fields]
            Log._record("create", scope, lambda r: r._hotel_audit_partner(), fnames,
                        old={}, new=Log._snapshot(scope, fnames))
        return records

    def write(self, vals):
        fnames = [f for f in self._hotel_audit_fields if f in vals]
        scope = self._hotel_audited() if fnames else self.browse()
        if not scope:
            return super().write(vals)
        Log = self.env["hotel.audit.log"]
        old = Log._snapshot(scope, fnames)
        res = super().write(vals)
        Log._record("write", scope, lambda r: r._hotel_audit_partner(), fnames,
                    old=old, new=Log._snapshot(scope, fnames))
        return res

    def unlink(self):
        scope = self._hotel_audited()
        if scope:
            Log = self.env["hotel.audit.log"]
            fnames = [f for f in self._hotel_audit_fields if f in self._fields]
            Log._record("unlink", scope, lambda r: r._hotel_audit_partner(), fnames,
                        old=Log._snapshot(scope, fnames), new={})
        return super().unlink()
