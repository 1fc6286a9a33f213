import hashlib

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, email_normalize

try:  # as Odoo's phone_validation: the library is optional
    import phonenumbers
except ImportError:  # pragma: no cover
    phonenumbers = None

# Personal fields whose every change is written to hotel.audit.log (S4).
AUDITED_PARTNER_FIELDS = (
    "name", "email", "phone", "mobile", "street", "street2", "zip", "city", "country_id",
    "birthday", "nationality_id", "id_document_type", "id_document_number", "lang", "vat",
    "comment", "is_vip", "guest_type", "is_guest", "active",
)
# Cleared by the anonymisation; name and the flags are set separately.
ERASED_PARTNER_FIELDS = (
    "email", "phone", "mobile", "street", "street2", "zip", "city", "state_id", "country_id",
    "birthday", "nationality_id", "id_document_type", "id_document_number", "vat", "comment",
    "website", "function", "title", "image_1920", "ref",
)


def phone_key(value, region="CN"):
    """The digits of a phone number in international form, so that "+86 10 6588 1234",
    "010-6588-1234" and "0086 10 65881234" are one number (national numbers are read in
    ``region``, the hotel group's home country)."""
    raw = value.strip()
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    if phonenumbers:
        try:
            number = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            number = None
        if number is not None and phonenumbers.is_possible_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)[1:]
    return "".join(ch for ch in raw if ch.isdigit())


def suppression_hash(channel, value):
    """SHA-256 of a normalised address: lets an erased guest stay unmailed without keeping
    the address itself."""
    if not value:
        return False
    if channel == "email":
        value = email_normalize(value) or value.strip().lower()
    else:
        value = phone_key(value)
    return hashlib.sha256(f"{channel}:{value}".encode()).hexdigest()


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "hotel.audited.mixin"]
    _hotel_audit_fields = AUDITED_PARTNER_FIELDS

    # Identity documents: readable only by the Sensitive Data group (S2). Field-level
    # groups hide them from every view, export, report and external-API read of other users.
    id_document_type = fields.Selection(
        [
            ("resident_id", "Resident Identity Card"),
            ("passport", "Passport"),
            ("hk_macau_permit", "Mainland Travel Permit (HK/Macau)"),
            ("taiwan_permit", "Mainland Travel Permit (Taiwan)"),
            ("other", "Other"),
        ],
        string="ID Document",
        groups="hotel_crm.group_hotel_sensitive",
    )
    id_document_number = fields.Char(
        string="ID Number", groups="hotel_crm.group_hotel_sensitive", copy=False
    )
    is_anonymised = fields.Boolean(string="Anonymised", readonly=True, copy=False, index=True)
    anonymised_date = fields.Datetime(readonly=True, copy=False)

    def _hotel_audit_partner(self):
        return self

    def _hotel_audit_scope(self):
        return self.filtered("is_guest")

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        partners.filtered("is_guest")._hotel_apply_suppression()
        return partners

    def write(self, vals):
        res = super().write(vals)
        if {"email", "mobile", "phone", "is_guest"} & set(vals):
            self.filtered("is_guest")._hotel_apply_suppression()
        return res

    # ------------------------------------------------------------------
    # Suppression of erased addresses
    # ------------------------------------------------------------------
    def _hotel_apply_suppression(self):
        """A guest whose address was erased before is recorded as having withdrawn consent."""
        # sudo: the suppression list is hashes no user reads; it is only matched
        Suppression = self.env["hotel.privacy.suppression"].sudo()
        if not self or not Suppression.search_count([], limit=1):
            return
        # a text message goes to the mobile, else to the phone (as Odoo's SMS composer)
        for channel, fnames in (("email", ("email",)), ("sms", ("mobile", "phone"))):
            hashes = {(p.id, fname): suppression_hash(channel, p[fname])
                      for p in self for fname in fnames if p[fname]}
            if not hashes:
                continue
            known = set(Suppression.search([
                ("channel", "=", channel), ("value_hash", "in", list(set(hashes.values()))),
            ]).mapped("value_hash"))
            hit = self.browse({pid for (pid, __), h in hashes.items() if h in known}).filtered(
                lambda p, ch=channel: p[f"{ch}_consent"] != "withdrawn"
            )
            if hit:
                # sudo: the user creating the guest may not see the suppression list
                hit.sudo()._hotel_set_consent(
                    channel, False, "system",
                    proof=self.env._("This address belonged to a guest whose data was erased "
                                     "at their request."),
                )

    # ------------------------------------------------------------------
    # Data export (S5)
    # ------------------------------------------------------------------
    def _hotel_privacy_rows(self, records, fnames):
        Log = self.env["hotel.audit.log"]
        return [
            {records._fields[f].get_description(self.env)["string"]: Log._value_text(rec, f)
             for f in fnames}
            for rec in records
        ]

    def _hotel_privacy_data(self):
        """Everything the system holds about this guest, as {section title: [row dicts]}.

        Read as superuser: the export is for the guest, who is entitled to all of it. Addons
        extend this with their own sections.
        """
        self.ensure_one()
        # sudo: the export is for the guest, entitled to everything held (manager-only wizard)
        partner = self.sudo().with_context(active_test=False)
        _ = self.env._
        data = {
            _("Profile"): self._hotel_privacy_rows(partner, [
                "name", "email", "phone", "mobile", "street", "street2", "zip", "city",
                "country_id", "lang", "birthday", "nationality_id", "id_document_type",
                "id_document_number", "guest_type", "is_vip", "category_id", "comment",
                "email_consent", "sms_consent", "stay_count", "night_count", "total_spend",
                "first_stay_date", "last_stay_date", "create_date",
            ]),
            _("Preferences"): self._hotel_privacy_rows(
                partner.hotel_preference_ids, ["category_id", "value", "note", "sensitive"]
            ),
            _("Stays"): self._hotel_privacy_rows(partner.hotel_stay_ids, [
                "booking_ref", "company_id", "channel_id", "booked_on", "check_in", "check_out",
                "nights", "room_type_id", "rate_plan_id", "adults", "children", "state",
                "amount_total", "currency_id", "note",
            ]),
            _("Consents"): self._hotel_privacy_rows(partner.hotel_consent_ids, [
                "date", "channel", "granted", "source", "proof", "company_id",
            ]),
            _("Messages"): self._hotel_privacy_rows(
                # sudo: every message about the guest belongs in their export
                self.env["mail.message"].sudo().search([
                    ("model", "=", "res.partner"), ("res_id", "=", partner.id),
                ]),
                ["date", "subject", "email_from", "body"],
            ),
            _("E-mails Received"): self._hotel_privacy_rows(
                # sudo: every e-mail sent to the guest belongs in their export
                self.env["mail.mail"].sudo().search([
                    ("recipient_ids", "in", partner.ids),
                ]),
                ["date", "subject", "email_from", "state"],
            ),
            _("Changes to Personal Data"): self._hotel_privacy_rows(
                # sudo: the guest's audit trail belongs in their export
                self.env["hotel.audit.log"].sudo().search([("partner_id", "=", partner.id)]),
                ["date", "user_id", "action", "field_names", "note"],
            ),
        }
        if "mailing.trace" in self.env:  # mass_mailing installed: the mailings received
            data[_("Mailings Received")] = self._hotel_privacy_rows(
                # sudo: every mailing that reached the guest belongs in their export
                self.env["mailing.trace"].sudo().search([
                    ("model", "=", "res.partner"), ("res_id", "=", partner.id),
                ]),
                ["mass_mailing_id", "campaign_id", "email", "sent_datetime", "open_datetime",
                 "links_click_datetime", "trace_status"],
            )
        return data

    # ------------------------------------------------------------------
    # Anonymisation (S5)
    # ------------------------------------------------------------------
    def _hotel_anonymise_blockers(self):
        """Reasons this guest cannot be anonymised now (empty list: it can)."""
        self.ensure_one()
        reasons = []
        # sudo: an in-house stay at any property blocks the erasure
        in_house = self.env["hotel.stay"].sudo().search_count(
            [("partner_id", "=", self.id), ("state", "=", "in_house")]
        )
        if in_house:
            reasons.append(self.env._("%(guest)s is staying in the hotel now.",
                                      guest=self.display_name))
        # sudo: res.users of the partner, read only to refuse the erasure
        if self.sudo().with_context(active_test=False).user_ids:
            reasons.append(self.env._("%(guest)s is a user of this database; archive the user "
                                      "first.", guest=self.display_name))
        return reasons

    def _hotel_anonymise(self, reason):
        """Erase the personal data of these guests and keep their figures.

        Stays, ledger lines, tickets and their figures remain (accounting and aggregates do not
        change); names, addresses, documents, preferences, free texts and the values the audit
        log and chatter kept are wiped; the e-mail and mobile go to the suppression list as
        hashes so that the guest is never mailed again, even if imported anew.
        """
        blockers = [msg for partner in self for msg in partner._hotel_anonymise_blockers()]
        if blockers:
            raise UserError("\n".join(blockers))
        if not reason or not reason.strip():
            raise UserError(self.env._("Give the reason of the anonymisation (e.g. the guest's "
                                       "request of a date, or the retention policy)."))
        Log = self.env["hotel.audit.log"]
        # sudo (whole method): erasure must reach the records the requesting manager cannot
        # edit (consent history, audit values, messages, other addons' free texts).
        partners = self.sudo().with_context(active_test=False, tracking_disable=True)
        self.env["hotel.privacy.suppression"].sudo()._suppress_many([
            (channel, value) for partner in partners
            for channel, value in (("email", partner.email), ("sms", partner.mobile),
                                   ("sms", partner.phone)) if value
        ])
        emails = [e for e in partners.mapped("email_normalized") if e]
        if emails and "mailing.contact" in self.env:
            # sudo: erasure removes the addresses from every mailing list
            self.env["mailing.contact"].sudo().search(
                [("email_normalized", "in", emails)]
            ).unlink()
        # The log of past changes keeps who/when/which fields, not the erased values.
        # sudo: erasure blanks the values the append-only log holds
        Log.sudo().search([("partner_id", "in", partners.ids)]).write(
            {"old_values": False, "new_values": False, "record_name": False}
        )
        # sudo: erasure clears the guest's chatter whoever wrote it
        messages = self.env["mail.message"].sudo().search(
            [("model", "=", "res.partner"), ("res_id", "in", partners.ids)]
        )
        # sudo: tracked old values (names, e-mails) go with the chatter
        self.env["mail.tracking.value"].sudo().search(
            [("mail_message_id", "in", messages.ids)]
        ).unlink()
        messages.write({"body": False, "subject": False, "email_from": False,
                        "attachment_ids": [fields.Command.clear()]})
        partners.hotel_preference_ids.unlink()
        partners.hotel_consent_ids.write({"proof": False})
        partners.hotel_stay_ids.write({"note": False})
        partners._hotel_anonymise_related()
        now = fields.Datetime.now()
        for partner in partners:
            values = dict.fromkeys(ERASED_PARTNER_FIELDS, False)
            values.update({
                "name": self.env._("Anonymised Guest %s", partner.id),
                "is_anonymised": True, "anonymised_date": now, "is_vip": False,
            })
            # the audited write itself must not re-log the erased values
            partner.with_context(hotel_audit_skip=True).write(values)
        for channel in ("email", "sms"):
            granted = partners.filtered(lambda p, ch=channel: p[f"{ch}_consent"] == "granted")
            granted._hotel_set_consent(channel, False, "system",
                                       proof=self.env._("Personal data erased."))
        partners.invalidate_recordset()
        Log._record("anonymise", partners, lambda r: r, note=reason)
        return True

    def _hotel_anonymise_related(self):
        """Hook: other addons wipe the free texts they hold about these guests."""
        return True

    # ------------------------------------------------------------------
    # Retention (S5)
    # ------------------------------------------------------------------
    @api.model
    def _hotel_retention_candidates(self, company, today=None, limit=None):
        """Ids of guests of ``company`` with no stay (and no new profile) for its retention
        period; guests with stays at another property that is still within its own period
        are kept."""
        years = company.hotel_retention_years
        if not years:
            return []
        today = today or fields.Date.context_today(self)
        cutoff = today - relativedelta(years=years)
        self.env["hotel.stay"].flush_model()
        self.flush_model(["is_guest", "is_anonymised", "last_stay_date"])
        self.env["res.company"].flush_model(["hotel_retention_years"])
        self.env.cr.execute(SQL(
            """
            SELECT p.id FROM res_partner p
             WHERE p.is_guest AND NOT COALESCE(p.is_anonymised, FALSE)
               AND COALESCE(p.last_stay_date, p.create_date::date) < %(cutoff)s
               AND EXISTS (SELECT 1 FROM hotel_stay s
                            WHERE s.partner_id = p.id AND s.company_id = %(company)s)
               AND NOT EXISTS (
                    SELECT 1 FROM hotel_stay s
                      JOIN res_company c ON c.id = s.company_id
                     WHERE s.partner_id = p.id
                       AND (s.state IN ('booked', 'in_house')
                            OR COALESCE(c.hotel_retention_years, 0) = 0
                            OR s.check_out >= %(today)s
                               - make_interval(years => c.hotel_retention_years)))
             ORDER BY p.id %(limit)s
            """,
            cutoff=cutoff, company=company.id, today=today,
            limit=SQL("LIMIT %s", limit) if limit else SQL(""),
        ))
        return [row[0] for row in self.env.cr.fetchall()]

    def action_hotel_retention_preview(self):
        """The guests the retention job would anonymise next, for the current property."""
        if not self.env.user.has_group("hotel_crm.group_hotel_manager"):
            raise AccessError(self.env._("Only hotel managers preview the retention job."))
        ids = self._hotel_retention_candidates(self.env.company)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Retention Preview: %s", self.env.company.name),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "views": [(self.env.ref("hotel_crm.res_partner_view_list_hotel_guest").id, "list"),
                      (False, "form")],
            "domain": [("id", "in", ids)],
        }

    @api.model
    def _cron_hotel_retention(self, batch=500):
        """Anonymise guests past each property's retention period, in batches."""
        done = 0
        for company in self.env["res.company"].search([("hotel_retention_years", ">", 0)]):
            candidates = self.browse(self._hotel_retention_candidates(company, limit=batch))
            due = candidates.filtered(lambda p: not p._hotel_anonymise_blockers())
            if due:
                # one erasure for the whole batch: its searches and writes are set-based
                due._hotel_anonymise(self.env._(
                    "Retention policy of %(property)s: no stay for %(years)s years.",
                    property=company.name, years=company.hotel_retention_years,
                ))
            done += len(due)
            self.env["ir.cron"]._notify_progress(done=done, remaining=0)
        return done
