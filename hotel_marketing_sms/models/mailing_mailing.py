from odoo import models


class MailingMailing(models.Model):
    _inherit = "mailing.mailing"

    def action_send_sms(self, res_ids=None):
        """SMS mailings reach mass_mailing_sms through here whichever way they are sent, so
        the holdout is drawn and explicit recipients pass the consent gate here too
        (hotel_marketing's own gate sits on _action_send_mail, which mass_mailing_sms may
        bypass for SMS). The segment itself is already limited by _get_recipients_domain.
        Sent by a user (the method is public), the mailing goes out on their behalf, within
        their properties (S1); the mailing queue (superuser) keeps whoever queued it."""
        self._hotel_bind_sender()
        for mailing in self:
            mailing._hotel_draw_holdout()
            ids = mailing._hotel_allowed_recipients(res_ids) if res_ids else None
            # One mailing at a time: Odoo's loop would reuse the first mailing's recipients.
            super(MailingMailing, mailing).action_send_sms(res_ids=ids)
        return True
