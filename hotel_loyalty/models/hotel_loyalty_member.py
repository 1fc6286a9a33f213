import math

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL, float_round, format_amount

from odoo.addons.hotel_crm.tools.nightly import NightlyMark, run_in_chunks
from odoo.addons.hotel_crm.tools.trusted import check_protected_fields, trusted

# Granted by ``trusted()`` to the programme's own code that sets a member's derived fields.
MEMBER_FIGURES = "hotel_loyalty.member_figures"
# Members evaluated by one transaction of the scheduled tier job: small enough that a chunk
# holding a member being redeemed right now is done again in a fraction of a second.
TIER_CHUNK = 2_000


class HotelLoyaltyMember(models.Model):
    _name = "hotel.loyalty.member"
    _description = "Loyalty Member"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "member_number desc"
    _rec_names_search = ["member_number", "partner_id"]

    partner_id = fields.Many2one(
        "res.partner", string="Guest", required=True, ondelete="restrict", index=True,
        domain=[("is_company", "=", False)], tracking=True,
    )
    member_number = fields.Char(
        readonly=True, copy=False, index=True, default="/"
    )
    join_date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    company_id = fields.Many2one(
        "res.company", string="Home Property", required=True, index=True,
        default=lambda self: self.env.company, tracking=True,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    active = fields.Boolean(default=True)
    tier_id = fields.Many2one(
        "hotel.loyalty.tier", index=True, readonly=True, tracking=True
    )
    tier_color = fields.Integer(related="tier_id.color")
    tier_since = fields.Date(readonly=True)
    tier_valid_until = fields.Date(
        readonly=True,
        help="End of the evaluation period; a downgrade can only happen after this date "
        "plus the grace period.",
    )
    benefit_ids = fields.Many2many(related="tier_id.benefit_ids", string="Benefits")
    points_balance = fields.Integer(
        readonly=True, default=0, aggregator="sum",
        help="Sum of all ledger lines.",
    )
    points_available = fields.Integer(
        compute="_compute_points_available",
        help="Points that can be redeemed today (points past their expiry date are excluded "
        "even before the nightly expiry job records them).",
    )
    window_spend = fields.Monetary(
        string="Spend in Window", readonly=True, default=0.0,
        help="Spend of the evaluation window used for the tier.",
    )
    window_stays = fields.Integer(string="Stays in Window", readonly=True, default=0)
    next_tier_id = fields.Many2one(
        "hotel.loyalty.tier", compute="_compute_next_tier"
    )
    next_tier_gap = fields.Char(compute="_compute_next_tier", string="To Reach the Next Tier")
    ledger_ids = fields.One2many("hotel.loyalty.ledger", "member_id", string="Points History")
    tier_history_ids = fields.One2many(
        "hotel.loyalty.tier.history", "member_id"
    )
    last_birthday_bonus_year = fields.Integer(readonly=True, copy=False)

    _sql_constraints = [
        ("partner_unique", "unique(partner_id)", "This guest is already a member."),
        ("balance_check", "CHECK(points_balance >= 0)", "A points balance cannot be negative."),
    ]

    @api.depends("points_balance")
    def _compute_points_available(self):
        today = fields.Date.context_today(self)
        Ledger = self.env["hotel.loyalty.ledger"]
        for member in self:
            member.points_available = (
                Ledger._available(member.id, today) if isinstance(member.id, int) else 0
            )

    @api.depends("tier_id", "window_spend", "window_stays", "currency_id")
    def _compute_next_tier(self):
        # ranked as the tier evaluation ranks them: active tiers by (sequence, id)
        tiers = self.env["hotel.loyalty.tier"].search([], order="sequence, id")
        for member in self:
            if member.tier_id in tiers:
                nxt = tiers[list(tiers).index(member.tier_id) + 1:][:1]
            else:
                nxt = tiers[:1]
            member.next_tier_id = nxt
            member.next_tier_gap = member._gap_text(nxt) if nxt else False

    def _next_tier_needs(self, tier):
        """(stays, amount) the member still needs for `tier`, compared exactly as the tier
        evaluation compares (``>`` for a strict tier, ``>=`` otherwise): the fewest more
        stays, and the smallest amount in the currency's smallest unit, that qualify on
        their own; 0 when that part already qualifies."""
        self.ensure_one()
        strict = tier.threshold_strict
        stays = max(tier.stay_threshold + (1 if strict else 0) - self.window_stays, 0)
        rounding = self.currency_id.rounding or 0.01
        units = float_round((tier.spend_threshold - self.window_spend) / rounding,
                            precision_digits=6)
        # strictly above: one unit more than the gap; from the threshold: the gap itself
        units = math.floor(units) + 1 if strict else math.ceil(units)
        amount = float_round(max(units, 0) * rounding, precision_rounding=rounding)
        return stays, amount

    def _gap_text(self, tier):
        """What is missing for `tier`, e.g. "3 more stays or ¥2,400.00"."""
        self.ensure_one()
        stays, spend = self._next_tier_needs(tier)
        amount = format_amount(self.env, spend, self.currency_id)
        if tier.qualify_rule == "and":
            if not stays:
                return self.env._("%(amount)s more spend", amount=amount)
            if not spend:
                return self.env._("%(stays)s more stays", stays=stays)
            return self.env._("%(stays)s more stays and %(amount)s", stays=stays, amount=amount)
        return self.env._("%(stays)s more stays or %(amount)s", stays=stays, amount=amount)

    @api.depends("member_number", "partner_id")
    def _compute_display_name(self):
        for member in self:
            member.display_name = f"{member.partner_id.name or ''} ({member.member_number or ''})"

    @api.model_create_multi
    def create(self, vals_list):
        today = fields.Date.context_today(self)
        for vals in vals_list:
            if vals.get("member_number") == "/":
                del vals["member_number"]
            join_date = vals.pop("join_date", None)
            check_protected_fields(self, self._SYSTEM_FIELDS, vals, MEMBER_FIGURES)
            if join_date and fields.Date.to_date(join_date) != today:
                # a back-dated membership would earn on old invoices when they move again
                check_protected_fields(self, ["join_date"], {"join_date": join_date},
                                       MEMBER_FIGURES)
            vals["join_date"] = join_date or today
            if vals.get("company_id"):
                self._check_home_property(vals["company_id"])
            if not vals.get("member_number"):
                vals["member_number"] = self.env["ir.sequence"].next_by_code(
                    "hotel.loyalty.member"
                )
        members = super().create(vals_list)
        members.partner_id.filtered(lambda p: not p.is_guest).write({"is_guest": True})
        entry = self.env["hotel.loyalty.tier"].search([], limit=1)
        for member in members:
            member._change_tier(entry, "initial", self.env._("Enrolment"), member.join_date)
        members._evaluate_tiers(allow_downgrade=False)
        return members

    # Derived from the ledger, the stays and the tier evaluation, or numbered by the
    # programme: written only by the programme's own code (inside ``trusted()``), never
    # through the API, whatever the context says (L3, S4).
    _SYSTEM_FIELDS = (
        "tier_id", "tier_since", "tier_valid_until", "points_balance", "window_spend",
        "window_stays", "last_birthday_bonus_year", "member_number", "join_date",
    )

    def _check_home_property(self, company_id):
        """A user enrols members at, or moves them to, only the properties they work at."""
        if not self.env.su and company_id not in self.env.user.company_ids.ids:
            raise AccessError(
                self.env._("A member's home property must be one of your properties.")
            )

    def write(self, vals):
        check_protected_fields(self, self._SYSTEM_FIELDS, vals, MEMBER_FIGURES)
        if "company_id" in vals:
            self._check_home_property(vals["company_id"])
        if "partner_id" in vals and any(m.partner_id.id != vals["partner_id"] for m in self):
            # the tier, points and history belong to the guest who earned them
            check_protected_fields(self, ["partner_id"], vals, MEMBER_FIGURES)
        return super().write(vals)

    # ------------------------------------------------------------------
    # Balance
    # ------------------------------------------------------------------
    def _refresh_balance(self):
        if not self:
            return
        self.env.cr.execute(
            SQL(
                """
                UPDATE hotel_loyalty_member m
                   SET points_balance = COALESCE(b.points, 0)
                  FROM (SELECT m2.id, SUM(l.points) AS points
                          FROM hotel_loyalty_member m2
                          LEFT JOIN hotel_loyalty_ledger l ON l.member_id = m2.id
                         WHERE m2.id = ANY(%s)
                         GROUP BY m2.id) b
                 WHERE m.id = b.id AND m.points_balance IS DISTINCT FROM COALESCE(b.points, 0)
                """,
                self.ids,
            )
        )
        self.invalidate_recordset(["points_balance", "points_available"])

    # ------------------------------------------------------------------
    # Tiers
    # ------------------------------------------------------------------
    def _change_tier(self, tier, kind, reason, on_date=None):
        self.ensure_one()
        on_date = on_date or fields.Date.context_today(self)
        program = self.env["hotel.loyalty.program"]._for_company(self.company_id)
        old = self.tier_id
        # sudo: the tier history is written by the programme, not by users
        self.env["hotel.loyalty.tier.history"].sudo().create({
            "member_id": self.id, "date": on_date, "old_tier_id": old.id,
            "new_tier_id": tier.id, "kind": kind, "reason": reason,
            "window_spend": self.window_spend, "window_stays": self.window_stays,
        })
        # sudo: tier fields are system fields (refused to users in write)
        with trusted(MEMBER_FIGURES):
            self.sudo().write({
                "tier_id": tier.id,
                "tier_since": on_date,
                "tier_valid_until": fields.Date.to_date(on_date)
                + relativedelta(months=program.window_months),
            })

    def _evaluate_tiers(self, allow_downgrade=True, today=None):
        """Evaluate these members now (ORM path used after an invoice or a checkout)."""
        self.env["hotel.loyalty.member"]._run_tier_evaluation(
            member_ids=self.ids, today=today, allow_downgrade=allow_downgrade
        )

    @api.model
    def _tier_evaluation_sql(self, today, member_ids=None):
        """SELECT per member: window figures, current tier and the tier the figures reach."""
        only = SQL("AND m.id = ANY(%s)", list(member_ids)) if member_ids is not None else SQL("")
        return SQL(
            """
            WITH program AS (
                SELECT c.id AS company_id,
                       COALESCE(p.window_months, 12) AS window_months,
                       COALESCE(p.grace_days, 30) AS grace_days,
                       COALESCE(p.downgrade_steps, 'one') AS downgrade_steps
                  FROM res_company c
                  LEFT JOIN hotel_loyalty_program p ON p.company_id = c.id
            ), figures AS (
                SELECT m.id AS member_id, m.tier_id, m.tier_valid_until, m.company_id,
                       pr.grace_days, pr.downgrade_steps, pr.window_months,
                       COALESCE(SUM(s.amount_company), 0) AS spend,
                       COUNT(s.id) AS stays
                  FROM hotel_loyalty_member m
                  JOIN program pr ON pr.company_id = m.company_id
                  LEFT JOIN hotel_stay s
                         ON s.partner_id = m.partner_id
                        AND s.state IN ('in_house', 'checked_out')
                        AND s.check_out >= (%(today)s::date
                                            - make_interval(months => pr.window_months))
                 WHERE m.active %(only)s
                 GROUP BY m.id, pr.grace_days, pr.downgrade_steps, pr.window_months
            ), tiers AS (
                SELECT id, sequence, spend_threshold, stay_threshold, qualify_rule,
                       COALESCE(threshold_strict, FALSE) AS strict,
                       ROW_NUMBER() OVER (ORDER BY sequence, id) AS rank
                  FROM hotel_loyalty_tier WHERE active
            )
            SELECT f.member_id, f.spend, f.stays, f.tier_id, cur.rank AS current_rank,
                   r.id AS reached_tier_id, r.rank AS reached_rank,
                   (f.tier_valid_until IS NULL
                    OR f.tier_valid_until + f.grace_days <= %(today)s::date) AS period_over,
                   f.downgrade_steps, f.window_months, below.id AS one_below_id
              FROM figures f
              LEFT JOIN tiers cur ON cur.id = f.tier_id
              LEFT JOIN tiers below ON below.rank = cur.rank - 1
              LEFT JOIN LATERAL (
                    SELECT t.id, t.rank FROM tiers t
                     WHERE CASE WHEN t.qualify_rule = 'and' THEN
                                (CASE WHEN t.strict THEN f.spend > t.spend_threshold
                                      ELSE f.spend >= t.spend_threshold END)
                            AND (CASE WHEN t.strict THEN f.stays > t.stay_threshold
                                      ELSE f.stays >= t.stay_threshold END)
                           ELSE
                                (CASE WHEN t.strict THEN f.spend > t.spend_threshold
                                      ELSE f.spend >= t.spend_threshold END)
                             OR (CASE WHEN t.strict THEN f.stays > t.stay_threshold
                                      ELSE f.stays >= t.stay_threshold END)
                           END
                     ORDER BY t.rank DESC LIMIT 1
              ) r ON TRUE
            """,
            today=today,
            only=only,
        )

    @api.model
    def _run_tier_evaluation(self, member_ids=None, today=None, allow_downgrade=True,
                             apply=True):
        """Evaluate tiers for the given members (all when None).

        Upgrades happen as soon as the window figures reach a higher tier; downgrades only
        once the evaluation period and its grace are over, one tier at a time unless the
        programme says otherwise; a member who still qualifies at the end of the period is
        renewed. With ``apply=False`` nothing is written and the planned changes are
        returned as (row, new tier id, kind) — the preview. With ``apply=True`` the whole
        evaluation is one SQL statement (figures, tiers and history lines written in bulk)
        and the number of tier changes is returned.
        """
        today = fields.Date.to_date(today or fields.Date.context_today(self))
        self.env.flush_all()
        decisions = SQL(
            """
            SELECT e.*,
                   CASE WHEN COALESCE(e.reached_rank, 0) > COALESCE(e.current_rank, 0)
                             THEN 'upgrade'
                        WHEN COALESCE(e.reached_rank, 0) < COALESCE(e.current_rank, 0)
                             AND %(down)s AND e.period_over THEN 'downgrade'
                        WHEN e.current_rank IS NOT NULL AND e.reached_rank = e.current_rank
                             AND e.period_over THEN 'renewal'
                   END AS kind,
                   CASE WHEN COALESCE(e.reached_rank, 0) > COALESCE(e.current_rank, 0)
                             THEN e.reached_tier_id
                        WHEN COALESCE(e.reached_rank, 0) < COALESCE(e.current_rank, 0)
                             THEN CASE WHEN e.downgrade_steps = 'one' THEN e.one_below_id
                                       ELSE e.reached_tier_id END
                        ELSE e.tier_id
                   END AS new_tier_id
              FROM (%(evaluation)s) e
            """,
            down=allow_downgrade,
            evaluation=self._tier_evaluation_sql(today, member_ids),
        )
        if not apply:
            self.env.cr.execute(SQL("SELECT * FROM (%s) d WHERE d.kind IS NOT NULL", decisions))
            return [(row, row["new_tier_id"], row["kind"])
                    for row in self.env.cr.dictfetchall()]
        self.env.cr.execute(SQL(
            """
            WITH d AS MATERIALIZED (%(decisions)s),
            hist AS (
                INSERT INTO hotel_loyalty_tier_history
                       (member_id, date, old_tier_id, new_tier_id, kind, reason, window_spend,
                        window_stays, create_uid, write_uid, create_date, write_date)
                SELECT d.member_id, %(today)s, d.tier_id, d.new_tier_id, d.kind,
                       CASE d.kind WHEN 'upgrade' THEN %(up_reason)s
                                   WHEN 'downgrade' THEN %(down_reason)s
                                   ELSE %(renew_reason)s END,
                       d.spend, d.stays, %(uid)s, %(uid)s, now() at time zone 'utc',
                       now() at time zone 'utc'
                  FROM d WHERE d.kind IS NOT NULL
                RETURNING 1
            ),
            upd AS (
                UPDATE hotel_loyalty_member m
                   SET window_spend = d.spend, window_stays = d.stays,
                       tier_id = CASE WHEN d.kind IS NULL THEN m.tier_id ELSE d.new_tier_id END,
                       tier_since = CASE WHEN d.kind IN ('upgrade', 'downgrade')
                                         THEN %(today)s ELSE m.tier_since END,
                       tier_valid_until = CASE WHEN d.kind IS NULL THEN m.tier_valid_until
                                               ELSE %(today)s::date
                                                    + make_interval(months => d.window_months)
                                          END
                  FROM d
                 WHERE m.id = d.member_id
                   AND (d.kind IS NOT NULL
                        OR (m.window_spend, m.window_stays) IS DISTINCT FROM (d.spend, d.stays))
                RETURNING 1
            )
            SELECT (SELECT COUNT(*) FROM hist), (SELECT COUNT(*) FROM upd)
            """,
            decisions=decisions,
            today=today,
            uid=self.env.uid,
            up_reason=self.env._("Qualified by spend or stays in the window"),
            down_reason=self.env._("Did not requalify by the end of the period and grace"),
            renew_reason=self.env._("Requalified at the end of the period"),
        ), log_exceptions=False)  # a conflict is retried by the caller, see retry_on_conflict
        changes, _updated = self.env.cr.fetchone()
        self.invalidate_model(["tier_id", "tier_since", "tier_valid_until", "window_spend",
                               "window_stays", "tier_history_ids"])
        self.env["hotel.loyalty.tier.history"].invalidate_model()
        return changes

    @api.model
    def _cron_evaluate_tiers(self, today=None):
        """Nightly: evaluate the members whose tier may change since the last run (every
        member on the first run, or when a tier or a programme was changed since)."""
        return self._nightly_tiers(today, commit=True)

    @api.model
    def _nightly_tiers(self, today=None, commit=False):
        """With ``commit`` (the scheduled job), members are evaluated TIER_CHUNK at a time,
        each chunk committed and run again after a conflict with a user (run_in_chunks)."""
        today = fields.Date.to_date(today or fields.Date.context_today(self))
        mark = NightlyMark(self.env, "tiers")
        ids = None
        if not mark.full and not self._tier_rules_changed_since(mark.since):
            ids = self._nightly_member_ids(mark, today)
        if not commit:
            changes = self._run_tier_evaluation(member_ids=ids, today=today) \
                if ids != [] else 0
        else:
            if ids is None:
                self.env.cr.execute(SQL("SELECT id FROM hotel_loyalty_member WHERE active"))
                ids = [row[0] for row in self.env.cr.fetchall()]
            changes = run_in_chunks(self.env, ids, lambda chunk: self._run_tier_evaluation(
                member_ids=chunk, today=today), TIER_CHUNK)
        mark.save(today)
        self.env["ir.cron"]._notify_progress(done=changes, remaining=0)
        return changes

    @api.model
    def _tier_rules_changed_since(self, since):
        """A tier or a programme (window, grace, downgrade steps) changed: every member's
        evaluation may differ."""
        self.env.flush_all()
        self.env.cr.execute(SQL(
            """
            SELECT EXISTS (SELECT 1 FROM hotel_loyalty_tier WHERE write_date >= %(since)s)
                OR EXISTS (SELECT 1 FROM hotel_loyalty_program WHERE write_date >= %(since)s)
            """, since=since))
        return self.env.cr.fetchone()[0]

    @api.model
    def _nightly_member_ids(self, mark, today):
        """Members whose evaluation may differ from what it was at ``mark``: the member or
        one of their stays was written since, one of their stays left the programme's
        window between the mark's day and ``today``, or their tier period (and its grace)
        is over."""
        self.env.flush_all()
        self.env.cr.execute(SQL(
            "SELECT COALESCE(MIN(window_months), 12), COALESCE(MAX(window_months), 12) "
            "FROM hotel_loyalty_program"))
        shortest, longest = self.env.cr.fetchone()
        shortest, longest = min(shortest, 12), max(longest, 12)  # a property without one: 12
        self.env.cr.execute(SQL(
            """
            WITH program AS (
                SELECT c.id AS company_id, COALESCE(p.window_months, 12) AS window_months,
                       COALESCE(p.grace_days, 30) AS grace_days
                  FROM res_company c
                  LEFT JOIN hotel_loyalty_program p ON p.company_id = c.id
            )
            SELECT m.id FROM hotel_loyalty_member m WHERE m.write_date >= %(since)s
             UNION
            SELECT m.id FROM hotel_stay s
              JOIN hotel_loyalty_member m ON m.partner_id = s.partner_id
             WHERE s.write_date >= %(since)s
             UNION
            SELECT m.id FROM hotel_stay s
              JOIN hotel_loyalty_member m ON m.partner_id = s.partner_id
              JOIN program pr ON pr.company_id = m.company_id
             WHERE s.check_out >= %(left_from)s AND s.check_out < %(left_to)s
               AND s.check_out >= %(day)s::date - make_interval(months => pr.window_months)
               AND s.check_out < %(today)s::date - make_interval(months => pr.window_months)
             UNION
            SELECT m.id FROM hotel_loyalty_member m
              JOIN program pr ON pr.company_id = m.company_id
             WHERE m.active AND m.tier_id IS NOT NULL
               AND (m.tier_valid_until IS NULL
                    OR m.tier_valid_until + pr.grace_days <= %(today)s::date)
            """,
            since=mark.since, day=mark.day, today=today,
            left_from=mark.day - relativedelta(months=longest),
            left_to=today - relativedelta(months=shortest),
        ))
        return [row[0] for row in self.env.cr.fetchall()]

    # ------------------------------------------------------------------
    # Member care
    # ------------------------------------------------------------------
    @api.model
    def _cron_birthday_bonus(self, today=None):
        """Birthday bonus once a year, on the birthday (or the first run after it)."""
        today = fields.Date.to_date(today or fields.Date.context_today(self))
        members = self.search([
            ("partner_id.birthday_month", "=", today.month),
            ("last_birthday_bonus_year", "!=", today.year),
        ])
        members = members.filtered(lambda m: m.partner_id.birthday.day <= today.day)
        vals_list = []
        for member in members:
            program = self.env["hotel.loyalty.program"]._for_company(member.company_id)
            if program.birthday_bonus > 0:
                vals_list.append({
                    "member_id": member.id, "kind": "bonus", "points": program.birthday_bonus,
                    "res_model": "hotel.loyalty.member.birthday",
                    "res_id": member.id * 10000 + today.year,
                    "source_name": self.env._("Birthday %(year)s", year=today.year),
                    "reason": self.env._("Birthday bonus"), "date": today,
                })
        self.env["hotel.loyalty.ledger"]._post_lines(vals_list)
        # sudo: system field recording the bonus year
        with trusted(MEMBER_FIGURES):
            members.sudo().write({"last_birthday_bonus_year": today.year})
        return members

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_redeem(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Redeem Points"),
            "res_model": "hotel.loyalty.redeem.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_member_id": self.id},
        }

    def action_adjust(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Adjust Points"),
            "res_model": "hotel.loyalty.adjust.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_member_id": self.id},
        }

    def action_evaluate_tier(self):
        """The form's button (front desk): evaluate these members now. Callable over RPC
        with any ids, so the role and the members' visibility are checked here."""
        if not self.env.user.has_group("hotel_crm.group_hotel_front_desk"):
            raise AccessError(self.env._("Only the front desk evaluates a member's tier."))
        self.check_access("write")
        # sudo: the evaluation writes figures, tiers and history for the members checked above
        self.sudo()._evaluate_tiers()
        return True

    def action_view_ledger(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "hotel_loyalty.hotel_loyalty_ledger_action"
        )
        action["domain"] = [("member_id", "=", self.id)]
        return action

    def _tier_on(self, day):
        """The tier the member held on `day` (from the tier history)."""
        self.ensure_one()
        # sudo: tier history read to price a past invoice
        change = self.env["hotel.loyalty.tier.history"].sudo().search(
            [("member_id", "=", self.id), ("date", "<=", day)], order="date desc, id desc",
            limit=1,
        )
        return change.new_tier_id if change else self.tier_id

    @api.model
    def _demo_enrol(self, company_ids):
        """Demo: enrol the guests with the most stays and give them a points history."""
        guests = self.env["res.partner"].search(
            [("is_guest", "=", True), ("stay_count", ">", 0)], order="stay_count desc, id",
            limit=60,
        )
        members = self.create([
            {"partner_id": guest.id, "company_id": company_ids[i % len(company_ids)],
             "join_date": guest.first_stay_date}
            for i, guest in enumerate(guests)
        ])
        Ledger = self.env["hotel.loyalty.ledger"]
        stays = self.env["hotel.stay"].search(
            [("partner_id", "in", guests.ids), ("state", "=", "checked_out")], order="check_out"
        )
        member_of = {m.partner_id.id: m for m in members}
        Ledger._post_lines([
            {"member_id": member_of[stay.partner_id.id].id, "kind": "earn",
             "points": math.floor(stay.amount_company), "base_amount": stay.amount_company,
             "date": stay.check_out, "company_id": stay.company_id.id,
             "res_model": "hotel.stay", "res_id": stay.id, "source_name": stay.booking_ref}
            for stay in stays if stay.amount_company >= 1
        ])
        Ledger._cron_expire_points()
        breakfast = self.env.ref("hotel_loyalty.reward_breakfast")
        for member in members[::4]:
            if member.points_available >= breakfast.points_cost:
                Ledger._post_lines([{
                    "member_id": member.id, "kind": "redeem", "points": -breakfast.points_cost,
                    "res_model": "hotel.loyalty.reward.demo", "res_id": member.id,
                    "source_name": breakfast.name,
                }])
        return members
