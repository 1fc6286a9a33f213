from odoo import api, models
from odoo.tools import SQL


class MailingMailing(models.Model):
    _inherit = "mailing.mailing"

    @api.model
    def _hotel_converted_sql(self, partner, since, days):
        """A posted customer invoice (not refunded in full) in the window converts too."""
        return SQL(
            """(%(stay)s OR EXISTS (
                   SELECT 1 FROM account_move mv
                    WHERE mv.partner_id = %(partner)s AND mv.move_type = 'out_invoice'
                      AND mv.state = 'posted'
                      AND COALESCE(mv.invoice_date, mv.date) >= %(since)s
                      AND COALESCE(mv.invoice_date, mv.date) <= %(since)s + %(days)s
                      AND %(net)s > 0))""",
            stay=super()._hotel_converted_sql(partner, since, days),
            partner=partner,
            since=since,
            days=days,
            net=self.env["hotel.marketing.attribution"]._hotel_invoice_net_sql(SQL("mv")),
        )
