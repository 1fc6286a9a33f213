from odoo import fields, models

REVENUE_CATEGORIES = [("room", "Rooms"), ("fb", "F&B"), ("other", "Other")]


class ProductCategory(models.Model):
    _inherit = "product.category"

    hotel_revenue_category = fields.Selection(
        REVENUE_CATEGORIES,
        help="Which earn rate of the loyalty programme invoice lines of this category use. "
        "Empty: the account's category, else Other.",
    )


class AccountAccount(models.Model):
    _inherit = "account.account"

    hotel_revenue_category = fields.Selection(
        REVENUE_CATEGORIES,
        help="Used for invoice lines whose product category has no revenue category.",
    )
