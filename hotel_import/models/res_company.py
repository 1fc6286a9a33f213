from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    hotel_import_aliases = fields.Char(
        string="Import Aliases",
        help="Other names and codes PMS and OTA exports use for this property, "
        "comma-separated (e.g. BJ, Beijing Business Hotel).",
    )
