from odoo import fields, models


class HotelCrmRoomType(models.Model):
    _name = "hotel.crm.room.type"
    _description = "Room Type"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("code_unique", "unique(code)", "A room type with this code already exists."),
    ]
