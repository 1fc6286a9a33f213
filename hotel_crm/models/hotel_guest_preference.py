from odoo import api, fields, models

from ..tools.trusted import check_protected_fields

# Follows the category: a preference marked not sensitive by hand would show an allergy to
# every user the sensitive-data rule hides it from.
DERIVED_FIELDS = ("sensitive", "sequence")


class HotelGuestPreference(models.Model):
    _name = "hotel.guest.preference"
    _description = "Guest Preference"
    _inherit = ["hotel.audited.mixin"]
    _order = "partner_id, sequence, id"
    _rec_names_search = ["value", "category_id"]
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

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_protected_fields(self, DERIVED_FIELDS, vals, "hotel_crm.preference_derived")
        return super().create(vals_list)

    def write(self, vals):
        check_protected_fields(self, DERIVED_FIELDS, vals, "hotel_crm.preference_derived")
        res = super().write(vals)
        if "partner_id" in vals and not self.env.su:
            # Odoo checks the rules before a write only: a preference moved to a guest of
            # another property would write into a profile the user may not read
            self.check_access("write")
        return res
