import re

from odoo import api, fields, models


class HotelFeedbackCategory(models.Model):
    _name = "hotel.feedback.category"
    _description = "Feedback Category"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    team_id = fields.Many2one("hotel.feedback.team", string="Department", required=True)
    keywords = fields.Text(
        help="Words and phrases, in Chinese and English, one per line or separated by "
        "commas. A new ticket without a category gets the one whose keywords it matches best.",
    )
    active = fields.Boolean(default=True)

    def _keyword_list(self):
        self.ensure_one()
        return [k.strip().lower() for k in re.split(r"[,\n，、;；]", self.keywords or "")
                if k.strip()]

    @api.model
    def _classify(self, text):
        """(category, confidence) for `text` by keyword matching, or (empty, 0.0).

        Each keyword found counts once per occurrence (Chinese keywords match as substrings,
        Latin ones on word boundaries); the confidence is the winner's share of all hits.
        """
        text = (text or "").lower()
        if not text.strip():
            return self.browse(), 0.0
        scores = {}
        for category in self.search([]):
            hits = 0
            for keyword in category._keyword_list():
                if re.search(r"[a-z]", keyword):
                    hits += len(re.findall(r"\b" + re.escape(keyword) + r"\b", text))
                else:
                    hits += text.count(keyword)
            if hits:
                scores[category] = hits
        if not scores:
            return self.browse(), 0.0
        best = max(scores, key=lambda c: (scores[c], -c.sequence, -c.id))
        return best, scores[best] / sum(scores.values())
