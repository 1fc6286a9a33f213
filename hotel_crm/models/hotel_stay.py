from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.sql import create_index

from ..tools.trusted import check_protected_fields

COUNTED_STATES = ("in_house", "checked_out")
# Stored values a stay derives from its own dates, amounts and channel: the guest figures
# are summed from them, so no caller writes them directly (hotel_crm.stay_derived).
DERIVED_FIELDS = ("nights", "lead_days", "amount_total", "amount_company", "channel_type")


class HotelStay(models.Model):
    _name = "hotel.stay"
    _description = "Guest Stay"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "check_in desc, id desc"
    _rec_names_search = ["booking_ref", "partner_id"]

    partner_id = fields.Many2one(
        "res.partner",
        string="Guest",
        required=True,
        index=True,
        ondelete="restrict",
        tracking=True,
        domain=[("is_company", "=", False)],
    )
    company_id = fields.Many2one(
        "res.company",
        string="Property",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        tracking=True,
    )
    channel_id = fields.Many2one(
        "hotel.booking.channel", required=True, index=True, ondelete="restrict"
    )
    channel_type = fields.Selection(related="channel_id.channel_type", store=True)
    booking_ref = fields.Char(string="Booking Reference", required=True, index=True, tracking=True)
    booked_on = fields.Date(default=fields.Date.context_today)
    check_in = fields.Date(required=True, index=True, tracking=True)
    check_out = fields.Date(required=True, index=True, tracking=True)
    nights = fields.Integer(compute="_compute_nights", store=True, aggregator="sum")
    lead_days = fields.Integer(
        string="Lead Time (days)",
        compute="_compute_lead_days",
        store=True,
        aggregator="avg",
        help="Days between booking and arrival.",
    )
    room_type_id = fields.Many2one("hotel.crm.room.type", index=True, ondelete="restrict")
    rate_plan_id = fields.Many2one("hotel.rate.plan", index=True, ondelete="restrict")
    booking_type = fields.Selection(
        [
            ("individual", "Individual"),
            ("corporate", "Corporate"),
            ("group", "Group"),
            ("package", "Package"),
        ],
        required=True,
        default="individual",
    )
    adults = fields.Integer(default=1, aggregator="sum")
    children = fields.Integer(default=0, aggregator="sum")
    state = fields.Selection(
        [
            ("booked", "Booked"),
            ("in_house", "In House"),
            ("checked_out", "Checked Out"),
            ("cancelled", "Cancelled"),
            ("no_show", "No-Show"),
        ],
        required=True,
        default="booked",
        index=True,
        tracking=True,
        copy=False,
    )
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        compute="_compute_currency_id",
        store=True,
        readonly=False,
        precompute=True,
        help="Currency the booking was made in; defaults to the property's currency.",
    )
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Property Currency"
    )
    amount_room = fields.Monetary(string="Room Revenue", default=0.0)
    amount_fb = fields.Monetary(string="F&B Revenue", default=0.0)
    amount_other = fields.Monetary(
        string="Other Revenue", default=0.0, help="Spa, laundry, minibar…"
    )
    amount_total = fields.Monetary(string="Total", compute="_compute_amount_total", store=True)
    amount_company = fields.Monetary(
        string="Total (Property Currency)",
        currency_field="company_currency_id",
        compute="_compute_amount_company",
        store=True,
        help="Total converted to the property's currency at the check-in date; "
        "guest figures are summed from this amount.",
    )
    campaign_id = fields.Many2one("utm.campaign", index=True, ondelete="set null")
    # What the stay shows of its guest is read as the user, under the user's rules (G2, S2):
    # not related fields, which Odoo reads as superuser (a sensitive preference of the guest
    # would reach the stay form of the front desk and then fail it with an access error).
    preference_ids = fields.Many2many(
        "hotel.guest.preference", string="Preferences", compute="_compute_guest_details",
        search="_search_preference_ids",
    )
    guest_tag_ids = fields.Many2many(
        "res.partner.category", string="Guest Tags", compute="_compute_guest_details",
        search="_search_guest_tag_ids",
    )
    is_vip = fields.Boolean(string="VIP", compute="_compute_guest_details",
                            search="_search_is_vip")
    note = fields.Text()

    _sql_constraints = [
        (
            "booking_ref_unique",
            "unique(company_id, channel_id, booking_ref)",
            "This booking reference already exists for this property and channel.",
        ),
        ("dates_check", "CHECK(check_out > check_in)", "Check-out must be after check-in."),
        (
            "amounts_check",
            "CHECK(amount_room >= 0 AND amount_fb >= 0 AND amount_other >= 0)",
            "Revenue amounts cannot be negative.",
        ),
        (
            "guests_check",
            "CHECK(adults >= 1 AND children >= 0)",
            "A stay needs at least one adult.",
        ),
    ]

    @api.depends("company_id")
    def _compute_currency_id(self):
        for stay in self:
            stay.currency_id = stay.company_id.currency_id or self.env.company.currency_id

    @api.depends("check_in", "check_out")
    def _compute_nights(self):
        for stay in self:
            if stay.check_in and stay.check_out:
                stay.nights = max((stay.check_out - stay.check_in).days, 0)
            else:
                stay.nights = 0

    @api.depends("booked_on", "check_in")
    def _compute_lead_days(self):
        for stay in self:
            if stay.booked_on and stay.check_in:
                stay.lead_days = max((stay.check_in - stay.booked_on).days, 0)
            else:
                stay.lead_days = 0

    @api.depends("amount_room", "amount_fb", "amount_other")
    def _compute_amount_total(self):
        for stay in self:
            stay.amount_total = stay.amount_room + stay.amount_fb + stay.amount_other

    @api.depends("amount_total", "currency_id", "company_id", "check_in")
    def _compute_amount_company(self):
        for stay in self:
            company = stay.company_id
            if not stay.currency_id or not company or stay.currency_id == company.currency_id:
                stay.amount_company = stay.amount_total
            else:
                stay.amount_company = stay.currency_id._convert(
                    stay.amount_total,
                    company.currency_id,
                    company,
                    stay.check_in or fields.Date.context_today(stay),
                )

    @api.depends("partner_id.is_vip", "partner_id.category_id",
                 "partner_id.hotel_preference_ids")
    @api.depends_context("uid", "allowed_company_ids")
    def _compute_guest_details(self):
        # the guests and preferences this user may read, nothing more (searched as the
        # user: the guest's own one2many may already be cached by code running as sudo)
        Preference = self.env["hotel.guest.preference"]
        guests = self.partner_id.filtered("id")._filtered_access("read")
        by_guest = {}
        for preference in Preference.search([("partner_id", "in", guests.ids)]) if guests \
                else Preference:
            by_guest.setdefault(preference.partner_id.id, []).append(preference.id)
        for stay in self:
            guest = stay.partner_id if stay.partner_id.id in guests.ids \
                else self.env["res.partner"]
            stay.is_vip = guest.is_vip
            stay.guest_tag_ids = guest.category_id
            stay.preference_ids = Preference.browse(by_guest.get(guest.id, []))

    # searched as the user: a domain on them never tests what the user may not read
    def _search_preference_ids(self, operator, value):
        return [("partner_id.hotel_preference_ids", operator, value)]

    def _search_guest_tag_ids(self, operator, value):
        return [("partner_id.category_id", operator, value)]

    def _search_is_vip(self, operator, value):
        return [("partner_id.is_vip", operator, value)]

    def init(self):
        res = super().init()
        # the nightly jobs look for the stays written since their last run
        create_index(self.env.cr, "hotel_stay_write_date_idx", self._table, ["write_date"])
        return res

    @api.depends("booking_ref", "partner_id")
    def _compute_display_name(self):
        for stay in self:
            stay.display_name = " · ".join(filter(None, [stay.booking_ref, stay.partner_id.name]))

    @api.onchange("check_in")
    def _onchange_check_in(self):
        # A stay recorded after the fact (a walk-in entered the next morning) was booked on
        # its arrival day at the latest.
        if self.check_in and self.booked_on and self.booked_on > self.check_in:
            self.booked_on = self.check_in

    # ------------------------------------------------------------------
    # Validation: checked before the row is written, so that the user reads these messages
    # rather than the database's; the SQL constraints above stay as the last line.
    # ------------------------------------------------------------------
    def _check_stay_values(self, values):
        """Raise a ValidationError naming the booking for the first problem in `values`."""
        ref = values.get("booking_ref") or self.env._("(new stay)")
        check_in = fields.Date.to_date(values.get("check_in"))
        check_out = fields.Date.to_date(values.get("check_out"))
        booked_on = fields.Date.to_date(values.get("booked_on"))
        if check_in and check_out and check_out <= check_in:
            raise ValidationError(
                self.env._(
                    "Stay %(ref)s: the check-out date (%(out)s) must be after the "
                    "check-in date (%(in)s).",
                    ref=ref,
                    out=check_out,
                    **{"in": check_in},
                )
            )
        if booked_on and check_in and booked_on > check_in:
            raise ValidationError(
                self.env._(
                    "Stay %(ref)s: the booking date cannot be after the check-in date.", ref=ref
                )
            )
        amounts = [values.get(f) or 0.0 for f in ("amount_room", "amount_fb", "amount_other")]
        if min(amounts) < 0:
            raise ValidationError(
                self.env._(
                    "Stay %(ref)s: revenue amounts cannot be negative. "
                    "Record refunds as a credit note in accounting instead.",
                    ref=ref,
                )
            )
        adults = values.get("adults", 1)
        if adults is not None and (adults < 1 or (values.get("children") or 0) < 0):
            raise ValidationError(
                self.env._("Stay %(ref)s: a stay needs at least one adult.", ref=ref)
            )
        partner = self.env["res.partner"].browse(values.get("partner_id") or [])
        if partner.is_company:
            raise ValidationError(
                self.env._(
                    "Stay %(ref)s: the guest must be a person, not a company. "
                    "Link the company on the guest's profile instead.",
                    ref=ref,
                )
            )
        if values.get("booking_ref") and values.get("company_id") and values.get("channel_id"):
            duplicate = (
                # sudo: a duplicate booking at another property must be found too
                self.sudo()
                .with_context(active_test=False)
                .search_count(
                    [
                        ("id", "not in", self.ids),
                        ("company_id", "=", values["company_id"]),
                        ("channel_id", "=", values["channel_id"]),
                        ("booking_ref", "=", values["booking_ref"]),
                    ],
                    limit=1,
                )
            )
            if duplicate:
                raise ValidationError(
                    self.env._(
                        "Booking reference %(ref)s already exists for %(property)s on "
                        "%(channel)s.",
                        ref=values["booking_ref"],
                        property=self.env["res.company"].browse(values["company_id"]).name,
                        channel=self.env["hotel.booking.channel"].browse(values["channel_id"]).name,
                    )
                )

    def _check_stay_access(self, values):
        """A user records stays only at the properties they work for and only for the
        guests they may read: a stay makes its guest visible at its property, so a stay
        pointing at a guest of another property (an id is easy to guess) would reveal that
        guest. Checked before the values are validated, whose messages name bookings."""
        if self.env.su:
            return
        if values.get("company_id") and values["company_id"] not in self.env.companies.ids:
            raise AccessError(self.env._(
                "You can only record stays at the properties you work for."
            ))
        if values.get("partner_id"):
            self.env["res.partner"].browse(values["partner_id"]).check_access("read")

    _CHECKED_FIELDS = (
        "booking_ref", "check_in", "check_out", "booked_on", "amount_room", "amount_fb",
        "amount_other", "adults", "children", "partner_id", "company_id", "channel_id",
    )

    def _stay_values(self):
        self.ensure_one()
        return {
            "booking_ref": self.booking_ref,
            "check_in": self.check_in,
            "check_out": self.check_out,
            "booked_on": self.booked_on,
            "amount_room": self.amount_room,
            "amount_fb": self.amount_fb,
            "amount_other": self.amount_other,
            "adults": self.adults,
            "children": self.children,
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "channel_id": self.channel_id.id,
        }

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_protected_fields(self, DERIVED_FIELDS, vals, "hotel_crm.stay_derived")
            if vals.get("booking_ref"):
                vals["booking_ref"] = vals["booking_ref"].strip()
            self._check_stay_access({"company_id": self.env.company.id, **vals})
            self._check_stay_values(
                {"company_id": self.env.company.id, "adults": 1, **vals}
            )
        stays = super().create(vals_list)
        guests = stays.partner_id.filtered(lambda p: not p.is_guest)
        if guests:
            guests.is_guest = True
        stays.partner_id._hotel_refresh_guests()
        return stays

    def write(self, vals):
        check_protected_fields(self, DERIVED_FIELDS, vals, "hotel_crm.stay_derived")
        if vals.get("booking_ref"):
            vals["booking_ref"] = vals["booking_ref"].strip()
        self._check_stay_access(vals)
        if set(self._CHECKED_FIELDS) & set(vals):
            for stay in self:
                stay._check_stay_values({**stay._stay_values(), **vals})
        old_partners = self.partner_id
        res = super().write(vals)
        if {"partner_id", "company_id", "state", "check_in", "check_out", "booked_on",
                "amount_room", "amount_fb", "amount_other", "currency_id", "room_type_id",
                "channel_id"} & set(vals):
            new_guests = self.partner_id.filtered(lambda p: not p.is_guest)
            if new_guests:
                new_guests.is_guest = True
            (old_partners | self.partner_id)._hotel_refresh_guests()
        return res

    def unlink(self):
        partners = self.partner_id
        res = super().unlink()
        partners.exists()._hotel_refresh_guests()
        return res

    # ------------------------------------------------------------------
    # State buttons
    # ------------------------------------------------------------------
    _TRANSITIONS = {
        "action_check_in": (("booked",), "in_house"),
        "action_check_out": (("in_house",), "checked_out"),
        "action_cancel": (("booked",), "cancelled"),
        "action_no_show": (("booked",), "no_show"),
        "action_reset_to_booked": (("cancelled", "no_show"), "booked"),
    }

    def _move_state(self, action):
        allowed, target = self._TRANSITIONS[action]
        labels = dict(self._fields["state"]._description_selection(self.env))
        for stay in self:
            if stay.state not in allowed:
                raise UserError(
                    self.env._(
                        "Stay %(ref)s is %(state)s and cannot be set to %(target)s.",
                        ref=stay.booking_ref,
                        state=labels[stay.state],
                        target=labels[target],
                    )
                )
        self.write({"state": target})
        return True

    def action_check_in(self):
        return self._move_state("action_check_in")

    def action_check_out(self):
        return self._move_state("action_check_out")

    def action_cancel(self):
        return self._move_state("action_cancel")

    def action_no_show(self):
        return self._move_state("action_no_show")

    def action_reset_to_booked(self):
        return self._move_state("action_reset_to_booked")
