import base64
import io
import json

import xlsxwriter
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError

from odoo.addons.hotel_crm.tools.trusted import is_trusted

from ..tools.params import days_param

DEFAULT_REJECTS_DAYS = 90
# An import log (and its rejected rows) is written by the import itself: its counts,
# state and rejects are what the file did, not something a user edits.
IMPORT_LOG = "hotel_import.import_log"


def check_import_log_write(records):
    if not is_trusted(records.env, IMPORT_LOG):
        raise AccessError(records.env._(
            "%(model)s records are written by the guest import itself and cannot be created "
            "or changed directly.", model=records._description))


class HotelImportLog(models.Model):
    _name = "hotel.import.log"
    _description = "Guest Import Log"
    _order = "date desc, id desc"

    name = fields.Char(string="File Name", required=True, readonly=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    user_id = fields.Many2one(
        "res.users", string="Imported By", required=True, default=lambda self: self.env.user,
        readonly=True, index=True,
    )
    company_id = fields.Many2one(
        "res.company", string="Property", required=True, readonly=True, index=True,
        default=lambda self: self.env.company,
    )
    preset_id = fields.Many2one("hotel.import.preset", readonly=True, ondelete="set null")
    state = fields.Selection(
        [("dry_run", "Dry Run"), ("done", "Applied")], required=True, default="dry_run",
        readonly=True,
    )
    encoding = fields.Char(readonly=True)
    rows_total = fields.Integer(string="Rows", readonly=True)
    rows_rejected = fields.Integer(string="Rejected", readonly=True)
    guests_created = fields.Integer(readonly=True)
    guests_updated = fields.Integer(string="Guests Matched", readonly=True)
    guests_redirected = fields.Integer(
        string="Rows for Merged Guests", readonly=True,
        help="Rows whose guest was merged into another profile earlier; "
        "they go to the surviving guest.",
    )
    stays_created = fields.Integer(readonly=True)
    stays_updated = fields.Integer(readonly=True)
    stays_unchanged = fields.Integer(readonly=True)
    line_ids = fields.One2many("hotel.import.log.line", "log_id", string="Rejected Rows")
    rejects_file = fields.Binary(string="Rejects (XLSX)", attachment=True, readonly=True)
    rejects_filename = fields.Char(readonly=True)
    rejects_purged_on = fields.Datetime(
        string="Rejected Rows Deleted On", readonly=True,
        help="Rejected rows hold guests' personal data as the file had it: they are kept for "
        "the period set in the settings, then deleted (the counts remain).",
    )

    @api.depends("name", "date")
    def _compute_display_name(self):
        for log in self:
            log.display_name = f"{log.name} ({fields.Datetime.to_string(log.date)})"

    @api.model_create_multi
    def create(self, vals_list):
        check_import_log_write(self)
        return super().create(vals_list)

    def write(self, vals):
        check_import_log_write(self)
        return super().write(vals)

    def _rejects_xlsx(self, header, rejects):
        """XLSX of the rejected rows: the file's own columns plus the reason. Written with
        strings_to_formulas off, so a cell such as =HYPERLINK(…) stays text."""
        output = io.BytesIO()
        book = xlsxwriter.Workbook(
            output, {"in_memory": True, "strings_to_formulas": False}
        )
        sheet = book.add_worksheet(self.env._("Rejected Rows"))
        bold = book.add_format({"bold": True})
        columns = [self.env._("Row"), self.env._("Reason"), *header]
        for col, title in enumerate(columns):
            sheet.write_string(0, col, str(title), bold)
        for r, (row_number, reason, values) in enumerate(rejects, start=1):
            sheet.write_number(r, 0, row_number)
            sheet.write_string(r, 1, reason)
            for col, value in enumerate(values, start=2):
                sheet.write_string(r, col, value)
        sheet.set_column(1, 1, 50)
        book.close()
        return output.getvalue()

    def _store_rejects(self, header, rejects):
        """Reject lines and the XLSX; rejects are (row number, reason, [cell texts])."""
        self.ensure_one()
        self.line_ids.unlink()
        self.env["hotel.import.log.line"].create([
            {"log_id": self.id, "row_number": n, "reason": reason,
             "values": json.dumps(dict(zip(header, values, strict=False)), ensure_ascii=False)}
            for n, reason, values in rejects
        ])
        if rejects:
            self.write({
                "rejects_file": base64.b64encode(self._rejects_xlsx(header, rejects)),
                "rejects_filename": self.env._("rejects-%(name)s.xlsx", name=self.name),
            })
        else:
            self.write({"rejects_file": False, "rejects_filename": False})

    @api.model
    def _rejects_days(self):
        return days_param(self.env, "hotel_import.rejects_days", DEFAULT_REJECTS_DAYS)

    @api.model
    def _cron_purge_rejects(self):
        """Delete the rejected rows (and their XLSX) of imports older than the keeping
        period; the log keeps its counts. Returns the number of logs purged."""
        limit = fields.Datetime.now() - relativedelta(days=self._rejects_days())
        logs = self.search([("date", "<", limit), ("rejects_purged_on", "=", False),
                            ("rows_rejected", ">", 0)])
        logs.line_ids.unlink()
        logs.write({"rejects_file": False, "rejects_filename": False,
                    "rejects_purged_on": fields.Datetime.now()})
        return len(logs)
