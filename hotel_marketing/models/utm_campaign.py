from odoo import fields, models
from odoo.exceptions import AccessError


class UtmCampaign(models.Model):
    _inherit = "utm.campaign"

    hotel_currency_id = fields.Many2one(
        "res.currency",
        string="Campaign Currency",
        default=lambda self: self.env.company.currency_id,
        help="Cost, attributed revenue and ROI of the campaign are in this currency; revenue "
        "earned at properties with another currency is converted with Odoo's rates at the "
        "conversion date. Defaults to the currency of the property you work in.",
    )
    hotel_cost = fields.Monetary(
        string="Campaign Cost",
        currency_field="hotel_currency_id",
        help="What the campaign cost (design, offers given, sending); the ROI is measured "
        "against it.",
    )
    hotel_conversion_count = fields.Integer(
        string="Conversions", compute="_compute_hotel_roi",
        help="Stays (and posted invoices) attributed to the campaign.",
    )
    hotel_revenue = fields.Monetary(
        string="Attributed Revenue", currency_field="hotel_currency_id",
        compute="_compute_hotel_roi",
    )
    hotel_roi = fields.Float(
        string="ROI (%)", compute="_compute_hotel_roi", digits=(16, 1),
        help="(Attributed revenue − cost) / cost; empty while the campaign has no cost.",
    )

    _sql_constraints = [
        ("hotel_cost_check", "CHECK(hotel_cost >= 0)", "A campaign cost cannot be negative."),
    ]

    def _compute_hotel_roi(self):
        ids = [cid for cid in self.ids if isinstance(cid, int)]
        data = {}
        if ids:
            data = {
                campaign.id: (count, revenue)
                for campaign, count, revenue in self.env["hotel.marketing.attribution"]
                # sudo: campaign totals over every property the campaign reached
                .sudo()
                ._read_group([("campaign_id", "in", ids)], ["campaign_id"],
                             ["__count", "revenue:sum"])
            }
        for campaign in self:
            count, revenue = data.get(campaign.id, (0, 0.0))
            campaign.hotel_conversion_count = count
            campaign.hotel_revenue = revenue
            campaign.hotel_roi = (
                100.0 * (revenue - campaign.hotel_cost) / campaign.hotel_cost
                if campaign.hotel_cost
                else 0.0
            )

    def write(self, vals):
        res = super().write(vals)
        if "hotel_currency_id" in vals:
            # The attributed revenue is stored in the campaign's currency.
            self.env["hotel.marketing.attribution"]._hotel_recompute(self.ids)
        return res

    def action_hotel_recompute_attribution(self):
        """Marketing only: every internal user may read campaigns, and the recompute rewrites
        the conversions of every guest the campaigns reached."""
        if not self.env.user.has_group("hotel_crm.group_hotel_marketing"):
            raise AccessError(self.env._("Only marketing recomputes campaign conversions."))
        self.env["hotel.marketing.attribution"]._hotel_recompute(self.ids)
        return True

    def action_hotel_view_attribution(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "hotel_marketing.hotel_marketing_attribution_action"
        )
        action["domain"] = [("campaign_id", "=", self.id)]
        return action
