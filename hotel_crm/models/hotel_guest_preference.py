from odoo import api, fields, models


class HotelGuestPreference(models.Model):
    _name = "hotel.guest.preference"
    _description = "Guest Preference"
    _inherit = ["hotel.audited.mixin"]
    _order = "partner_id, sequence, id"
    _hotel_audit_fields = ("category_id", "value", "note")

    partner_id = fields.Many2one(
        "res.partner", string="Guest", required=True, ondelete="cascade", index=True
    )
    category_id = fields.Many2one(
        "hotel.preference.category", required=True, ondelete="restrict", index=True
    )
    sequence = fields.Integer(related="category_id.sequence", store=True)
    value = fields.Char(required=True)
    note = fields.Char()
    sensitive = fields.Boolean(related="category_id.sensitive", store=True, index=True)

    @api.depends("category_id", "value")
    def _compute_display_name(self):
        for pref in self:
            pref.display_name = f"{pref.category_id.name or ''}: {pref.value or ''}"
