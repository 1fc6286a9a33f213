import base64
import io
import json

import openpyxl
from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import HotelCrmCase


@tagged("post_install", "-at_install")
class TestPrivacy(HotelCrmCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.guest = cls.make_guest(
            "周杰", email="zhou.jie@example.com", mobile="+86 138 0013 8001", is_vip=True,
            id_document_type="resident_id", id_document_number="110101199003071234",
        )
        cls.stay = cls.make_stay(cls.guest, "2026-05-01", nights=3, amount_room=2400.0,
                                 note="Arrives late, room near the lift please")
        categories = cls.env["hotel.preference.category"].search([])
        cls.pref = cls.env["hotel.guest.preference"].create({
            "partner_id": cls.guest.id, "category_id": categories[0].id, "value": "高楼层",
        })
        cls.guest._hotel_set_consent("email", True, "booking_engine", proof="form v3")
        cls.guest.message_post(body="周杰 called about his invoice")

    def logs(self, **domain):
        return self.env["hotel.audit.log"].search(
            [("partner_id", "=", self.guest.id)] + [(k, "=", v) for k, v in domain.items()]
        )

    # ------------------------------------------------------------------ audit trail
    def test_personal_field_changes_are_logged_with_old_and_new_values(self):
        self.guest.with_user(self.front_desk_a).write({"mobile": "+86 139 0000 0000"})
        log = self.logs(action="write")[:1]
        self.assertEqual(log.user_id, self.front_desk_a)
        self.assertEqual(log.field_names, "Mobile")
        self.assertEqual(json.loads(log.old_values), {"mobile": "+86 138 0013 8001"})
        self.assertEqual(json.loads(log.new_values), {"mobile": "+86 139 0000 0000"})
        # figures are not personal data: recomputing them leaves no line
        before = self.logs()
        self.guest._hotel_refresh_guests()
        self.assertEqual(self.logs(), before)

    def test_logged_values_keep_tabs_line_breaks_and_backslashes(self):
        """Audit lines are stored with PostgreSQL's COPY: values holding the characters COPY
        escapes (tab, line break, backslash, a literal \\N) read back as they were written."""
        value = "窗边\t安静 \\N C:\\temp\n第二行"
        self.pref.with_user(self.front_desk_a).write({"value": value})
        log = self.logs(action="write", model="hotel.guest.preference")[:1]
        self.assertEqual(log.user_id, self.front_desk_a)
        self.assertEqual(json.loads(log.new_values), {"value": value})
        self.assertEqual(json.loads(log.old_values), {"value": "高楼层"})
        self.assertEqual(log.record_name, self.pref.display_name)

    def test_a_line_whose_guest_is_found_by_a_query_is_stored(self):
        """Audit lines are made while COPY stores them: the guest they name (here found by
        a search) and the field labels are read before, as a query during the COPY would
        end it."""
        self.env.invalidate_all()
        pref = self.env["hotel.guest.preference"].browse(self.pref.id)
        Partner = self.env["res.partner"]
        self.env["hotel.audit.log"]._record(
            "write", pref, lambda r: Partner.search([("id", "=", r.partner_id.id)]),
            ["value", "note"],
            old={pref.id: {"value": "高楼层", "note": ""}},
            new={pref.id: {"value": "低楼层", "note": "安静"}}, note="check-in desk")
        log = self.logs(action="write", model="hotel.guest.preference")[:1]
        self.assertEqual((log.partner_id, log.note), (self.guest, "check-in desk"))
        self.assertEqual(json.loads(log.new_values), {"value": "低楼层", "note": "安静"})
        self.assertEqual(log.field_names.count(", "), 1)

    def test_preference_and_consent_changes_are_logged(self):
        self.pref.with_user(self.front_desk_a).write({"value": "低楼层"})
        self.pref.with_user(self.front_desk_a).unlink()
        models = self.logs().mapped(lambda log: (log.model, log.action))
        self.assertIn(("hotel.guest.preference", "create"), models)
        self.assertIn(("hotel.guest.preference", "write"), models)
        self.assertIn(("hotel.guest.preference", "unlink"), models)
        self.assertIn(("hotel.guest.consent", "create"), models)

    def test_only_managers_read_the_log_and_nobody_rewrites_it(self):
        self.guest.write({"phone": "010-1234567"})
        Log = self.env["hotel.audit.log"]
        with self.assertRaises(AccessError):
            Log.with_user(self.front_desk_a).search([])
        with self.assertRaises(AccessError):
            Log.with_user(self.marketing).search([])
        log = Log.with_user(self.manager).search([("partner_id", "=", self.guest.id)])
        self.assertTrue(log)
        with self.assertRaises(UserError):  # AccessError is a UserError
            log.with_user(self.manager).write({"note": "nothing happened"})
        with self.assertRaises(UserError):
            log.write({"note": "nothing happened"})
        with self.assertRaises(UserError):
            log.unlink()

    # ------------------------------------------------------------------ sensitive data
    def test_id_numbers_are_readable_only_by_the_sensitive_group(self):
        for user in (self.front_desk_a, self.guest_relations, self.marketing):
            user.groups_id += self.env.ref("base.group_allow_export")
            guest = self.guest.with_user(user)
            with self.assertRaises(AccessError):
                guest.read(["id_document_number"])
            with self.assertRaises(AccessError):
                guest.export_data(["name", "id_document_number"])
            self.assertNotIn("id_document_number", guest.fields_get())
            # what the guest form loads for this user (the web client reads these fields)
            views = guest.get_views([(False, "form"), (False, "list")])
            shown = views["models"]["res.partner"]["fields"]
            self.assertNotIn("id_document_number", shown)
            # (account's credit figures need invoicing rights, whatever the hotel addons do)
            hotel = [name for name in shown if name not in (
                "id", "days_sales_outstanding", "supplier_invoice_count")]
            self.assertNotIn("110101199003071234",
                             str(guest.web_read({name: {} for name in hotel})))
            with self.assertRaises(AccessError):
                self.env["res.partner"].with_user(user).search(
                    [("id_document_number", "=", "110101199003071234")]
                )
        self.assertEqual(self.guest.with_user(self.manager).id_document_number,
                         "110101199003071234")

    # ------------------------------------------------------------------ export
    def export(self, file_format, user=None):
        wizard = self.env["hotel.privacy.export"].with_user(user or self.manager).create(
            {"partner_id": self.guest.id, "file_format": file_format}
        )
        action = wizard.action_export()
        self.assertIn("/data_file/", action["url"])
        return base64.b64decode(wizard.data_file), wizard.filename

    def test_export_json_holds_profile_preferences_stays_consents_messages(self):
        content, filename = self.export("json")
        self.assertEqual(filename, "guest-data-%s.json" % self.guest.id)
        data = json.loads(content)
        profile = data["Profile"][0]
        self.assertEqual(profile["Name"], "周杰")
        self.assertEqual(profile["ID Number"], "110101199003071234")
        self.assertEqual(data["Preferences"][0]["Value"], "高楼层")
        self.assertEqual(data["Stays"][0]["Note"], "Arrives late, room near the lift please")
        self.assertEqual(data["Consents"][0]["Proof"], "form v3")
        self.assertTrue(any("invoice" in m["Contents"] for m in data["Messages"]))
        self.assertEqual(self.logs(action="export").note, filename)

    def test_export_xlsx_reads_back_one_sheet_per_section(self):
        content, _filename = self.export("xlsx")
        book = openpyxl.load_workbook(io.BytesIO(content))
        self.assertIn("Profile", book.sheetnames)
        self.assertIn("Stays", book.sheetnames)
        rows = list(book["Profile"].values)
        profile = dict(zip(rows[0], rows[1], strict=True))
        self.assertEqual(profile["Name"], "周杰")

    def test_a_formula_typed_by_a_guest_stays_text_in_the_export(self):
        self.pref.value = '=HYPERLINK("http://evil.example","click")'
        content, _filename = self.export("xlsx")
        cell = openpyxl.load_workbook(io.BytesIO(content))["Preferences"]["B2"]
        self.assertEqual(cell.data_type, "s")
        self.assertEqual(cell.value, '=HYPERLINK("http://evil.example","click")')

    def test_only_managers_export_guest_data(self):
        with self.assertRaises(AccessError):
            self.export("json", user=self.guest_relations)
        with self.assertRaises(AccessError):
            self.export("json", user=self.front_desk_a)

    # ------------------------------------------------------------------ anonymisation
    def test_anonymisation_erases_personal_data_and_keeps_the_figures(self):
        self.guest.write({"phone": "010-7654321"})
        figures = (self.guest.stay_count, self.guest.total_spend, self.guest.night_count)
        wizard = Form(self.env["hotel.privacy.anonymise"].with_user(self.manager).with_context(
            default_partner_ids=self.guest.ids))
        wizard.reason = "Written request of 2026-11-20"
        wizard.save().action_anonymise()
        guest = self.guest
        self.assertEqual(guest.name, "Anonymised Guest %s" % guest.id)
        self.assertTrue(guest.is_anonymised)
        for fname in ("email", "mobile", "phone", "birthday", "id_document_number"):
            self.assertFalse(guest[fname], fname)
        self.assertFalse(guest.hotel_preference_ids)
        self.assertFalse(self.stay.note)
        self.assertEqual((guest.stay_count, guest.total_spend, guest.night_count), figures)
        self.assertEqual(self.stay.partner_id, guest)
        self.assertEqual(guest.email_consent, "withdrawn")
        self.assertNotIn("form v3", guest.hotel_consent_ids.mapped("proof"))
        messages = self.env["mail.message"].search(
            [("model", "=", "res.partner"), ("res_id", "=", guest.id)]
        )
        self.assertFalse(any("周杰" in (m.body or "") for m in messages))
        self.assertFalse(self.env["mail.tracking.value"].search(
            [("mail_message_id", "in", messages.ids)]))
        logs = self.logs()
        self.assertFalse(any("周杰" in (log.old_values or "") + (log.new_values or "")
                             + (log.record_name or "") for log in logs))
        anonymised = self.logs(action="anonymise")
        self.assertEqual((anonymised.user_id, anonymised.note),
                         (self.manager, "Written request of 2026-11-20"))

    def test_an_erased_address_is_never_mailed_again(self):
        self.guest._hotel_anonymise("Guest request")
        again = self.make_guest("Zhou Jie", email="Zhou.Jie@Example.com")
        self.assertEqual(again.email_consent, "withdrawn")
        self.assertFalse(self.env["res.partner"].search(
            [("id", "=", again.id), *again._hotel_mailable_domain("email")]))
        self.assertFalse(self.make_guest("Someone else", email="other@example.com").email_consent)

    def test_an_erased_phone_number_is_never_texted_again(self):
        """Text messages go to the mobile, else the phone: both numbers are suppressed and
        recognised again, in either field and however they are written."""
        landline = self.make_guest("Li Na", phone="+86 10 6588 1234")
        (self.guest | landline)._hotel_anonymise("Guest request")
        self.assertEqual(len(self.env["hotel.privacy.suppression"].sudo().search(
            [("channel", "=", "sms")])), 2)
        again = self.make_guest("Li Na", mobile="010-6588-1234 ", phone="")
        self.assertEqual(again.sms_consent, "withdrawn")
        by_phone = self.make_guest("Zhou Jie", phone="+8613800138001")
        self.assertEqual(by_phone.sms_consent, "withdrawn")
        other = self.make_guest("Someone else", phone="+86 139 0000 0001")
        self.assertFalse(other.sms_consent)
        other.phone = "+86 138 0013 8001"
        self.assertEqual(other.sms_consent, "withdrawn")

    def test_anonymisation_is_refused_while_the_guest_is_in_house(self):
        stay = self.make_stay(self.guest, "2026-11-20", nights=10, state="in_house")
        wizard = self.env["hotel.privacy.anonymise"].with_user(self.manager).create(
            {"partner_ids": self.guest.ids, "reason": "request"}
        )
        self.assertIn("staying in the hotel now", wizard.blockers)
        with self.assertRaisesRegex(UserError, "staying in the hotel now"):
            wizard.action_anonymise()
        self.assertEqual(self.guest.name, "周杰")
        stay.state = "checked_out"
        with self.assertRaisesRegex(UserError, "reason"):
            self.guest._hotel_anonymise("  ")

    def test_only_managers_anonymise(self):
        with self.assertRaises(AccessError):
            self.env["hotel.privacy.anonymise"].with_user(self.guest_relations).create(
                {"partner_ids": self.guest.ids, "reason": "request"}
            )

    # ------------------------------------------------------------------ retention
    def retention_guests(self):
        """(old, recent, elsewhere): guests of property A, which keeps data for 3 years."""
        self.property_a.hotel_retention_years = 3
        old = self.make_guest("旧客人", email="old@example.com")
        self.make_stay(old, "2022-03-01", company=self.property_a)
        recent = self.make_guest("新客人")
        self.make_stay(recent, "2025-01-10", company=self.property_a)
        elsewhere = self.make_guest("两地客人")
        self.make_stay(elsewhere, "2022-03-01", company=self.property_a)
        self.make_stay(elsewhere, "2022-06-01", company=self.property_b)  # B keeps data forever
        return old, recent, elsewhere

    def test_retention_anonymises_guests_without_stays_for_the_period(self):
        old, recent, elsewhere = self.retention_guests()
        Partner = self.env["res.partner"]
        with freeze_time("2026-11-25"):
            candidates = Partner._hotel_retention_candidates(self.property_a)
            self.assertIn(old.id, candidates)
            self.assertNotIn(recent.id, candidates)
            self.assertNotIn(elsewhere.id, candidates)
            self.assertNotIn(self.guest.id, candidates)
            self.assertEqual(candidates, sorted(candidates))
            self.assertEqual(Partner._hotel_retention_candidates(self.property_a, limit=1),
                             candidates[:1])
            Partner._cron_hotel_retention()
        self.assertTrue(old.is_anonymised)
        self.assertFalse(recent.is_anonymised or elsewhere.is_anonymised)
        self.assertIn("Retention policy", self.env["hotel.audit.log"].search(
            [("partner_id", "=", old.id), ("action", "=", "anonymise")]).note)

    def test_the_retention_preview_lists_exactly_the_candidates_without_their_ids(self):
        old, recent, elsewhere = self.retention_guests()
        Partner = self.env["res.partner"].with_user(self.manager).with_company(self.property_a)
        with freeze_time("2026-11-25"):
            candidates = Partner._hotel_retention_candidates(self.property_a)
            self.assertIn(old.id, candidates)
            preview = Partner.action_hotel_retention_preview()
            # a condition the list pages through, not the candidates' ids
            self.assertEqual(preview["domain"], [("hotel_retention_due", "=", True)])
            self.assertEqual(sorted(Partner.search(preview["domain"]).ids), candidates)
            self.assertEqual(Partner.search_count(preview["domain"]), len(candidates))
            self.assertEqual(len(Partner.search(preview["domain"], limit=1)), 1)
            not_due = Partner.search([("hotel_retention_due", "!=", True)])
            self.assertIn(recent, not_due)
            self.assertNotIn(old, not_due)
            # the flag read on the guests themselves says the same
            guests = (old | recent | elsewhere | self.guest).with_env(Partner.env)
            self.assertEqual(guests.mapped("hotel_retention_due"), [True, False, False, False])
            # at a property that keeps guests' data without limit, nobody is due
            Partner_b = Partner.with_company(self.property_b)
            self.assertFalse(Partner_b.search([("hotel_retention_due", "=", True)]))
            self.assertFalse(old.with_env(Partner_b.env).hotel_retention_due)

    def test_only_managers_preview_or_search_the_guests_due_for_anonymisation(self):
        old = self.retention_guests()[0]
        with freeze_time("2026-11-25"):
            for user in (self.front_desk_a, self.guest_relations, self.marketing):
                Partner = self.env["res.partner"].with_user(user).with_company(self.property_a)
                with self.assertRaises(AccessError):
                    Partner.action_hotel_retention_preview()
                # the field's groups hide its value; searching on it is refused as well
                with self.assertRaises(AccessError):
                    Partner.search([("hotel_retention_due", "=", True)])
                with self.assertRaises(AccessError):
                    Partner.search_count([("hotel_retention_due", "!=", False)])
                with self.assertRaises(AccessError):
                    old.with_user(user).read(["hotel_retention_due"])
