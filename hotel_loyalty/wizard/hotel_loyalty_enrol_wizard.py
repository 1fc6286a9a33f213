from datetime import timedelta

from odoo import fields, models
from odoo.exceptions import AccessError, UserError


class HotelLoyaltyEnrolWizard(models.TransientModel):
    _name = "hotel.loyalty.enrol.wizard"
    _description = "Enrol Guests in the Loyalty Programme"

    partner_ids = fields.Many2many("res.partner", string="Guests", required=True)
    company_id = fields.Many2one(
        "res.company", string="Home Property", required=True,
        default=lambda self: self.env.company,
    )
    retro_days = fields.Integer(
        string="Award Points for the Last (days)",
        default=lambda self: self.env["hotel.loyalty.program"]._for_company(
            self.env.company
        ).retro_days,
    )

    def action_enrol(self):
        """Enrol the selected guests (front desk). Callable over RPC with any values: the
        role, the property and the retroactive window are checked here."""
        self.ensure_one()
        user = self.env.user
        if not user.has_group("hotel_crm.group_hotel_front_desk"):
            raise AccessError(self.env._("Only the front desk enrols members."))
        if self.retro_days < 0:
            raise UserError(self.env._("The number of days cannot be negative."))
        program = self.env["hotel.loyalty.program"]._for_company(self.company_id)
        if self.retro_days > program.retro_days and not user.has_group(
            "hotel_crm.group_hotel_manager"
        ):
            raise AccessError(self.env._(
                "Awarding points for more than the last %(days)s days needs a Manager.",
                days=program.retro_days,
            ))
        persons = self.partner_ids.filtered(lambda p: not p.is_company)
        if not persons:
            raise UserError(self.env._("Select at least one guest (not a company)."))
        new = persons.filtered(lambda p: not p.loyalty_member_ids)
        today = fields.Date.context_today(self)
        members = self.env["hotel.loyalty.member"].create([
            {"partner_id": p.id, "company_id": self.company_id.id} for p in new
        ])
        if self.retro_days and members:
            start = today - timedelta(days=self.retro_days)
            # sudo: past invoices earn points for a new member (retroactive enrolment)
            invoices = self.env["account.move"].sudo().search([
                ("move_type", "=", "out_invoice"), ("state", "=", "posted"),
                ("partner_id", "in", members.partner_id.ids),
                ("invoice_date", ">=", start),
            ])
            invoices._hotel_loyalty_sync(retro_since=start)
        if len(members) == 1:
            return {"type": "ir.actions.act_window", "res_model": "hotel.loyalty.member",
                    "res_id": members.id, "view_mode": "form"}
        return {"type": "ir.actions.act_window_close"}
