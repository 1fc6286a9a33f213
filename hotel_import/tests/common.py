import base64
import csv
import io

from odoo.addons.hotel_crm.tests.common import HotelCrmCase

PMS_HEADER = [
    "Confirmation No", "Property", "Channel", "Guest Name", "Email", "Mobile", "Birthday",
    "Nationality", "Arrival", "Departure", "Booked On", "Room Type", "Status", "Room Revenue",
    "F&B Revenue", "Other Revenue", "Adults", "Children",
]


class HotelImportCase(HotelCrmCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.property_a.hotel_import_aliases = "TBJ, Test Beijing"
        cls.pms = cls.env.ref("hotel_import.preset_pms")
        cls.ctrip_preset = cls.env.ref("hotel_import.preset_ctrip")

    @classmethod
    def pms_row(cls, ref="R1", name="王伟", email="wangwei@example.com", phone="13800138000",
                check_in="2026-03-01", check_out="2026-03-03", prop="Test Hotel Beijing",
                channel="website", state="Checked Out", amount="1200", **extra):
        row = {
            "Confirmation No": ref, "Property": prop, "Channel": channel, "Guest Name": name,
            "Email": email, "Mobile": phone, "Birthday": "", "Nationality": "CN",
            "Arrival": check_in, "Departure": check_out, "Booked On": "", "Room Type": "std_king",
            "Status": state, "Room Revenue": amount, "F&B Revenue": "0", "Other Revenue": "0",
            "Adults": "2", "Children": "0",
        }
        row.update(extra)
        return [row[h] for h in PMS_HEADER]

    @staticmethod
    def csv_bytes(header, rows, encoding="utf-8", delimiter=","):
        buf = io.StringIO(newline="")
        writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
        return buf.getvalue().encode(encoding)

    def wizard(self, data, filename="import.csv", preset=None, user=None, company=None):
        env = self.env(user=user) if user else self.env
        return env["hotel.import.wizard"].create({
            "file": base64.b64encode(data),
            "filename": filename,
            "preset_id": (preset or self.pms).id,
            "company_id": (company or self.property_a).id,
        })

    def run_import(self, data, apply=True, **kw):
        wizard = self.wizard(data, **kw)
        if apply:
            wizard.action_apply()
        else:
            wizard.action_dry_run()
        return wizard.log_id
