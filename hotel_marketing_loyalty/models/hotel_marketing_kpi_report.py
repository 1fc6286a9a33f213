from odoo import models
from odoo.tools import SQL

from odoo.addons.hotel_marketing.wizard.hotel_marketing_kpi_report import KPI_STATES


class HotelMarketingKpiReport(models.TransientModel):
    _inherit = "hotel.marketing.kpi.report"

    def _kpi_columns(self):
        return [
            *super()._kpi_columns(),
            ("member_revenue", self.env._("Members' Revenue"), "money"),
            ("member_share", self.env._("Members' Share of Revenue"), "pct"),
        ]

    def _kpi_figures(self, company, year, quarter):
        figures = super()._kpi_figures(company, year, quarter)
        self.env.cr.execute(
            SQL(
                """
                SELECT COALESCE(SUM(s.amount_company), 0) FROM hotel_stay s
                  JOIN hotel_loyalty_member m ON m.partner_id = s.partner_id
                 WHERE s.company_id = %s AND s.state IN %s
                   AND s.check_in BETWEEN %s AND %s AND m.join_date <= s.check_in
                """,
                company.id,
                KPI_STATES,
                figures["_start"],
                figures["_end"],
            )
        )
        member_revenue = float(self.env.cr.fetchone()[0])
        figures["member_revenue"] = member_revenue
        figures["member_share"] = (
            100.0 * member_revenue / figures["revenue"] if figures["revenue"] else None
        )
        return figures
