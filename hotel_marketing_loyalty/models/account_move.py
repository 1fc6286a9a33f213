from odoo import api, fields, models
from odoo.exceptions import ValidationError


class AccountMove(models.Model):
    _inherit = "account.move"

    hotel_stay_id = fields.Many2one(
        "hotel.stay",
        string="Stay",
        index="btree_not_null",
        ondelete="set null",
        domain="[('partner_id', 'in', [partner_id, commercial_partner_id]), "
        "('company_id', '=', company_id)]",
        help="The stay this folio invoice bills. An invoice of a stay already attributed to "
        "a campaign does not count its revenue a second time.",
    )

    @api.constrains("hotel_stay_id", "partner_id", "company_id", "move_type")
    def _check_hotel_stay_id(self):
        for move in self.filtered("hotel_stay_id"):
            stay = move.hotel_stay_id
            if move.move_type not in ("out_invoice", "out_refund"):
                raise ValidationError(
                    self.env._("Only customer invoices and credit notes can bill a stay.")
                )
            if stay.partner_id not in (move.partner_id, move.partner_id.commercial_partner_id):
                raise ValidationError(
                    self.env._(
                        "Stay %(stay)s is a stay of %(guest)s, not of %(customer)s.",
                        stay=stay.display_name,
                        guest=stay.partner_id.display_name,
                        customer=move.partner_id.display_name,
                    )
                )
            if stay.company_id != move.company_id:
                raise ValidationError(
                    self.env._(
                        "Stay %(stay)s is at %(property)s; invoice it from that property.",
                        stay=stay.display_name,
                        property=stay.company_id.name,
                    )
                )
