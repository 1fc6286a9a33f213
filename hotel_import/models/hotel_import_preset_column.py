from odoo import fields, models

from .hotel_import_preset import TARGET_FIELDS


class HotelImportPresetColumn(models.Model):
    _name = "hotel.import.preset.column"
    _description = "Guest Import Preset Column"
    _order = "preset_id, sequence, id"

    preset_id = fields.Many2one(
        "hotel.import.preset", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    header = fields.Char(string="Column in the File", required=True)
    field = fields.Selection(TARGET_FIELDS, string="Imported As", required=True)
