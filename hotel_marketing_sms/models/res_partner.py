from odoo import api, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    @api.model
    def _hotel_mailable_domain(self, channel="email"):
        """With Odoo's SMS installed, a guest may get a text when their SMS consent is
        granted and Odoo has a number to text them on that is not on the phone blacklist:
        ``phone_sanitized`` is the number the SMS composer uses (mobile, else phone), and
        ``phone_sanitized_blacklisted`` is Odoo's own test of it."""
        if channel != "sms":
            return super()._hotel_mailable_domain(channel)
        return [
            ("sms_consent", "=", "granted"),
            ("phone_sanitized", "!=", False),
            ("phone_sanitized_blacklisted", "=", False),
        ]
