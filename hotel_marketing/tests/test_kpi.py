import base64
import io

from openpyxl import load_workbook

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import HotelMarketingCase


@tagged("post_install", "-at_install")
class TestKpiReport(HotelMarketingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        a, b, c, d, e = (cls.make_guest(f"KPI guest {x}") for x in "ABCDE")
        cls.make_stay(a, "2025-05-01", nights=1)                 # before: A is a repeat guest
        cls.make_stay(a, "2026-02-10", nights=2)                 # 1 200
        cls.make_stay(b, "2026-03-01", nights=1)                 # 600
        cls.make_stay(c, "2026-01-15", nights=3)                 # 1 800
        cls.make_stay(c, "2026-02-15", nights=1, state="cancelled")
        cls.make_stay(d, "2024-01-10", nights=1)
        cls.make_stay(d, "2025-02-10", nights=1)                 # last year: D repeats
        cls.make_stay(e, "2025-03-10", nights=1)
        cls.make_stay(e, "2026-03-20", nights=1, company=cls.property_b)
        cls.report = cls.env["hotel.marketing.kpi.report"].create({
            "year": 2026, "quarter": "1",
            "company_ids": [(6, 0, (cls.property_a | cls.property_b).ids)],
        })

    def test_figures_by_property_and_quarter(self):
        rows = {row["property"]: row for row in self.report._kpi_rows()}
        beijing = rows[self.property_a.name]
        self.assertEqual((beijing["guests"], beijing["repeat_guests"]), (3, 1))
        self.assertAlmostEqual(beijing["repeat_ratio"], 100 / 3)
        self.assertAlmostEqual(beijing["repeat_ratio_prev"], 50.0)
        self.assertAlmostEqual(beijing["repeat_change"], -100 / 3)
        self.assertEqual(beijing["repeat_change_target"], 20.0)
        self.assertEqual(beijing["revenue"], 3600.0)
        hangzhou = rows[self.property_b.name]
        self.assertEqual((hangzhou["guests"], hangzhou["repeat_guests"]), (1, 1))
        self.assertIsNone(hangzhou["repeat_ratio_prev"])
        self.assertIn(self.property_a.name, self.report.summary_html)

    def test_xlsx_reads_back_with_the_same_numbers(self):
        action = self.report.action_export_xlsx()
        attachment = self.env["ir.attachment"].browse(int(action["url"].split("/")[3]
                                                          .split("?")[0]))
        book = load_workbook(io.BytesIO(base64.b64decode(attachment.datas)))
        sheet = book.active
        header = [cell.value for cell in sheet[1]]
        self.assertEqual(header[:5], ["Property", "Quarter", "Guests", "Repeat Guests",
                                      "Repeat-Guest Ratio"])
        rows = {row[0]: dict(zip(header, row, strict=False))
                for row in sheet.iter_rows(min_row=2, values_only=True)}
        beijing = rows[self.property_a.name]
        self.assertEqual(beijing["Quarter"], "2026 Q1")
        self.assertEqual(beijing["Guests"], 3)
        self.assertAlmostEqual(beijing["Repeat-Guest Ratio"], 100 / 3)
        self.assertAlmostEqual(beijing["Change vs Last Year"], -100 / 3)
        self.assertEqual(beijing["Stay Revenue"], 3600)
        self.assertIsNone(rows[self.property_b.name]["Same Quarter Last Year"])

    def test_guest_typed_formula_stays_text(self):
        self.property_a.name = "=HYPERLINK(\"http://evil\")"
        data = self.report._kpi_xlsx()
        sheet = load_workbook(io.BytesIO(data)).active
        names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
        self.assertIn("=HYPERLINK(\"http://evil\")", names)
        self.assertNotIn("&lt;", str(self.report.summary_html).replace(
            "=HYPERLINK(&#34;http://evil&#34;)", ""))

    def test_bad_year_is_refused(self):
        with self.assertRaisesRegex(UserError, "year"):
            self.env["hotel.marketing.kpi.report"].create({"year": 99, "quarter": "1"})
