from odoo import Command, fields, models, tools


class HotelMarketingSend(models.Model):
    """One lifecycle mail to one guest for one occasion (the once-only key)."""

    _name = "hotel.marketing.send"
    _description = "Automated Mail Sent"
    _order = "send_date desc, id desc"
    _rec_name = "occasion_key"

    automation_id = fields.Many2one(
        "hotel.marketing.automation", required=True, index=True, ondelete="cascade",
        readonly=True,
    )
    kind = fields.Selection(related="automation_id.kind")
    partner_id = fields.Many2one(
        "res.partner", string="Guest", required=True, index=True, ondelete="cascade",
        readonly=True,
    )
    occasion_key = fields.Char(
        required=True, readonly=True,
        help="The occasion this mail is for (a stay, a year, a holiday date); a guest gets "
        "one mail per automation and occasion.",
    )
    stay_id = fields.Many2one("hotel.stay", index=True, ondelete="set null", readonly=True)
    company_id = fields.Many2one(
        "res.company", string="Property", index=True, readonly=True,
        help="Property of the stay the mail is about.",
    )
    send_date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    state = fields.Selection(
        [("queued", "Queued"), ("sent", "Mail Created"), ("failed", "Failed")],
        required=True, default="queued", readonly=True,
    )
    mail_id = fields.Many2one("mail.mail", readonly=True, ondelete="set null")
    trace_id = fields.Many2one("mailing.trace", readonly=True, ondelete="set null")
    trace_status = fields.Selection(related="trace_id.trace_status", string="Delivery")
    failure_reason = fields.Char(readonly=True)

    _sql_constraints = [
        (
            "occasion_unique",
            "unique(automation_id, partner_id, occasion_key)",
            "This guest already received this automated mail for this occasion.",
        ),
    ]

    def _hotel_send(self):
        """Render each claimed send in the guest's language and queue it with a trace."""
        # sudo: mails are queued by the system; the guest was checked for consent before
        Mail = self.env["mail.mail"].sudo()
        for send in self:
            automation = send.automation_id
            mailing = automation._hotel_mailing()
            partner = send.partner_id
            # sudo: the template renders for the guest whatever the running user may edit
            template = automation.template_id.sudo().with_context(
                post_convert_links=mailing._get_link_tracker_values(),
                hotel_occasion=automation._hotel_occasion_values(send),
            )
            mail_id = template.send_mail(
                partner.id,
                email_values={
                    "mailing_id": mailing.id,
                    "mailing_trace_ids": [
                        Command.create(
                            {
                                "model": "res.partner",
                                "res_id": partner.id,
                                "email": partner.email_normalized or partner.email,
                                "mass_mailing_id": mailing.id,
                            }
                        )
                    ],
                },
            )
            mail = Mail.browse(mail_id)
            trace = mail.mailing_trace_ids[:1]
            trace.message_id = mail.message_id
            values = {"state": "sent", "mail_id": mail.id, "trace_id": trace.id}
            reason = send._hotel_gate(mailing, mail)
            if reason:
                mail.write({"state": "cancel", "failure_type": "mail_optout",
                            "failure_reason": reason})
                trace.write({"trace_status": "cancel", "failure_type": "mail_optout",
                             "failure_reason": reason})
                values.update(state="failed", failure_reason=reason)
            # sudo: send rows are read-only for users, the system records the outcome
            send.sudo().write(values)

    def _hotel_gate(self, mailing, mail):
        """The consent gate (M5) on the mail as rendered: the guest must still be mailable
        and none of the addresses the template put in To, Cc or the recipients may be
        blocked (a template can address someone else than the guest). Returns the reason
        the mail must not go, or False."""
        self.ensure_one()
        emails = {
            tools.email_normalize(address, strict=False)
            for field in ("email_to", "email_cc")
            for address in tools.email_split(mail[field] or "")
        } | {tools.email_normalize(p.email, strict=False) for p in mail.recipient_ids}
        emails.discard(False)
        emails.discard(None)
        if self.partner_id.email_normalized:
            emails.add(self.partner_id.email_normalized)
        blocked = mailing._hotel_blocked_recipients({self.partner_id.id: sorted(emails)})
        return blocked.get(self.partner_id.id, False)
