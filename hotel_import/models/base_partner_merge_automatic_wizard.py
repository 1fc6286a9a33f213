from odoo import models
from odoo.tools import SQL

# Tables that point at a guest but are not history to move: the duplicate queue and the
# merge journal name the two profiles of a merge (moving them would delete the pair or
# rewrite an earlier merge), and the properties a guest stayed at are derived from the
# stays (recomputed for the survivor; the archived profile keeps its own, so that it stays
# visible where it was, not everywhere).
UNMOVED_TABLES = frozenset({"hotel_duplicate_candidate", "hotel_merge_journal",
                            "hotel_guest_property_rel"})


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    """Guest merges are journaled, so that they can be undone (G9).

    A merge of guests through Odoo's own contact merge goes to the merge journal
    (:meth:`_merge`); the journal moves a guest's references with
    :meth:`_hotel_move_foreign_keys` and :meth:`_hotel_move_references`, which return
    what they moved (no context key carries the journal: a caller of the external API
    sets any context it likes)."""

    _inherit = "base.partner.merge.automatic.wizard"

    _REFERENCE_MODELS = (
        ("mail.message", "model"),
        ("mail.activity", "res_model"),
        ("ir.attachment", "res_model"),
        ("mail.followers", "res_model"),
        ("ir.model.data", "model"),
    )

    def _get_fk_on(self, table):
        relations = super()._get_fk_on(table)
        if table != "res_partner":
            return relations
        return [(t, c) for t, c in relations if t not in UNMOVED_TABLES]

    def _merge(self, partner_ids, dst_partner=None, extra_checks=True):
        """Odoo's contact merge deletes the merged contacts: guests are merged through the
        merge journal instead (archived, journaled, undoable), with its rights checks."""
        # sudo: whether the merge concerns guests must not depend on what the caller sees
        partners = self.env["res.partner"].sudo().browse(partner_ids).exists()
        if len(partners) < 2 or not partners.filtered("is_guest"):
            return super()._merge(partner_ids, dst_partner=dst_partner,
                                  extra_checks=extra_checks)
        Journal = self.env["hotel.merge.journal"]
        Journal._check_merge_rights()
        partners = partners.with_env(self.env)
        partners.check_access("write")
        if dst_partner and dst_partner.id in partners.ids:
            survivor = partners.browse(dst_partner.id)
        else:
            survivor = self._get_ordered_partner(partners.ids)[-1].with_env(self.env)
        reason = self.env._("Merged with the contact merge of %(user)s",
                            user=self.env.user.name)
        for merged in partners - survivor:
            Journal._merge(merged, survivor, reason, origin="contacts")

    def _table_columns(self, table):
        self.env.cr.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s",
            (table,),
        )
        return [r[0] for r in self.env.cr.fetchall()]

    def _hotel_move_foreign_keys(self, src_partners, dst_partner):
        """Odoo's move of every foreign key from ``src_partners`` to ``dst_partner``;
        returns, per ``table.column``, the rows it moved (ids; or the values of the other
        column of a relation table, moved and already shared) and how many it lost."""
        src_ids = src_partners.ids
        before = {}
        for table, column in self._get_fk_on("res_partner"):
            if "base_partner_merge_" in table:
                continue
            columns = self._table_columns(table)
            ident = {"t": SQL.identifier(table), "c": SQL.identifier(column)}
            if "id" in columns:
                self.env.cr.execute(SQL(
                    "SELECT id FROM %(t)s WHERE %(c)s = ANY(%(src)s)", **ident, src=src_ids
                ))
                ids = [r[0] for r in self.env.cr.fetchall()]
                if ids:
                    before[(table, column)] = ("id", ids)
            else:
                others = [c for c in columns if c != column]
                if len(others) != 1:
                    continue
                other = others[0]
                self.env.cr.execute(SQL(
                    "SELECT %(o)s, %(c)s FROM %(t)s WHERE %(c)s = ANY(%(ids)s)",
                    **ident, o=SQL.identifier(other), ids=[*src_ids, dst_partner.id],
                ))
                rows = self.env.cr.fetchall()
                src_values = [v for v, p in rows if p != dst_partner.id]
                dst_values = {v for v, p in rows if p == dst_partner.id}
                if src_values:
                    before[(table, column)] = (other, src_values, dst_values)
        self._update_foreign_keys(src_partners, dst_partner)
        moved = {}
        for (table, column), info in before.items():
            ident = {"t": SQL.identifier(table), "c": SQL.identifier(column)}
            if info[0] == "id":
                self.env.cr.execute(SQL(
                    "SELECT id FROM %(t)s WHERE id = ANY(%(ids)s) AND %(c)s = %(dst)s",
                    **ident, ids=info[1], dst=dst_partner.id,
                ))
                ids = [r[0] for r in self.env.cr.fetchall()]
                lost = len(info[1]) - len(ids)
                moved[f"{table}.{column}"] = {"ids": ids, "lost": lost}
            else:
                other, src_values, dst_values = info
                moved[f"{table}.{column}"] = {
                    "other": other,
                    "moved": [v for v in src_values if v not in dst_values],
                    "shared": [v for v in src_values if v in dst_values],
                }
        return moved

    def _hotel_move_references(self, src_partners, dst_partner):
        """Odoo's move of the chatter messages, activities, attachments, followers and
        external ids of ``src_partners``; returns their ids by model."""
        refs = {}
        for model, model_field in self._REFERENCE_MODELS:
            # sudo: the journal must list every message/activity/attachment the merge moves
            ids = self.env[model].sudo().search(
                [(model_field, "=", "res.partner"), ("res_id", "in", src_partners.ids)]
            ).ids
            if ids:
                refs[model] = ids
        self._update_reference_fields(src_partners, dst_partner)
        return refs
