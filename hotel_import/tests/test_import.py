import base64
import io
from datetime import datetime

import openpyxl
import xlsxwriter
from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import PMS_HEADER, HotelImportCase

CTRIP_HEADER = ["订单号", "酒店名称", "入住人", "联系电话", "邮箱", "房型", "入住日期", "离店日期",
                "间夜数", "订单金额", "订单状态", "预订时间"]


@tagged("post_install", "-at_install")
class TestImport(HotelImportCase):
    def ctrip_file(self):
        rows = [
            ["CT0000000001", "Test Hotel Beijing", "李娜", "139 1234 5678", "m1234567@m.ctrip.com",
             "标准大床房", "2026-03-01", "2026-03-03", "2", "1,200.00", "已离店",
             "2026-02-20 14:22"],
            ["CT0000000002", "TBJ", "ZHANG WEI", "+86 137 0000 1111", "Zhang.Wei@Example.com",
             "套房", "2026年4月1日", "2026年4月4日", "3", "3600", "已取消", "2026-03-01 10:00"],
            ["CT0000000003", "Test Hotel Beijing", "李娜", "13912345678", "", "", "2026-05-01",
             "2026-05-02", "1", "600", "已离店", "2026-04-20 09:00"],
        ]
        return self.csv_bytes(CTRIP_HEADER, rows, encoding="gb18030")

    def test_dry_run_shows_what_would_happen_and_writes_nothing(self):
        guests_before = self.env["res.partner"].search_count([])
        log = self.run_import(self.ctrip_file(), apply=False, preset=self.ctrip_preset,
                              filename="ctrip.csv")
        self.assertEqual(log.state, "dry_run")
        self.assertEqual(log.encoding, "gb18030")
        self.assertEqual((log.rows_total, log.rows_rejected), (3, 0))
        # 李娜 twice (same phone written two ways) is one guest
        self.assertEqual((log.guests_created, log.stays_created), (2, 3))
        self.assertEqual(self.env["res.partner"].search_count([]), guests_before)
        self.assertFalse(self.env["hotel.stay"].search([("booking_ref", "like", "CT00000000")]))

    def test_apply_creates_clean_guests_and_stays_and_reimport_changes_nothing(self):
        log = self.run_import(self.ctrip_file(), preset=self.ctrip_preset, filename="ctrip.csv")
        self.assertEqual(log.state, "done")
        self.assertEqual(log.user_id, self.env.user)
        stays = self.env["hotel.stay"].search([("booking_ref", "like", "CT00000000")])
        self.assertEqual(len(stays), 3)
        self.assertEqual(stays.channel_id, self.ctrip)
        self.assertEqual(stays.company_id, self.property_a)
        lina = stays.filtered(lambda s: s.booking_ref == "CT0000000001").partner_id
        self.assertEqual(lina.name, "李娜")
        self.assertEqual(lina.phone, "+8613912345678")
        self.assertEqual(lina.stay_count, 2)
        zhang = stays.filtered(lambda s: s.booking_ref == "CT0000000002")
        self.assertEqual(zhang.partner_id.name, "Zhang Wei")
        self.assertEqual(zhang.partner_id.email, "zhang.wei@example.com")
        self.assertEqual(zhang.state, "cancelled")
        self.assertEqual(str(zhang.check_in), "2026-04-01")
        # rows are inserted set-based: the computed fields are still those of the ORM
        self.assertEqual((zhang.nights, zhang.amount_total, zhang.currency_id),
                         (3, 3600.0, self.property_a.currency_id))
        self.assertEqual(zhang.partner_id.email_normalized, "zhang.wei@example.com")
        self.assertEqual(zhang.partner_id.commercial_partner_id, zhang.partner_id)
        self.assertEqual(zhang.partner_id.hotel_name_key, "wei zhang")
        self.assertEqual(self.env["res.partner"].name_search("Zhang Wei")[0][0],
                         zhang.partner_id.id)
        self.assertEqual(lina.property_ids, self.property_a)
        self.assertEqual(lina.night_count, 3)
        # the relay address is kept on the profile but never a marketing address
        self.assertTrue(lina.is_relay_email)

        partners = self.env["res.partner"].search_count([])
        again = self.run_import(self.ctrip_file(), preset=self.ctrip_preset, filename="ctrip.csv")
        self.assertEqual((again.guests_created, again.stays_created, again.stays_updated),
                         (0, 0, 0))
        self.assertEqual(again.stays_unchanged, 3)
        self.assertEqual(self.env["res.partner"].search_count([]), partners)
        self.assertEqual(
            self.env["hotel.stay"].search_count([("booking_ref", "like", "CT00000000")]), 3)

    def test_reimport_with_a_new_status_updates_the_stay(self):
        rows = [self.pms_row(ref="P1", state="Reserved")]
        self.run_import(self.csv_bytes(PMS_HEADER, rows))
        stay = self.env["hotel.stay"].search([("booking_ref", "=", "P1")])
        self.assertEqual(stay.state, "booked")
        log = self.run_import(self.csv_bytes(PMS_HEADER, [self.pms_row(ref="P1")]))
        self.assertEqual(log.stays_updated, 1)
        self.assertEqual(stay.state, "checked_out")
        self.assertEqual(stay.partner_id.stay_count, 1)

    def test_existing_guest_is_matched_by_email_or_phone_and_completed(self):
        guest = self.make_guest("王伟", email="WangWei@example.com")
        log = self.run_import(self.csv_bytes(PMS_HEADER, [self.pms_row()]))
        self.assertEqual((log.guests_created, log.guests_updated), (0, 1))
        self.assertEqual(guest.phone, "+8613800138000")
        self.assertEqual(guest.stay_count, 1)

    def test_a_national_phone_is_read_in_the_country_of_the_row_property(self):
        # the same guest cells at two properties: cleaned once per country, not once per file
        london = self.env["res.company"].create({
            "name": "Test Hotel London", "country_id": self.env.ref("base.uk").id,
            "currency_id": self.property_a.currency_id.id,
        })
        self.env.user.company_ids |= london
        rows = [self.pms_row(ref="L1", prop="Test Hotel London", phone="07911 123456"),
                self.pms_row(ref="L2", prop="Test Hotel Beijing", phone="07911 123456")]
        log = self.run_import(self.csv_bytes(PMS_HEADER, rows))
        reasons = dict(log.line_ids.mapped(lambda line: (line.row_number, line.reason)))
        self.assertEqual(list(reasons), [3])
        self.assertIn("“07911 123456” cannot be read as a phone number", reasons[3])
        stay = self.env["hotel.stay"].search([("booking_ref", "in", ["L1", "L2"])])
        self.assertEqual((stay.booking_ref, stay.company_id), ("L1", london))
        self.assertEqual(stay.partner_id.phone, "+447911123456")

    def test_id_numbers_in_rejected_rows_are_kept_masked(self):
        header = [*PMS_HEADER, "id_number"]
        rows = [
            [*self.pms_row(ref="ID1"), "110101199003071234"],
            [*self.pms_row(ref="ID2", email="not-an-email"), "110101198805052222"],
        ]
        log = self.run_import(self.csv_bytes(header, rows), apply=False)
        self.assertEqual(log.rows_rejected, 1)
        self.assertNotIn("110101198805052222", log.line_ids.values)
        self.assertIn("**************2222", log.line_ids.values)
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(log.rejects_file)))
        cells = [str(c.value) for row in book.active.iter_rows() for c in row]
        self.assertNotIn("110101198805052222", cells)

    def test_rejects_are_listed_with_reasons_and_downloadable(self):
        rows = [
            self.pms_row(ref="A1"),
            self.pms_row(ref="A2", email="not-an-email"),
            self.pms_row(ref="A3", phone="12"),
            self.pms_row(ref="A4", check_in="2026-03-05", check_out="2026-03-01"),
            self.pms_row(ref="A5", prop="Atlantis Hotel"),
            self.pms_row(ref="A6", channel="carrier-pigeon"),
            self.pms_row(ref="A7", amount="-100"),
            self.pms_row(ref="A1", name="李四", email="lisi@example.com", phone="13900000000"),
        ]
        log = self.run_import(self.csv_bytes(PMS_HEADER, rows))
        self.assertEqual(log.rows_rejected, 7)
        reasons = dict(log.line_ids.mapped(lambda line: (line.row_number, line.reason)))
        self.assertIn("not-an-email", reasons[3])
        self.assertIn("phone", reasons[4])
        self.assertIn("is not after check-in", reasons[5])
        self.assertIn("Unknown property", reasons[6])
        self.assertIn("Unknown booking channel", reasons[7])
        self.assertIn("negative", reasons[8])
        self.assertIn("appears twice", reasons[9])
        self.assertTrue(log.rejects_file)
        self.assertEqual(self.env["hotel.stay"].search_count(
            [("booking_ref", "in", ["A1", "A2", "A3", "A4", "A5", "A6", "A7"])]), 1)

    def test_rejected_rows_are_deleted_after_the_keeping_period(self):
        rows = [self.pms_row(ref="K1"), self.pms_row(ref="K2", email="wrong@@example.com")]
        with freeze_time("2026-03-01 09:00:00"):
            old = self.run_import(self.csv_bytes(PMS_HEADER, rows))
        with freeze_time("2026-05-20 09:00:00"):
            recent = self.run_import(self.csv_bytes(PMS_HEADER, [
                self.pms_row(ref="K3", email="also@@wrong.com")]))
        self.assertTrue(old.line_ids and old.rejects_file and recent.line_ids)
        Log = self.env["hotel.import.log"]
        with freeze_time("2026-06-01 02:00:00"):  # 92 days after the first import
            Log._cron_purge_rejects()
        self.assertFalse(old.line_ids)
        self.assertFalse(old.rejects_file)
        self.assertEqual(old.rejects_purged_on, datetime(2026, 6, 1, 2, 0))
        self.assertEqual((old.rows_total, old.rows_rejected, old.stays_created), (2, 1, 1))
        self.assertTrue(recent.line_ids)
        self.assertFalse(self.env["hotel.import.log.line"].search(
            [("values", "like", "wrong@@example.com")]))
        self.env["res.config.settings"].create({"hotel_rejects_days": 5}).execute()
        with freeze_time("2026-06-01 02:00:00"):
            Log._cron_purge_rejects()
        self.assertFalse(recent.line_ids)

    def test_front_desk_and_marketing_cannot_import(self):
        data = self.csv_bytes(PMS_HEADER, [self.pms_row()])
        for user in (self.front_desk_a, self.marketing):
            with self.assertRaises(AccessError):
                self.wizard(data, user=user)

    def test_guest_relations_imports_within_their_properties(self):
        data = self.csv_bytes(PMS_HEADER, [self.pms_row(ref="GR1")])
        wizard = self.wizard(data, user=self.guest_relations)
        wizard.action_apply()
        self.assertEqual(wizard.log_id.stays_created, 1)
        other = self.env["res.company"].create({"name": "Elsewhere Hotel"})
        data = self.csv_bytes(PMS_HEADER, [self.pms_row(ref="GR2", prop="Elsewhere Hotel")])
        wizard = self.wizard(data, user=self.guest_relations)
        wizard.action_dry_run()
        self.assertIn(other.name, wizard.log_id.line_ids.reason)

    def test_missing_preset_columns_are_refused_with_the_columns_found(self):
        data = self.csv_bytes(["foo", "bar"], [["1", "2"]])
        with self.assertRaisesRegex(UserError, "no guest name column.*foo, bar"):
            self.wizard(data).action_dry_run()

    def test_meituan_xlsx_with_real_date_cells(self):
        output = io.BytesIO()
        book = xlsxwriter.Workbook(output, {"in_memory": True})
        sheet = book.add_worksheet()
        header = ["订单号", "门店名称", "入住人", "手机号", "房型", "入住时间", "离店时间",
                  "订单状态", "支付金额", "下单时间"]
        sheet.write_row(0, 0, header)
        date_format = book.add_format({"num_format": "yyyy/mm/dd"})
        sheet.write_row(1, 0, ["MT000000000001", "Test Hotel Beijing", "刘洋", "13655556666",
                               "豪华房"])
        sheet.write_datetime(1, 5, datetime(2026, 6, 1), date_format)
        sheet.write_datetime(1, 6, datetime(2026, 6, 3), date_format)
        sheet.write_row(1, 7, ["已完成", 1888.5, "2026/05/20"])
        book.close()
        log = self.run_import(output.getvalue(), filename="meituan.xlsx",
                              preset=self.env.ref("hotel_import.preset_meituan"))
        self.assertEqual((log.rows_rejected, log.stays_created, log.encoding), (0, 1, "xlsx"))
        stay = self.env["hotel.stay"].search([("booking_ref", "=", "MT000000000001")])
        self.assertEqual(stay.channel_id, self.env.ref("hotel_crm.channel_meituan"))
        self.assertEqual((str(stay.check_in), stay.nights, stay.amount_total, stay.state),
                         ("2026-06-01", 2, 1888.5, "checked_out"))
        self.assertEqual(stay.partner_id.phone, "+8613655556666")

    def test_imported_guests_are_audited_and_an_erased_address_stays_withdrawn(self):
        if "hotel.privacy.suppression" not in self.env:
            self.skipTest("no privacy suppression list")
        self.env["hotel.privacy.suppression"].sudo()._suppress("email", "gone@example.com")
        rows = [self.pms_row(ref="PV1", name="钱七", email="Gone@Example.com",
                             phone="13711112222")]
        self.run_import(self.csv_bytes(PMS_HEADER, rows))
        guest = self.env["hotel.stay"].search([("booking_ref", "=", "PV1")]).partner_id
        self.assertEqual(guest.email_consent, "withdrawn")
        log = self.env["hotel.audit.log"].search([
            ("res_id", "=", guest.id), ("model", "=", "res.partner"), ("action", "=", "create")])
        self.assertEqual(len(log), 1)

    def test_imported_guests_store_what_the_orm_would_compute(self):
        """The bulk insert writes some stored computed fields itself; a guest it creates must
        read exactly like the same guest created through the ORM."""
        rows = [
            self.pms_row(ref="ORM1", name="陈静", email="chenjing@example.com",
                         phone="139 1000 2000"),
            # a possible but not valid international number: Odoo sanitizes it to nothing
            self.pms_row(ref="ORM2", name="Jane Doe", email="jane.doe@example.com",
                         phone="+1 555 010 0000"),
            self.pms_row(ref="ORM3", name="刘洋", email="", phone=""),
        ]
        self.run_import(self.csv_bytes(PMS_HEADER, rows))
        Partner = self.env["res.partner"]
        fnames = [f for f in (
            "complete_name", "email_normalized", "phone_sanitized", "hotel_phone_e164",
            "hotel_name_key", "is_relay_email", "user_id", "partner_share",
            "commercial_partner_id", "commercial_company_name", "company_registry",
            "email_consent", "email_consent_date", "sms_consent", "sms_consent_date",
            "loyalty_member_id", "birthday_month", "peppol_endpoint", "peppol_eas",
        ) if f in Partner._fields]
        for name in ("陈静", "Jane Doe", "刘洋"):
            imported = Partner.search([("name", "=", name), ("is_guest", "=", True)])
            self.assertEqual(len(imported), 1, name)
            twin = Partner.create({
                "name": imported.name, "email": imported.email, "phone": imported.phone,
                "birthday": imported.birthday, "nationality_id": imported.nationality_id.id,
                "is_guest": True,
            })
            self.env.flush_all()
            imported.invalidate_recordset()
            for fname in fnames:
                expected = twin[fname]
                if fname == "commercial_partner_id":
                    expected = imported
                self.assertEqual(imported[fname], expected, f"{name}: {fname}")
        self.assertFalse(Partner.search([("name", "=", "Jane Doe")], limit=1).phone_sanitized)
        self.assertEqual(Partner.search([("name", "=", "陈静")], limit=1).phone_sanitized,
                         "+8613910002000")

    @freeze_time("2026-11-20")
    def test_new_guests_get_their_figures_with_the_import(self):
        """The figures of a guest the file creates are written with the guest: they are
        the figures the nightly query computes (it finds nothing to rewrite), ties of the
        preferred room type going to the same room type."""
        rows = [
            self.pms_row(ref="F1", name="赵敏", email="zhaomin@example.com", phone="13911112222",
                         check_in="2025-10-01", check_out="2025-10-04", amount="1800.50"),
            self.pms_row(ref="F2", name="赵敏", email="zhaomin@example.com", phone="13911112222",
                         check_in="2026-06-10", check_out="2026-06-12", amount="999.99",
                         **{"Room Type": "suite", "Booked On": "2026-05-01"}),
            self.pms_row(ref="F3", name="赵敏", email="zhaomin@example.com", phone="13911112222",
                         check_in="2026-12-20", check_out="2026-12-22", state="Confirmed"),
            self.pms_row(ref="F4", name="钱进", email="qianjin@example.com", phone="13922223333",
                         check_in="2026-12-24", check_out="2026-12-25", state="Confirmed"),
        ]
        self.run_import(self.csv_bytes(PMS_HEADER, rows))
        Partner = self.env["res.partner"]
        zhao = Partner.search([("email", "=", "zhaomin@example.com")])
        qian = Partner.search([("email", "=", "qianjin@example.com")])
        self.assertEqual((zhao.stay_count, zhao.night_count, zhao.stays_12m, zhao.nights_12m),
                         (2, 5, 1, 2))
        self.assertEqual((zhao.total_spend, zhao.spend_12m), (2800.49, 999.99))
        self.assertEqual((str(zhao.first_stay_date), str(zhao.last_stay_date)),
                         ("2025-10-01", "2026-06-10"))
        self.assertEqual((zhao.avg_los, zhao.avg_lead_days), (2.5, 20.0))
        # one stay in each room type: the smaller id, as the query's MODE() takes
        self.assertEqual(zhao.preferred_room_type_id,
                         min(self.king, self.suite, key=lambda r: r.id))
        self.assertEqual((qian.stay_count, qian.total_spend, qian.first_stay_date), (0, 0, False))
        self.assertEqual(Partner._hotel_recompute_figures((zhao | qian).ids), 0)

    def test_completed_guests_read_like_guests_completed_through_the_orm(self):
        """Matched guests are completed set-based; each must then read like the same guest
        given the same values with an ORM write, keep what it had, and be audited once."""
        Partner = self.env["res.partner"]
        guest = self.make_guest("王伟", email="WangWei@example.com")
        kept = self.make_guest("李娜", email="lina@example.com", phone="+86 139 1234 5678",
                               nationality_id=self.env.ref("base.cn").id)
        contact = Partner.create({"name": "Jane Doe", "email": "jane.doe@example.com"})
        rows = [
            self.pms_row(ref="C1", Birthday="1990-03-07"),
            self.pms_row(ref="C2", name="李娜", email="lina@example.com", phone="13700001111",
                         Nationality="JP"),
            self.pms_row(ref="C3", name="Jane Doe", email="jane.doe@example.com",
                         phone="+1 555 010 0000"),
        ]
        log = self.run_import(self.csv_bytes(PMS_HEADER, rows), filename="pms_nov.csv")
        self.assertEqual((log.guests_created, log.guests_updated), (0, 3))
        self.assertEqual((guest.phone, str(guest.birthday), guest.nationality_id.code),
                         ("+8613800138000", "1990-03-07", "CN"))
        # a value the guest had is not replaced by the file's
        self.assertEqual((kept.phone, kept.nationality_id.code), ("+86 139 1234 5678", "CN"))
        self.assertTrue(contact.is_guest)
        fnames = [f for f in ("email_normalized", "phone_sanitized", "hotel_phone_e164",
                              "birthday_month", "is_guest") if f in Partner._fields]
        for imported in (guest, contact):
            twin = Partner.create({"name": imported.name, "email": imported.email})
            twin.write({"phone": imported.phone, "birthday": imported.birthday,
                        "nationality_id": imported.nationality_id.id, "is_guest": True})
            self.env.flush_all()
            imported.invalidate_recordset()
            for fname in fnames:
                self.assertEqual(imported[fname], twin[fname], f"{imported.name}: {fname}")
        lines = self.env["hotel.audit.log"].search([
            ("res_id", "in", (guest | kept | contact).ids), ("model", "=", "res.partner"),
            ("action", "=", "write"), ("note", "=", "Import of pms_nov.csv")])
        # the contact was not a guest before the import (its data was not guest data yet);
        # the guest who had everything was not changed
        self.assertEqual(lines.partner_id, guest)
        self.assertEqual(lines.field_names, "Phone, Birthday, Nationality")
        self.assertEqual((lines.old_values, lines.new_values), (
            '{"phone": "", "birthday": "", "nationality_id": ""}',
            '{"phone": "+8613800138000", "birthday": "1990-03-07", "nationality_id": "China"}'))


@tagged("post_install", "-at_install")
class TestImportContextIsInput(HotelImportCase):
    def test_a_forged_channel_type_map_in_the_context_does_not_reach_the_stays(self):
        """The channel type of an imported stay is its channel's, whatever the caller's context."""
        Channel = self.env["hotel.booking.channel"].with_context(active_test=False)
        forged = dict.fromkeys(Channel.search([]).ids, "forged")
        wizard = self.wizard(self.csv_bytes(PMS_HEADER, [self.pms_row(ref="CTX-1")]))
        wizard.with_context(hotel_import_channel_types=forged).action_apply()
        stay = self.env["hotel.stay"].search([("booking_ref", "=", "CTX-1")])
        self.assertEqual(len(stay), 1)
        self.assertEqual(stay.channel_type, stay.channel_id.channel_type)


@tagged("post_install", "-at_install")
class TestImportRefusedAtWrite(HotelImportCase):
    """A row the database or a model constraint refuses only when it is written: the others
    are imported (by halves, a few bulk writes), the row is listed with the reason, and a new
    guest whose rows fall in two halves is created once."""

    def rows(self, n=16):
        # guest 1 has rows 2, 9 and 17 (first, middle and last), the others one row each
        rows = []
        for i in range(n):
            if i in (0, 7, 15):
                rows.append(self.pms_row(f"H{i:03d}", "周杰伦", "zhou@example.com", "13611112222",
                                         check_in=f"2026-03-{i + 1:02d}",
                                         check_out=f"2026-03-{i + 2:02d}"))
            else:
                rows.append(self.pms_row(f"H{i:03d}", f"客人 {i}", f"g{i}@example.com",
                                         f"1370000{i:04d}", check_in="2026-03-01",
                                         check_out="2026-03-03"))
        return rows

    def test_one_row_refused_at_write_costs_a_few_bulk_writes_and_rejects_that_row_only(self):
        from unittest.mock import patch

        from odoo.exceptions import ValidationError

        Wizard = type(self.env["hotel.import.wizard"])
        original = Wizard._write_plan
        calls = []

        def refuse_h005(wizard, plan, counts, channel_types):
            calls.append(len(plan))
            if any(values["stay"]["booking_ref"] == "H005" for __, values, *__ in plan):
                raise ValidationError("Stay H005: refused by a constraint")
            return original(wizard, plan, counts, channel_types)

        with patch.object(Wizard, "_write_plan", refuse_h005):
            log = self.run_import(self.csv_bytes(PMS_HEADER, self.rows()))
        self.assertEqual((log.rows_total, log.rows_rejected), (16, 1))
        self.assertEqual(log.line_ids.row_number, 7)
        self.assertIn("refused by a constraint", log.line_ids.reason)
        stays = self.env["hotel.stay"].search([("booking_ref", "=like", "H0%")])
        self.assertEqual(len(stays), 15)
        self.assertLessEqual(len(calls), 1 + 2 * 4, "by halves, not one write per row")
        zhou = self.env["res.partner"].search([("email", "=", "zhou@example.com")])
        self.assertEqual(len(zhou), 1, "one guest, whichever half wrote their rows")
        self.assertEqual(zhou.stay_count, 3)
        self.assertEqual((log.guests_created, log.stays_created), (13, 15))

    def test_an_update_that_moves_check_in_before_the_booking_date_is_rejected(self):
        first = self.pms_row("BD1", check_in="2026-03-10", check_out="2026-03-12",
                             **{"Booked On": "2026-03-05"})
        log = self.run_import(self.csv_bytes(PMS_HEADER, [first]))
        self.assertEqual(log.rows_rejected, 0)
        moved = self.pms_row("BD1", check_in="2026-03-01", check_out="2026-03-03")
        other = self.pms_row("BD2", "李娜", "lina@example.com", "13900139000")
        log = self.run_import(self.csv_bytes(PMS_HEADER, [moved, other]))
        self.assertEqual((log.rows_rejected, log.stays_created), (1, 1))
        self.assertIn("before the booking date", log.line_ids.reason)
        stay = self.env["hotel.stay"].search([("booking_ref", "=", "BD1")])
        self.assertEqual(str(stay.check_in), "2026-03-10")
