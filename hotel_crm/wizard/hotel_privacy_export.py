import base64
import io
import json

import xlsxwriter

from odoo import fields, models
from odoo.exceptions import AccessError, UserError


class HotelPrivacyExport(models.TransientModel):
    """Everything held about one guest, as XLSX or JSON, for the guest's access request."""

    _name = "hotel.privacy.export"
    _description = "Guest Data Export"

    partner_id = fields.Many2one("res.partner", string="Guest", required=True)
    file_format = fields.Selection(
        [("xlsx", "Excel (XLSX)"), ("json", "JSON")], string="Format", required=True,
        default="xlsx",
    )
    data_file = fields.Binary(string="File", readonly=True, attachment=False)
    filename = fields.Char(readonly=True)

    def action_export(self):
        self.ensure_one()
        if not self.env.user.has_group("hotel_crm.group_hotel_manager"):
            raise AccessError(self.env._("Only hotel managers export or erase guest data."))
        partner = self.partner_id
        if not partner.is_guest:
            raise UserError(self.env._("%s is not a guest.", partner.display_name))
        partner.check_access("read")
        data = partner._hotel_privacy_data()
        stem = "guest-data-%s" % partner.id
        if self.file_format == "json":
            content = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode()
            self.filename = stem + ".json"
        else:
            content = self._xlsx(data)
            self.filename = stem + ".xlsx"
        self.data_file = base64.b64encode(content)
        self.env["hotel.audit.log"]._record(
            "export", partner, lambda r: r, note=self.filename
        )
        return {
            "type": "ir.actions.act_url",
            "url": "/web/content/%s/%s/data_file/%s?download=true"
            % (self._name, self.id, self.filename),
            "target": "self",
        }

    def _xlsx(self, data):
        output = io.BytesIO()
        book = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False})
        bold = book.add_format({"bold": True, "bg_color": "#E8EEF4"})
        used = set()
        for title, rows in data.items():
            name = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "Sheet"
            while name in used:
                name = name[:28] + "_%d" % len(used)
            used.add(name)
            sheet = book.add_worksheet(name)
            headers = list(rows[0]) if rows else [self.env._("(nothing recorded)")]
            for col, header in enumerate(headers):
                sheet.write_string(0, col, header, bold)
                sheet.set_column(col, col, 22)
            for row_no, row in enumerate(rows, 1):
                for col, header in enumerate(headers):
                    sheet.write_string(row_no, col, str(row.get(header, "")))
        book.close()
        return output.getvalue()
