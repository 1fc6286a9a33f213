from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.hotel_crm.tools.trusted import trusted

# the folio's own write of its sale order: the order leaves the stay to the folio
FOLIO_SYNC = "hotel_crm_oca_hotel.folio_sync"
# fields of the folio (its own or its sale order's) a stay is made from
SYNCED_FIELDS = {
    "checkin_date", "checkout_date", "partner_id", "company_id", "state", "date_order",
    "room_line_ids", "service_line_ids", "order_line", "pricelist_id", "currency_id",
}
SYNC_BATCH = 500


class HotelFolio(models.Model):
    _inherit = "hotel.folio"

    hotel_stay_ids = fields.One2many("hotel.stay", "folio_id", string="Guest Stay",
                                     readonly=True, groups="hotel_crm.group_hotel_user")

    # the folio's own writes reach its sale order (delegation): the order then leaves the
    # stay to the folio, which brings it in step once. Marked by a flag of the running code,
    # not a context key: a caller's forged key would leave the stay out of step.
    @api.model_create_multi
    def create(self, vals_list):
        with trusted(FOLIO_SYNC):
            folios = super().create(vals_list)
        folios._hotel_sync_stays()
        return folios

    def write(self, vals):
        with trusted(FOLIO_SYNC):
            res = super().write(vals)
        if SYNCED_FIELDS & set(vals):
            self._hotel_sync_stays()
        return res

    def action_view_hotel_stay(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("hotel_crm.hotel_stay_action")
        action.update(res_id=self.hotel_stay_ids[:1].id, views=[(False, "form")],
                      view_mode="form", domain=[("folio_id", "=", self.id)])
        return action

    # ------------------------------------------------------------------
    # folio -> stay
    # ------------------------------------------------------------------
    def _hotel_sync_stays(self):
        """Create or update the stay of each folio of ``self`` (only what changed is
        written, so a folio saved twice leaves the stay as it was)."""
        folios = self.exists()
        if not folios:
            return
        channel = self.env.ref("hotel_crm_oca_hotel.channel_odoo_hotel")
        # sudo: the stay mirrors the folio; hotel staff who edit folios need no CRM role,
        # and the stay's property is the folio's
        Stay = self.env["hotel.stay"].sudo().with_context(tracking_disable=True)
        existing = {stay.folio_id.id: stay
                    for stay in Stay.search([("folio_id", "in", folios.ids)])}
        categories = folios._hotel_room_categories()
        room_types = {}
        to_create = []
        for folio in folios:
            values = folio._hotel_stay_values(channel, categories, room_types)
            stay = existing.get(folio.id)
            if values is None:
                continue
            if not stay:
                to_create.append(values)
                continue
            current = stay._convert_to_write({fname: stay[fname] for fname in values})
            changes = {fname: value for fname, value in values.items()
                       if current[fname] != value}
            if changes:
                stay.write(changes)
        if to_create:
            Stay.create(to_create)

    def _hotel_stay_values(self, channel, categories, room_types):
        """The values of the folio's stay, or None when the folio cannot be a stay (no
        guest, or a company as its customer: the person staying is not known)."""
        self.ensure_one()
        guest = self.partner_id
        if not guest or guest.is_company:
            return None
        if not guest.is_guest:
            # sudo: the folio's customer becomes a guest of the CRM
            guest.sudo().is_guest = True
        check_in = self._hotel_local_date(self.checkin_date)
        check_out = max(self._hotel_local_date(self.checkout_date), check_in + timedelta(days=1))
        room_lines = self.room_line_ids.order_line_id
        service_lines = self.order_line - room_lines
        return {
            "folio_id": self.id,
            "partner_id": guest.id,
            "company_id": self.company_id.id,
            "channel_id": channel.id,
            # the folio number; a property without Odoo Hotel's folio sequence leaves it
            # empty, and the folio is then known by its order's number
            "booking_ref": self.name or self.order_id.name,
            "booked_on": min(self._hotel_local_date(self.date_order), check_in),
            "check_in": check_in,
            "check_out": check_out,
            "state": self._hotel_stay_state(check_in, check_out),
            "room_type_id": self._hotel_room_type(categories, room_types).id,
            "currency_id": self.currency_id.id or self.company_id.currency_id.id,
            "amount_room": sum(room_lines.mapped("price_subtotal")),
            "amount_other": sum(service_lines.mapped("price_subtotal")),
            **self._hotel_stay_guests(),
        }

    def _hotel_local_date(self, value):
        """The calendar day of a datetime of the folio, in the user's (the hotel's) time
        zone."""
        return fields.Datetime.context_timestamp(self, value).date()

    def _hotel_stay_state(self, check_in, check_out):
        """Cancelled folios are cancelled stays; a confirmed folio is a stay in house from
        its check-in day and checked out from its check-out day; anything else is booked."""
        if self.state == "cancel":
            return "cancelled"
        if self.state != "sale":
            return "booked"
        today = fields.Date.context_today(self)
        if today < check_in:
            return "booked"
        return "in_house" if today < check_out else "checked_out"

    def _hotel_stay_guests(self):
        """Adults and children of the stay: Odoo Hotel's folio has none of its own (the
        reservation module's reservation has them), so one adult unless a hook says more."""
        reservation = self["reservation_id"] if "reservation_id" in self._fields else None
        if reservation:
            return {"adults": max(reservation.adults, 1), "children": reservation.children}
        return {"adults": 1, "children": 0}

    def _hotel_room_categories(self):
        """Odoo Hotel's room category of each room product of the folios of ``self``, by
        product id (one search for all of them: the cron syncs folios in batches)."""
        products = self.room_line_ids.product_id
        rooms = self.env["hotel.room"].search([("product_id", "in", products.ids)])
        # the first room of a product (in the rooms' order) wins, as it would with limit=1
        return {room.product_id.id: room.room_categ_id for room in reversed(rooms)}

    def _hotel_room_type(self, categories, cache):
        """The CRM room type of the folio's first room: the one with the same name as the
        room's category in Odoo Hotel, created when there is none."""
        product = self.room_line_ids[:1].product_id
        category = categories.get(product.id) if product else None
        if not category:
            return self.env["hotel.crm.room.type"]
        if category.id not in cache:
            # sudo: room types are configuration the hotel staff may not edit themselves
            RoomType = self.env["hotel.crm.room.type"].sudo().with_context(active_test=False)
            code = f"hotel-{category.id}"
            room_type = RoomType.search([("code", "=", code)], limit=1) or RoomType.search(
                [("name", "=ilike", category.name)], limit=1)
            cache[category.id] = room_type or RoomType.create(
                {"name": category.name, "code": code})
        return cache[category.id]

    # ------------------------------------------------------------------
    # cron
    # ------------------------------------------------------------------
    @api.model
    def _cron_hotel_sync_folio_stays(self):
        """Stays move from booked to in house to checked out as the days pass, without the
        folio being touched: the confirmed folios whose stay lags behind the calendar (or
        that have none yet) are brought in step, in batches."""
        today = fields.Date.context_today(self)
        self.env["hotel.stay"].flush_model(["folio_id", "state", "check_in", "check_out"])
        self.env["sale.order"].flush_model(["state"])
        self.flush_model(["order_id"])
        self.env.cr.execute(SQL(
            """
            SELECT f.id
              FROM hotel_folio f
              JOIN sale_order o ON o.id = f.order_id
              LEFT JOIN hotel_stay s ON s.folio_id = f.id
             WHERE o.state = 'sale'
               AND (s.id IS NULL
                    OR (s.state = 'booked' AND s.check_in <= %(today)s)
                    OR (s.state = 'in_house' AND s.check_out <= %(today)s))
             ORDER BY f.id
            """,
            today=today,
        ))
        folio_ids = [row[0] for row in self.env.cr.fetchall()]
        Cron = self.env["ir.cron"]
        for start in range(0, len(folio_ids), SYNC_BATCH):
            batch = folio_ids[start:start + SYNC_BATCH]
            self.browse(batch)._hotel_sync_stays()
            Cron._notify_progress(done=len(batch),
                                  remaining=max(len(folio_ids) - start - len(batch), 0))
        return len(folio_ids)
