import hashlib

import psycopg2
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression
from odoo.tools import SQL, email_normalize, email_split

from ..tools.trusted import trusted
from .hotel_audit_log import ERASURE

try:  # as Odoo's phone_validation: the library is optional
    import phonenumbers
except ImportError:  # pragma: no cover
    phonenumbers = None

# Personal fields whose every change is written to hotel.audit.log (S4).
# Every personal field of res.partner a user can write (the photo is logged by a short
# fingerprint, not the file); consents are logged as the consent history's rows, preferences
# as theirs (hotel.guest.preference, sensitive ones included: the log is read by managers,
# who are in the Sensitive Data group).
AUDITED_PARTNER_FIELDS = (
    "name", "email", "phone", "mobile", "street", "street2", "zip", "city", "state_id",
    "country_id", "birthday", "nationality_id", "id_document_type", "id_document_number",
    "lang", "vat", "comment", "is_vip", "guest_type", "is_guest", "active", "website",
    "function", "title", "parent_id", "company_name", "category_id", "image_1920", "ref",
    "barcode",
)
# Cleared by the anonymisation; name and the flags are set separately.
# (fields of modules that may not be installed are skipped)
ERASED_PARTNER_FIELDS = (
    "email", "phone", "mobile", "street", "street2", "zip", "city", "state_id", "country_id",
    "birthday", "nationality_id", "id_document_type", "id_document_number", "vat", "comment",
    "website", "function", "title", "image_1920", "ref", "barcode", "company_name",
    "company_registry", "additional_info", "invoice_warn_msg", "sale_warn_msg",
    "picking_warn_msg", "peppol_endpoint",
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
    # Searched as a subquery (never a list of ids): the retention preview pages through
    # hundreds of thousands of guests at chain scale like any list.
    hotel_retention_due = fields.Boolean(
        string="Due for Anonymisation", compute="_compute_hotel_retention_due",
        search="_search_hotel_retention_due", groups="hotel_crm.group_hotel_manager",
        help="Past the retention period of the current property: the retention job "
             "anonymises this guest on its next run.",
    )

    @api.depends_context("company")
    def _compute_hotel_retention_due(self):
        due = self._hotel_retention_sql(self.env.company)
        ids = [pid for pid in self.ids if isinstance(pid, int)]
        found = set()
        if due is not None and ids:
            self.env.cr.execute(SQL("SELECT id FROM (%s) AS due WHERE id = ANY(%s)", due, ids))
            found = {row[0] for row in self.env.cr.fetchall()}
        for partner in self:
            partner.hotel_retention_due = partner.id in found

    def _search_hotel_retention_due(self, operator, value):
        # the field's groups hide it from other users' reads, not from their searches
        if not (self.env.su or self.env.user.has_group("hotel_crm.group_hotel_manager")):
            raise AccessError(self.env._("Only hotel managers preview the retention job."))
        if operator not in ("=", "!="):
            raise UserError(self.env._("Operation not supported"))
        due = self._hotel_retention_sql(self.env.company)
        due = SQL("(%s)", due) if due is not None else []
        return [("id", "in" if (operator == "=") == bool(value) else "not in", due)]

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
        if not self.is_guest:
            # a supplier, a company or a colleague is not erased through the guest erasure
            reasons.append(self.env._("%s is not a guest.", self.display_name))
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
        change); names, addresses, documents, preferences, free texts and every copy Odoo and
        the addons made of them (see "Where a guest's personal data is copied" in the README:
        chatter, e-mails, notifications, tracking values, mailing traces, text messages,
        activities, attachments, the audit trail …) are wiped; the e-mail and phone numbers go
        to the suppression list as hashes so that the guest is never mailed again, even if
        imported anew.
        """
        blockers = [msg for partner in self for msg in partner._hotel_anonymise_blockers()]
        if not reason or not reason.strip():
            blockers.append(self.env._("Give the reason of the anonymisation (e.g. the guest's "
                                       "request of a date, or the retention policy)."))
        # sudo: the guest's own addresses (child contacts that are not guests themselves)
        # are erased with them, wherever they are visible
        guests = self.sudo().with_context(active_test=False, tracking_disable=True)
        people = guests | guests.search(
            [("id", "child_of", guests.ids), ("is_guest", "=", False)])
        blockers += [
            self.env._("%(guest)s is a user of this database; archive the user first.",
                       guest=contact.display_name)
            for contact in people - guests if contact.user_ids
        ]
        if blockers:
            raise UserError("\n".join(blockers))
        # the erasure's own writes are not logged value by value (they would copy the data
        # into the log), and it alone may blank the values the log holds: see hotel_audit_log
        with trusted(ERASURE):
            self._hotel_erase(guests, people)
        for channel in ("email", "sms"):
            granted = guests.filtered(lambda p, ch=channel: p[f"{ch}_consent"] == "granted")
            granted._hotel_set_consent(channel, False, "system",
                                       proof=self.env._("Personal data erased."))
        guests.invalidate_recordset()
        self.env["hotel.audit.log"]._record("anonymise", guests, lambda r: r, note=reason)
        return True

    @api.model
    def _hotel_erasure_identifiers(self, people):
        """(names, e-mail addresses, phone numbers in every form stored) of ``people``."""
        names = {name for name in people.mapped("name") if name}
        emails = set()
        for email in people.mapped("email"):
            emails |= set(email_split(email or "")) | {email_normalize(email or "")}
        emails = {e.strip().lower() for e in emails if e and e.strip()}
        phones = set()
        for fname in ("phone", "mobile", "phone_sanitized", "hotel_phone_e164"):
            if fname in people._fields:
                for number in people.mapped(fname):
                    if number and number.strip():
                        phones |= {number.strip(), phone_key(number), "+" + phone_key(number)}
        return names, emails, {p for p in phones if len(p) > 4}

    @api.model
    def _hotel_erase(self, guests, people):
        """Erase ``guests`` and their own addresses ``people`` (superuser records)."""
        env = guests.env
        names, emails, phones = self._hotel_erasure_identifiers(people)
        # 1. never mailed again: the hashes replace every list holding the address in clear
        env["hotel.privacy.suppression"]._suppress_many([
            (channel, value) for partner in people
            for channel, value in (("email", partner.email), ("sms", partner.mobile),
                                   ("sms", partner.phone)) if value
        ])
        if emails and "mailing.contact" in env:
            env["mailing.contact"].search([("email_normalized", "in", list(emails))]).unlink()
        if emails:  # the blacklist row holds the address in clear; the hash keeps the block
            env["mail.blacklist"].with_context(active_test=False).search(
                [("email", "in", list(emails))]).unlink()
        if phones and "phone.blacklist" in env:
            env["phone.blacklist"].with_context(active_test=False).search(
                [("number", "in", list(phones))]).unlink()
        # the data exports made for them (a file of everything, kept until the wizard rows
        # are vacuumed)
        env["hotel.privacy.export"].search([("partner_id", "in", people.ids)]).unlink()
        # 2. the audit trail keeps who/when/which fields, not the erased values (nor the
        # free-text notes of past lines: a merge's reason may name the guest)
        env["hotel.audit.log"].search([("partner_id", "in", people.ids)]).write(
            {"old_values": False, "new_values": False, "record_name": False, "note": False})
        # 3. bank accounts go: Odoo's unlink() of a bank account only archives it, so the
        # row itself is deleted, its chatter first; one still used by a payment or an
        # invoice stays with that accounting record, which the law keeps: archived, without
        # its holder's name
        banks = env["res.partner.bank"].with_context(active_test=False).search(
            [("partner_id", "in", people.ids)])
        self._hotel_erase_documents("res.partner.bank", banks.ids)
        for bank in banks:
            try:
                with env.cr.savepoint():
                    models.Model.unlink(bank)
            except psycopg2.IntegrityError:
                bank.write({"active": False, "acc_holder_name": False})
        # 4. the documents about them: chatter, tracking, files, activities
        guests.hotel_preference_ids.unlink()
        guests.hotel_consent_ids.write({"proof": False})
        stays = guests.hotel_stay_ids
        stays.write({"note": False})
        self._hotel_erase_documents("res.partner", people.ids, drop_activities=True)
        self._hotel_erase_documents("hotel.stay", stays.ids)
        guests._hotel_anonymise_related()
        # 5. what Odoo copied elsewhere: messages they wrote or received, e-mails, texts
        self._hotel_erase_mail_copies(people, names, emails, phones)
        # changes made earlier in this transaction are tracked when it commits, with the
        # values they had: nothing of the erased records is tracked any more
        for records in (people, stays, banks):
            if hasattr(records, "_track_discard"):
                records._track_discard()
        # 6. the profiles themselves
        now = fields.Datetime.now()
        erased = [f for f in ERASED_PARTNER_FIELDS if f in people._fields]
        for partner in people:
            values = dict.fromkeys(erased, False)
            values.update({"name": self.env._("Anonymised Guest %s", partner.id),
                           "is_anonymised": True, "anonymised_date": now})
            if partner.is_guest:
                values["is_vip"] = False
            partner.write(values)

    @api.model
    def _hotel_erase_documents(self, model, ids, drop_activities=False):
        """Wipe the chatter of records ``ids`` of ``model`` about an erased guest: messages
        (bodies, subjects, senders, tracked values, files, their e-mails and texts), files
        attached to the records, and the texts of their activities (the activities of the
        guest's own profile go entirely)."""
        if not ids:
            return
        # sudo: erasure reaches the chatter, files and activities whoever wrote them
        env = self.env(su=True)
        self._hotel_erase_messages(env["mail.message"].search(
            [("model", "=", model), ("res_id", "in", list(ids))]))
        env["ir.attachment"].search(
            [("res_model", "=", model), ("res_id", "in", list(ids))]).unlink()
        activities = env["mail.activity"].with_context(active_test=False).search(
            [("res_model", "=", model), ("res_id", "in", list(ids))])
        if drop_activities:
            activities.unlink()
        else:
            activities.write({"summary": False, "note": False})
            activities.flush_recordset()
            # the record's name as it was when the activity was planned
            self.env.cr.execute(SQL("UPDATE mail_activity SET res_name = NULL WHERE id = ANY(%s)",
                                    activities.ids))
            activities.invalidate_recordset(["res_name"])

    @api.model
    def _hotel_erase_messages(self, messages):
        """Wipe ``messages`` and everything made from them (superuser records)."""
        if not messages:
            return
        env = messages.env
        env["mail.tracking.value"].search([("mail_message_id", "in", messages.ids)]).unlink()
        if "sms.sms" in env:
            env["sms.sms"].search([("mail_message_id", "in", messages.ids)]).unlink()
        notifications = env["mail.notification"].search(
            [("mail_message_id", "in", messages.ids)])
        notifications.write(dict.fromkeys(
            [f for f in ("failure_reason", "sms_number") if f in notifications._fields], False))
        # their e-mails, sent and kept or still queued (the queued ones are not sent any
        # more: their text is the erased data); a mail that is not a notification takes its
        # message with it
        env["mail.mail"].search([("mail_message_id", "in", messages.ids)]).unlink()
        messages = messages.exists()
        attachments = messages.attachment_ids
        messages.write({"body": "", "subject": False, "email_from": False, "reply_to": False,
                        "record_name": False, "attachment_ids": [fields.Command.clear()]})
        attachments.unlink()

    @api.model
    def _hotel_erase_mail_copies(self, people, names, emails, phones):
        """What Odoo copied of ``people`` outside their own records: messages they wrote or
        were sent anywhere, e-mails and texts addressed to them, their notifications, the
        tracked values naming them, mailing traces (kept for the statistics, blanked)."""
        env = people.env
        ids = people.ids
        self._hotel_erase_messages(env["mail.message"].search(expression.OR([
            [("author_id", "in", ids)], [("partner_ids", "in", ids)],
            *[[("email_from", "ilike", e)] for e in emails],
            *[[("reply_to", "ilike", e)] for e in emails],
        ])))
        mails = env["mail.mail"].search(expression.OR([
            [("recipient_ids", "in", ids)],
            *[[("email_to", "ilike", e)] for e in emails],
            *[[("email_cc", "ilike", e)] for e in emails],
        ]))
        self._hotel_erase_messages(mails.mail_message_id)
        mails.exists().unlink()
        notifications = env["mail.notification"].search([("res_partner_id", "in", ids)])
        notifications.write(dict.fromkeys(
            [f for f in ("failure_reason", "sms_number") if f in notifications._fields], False))
        fields_m2o = env["ir.model.fields"].search(
            [("relation", "=", "res.partner"), ("ttype", "=", "many2one")])
        tracked = env["mail.tracking.value"].search(expression.OR([
            [("field_id", "in", fields_m2o.ids), "|", ("old_value_integer", "in", ids),
             ("new_value_integer", "in", ids)],
            [("old_value_char", "in", list(emails | phones | names))],
            [("new_value_char", "in", list(emails | phones | names))],
        ]))
        tracked.write({"old_value_char": False, "new_value_char": False,
                       "old_value_text": False, "new_value_text": False})
        if "sms.sms" in env:
            env["sms.sms"].search(["|", ("partner_id", "in", ids),
                                   ("number", "in", list(phones))]).unlink()
        if "mailing.trace" in env:
            Trace = env["mailing.trace"]
            domain = expression.OR([
                [("model", "=", "res.partner"), ("res_id", "in", ids)],
                [("email", "in", list(emails))],
            ])
            blank = {"email": False, "failure_reason": False}
            if "sms_number" in Trace._fields:
                domain = expression.OR([domain, [("sms_number", "in", list(phones))]])
                blank["sms_number"] = False
            Trace.search(domain).write(blank)

    def _hotel_anonymise_related(self):
        """Hook: other addons wipe what they hold about these guests (superuser records,
        inside the erasure's trusted block); documents about the guest go through
        :meth:`_hotel_erase_documents`."""
        return True

    # ------------------------------------------------------------------
    # Retention (S5)
    # ------------------------------------------------------------------
    @api.model
    def _hotel_retention_sql(self, company, today=None):
        """SELECT of the ids of guests of ``company`` with no stay (and no new profile) for
        its retention period (guests with stays at another property that is still within its
        own period are kept); None when the property keeps guests' data without limit. The
        one query behind the retention job, its preview and ``hotel_retention_due``."""
        years = company.hotel_retention_years
        if not years:
            return None
        today = today or fields.Date.context_today(self)
        cutoff = today - relativedelta(years=years)
        self.env["hotel.stay"].flush_model()
        self.flush_model(["is_guest", "is_anonymised", "last_stay_date"])
        self.env["res.company"].flush_model(["hotel_retention_years"])
        return SQL(
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
            """,
            cutoff=cutoff, company=company.id, today=today,
        )

    @api.model
    def _hotel_retention_candidates(self, company, today=None, limit=None):
        """Ids of the guests of ``company`` past its retention period, in id order."""
        due = self._hotel_retention_sql(company, today)
        if due is None:
            return []
        self.env.cr.execute(SQL(
            "SELECT id FROM (%s) AS due ORDER BY id %s",
            due, SQL("LIMIT %s", limit) if limit else SQL(""),
        ))
        return [row[0] for row in self.env.cr.fetchall()]

    def action_hotel_retention_preview(self):
        """The guests the retention job would anonymise next, for the current property: a
        domain on ``hotel_retention_due``, so the list pages through them like any list."""
        if not self.env.user.has_group("hotel_crm.group_hotel_manager"):
            raise AccessError(self.env._("Only hotel managers preview the retention job."))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Retention Preview: %s", self.env.company.name),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "views": [(self.env.ref("hotel_crm.res_partner_view_list_hotel_guest").id, "list"),
                      (False, "form")],
            "domain": [("hotel_retention_due", "=", True)],
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
