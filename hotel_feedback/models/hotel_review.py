from odoo import api, fields, models

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
    ticket_id = fields.Many2one("hotel.feedback", readonly=True)

    _sql_constraints = [
        ("rating_check", "CHECK(rating BETWEEN 1 AND 5)", "A rating is between 1 and 5."),
        ("review_unique", "unique(company_id, source, external_ref)",
         "This review was already imported."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        reviews = super().create(vals_list)
        low = reviews.filtered(lambda r: r.rating <= 3)
        sources = dict(self._fields["source"]._description_selection(self.env))
        for review in low:
            site = sources[review.source]
            review.ticket_id = self.env["hotel.feedback"].create({
                "name": self.env._("%(site)s review: %(rating)s/5", site=site,
                                   rating=review.rating),
                "description": review.text,
                "channel": "review",
                "partner_id": review.partner_id.id,
                "stay_id": review.stay_id.id,
                "company_id": review.company_id.id,
                "priority": "2" if review.rating <= 2 else "1",
                "review_id": review.id,
                "user_id": False,
            })
        return reviews
