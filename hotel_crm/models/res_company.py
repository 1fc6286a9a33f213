from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    hotel_retention_years = fields.Integer(
        string="Guest Data Retention (years)",
        help="Guests with no stay at this property (nor any other property still within its "
        "own period) for this many years are anonymised by the nightly retention job. "
        "0 switches the job off for this property.",
    )

    _sql_constraints = [
        ("hotel_retention_years_positive", "CHECK(hotel_retention_years >= 0)",
         "The retention period cannot be negative."),
    ]
