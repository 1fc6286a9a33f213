from odoo import api, fields, models
from odoo.tools import SQL


class HotelMarketingAttribution(models.Model):
    _inherit = "hotel.marketing.attribution"

    source = fields.Selection(
        selection_add=[("invoice", "Invoice")], ondelete={"invoice": "cascade"}
    )
    move_id = fields.Many2one(
        "account.move", string="Invoice", index="btree_not_null", ondelete="cascade",
        readonly=True,
    )

    _sql_constraints = [
        ("move_unique", "unique(move_id)", "An invoice is attributed to one campaign only."),
    ]

    @api.depends("move_id")
    def _compute_display_name(self):
        invoices = self.filtered("move_id")
        for row in invoices:
            # sudo: the invoice number only; marketing users have no accounting rights
            row.display_name = row.move_id.sudo().name
        return super(HotelMarketingAttribution, self - invoices)._compute_display_name()

    @api.model
    def _hotel_invoice_net_sql(self, move):
        """Untaxed amount of the customer invoice ``move`` (alias) in its property's currency,
        less its posted credit notes: a refunded folio is revenue not earned."""
        return SQL(
            """(%(move)s.amount_untaxed_signed + COALESCE((
                   SELECT SUM(r.amount_untaxed_signed) FROM account_move r
                    WHERE r.reversed_entry_id = %(move)s.id AND r.move_type = 'out_refund'
                      AND r.state = 'posted'), 0))""",
            move=move,
        )

    @api.model
    def _hotel_invoice_statement(self, scope, touch_model):
        """Posted customer invoices dated within a mailing's window after the guest opened or
        clicked it (last or first touch as for stays), net of their credit notes, except
        invoices of a stay that is itself attributed: its revenue counts once."""
        only = SQL("AND mv.partner_id IN (%s)", scope) if scope is not None else SQL("")
        picked = SQL(
            """
            WITH invoices AS (
                SELECT mv.id, mv.partner_id, mv.company_id,
                       COALESCE(mv.invoice_date, mv.date) AS day, %(net)s AS net
                  FROM account_move mv
                 WHERE mv.move_type = 'out_invoice' AND mv.state = 'posted' %(only)s
                   AND NOT EXISTS (SELECT 1 FROM hotel_marketing_attribution a
                                    WHERE a.stay_id = mv.hotel_stay_id)
            ),
            touches AS (%(touches)s)
            SELECT DISTINCT ON (i.id)
                   i.id AS document, i.partner_id, i.company_id, t.campaign_id, t.mailing_id,
                   t.trace_id, t.touch, t.touch_date, i.day AS booked_on,
                   i.net AS property_revenue
              FROM invoices i
              JOIN touches t ON t.partner_id = i.partner_id
               AND i.day >= t.touch_date::date AND i.day <= t.touch_date::date + t.days
             WHERE i.net > 0
             ORDER BY i.id, t.%(order)s, t.trace_id
            """,
            # Only the traces of guests with an invoice are read.
            touches=self._hotel_touches_sql(SQL("SELECT partner_id FROM invoices")),
            net=self._hotel_invoice_net_sql(SQL("mv")),
            only=only,
            order=self._hotel_touch_order(touch_model),
        )
        return self._hotel_insert_sql("invoice", "move_id", picked)

    @api.model
    def _hotel_attribution_statements(self, scope, touch_model):
        # After the stays: an invoice of an attributed stay is left out.
        return [
            *super()._hotel_attribution_statements(scope, touch_model),
            self._hotel_invoice_statement(scope, touch_model),
        ]
