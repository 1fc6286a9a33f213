from odoo import models
from odoo.tools import SQL


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    """Journal what Odoo's merge moves, so that a guest merge can be undone.

    With ``hotel_merge_journal`` (a dict) in the context, ``_update_foreign_keys`` records,
    for every foreign-key column pointing at res.partner, which rows it moved from the merged
    profile to the survivor, and ``_update_reference_fields`` records the chatter messages,
    activities, attachments, followers and external ids it moved."""

    _inherit = "base.partner.merge.automatic.wizard"

    _REFERENCE_MODELS = (
        ("mail.message", "model"),
        ("mail.activity", "res_model"),
        ("ir.attachment", "res_model"),
        ("mail.followers", "res_model"),
        ("ir.model.data", "model"),
    )

    def _table_columns(self, table):
        self.env.cr.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s",
            (table,),
        )
        return [r[0] for r in self.env.cr.fetchall()]

    def _update_foreign_keys(self, src_partners, dst_partner):
        journal = self.env.context.get("hotel_merge_journal")
        if journal is None:
            return super()._update_foreign_keys(src_partners, dst_partner)
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
        res = super()._update_foreign_keys(src_partners, dst_partner)
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
        journal["fk"] = moved
        return res

    def _update_reference_fields(self, src_partners, dst_partner):
        journal = self.env.context.get("hotel_merge_journal")
        if journal is not None:
            refs = {}
            for model, model_field in self._REFERENCE_MODELS:
                # sudo: the journal must list every message/activity/attachment the merge moves
                ids = self.env[model].sudo().search(
                    [(model_field, "=", "res.partner"), ("res_id", "in", src_partners.ids)]
                ).ids
                if ids:
                    refs[model] = ids
            journal["references"] = refs
        return super()._update_reference_fields(src_partners, dst_partner)
