import tracemalloc
from datetime import date

from odoo.tests import BaseCase, TransactionCase, tagged

from ..tools import cleaning, reader
from ..tools.cleaning import CleaningError


@tagged("post_install", "-at_install")
class TestCleaning(TransactionCase):
    def test_names_are_trimmed_half_width_and_latin_names_cased(self):
        self.assertEqual(cleaning.clean_name("  ＷＡＮＧ　ＷＥＩ "), "Wang Wei")
        self.assertEqual(cleaning.clean_name("john o'neil"), "John O'Neil")
        self.assertEqual(cleaning.clean_name("McDonald Smith"), "McDonald Smith")
        self.assertEqual(cleaning.clean_name(" 王 伟 "), "王伟")
        with self.assertRaises(CleaningError):
            cleaning.clean_name("   ")

    def test_phones_in_three_formats_give_one_e164(self):
        for raw in ("138 0013 8000", "138-0013-8000", "0086 13800138000", "+86 138 0013 8000",
                    "１３８００１３８０００"):
            self.assertEqual(cleaning.clean_phone(raw, "CN"), "+8613800138000", raw)
        self.assertEqual(cleaning.clean_phone("(010) 6588 1234", "CN"), "+861065881234")
        self.assertEqual(cleaning.clean_phone("+44 7400 123456", "CN"), "+447400123456")
        with self.assertRaises(CleaningError):
            cleaning.clean_phone("12345", "CN")

    def test_emails_lower_cased_validated_and_relay_recognised(self):
        self.assertEqual(cleaning.clean_email(" Wang.Wei@Example.COM "), "wang.wei@example.com")
        for bad in ("wang@", "wang wei@example.com", "wang..wei@example"):
            with self.assertRaises(CleaningError):
                cleaning.clean_email(bad)
        self.assertTrue(cleaning.is_relay_email("m123@m.ctrip.com", {"m.ctrip.com"}))
        self.assertTrue(cleaning.is_relay_email("m123@hk.m.ctrip.com", {"m.ctrip.com"}))
        self.assertFalse(cleaning.is_relay_email("m123@xm.ctrip.com", {"m.ctrip.com"}))
        self.assertFalse(cleaning.is_relay_email("a@ctrip.com.cn", {"m.ctrip.com"}))

    def test_dates_in_chinese_and_international_formats(self):
        expected = date(2026, 3, 5)
        for raw in ("2026-03-05", "2026/3/5", "2026.03.05", "20260305", "2026年3月5日",
                    "05/03/2026", "2026-03-05 14:22"):
            self.assertEqual(cleaning.clean_date(raw), expected, raw)
        self.assertEqual(cleaning.clean_date("03/05/2026", order="mdy"), expected)
        with self.assertRaises(CleaningError):
            cleaning.clean_date("31/02/2026")

    def test_name_key_matches_chinese_and_pinyin_in_any_order(self):
        self.assertEqual(cleaning.name_key("王伟明"), cleaning.name_key("Weiming Wang"))
        self.assertEqual(cleaning.name_key("王伟明"), cleaning.name_key("WANG Weiming"))
        self.assertEqual(cleaning.name_key("欧阳娜娜"), cleaning.name_key("Nana Ouyang"))
        self.assertNotEqual(cleaning.name_key("王伟"), cleaning.name_key("李伟"))

    def test_amounts_and_states(self):
        self.assertEqual(cleaning.clean_amount("1,234.50 CNY"), 1234.5)
        self.assertEqual(cleaning.clean_amount("¥88"), 88.0)
        with self.assertRaises(CleaningError):
            cleaning.clean_amount("-5")
        self.assertEqual(cleaning.clean_state("已离店"), "checked_out")
        self.assertEqual(cleaning.clean_state("cancelled_by_guest"), "cancelled")
        with self.assertRaises(CleaningError):
            cleaning.clean_state("maybe")


@tagged("post_install", "-at_install")
class TestStreamingReader(BaseCase):
    """The background import reads its file as a stream: the rows read_file gives, without
    ever holding the file's whole text (a million-row file is 180 MB of bytes, two to four
    times that as text)."""

    SAMPLES = [
        "\ufeffName,Email\r\n王伟,a@b.c\r\n\r\n李娜,\"two\nlines\"\r\n".encode(),
        "姓名;电话\n张三;138\n".encode("gb18030"),
        b"Name,Email\n" + "王伟,a@b.c\n".encode("gb18030") + "李娜,x\n".encode(),
        b"a,b\rc,d\r",
        b"\t Name\tEmail\nX\tY\n",
    ]

    def test_the_stream_gives_the_rows_of_the_whole_file(self):
        for data in self.SAMPLES:
            header, rows, encodings = reader.iter_file(data)
            self.assertEqual((header, list(rows), encodings), reader.read_file(data), data)
        for bad, code in ((b"  \n\n", "file_empty"), (b"a,b\n\x00\x00\n", "file_unreadable"),
                          (b"a,b\n\xff\xfe\xfa\n", "encoding_unknown")):
            with self.assertRaises(CleaningError) as caught:
                reader.iter_file(bad)
            self.assertEqual(caught.exception.code, code)

    def test_reading_a_large_file_never_holds_its_whole_text(self):
        line = "王伟,wangwei@example.com,13800138000,2026-03-01,2026-03-03,北京商务酒店\n"
        data = ("Name,Email,Mobile,Arrival,Departure,Property\n" + line * 100_000).encode()
        tracemalloc.start()
        try:
            header, rows, __ = reader.iter_file(data)
            count = sum(1 for __ in rows)
            __, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        self.assertEqual((len(header), count), (6, 100_000))
        # the text alone would be about twice the bytes (Chinese characters in a str)
        self.assertLess(peak, len(data) / 4, f"peak {peak:,} bytes for {len(data):,}")

    def test_a_gzip_compressed_file_reads_as_the_file_and_a_bomb_is_refused(self):
        import gzip
        from unittest.mock import patch

        for data in self.SAMPLES:
            packed = gzip.compress(data)
            self.assertEqual(reader.read_file(packed), reader.read_file(data))
            header, rows, encodings = reader.iter_file(packed, "export.csv.gz")
            self.assertEqual((header, list(rows), encodings), reader.read_file(data))
        self.assertTrue(reader.count_lines(gzip.compress(b"a\n" * 50), 49))
        self.assertFalse(reader.count_lines(gzip.compress(b"a\n" * 50), 50))
        with patch.object(reader, "MAX_UNPACKED", 1000):
            with self.assertRaises(CleaningError) as caught:
                reader.read_file(gzip.compress(b"a,b\n" * 1000))
            self.assertEqual(caught.exception.code, "file_too_large")
        with self.assertRaises(CleaningError) as caught:
            reader.iter_file(gzip.compress(b"a,b\n1,2\n")[:12])
        self.assertEqual(caught.exception.code, "file_unreadable")
