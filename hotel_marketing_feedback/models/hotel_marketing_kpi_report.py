from odoo import models


class HotelMarketingKpiReport(models.TransientModel):
    _inherit = "hotel.marketing.kpi.report"

    def _kpi_columns(self):
        return [
            *super()._kpi_columns(),
            ("csat", self.env._("Satisfaction (CSAT)"), "pct"),
            ("csat_target", self.env._("Satisfaction Target"), "pct"),
            ("reply_compliance", self.env._("Replied within SLA (24 h)"), "pct"),
            ("resolve_compliance", self.env._("Resolved within SLA (72 h)"), "pct"),
            ("online_rating", self.env._("Online Rating"), "num"),
            ("rating_target", self.env._("Online Rating Target"), "num"),
        ]

    def _kpi_figures(self, company, year, quarter):
        figures = super()._kpi_figures(company, year, quarter)
        # Reuse hotel_feedback's own KPI figures rather than recomputing them.
        feedback = self.env["hotel.feedback.config"]._for_company(company)._kpi_figures(
            figures["_start"], figures["_end"]
        )
        for key in ("csat", "csat_target", "reply_compliance", "resolve_compliance",
                    "online_rating", "rating_target"):
            figures[key] = feedback.get(key)
        return figures
