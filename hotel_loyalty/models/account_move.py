import math
from collections import defaultdict

from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._hotel_loyalty_earn()
        return posted

    def _hotel_line_category(self, line):
        return (
            line.product_id.categ_id.hotel_revenue_category
            or line.account_id.hotel_revenue_category
            or "other"
        )

    def _hotel_member(self):
        self.ensure_one()
        # sudo: accounting users posting invoices need not be loyalty users
        Member = self.env["hotel.loyalty.member"].sudo()
        for partner in (self.partner_id, self.partner_id.commercial_partner_id):
            member = Member.search([("partner_id", "=", partner.id)], limit=1)
            if member:
                return member
        return Member

    def _hotel_points(self, member, sign):
        """Points of this invoice, by revenue category, with the tier multiplier."""
        self.ensure_one()
        program = self.env["hotel.loyalty.program"]._for_company(self.company_id)
        day = self.invoice_date or self.date
        tier = member._tier_on(day)
        multiplier = (tier.point_multiplier or 1.0) if tier else 1.0
        if program.member_day and day.day == program.member_day:
            multiplier *= program.member_day_factor or 1.0
        spend = defaultdict(float)
        for line in self.invoice_line_ids.filtered(lambda ln: ln.display_type == "product"):
            # -balance: revenue in the company currency, positive on an invoice
            spend[self._hotel_line_category(line)] += -line.balance * sign
        points = sum(
            amount * program._earn_rate(category) * multiplier for category, amount in spend.items()
        )
        categories = [c for c, a in spend.items() if a]
        return {
            "points": math.floor(points + 1e-9),
            "base_amount": sum(spend.values()),
            "category": categories[0] if len(categories) == 1 else "mixed",
            "tier_id": tier.id,
            "multiplier": multiplier,
            "date": day,
        }

    def _hotel_loyalty_earn(self):
        """Earn on customer invoices, reverse on credit notes; once per document."""
        vals_list, reversals = [], []
        for move in self.filtered(lambda m: m.move_type in ("out_invoice", "out_refund")):
            member = move._hotel_member()
            if not member or member.join_date > (move.invoice_date or move.date):
                continue
            if move.move_type == "out_invoice":
                vals = move._hotel_points(member, sign=1)
                if vals["points"] > 0:
                    vals_list.append({
                        **vals, "member_id": member.id, "kind": "earn",
                        "company_id": move.company_id.id, "res_model": "account.move",
                        "res_id": move.id, "source_name": move.name,
                    })
            else:
                vals = move._hotel_points(member, sign=-1)
                origin = move.reversed_entry_id
                if origin:
                    # sudo: the points of the reversed invoice, whoever posts the credit note
                    earned = self.env["hotel.loyalty.ledger"].sudo().search([
                        ("res_model", "=", "account.move"), ("res_id", "=", origin.id),
                        ("kind", "=", "earn"),
                    ], limit=1)
                    if not earned:
                        continue
                    # the credited share of what the invoice earned, at the invoice's rate
                    share = min(abs(vals["base_amount"]) / (earned.base_amount or 1.0), 1.0)
                    points = math.floor(earned.points * share + 1e-9)
                else:
                    points = abs(vals["points"])
                if points > 0:
                    reversals.append({
                        **vals, "points": -points, "member_id": member.id, "kind": "reversal",
                        "company_id": move.company_id.id, "res_model": "account.move",
                        "res_id": move.id, "source_name": move.name,
                        "reason": origin.name and self.env._(
                            "Credit note for %(invoice)s", invoice=origin.name
                        ),
                    })
        Ledger = self.env["hotel.loyalty.ledger"]
        lines = Ledger._post_lines(vals_list) | Ledger._post_lines(reversals, allow_partial=True)
        if lines:
            lines.member_id._evaluate_tiers(allow_downgrade=False)
        return lines
