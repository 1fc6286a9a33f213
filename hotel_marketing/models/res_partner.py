from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

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

# Counted stays for the portrait: the guest actually came.
RFM_STATES = ("in_house", "checked_out")


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
    def _hotel_rfm_sql(self, today, months):
        """One UPDATE that scores every guest.

        Scores are quintiles over the guests with a counted stay in the rolling window:
        ``CEIL(5 * CUME_DIST())`` so that equal values share a score (``NTILE`` would split
        guests with the same number of stays across buckets). Recency ranks the most recent
        last stay highest. Guests whose stays are all older than the window are ``lost``;
        guests without any stay carry no score.
        """
        since = today - relativedelta(months=months)
        return SQL(
            """
            WITH w AS (
                SELECT s.partner_id,
                       MAX(s.check_in) AS last_in,
                       COUNT(*) AS freq,
                       SUM(s.amount_company) AS spend
                  FROM hotel_stay s
                 WHERE s.state IN %(states)s AND s.check_in >= %(since)s
                   AND s.check_in <= %(today)s
                 GROUP BY s.partner_id
            ), q AS (
                SELECT partner_id, freq,
                       CEIL(5 * CUME_DIST() OVER (ORDER BY last_in))::int AS r,
                       CEIL(5 * CUME_DIST() OVER (ORDER BY freq))::int AS f,
                       CEIL(5 * CUME_DIST() OVER (ORDER BY spend))::int AS m
                  FROM w
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
            states=RFM_STATES,
            since=since,
            today=today,
        )

    @api.model
    def _hotel_recompute_rfm(self, today=None):
        """Score every guest in one statement; returns the number of guests that changed."""
        today = today or fields.Date.context_today(self)
        months = self._hotel_rfm_window_months()
        self.env["hotel.stay"].flush_model()
        self.flush_model(["is_guest", "last_stay_date"])
        self.env.cr.execute(self._hotel_rfm_sql(today, months))
        changed = self.env.cr.rowcount
        self.invalidate_model(list(RFM_FIELDS))
        return changed

    @api.model
    def _cron_hotel_recompute_rfm(self):
        changed = self._hotel_recompute_rfm()
        self.env["ir.cron"]._notify_progress(done=1, remaining=0)
        return changed

    def action_hotel_recompute_rfm(self):
        self._hotel_recompute_rfm()
        return True
