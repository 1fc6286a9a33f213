from odoo import models
from odoo.exceptions import AccessError, UserError


class HotelFeedback(models.Model):
    _inherit = "hotel.feedback"

    def _grant_compensation(self):
        """Points compensation: one bonus line per ticket, with the ticket as its source.

        Called by ``action_approve_compensation`` (guest relations, at the ticket's property,
        once per ticket); checked again here because it moves points (F7, S1): the points go
        to the ticket's own guest, whom the approver must see, within the goodwill limit of
        both the ticket's property and the member's home property unless a Manager approves.
        """
        res = super()._grant_compensation()
        user = self.env.user
        for ticket in self.filtered(lambda t: t.compensation_type == "points"):
            if not user.has_group("hotel_crm.group_hotel_guest_relations"):
                raise AccessError(self.env._("Only Guest Relations can grant points."))
            if ticket.compensation_points <= 0:
                raise UserError(self.env._("Enter the number of points to grant."))
            guest = ticket.partner_id
            if ticket.stay_id and ticket.stay_id.partner_id != guest:
                raise UserError(self.env._("The stay is not the guest's."))
            guest.check_access("read")
            member = guest.loyalty_member_id
            if not member:
                raise UserError(
                    self.env._("%(guest)s is not a loyalty member: enrol the guest first or "
                               "choose another compensation.",
                               guest=guest.display_name or self.env._("The guest"))
                )
            member.check_access("read")
            Program = self.env["hotel.loyalty.program"]
            limit = min(Program._for_company(member.company_id).goodwill_limit,
                        Program._for_company(ticket.company_id).goodwill_limit)
            if (ticket.compensation_points > limit
                    and not user.has_group("hotel_crm.group_hotel_manager")):
                raise UserError(
                    self.env._("Compensation above %(limit)s points needs a Manager.",
                               limit=limit)
                )
            lines = self.env["hotel.loyalty.ledger"]._post_lines([{
                "member_id": member.id,
                "kind": "bonus",
                "points": ticket.compensation_points,
                "company_id": ticket.company_id.id,
                "res_model": "hotel.feedback",
                "res_id": ticket.id,
                "source_name": ticket.reference,
                "reason": self.env._("Service recovery: %(subject)s", subject=ticket.name),
            }])
            if not lines:  # the ledger already holds this ticket's compensation
                raise UserError(self.env._("This compensation was already granted."))
        return res
