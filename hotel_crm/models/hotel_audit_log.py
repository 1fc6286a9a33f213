import json

from odoo import api, fields, models
from odoo.exceptions import UserError

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
        if not self.env.su:
            raise UserError(self.env._("The audit log cannot be changed."))
        return super().write(vals)

    def unlink(self):
        if not self.env.su:
            raise UserError(self.env._("The audit log cannot be deleted."))
        return super().unlink()

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
        return str(value)

    @api.model
    def _snapshot(self, records, fnames):
        """{record id: {field: text}} of ``fnames``, read as superuser (sensitive included)."""
        return {
            rec.id: {f: self._value_text(rec, f) for f in fnames}
            # sudo: the log keeps the values whatever the changer may read (ID numbers too)
            for rec in records.sudo().with_context(active_test=False)
        }

    @api.model
    def _record(self, action, records, partner_of, fnames=(), old=None, new=None, note=None):
        """Append one log line per record. ``partner_of(record)`` names the guest concerned.

        ``old``/``new`` are snapshots from :meth:`_snapshot`; only fields whose value changed
        are kept, so an unchanged write leaves no line.
        """
        vals_list = []
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
            labels = [labels_of[f] for f in changed]
            vals_list.append({
                "user_id": self.env.uid,
                "action": action,
                "model": rec._name,
                "res_id": rec.id,
                # sudo: name of a record the user just changed or deleted
                "record_name": rec.sudo().display_name,
                "partner_id": partner_of(rec).id,
                "field_names": ", ".join(labels) or False,
                "old_values": json.dumps({f: before.get(f, "") for f in changed},
                                         ensure_ascii=False) if changed and before else False,
                "new_values": json.dumps({f: after.get(f, "") for f in changed},
                                         ensure_ascii=False) if changed and after else False,
                "note": note or False,
            })
        # sudo: users who may change guest data may not write the log themselves
        return self.sudo().create(vals_list) if vals_list else self.browse()


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
        """The part of ``self`` to log now (nothing while erasing)."""
        if self.env.context.get("hotel_audit_skip"):
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
