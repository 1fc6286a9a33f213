import base64
import io
import json

import xlsxwriter
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from odoo.addons.hotel_crm.tools.trusted import is_trusted, trusted

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
        [("running", "In Progress"), ("dry_run", "Dry Run"), ("partial", "Stopped Part Way"),
         ("done", "Applied")], required=True, default="dry_run", readonly=True,
        help="Stopped Part Way: a background import was cancelled or failed after some of "
        "its batches were written; importing the same file again completes it (rows already "
        "imported are recognised).",
    )
    # a large file runs in the background (hotel.job): the file is kept until it is applied
    job_id = fields.Many2one("hotel.job", string="Background Job", readonly=True)
    job_state = fields.Selection(related="job_id.state", string="Job State")
    file_id = fields.Many2one("ir.attachment", string="Uploaded File", readonly=True,
                              groups="hotel_crm.group_hotel_guest_relations")
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

    # ------------------------------------------------------------------
    # Background import (hotel.job): stage the file, then batches of rows
    # ------------------------------------------------------------------
    def _wizard(self):
        """The import's engine for this log (a wizard without a file: the rows come from
        the stage)."""
        return self.env["hotel.import.wizard"].create({
            "preset_id": self.preset_id.id, "company_id": self.company_id.id,
            "filename": self.name,
        })

    def action_apply_file(self):
        """Apply a file whose dry run ran in the background."""
        self.ensure_one()
        # sudo: the kept file is an administrator's attachment; its presence is what counts
        if self.state != "dry_run" or not self.sudo().file_id:
            raise UserError(self.env._(
                "Only a dry run whose file is still kept can be applied; upload the file "
                "again."))
        wizard = self._wizard()
        wizard._check_importer()
        return wizard._start_background(self, apply=True)

    def _hotel_job_import(self, job):
        """One batch of a background import: returns True when the import has ended."""
        self.ensure_one()
        wizard = self._wizard()
        wizard._check_importer()
        with trusted(IMPORT_LOG):
            return wizard._background_batch(self, job)

    def _hotel_job_stopped(self, job):
        """The job failed or was cancelled: what its batches wrote stays (each batch is
        whole), the log says so, the staged rows are deleted; the file is kept for a new
        try."""
        self.ensure_one()
        applied = (job.payload or {}).get("apply") and (job.payload or {}).get("offset")
        # sudo: the staged rows are the job's working copy, readable by administrators only
        self.env["hotel.import.stage"].sudo()._forget(self.ids)
        with trusted(IMPORT_LOG):
            # sudo: the job of the log's user (not the log's reader) says how it ended
            self.sudo().write({"state": "partial" if applied else "dry_run"})

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

    def _add_rejects(self, header, rejects):
        """Reject lines of one batch of a background import."""
        self.ensure_one()
        self.env["hotel.import.log.line"].create([
            {"log_id": self.id, "row_number": n, "reason": reason,
             "values": json.dumps(dict(zip(header, values, strict=False)), ensure_ascii=False)}
            for n, reason, values in rejects
        ])

    def _store_rejects_file(self, header):
        """The XLSX of the reject lines a background import added batch by batch."""
        self.ensure_one()
        self.env.cr.execute(SQL(
            "SELECT row_number, reason, values FROM hotel_import_log_line WHERE log_id = %s "
            "ORDER BY row_number", self.id))
        rejects = [(n, reason, [str(v) for v in json.loads(values or "{}").values()])
                   for n, reason, values in self.env.cr.fetchall()]
        if rejects:
            self.write({
                "rejects_file": base64.b64encode(self._rejects_xlsx(header, rejects)),
                "rejects_filename": self.env._("rejects-%(name)s.xlsx", name=self.name),
            })

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
        # files kept for a background dry run that was never applied (guests' data too)
        # sudo: retention purges the kept files of every property
        kept = self.sudo().search([("date", "<", limit), ("file_id", "!=", False)])
        files = kept.file_id
        kept.write({"file_id": False})
        files.unlink()
        return len(logs)
