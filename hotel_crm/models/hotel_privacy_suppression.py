from odoo import api, fields, models

from .res_partner_privacy import suppression_hash


class HotelPrivacySuppression(models.Model):
    """Hashes of the addresses of erased guests: never mailed again, nothing readable kept."""

    _name = "hotel.privacy.suppression"
    _description = "Erased Address (hash)"

    channel = fields.Selection([("email", "E-mail"), ("sms", "SMS")], required=True)
    value_hash = fields.Char(required=True, index=True)
    date = fields.Datetime(default=fields.Datetime.now, required=True)

    _sql_constraints = [
        ("hash_unique", "unique(channel, value_hash)", "This address is already suppressed."),
    ]

    @api.model
    def _suppress_many(self, pairs):
        """Suppress many (channel, address) pairs with one lookup."""
        hashes = {(channel, suppression_hash(channel, value)) for channel, value in pairs}
        hashes = {(channel, h) for channel, h in hashes if h}
        if not hashes:
            return self.browse()
        known = {(s.channel, s.value_hash) for s in self.search(
            [("value_hash", "in", [h for __, h in hashes])])}
        return self.create([{"channel": channel, "value_hash": h}
                            for channel, h in sorted(hashes - known)])

    @api.model
    def _suppress(self, channel, value):
        return self._suppress_many([(channel, value)])
