from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from odoo.addons.hotel_crm.models.res_partner_privacy import phone_key, suppression_hash
from odoo.addons.hotel_crm.tools import nightly
from odoo.addons.hotel_crm.tools.nightly import NightlyMark, run_in_chunks
from odoo.addons.hotel_crm.tools.trusted import check_protected_fields

RFM_SEGMENTS = [
    ("champions", "Champions"),
    ("loyal", "Loyal"),
    ("new", "New"),
    ("promising", "Promising"),
    ("need_attention", "Need Attention"),
    ("at_risk", "At Risk"),
    ("hibernating", "Hibernating"),
    ("lost", "Lost"),
]

RFM_FIELDS = ("rfm_recency", "rfm_frequency", "rfm_monetary", "rfm_score", "rfm_segment")
# What the scores rank, per guest over the RFM window: kept so that a night recomputes them
# only for the guests whose stays changed or moved through the window (issue 18).
RFM_INPUTS = ("rfm_last_in", "rfm_stays", "rfm_spend")
# Guests written by one transaction of the scheduled RFM job (see _hotel_rfm_in_chunks).
RFM_CHUNK = 2_000

# Counted stays for the portrait: the guest actually came.
RFM_STATES = ("in_house", "checked_out")

# Set by the addon itself (RFM in SQL, holdout drawn by the mailing): never by a user.
PROTECTED_PARTNER_FIELDS = (*RFM_FIELDS, *RFM_INPUTS, "hotel_holdout_mailing_ids")


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Searchable figures for ad-hoc segments (M1): relative to today, so a saved mailing
    # filter such as "last stay over 365 days ago" stays true over time.
    days_since_last_stay = fields.Integer(search="_search_days_since_last_stay")
    birthday_this_month = fields.Boolean(
        compute="_compute_birthday_this_month", search="_search_birthday_this_month"
    )
    # Customer portrait (G10), written by _hotel_recompute_rfm in one SQL pass.
    rfm_recency = fields.Integer(string="RFM Recency", readonly=True, aggregator="avg")
    rfm_frequency = fields.Integer(string="RFM Frequency", readonly=True, aggregator="avg")
    rfm_monetary = fields.Integer(string="RFM Monetary", readonly=True, aggregator="avg")
    rfm_score = fields.Char(string="RFM Score", readonly=True, index=True)
    rfm_segment = fields.Selection(RFM_SEGMENTS, string="RFM Segment", readonly=True, index=True)
    rfm_last_in = fields.Date(string="RFM Last Check-in", readonly=True, copy=False)
    rfm_stays = fields.Integer(string="RFM Stays in Window", readonly=True, copy=False)
    rfm_spend = fields.Float(string="RFM Spend in Window", digits=(16, 2), readonly=True,
                             copy=False)
    lifetime_value = fields.Monetary(
        related="total_spend", string="Lifetime Value", currency_field="figure_currency_id"
    )
    hotel_holdout_mailing_ids = fields.Many2many(
        "mailing.mailing",
        "hotel_marketing_holdout_rel",
        "partner_id",
        "mailing_id",
        string="Held Out Of",
        readonly=True,
        copy=False,
    )
    hotel_recommendation_text = fields.Char(
        string="Recommended for this Guest",
        compute="_compute_hotel_recommendation_text",
        help="Offers and services guests with a similar history took and this guest has not "
        "had yet; usable in mail templates as {{ object.hotel_recommendation_text }}.",
    )
    hotel_marketing_send_ids = fields.One2many(
        "hotel.marketing.send", "partner_id", string="Automated Mails",
        groups="hotel_crm.group_hotel_guest_relations,hotel_crm.group_hotel_marketing",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_protected_fields(self, PROTECTED_PARTNER_FIELDS, vals,
                                   "hotel_marketing.partner_figures")
        return super().create(vals_list)

    def write(self, vals):
        check_protected_fields(self, PROTECTED_PARTNER_FIELDS, vals,
                               "hotel_marketing.partner_figures")
        return super().write(vals)

    # ------------------------------------------------------------------
    # The marketing gate (M5), by address: whatever the mailing's recipients model
    # ------------------------------------------------------------------
    @api.model
    def _hotel_blocked_emails(self, emails):
        """{normalised e-mail: reason} for those of ``emails`` no marketing mail may reach.

        An address is blocked when it is on Odoo's blacklist, at an OTA relay domain, on the
        suppression list of erased guests (unless a guest holding it granted consent again
        after the erasure), or held by a partner who withdrew e-mail consent, by a guest who
        never granted it, or by an anonymised guest. Addresses no partner holds (a mailing
        list's own subscribers) pass when none of the address rules block them.
        """
        emails = {e for e in emails if e}
        if not emails:
            return {}
        _ = self.env._
        blocked = {}
        # sudo: the gate reads every guest holding an address, whatever the sender may see
        partners = self.sudo().with_context(active_test=False).search_fetch(
            [("email_normalized", "in", list(emails))],
            ["email_normalized", "is_guest", "is_anonymised", "email_consent",
             "email_consent_date"],
        )
        by_email = {}
        for partner in partners:
            by_email.setdefault(partner.email_normalized, []).append(partner)
        for email in emails:
            for partner in by_email.get(email, []):
                if partner.is_anonymised:
                    blocked[email] = _("Anonymised guest")
                elif partner.email_consent == "withdrawn":
                    blocked[email] = _("E-mail consent withdrawn")
                elif partner.is_guest and not partner.email_consent:
                    blocked.setdefault(email, _("No e-mail consent"))
        # sudo: the suppression list is hashes no user reads; it is only matched
        hashes = {suppression_hash("email", e): e for e in emails}
        for row in self.env["hotel.privacy.suppression"].sudo().search(
            [("channel", "=", "email"), ("value_hash", "in", list(hashes))]
        ):
            email = hashes[row.value_hash]
            regranted = any(
                p.email_consent == "granted" and p.email_consent_date
                and p.email_consent_date > row.date
                for p in by_email.get(email, [])
            )
            if not regranted:
                blocked[email] = _("Address of an erased guest")
        # sudo: relay domains are configuration every sender's mailing needs
        relays = self.env["hotel.booking.channel"].sudo()._relay_domains()
        for email in emails:
            domain = email.rpartition("@")[2]
            if any(domain == d or domain.endswith("." + d) for d in relays):
                blocked[email] = _("OTA relay address")
        # sudo: the blacklist is matched, not shown
        for email in self.env["mail.blacklist"].sudo().search(
            [("email", "in", list(emails))]
        ).mapped("email"):
            blocked[email] = _("Blacklisted address")
        return blocked

    @api.model
    def _hotel_blocked_numbers(self, numbers):
        """{number: reason} for those of ``numbers`` (as Odoo's SMS composer sanitised them)
        no marketing text may reach: the same rules as ``_hotel_blocked_emails`` on SMS
        consent and Odoo's phone blacklist; a number is matched with a guest's mobile or
        phone in whatever format it was typed."""
        numbers = {n for n in numbers if n}
        if not numbers:
            return {}
        _ = self.env._
        blocked = {}
        by_number = self._hotel_partners_by_number(numbers)
        for number in numbers:
            for partner in by_number.get(number, []):
                if partner.is_anonymised:
                    blocked[number] = _("Anonymised guest")
                elif partner.sms_consent == "withdrawn":
                    blocked[number] = _("SMS consent withdrawn")
                elif partner.is_guest and not partner.sms_consent:
                    blocked.setdefault(number, _("No SMS consent"))
        hashes = {}
        for number in numbers:
            hashes[suppression_hash("sms", number)] = number
        # sudo: the suppression list is hashes no user reads; it is only matched
        for row in self.env["hotel.privacy.suppression"].sudo().search(
            [("channel", "=", "sms"), ("value_hash", "in", list(hashes))]
        ):
            number = hashes[row.value_hash]
            regranted = any(
                p.sms_consent == "granted" and p.sms_consent_date
                and p.sms_consent_date > row.date
                for p in by_number.get(number, [])
            )
            if not regranted:
                blocked[number] = _("Number of an erased guest")
        if "phone.blacklist" in self.env:
            # sudo: the blacklist is matched, not shown
            for number in self.env["phone.blacklist"].sudo().search(
                [("number", "in", list(numbers))]
            ).mapped("number"):
                blocked[number] = _("Blacklisted number")
        return blocked

    @api.model
    def _hotel_partners_by_number(self, numbers):
        """{number: partners (sudo, archived included) whose mobile or phone, in whatever
        format it was typed, is that number} for ``numbers`` as Odoo's SMS composer
        sanitised them."""
        numbers = {n for n in numbers if n}
        if not numbers:
            return {}
        keys = {}
        for number in numbers:
            keys.setdefault(phone_key(number), set()).add(number)
        suffixes = list({key[-8:] for key in keys if key})
        sanitized = "phone_sanitized" in self._fields  # with Odoo's SMS
        self.flush_model(["mobile", "phone", *(["phone_sanitized"] if sanitized else [])])
        self.env.cr.execute(SQL(
            """
            SELECT id FROM res_partner
             WHERE RIGHT(REGEXP_REPLACE(COALESCE(mobile, ''), '[^0-9]', '', 'g'), 8)
                   = ANY(%(suffixes)s)
                OR RIGHT(REGEXP_REPLACE(COALESCE(phone, ''), '[^0-9]', '', 'g'), 8)
                   = ANY(%(suffixes)s)
                %(sanitized)s
            """,
            suffixes=suffixes,
            sanitized=SQL("OR phone_sanitized = ANY(%s)", list(numbers)) if sanitized
            else SQL(""),
        ))
        # sudo: the gate reads every partner holding a number, whatever the sender may see
        partners = self.sudo().with_context(active_test=False).browse(
            [row[0] for row in self.env.cr.fetchall()])
        by_number = {}
        for partner in partners:
            held = set()
            if sanitized and partner.phone_sanitized in numbers:
                held.add(partner.phone_sanitized)
            for value in (partner.mobile, partner.phone):
                if value:
                    held |= keys.get(phone_key(value), set())
            for number in held:
                by_number[number] = by_number.get(number, partners.browse()) | partner
        return by_number

    @api.model
    def _hotel_partners_by_email(self, emails):
        """{normalised e-mail: partners holding it (sudo, archived included)}."""
        emails = [e for e in emails if e]
        if not emails:
            return {}
        # sudo: the gate reads every partner holding an address, whatever the sender may see
        partners = self.sudo().with_context(active_test=False).search_fetch(
            [("email_normalized", "in", emails)], ["email_normalized", "is_guest"])
        return {email: partners.filtered(lambda p, e=email: p.email_normalized == e)
                for email in set(partners.mapped("email_normalized"))}

    def _search_is_blacklisted(self, operator, value):
        """Same set as Odoo's, cheaper at scale for "not blacklisted".

        Odoo finds the partners *not* on the blacklist with an anti-join over every partner;
        testing each candidate's address against the (short) blacklist selects exactly the
        same partners (an address-less partner is not blacklisted) and keeps a consent-safe
        segment over a large guest base close to its plain SQL.
        """
        if operator in ("=", "!=") and isinstance(value, bool) and (operator == "=") != value:
            self.flush_model(["email_normalized"])
            self.env["mail.blacklist"].flush_model(["email", "active"])
            return [
                "|",
                ("email_normalized", "=", False),
                (
                    "email_normalized",
                    "not in",
                    SQL("(SELECT bl.email FROM mail_blacklist bl WHERE bl.active)"),
                ),
            ]
        return super()._search_is_blacklisted(operator, value)

    def _search_days_since_last_stay(self, operator, value):
        if operator not in ("=", "!=", "<", "<=", ">", ">=") or not isinstance(value, int):
            raise UserError(self.env._("Days since last stay is compared with a whole number."))
        today = fields.Date.context_today(self)
        # More days since the last stay means an earlier last stay date: flip the operator.
        flipped = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!="}[operator]
        domain = [("last_stay_date", flipped, today - relativedelta(days=value))]
        if operator in (">", ">=", "!="):
            # A guest without a stay is not "recent": keep them out of "over N days" too,
            # a dormancy segment is about guests who came once.
            domain = [("last_stay_date", "!=", False), *domain]
        return domain

    def _compute_hotel_recommendation_text(self):
        Recommendation = self.env["hotel.recommendation"]
        for partner in self:
            keys = (
                Recommendation._hotel_recommend(partner.id)
                if partner.is_guest and isinstance(partner.id, int)
                else []
            )
            labels = Recommendation._hotel_item_labels(keys)
            partner.hotel_recommendation_text = ", ".join(labels[k] for k in keys)

    def _compute_birthday_this_month(self):
        month = fields.Date.context_today(self).month
        for partner in self:
            partner.birthday_this_month = partner.birthday_month == month

    def _search_birthday_this_month(self, operator, value):
        if operator not in ("=", "!="):
            raise UserError(self.env._("Birthday this month can only be true or false."))
        month = fields.Date.context_today(self).month
        positive = (operator == "=") == bool(value)
        return [("birthday_month", "=" if positive else "!=", month)]

    # ------------------------------------------------------------------
    # RFM (G10)
    # ------------------------------------------------------------------
    @api.model
    def _hotel_rfm_window_months(self):
        # sudo: system parameters are readable by administrators only; this one is not secret
        value = self.env["ir.config_parameter"].sudo().get_param(
            "hotel_marketing.rfm_window_months", "24"
        )
        try:
            months = int(value)
        except ValueError:
            months = 0
        if months <= 0:
            raise UserError(
                self.env._("The RFM window (hotel_marketing.rfm_window_months) must be a "
                           "positive number of months.")
            )
        return months

    @api.model
    def _hotel_rfm_inputs_sql(self, today, months, partner_ids=None):
        """One UPDATE storing, for the given guests (all when None), what the scores rank:
        last check-in, stays and spend of their counted stays in the rolling window."""
        since = today - relativedelta(months=months)
        only = SQL("AND g.id = ANY(%s)", list(partner_ids)) if partner_ids is not None \
            else SQL("")
        only_stays = SQL("AND s.partner_id = ANY(%s)", list(partner_ids)) \
            if partner_ids is not None else SQL("")
        return SQL(
            """
            WITH w AS (
                SELECT s.partner_id,
                       MAX(s.check_in) AS last_in,
                       COUNT(*) AS freq,
                       SUM(s.amount_company) AS spend
                  FROM hotel_stay s
                 WHERE s.state IN %(states)s AND s.check_in >= %(since)s
                   AND s.check_in <= %(today)s %(only_stays)s
                 GROUP BY s.partner_id
            ), inputs AS (
                SELECT g.id, w.last_in, COALESCE(w.freq, 0) AS freq,
                       COALESCE(w.spend, 0) AS spend
                  FROM res_partner g LEFT JOIN w ON w.partner_id = g.id
                 WHERE g.is_guest %(only)s
            )
            UPDATE res_partner p
               SET rfm_last_in = inputs.last_in, rfm_stays = inputs.freq,
                   rfm_spend = inputs.spend
              FROM inputs
             WHERE p.id = inputs.id
               AND (p.rfm_last_in, p.rfm_stays, p.rfm_spend)
                   IS DISTINCT FROM (inputs.last_in, inputs.freq, inputs.spend)
            """,
            states=RFM_STATES, since=since, today=today, only=only, only_stays=only_stays,
        )

    @api.model
    def _hotel_rfm_sql(self):
        """One UPDATE that scores every guest from the stored inputs (_hotel_rfm_inputs_sql).

        Scores are quintiles over the guests with a counted stay in the rolling window:
        ``CEIL(5 * CUME_DIST())`` so that equal values share a score (``NTILE`` would split
        guests with the same number of stays across buckets). Recency ranks the most recent
        last stay highest. Guests whose stays are all older than the window are ``lost``;
        guests without any stay carry no score. A score depends on every other guest's
        inputs: the ranking is over all guests, but only the guests whose score changed are
        written.
        """
        return SQL(
            """
            WITH scored AS (%(scored)s)
            UPDATE res_partner p
               SET rfm_recency = scored.r, rfm_frequency = scored.f,
                   rfm_monetary = scored.m, rfm_score = scored.score,
                   rfm_segment = scored.segment
              FROM scored
             WHERE p.id = scored.id
               AND (p.rfm_recency, p.rfm_frequency, p.rfm_monetary, p.rfm_score, p.rfm_segment)
                   IS DISTINCT FROM
                   (scored.r, scored.f, scored.m, scored.score, scored.segment)
            """,
            scored=self._hotel_rfm_scored_sql(),
        )

    @api.model
    def _hotel_rfm_scored_sql(self):
        """The scores of every guest (id, r, f, m, score, segment) from the stored inputs."""
        return SQL(
            """
            WITH q AS (
                SELECT id AS partner_id, rfm_stays AS freq,
                       CEIL(5 * CUME_DIST() OVER (ORDER BY rfm_last_in))::int AS r,
                       CEIL(5 * CUME_DIST() OVER (ORDER BY rfm_stays))::int AS f,
                       CEIL(5 * CUME_DIST() OVER (ORDER BY rfm_spend))::int AS m
                  FROM res_partner
                 WHERE is_guest AND rfm_stays > 0
            ), scored AS (
                SELECT g.id,
                       q.r, q.f, q.m,
                       CASE WHEN q.partner_id IS NULL THEN NULL
                            ELSE q.r::text || q.f::text || q.m::text END AS score,
                       CASE
                           WHEN q.partner_id IS NULL AND g.last_stay_date IS NOT NULL
                               THEN 'lost'
                           WHEN q.partner_id IS NULL THEN NULL
                           WHEN q.r >= 4 AND g.stay_count <= 1 THEN 'new'
                           WHEN q.r >= 4 AND q.f >= 4 AND q.m >= 4 THEN 'champions'
                           WHEN q.r >= 3 AND q.f >= 4 THEN 'loyal'
                           WHEN q.r >= 4 THEN 'promising'
                           WHEN q.r <= 2 AND q.f >= 4 THEN 'at_risk'
                           WHEN q.r <= 2 THEN 'hibernating'
                           ELSE 'need_attention'
                       END AS segment
                  FROM res_partner g
                  LEFT JOIN q ON q.partner_id = g.id
                 WHERE g.is_guest
            )
            SELECT * FROM scored
            """
        )

    @api.model
    def _hotel_recompute_rfm(self, today=None, partner_ids=None, commit=False):
        """Score every guest; the inputs of the given guests only (all when None) are
        computed again from their stays first. Returns the number of guests whose scores
        changed. With ``commit`` (the scheduled job), the rows are written in chunks that
        each commit (see _hotel_rfm_in_chunks)."""
        today = today or fields.Date.context_today(self)
        months = self._hotel_rfm_window_months()
        self.env["hotel.stay"].flush_model()
        self.flush_model(["is_guest", "last_stay_date", "stay_count"])
        if commit:
            return self._hotel_rfm_in_chunks(today, months, partner_ids)
        # the scheduled job writes in chunks that it runs again after a conflict (commit);
        # not an ERROR line of the server log
        self.env.cr.execute(self._hotel_rfm_inputs_sql(today, months, partner_ids),
                            log_exceptions=False)
        self.env.cr.execute(self._hotel_rfm_sql(), log_exceptions=False)
        changed = self.env.cr.rowcount
        self.invalidate_model([*RFM_FIELDS, *RFM_INPUTS])
        return changed

    @api.model
    def _hotel_rfm_in_chunks(self, today, months, partner_ids):
        """The scheduled job's writes, RFM_CHUNK guests at a time, each chunk its own short
        transaction (run_in_chunks): one statement over every guest would meet the guests
        that staff and imports change meanwhile (Odoo's REPEATABLE READ refuses to write a
        row changed after the statement's snapshot), again at each retry while an import
        runs. The scores are ranked once, over every guest, into a temporary table."""
        cr = self.env.cr
        if partner_ids is None:
            cr.execute(SQL("SELECT id FROM res_partner WHERE is_guest"))
            partner_ids = [row[0] for row in cr.fetchall()]

        def inputs(chunk):
            cr.execute(self._hotel_rfm_inputs_sql(today, months, chunk), log_exceptions=False)

        run_in_chunks(self.env, partner_ids, inputs, RFM_CHUNK)
        cr.execute(SQL(
            "DROP TABLE IF EXISTS hotel_rfm_scored; "
            "CREATE TEMP TABLE hotel_rfm_scored AS %s", self._hotel_rfm_scored_sql()))
        cr.execute(SQL("SELECT id FROM hotel_rfm_scored"))
        scored_ids = [row[0] for row in cr.fetchall()]
        nightly.commit(self.env)  # the temporary table outlives the chunks' rollbacks

        def scores(chunk):
            cr.execute(SQL(
                """
                UPDATE res_partner p
                   SET rfm_recency = s.r, rfm_frequency = s.f, rfm_monetary = s.m,
                       rfm_score = s.score, rfm_segment = s.segment
                  FROM hotel_rfm_scored s
                 WHERE p.id = s.id AND s.id = ANY(%s)
                   AND (p.rfm_recency, p.rfm_frequency, p.rfm_monetary, p.rfm_score,
                        p.rfm_segment)
                       IS DISTINCT FROM (s.r, s.f, s.m, s.score, s.segment)
                """, chunk), log_exceptions=False)
            return cr.rowcount

        changed = run_in_chunks(self.env, scored_ids, scores, RFM_CHUNK)
        cr.execute(SQL("DROP TABLE IF EXISTS hotel_rfm_scored"))
        self.invalidate_model([*RFM_FIELDS, *RFM_INPUTS])
        return changed

    @api.model
    def _hotel_rfm_nightly_ids(self, mark, today, months):
        """Guests whose RFM inputs may differ from those stored at ``mark``: their stays or
        profile written since, or a stay of theirs whose check-in left the window or was
        reached between the mark's day and ``today``."""
        self.env.flush_all()
        self.env.cr.execute(SQL(
            """
            SELECT partner_id FROM hotel_stay WHERE write_date >= %(since)s
             UNION
            SELECT partner_id FROM hotel_stay
             WHERE check_in >= %(left_from)s AND check_in < %(left_to)s
             UNION
            SELECT partner_id FROM hotel_stay
             WHERE check_in > %(day)s AND check_in <= %(today)s
             UNION
            SELECT id FROM res_partner WHERE is_guest AND write_date >= %(since)s
            """,
            since=mark.since, day=mark.day, today=today,
            left_from=mark.day - relativedelta(months=months),
            left_to=today - relativedelta(months=months),
        ))
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _hotel_nightly_rfm(self, today=None, commit=False):
        """The nightly RFM job: the inputs of the guests whose stays changed or moved
        through the window since the last run (of every guest on the first run, or after
        the window's length changed), then the ranking of all guests."""
        today = today or fields.Date.context_today(self)
        months = self._hotel_rfm_window_months()
        mark = NightlyMark(self.env, "rfm")
        ids = None
        if not mark.full and mark.extra.get("months") == months:
            ids = self._hotel_rfm_nightly_ids(mark, today, months)
        # the mark of this run is kept only once the run has ended (with commit, at the end)
        changed = self._hotel_recompute_rfm(today=today, partner_ids=ids, commit=commit)
        mark.save(today, months=months)
        return changed

    @api.model
    def _cron_hotel_recompute_rfm(self):
        changed = self._hotel_nightly_rfm(commit=True)
        self.env["ir.cron"]._notify_progress(done=1, remaining=0)
        return changed

    def action_hotel_recompute_rfm(self):
        """Recompute every guest's portrait now (marketing and managers only: it rewrites
        the whole guest base)."""
        if not (self.env.user.has_group("hotel_crm.group_hotel_marketing")
                or self.env.user.has_group("hotel_crm.group_hotel_manager")):
            raise AccessError(self.env._("Only marketing and hotel managers recompute the "
                                         "RFM portrait."))
        self._hotel_recompute_rfm()
        return True
