from datetime import timedelta

from odoo import api, fields, models


class HotelFeedbackSla(models.Model):
    """How fast feedback must be answered and resolved."""

    _name = "hotel.feedback.sla"
    _description = "Feedback SLA Policy"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    category_id = fields.Many2one(
        "hotel.feedback.category", help="Empty: applies to every category."
    )
    priority = fields.Selection(
        [("0", "Low"), ("1", "Normal"), ("2", "High"), ("3", "Urgent")],
        help="Empty: applies to every priority.",
    )
    reply_hours = fields.Float(default=24.0, required=True)
    resolve_hours = fields.Float(default=72.0, required=True)
    use_calendar = fields.Boolean(
        string="Business Hours Only",
        help="Count only the working hours of the property's calendar (its company "
        "calendar) instead of 24/7.",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("hours_check", "CHECK(reply_hours > 0 AND resolve_hours > 0)",
         "SLA hours must be positive."),
    ]

    @api.model
    def _for_ticket(self, category, priority):
        """The most specific policy: category and priority, then category, then priority."""
        policies = self.search([
            ("category_id", "in", [category.id, False]), ("priority", "in", [priority, False]),
        ])
        return policies.sorted(
            lambda p: (not p.category_id, not p.priority, p.sequence, p.id)
        )[:1]

    def _deadline(self, start, hours, company):
        """`hours` after `start` (naive UTC), on 24/7 or the company's working calendar."""
        self.ensure_one()
        calendar = company.resource_calendar_id if self.use_calendar else False
        if not calendar:
            return start + timedelta(hours=hours)
        # naive UTC in, naive UTC out; the calendar's own time zone places the hours
        return calendar.plan_hours(hours, start, compute_leaves=True)
