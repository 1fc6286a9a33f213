from odoo import fields, models

DEPARTMENTS = [
    ("front_desk", "Front Desk"),
    ("housekeeping", "Housekeeping"),
    ("fb", "F&B"),
    ("engineering", "Engineering"),
    ("other", "Other"),
]


class HotelFeedbackTeam(models.Model):
    """A department answering feedback: its manager is escalated to."""

    _name = "hotel.feedback.team"
    _description = "Feedback Department"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    department = fields.Selection(DEPARTMENTS, required=True)
    sequence = fields.Integer(default=10)
    manager_id = fields.Many2one("res.users", string="Department Manager", index=True)
    member_ids = fields.Many2many("res.users", string="Members")
    active = fields.Boolean(default=True)
