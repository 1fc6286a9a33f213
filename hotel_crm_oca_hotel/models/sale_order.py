from odoo import api, models

from .hotel_folio import SYNCED_FIELDS

# fields of an order line the stay's revenue and room type are made from
LINE_FIELDS = {"order_id", "product_id", "product_uom_qty", "price_unit", "discount", "tax_id",
               "display_type"}


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def write(self, vals):
        res = super().write(vals)
        # a folio is confirmed or cancelled through its sale order (action_confirm writes
        # the order's state)
        if SYNCED_FIELDS & set(vals):
            self._hotel_sync_folio_stays()
        return res

    def _hotel_sync_folio_stays(self):
        if self.ids and not self.env.context.get("hotel_folio_sync"):
            self.env["hotel.folio"].search([("order_id", "in", self.ids)])._hotel_sync_stays()


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    # room and service lines of a folio are sale order lines: their amounts are the stay's
    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.order_id._hotel_sync_folio_stays()
        return lines

    def write(self, vals):
        orders = self.order_id if "order_id" in vals else self.env["sale.order"]
        res = super().write(vals)
        if LINE_FIELDS & set(vals):
            (orders | self.order_id)._hotel_sync_folio_stays()
        return res

    def unlink(self):
        orders = self.order_id
        res = super().unlink()
        orders.exists()._hotel_sync_folio_stays()
        return res
