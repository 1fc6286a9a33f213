from datetime import timedelta

from odoo import fields, models
from odoo.tools import SQL


class HotelMarketingAutomation(models.Model):
    _inherit = "hotel.marketing.automation"

    kind = fields.Selection(
        selection_add=[("welcome", "New-Member Welcome"), ("winback", "Win-Back")],
        ondelete={"welcome": "cascade", "winback": "cascade"},
    )

    def _hotel_occasions_welcome(self, today):
        """Members who joined ``days`` days ago (or up to ``catch_up_days`` before)."""
        last = today - timedelta(days=self.days)
        companies = SQL("")
        if self.company_ids:
            companies = SQL("AND m.company_id = ANY(%s)", self.company_ids.ids)
        self.env["hotel.loyalty.member"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT m.partner_id, 'member:' || m.id FROM hotel_loyalty_member m
                 WHERE m.active AND m.join_date BETWEEN %s AND %s %s
                 ORDER BY m.id
                """,
                last - timedelta(days=self.catch_up_days),
                last,
                companies,
            )
        )
        return [(pid, key, None) for pid, key in self.env.cr.fetchall()]

    def _hotel_occasions_winback(self, today):
        """Members without a stay for ``days`` days: once per dormancy (the key is the date
        of the last stay, so a member who comes back and lapses again is mailed again)."""
        self.env["hotel.loyalty.member"].flush_model()
        self.env["res.partner"].flush_model(["last_stay_date"])
        companies = SQL("")
        if self.company_ids:
            companies = SQL("AND m.company_id = ANY(%s)", self.company_ids.ids)
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id, 'dormant:' || p.last_stay_date FROM hotel_loyalty_member m
                  JOIN res_partner p ON p.id = m.partner_id
                 WHERE m.active AND p.last_stay_date IS NOT NULL
                   AND p.last_stay_date <= %s %s
                 ORDER BY p.id
                """,
                today - timedelta(days=self.days),
                companies,
            )
        )
        return [(pid, key, None) for pid, key in self.env.cr.fetchall()]

    def _hotel_occasion_values(self, send):
        values = super()._hotel_occasion_values(send)
        member = send.partner_id.loyalty_member_id
        if member:
            values.update(
                {
                    "member_number": member.member_number,
                    "tier": member.tier_id.name,
                    "points": member.points_balance,
                }
            )
            if self.kind == "birthday":
                # The points themselves are posted by hotel_loyalty's birthday job.
                # sudo: the programme's birthday bonus figure, not member data
                program = self.env["hotel.loyalty.program"].sudo()._for_company(
                    member.company_id
                )
                values["birthday_points"] = program.birthday_bonus
        return values
