from odoo import fields, models


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
