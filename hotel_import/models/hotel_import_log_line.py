from odoo import api, fields, models

from .hotel_import_log import check_import_log_write


class HotelImportLogLine(models.Model):
    _name = "hotel.import.log.line"
    _description = "Rejected Import Row"
    _order = "log_id, row_number"

    log_id = fields.Many2one("hotel.import.log", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="log_id.company_id", store=True, index=True)
    row_number = fields.Integer(string="Row", help="Row of the file, the header being row 1.")
    reason = fields.Char(required=True)
    values = fields.Text(string="Row Values", help="The row as it was in the file.")

    @api.model_create_multi
    def create(self, vals_list):
        check_import_log_write(self)
        return super().create(vals_list)

    def write(self, vals):
        check_import_log_write(self)
        return super().write(vals)
