from ast import literal_eval

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression

SAMPLE_SIZE = 20


class HotelSegmentPreview(models.TransientModel):
    """How many guests a segment reaches, how many consent rules hold back, and a sample."""

    _name = "hotel.segment.preview"
    _description = "Segment Preview"

    mailing_domain = fields.Char(string="Segment", required=True, default="[]")
    mailing_type = fields.Selection([("mail", "Email"), ("sms", "SMS")], default="mail")
    segment_count = fields.Integer(
        string="Guests in Segment", compute="_compute_preview",
        help="Guests matching the segment, before consent.",
    )
    mailable_count = fields.Integer(
        string="Will Be Mailed", compute="_compute_preview",
        help="Guests of the segment who consented, are not blacklisted and have a real "
        "(non-relay) address.",
    )
    excluded_count = fields.Integer(
        string="Held Back by Consent", compute="_compute_preview"
    )
    sample_ids = fields.Many2many(
        "res.partner", compute="_compute_preview", string="Sample of Recipients"
    )

    def _segment(self):
        self.ensure_one()
        try:
            domain = literal_eval(self.mailing_domain or "[]")
            self.env["res.partner"].search_count(domain)
        except (ValueError, SyntaxError, TypeError, KeyError):
            raise UserError(self.env._("This segment is not a valid filter on guests.")) from None
        return domain

    @api.depends("mailing_domain", "mailing_type")
    def _compute_preview(self):
        Partner = self.env["res.partner"]
        for preview in self:
            segment = preview._segment()
            channel = "sms" if preview.mailing_type == "sms" else "email"
            mailable = expression.AND([segment, Partner._hotel_mailable_domain(channel)])
            preview.segment_count = Partner.search_count(segment)
            preview.mailable_count = Partner.search_count(mailable)
            preview.excluded_count = preview.segment_count - preview.mailable_count
            preview.sample_ids = Partner.search(mailable, limit=SAMPLE_SIZE, order="id")

    def _action_open(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Segment Preview"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }
