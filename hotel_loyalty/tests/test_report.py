import io
from datetime import date

import openpyxl
from freezegun import freeze_time

from odoo.tests import tagged

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30")
class TestProgrammeReport(LoyaltyCase):
    def test_xlsx_export_holds_the_programme_figures(self):
        self.program.point_value = 0.05
        gold_guest, dormant_guest = self.guest("高金卡"), self.guest("Dormant Dan")
        self.stays(gold_guest, count=2, amount=6000)
        gold = self.enrol(gold_guest)
        dormant = self.enrol(dormant_guest)
        self.give(gold, 1000, on_date=date(2026, 5, 3))
        self.give(dormant, 400, on_date=date(2026, 6, 3))
        self.give(gold, -300, kind="redeem")
        figures = self.program._report_figures()[self.company.id]
        self.assertEqual((figures["issued"], figures["redeemed"]), (1400, 300))
        self.assertAlmostEqual(figures["redemption_rate"], 300 / 1400)
        self.assertEqual((figures["active"], figures["dormant"]), (1, 1))
        self.assertEqual(figures["repeat_ratio"], 1.0)
        self.assertEqual(figures["outstanding_points"], 1100)
        self.assertAlmostEqual(self.program.liability, 55.0)
        self.assertEqual(dict(figures["tiers"])["Gold"], 1)

        book = openpyxl.load_workbook(io.BytesIO(self.program._report_xlsx()))
        sheet = book["Programme"]
        header = [cell.value for cell in sheet[1]]
        row = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
        self.assertEqual(row["Property"], self.company.name)
        self.assertEqual(row["Points Issued"], 1400)
        self.assertEqual(row["Points Redeemed"], 300)
        self.assertEqual(row["Outstanding Points"], 1100)
        self.assertAlmostEqual(row["Outstanding Liability"], 55.0)
        self.assertEqual(row["Dormant Members"], 1)
        tiers = book["Tiers"]
        tier_row = dict(zip([c.value for c in tiers[1]], [c.value for c in tiers[2]],
                            strict=True))
        self.assertEqual(tier_row["Gold"], 1)
        months = {(r[1], r[2]): r[3] for r in book["Points by Month"].iter_rows(
            min_row=2, values_only=True)}
        self.assertEqual(months[("2026-05", "Bonus")], 1000)
        self.assertEqual(months[("2026-06", "Redeemed")], -300)

    def test_guest_typed_formula_stays_text(self):
        self.company.name = "=HYPERLINK(\"http://evil\",\"x\")"
        book = openpyxl.load_workbook(io.BytesIO(self.program._report_xlsx()))
        cell = book["Programme"]["A2"]
        self.assertEqual(cell.data_type, "s")
