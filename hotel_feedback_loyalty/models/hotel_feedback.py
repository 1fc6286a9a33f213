from odoo import models
from odoo.exceptions import UserError


class HotelFeedback(models.Model):
    _inherit = "hotel.feedback"

    def _grant_compensation(self):
        """Points compensation: one bonus line per ticket, with the ticket as its source."""
        res = super()._grant_compensation()
        for ticket in self.filtered(lambda t: t.compensation_type == "points"):
            if ticket.compensation_points <= 0:
                raise UserError(self.env._("Enter the number of points to grant."))
            member = ticket.partner_id.loyalty_member_id
            if not member:
                raise UserError(
                    self.env._("%(guest)s is not a loyalty member: enrol the guest first or "
                               "choose another compensation.",
                               guest=ticket.partner_id.display_name or self.env._("The guest"))
                )
            program = self.env["hotel.loyalty.program"]._for_company(member.company_id)
            user = self.env.user
            if (ticket.compensation_points > program.goodwill_limit
                    and not user.has_group("hotel_crm.group_hotel_manager")):
                raise UserError(
                    self.env._("Compensation above %(limit)s points needs a Manager.",
                               limit=program.goodwill_limit)
                )
            self.env["hotel.loyalty.ledger"]._post_lines([{
                "member_id": member.id,
                "kind": "bonus",
                "points": ticket.compensation_points,
                "company_id": ticket.company_id.id,
                "res_model": "hotel.feedback",
                "res_id": ticket.id,
                "source_name": ticket.reference,
                "reason": self.env._("Service recovery: %(subject)s", subject=ticket.name),
            }])
        return res
