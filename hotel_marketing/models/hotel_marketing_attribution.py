from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

# Stays that count as a conversion: booked and kept (not cancelled, not a no-show).
ATTRIBUTED_STATES = ("booked", "in_house", "checked_out")


class HotelMarketingAttribution(models.Model):
    _name = "hotel.marketing.attribution"
    _description = "Stay Attributed to a Campaign"
    _order = "booked_on desc, id desc"
    _rec_name = "stay_id"

    stay_id = fields.Many2one(
        "hotel.stay", required=True, index=True, ondelete="cascade", readonly=True
    )
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
    booked_on = fields.Date(readonly=True)
    revenue = fields.Monetary(readonly=True, aggregator="sum", currency_field="currency_id")
    currency_id = fields.Many2one(related="company_id.currency_id")
    conversions = fields.Integer(readonly=True, default=1, aggregator="sum")

    _sql_constraints = [
        ("stay_unique", "unique(stay_id)", "A stay is attributed to one campaign only."),
    ]

    @api.model
    def _hotel_attribution_model(self):
        # sudo: system parameters are readable by administrators only; this one is not secret
        value = self.env["ir.config_parameter"].sudo().get_param(
            "hotel_marketing.attribution_model", "last"
        )
        return "first" if value == "first" else "last"

    @api.model
    def _hotel_attribution_sql(self, campaign_ids=None, touch_model="last"):
        """INSERT of the attribution of every stay in scope (one statement).

        A stay is attributed to the mailing the guest opened or clicked before booking it,
        within that mailing's window, or to the campaign it carries (UTM, which wins);
        among several mailings the last (or first) touch wins. ``campaign_ids`` limits the
        work to stays of guests those campaigns reached or that carry them.
        """
        scope = SQL("")
        if campaign_ids is not None:
            scope = SQL(
                """
                AND (s.campaign_id = ANY(%(ids)s) OR s.partner_id IN (
                        SELECT t.res_id FROM mailing_trace t
                          JOIN mailing_mailing m ON m.id = t.mass_mailing_id
                         WHERE t.model = 'res.partner' AND m.campaign_id = ANY(%(ids)s)))
                """,
                ids=list(campaign_ids),
            )
        order = SQL("c.touch_date DESC") if touch_model == "last" else SQL("c.touch_date ASC")
        return SQL(
            """
            WITH candidates AS (
                SELECT s.id AS stay_id, s.partner_id, s.company_id, s.booked_on,
                       s.amount_company, s.campaign_id, NULL::int AS mailing_id,
                       NULL::int AS trace_id, 'utm' AS touch,
                       s.booked_on::timestamp AS touch_date, 0 AS rank
                  FROM hotel_stay s
                 WHERE s.campaign_id IS NOT NULL AND s.state IN %(states)s
                   AND s.booked_on IS NOT NULL %(scope)s
                UNION ALL
                SELECT s.id, s.partner_id, s.company_id, s.booked_on, s.amount_company,
                       m.campaign_id, t.mass_mailing_id, t.id,
                       CASE WHEN t.links_click_datetime IS NOT NULL
                             AND (t.open_datetime IS NULL
                                  OR t.links_click_datetime <= t.open_datetime)
                            THEN 'click' ELSE 'open' END,
                       LEAST(t.open_datetime, t.links_click_datetime), 1
                  FROM mailing_trace t
                  JOIN mailing_mailing m ON m.id = t.mass_mailing_id
                  JOIN hotel_stay s ON s.partner_id = t.res_id
                   AND s.booked_on >= LEAST(t.open_datetime, t.links_click_datetime)::date
                   AND s.booked_on <= LEAST(t.open_datetime, t.links_click_datetime)::date
                                      + m.hotel_window_days
                 WHERE t.model = 'res.partner'
                   AND t.trace_status IN ('sent', 'open', 'reply')
                   AND (t.open_datetime IS NOT NULL OR t.links_click_datetime IS NOT NULL)
                   AND s.state IN %(states)s %(scope)s
            )
            INSERT INTO hotel_marketing_attribution
                   (stay_id, partner_id, company_id, campaign_id, mailing_id, trace_id, touch,
                    touch_date, booked_on, revenue, conversions,
                    create_uid, write_uid, create_date, write_date)
            SELECT DISTINCT ON (c.stay_id)
                   c.stay_id, c.partner_id, c.company_id, c.campaign_id, c.mailing_id,
                   c.trace_id, c.touch, c.touch_date, c.booked_on, c.amount_company, 1,
                   %(uid)s, %(uid)s, NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
              FROM candidates c
             ORDER BY c.stay_id, c.rank, %(order)s, c.trace_id
            """,
            states=ATTRIBUTED_STATES,
            scope=scope,
            order=order,
            uid=self.env.uid,
        )

    @api.model
    def _hotel_recompute(self, campaign_ids=None):
        """Recompute the attribution (all stays, or those the campaigns can touch).

        Returns the number of attributed stays written.
        """
        self.env.flush_all()
        cr = self.env.cr
        if campaign_ids is None:
            cr.execute(SQL("DELETE FROM hotel_marketing_attribution"))
        else:
            cr.execute(
                SQL(
                    """
                    DELETE FROM hotel_marketing_attribution a
                     USING hotel_stay s
                     WHERE s.id = a.stay_id
                       AND (a.campaign_id = ANY(%(ids)s) OR s.campaign_id = ANY(%(ids)s)
                            OR s.partner_id IN (
                                SELECT t.res_id FROM mailing_trace t
                                  JOIN mailing_mailing m ON m.id = t.mass_mailing_id
                                 WHERE t.model = 'res.partner' AND m.campaign_id = ANY(%(ids)s)))
                    """,
                    ids=list(campaign_ids),
                )
            )
        cr.execute(
            SQL(
                "%s ON CONFLICT (stay_id) DO NOTHING",
                self._hotel_attribution_sql(campaign_ids, self._hotel_attribution_model()),
            )
        )
        written = cr.rowcount
        self.invalidate_model()
        return written

    @api.model
    def _cron_hotel_recompute(self):
        written = self._hotel_recompute()
        self.env["ir.cron"]._notify_progress(done=1, remaining=0)
        return written

    @api.model
    def _hotel_demo_traces(self, mailing_id):
        """Demo only: mark the demo mailing sent to the first demo guests (every other one
        opened, every fifth clicked) and attribute their stays."""
        mailing = self.env["mailing.mailing"].browse(mailing_id)
        Stay = self.env["hotel.stay"]
        last = Stay.search([("state", "in", ATTRIBUTED_STATES)], order="booked_on desc", limit=1)
        if not last or mailing.state == "done":
            return False
        start = last.booked_on - relativedelta(days=25)
        stays = Stay.search(
            [("state", "in", ATTRIBUTED_STATES), ("booked_on", ">=", start),
             ("partner_id.email", "!=", False)],
            order="id", limit=80,
        )
        guests = stays.partner_id
        sent = fields.Datetime.to_datetime(start) - relativedelta(days=1)
        held = guests[::10]
        mailing.hotel_holdout_partner_ids = held
        traces = []
        for index, guest in enumerate(guests - held):
            opened = index % 2 == 0
            traces.append({
                "model": "res.partner", "res_id": guest.id, "email": guest.email,
                "mass_mailing_id": mailing.id, "trace_status": "open" if opened else "sent",
                "sent_datetime": sent, "open_datetime": sent + relativedelta(days=1)
                if opened else False,
                "links_click_datetime": sent + relativedelta(days=1)
                if index % 5 == 0 else False,
            })
        self.env["mailing.trace"].create(traces)
        mailing.write({"state": "done", "sent_date": sent})
        self._hotel_recompute([mailing.campaign_id.id])
        return True
