from odoo import fields, models


class HotelFeedbackStage(models.Model):
    _name = "hotel.feedback.stage"
    _description = "Feedback Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    is_closed = fields.Boolean(
        string="Closing Stage", help="Reaching this stage stops the resolution clock."
    )
    fold = fields.Boolean(string="Folded in Kanban")
