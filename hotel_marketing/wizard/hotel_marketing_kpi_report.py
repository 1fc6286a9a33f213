import base64
import io
from datetime import date, timedelta

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

KPI_STATES = ("in_house", "checked_out")


def quarter_bounds(year, quarter):
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1) - timedelta(days=1)
    return start, end


class HotelMarketingKpiReport(models.TransientModel):
    """KPI report by property and quarter (R1) with its XLSX export (R2).

    Figures are columns returned by ``_kpi_columns`` and computed by ``_kpi_figures``;
    the loyalty and feedback bridges add their columns (members' share of revenue,
    satisfaction, SLA compliance, online rating) by extending both hooks.
    """

    _name = "hotel.marketing.kpi.report"
    _description = "Marketing KPI Report"

    year = fields.Integer(required=True, default=lambda self: fields.Date.context_today(self).year)
    quarter = fields.Selection(
        [("1", "Q1"), ("2", "Q2"), ("3", "Q3"), ("4", "Q4")],
        required=True,
        default=lambda self: str((fields.Date.context_today(self).month - 1) // 3 + 1),
    )
    company_ids = fields.Many2many(
        "res.company", string="Properties",
        default=lambda self: self.env.companies,
        help="Empty means every property you can see.",
    )
    summary_html = fields.Html(compute="_compute_summary_html", sanitize=False)

    @api.constrains("year")
    def _check_year(self):
        for report in self:
            if not 2000 <= report.year <= 2100:
                raise UserError(self.env._("Choose a year between 2000 and 2100."))

    @api.model
    def _kpi_target(self, key, default):
        # sudo: system parameters are readable by administrators only; targets are not secret
        value = self.env["ir.config_parameter"].sudo().get_param(
            f"hotel_marketing.kpi_target_{key}", default
        )
        try:
            return float(value)
        except ValueError:
            return float(default)

    def _kpi_columns(self):
        """(key, label, kind) per column; kind is 'text', 'int', 'pct', 'num' or 'money'."""
        return [
            ("property", self.env._("Property"), "text"),
            ("period", self.env._("Quarter"), "text"),
            ("guests", self.env._("Guests"), "int"),
            ("repeat_guests", self.env._("Repeat Guests"), "int"),
            ("repeat_ratio", self.env._("Repeat-Guest Ratio"), "pct"),
            ("repeat_ratio_prev", self.env._("Same Quarter Last Year"), "pct"),
            ("repeat_change", self.env._("Change vs Last Year"), "pct"),
            ("repeat_change_target", self.env._("Change Target"), "pct"),
            ("revenue", self.env._("Stay Revenue"), "money"),
        ]

    def _companies(self):
        return self.company_ids or self.env.companies

    def _repeat_figures(self, company, start, end):
        """Guests who stayed at the property in the period, and how many had stayed before
        (at any property of the group)."""
        self.env.cr.execute(
            SQL(
                """
                WITH q AS (
                    SELECT DISTINCT s.partner_id FROM hotel_stay s
                     WHERE s.company_id = %(company)s AND s.state IN %(states)s
                       AND s.check_in BETWEEN %(start)s AND %(end)s
                )
                SELECT COUNT(*),
                       COUNT(*) FILTER (WHERE EXISTS (
                           SELECT 1 FROM hotel_stay e
                            WHERE e.partner_id = q.partner_id AND e.state IN %(states)s
                              AND e.check_in < %(start)s)),
                       (SELECT COALESCE(SUM(s.amount_company), 0) FROM hotel_stay s
                         WHERE s.company_id = %(company)s AND s.state IN %(states)s
                           AND s.check_in BETWEEN %(start)s AND %(end)s)
                  FROM q
                """,
                company=company.id,
                states=KPI_STATES,
                start=start,
                end=end,
            )
        )
        return self.env.cr.fetchone()

    def _kpi_figures(self, company, year, quarter):
        start, end = quarter_bounds(year, quarter)
        guests, repeat, revenue = self._repeat_figures(company, start, end)
        prev_start, prev_end = quarter_bounds(year - 1, quarter)
        prev_guests, prev_repeat, _prev_revenue = self._repeat_figures(
            company, prev_start, prev_end
        )
        ratio = 100.0 * repeat / guests if guests else None
        prev_ratio = 100.0 * prev_repeat / prev_guests if prev_guests else None
        change = (
            100.0 * (ratio - prev_ratio) / prev_ratio
            if ratio is not None and prev_ratio
            else None
        )
        return {
            "property": company.name,
            "period": f"{year} Q{quarter}",
            "guests": guests,
            "repeat_guests": repeat,
            "repeat_ratio": ratio,
            "repeat_ratio_prev": prev_ratio,
            "repeat_change": change,
            "repeat_change_target": self._kpi_target("repeat_change", 20),
            "revenue": float(revenue),
            "_start": start,
            "_end": end,
        }

    def _kpi_rows(self):
        self.ensure_one()
        self.env.flush_all()
        return [
            self._kpi_figures(company, self.year, int(self.quarter))
            for company in self._companies().sorted("name")
        ]

    @api.depends("year", "quarter", "company_ids")
    def _compute_summary_html(self):
        for report in self:
            if not report.year or not report.quarter:
                report.summary_html = False
                continue
            columns = report._kpi_columns()
            head = Markup("").join(
                Markup("<th>%s</th>") % label for _key, label, _kind in columns
            )
            body = Markup("")
            for row in report._kpi_rows():
                cells = Markup("").join(
                    Markup("<td>%s</td>") % report._format_cell(row.get(key), kind)
                    for key, _label, kind in columns
                )
                body += Markup("<tr>%s</tr>") % cells
            report.summary_html = Markup(
                '<table class="table table-sm o_hotel_kpi"><thead><tr>%s</tr></thead>'
                "<tbody>%s</tbody></table>"
            ) % (head, body)

    @api.model
    def _format_cell(self, value, kind):
        if value is None:
            return "–"
        if kind == "pct":
            return f"{value:.1f} %"
        if kind == "money":
            return f"{value:,.2f}"
        if kind == "num":
            return f"{value:.2f}"
        return escape(str(value))

    def _kpi_xlsx(self):
        import xlsxwriter

        self.ensure_one()
        out = io.BytesIO()
        book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
        sheet = book.add_worksheet(self.env._("KPI"))
        bold = book.add_format({"bold": True})
        formats = {
            "pct": book.add_format({"num_format": "0.0"}),
            "money": book.add_format({"num_format": "#,##0.00"}),
            "num": book.add_format({"num_format": "0.00"}),
        }
        columns = self._kpi_columns()
        for col, (_key, label, _kind) in enumerate(columns):
            sheet.write_string(0, col, label, bold)
            sheet.set_column(col, col, 18)
        for row_no, row in enumerate(self._kpi_rows(), start=1):
            for col, (key, _label, kind) in enumerate(columns):
                value = row.get(key)
                if value is None:
                    sheet.write_blank(row_no, col, None)
                elif kind == "text":
                    sheet.write_string(row_no, col, str(value))
                else:
                    sheet.write_number(row_no, col, value, formats.get(kind))
        book.close()
        return out.getvalue()

    def action_export_xlsx(self):
        self.ensure_one()
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"hotel_kpi_{self.year}_Q{self.quarter}.xlsx",
                "datas": base64.b64encode(self._kpi_xlsx()),
                "mimetype": "application/vnd.openxmlformats-officedocument."
                "spreadsheetml.sheet",
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }
