import io
from datetime import date, timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.hotel_crm.tools.trusted import trusted


class HotelFeedbackConfig(models.Model):
    """Feedback settings of one property (company)."""

    _name = "hotel.feedback.config"
    _description = "Feedback Settings"
    _rec_name = "company_id"

    company_id = fields.Many2one(
        "res.company", string="Property", required=True, ondelete="cascade", index=True
    )
    survey_id = fields.Many2one(
        "survey.survey", string="Post-Stay Survey",
        default=lambda self: self.env.ref("hotel_feedback.survey_post_stay",
                                          raise_if_not_found=False),
    )
    survey_delay_days = fields.Integer(
        string="Send Survey After (days)", default=1,
        help="Days after check-out at which the post-stay survey is sent.",
    )
    low_overall = fields.Integer(
        string="Low Overall Score", default=2,
        help="An overall satisfaction at or below this (1–5) opens a ticket.",
    )
    low_nps = fields.Integer(
        string="Low Recommendation Score", default=6,
        help="A recommendation score (0–10) at or below this, with a comment, opens a ticket.",
    )
    csat_target = fields.Float(string="CSAT Target (%)", default=85.0)
    rating_target = fields.Float(string="Online Rating Target", default=4.5)

    _sql_constraints = [
        ("company_unique", "unique(company_id)", "A property has one feedback setting."),
        ("values_check",
         "CHECK(survey_delay_days >= 0 AND low_overall BETWEEN 0 AND 5 "
         "AND low_nps BETWEEN 0 AND 10)",
         "Survey delay cannot be negative; scores are 1–5 and 0–10."),
    ]

    @api.model
    def _for_company(self, company):
        # sudo: settings of a property, read by every feedback user of it
        config = self.sudo().search([("company_id", "=", company.id)], limit=1)
        # sudo: created with the defaults on first use by any user
        return config or self.sudo().create({"company_id": company.id})

    # ------------------------------------------------------------------
    # KPI figures (F6, R1) and their XLSX export (R2)
    # ------------------------------------------------------------------
    def _kpi_figures(self, date_from, date_to):
        """Satisfaction figures of the property between two dates (inclusive)."""
        self.ensure_one()
        cr = self.env.cr
        self.env.flush_all()
        company = self.company_id.id
        start = fields.Datetime.to_datetime(date_from)
        end = fields.Datetime.to_datetime(date_to) + timedelta(days=1)
        cr.execute(SQL(
            """
            SELECT COUNT(*) FILTER (WHERE hotel_overall_score > 0),
                   COUNT(*) FILTER (WHERE hotel_overall_score >= 4),
                   COUNT(*) FILTER (WHERE hotel_nps_score >= 0),
                   COUNT(*) FILTER (WHERE hotel_nps_score >= 9),
                   COUNT(*) FILTER (WHERE hotel_nps_score BETWEEN 0 AND 6)
              FROM survey_user_input
             WHERE state = 'done' AND hotel_company_id = %s
               AND end_datetime >= %s AND end_datetime < %s
            """, company, start, end))
        answered, satisfied, nps_n, promoters, detractors = cr.fetchone()
        cr.execute(SQL(
            "SELECT COUNT(*), AVG(rating) FROM hotel_review "
            "WHERE company_id = %s AND date BETWEEN %s AND %s",
            company, date_from, date_to))
        reviews, rating = cr.fetchone()
        # Compliance counts each ticket's reply and its first resolution against their
        # deadlines: a breach once recorded stays (a reopening does not erase it), and a clock
        # that ran out counts as breached even before the SLA job has seen it.
        cr.execute(SQL(
            """
            WITH f AS (
                SELECT reply_hours, first_resolve_hours, first_reply_date, first_resolved_date,
                       auto_category_id, category_corrected,
                       reply_deadline IS NOT NULL AS reply_sla,
                       COALESCE(reply_breached, FALSE)
                           OR COALESCE(first_reply_date > reply_deadline, FALSE)
                           OR (first_reply_date IS NULL
                               AND COALESCE(reply_deadline < %(now)s, FALSE)) AS reply_late,
                       COALESCE(first_resolve_deadline, resolve_deadline) IS NOT NULL
                           AS resolve_sla,
                       COALESCE(resolve_breached, FALSE)
                           OR COALESCE(first_resolved_date > first_resolve_deadline, FALSE)
                           OR (first_resolved_date IS NULL
                               AND COALESCE(resolve_deadline < %(now)s, FALSE))
                           AS resolve_late
                  FROM hotel_feedback
                 WHERE company_id = %(company)s
                   AND received_date >= %(start)s AND received_date < %(end)s
            )
            SELECT COUNT(*),
                   PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY reply_hours)
                       FILTER (WHERE first_reply_date IS NOT NULL),
                   PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY reply_hours)
                       FILTER (WHERE first_reply_date IS NOT NULL),
                   PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY first_resolve_hours)
                       FILTER (WHERE first_resolved_date IS NOT NULL),
                   PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY first_resolve_hours)
                       FILTER (WHERE first_resolved_date IS NOT NULL),
                   COUNT(*) FILTER (WHERE reply_sla
                                      AND (first_reply_date IS NOT NULL OR reply_late)),
                   COUNT(*) FILTER (WHERE reply_sla AND first_reply_date IS NOT NULL
                                      AND NOT reply_late),
                   COUNT(*) FILTER (WHERE resolve_sla
                                      AND (first_resolved_date IS NOT NULL OR resolve_late)),
                   COUNT(*) FILTER (WHERE resolve_sla AND first_resolved_date IS NOT NULL
                                      AND NOT resolve_late),
                   COUNT(*) FILTER (WHERE auto_category_id IS NOT NULL),
                   COUNT(*) FILTER (WHERE auto_category_id IS NOT NULL
                                      AND NOT COALESCE(category_corrected, FALSE))
              FROM f
            """, now=fields.Datetime.now(), company=company, start=start, end=end))
        (tickets, reply_p50, reply_p90, resolve_p50, resolve_p90, reply_done, reply_met,
         resolve_done, resolve_met, classified, kept) = cr.fetchone()
        cr.execute(SQL(
            """
            SELECT COALESCE(c.name->>'en_US', ''), COUNT(*) FROM hotel_feedback f
              LEFT JOIN hotel_feedback_category c ON c.id = f.category_id
             WHERE f.company_id = %s AND f.received_date >= %s AND f.received_date < %s
             GROUP BY 1 ORDER BY 2 DESC, 1
            """, company, start, end))
        by_category = cr.fetchall()
        return {
            "property": self.company_id.name,
            "surveys": answered,
            "csat": 100.0 * satisfied / answered if answered else None,
            "nps": (100.0 * (promoters - detractors) / nps_n) if nps_n else None,
            "reviews": reviews,
            "online_rating": float(rating) if rating is not None else None,
            "tickets": tickets,
            "reply_p50": reply_p50, "reply_p90": reply_p90,
            "resolve_p50": resolve_p50, "resolve_p90": resolve_p90,
            "reply_compliance": 100.0 * reply_met / reply_done if reply_done else None,
            "resolve_compliance": 100.0 * resolve_met / resolve_done if resolve_done else None,
            "by_category": by_category,
            "classification_accuracy": 100.0 * kept / classified if classified else None,
            "csat_target": self.csat_target,
            "rating_target": self.rating_target,
        }

    def _quarters(self, year):
        return [(q, date(year, 3 * q - 2, 1),
                 date(year + (q == 4), (3 * q) % 12 + 1, 1) - timedelta(days=1))
                for q in range(1, 5)]

    def _kpi_xlsx(self, year):
        import xlsxwriter

        _ = self.env._
        buf = io.BytesIO()
        book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False})
        bold = book.add_format({"bold": True})
        sheet = book.add_worksheet(_("KPI"))
        headers = [_("Property"), _("Quarter"), _("Surveys"), _("CSAT (%)"), _("CSAT Target (%)"),
                   _("NPS"), _("Reviews"), _("Online Rating"), _("Rating Target"), _("Tickets"),
                   _("Median Reply (h)"), _("P90 Reply (h)"), _("Median Resolution (h)"),
                   _("P90 Resolution (h)"), _("Reply SLA Met (%)"), _("Resolution SLA Met (%)"),
                   _("Classification Accuracy (%)")]
        sheet.write_row(0, 0, headers, bold)
        row = 1
        for config in self:
            for quarter, start, end in config._quarters(year):
                fig = config._kpi_figures(start, end)
                sheet.write_row(row, 0, [
                    fig["property"], f"{year} Q{quarter}", fig["surveys"], fig["csat"],
                    fig["csat_target"], fig["nps"], fig["reviews"], fig["online_rating"],
                    fig["rating_target"], fig["tickets"], fig["reply_p50"], fig["reply_p90"],
                    fig["resolve_p50"], fig["resolve_p90"], fig["reply_compliance"],
                    fig["resolve_compliance"], fig["classification_accuracy"],
                ])
                row += 1
        book.close()
        return buf.getvalue()

    def action_export_kpi_xlsx(self):
        configs = self or self.search([])
        year = fields.Date.context_today(self).year
        attachment = self.env["ir.attachment"].create({
            "name": f"guest_satisfaction_kpi_{year}.xlsx",
            "raw": configs._kpi_xlsx(year),
            "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        })
        return {"type": "ir.actions.act_url", "target": "self",
                "url": f"/web/content/{attachment.id}?download=true"}

    @api.model
    def _demo_survey_answers(self, count=40):
        """Demo: post-stay survey answers for recent stays (a few low ones open tickets)."""
        survey = self.env.ref("hotel_feedback.survey_post_stay")
        questions = {q.hotel_role: q for q in survey.question_ids if q.hotel_role != "department"}
        stays = self.env["hotel.stay"].search(
            [("state", "=", "checked_out"), ("partner_id.email", "!=", False)],
            order="check_out desc, id", limit=count,
        )
        comments = ["房间很干净，早餐丰富。", "Great location, friendly staff.",
                    "空调有点吵。", "Check-in took too long.", ""]
        for n, stay in enumerate(stays):
            overall = (5, 4, 5, 3, 4, 5, 2, 4, 5, 1)[n % 10]
            nps = (10, 9, 9, 7, 8, 10, 4, 8, 9, 2)[n % 10]
            # sudo: demo data only, survey answers are created as the survey does
            answer = survey.sudo()._create_answer(
                partner=stay.partner_id, check_attempts=False, hotel_stay_id=stay.id
            )
            with trusted("hotel_feedback.survey"):
                stay.survey_user_input_id = answer
            answer._save_lines(questions["overall"], str(overall))
            answer._save_lines(questions["nps"], str(nps))
            comment = comments[n % len(comments)]
            if comment:
                answer._save_lines(questions["comment"], comment)
            answer._mark_done()
        return stays
