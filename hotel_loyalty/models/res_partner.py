from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.hotel_crm.tools.trusted import check_protected_fields


class ResPartner(models.Model):
    _inherit = "res.partner"

    loyalty_member_ids = fields.One2many("hotel.loyalty.member", "partner_id")
    loyalty_member_id = fields.Many2one(
        "hotel.loyalty.member", compute="_compute_loyalty_member_id", string="Membership",
        store=True, index="btree_not_null",
    )
    loyalty_tier_id = fields.Many2one(
        related="loyalty_member_id.tier_id", string="Loyalty Tier"
    )
    loyalty_points = fields.Integer(
        related="loyalty_member_id.points_balance", string="Points"
    )
    loyalty_tier_valid_until = fields.Date(
        related="loyalty_member_id.tier_valid_until", string="Tier Valid Until"
    )
    loyalty_next_tier_gap = fields.Char(
        related="loyalty_member_id.next_tier_gap", string="To Reach the Next Tier"
    )
    loyalty_benefit_ids = fields.Many2many(
        related="loyalty_member_id.benefit_ids", string="Member Benefits"
    )

    @api.depends("loyalty_member_ids")
    def _compute_loyalty_member_id(self):
        for partner in self:
            partner.loyalty_member_id = partner.loyalty_member_ids[:1]

    # The guest's membership follows its member record: a stored computed field is writable
    # over the API, and the points of service recovery and member mails go to this member.
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_protected_fields(self, ["loyalty_member_id"], vals,
                                   "hotel_loyalty.member_figures")
        return super().create(vals_list)

    def write(self, vals):
        check_protected_fields(self, ["loyalty_member_id"], vals,
                               "hotel_loyalty.member_figures")
        return super().write(vals)

    def action_hotel_loyalty_enrol(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Enrol in the Loyalty Programme"),
            "res_model": "hotel.loyalty.enrol.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_ids": self.ids},
        }

    def action_hotel_loyalty_open_member(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "hotel.loyalty.member",
            "res_id": self.loyalty_member_id.id,
            "view_mode": "form",
        }

    # ------------------------------------------------------------------
    # Privacy (S5): export sections and erasure
    # ------------------------------------------------------------------
    def _hotel_privacy_data(self):
        data = super()._hotel_privacy_data()
        # sudo: membership and points belong in the guest's export
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
            # sudo: tier history belongs in the guest's export
            self.env["hotel.loyalty.tier.history"].sudo().search(
                [("member_id", "in", members.ids)]
            ),
            ["date", "old_tier_id", "new_tier_id", "kind", "reason"],
        )
        return data

    def _hotel_anonymise_related(self):
        """Points, tiers and their history stay (figures); the members' chatter and the
        free-text reasons staff typed on point adjustments go."""
        res = super()._hotel_anonymise_related()
        # sudo: erasure reaches memberships of every property
        members = self.env["hotel.loyalty.member"].sudo().with_context(
            active_test=False).search([("partner_id", "in", self.ids)])
        self._hotel_erase_documents("hotel.loyalty.member", members.ids)
        if members:
            # the ledger is append-only for every caller (its write() refuses all); erasure
            # blanks only the typed reasons, never the points
            ledger = self.env["hotel.loyalty.ledger"]
            ledger.flush_model(["reason"])
            self.env.cr.execute(SQL(
                "UPDATE hotel_loyalty_ledger SET reason = NULL "
                "WHERE member_id = ANY(%s) AND reason IS NOT NULL", members.ids))
            ledger.invalidate_model(["reason"])
        return res

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

    def _hotel_refresh_derived(self):
        res = super()._hotel_refresh_derived()
        # sudo: balances and tiers follow the merge whoever performs it
        members = self.env["hotel.loyalty.member"].sudo().search(
            [("partner_id", "in", self.ids)]
        )
        if members:
            members._refresh_balance()
            members._evaluate_tiers()
        return res
