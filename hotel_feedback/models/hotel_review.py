from odoo import api, fields, models

from odoo.addons.hotel_crm.tools.trusted import check_protected_fields, is_trusted, trusted

from .hotel_feedback import check_create_values, check_guest_links

REVIEW_SOURCES = [
    ("ctrip", "Ctrip / Trip.com"),
    ("meituan", "Meituan"),
    ("dianping", "Dianping"),
    ("fliggy", "Fliggy"),
    ("booking", "Booking.com"),
    ("expedia", "Expedia"),
    ("google", "Google"),
    ("tripadvisor", "Tripadvisor"),
    ("other", "Other"),
]


class HotelReview(models.Model):
    """An online review; its rating feeds the online-rating figure, a low one a ticket."""

    _name = "hotel.review"
    _description = "Online Review"
    _order = "date desc, id desc"

    source = fields.Selection(REVIEW_SOURCES, required=True, index=True)
    external_ref = fields.Char(string="Review Reference", index=True)
    date = fields.Date(required=True, index=True)
    rating = fields.Integer(required=True, aggregator="avg")
    text = fields.Text()
    reviewer_name = fields.Char()
    partner_id = fields.Many2one("res.partner", string="Guest", index=True)
    stay_id = fields.Many2one("hotel.stay", index=True)
    company_id = fields.Many2one(
        "res.company", string="Property", required=True, index=True,
        default=lambda self: self.env.company,
    )
    ticket_id = fields.Many2one("hotel.feedback", readonly=True, copy=False)

    _sql_constraints = [
        ("rating_check", "CHECK(rating BETWEEN 1 AND 5)", "A rating is between 1 and 5."),
        ("review_unique", "unique(company_id, source, external_ref)",
         "This review was already imported."),
    ]

    # What the site said feeds the online-rating figure (F6, R1): fixed once recorded, like
    # the ticket a low rating opened.
    REVIEW_FIELDS = frozenset({"source", "external_ref", "date", "rating", "company_id"})

    @api.model_create_multi
    def create(self, vals_list):
        if not is_trusted(self.env, "hotel_feedback.review"):
            check_create_values(self, {"ticket_id"}, vals_list, "hotel_feedback.review")
            for vals in vals_list:
                if vals.get("stay_id") and not vals.get("partner_id"):
                    stay = self.env["hotel.stay"].browse(vals["stay_id"])
                    vals["partner_id"] = stay.partner_id.id
                self._check_links(vals, self.browse())
        reviews = super().create(vals_list)
        low = reviews.filtered(lambda r: r.rating <= 3)
        sources = dict(self._fields["source"]._description_selection(self.env))
        for review in low:
            site = sources[review.source]
            with trusted("hotel_feedback.clock", "hotel_feedback.review"):
                review._open_ticket(site)
        return reviews

    def write(self, vals):
        if not is_trusted(self.env, "hotel_feedback.review"):
            check_protected_fields(self, self.REVIEW_FIELDS | {"ticket_id"}, vals,
                                   "hotel_feedback.review")
            for review in self:
                self._check_links(vals, review)
        return super().write(vals)

    def _check_links(self, vals, review):
        if not {"partner_id", "stay_id", "company_id"} & set(vals):
            return
        partner = self.env["res.partner"].browse(vals["partner_id"] or []) \
            if "partner_id" in vals else review.partner_id
        stay = self.env["hotel.stay"].browse(vals["stay_id"] or []) \
            if "stay_id" in vals else review.stay_id
        company = self.env["res.company"].browse(vals["company_id"] or []) \
            if "company_id" in vals else review.company_id or self.env.company
        check_guest_links(self, partner, stay, company)

    def _open_ticket(self, site):
        """A low rating opens a ticket (the addon's own logic: run inside ``trusted``)."""
        self.ensure_one()
        self.ticket_id = self.env["hotel.feedback"].create({
            "name": self.env._("%(site)s review: %(rating)s/5", site=site, rating=self.rating),
            "description": self.text,
            "channel": "review",
            "partner_id": self.partner_id.id,
            "stay_id": self.stay_id.id,
            "company_id": self.company_id.id,
            "priority": "2" if self.rating <= 2 else "1",
            "review_id": self.id,
            "user_id": False,
        })
