from datetime import date, timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from odoo.addons.hotel_crm.tools.trusted import trusted

from ..tools.params import days_param

# Values the journal keeps that only the sensitive-data group may read.
SENSITIVE_KEYS = ("id_document_number", "id_document_type")

# Fields a guest merge decides field by field (survivorship); see _survivor_values.
SURVIVOR_FIELDS = (
    "name", "email", "phone", "mobile", "birthday", "nationality_id", "lang", "guest_type",
    "company_name", "street", "city", "zip", "country_id", "comment", "id_document_type",
    "id_document_number",
)
CONSENT_CHANNELS = ("email", "sms")
DEFAULT_UNMERGE_DAYS = 30


class HotelMergeJournal(models.Model):
    _name = "hotel.merge.journal"
    _description = "Guest Merge Journal"
    _order = "date desc, id desc"
    _rec_name = "merged_name"

    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    user_id = fields.Many2one(
        "res.users", string="Merged By", required=True, readonly=True,
        default=lambda self: self.env.user, index=True,
    )
    # set null, not restrict: erasing a guest (privacy) must not be blocked by the journal
    survivor_id = fields.Many2one(
        "res.partner", string="Surviving Guest", readonly=True, index=True,
        ondelete="set null", context={"active_test": False},
    )
    merged_partner_id = fields.Many2one(
        "res.partner", string="Merged Profile", readonly=True, index=True,
        ondelete="set null", context={"active_test": False},
        help="Archived profile kept so that the merge can be undone.",
    )
    merged_name = fields.Char(string="Merged Guest", required=True, readonly=True)
    reason = fields.Char(required=True, readonly=True)
    origin = fields.Selection(
        [("manual", "Manual"), ("review", "Review Queue"), ("automatic", "Nightly Job"),
         ("contacts", "Contact Merge")],
        required=True, default="manual", readonly=True,
    )
    score = fields.Float(readonly=True, digits=(16, 2))
    # The raw values include the ID document number: sensitive-data group only (S2); the
    # text below shows the rest to guest relations.
    merged_values = fields.Json(
        string="Merged Profile Values", readonly=True, groups="hotel_crm.group_hotel_sensitive",
        help="Values of the merged profile before the merge.",
    )
    survivor_values = fields.Json(
        readonly=True, groups="hotel_crm.group_hotel_sensitive",
        help="Values of the surviving guest before the merge, restored by an unmerge.",
    )
    moved_references = fields.Json(string="Moved Rows", readonly=True)
    merged_values_text = fields.Text(
        string="Merged Profile Before the Merge", compute="_compute_merged_values_text",
    )
    moved_summary = fields.Text(
        string="Moved References", compute="_compute_moved_summary",
    )
    reversible = fields.Boolean(
        readonly=True,
        help="False when Odoo had to drop a reference it could not move, "
        "so that an unmerge could not put everything back.",
    )
    state = fields.Selection(
        [("merged", "Merged"), ("unmerged", "Unmerged")], required=True, default="merged",
        readonly=True, index=True,
    )
    unmerge_deadline = fields.Date(readonly=True)
    unmerged_on = fields.Datetime(readonly=True)
    unmerged_by_id = fields.Many2one("res.users", readonly=True)
    company_id = fields.Many2one(
        "res.company", string="Property", readonly=True, index=True,
        default=lambda self: self.env.company,
    )
    can_unmerge = fields.Boolean(compute="_compute_can_unmerge")

    @api.depends("merged_values")
    def _compute_merged_values_text(self):
        sensitive = self.env.user.has_group("hotel_crm.group_hotel_sensitive")
        # sudo: the raw values are read here and the ID number left out for other roles
        for journal, raw in zip(self, self.sudo(), strict=True):
            journal.merged_values_text = "\n".join(
                f"{key}: {value}" for key, value in sorted((raw.merged_values or {}).items())
                if value not in (False, None, "")
                and (sensitive or key not in SENSITIVE_KEYS)
            )

    @api.depends("moved_references")
    def _compute_moved_summary(self):
        for journal in self:
            lines = []
            for key, info in sorted((journal.moved_references or {}).get("fk", {}).items()):
                count = len(info.get("ids", [])) + len(info.get("moved", []))
                count += len(info.get("shared", []))
                if count:
                    lines.append(f"{key}: {count}")
            references = (journal.moved_references or {}).get("references", {})
            for model, ids in sorted(references.items()):
                lines.append(f"{model}: {len(ids)}")
            journal.moved_summary = "\n".join(lines)

    @api.depends("state", "unmerge_deadline", "reversible", "survivor_id",
                 "merged_partner_id")
    def _compute_can_unmerge(self):
        today = fields.Date.context_today(self)
        for journal in self:
            journal.can_unmerge = bool(
                journal.state == "merged" and journal.reversible
                and journal.survivor_id and journal.merged_partner_id
                and (not journal.unmerge_deadline or journal.unmerge_deadline >= today)
            )

    # ------------------------------------------------------------------
    # Merge
    # ------------------------------------------------------------------
    @api.model
    def _check_merge_rights(self):
        if not (self.env.user.has_group("hotel_crm.group_hotel_guest_relations")
                or self.env.user.has_group("hotel_crm.group_hotel_manager")
                or self.env.su):
            raise AccessError(
                self.env._("Only Guest Relations and Managers can merge or unmerge guests.")
            )

    @api.model
    def _unmerge_days(self):
        return days_param(self.env, "hotel_import.unmerge_days", DEFAULT_UNMERGE_DAYS)

    @api.model
    def _snapshot(self, partner):
        values = {}
        for fname in (*SURVIVOR_FIELDS, "is_vip", "active", "hotel_merged_into_id",
                      "email_consent", "sms_consent"):
            if fname not in partner._fields:
                continue
            value = partner[fname]
            if isinstance(value, models.BaseModel):
                value = value.id
            elif isinstance(value, date):
                value = fields.Date.to_string(value)
            values[fname] = value
        # sudo: the journal keeps the ID number for unmerge (read back by managers only)
        values["id_document_number"] = partner.sudo().id_document_number or False
        return values

    @api.model
    def _order_by_recency(self, partners):
        """Most recent profile first: latest stay, then latest change, then newest record."""
        return partners.sorted(
            lambda p: (p.last_stay_date or date.min, p.write_date or fields.Datetime.now(), p.id),
            reverse=True,
        )

    @api.model
    def _survivor_values(self, survivor, merged):
        """Field values the survivor takes: the most recent non-empty value, a verified one
        (a real, not relay, e-mail; a phone that parses) over an unverified one."""
        ordered = self._order_by_recency(survivor | merged)
        values = {}
        for fname in SURVIVOR_FIELDS:
            if fname not in survivor._fields:
                continue
            candidates = [p for p in ordered if p[fname]]
            if fname == "email":
                candidates.sort(key=lambda p: bool(p.is_relay_email))  # stable: real first
            elif fname in ("phone", "mobile"):
                candidates.sort(key=lambda p: not p.hotel_phone_e164)
            if not candidates:
                continue
            best = candidates[0][fname]
            if best != survivor[fname]:
                values[fname] = best.id if isinstance(best, models.BaseModel) else best
        if merged.is_vip and not survivor.is_vip:
            values["is_vip"] = True
        return values

    @api.model
    def _apply_consent(self, survivor, merged, before, journal_data):
        """The strictest consent wins: withdrawn beats granted beats never asked. Both
        histories now sit on the survivor; when its latest decision is not the strictest, a
        'merge' decision is recorded (and removed again by an unmerge)."""
        created = self.env["hotel.guest.consent"]
        proof = self.env._("Merge of guest %(name)s (#%(id)s)", name=merged.name, id=merged.id)
        for channel, values in before.items():
            target = ("withdrawn" if "withdrawn" in values
                      else "granted" if "granted" in values else False)
            if target and survivor[f"{channel}_consent"] != target:
                created |= survivor._hotel_set_consent(channel, target == "granted", "merge",
                                                       proof=proof)
        journal_data["consent_ids"] = created.ids

    @api.model
    def _recompute_moved(self, partners, journal_data):
        """Odoo's merge moves rows in SQL: recompute the partners' stored fields that depend
        on the one2many fields whose rows moved (consent, membership …)."""
        moved = {tuple(key.split(".", 1)) for key in journal_data.get("fk", {})}
        fnames = [
            name for name, field in partners._fields.items()
            if field.type == "one2many" and field.comodel_name in self.env
            and (self.env[field.comodel_name]._table, field.inverse_name) in moved
        ]
        self.env.invalidate_all()
        if fnames:
            partners.modified(fnames)
            self.env.flush_all()

    @api.model
    def _check_mergeable(self, merged, survivor):
        if merged == survivor:
            raise UserError(self.env._("A guest cannot be merged with itself."))
        for partner in merged | survivor:
            if not partner.active:
                raise UserError(
                    self.env._("%(name)s is archived or already merged and cannot be merged.",
                               name=partner.display_name)
                )
            if partner.is_company or partner.child_ids or partner.parent_id:
                raise UserError(
                    self.env._("%(name)s is a company or a company contact; only individual "
                               "guests are merged here.", name=partner.display_name)
                )
        if (merged | survivor).with_context(active_test=False).user_ids:
            raise UserError(
                self.env._("%(name)s is linked to a user account and cannot be merged.",
                           name=(merged | survivor).user_ids[:1].partner_id.display_name)
            )
        # A reference that may exist once per guest (a loyalty membership…) on both sides
        # would be dropped by Odoo's merge: refuse instead.
        wizard = self.env["base.partner.merge.automatic.wizard"]
        for table, column in wizard._get_fk_on("res_partner"):
            if table == "res_partner" or not self._is_unique_column(table, column):
                continue
            self.env.cr.execute(SQL(
                "SELECT COUNT(DISTINCT %(c)s) FROM %(t)s WHERE %(c)s = ANY(%(ids)s)",
                t=SQL.identifier(table), c=SQL.identifier(column),
                ids=[merged.id, survivor.id],
            ))
            if self.env.cr.fetchone()[0] > 1:
                raise UserError(
                    self.env._("Both guests have a record in %(table)s that can exist only "
                               "once per guest (e.g. a loyalty membership). Resolve it first.",
                               table=table)
                )

    @api.model
    def _is_unique_column(self, table, column):
        self.env.cr.execute(
            """
            SELECT 1 FROM pg_index i
              JOIN pg_class c ON c.oid = i.indrelid
              JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
             WHERE c.relname = %s AND a.attname = %s AND i.indisunique
               AND i.indnatts = 1
            """,
            (table, column),
        )
        return bool(self.env.cr.fetchone())

    @api.model
    def _choose_survivor(self, partners):
        """The profile with the most stays survives, then the most recent, then the oldest."""
        return partners.sorted(
            lambda p: (p.stay_count, p.last_stay_date or date.min, -p.id), reverse=True
        )[0]

    @api.model
    def _merge(self, merged, survivor, reason, origin="manual", score=0.0):
        """Merge ``merged`` into ``survivor`` with Odoo's partner merge, archive the merged
        profile (kept for unmerge) and journal everything. Returns the journal entry."""
        self._check_merge_rights()
        merged.ensure_one()
        survivor.ensure_one()
        if not (reason or "").strip():
            raise UserError(self.env._("Give a reason for the merge."))
        # the caller merges guests it may see and edit (record rules: its properties)
        (merged | survivor).with_env(self.env).with_context(
            active_test=False).check_access("write")
        # sudo: merge rights were checked above; every reference must move
        merged = merged.sudo()
        survivor = survivor.sudo()
        self._check_mergeable(merged, survivor)
        self.env.flush_all()
        merged_values = self._snapshot(merged)
        survivor_values = self._snapshot(survivor)
        new_values = self._survivor_values(survivor, merged)
        consent_before = {c: {merged[f"{c}_consent"], survivor[f"{c}_consent"]}
                          for c in CONSENT_CHANNELS if f"{c}_consent" in merged._fields}
        # sudo: Odoo's merge wizard is a technical step here, rights checked above
        wizard = self.env["base.partner.merge.automatic.wizard"].sudo()
        journal_data = {"fk": wizard._hotel_move_foreign_keys(merged, survivor)}
        journal_data["references"] = wizard._hotel_move_references(merged, survivor)
        merged = merged.with_context(active_test=False).browse(merged.id)
        survivor = survivor.browse(survivor.id)
        self._recompute_moved(survivor | merged, journal_data)
        # the merged row's own email/phone leave the keys: it stays archived, for unmerge only
        merged.write({"active": False, "hotel_merged_into_id": survivor.id})
        if new_values:
            survivor.write(new_values)
        self._apply_consent(survivor, merged, consent_before, journal_data)
        lost = sum(v.get("lost", 0) for v in journal_data.get("fk", {}).values())
        # sudo: the journal is append-only for users, written by the merge itself
        journal = self.sudo().create({
            "survivor_id": survivor.id,
            "merged_partner_id": merged.id,
            "merged_name": merged_values.get("name") or "",
            "reason": reason.strip(),
            "origin": origin,
            "score": score,
            "merged_values": merged_values,
            "survivor_values": {k: survivor_values.get(k) for k in new_values},
            "moved_references": journal_data,
            "reversible": not lost,
            "unmerge_deadline": fields.Date.context_today(self)
            + timedelta(days=self._unmerge_days()),
            "company_id": self.env.company.id,
        })
        self._decide_pair(merged, survivor, "merged", journal)
        survivor._hotel_refresh_derived()
        self.env["hotel.audit.log"]._record(
            "merge", survivor, lambda r: r,
            note="#%s → #%s: %s" % (merged.id, survivor.id, reason.strip()),
        )
        survivor.message_post(
            body=self.env._("Guest %(name)s (#%(id)s) merged into this profile: %(reason)s",
                            name=merged_values.get("name"), id=merged.id, reason=reason),
        )
        return journal

    @api.model
    def _decide_pair(self, merged, survivor, state, journal=None):
        """Record the decision on the pair in the duplicate queue, whichever way the merge
        (or unmerge) was started: merged, or 'not the same guest' after an unmerge, so
        that the nightly job does not merge it again."""
        # sudo: the queue is written by the merge itself, whoever may see the pair
        Candidate = self.env["hotel.duplicate.candidate"].sudo()
        a, b = sorted((merged.id, survivor.id))
        values = {"state": state, "decided_by_id": self.env.user.id,
                  "decided_on": fields.Datetime.now()}
        if journal:
            values["journal_id"] = journal.id
        with trusted("hotel_import.duplicate_queue"):
            pair = Candidate.search([("partner_a_id", "=", a), ("partner_b_id", "=", b)])
            if pair:
                pair.write(values)
            else:
                Candidate.create({"partner_a_id": a, "partner_b_id": b, **values,
                                  "reasons": self.env._("merge journal")})

    # ------------------------------------------------------------------
    # Unmerge
    # ------------------------------------------------------------------
    def action_unmerge(self):
        self.ensure_one()
        self._check_merge_rights()
        if self.state != "merged":
            raise UserError(self.env._("This merge has already been undone."))
        if not self.reversible:
            raise UserError(
                self.env._("This merge cannot be undone: Odoo dropped references it could "
                           "not move.")
            )
        if self.unmerge_deadline and self.unmerge_deadline < fields.Date.context_today(self):
            raise UserError(
                self.env._("The period to undo this merge ended on %(date)s.",
                           date=self.unmerge_deadline)
            )
        if not self.survivor_id or not self.merged_partner_id:
            raise UserError(
                self.env._("One of the two guests of this merge was erased; the merge cannot "
                           "be undone.")
            )
        # the caller undoes merges of guests it may see and edit (record rules)
        (self.survivor_id | self.merged_partner_id).with_context(
            active_test=False).check_access("write")
        # sudo: unmerge rights were checked above; every reference moves back
        survivor = self.survivor_id.sudo().with_context(active_test=False)
        merged = self.merged_partner_id.sudo().with_context(active_test=False)
        if not survivor.active:
            raise UserError(
                self.env._("The surviving guest %(name)s was merged or archived since; undo "
                           "that first.", name=survivor.display_name)
            )
        self.env.flush_all()
        data = self.moved_references or {}
        for key, info in data.get("fk", {}).items():
            table, column = key.split(".", 1)
            ident = {"t": SQL.identifier(table), "c": SQL.identifier(column)}
            if info.get("ids"):
                self.env.cr.execute(SQL(
                    "UPDATE %(t)s SET %(c)s = %(src)s WHERE id = ANY(%(ids)s) AND %(c)s = %(dst)s",
                    **ident, src=merged.id, dst=survivor.id, ids=info["ids"],
                ))
            other = info.get("other")
            if other and info.get("moved"):
                self.env.cr.execute(SQL(
                    "UPDATE %(t)s SET %(c)s = %(src)s WHERE %(c)s = %(dst)s "
                    "AND %(o)s = ANY(%(vals)s)",
                    **ident, o=SQL.identifier(other), src=merged.id, dst=survivor.id,
                    vals=info["moved"],
                ))
            if other and info.get("shared"):
                self.env.cr.execute(SQL(
                    "INSERT INTO %(t)s (%(c)s, %(o)s) SELECT %(src)s, v FROM unnest(%(vals)s) v "
                    "ON CONFLICT DO NOTHING",
                    **ident, o=SQL.identifier(other), src=merged.id, vals=info["shared"],
                ))
        for model, ids in data.get("references", {}).items():
            # sudo: messages and attachments the merge moved go back whoever wrote them
            records = self.env[model].sudo().browse(ids).exists()
            records = records.filtered(lambda r: r.res_id == survivor.id)
            if records:
                records.write({"res_id": merged.id})
        # sudo: consent rows the merge added are removed (history is otherwise immutable)
        consents = self.env["hotel.guest.consent"].sudo().browse(data.get("consent_ids", []))
        consents.exists().unlink()
        self._recompute_moved(survivor | merged, data)
        merged.write({"active": True, "hotel_merged_into_id": False})
        survivor_restore = {
            # sudo: the values to restore include the ID number (sensitive group only)
            k: v for k, v in (self.sudo().survivor_values or {}).items()
            if k in survivor._fields and k not in ("active", "hotel_merged_into_id")
        }
        if survivor_restore:
            survivor.write(survivor_restore)
        # sudo: the journal is written by the unmerge itself
        self.sudo().write({
            "state": "unmerged",
            "unmerged_on": fields.Datetime.now(),
            "unmerged_by_id": self.env.user.id,
        })
        self._decide_pair(merged, survivor, "rejected")
        (survivor | merged)._hotel_refresh_derived()
        self.env["hotel.audit.log"]._record(
            "unmerge", survivor | merged, lambda r: r,
            note="#%s ← #%s" % (merged.id, survivor.id),
        )
        survivor.message_post(
            body=self.env._("Merge of guest %(name)s (#%(id)s) undone.", name=merged.name,
                            id=merged.id),
        )
        return True

    def action_open_survivor(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "res.partner",
                "res_id": self.survivor_id.id, "view_mode": "form"}
