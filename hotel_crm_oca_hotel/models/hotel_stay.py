from odoo import api, fields, models

from odoo.addons.hotel_crm.tools.trusted import check_protected_fields

# the link is made by the folio sync (as superuser): a stay linked to another folio by hand
# would be overwritten from it, one unlinked would fall out of step
PROTECTED_FIELDS = ("folio_id",)


class HotelStay(models.Model):
    _inherit = "hotel.stay"

    folio_id = fields.Many2one(
        "hotel.folio",
        index=True,
        readonly=True,
        ondelete="set null",
        help="The folio of Odoo Hotel this stay is kept in step with.",
    )

    _sql_constraints = [
        ("folio_unique", "unique(folio_id)", "A folio has one stay."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_protected_fields(self, PROTECTED_FIELDS, vals, "hotel_crm_oca_hotel.folio_sync")
        return super().create(vals_list)

    def write(self, vals):
        check_protected_fields(self, PROTECTED_FIELDS, vals, "hotel_crm_oca_hotel.folio_sync")
        return super().write(vals)
