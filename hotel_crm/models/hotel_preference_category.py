from odoo import fields, models


class HotelPreferenceCategory(models.Model):
    _name = "hotel.preference.category"
    _description = "Guest Preference Category"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    sensitive = fields.Boolean(
        help="Health-related preferences (allergies, medical needs). Only users in the "
        "'Sensitive Guest Data' group can see them.",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("code_unique", "unique(code)", "A preference category with this code already exists."),
    ]
