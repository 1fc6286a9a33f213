"""The auditor's test of the right to erasure (S5): copy one guest's personal data into every
place Odoo and the addons copy it to, through their real paths, erase the guest, then search
every text column of every table of the database for what identified them."""

import base64
import csv
import io
from datetime import date

from odoo import Command
from odoo.tests import tagged
from odoo.tools import SQL

from ..models.res_partner_privacy import suppression_hash
from .common import HotelCrmCase

NAME = "甄兰秀"
LATIN_NAME = "Lanxiu Zhenerase"
EMAIL = "zhen.lanxiu.erase@example.com"
OLD_EMAIL = "lanxiu.old.erase@example.org"
MOBILE = "+86 139 1234 5678"
MOBILE_DIGITS = "13912345678"
PHONE = "010-6677-8899"
PHONE_DIGITS = "66778899"
STREET = "秀水街88号甄宅"
IBAN = "CN62 2202 7391 8264 5501"
PHOTO = (b"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJ"
         b"RU5ErkJggg==")
NEEDLES = (NAME, LATIN_NAME, EMAIL, "zhen.lanxiu.erase", OLD_EMAIL, MOBILE, MOBILE_DIGITS,
           PHONE, PHONE_DIGITS, STREET, "7391 8264 5501", "739182645501")

# Tables left out of the scan, with why. Nothing else is: a new module's table is scanned.
NOT_SCANNED = {
    # the suppression list holds only SHA-256 hashes, which is what must remain
    "hotel_privacy_suppression",
}


def find_copies(env, needles):
    """{table: {column: a value}} of every text, varchar and jsonb column of every table of the
    database holding one of ``needles`` (case-insensitive)."""
    env.flush_all()
    cr = env.cr
    cr.execute(SQL("""
        SELECT c.table_name, array_agg(c.column_name::text ORDER BY c.column_name)
          FROM information_schema.columns c
          JOIN information_schema.tables t
            ON t.table_schema = c.table_schema AND t.table_name = c.table_name
         WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
           AND c.data_type IN ('text', 'character varying', 'jsonb')
         GROUP BY c.table_name ORDER BY c.table_name
    """))
    patterns = ["%" + n.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                for n in needles]
    found = {}
    for table, columns in cr.fetchall():
        if table in NOT_SCANNED:
            continue
        cr.execute(SQL("SELECT %s FROM %s", SQL(", ").join(
            SQL("COALESCE(bool_or(%s::text ILIKE ANY(%s)), FALSE)", SQL.identifier(col),
                patterns) for col in columns
        ), SQL.identifier(table)))
        hits = [col for col, hit in zip(columns, cr.fetchone(), strict=True) if hit]
        for col in hits:  # one value of each, to say what was left
            cr.execute(SQL("SELECT left(%s::text, 160) FROM %s WHERE %s::text ILIKE ANY(%s) "
                           "LIMIT 1", SQL.identifier(col), SQL.identifier(table),
                           SQL.identifier(col), patterns))
            found.setdefault(table, {})[col] = cr.fetchone()[0]
    return found


@tagged("post_install", "-at_install")
class TestErasureLeavesNoCopy(HotelCrmCase):
    def copy_the_guest_everywhere(self):
        """The guest's data, copied by Odoo's and the addons' own code paths; returns the
        tables that must hold a copy before the erasure (proof that the test copied)."""
        env = self.env(context=dict(self.env.context, tracking_disable=False,
                                    mail_notify_force_send=False))
        expected = {"res_partner", "mail_message", "mail_tracking_value", "mail_mail",
                    "mail_activity", "ir_attachment", "hotel_audit_log", "hotel_stay",
                    "hotel_guest_preference", "hotel_guest_consent", "res_partner_bank"}
        guest = env["res.partner"].create({
            "name": NAME, "is_guest": True, "email": OLD_EMAIL, "mobile": MOBILE,
            "phone": PHONE, "street": STREET, "city": "北京", "zip": "100020",
            "website": "https://zhen-lanxiu-erase.example.com", "function": "Director",
            "comment": f"<p>{LATIN_NAME} prefers Chinese tea</p>", "birthday": date(1985, 3, 8),
            "image_1920": PHOTO,
        })
        env.cr.precommit.run()  # tracking values are written when the transaction commits,
        # and not for a record created in the same transaction
        guest.write({"email": EMAIL})  # tracked (chatter) and audited: the old address too
        env.cr.precommit.run()  # tracking values are written when the transaction commits
        guest._hotel_set_consent("email", True, "booking_engine", proof=f"web form of {NAME}")
        guest._hotel_set_consent("sms", True, "booking_engine")
        env["res.partner.bank"].create({"partner_id": guest.id, "acc_number": IBAN,
                                        "acc_holder_name": LATIN_NAME})
        env["hotel.guest.preference"].create({
            "partner_id": guest.id, "value": f"{LATIN_NAME}: firm pillow",
            "category_id": env["hotel.preference.category"].search([], limit=1).id,
        })
        stay = self.make_stay(guest, "2026-03-01", note=f"{NAME} arrives late, call {MOBILE}")
        # chatter: a note naming them, a file, a message e-mailed to them (queued), a message
        # they wrote themselves on their stay, an activity on them and on their stay
        guest.message_post(body=f"{NAME} called from {MOBILE}",
                           attachments=[(f"{LATIN_NAME}.txt", f"{NAME} {EMAIL}".encode())])
        stay.with_env(env).message_post(
            body=f"Dear {NAME}, see you soon", partner_ids=guest.ids,
            message_type="comment", subtype_xmlid="mail.mt_comment")
        stay.with_env(env).message_post(
            body=f"I am {NAME}, please call {MOBILE}", author_id=guest.id, email_from=EMAIL,
            message_type="email", subtype_xmlid="mail.mt_comment")
        env["ir.attachment"].create({"name": f"passport {LATIN_NAME}.txt", "res_model":
                                     "hotel.stay", "res_id": stay.id,
                                     "raw": f"{NAME} {EMAIL}".encode()})
        guest.with_env(env).activity_schedule("mail.mail_activity_data_todo",
                                              summary=f"Call {NAME} back",
                                              note=f"on {MOBILE}", user_id=env.uid)
        stay.with_env(env).activity_schedule("mail.mail_activity_data_todo",
                                             summary=f"Upgrade for {NAME}", user_id=env.uid)
        # an e-mail sent and kept, and one still in the queue
        sent = env["mail.mail"].create({"email_to": EMAIL, "subject": f"Invoice of {NAME}",
                                        "body_html": f"<p>Dear {NAME}</p>",
                                        "auto_delete": False})
        sent.send()
        env["mail.mail"].create({"email_to": f'"{NAME}" <{EMAIL}>', "email_cc": OLD_EMAIL,
                                 "subject": "Your stay", "body_html": f"<p>Dear {NAME}</p>"})
        if "mailing.mailing" in env:  # a real mass mailing sent to the guest
            expected |= {"mailing_trace", "mailing_contact", "mail_blacklist"}
            mailing = env["mailing.mailing"].create({
                "subject": "Spring offer", "mailing_type": "mail",
                "mailing_model_id": env.ref("base.model_res_partner").id,
                "mailing_domain": repr([("id", "=", guest.id)]),
                "body_html": '<p>Dear <t t-out="object.name"/>, welcome back</p>',
                "keep_archives": True,
            })
            mailing.action_send_mail()
            env["mailing.contact"].create({"name": NAME, "email": EMAIL})
            env["mail.blacklist"]._add(EMAIL)
        if "sms.sms" in env:  # a text message to the guest, and their number blacklisted
            expected |= {"sms_sms", "phone_blacklist", "mail_notification"}
            guest.with_env(env)._message_sms(f"{NAME}, your room is ready",
                                             partner_ids=guest.ids)
            env["phone.blacklist"]._add(["+86" + MOBILE_DIGITS])
        if "survey.survey" in env:  # a survey they answered, in their own words
            expected |= {"survey_user_input", "survey_user_input_line"}
            survey = env["survey.survey"].create({
                "title": "How was it?", "access_mode": "public",
                "question_and_page_ids": [Command.create({"title": "Anything else?",
                                                 "question_type": "text_box"})],
            })
            answer = survey._create_answer(partner=guest, email=EMAIL, nickname=NAME,
                                           check_attempts=False)
            answer._save_lines(survey.question_ids, f"{NAME} here, call me on {MOBILE}")
            answer._mark_done()
        if "hotel.feedback" in env:  # a complaint ticket and a review
            expected |= {"hotel_feedback", "hotel_review"}
            ticket = env["hotel.feedback"].create({
                "partner_id": guest.id, "company_id": self.property_a.id,
                "name": f"{NAME}: noisy room", "description": f"{NAME} {MOBILE}",
                "email_from": EMAIL,
            })
            ticket.message_post(body=f"{NAME} phoned again")
            env["hotel.review"].create({
                "partner_id": guest.id, "company_id": self.property_a.id, "source": "ctrip",
                "date": date(2026, 3, 5), "rating": 4, "reviewer_name": NAME,
                "text": f"I, {LATIN_NAME}, liked it",
            })
        if "hotel.loyalty.member" in env:
            env["hotel.loyalty.member"].create({"partner_id": guest.id,
                                                "company_id": self.property_a.id})
        if "hotel.merge.journal" in env:  # a second profile merged into them, a rejected
            # import row, a duplicate decision noted
            expected |= {"hotel_merge_journal", "hotel_import_log_line",
                         "hotel_duplicate_candidate"}
            twin = env["res.partner"].create({"name": LATIN_NAME, "is_guest": True,
                                              "email": OLD_EMAIL, "phone": PHONE})
            self.make_stay(twin, "2025-10-01")
            env["hotel.merge.journal"]._merge(twin, guest, f"same passport as {NAME}")
            other = self.make_guest("Another Guest", email="another.guest@example.com")
            env["hotel.duplicate.candidate"].create({
                "partner_a_id": guest.id, "partner_b_id": other.id,
                "note": f"not {NAME}: different birthday",
            })
            self.import_a_rejected_row(env)
        # their invoicing address, a contact of their own (after the merge: Odoo does not
        # merge a profile with contacts)
        env["res.partner"].create({"name": f"{NAME} (invoices)", "type": "invoice",
                                   "parent_id": guest.id, "street": STREET, "email": EMAIL})
        env.cr.precommit.run()
        return guest, expected

    def import_a_rejected_row(self, env):
        header = ["Confirmation No", "Property", "Channel", "Guest Name", "Email", "Mobile",
                  "Birthday", "Nationality", "Arrival", "Departure", "Booked On", "Room Type",
                  "Status", "Room Revenue", "F&B Revenue", "Other Revenue", "Adults",
                  "Children"]
        rows = [["ER-1", self.property_a.name, "website", NAME, EMAIL, MOBILE, "", "CN",
                 "2026-03-01", "not a date", "", "std_king", "Checked Out", "1200", "0", "0",
                 "2", "0"],
                ["ER-2", self.property_a.name, "website", "Kept Guest", "kept@example.com",
                 "13700000000", "", "CN", "2026-03-01", "also wrong", "", "std_king",
                 "Checked Out", "1200", "0", "0", "2", "0"]]
        buf = io.StringIO(newline="")
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
        wizard = env["hotel.import.wizard"].create({
            "file": base64.b64encode(buf.getvalue().encode()), "filename": "erase.csv",
            "preset_id": env.ref("hotel_import.preset_pms").id,
            "company_id": self.property_a.id,
        })
        wizard.action_dry_run()
        self.assertEqual(wizard.log_id.rows_rejected, 2)
        self.import_log = wizard.log_id

    def test_erasure_leaves_no_copy_of_the_guest_anywhere_in_the_database(self):
        self.assertEqual(find_copies(self.env, NEEDLES), {}, "needles must be unique")
        guest, expected = self.copy_the_guest_everywhere()
        before = find_copies(self.env, NEEDLES)
        self.assertFalse(expected - set(before),
                         f"the test did not copy the guest into {expected - set(before)}")
        export = self.env["hotel.privacy.export"].with_user(self.manager).create(
            {"partner_id": guest.id, "file_format": "json"})
        export.action_export()
        self.assertIn(EMAIL, base64.b64decode(export.data_file).decode())
        wizard = self.env["hotel.privacy.anonymise"].with_user(self.manager).create(
            {"partner_ids": guest.ids, "reason": "Written request of 2026-04-01"})
        wizard.action_anonymise()
        left = find_copies(self.env, NEEDLES)
        self.assertEqual(left, {}, "personal data of the erased guest left in the database")
        # (a file column the scan does not read: the export made for the guest is gone)
        self.assertFalse(export.exists())
        # what must stay: the figures, the hashes that keep them unmailed, the audit line
        self.assertTrue(guest.is_anonymised)
        self.assertEqual(guest.stay_count, 2 if "hotel.merge.journal" in self.env else 1)
        self.assertTrue(self.env["hotel.privacy.suppression"].search(
            [("channel", "=", "email"), ("value_hash", "=", suppression_hash("email", EMAIL))]))
        self.assertTrue(self.env["hotel.audit.log"].search(
            [("partner_id", "=", guest.id), ("action", "=", "anonymise")]))
        if "hotel.merge.journal" in self.env:  # the other guest's rejected row stays
            self.assertEqual(self.import_log.line_ids.mapped("row_number"), [3])
            self.assertTrue(self.import_log.rejects_file)
