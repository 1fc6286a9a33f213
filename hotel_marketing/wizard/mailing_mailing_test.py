from odoo import models, tools
from odoo.exceptions import UserError


class MailingMailingTest(models.TransientModel):
    _inherit = "mailing.mailing.test"

    def send_mail_test(self):
        """A test mail goes to the addresses the marketer types: the same address gate as
        the mailing applies, so that "test" never reaches a guest who withdrew consent,
        never granted it, was erased, or hides behind an OTA relay."""
        self.ensure_one()
        emails = {
            tools.email_normalize(candidate, strict=False)
            for candidate in (self.email_to or "").splitlines()
        }
        blocked = self.env["res.partner"]._hotel_blocked_emails(emails - {False, None})
        if blocked:
            raise UserError(self.env._(
                "A test mail cannot go to these addresses: %(addresses)s",
                addresses=", ".join(f"{email} ({reason})"
                                    for email, reason in sorted(blocked.items())),
            ))
        return super().send_mail_test()
