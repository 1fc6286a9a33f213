from odoo import fields, models, tools
from odoo.tools import SQL

# Rate field: (numerator, denominator) summed over a group.
WEIGHTED_RATES = {
    "open_rate": ("opened", "delivered"),
    "click_rate": ("clicked", "delivered"),
    "conversion_rate": ("conversions", "delivered"),
}


class HotelMarketingPerformance(models.Model):
    """One row per sent guest mailing: deliveries, opens, clicks, conversions and revenue
    (pivot and graph per mailing, campaign, automation and month)."""

    _name = "hotel.marketing.performance"
    _description = "Mailing Performance"
    _auto = False
    _order = "sent_on desc, id desc"
    _rec_name = "mailing_id"

    mailing_id = fields.Many2one("mailing.mailing", readonly=True)
    campaign_id = fields.Many2one("utm.campaign", readonly=True)
    automation_id = fields.Many2one("hotel.marketing.automation", readonly=True)
    sent_on = fields.Date(readonly=True)
    delivered = fields.Integer(readonly=True, aggregator="sum")
    opened = fields.Integer(readonly=True, aggregator="sum")
    clicked = fields.Integer(readonly=True, aggregator="sum")
    conversions = fields.Integer(
        readonly=True, aggregator="sum",
        help="Stays (and posted invoices) attributed to the mailing.",
    )
    currency_id = fields.Many2one("res.currency", readonly=True)
    revenue = fields.Monetary(
        string="Attributed Revenue", readonly=True, aggregator="sum",
        currency_field="currency_id",
        help="In the campaign's currency (the mailing's without a campaign).",
    )
    # Grouped rows show weighted rates (see _read_group_select), not an average of rates.
    open_rate = fields.Float(
        string="Open Rate (%)", readonly=True, aggregator="avg",
        help="Opened per 100 delivered mails; grouped rows: all opens of the group's mailings "
        "per 100 of their delivered mails.",
    )
    click_rate = fields.Float(
        string="Click Rate (%)", readonly=True, aggregator="avg",
        help="Clicked per 100 delivered mails; grouped rows: weighted by delivered mails.",
    )
    conversion_rate = fields.Float(
        string="Conversion Rate (%)", readonly=True, aggregator="avg",
        help="Conversions per 100 delivered mails; grouped rows: weighted by delivered mails.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %s AS (
                    SELECT m.id, m.id AS mailing_id, m.campaign_id,
                           m.hotel_automation_id AS automation_id,
                           m.sent_date::date AS sent_on,
                           COALESCE(t.delivered, 0) AS delivered,
                           COALESCE(t.opened, 0) AS opened,
                           COALESCE(t.clicked, 0) AS clicked,
                           COALESCE(a.conversions, 0) AS conversions,
                           m.hotel_currency_id AS currency_id,
                           COALESCE(a.revenue, 0) AS revenue,
                           CASE WHEN t.delivered > 0 THEN 100.0 * t.opened / t.delivered
                                ELSE 0 END AS open_rate,
                           CASE WHEN t.delivered > 0 THEN 100.0 * t.clicked / t.delivered
                                ELSE 0 END AS click_rate,
                           CASE WHEN t.delivered > 0
                                THEN 100.0 * COALESCE(a.conversions, 0) / t.delivered
                                ELSE 0 END AS conversion_rate
                      FROM mailing_mailing m
                      JOIN ir_model im ON im.id = m.mailing_model_id AND im.model = 'res.partner'
                      LEFT JOIN (
                            SELECT mass_mailing_id,
                                   COUNT(*) FILTER (
                                       WHERE trace_status IN ('sent', 'open', 'reply'))
                                       AS delivered,
                                   COUNT(*) FILTER (WHERE open_datetime IS NOT NULL) AS opened,
                                   COUNT(*) FILTER (WHERE links_click_datetime IS NOT NULL)
                                       AS clicked
                              FROM mailing_trace GROUP BY mass_mailing_id
                      ) t ON t.mass_mailing_id = m.id
                      LEFT JOIN (
                            SELECT mailing_id, COUNT(*) AS conversions, SUM(revenue) AS revenue
                              FROM hotel_marketing_attribution GROUP BY mailing_id
                      ) a ON a.mailing_id = m.id
                     WHERE m.state = 'done'
                )
                """,
                SQL.identifier(self._table),
            )
        )

    def _read_group_select(self, aggregate_spec, query):
        """A group's rate is its mailings' opens (clicks, conversions) per 100 of their
        delivered mails, not the mean of their rates: a mailing to 10 guests must not weigh
        as much as one to 10,000."""
        fname, _sep, func = aggregate_spec.partition(":")
        if func == "avg" and fname in WEIGHTED_RATES:
            super()._read_group_select(aggregate_spec, query)  # field and access checks
            numerator, denominator = WEIGHTED_RATES[fname]
            return SQL(
                "COALESCE(100.0 * SUM(%s) / NULLIF(SUM(%s), 0), 0)",
                self._field_to_sql(self._table, numerator, query),
                self._field_to_sql(self._table, denominator, query),
            )
        return super()._read_group_select(aggregate_spec, query)
