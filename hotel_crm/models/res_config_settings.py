from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    hotel_retention_years = fields.Integer(
        related="company_id.hotel_retention_years", readonly=False
    )
