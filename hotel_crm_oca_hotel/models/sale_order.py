from odoo import api, models

from odoo.addons.hotel_crm.tools.trusted import is_trusted

from .hotel_folio import FOLIO_SYNC, SYNCED_FIELDS

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
        # inside a folio's own write (a flag of the running code, not a context key) the
        # folio syncs its stay itself; superuser code always syncs (is_trusted is true for
        # it, so it cannot tell a folio's write from any other: syncing twice is harmless)
        if self.ids and (self.env.su or not is_trusted(self.env, FOLIO_SYNC)):
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
