from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.hotel_crm.tools.trusted import trusted

# Stays that count as a conversion: booked and kept (not cancelled, not a no-show).
ATTRIBUTED_STATES = ("booked", "in_house", "checked_out")


class HotelMarketingAttribution(models.Model):
    """One conversion of a campaign: a stay (or, with the invoicing bridge, a posted invoice)
    of a guest the campaign touched. Written only by ``_hotel_recompute``."""

    _name = "hotel.marketing.attribution"
    _description = "Campaign Conversion"
    _order = "booked_on desc, id desc"

    source = fields.Selection(
        [("stay", "Stay")], required=True, default="stay", readonly=True, index=True,
        help="What converted: a stay booked, or (with invoicing) a customer invoice posted.",
    )
    stay_id = fields.Many2one("hotel.stay", index=True, ondelete="cascade", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Guest", index=True, readonly=True)
    company_id = fields.Many2one("res.company", string="Property", index=True, readonly=True)
    campaign_id = fields.Many2one("utm.campaign", index=True, readonly=True)
    mailing_id = fields.Many2one("mailing.mailing", index=True, readonly=True)
    trace_id = fields.Many2one("mailing.trace", readonly=True)
    touch = fields.Selection(
        [("utm", "Campaign Link (UTM)"), ("click", "Clicked"), ("open", "Opened")],
        readonly=True,
    )
    touch_date = fields.Datetime(readonly=True)
    booked_on = fields.Date(
        string="Conversion Date", readonly=True,
        help="Booking date of the stay, invoice date of the invoice.",
    )
    property_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Property Currency"
    )
    property_revenue = fields.Monetary(
        string="Revenue (Property Currency)", readonly=True, aggregator="sum",
        currency_field="property_currency_id",
    )
    currency_id = fields.Many2one(
        "res.currency", readonly=True,
        help="The campaign's currency (the mailing's when it has no campaign): revenue earned "
        "in another currency is converted at the rate of the conversion date.",
    )
    revenue = fields.Monetary(readonly=True, aggregator="sum", currency_field="currency_id")
    conversions = fields.Integer(readonly=True, default=1, aggregator="sum")

    _sql_constraints = [
        ("stay_unique", "unique(stay_id)", "A stay is attributed to one campaign only."),
    ]

    @api.depends("stay_id")
    def _compute_display_name(self):
        for row in self:
            row.display_name = row.stay_id.display_name or ""

    @api.model
    def _hotel_attribution_model(self):
        # sudo: system parameters are readable by administrators only; this one is not secret
        value = self.env["ir.config_parameter"].sudo().get_param(
            "hotel_marketing.attribution_model", "last"
        )
        return "first" if value == "first" else "last"

    # ------------------------------------------------------------------
    # Set-based recompute: one INSERT per source (stays here, invoices in the bridge)
    # ------------------------------------------------------------------
    @api.model
    def _hotel_scope_sql(self, campaign_ids):
        """Guests whose conversions the campaigns can change: those their mailings reached
        and those with a stay carrying one of them. Their rows are recomputed whole."""
        return SQL(
            """
            SELECT t.res_id FROM mailing_trace t
              JOIN mailing_mailing m ON m.id = t.mass_mailing_id
             WHERE t.model = 'res.partner' AND m.campaign_id = ANY(%(ids)s)
            UNION
            SELECT s.partner_id FROM hotel_stay s WHERE s.campaign_id = ANY(%(ids)s)
            """,
            ids=list(campaign_ids),
        )

    @api.model
    def _hotel_touches_sql(self, scope):
        """Delivered mailings a guest opened or clicked: one row per trace with the touch,
        its date and the mailing's window. ``scope``: SQL of guest ids, or None for all."""
        return SQL(
            """
            SELECT t.res_id AS partner_id, m.campaign_id, t.mass_mailing_id AS mailing_id,
                   t.id AS trace_id,
                   CASE WHEN t.links_click_datetime IS NOT NULL
                         AND (t.open_datetime IS NULL
                              OR t.links_click_datetime <= t.open_datetime)
                        THEN 'click' ELSE 'open' END AS touch,
                   LEAST(t.open_datetime, t.links_click_datetime) AS touch_date,
                   m.hotel_window_days AS days
              FROM mailing_trace t
              JOIN mailing_mailing m ON m.id = t.mass_mailing_id
             WHERE t.model = 'res.partner'
               AND t.trace_status IN ('sent', 'open', 'reply')
               AND (t.open_datetime IS NOT NULL OR t.links_click_datetime IS NOT NULL)
               %s
            """,
            SQL("AND t.res_id IN (%s)", scope) if scope is not None else SQL(""),
        )

    @api.model
    def _hotel_touch_order(self, touch_model):
        return SQL("touch_date DESC") if touch_model == "last" else SQL("touch_date ASC")

    @api.model
    def _hotel_insert_sql(self, source, document_column, picked):
        """INSERT of the rows of ``picked`` (a query returning ``document``, partner_id,
        company_id, campaign_id, mailing_id, trace_id, touch, touch_date, booked_on and
        property_revenue, at most one row per document) as conversions of ``source``.

        The revenue is reported in the campaign's currency, or the mailing's when it has no
        campaign; rows earned in another currency are converted afterwards by
        ``_hotel_convert_revenue``.
        """
        return SQL(
            """
            INSERT INTO hotel_marketing_attribution
                   (source, %(column)s, partner_id, company_id, campaign_id, mailing_id,
                    trace_id, touch, touch_date, booked_on, property_revenue, currency_id,
                    revenue, conversions, create_uid, write_uid, create_date, write_date)
            SELECT %(source)s, p.document, p.partner_id, p.company_id, p.campaign_id,
                   p.mailing_id, p.trace_id, p.touch, p.touch_date, p.booked_on,
                   p.property_revenue, cur.currency_id,
                   CASE WHEN cur.currency_id = rc.currency_id THEN p.property_revenue END,
                   1, %(uid)s, %(uid)s, NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
              FROM (%(picked)s) p
              JOIN res_company rc ON rc.id = p.company_id
              LEFT JOIN utm_campaign uc ON uc.id = p.campaign_id
              LEFT JOIN mailing_mailing mm ON mm.id = p.mailing_id
             CROSS JOIN LATERAL (
                   SELECT COALESCE(uc.hotel_currency_id, mm.hotel_currency_id, rc.currency_id)
                          AS currency_id) cur
            ON CONFLICT DO NOTHING
            """,
            column=SQL.identifier(document_column),
            source=source,
            picked=picked,
            uid=self.env.uid,
        )

    @api.model
    def _hotel_stay_statement(self, scope, touch_model):
        """Stays: booked within a mailing's window after the guest opened or clicked it, or
        carrying the campaign (UTM, which wins); among several mailings the last (or first)
        touch wins."""
        only = SQL("AND s.partner_id IN (%s)", scope) if scope is not None else SQL("")
        picked = SQL(
            """
            WITH touches AS (%(touches)s),
            candidates AS (
                SELECT s.id AS document, s.partner_id, s.company_id, s.booked_on,
                       s.amount_company, s.campaign_id, NULL::int AS mailing_id,
                       NULL::int AS trace_id, 'utm' AS touch,
                       s.booked_on::timestamp AS touch_date, 0 AS rank
                  FROM hotel_stay s
                 WHERE s.campaign_id IS NOT NULL AND s.state IN %(states)s
                   AND s.booked_on IS NOT NULL %(only)s
                UNION ALL
                SELECT s.id, s.partner_id, s.company_id, s.booked_on, s.amount_company,
                       t.campaign_id, t.mailing_id, t.trace_id, t.touch, t.touch_date, 1
                  FROM touches t
                  JOIN hotel_stay s ON s.partner_id = t.partner_id
                   AND s.booked_on >= t.touch_date::date
                   AND s.booked_on <= t.touch_date::date + t.days
                 WHERE s.state IN %(states)s
            )
            SELECT DISTINCT ON (c.document)
                   c.document, c.partner_id, c.company_id, c.campaign_id, c.mailing_id,
                   c.trace_id, c.touch, c.touch_date, c.booked_on,
                   c.amount_company AS property_revenue
              FROM candidates c
             ORDER BY c.document, c.rank, c.%(order)s, c.trace_id
            """,
            touches=self._hotel_touches_sql(scope),
            states=ATTRIBUTED_STATES,
            only=only,
            order=self._hotel_touch_order(touch_model),
        )
        return self._hotel_insert_sql("stay", "stay_id", picked)

    @api.model
    def _hotel_attribution_statements(self, scope, touch_model):
        """The INSERT statements of the recompute, run in this order: a later source may
        leave out what an earlier one attributed (an invoice of an attributed stay)."""
        return [self._hotel_stay_statement(scope, touch_model)]

    @api.model
    def _hotel_convert_revenue(self):
        """Fill the revenue of rows earned in another currency than the one they are reported
        in, with Odoo's rates of the property at the conversion date (one rate per property,
        currency pair and day, then one UPDATE)."""
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                SELECT DISTINCT a.company_id, rc.currency_id, a.currency_id, a.booked_on
                  FROM hotel_marketing_attribution a
                  JOIN res_company rc ON rc.id = a.company_id
                 WHERE a.revenue IS NULL AND a.property_revenue IS NOT NULL
                """
            )
        )
        keys = cr.fetchall()
        if not keys:
            return 0
        # sudo: the rates of every property a conversion was earned at, whichever properties
        # the user recomputing works for
        Currency = self.env["res.currency"].sudo()
        Company = self.env["res.company"].sudo()
        values = []
        for company_id, from_id, to_id, day in keys:
            to_currency = Currency.browse(to_id)
            rate = Currency._get_conversion_rate(
                Currency.browse(from_id), to_currency, Company.browse(company_id),
                day or fields.Date.context_today(self),
            )
            values.append(SQL("(%s, %s, %s::date, %s::numeric, %s)", company_id, to_id, day,
                              rate, to_currency.decimal_places))
        cr.execute(
            SQL(
                """
                UPDATE hotel_marketing_attribution a
                   SET revenue = ROUND(a.property_revenue * v.rate, v.digits)
                  FROM (VALUES %s) AS v(company_id, currency_id, day, rate, digits)
                 WHERE a.revenue IS NULL AND a.property_revenue IS NOT NULL
                   AND a.company_id = v.company_id AND a.currency_id = v.currency_id
                   AND a.booked_on IS NOT DISTINCT FROM v.day
                """,
                SQL(", ").join(values),
            )
        )
        return cr.rowcount

    @api.model
    def _hotel_recompute(self, campaign_ids=None):
        """Recompute the conversions (all of them, or those of the guests the campaigns can
        touch). Returns the number of conversions written."""
        self.env.flush_all()
        cr = self.env.cr
        scope = None
        if campaign_ids is None:
            cr.execute(SQL("DELETE FROM hotel_marketing_attribution"))
        else:
            scope = self._hotel_scope_sql(campaign_ids)
            cr.execute(
                SQL(
                    """
                    DELETE FROM hotel_marketing_attribution a
                     WHERE a.campaign_id = ANY(%s) OR a.partner_id IN (%s)
                    """,
                    list(campaign_ids),
                    scope,
                )
            )
        written = 0
        for statement in self._hotel_attribution_statements(
            scope, self._hotel_attribution_model()
        ):
            cr.execute(statement)
            written += cr.rowcount
        self._hotel_convert_revenue()
        self.invalidate_model()
        # Figures computed from the conversions (not stored) are read again.
        self.env["utm.campaign"].invalidate_model(
            ["hotel_conversion_count", "hotel_revenue", "hotel_roi"]
        )
        self.env["mailing.mailing"].invalidate_model(
            ["hotel_attributed_count", "hotel_attributed_revenue"]
        )
        return written

    @api.model
    def _cron_hotel_recompute(self):
        written = self._hotel_recompute()
        self.env["ir.cron"]._notify_progress(done=1, remaining=0)
        return written

    @api.model
    def _hotel_demo_traces(self, mailing_id):
        """Demo only: the demo mailing, sent 26 days before the last booking to its whole
        segment, with opens and clicks as a real mailing gets them (converting guests open
        more often), a holdout group that converts at about half the mailed guests' rate,
        then the attribution."""
        mailing = self.env["mailing.mailing"].browse(mailing_id)
        Stay = self.env["hotel.stay"]
        last = Stay.search([("state", "in", ATTRIBUTED_STATES)], order="booked_on desc", limit=1)
        if not last or mailing.state == "done":
            return False
        sent = fields.Datetime.to_datetime(last.booked_on - relativedelta(days=26))
        segment = self.env["res.partner"].search(mailing._get_recipients_domain(), order="id")
        if not segment:
            return False
        booked = Stay.search([
            ("partner_id", "in", segment.ids), ("state", "in", ATTRIBUTED_STATES),
            ("booked_on", ">=", sent.date()),
            ("booked_on", "<=", sent.date() + relativedelta(days=mailing.hotel_window_days)),
        ]).partner_id
        converters, others = segment & booked, segment - booked
        size = round(len(segment) * mailing.hotel_holdout_pct / 100.0)
        held_converters = min(round(size * len(converters) / len(segment) / 2), len(converters))
        held = converters[1::4][:held_converters] | others[2::7][:size - held_converters]
        with trusted("hotel_marketing.mailing_figures"):
            mailing.hotel_holdout_partner_ids = held
        traces = []
        for index, guest in enumerate(segment - held):
            converts = guest in converters
            opened = index % 4 != 3 if converts else index % 3 == 0
            clicked = opened and index % (2 if converts else 3) == 0
            touch = sent + relativedelta(hours=2 + index % 30)
            traces.append({
                "model": "res.partner", "res_id": guest.id, "email": guest.email,
                "mass_mailing_id": mailing.id, "trace_status": "open" if opened else "sent",
                "sent_datetime": sent,
                "open_datetime": touch if opened else False,
                "links_click_datetime": touch + relativedelta(minutes=4) if clicked else False,
            })
        self.env["mailing.trace"].create(traces)
        mailing.write({"state": "done", "sent_date": sent})
        self._hotel_recompute([mailing.campaign_id.id])
        return True
