from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from odoo.addons.hotel_crm.tools.trusted import is_trusted, trusted

KINDS = [
    ("earn", "Earned"),
    ("bonus", "Bonus"),
    ("adjust", "Adjustment"),
    ("redeem", "Redeemed"),
    ("expire", "Expired"),
    ("reversal", "Reversal"),
]
# Kinds whose positive points can later be consumed (redeemed, expired, reversed).
CREDIT_KINDS = ("earn", "bonus", "adjust")
# Granted by ``trusted()`` to _post_lines only: the one way a ledger line is created.
LEDGER_POST = "hotel_loyalty.ledger_post"


class HotelLoyaltyLedger(models.Model):
    """Append-only points ledger.

    Lines are created only through :meth:`_post_lines`, which locks the member rows, keeps
    the balance from going negative and consumes the oldest points first. Lines are never
    written or deleted: a mistake is corrected by a new line.

    A source document has one line per kind and posting (``source_seq``): a document whose
    points move more than once (an invoice posted, reset to draft and posted again) gets a
    new line for each move, and recording the same move twice is refused by the key.
    """

    _name = "hotel.loyalty.ledger"
    _description = "Loyalty Points Ledger"
    _order = "date desc, id desc"

    member_id = fields.Many2one(
        "hotel.loyalty.member", required=True, index=True, ondelete="restrict", readonly=True
    )
    partner_id = fields.Many2one(
        related="member_id.partner_id", store=True, index=True, string="Guest"
    )
    company_id = fields.Many2one(
        "res.company", string="Property", required=True, index=True, readonly=True
    )
    date = fields.Date(required=True, index=True, readonly=True)
    kind = fields.Selection(KINDS, required=True, index=True, readonly=True)
    points = fields.Integer(required=True, readonly=True, aggregator="sum")
    remaining = fields.Integer(
        readonly=True, aggregator="sum",
        help="Points of this line not yet redeemed, expired or reversed.",
    )
    expiry_date = fields.Date(readonly=True, index=True)
    category = fields.Selection(
        [("room", "Rooms"), ("fb", "F&B"), ("other", "Other"), ("mixed", "Mixed")],
        readonly=True,
    )
    base_amount = fields.Monetary(
        string="Spend", readonly=True, currency_field="currency_id",
        help="Spend the points were computed from.",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    tier_id = fields.Many2one("hotel.loyalty.tier", readonly=True, string="Tier at the Time")
    multiplier = fields.Float(readonly=True, default=1.0)
    res_model = fields.Char(string="Source Model", readonly=True, index=True)
    res_id = fields.Many2oneReference(
        string="Source Record", model_field="res_model", readonly=True, index=True
    )
    source_seq = fields.Integer(
        string="Source Posting", required=True, default=0, readonly=True,
        help="Counts the times the points of the source document moved (an invoice posted, "
        "reset to draft, posted again).",
    )
    source_name = fields.Char(string="Source", readonly=True)
    reason = fields.Char(readonly=True)
    user_id = fields.Many2one(
        "res.users", string="Recorded By", readonly=True, default=lambda self: self.env.user
    )

    _sql_constraints = [
        (
            "source_unique",
            "unique(res_model, res_id, kind, source_seq)",
            "Points were already recorded for this document.",
        ),
        ("remaining_check", "CHECK(remaining >= 0)", "Remaining points cannot be negative."),
    ]

    def init(self):
        # rows inserted in bulk by SQL (expiry job, benchmarks) are a source's first posting
        self.env.cr.execute(
            "ALTER TABLE hotel_loyalty_ledger ALTER COLUMN source_seq SET DEFAULT 0"
        )

    @api.depends("kind", "points", "source_name")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for line in self:
            kind = kinds.get(line.kind, "")
            line.display_name = f"{kind} {line.points:+d} {line.source_name or ''}"

    # ------------------------------------------------------------------
    # Append-only
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        # Only _post_lines (which locks the member, checks the balance and consumes the
        # oldest points) creates lines: neither a context key nor sudo() opens this door.
        # sudo: sudo(False) drops superuser so that only the trusted() flag counts
        if not is_trusted(self.sudo(False).env, LEDGER_POST):
            raise AccessError(
                self.env._(
                    "Points are recorded by the programme (invoices, redemptions, "
                    "adjustments), not by hand. Use the member's buttons."
                )
            )
        return super().create(vals_list)

    # Append-only: refusing without calling super is the point of these overrides.
    def write(self, vals):  # pylint: disable=method-required-super
        raise UserError(
            self.env._(
                "Ledger lines cannot be changed. Record a correcting adjustment instead."
            )
        )

    def unlink(self):  # pylint: disable=method-required-super
        raise UserError(
            self.env._(
                "Ledger lines cannot be deleted. Record a correcting adjustment instead."
            )
        )

    # ------------------------------------------------------------------
    # Posting
    # ------------------------------------------------------------------
    @api.model
    def _lock_members(self, member_ids, nowait=False):
        """Lock the member rows (in id order, so that two jobs never deadlock).

        Odoo runs transactions in REPEATABLE READ: two redemptions that each read the sum and
        insert a line could otherwise overdraw the account (write skew). With ``nowait``
        (accounting documents, which never wait on points) a held lock raises
        ``LockNotAvailable`` at once instead of waiting.
        """
        if member_ids:
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM hotel_loyalty_member WHERE id = ANY(%s) "
                    "ORDER BY id FOR NO KEY UPDATE %s",
                    sorted(set(member_ids)),
                    SQL("NOWAIT") if nowait else SQL(""),
                ),
                # a lock not available at once (nowait, handled by the caller) or a member
                # changed since the transaction began (Odoo retries the request) is an
                # expected answer under contention: not an ERROR of the server log ("bad
                # query"), which hotels alert on
                log_exceptions=False,
            )

    @api.model
    def _available(self, member_id, on_date):
        """Points that can be spent: remaining points of lines not expired on `on_date`."""
        self.env.cr.execute(
            SQL(
                """
                SELECT COALESCE(SUM(remaining), 0) FROM hotel_loyalty_ledger
                 WHERE member_id = %s AND remaining > 0
                   AND (expiry_date IS NULL OR expiry_date >= %s)
                """,
                member_id,
                on_date,
            )
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _consume(self, member_id, points, on_date):
        """Take `points` from the member's oldest unexpired credit lines (FIFO), in SQL."""
        self.env.cr.execute(
            SQL(
                """
                WITH src AS (
                    SELECT id, remaining,
                           SUM(remaining) OVER (ORDER BY expiry_date NULLS LAST, date, id)
                               AS running
                      FROM hotel_loyalty_ledger
                     WHERE member_id = %(member)s AND remaining > 0
                       AND (expiry_date IS NULL OR expiry_date >= %(on_date)s)
                ), take AS (
                    SELECT id, LEAST(remaining, GREATEST(%(need)s - (running - remaining), 0))
                               AS used
                      FROM src
                )
                UPDATE hotel_loyalty_ledger l SET remaining = l.remaining - take.used
                  FROM take WHERE l.id = take.id AND take.used > 0
                """,
                member=member_id,
                on_date=on_date,
                need=points,
            )
        )

    @api.model
    def _post_lines(self, vals_list, allow_partial=False):
        """Record ledger lines; the only way points move.

        Each dict needs member_id, kind, points and may carry a source (res_model, res_id,
        source_seq). Lines whose source was already recorded for that kind and posting are
        skipped (no double earn). A debit larger than the available points is refused, or
        with `allow_partial` (reversals of points already spent) reduced to what is
        available; a debit reduced to nothing records no line.
        """
        # sudo: the only way points move; callers check their own rights first
        self = self.sudo()
        members = self.env["hotel.loyalty.member"].browse(v["member_id"] for v in vals_list)
        self._lock_members(members.ids)
        self.env.flush_all()
        lines = self.browse()
        today = fields.Date.context_today(self)
        for vals in vals_list:
            vals = dict(vals)
            member = self.env["hotel.loyalty.member"].browse(vals["member_id"])
            if vals.get("res_model") and vals.get("res_id") and self.search_count(
                [("res_model", "=", vals["res_model"]), ("res_id", "=", vals["res_id"]),
                 ("kind", "=", vals["kind"]), ("source_seq", "=", vals.get("source_seq", 0))],
                limit=1,
            ):
                continue
            on_date = vals.setdefault("date", today)
            vals.setdefault("company_id", member.company_id.id)
            points = int(vals["points"])
            if points > 0:
                program = self.env["hotel.loyalty.program"]._for_company(
                    self.env["res.company"].browse(vals["company_id"])
                )
                vals["remaining"] = points
                if vals["kind"] in CREDIT_KINDS and program.expiry_months and not vals.get(
                    "expiry_date"
                ):
                    vals["expiry_date"] = fields.Date.to_date(on_date) + relativedelta(
                        months=program.expiry_months
                    )
            elif points < 0:
                available = self._available(member.id, on_date)
                if -points > available:
                    if not allow_partial:
                        raise UserError(
                            self.env._(
                                "%(member)s has %(available)s points available; "
                                "%(needed)s are needed.",
                                member=member.display_name,
                                available=available,
                                needed=-points,
                            )
                        )
                    vals["reason"] = " ".join(filter(None, [vals.get("reason"), self.env._(
                        "(%(lost)s points had already been used)", lost=-points - available
                    )]))
                    points = vals["points"] = -available
                if not points:
                    continue
                self._consume(member.id, -points, on_date)
                vals["remaining"] = 0
            else:
                continue
            with trusted(LEDGER_POST):
                lines |= self.create([vals])
        self.invalidate_model(["remaining"])
        members._refresh_balance()
        return lines

    @api.model
    def _cron_expire_points(self, today=None):
        """Expire the remaining points of credit lines past their expiry date.

        One pass: lock the members concerned, insert one expire line per expired line (its
        source is the expired line, so a second run finds nothing to do), zero the remaining
        points and refresh the balances.
        """
        today = fields.Date.to_date(today or fields.Date.context_today(self))
        cr = self.env.cr
        self.env.flush_all()
        cr.execute(
            SQL(
                "SELECT DISTINCT member_id FROM hotel_loyalty_ledger "
                "WHERE remaining > 0 AND expiry_date < %s",
                today,
            )
        )
        member_ids = [row[0] for row in cr.fetchall()]
        if not member_ids:
            self.env["ir.cron"]._notify_progress(done=0, remaining=0)
            return 0
        self._lock_members(member_ids)
        cr.execute(
            SQL(
                """
                WITH expired AS (
                    UPDATE hotel_loyalty_ledger l SET remaining = 0
                      FROM hotel_loyalty_ledger old
                     WHERE old.id = l.id AND l.remaining > 0 AND l.expiry_date < %(today)s
                 RETURNING l.id, l.member_id, l.partner_id, l.company_id, old.remaining,
                           l.expiry_date
                )
                INSERT INTO hotel_loyalty_ledger
                       (member_id, partner_id, company_id, date, kind, points, remaining,
                        res_model, res_id, source_seq, source_name, reason, multiplier, user_id,
                        create_uid, write_uid, create_date, write_date)
                SELECT e.member_id, e.partner_id, e.company_id, %(today)s, 'expire',
                       -e.remaining, 0, 'hotel.loyalty.ledger', e.id, 0,
                       %(source)s || e.expiry_date, %(reason)s, 1, %(uid)s, %(uid)s, %(uid)s,
                       now() at time zone 'utc', now() at time zone 'utc'
                  FROM expired e
                ON CONFLICT (res_model, res_id, kind, source_seq) DO NOTHING
                """,
                today=today,
                uid=self.env.uid,
                source=self.env._("Expired on "),
                reason=self.env._("Points expiry"),
            )
        )
        count = cr.rowcount
        self.env["hotel.loyalty.member"].browse(member_ids)._refresh_balance()
        self.invalidate_model()
        self.env["ir.cron"]._notify_progress(done=count, remaining=0)
        return count
