from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _hotel_privacy_data(self):
        data = super()._hotel_privacy_data()
        partner = self.sudo()
        _ = self.env._
        members = partner.loyalty_member_ids
        data[_("Membership")] = self._hotel_privacy_rows(members, [
            "member_number", "company_id", "join_date", "tier_id", "tier_valid_until",
            "points_balance", "active",
        ])
        data[_("Points Ledger")] = self._hotel_privacy_rows(members.ledger_ids, [
            "date", "kind", "points", "remaining", "expiry_date", "category", "base_amount",
            "source_name", "reason", "company_id",
        ])
        data[_("Tier History")] = self._hotel_privacy_rows(
            self.env["hotel.loyalty.tier.history"].sudo().search(
                [("member_id", "in", members.ids)]
            ),
            ["date", "old_tier_id", "new_tier_id", "kind", "reason"],
        )
        return data

    def _hotel_anonymise_blockers(self):
        reasons = super()._hotel_anonymise_blockers()
        # sudo: the accounting documents of the guest, whoever asks
        open_invoices = self.env["account.move"].sudo().search_count([
            ("partner_id", "child_of", self.commercial_partner_id.id),
            ("move_type", "in", ("out_invoice", "out_refund")),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
        ])
        if open_invoices:
            reasons.append(self.env._(
                "%(guest)s has %(count)s unpaid invoice(s); settle them before erasing the "
                "guest's data.", guest=self.display_name, count=open_invoices,
            ))
        return reasons
