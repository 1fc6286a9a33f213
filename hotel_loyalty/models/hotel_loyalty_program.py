import io

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL


class HotelLoyaltyProgram(models.Model):
    """Programme settings of one property (company)."""

    _name = "hotel.loyalty.program"
    _description = "Loyalty Programme Settings"
    _rec_name = "company_id"

    company_id = fields.Many2one(
        "res.company", string="Property", required=True, ondelete="cascade", index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    window_months = fields.Integer(
        string="Evaluation Window (months)", default=12,
        help="Tiers are evaluated on the spend and stays of this rolling window.",
    )
    earn_rate_room = fields.Float(string="Points per Unit (Rooms)", default=1.0)
    earn_rate_fb = fields.Float(string="Points per Unit (F&B)", default=1.0)
    earn_rate_other = fields.Float(string="Points per Unit (Other)", default=0.5)
    expiry_months = fields.Integer(
        string="Points Expire After (months)", default=24,
        help="Earned points expire this many months after they were earned; redemptions use "
        "the oldest points first. 0 means points never expire.",
    )
    grace_days = fields.Integer(
        string="Downgrade Grace (days)", default=30,
        help="A member who no longer qualifies keeps the tier this many days after the end "
        "of the evaluation period.",
    )
    downgrade_steps = fields.Selection(
        [("one", "One tier at a time"), ("direct", "Straight to the qualifying tier")],
        default="one", required=True,
    )
    point_value = fields.Float(
        string="Value of One Point", default=0.01, digits=(16, 4),
        help="In the property currency; used for the outstanding points liability.",
    )
    birthday_bonus = fields.Integer(string="Birthday Bonus Points", default=200)
    member_day = fields.Integer(
        string="Member Day (day of month)", default=8,
        help="On this day of each month, points earned are multiplied by the member-day "
        "factor. 0 disables the member day.",
    )
    member_day_factor = fields.Float(string="Member-Day Multiplier", default=2.0)
    goodwill_limit = fields.Integer(
        string="Goodwill Limit (Guest Relations)", default=500,
        help="Largest goodwill bonus a Guest Relations user may grant at once.",
    )
    retro_days = fields.Integer(
        string="Retroactive Days at Enrolment", default=0,
        help="At enrolment, points are awarded for the posted invoices of the last N days.",
    )

    outstanding_points = fields.Integer(compute="_compute_liability")
    liability = fields.Monetary(
        string="Outstanding Liability", compute="_compute_liability",
        currency_field="currency_id",
    )

    _sql_constraints = [
        ("company_unique", "unique(company_id)", "A property has one loyalty programme."),
        (
            "values_check",
            "CHECK(window_months > 0 AND expiry_months >= 0 AND grace_days >= 0 "
            "AND earn_rate_room >= 0 AND earn_rate_fb >= 0 AND earn_rate_other >= 0 "
            "AND point_value >= 0 AND goodwill_limit >= 0)",
            "Programme settings cannot be negative and the window needs at least one month.",
        ),
    ]

    @api.model
    def _for_company(self, company):
        """The programme of a property, created with the defaults when missing."""
        # sudo: the programme rules of a property, read by every user of it
        program = self.sudo().search([("company_id", "=", company.id)], limit=1)
        if not program:
            # sudo: created with the defaults on first use by any user
            program = self.sudo().create({"company_id": company.id})
        return program

    def _earn_rate(self, category):
        self.ensure_one()
        return {"room": self.earn_rate_room, "fb": self.earn_rate_fb}.get(
            category, self.earn_rate_other
        )

    # ------------------------------------------------------------------
    # Programme figures (L8) and their XLSX export (R2)
    # ------------------------------------------------------------------

    def _compute_liability(self):
        self.env["hotel.loyalty.member"].flush_model(["points_balance", "company_id"])
        self.env.cr.execute(
            SQL(
                "SELECT company_id, COALESCE(SUM(points_balance), 0) FROM hotel_loyalty_member "
                "WHERE company_id = ANY(%s) GROUP BY company_id",
                self.company_id.ids,
            )
        )
        points = dict(self.env.cr.fetchall())
        for program in self:
            program.outstanding_points = points.get(program.company_id.id, 0)
            program.liability = program.outstanding_points * program.point_value

    def _report_figures(self, today=None):
        """The programme's figures per property, as the XLSX export and the tests read them."""
        today = fields.Date.to_date(today or fields.Date.context_today(self))
        cr = self.env.cr
        self.env.flush_all()
        result = {}
        for program in self:
            company = program.company_id
            since = today - relativedelta(months=program.window_months)
            cr.execute(SQL(
                """
                SELECT t.name->>'en_US', COUNT(m.id)
                  FROM hotel_loyalty_tier t
                  LEFT JOIN hotel_loyalty_member m ON m.tier_id = t.id AND m.company_id = %s
                                                  AND m.active
                 WHERE t.active GROUP BY t.id, t.sequence ORDER BY t.sequence
                """, company.id))
            tiers = cr.fetchall()
            cr.execute(SQL(
                """
                SELECT to_char(date_trunc('month', date), 'YYYY-MM'), kind, SUM(points)
                  FROM hotel_loyalty_ledger WHERE company_id = %s AND date >= %s
                 GROUP BY 1, 2 ORDER BY 1, 2
                """, company.id, today - relativedelta(months=12)))
            by_month = cr.fetchall()
            cr.execute(SQL(
                """
                SELECT COALESCE(SUM(points) FILTER (WHERE kind IN ('earn', 'bonus')), 0),
                       COALESCE(-SUM(points) FILTER (WHERE kind = 'redeem'), 0),
                       COALESCE(-SUM(points) FILTER (WHERE kind = 'expire'), 0)
                  FROM hotel_loyalty_ledger WHERE company_id = %s
                """, company.id))
            issued, redeemed, expired = cr.fetchone()
            cr.execute(SQL(
                """
                WITH member_stays AS (
                    SELECT m.id, COUNT(s.id) AS stays
                      FROM hotel_loyalty_member m
                      LEFT JOIN hotel_stay s ON s.partner_id = m.partner_id
                            AND s.state IN ('in_house', 'checked_out') AND s.check_out >= %s
                     WHERE m.company_id = %s AND m.active GROUP BY m.id
                )
                SELECT COUNT(*) FILTER (WHERE stays > 0), COUNT(*) FILTER (WHERE stays = 0),
                       COUNT(*) FILTER (WHERE stays >= 2) FROM member_stays
                """, since, company.id))
            active, dormant, repeat = cr.fetchone()
            cr.execute(SQL(
                """
                SELECT COALESCE(SUM(s.amount_company), 0),
                       COALESCE(SUM(s.amount_company) FILTER (WHERE m.id IS NOT NULL), 0)
                  FROM hotel_stay s
                  LEFT JOIN hotel_loyalty_member m ON m.partner_id = s.partner_id
                 WHERE s.company_id = %s AND s.state IN ('in_house', 'checked_out')
                   AND s.check_out >= %s
                """, company.id, since))
            revenue, member_revenue = cr.fetchone()
            result[company.id] = {
                "property": company.name,
                "tiers": tiers,
                "by_month": by_month,
                "issued": issued,
                "redeemed": redeemed,
                "expired": expired,
                "redemption_rate": redeemed / issued if issued else 0.0,
                "outstanding_points": program.outstanding_points,
                "liability": program.liability,
                "active": active,
                "dormant": dormant,
                "repeat_ratio": repeat / active if active else 0.0,
                "member_revenue_share": float(member_revenue) / float(revenue) if revenue else 0.0,
            }
        return result

    def _report_xlsx(self, today=None):
        """XLSX bytes with one sheet of programme figures and one of points by month."""
        import xlsxwriter

        figures = self._report_figures(today)
        buf = io.BytesIO()
        book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False})
        bold = book.add_format({"bold": True})
        pct = book.add_format({"num_format": "0.0%"})
        _ = self.env._
        sheet = book.add_worksheet(_("Programme"))
        headers = [_("Property"), _("Active Members"), _("Dormant Members"),
                   _("Repeat-Guest Ratio"), _("Points Issued"), _("Points Redeemed"),
                   _("Points Expired"), _("Redemption Rate"), _("Outstanding Points"),
                   _("Outstanding Liability"), _("Members' Share of Revenue")]
        sheet.write_row(0, 0, headers, bold)
        tier_names = []
        for row, fig in enumerate(figures.values(), start=1):
            sheet.write_row(row, 0, [fig["property"], fig["active"], fig["dormant"]])
            sheet.write(row, 3, fig["repeat_ratio"], pct)
            sheet.write_row(row, 4, [fig["issued"], fig["redeemed"], fig["expired"]])
            sheet.write(row, 7, fig["redemption_rate"], pct)
            sheet.write_row(row, 8, [fig["outstanding_points"], fig["liability"]])
            sheet.write(row, 10, fig["member_revenue_share"], pct)
            tier_names = [name for name, _count in fig["tiers"]]
        tiers = book.add_worksheet(_("Tiers"))
        tiers.write_row(0, 0, [_("Property"), *tier_names], bold)
        for row, fig in enumerate(figures.values(), start=1):
            tiers.write_row(row, 0, [fig["property"], *[c for _n, c in fig["tiers"]]])
        months = book.add_worksheet(_("Points by Month"))
        months.write_row(0, 0, [_("Property"), _("Month"), _("Kind"), _("Points")], bold)
        kinds = dict(self.env["hotel.loyalty.ledger"]._fields["kind"]._description_selection(
            self.env))
        row = 1
        for fig in figures.values():
            for month, kind, points in fig["by_month"]:
                months.write_row(row, 0, [fig["property"], month, kinds.get(kind, kind), points])
                row += 1
        book.close()
        return buf.getvalue()

    def action_export_xlsx(self):
        """The programme's figures as XLSX (managers and accounting, as the menu)."""
        user = self.env.user
        if not (user.has_group("hotel_crm.group_hotel_manager")
                or user.has_group("hotel_loyalty.group_hotel_loyalty_accounting")):
            raise AccessError(self.env._("Only a Manager or Accounting exports the figures."))
        self.check_access("read")
        programs = self or self.search([])
        data = programs._report_xlsx()
        attachment = self.env["ir.attachment"].create({
            "name": f"loyalty_programme_{fields.Date.context_today(self)}.xlsx",
            "raw": data,
            "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        })
        return {"type": "ir.actions.act_url", "target": "self",
                "url": f"/web/content/{attachment.id}?download=true"}
