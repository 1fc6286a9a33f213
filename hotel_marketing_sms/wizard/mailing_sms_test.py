from odoo import models
from odoo.exceptions import UserError


class MailingSmsTest(models.TransientModel):
    _inherit = "mailing.sms.test"

    def action_send_sms(self):
        """A test text goes to the numbers the marketer types: the same gate as the mailing
        applies, so that "test" never reaches a guest who did not consent."""
        self.ensure_one()
        numbers = {
            self.env.user._phone_format(number=number.strip())
            for number in (self.numbers or "").splitlines() if number.strip()
        }
        blocked = self.env["res.partner"]._hotel_blocked_numbers(numbers - {False, None})
        if blocked:
            raise UserError(self.env._(
                "A test text cannot go to these numbers: %(numbers)s",
                numbers=", ".join(f"{number} ({reason})"
                                  for number, reason in sorted(blocked.items())),
            ))
        return super().action_send_sms()
