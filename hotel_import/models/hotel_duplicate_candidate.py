import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from odoo.addons.hotel_crm.models.hotel_job import RUNNABLE
from odoo.addons.hotel_crm.tools.trusted import check_protected_fields, is_trusted, trusted

_logger = logging.getLogger(__name__)

# Evidence weights of the matcher (see readme/CONFIGURE.md). A pair's score is
# 1 - Π(1 - w) over the evidence it shows, times the penalties of the conflicts it shows.
WEIGHTS = {
    "id_number": 0.95,
    "email": 0.60,
    "phone": 0.60,
    "name_birthday": 0.65,
    "name_phone4": 0.50,
    "name": 0.50,
    "name_close": 0.25,
}
PENALTIES = {
    "birthday_differs": 0.30,
    "id_number_differs": 0.05,
    "name_differs": 0.40,
    "phone_differs": 0.60,
}
# Up to this many guests, their pairs are looked up by index; above, one full pass is faster.
FOCUS_LOOKUP_LIMIT = 500
DEFAULT_AUTO_THRESHOLD = 0.95
DEFAULT_REVIEW_THRESHOLD = 0.60
# What detection and the decisions set, never a user: a score or a state written by hand
# would let anyone queue a pair for the nightly automatic merge, or fake a decision.
DECISION_FIELDS = ("score", "reasons", "state", "origin", "decided_by_id", "decided_on",
                   "journal_id")
# The pair itself: changing it would rewrite a decision about two other guests.
PAIR_FIELDS = ("partner_a_id", "partner_b_id")
QUEUE = "hotel_import.duplicate_queue"
# Pairs merged automatically by one batch of the duplicate scan (as many as the nightly job).
AUTO_MERGE_BATCH = 500
# Key of the transaction lock under which a user checks that no scan runs and queues one:
# two clicks at the same moment queue one scan.
SCAN_LOCK_KEY = 71_820_101
SCAN_METHOD = "_hotel_job_scan_duplicates"


class HotelDuplicateCandidate(models.Model):
    _name = "hotel.duplicate.candidate"
    _description = "Possible Duplicate Guests"
    _order = "state, score desc, id desc"
    _rec_names_search = ["partner_a_id", "partner_b_id"]

    partner_a_id = fields.Many2one(
        "res.partner", string="Guest", required=True, index=True, ondelete="cascade",
        domain=[("is_company", "=", False)],
    )
    partner_b_id = fields.Many2one(
        "res.partner", string="Possible Duplicate", required=True, index=True,
        ondelete="cascade", domain=[("is_company", "=", False)],
    )
    score = fields.Float(digits=(16, 2), readonly=True, aggregator="max")
    reasons = fields.Char(string="Evidence", readonly=True)
    state = fields.Selection(
        [("review", "To Review"), ("merged", "Merged"), ("rejected", "Not the Same Guest")],
        required=True, default="review", index=True, readonly=True,
    )
    origin = fields.Selection(
        [("detection", "Duplicate Detection"), ("front_desk", "Flagged by Front Desk")],
        required=True, default="detection", readonly=True,
    )
    note = fields.Char()
    decided_by_id = fields.Many2one("res.users", readonly=True)
    decided_on = fields.Datetime(readonly=True)
    journal_id = fields.Many2one("hotel.merge.journal", string="Merge", readonly=True)
    # read as the user (not as superuser, Odoo's default for related fields): a pair may
    # join a guest of another property (S1)
    partner_a_email = fields.Char(related="partner_a_id.email", string="E-mail",
                                  compute_sudo=False)
    partner_b_email = fields.Char(related="partner_b_id.email", string="Duplicate E-mail",
                                  compute_sudo=False)
    partner_a_phone = fields.Char(related="partner_a_id.phone", string="Phone",
                                  compute_sudo=False)
    partner_b_phone = fields.Char(related="partner_b_id.phone", string="Duplicate Phone",
                                  compute_sudo=False)
    partner_a_stays = fields.Integer(related="partner_a_id.stay_count", string="Stays",
                                     compute_sudo=False)
    partner_b_stays = fields.Integer(related="partner_b_id.stay_count",
                                     string="Duplicate Stays", compute_sudo=False)

    _sql_constraints = [
        ("pair_unique", "unique(partner_a_id, partner_b_id)",
         "These two guests are already proposed as duplicates."),
        ("pair_ordered", "CHECK(partner_a_id < partner_b_id)",
         "A duplicate pair is stored with the older guest first."),
    ]

    @api.depends("partner_a_id", "partner_b_id")
    def _compute_display_name(self):
        for cand in self:
            cand.display_name = f"{cand.partner_a_id.name} ↔ {cand.partner_b_id.name}"

    @api.model_create_multi
    def create(self, vals_list):
        if not is_trusted(self.env, QUEUE):
            # a user flags a pair (front desk); the rest is set by detection and decisions,
            # given in the values or as default_* keys of the context alike
            defaults = {key.removeprefix("default_"): value
                        for key, value in self.env.context.items()
                        if key.startswith("default_")}
            for vals in vals_list:
                if {**defaults, **vals}.get("origin", "front_desk") != "front_desk":
                    raise AccessError(self.env._(
                        "A pair is proposed by hand as flagged by the front desk."))
                check_protected_fields(self, [f for f in DECISION_FIELDS if f != "origin"],
                                       {**defaults, **vals}, QUEUE)
                vals["origin"] = "front_desk"
                # the user proposes guests it may see
                self.env["res.partner"].browse(
                    [vals[f] for f in PAIR_FIELDS if vals.get(f)]).check_access("read")
        for vals in vals_list:
            a, b = vals.get("partner_a_id"), vals.get("partner_b_id")
            if not a or not b:
                raise UserError(self.env._("Choose the two guests that may be the same person."))
            if a == b:
                raise UserError(self.env._("A guest cannot be a duplicate of itself."))
            vals["partner_a_id"], vals["partner_b_id"] = min(a, b), max(a, b)
            # sudo: a pair already queued may involve a guest of another property
            existing = self.sudo().search(
                [("partner_a_id", "=", min(a, b)), ("partner_b_id", "=", max(a, b))], limit=1
            )
            if existing:
                raise UserError(
                    self.env._("These two guests are already in the duplicate queue (%(state)s).",
                               state=dict(self._fields["state"]._description_selection(
                                   self.env))[existing.state])
                )
            if vals.get("origin") == "front_desk" and not vals.get("reasons"):
                vals["reasons"] = self.env._("flagged by %(user)s", user=self.env.user.name)
        return super().create(vals_list)

    def write(self, vals):
        check_protected_fields(self, (*DECISION_FIELDS, *PAIR_FIELDS), vals, QUEUE)
        return super().write(vals)

    # ------------------------------------------------------------------
    # Decisions
    # ------------------------------------------------------------------
    def _check_decision(self, states):
        """Merge rights, the pairs readable and editable by the caller (record rules: both
        guests visible), and still in one of ``states``."""
        self.env["hotel.merge.journal"]._check_merge_rights()
        self.check_access("write")
        if self.filtered(lambda c: c.state not in states):
            raise UserError(self.env._("This pair has already been decided."))

    def action_merge(self):
        self.ensure_one()
        self._check_decision(("review",))
        survivor = self._merge_pair("review")
        return {"type": "ir.actions.act_window", "res_model": "res.partner",
                "res_id": survivor.id, "view_mode": "form"}

    def _merge_pair(self, origin):
        """Merge the pair through the merge journal (which records the decision on the
        pair); returns the surviving guest."""
        Journal = self.env["hotel.merge.journal"]
        # sudo: merge rights were checked by the caller; the survivor is chosen on figures
        pair = (self.partner_a_id | self.partner_b_id).sudo()
        survivor = Journal._choose_survivor(pair).with_env(self.env)
        merged = (pair - survivor).with_env(self.env)
        reason = self.note or self.env._("Duplicate review: %(evidence)s",
                                         evidence=self.reasons or "")
        Journal._merge(merged, survivor, reason, origin=origin, score=self.score)
        return survivor

    def action_reject(self):
        """Not the same guest: remembered, the pair is never proposed again."""
        self._check_decision(("review",))
        with trusted(QUEUE):
            self.write({"state": "rejected", "decided_by_id": self.env.user.id,
                        "decided_on": fields.Datetime.now()})
        return True

    def action_reopen(self):
        self._check_decision(("review", "rejected", "merged"))
        if self.filtered(lambda c: c.state == "merged"):
            raise UserError(self.env._("A merged pair is reopened by undoing its merge."))
        with trusted(QUEUE):
            self.write({"state": "review", "decided_by_id": False, "decided_on": False})
        return True

    # ------------------------------------------------------------------
    # Detection (set-based)
    # ------------------------------------------------------------------
    @api.model
    def _thresholds(self):
        # sudo: thresholds are system parameters every merging user needs
        get = self.env["ir.config_parameter"].sudo().get_param
        try:
            auto = float(get("hotel_import.auto_merge_threshold", DEFAULT_AUTO_THRESHOLD))
            review = float(get("hotel_import.review_threshold", DEFAULT_REVIEW_THRESHOLD))
        except ValueError:
            auto, review = DEFAULT_AUTO_THRESHOLD, DEFAULT_REVIEW_THRESHOLD
        return auto, review

    @api.model
    def _candidate_pairs_sql(self, min_score, partner_ids=None):
        """SELECT a, b, score, evidence of every pair of active guests sharing a blocking
        key: normalised e-mail (relay addresses excluded), E.164 phone, ID document number,
        name key + birthday, name key + last four phone digits."""
        b_ok = SQL("b.active AND b.is_guest AND NOT b.is_company")
        focus = SQL("")
        if partner_ids is None or len(partner_ids) > FOCUS_LOOKUP_LIMIT:
            # every pair in one pass of hash joins (then kept when it involves the guests)
            a_ok = SQL("a.active AND a.is_guest AND NOT a.is_company")
            pair, order = SQL("a.id AS a, b.id AS b"), SQL("a.id < b.id")
            if partner_ids is not None:
                ids = list(partner_ids)
                focus = SQL("WHERE pr.a = ANY(%s) OR pr.b = ANY(%s)", ids, ids)
        else:
            # only the pairs of these guests (after an import): index lookups, not a scan
            a_ok = SQL("a.id = ANY(%s) AND a.active AND a.is_guest AND NOT a.is_company",
                       list(partner_ids))
            pair = SQL("LEAST(a.id, b.id) AS a, GREATEST(a.id, b.id) AS b")
            order = SQL("a.id <> b.id")
        return SQL(
            """
            WITH pairs AS (
                SELECT %(pair)s FROM res_partner a JOIN res_partner b
                    ON a.email_normalized = b.email_normalized AND %(order)s
                 WHERE %(a_ok)s AND %(b_ok)s
                   AND NOT a.is_relay_email AND NOT b.is_relay_email
                UNION
                SELECT %(pair)s FROM res_partner a JOIN res_partner b
                    ON a.hotel_phone_e164 = b.hotel_phone_e164 AND %(order)s
                 WHERE %(a_ok)s AND %(b_ok)s
                UNION
                SELECT %(pair)s FROM res_partner a JOIN res_partner b
                    ON a.id_document_number = b.id_document_number AND %(order)s
                 WHERE %(a_ok)s AND %(b_ok)s AND a.id_document_number <> ''
                UNION
                SELECT %(pair)s FROM res_partner a JOIN res_partner b
                    ON a.hotel_name_key = b.hotel_name_key AND a.birthday = b.birthday
                   AND %(order)s
                 WHERE %(a_ok)s AND %(b_ok)s
                UNION
                SELECT %(pair)s FROM res_partner a JOIN res_partner b
                    ON a.hotel_name_key = b.hotel_name_key
                   AND right(a.hotel_phone_e164, 4) = right(b.hotel_phone_e164, 4)
                   AND %(order)s
                 WHERE %(a_ok)s AND %(b_ok)s
            ),
            ev AS (
                SELECT pr.a, pr.b,
                       COALESCE(a.email_normalized = b.email_normalized
                                AND NOT a.is_relay_email AND NOT b.is_relay_email, FALSE)
                           AS e_email,
                       COALESCE(a.hotel_phone_e164 = b.hotel_phone_e164, FALSE) AS e_phone,
                       COALESCE(NULLIF(a.id_document_number, '') = NULLIF(b.id_document_number, ''),
                                FALSE) AS e_idn,
                       COALESCE(a.hotel_name_key = b.hotel_name_key
                                AND a.birthday = b.birthday, FALSE) AS e_nbday,
                       COALESCE(a.hotel_name_key = b.hotel_name_key
                                AND right(a.hotel_phone_e164, 4) = right(b.hotel_phone_e164, 4),
                                FALSE) AS e_nphone4,
                       COALESCE(a.hotel_name_key = b.hotel_name_key, FALSE) AS e_name,
                       CASE WHEN a.hotel_name_key IS NULL OR b.hotel_name_key IS NULL
                                 OR a.hotel_name_key = b.hotel_name_key THEN FALSE
                            WHEN abs(length(a.hotel_name_key) - length(b.hotel_name_key)) <= 2
                                 AND (left(a.hotel_name_key, 3) = left(b.hotel_name_key, 3)
                                      OR right(a.hotel_name_key, 3)
                                         = right(b.hotel_name_key, 3)) THEN TRUE
                            -- the same letters in another order: "Jame sCampbell"
                            WHEN length(replace(a.hotel_name_key, ' ', ''))
                                 <> length(replace(b.hotel_name_key, ' ', '')) THEN FALSE
                            ELSE COALESCE(
                                (SELECT string_agg(ch, '' ORDER BY ch) FROM
                                 regexp_split_to_table(replace(a.hotel_name_key, ' ', ''), '') ch)
                                = (SELECT string_agg(ch, '' ORDER BY ch) FROM
                                   regexp_split_to_table(replace(b.hotel_name_key, ' ', ''),
                                                         '') ch), FALSE)
                       END AS e_close,
                       COALESCE(a.hotel_phone_e164 <> b.hotel_phone_e164, FALSE) AS c_phone,
                       COALESCE(a.birthday <> b.birthday, FALSE) AS c_bday,
                       COALESCE(NULLIF(a.id_document_number, '')
                                <> NULLIF(b.id_document_number, ''), FALSE) AS c_idn
                  FROM pairs pr
                  JOIN res_partner a ON a.id = pr.a
                  JOIN res_partner b ON b.id = pr.b
                %(focus)s
            ),
            scored AS (
                SELECT ev.*,
                       (1 - (CASE WHEN e_idn THEN 1 - %(w_idn)s ELSE 1 END)
                          * (CASE WHEN e_email THEN 1 - %(w_email)s ELSE 1 END)
                          * (CASE WHEN e_phone THEN 1 - %(w_phone)s ELSE 1 END)
                          * (CASE WHEN e_nbday THEN 1 - %(w_nbday)s ELSE 1 END)
                          * (CASE WHEN e_nphone4 THEN 1 - %(w_nphone4)s ELSE 1 END)
                          * (CASE WHEN e_name THEN 1 - %(w_name)s ELSE 1 END)
                          * (CASE WHEN e_close THEN 1 - %(w_close)s ELSE 1 END))
                       * (CASE WHEN c_bday THEN %(p_bday)s ELSE 1 END)
                       * (CASE WHEN c_idn THEN %(p_idn)s ELSE 1 END)
                       * (CASE WHEN c_phone THEN %(p_phone)s ELSE 1 END)
                       * (CASE WHEN NOT (e_name OR e_close) THEN %(p_name)s ELSE 1 END) AS score
                  FROM ev
            )
            SELECT a, b, round(score::numeric, 4)::float AS score,
                   concat_ws(', ',
                       CASE WHEN e_idn THEN 'id_number' END,
                       CASE WHEN e_email THEN 'email' END,
                       CASE WHEN e_phone THEN 'phone' END,
                       CASE WHEN e_nbday THEN 'name_birthday' END,
                       CASE WHEN e_nphone4 THEN 'name_phone4' END,
                       CASE WHEN e_name THEN 'name' END,
                       CASE WHEN e_close THEN 'name_close' END,
                       CASE WHEN c_bday THEN 'birthday_differs' END,
                       CASE WHEN c_idn THEN 'id_number_differs' END,
                       CASE WHEN c_phone THEN 'phone_differs' END) AS evidence
              FROM scored
             WHERE score >= %(min_score)s
            """,
            pair=pair, order=order, a_ok=a_ok, b_ok=b_ok, focus=focus,
            min_score=min_score,
            # float8 arithmetic: the weights as numeric would make scoring twice as slow
            **{key: SQL("%s::float8", value) for key, value in (
                ("w_idn", WEIGHTS["id_number"]), ("w_email", WEIGHTS["email"]),
                ("w_phone", WEIGHTS["phone"]), ("w_nbday", WEIGHTS["name_birthday"]),
                ("w_nphone4", WEIGHTS["name_phone4"]), ("w_name", WEIGHTS["name"]),
                ("w_close", WEIGHTS["name_close"]), ("p_bday", PENALTIES["birthday_differs"]),
                ("p_idn", PENALTIES["id_number_differs"]),
                ("p_name", PENALTIES["name_differs"]), ("p_phone", PENALTIES["phone_differs"]),
            )},
        )

    @api.model
    def _detect(self, partner_ids=None):
        """Find candidate pairs and store those above the review threshold in the queue;
        decided pairs (merged, rejected) are never proposed again. Returns the number of
        new pairs."""
        __, review = self._thresholds()
        self.env["res.partner"].flush_model()
        self.flush_model()
        # PostgreSQL's JIT compiler spends longer compiling this wide scoring query than it
        # saves at chain scale (32 s of 41 s at a million guests); off for this transaction
        self.env.cr.execute(SQL("SET LOCAL jit = off"))
        self.env.cr.execute(SQL(
            """
            WITH found AS (%(pairs)s)
            INSERT INTO hotel_duplicate_candidate
                   (partner_a_id, partner_b_id, score, reasons, state, origin,
                    create_uid, write_uid, create_date, write_date)
            SELECT a, b, score, evidence, 'review', 'detection',
                   %(uid)s, %(uid)s, now() at time zone 'UTC', now() at time zone 'UTC'
              FROM found
            ON CONFLICT (partner_a_id, partner_b_id) DO UPDATE
               SET score = EXCLUDED.score, reasons = EXCLUDED.reasons
             WHERE hotel_duplicate_candidate.state = 'review'
               AND hotel_duplicate_candidate.origin = 'detection'
            """,
            pairs=self._candidate_pairs_sql(review, partner_ids),
            uid=self.env.uid,
        ))
        count = self.env.cr.rowcount
        self.invalidate_model()
        return count

    @api.model
    def _auto_merge_domain(self):
        """The queued pairs certain enough to merge without a person's review."""
        auto, __ = self._thresholds()
        return [("state", "=", "review"), ("score", ">=", auto), ("origin", "=", "detection")]

    @api.model
    def _auto_merge(self, limit=500):
        """Merge the queued pairs at or above the automatic threshold, best first."""
        merged = 0
        for cand in self.search(self._auto_merge_domain(), limit=limit):
            pair = cand.partner_a_id | cand.partner_b_id
            if len(pair.filtered("active")) < 2:
                continue
            try:
                with self.env.cr.savepoint():
                    cand._merge_pair("automatic")
                merged += 1
            except UserError as exc:
                _logger.info("automatic merge of %s skipped: %s", cand.display_name, exc)
        return merged

    @api.model
    def _cron_detect_and_merge(self):
        """Nightly: find duplicates (one SQL pass), then merge the certain ones."""
        found = self._detect()
        self.env["ir.cron"]._notify_progress(done=1, remaining=1)
        merged = self._auto_merge()
        self.env["ir.cron"]._notify_progress(done=2, remaining=0)
        return found, merged

    # ------------------------------------------------------------------
    # Scan on demand (background job)
    # ------------------------------------------------------------------
    @api.model
    def _check_scan_rights(self):
        if not (self.env.user.has_group("hotel_crm.group_hotel_guest_relations")
                or self.env.user.has_group("hotel_crm.group_hotel_manager")
                or self.env.su):
            raise AccessError(self.env._(
                "Only Guest Relations and Managers can scan for duplicate guests."))

    @api.model
    def action_scan_duplicates(self):
        """Find duplicate guests now rather than tonight: the nightly job's detection and
        automatic merges, as a background job of the current user."""
        self._check_scan_rights()
        self.env.cr.execute(SQL("SELECT pg_advisory_xact_lock(%s)", SCAN_LOCK_KEY))
        # sudo: a scan another user started (a job this user cannot read) blocks this one too
        running = self.env["hotel.job"].sudo().search(
            [("res_model", "=", self._name), ("method", "=", SCAN_METHOD),
             ("state", "in", RUNNABLE)], limit=1)
        if running:
            raise UserError(self.env._(
                "%(job)s, started by %(user)s, is still queued or running: wait for it to end.",
                job=running.name, user=running.user_id.name))
        job = self.env["hotel.job"]._enqueue(
            self.browse(), SCAN_METHOD, self.env._("Scan for duplicate guests"), total=1,
            payload={"step": "detect", "found": 0, "merged": 0})
        # what the job form shows until the first batch ends
        job._progress(stage=self.env._("Finding possible duplicates"))
        return job.action_open()

    @api.model
    def _hotel_job_scan_duplicates(self, job):
        """One batch of the duplicate scan: the detection (one SQL pass over every guest),
        then the automatic merges, AUTO_MERGE_BATCH pairs a batch, until a batch merges
        nothing (what is left is for a person to review). Progress counts the detection as
        one step and each pair to merge automatically as one."""
        self._check_scan_rights()
        payload = dict(job.payload)
        if payload["step"] == "detect":
            payload.update(step="merge", found=self._detect())
            job._progress(done=1, total=1 + self.search_count(self._auto_merge_domain()),
                          stage=self.env._("Merging certain duplicates"), payload=payload)
            return False
        merged = self._auto_merge(limit=AUTO_MERGE_BATCH)
        payload["merged"] += merged
        done = job.done + merged
        if merged:
            job._progress(done=done, total=done + self.search_count(self._auto_merge_domain()),
                          payload=payload)
            return False
        # the pairs still above the threshold could not be merged (a guest archived, a merge
        # refused): they wait in the review queue with the others
        job._progress(done=done, total=done, payload=payload, stage=self.env._(
            "Found %(found)s possible duplicate pairs, merged %(merged)s certain duplicates; "
            "the others wait in Possible Duplicates.",
            found=payload["found"], merged=payload["merged"]))
        return True
