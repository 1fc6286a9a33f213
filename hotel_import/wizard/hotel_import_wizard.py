import base64
import itertools
import json
import logging
import operator

import psycopg2
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.hotel_crm.tools import sql_copy
from odoo.addons.hotel_crm.tools.gc_pause import paused_gc
from odoo.addons.hotel_crm.tools.trusted import check_protected_fields, trusted

from ..models.hotel_import_log import IMPORT_LOG
from ..models.hotel_import_stage import ImportMemory
from ..tools import cleaning, reader
from ..tools.cleaning import CleaningError
from ..tools.params import int_param

# Errors of a transaction that met another one (a deadlock, a row changed since the
# snapshot, a lock not available at once): nothing is wrong with the rows being written.
CONCURRENCY_ERRORS = (psycopg2.extensions.TransactionRollbackError,
                      psycopg2.errors.LockNotAvailable)

_logger = logging.getLogger(__name__)

GUEST_FILL_FIELDS = ("email", "phone", "birthday", "nationality_id")
# The columns a row's guest is read from.
GUEST_COLUMNS = frozenset({"guest_name", "first_name", "last_name", "email", "phone",
                           "birthday", "nationality", "id_number"})
STAY_UPDATE_FIELDS = ("state", "amount_room", "amount_fb", "amount_other", "check_in",
                      "check_out")
FORMULA_PREFIXES = ("=", "+", "@")
# Column types of the stored fields the bulk insert writes (jsonb_to_recordset needs them).
COLUMN_TYPES = {
    "varchar": SQL("varchar"), "text": SQL("text"), "int4": SQL("int4"), "bool": SQL("bool"),
    "date": SQL("date"), "timestamp": SQL("timestamp"), "numeric": SQL("numeric"),
    "float8": SQL("float8"), "jsonb": SQL("jsonb"),
}
# Stored computed fields of res.partner that are empty for a guest created without parent,
# user, company, consent history or loyalty membership (the bulk insert writes them instead
# of letting the ORM compute them guest by guest).
NEW_GUEST_EMPTY_FIELDS = ("user_id", "commercial_company_name", "company_registry",
                          "email_consent", "email_consent_date", "sms_consent",
                          "sms_consent_date", "loyalty_member_id",
                          # Peppol e-invoicing (account_edi_ubl_cii): derived from the
                          # country, VAT and company registry, which a new guest lacks
                          "peppol_eas", "peppol_endpoint")
MAGIC_COLUMNS = ("id", "create_uid", "create_date", "write_uid", "write_date")
BULK_BATCH = 5000
COUNT_FIELDS = ("guests_created", "guests_updated", "guests_redirected", "stays_created",
                "stays_updated", "stays_unchanged")
# Background import: rows above which a file runs in the background, rows staged per batch
# (read from the file), rows checked or written per batch (each batch commits), and the bytes
# per row of an XLSX file for the size check.
BACKGROUND_ROWS = 20_000
STAGE_BATCH = 50_000
ROW_BATCH = 20_000
XLSX_BYTES_PER_ROW = 100
# An import that adds this many rows, and more than this share of the rows the planner
# knows of, refreshes the table's statistics before the set-based work that follows.
ANALYZE_MIN_ROWS = 1000
ANALYZE_GROWTH = 0.2



def copy_converter(field):
    """A function (value, record, values) -> the value's COPY text, as the ORM would store
    it: ``convert_to_column`` then :func:`sql_copy.copy_text`; for jsonb columns (translated
    and company-dependent fields) ``convert_to_column_insert`` ({lang: value}, {company:
    value}). Integers, booleans, links and dates are written without the ORM's method
    calls, with the same result (Integer: ``int(value or 0)``, Boolean: ``bool(value)``,
    Many2one: ``value or None``, Date: the ISO date or NULL)."""
    if field.column_type[0] == "jsonb":
        return lambda value, record, values: sql_copy.copy_text(
            field.convert_to_column_insert(value, record, values))
    if field.type == "integer":
        return lambda value, record, values: str(int(value or 0))
    if field.type == "boolean":
        return lambda value, record, values: "t" if value else "f"
    if field.type == "many2one":
        return lambda value, record, values: str(value) if value else "\\N"
    if field.type == "date":
        return lambda value, record, values: (
            "\\N" if value is None or value is False else str(value))
    return lambda value, record, values: sql_copy.copy_text(
        field.convert_to_column(value, record, values))


def row_cells(mapping):
    """A function: file row -> {field: cell as read} of the columns ``mapping`` maps (a
    field the file has no column for is not in it)."""
    names = tuple(mapping)
    if len(names) == 1:
        index = mapping[names[0]]
        return lambda row: {names[0]: row[index]}
    getter = operator.itemgetter(*mapping.values())
    return lambda row: dict(zip(names, getter(row), strict=True))


def any_text(values):
    """The right side of an ``in`` domain condition on a text column for many values: one
    array parameter (a domain's list of values is converted and quoted value by value)."""
    return SQL("(SELECT unnest(%s::varchar[]))", list(values))


def as_text(value):
    """A cell as trimmed half-width text."""
    if value.__class__ is str and value.isascii():
        return value.strip()  # most cells of an export (half_width leaves them as they are)
    return cleaning.half_width(cleaning.xlsx_text(value)).strip()


# The plan's identity of a guest that an earlier batch of the same file created (counted
# there, not again).
EARLIER = "earlier"


def guest_keys(guest):
    """The in-file identity keys of a cleaned guest: its e-mail and phone, or else its name
    and birthday (as text: the background import keeps them between batches)."""
    keys = [f"{kind}:{value}" for kind, value in (("e", guest["email"]), ("p", guest["phone"]))
            if value]
    return keys or [f"n:{guest['name']}|{guest['birthday'] or ''}"]


def mask_id(value):
    """'110101199003071234' -> '**************1234'."""
    value = (value or "").strip()
    return "*" * max(len(value) - 4, 0) + value[-4:] if value else value

class HotelImportWizard(models.TransientModel):
    _name = "hotel.import.wizard"
    _description = "Import Guests and Stays"

    # in the wizard's own column, as Odoo's import keeps its file: an attachment would copy
    # it to the filestore and store its text once more for the attachments' search. Not
    # required: an empty upload (0 bytes) is stored as no file and refused by the dry run
    # with its own message, not by the database.
    file = fields.Binary(attachment=False)
    filename = fields.Char()
    preset_id = fields.Many2one(
        "hotel.import.preset", string="Source", required=True,
        help="Column layout of the file: a PMS export, an OTA export or your own preset.",
    )
    company_id = fields.Many2one(
        "res.company", string="Property", required=True,
        default=lambda self: self.env.company,
        help="Property of the stays when the file has no property column.",
    )
    state = fields.Selection(
        [("upload", "Upload"), ("preview", "Dry Run"), ("done", "Done")], default="upload"
    )
    log_id = fields.Many2one("hotel.import.log", readonly=True)
    # read as the user (not as superuser, Odoo's default for related fields): the rejected
    # rows hold guests' data
    rows_total = fields.Integer(related="log_id.rows_total", compute_sudo=False)
    rows_rejected = fields.Integer(related="log_id.rows_rejected", compute_sudo=False)
    guests_created = fields.Integer(related="log_id.guests_created", compute_sudo=False)
    guests_updated = fields.Integer(related="log_id.guests_updated", compute_sudo=False)
    guests_redirected = fields.Integer(related="log_id.guests_redirected", compute_sudo=False)
    stays_created = fields.Integer(related="log_id.stays_created", compute_sudo=False)
    stays_updated = fields.Integer(related="log_id.stays_updated", compute_sudo=False)
    stays_unchanged = fields.Integer(related="log_id.stays_unchanged", compute_sudo=False)
    line_ids = fields.One2many(related="log_id.line_ids", compute_sudo=False)
    rejects_file = fields.Binary(related="log_id.rejects_file", compute_sudo=False)
    rejects_filename = fields.Char(related="log_id.rejects_filename", compute_sudo=False)

    def init(self):
        # An upload is base64 text of up to tens of megabytes: lz4 compresses it as well as
        # PostgreSQL's default pglz (to about 40 %) in less time, for the file stored at the
        # upload and read by the dry run and the apply. Servers built without lz4 keep pglz.
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(SQL("ALTER TABLE %s ALTER COLUMN file SET COMPRESSION lz4",
                                        SQL.identifier(self._table)))
        except psycopg2.Error as exc:
            _logger.info("uploads compressed with pglz: %s", exc)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_protected_fields(self, ["log_id"], vals, IMPORT_LOG)
        return super().create(vals_list)

    def write(self, vals):
        check_protected_fields(self, ["log_id"], vals, IMPORT_LOG)
        return super().write(vals)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_dry_run(self):
        self.ensure_one()
        if self._is_large():
            return self._start_background(None, apply=False)
        self._run(apply=False)
        self.state = "preview"
        return self._reopen()

    def action_apply(self):
        self.ensure_one()
        if self._is_large():
            return self._start_background(None, apply=True)
        log = self._run(apply=True)
        self.state = "done"
        return {"type": "ir.actions.act_window", "res_model": "hotel.import.log",
                "res_id": log.id, "view_mode": "form"}

    def action_back(self):
        self.ensure_one()
        self.state = "upload"
        return self._reopen()

    def _reopen(self):
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id,
                "view_mode": "form", "target": "new", "name": self.env._("Import Guests")}


    # ------------------------------------------------------------------
    # Background import: a large file never runs in the request
    # ------------------------------------------------------------------
    def _is_large(self):
        """A file of more rows than ``hotel_import.background_rows`` (default 20,000, about
        15 s of work: below the proxies' and the workers' time limits with room to spare)
        is imported in the background; an XLSX file from 2 MB."""
        if not self.file:
            return False
        data = base64.b64decode(self.file)
        limit = int_param(self.env, "hotel_import.background_rows", BACKGROUND_ROWS)
        if data[:4] == reader.XLSX_MAGIC or (self.filename or "").lower().endswith(".xlsx"):
            return len(data) > limit * XLSX_BYTES_PER_ROW
        try:
            return reader.count_lines(data, limit)
        except CleaningError:
            return False  # refused with its reason when the file is read

    def _start_background(self, log, apply):
        """Queue the import of this wizard's file (or of ``log``'s kept file) as a
        background job; returns the job's form, where its progress shows."""
        self._check_importer()
        with trusted(IMPORT_LOG):
            if log is None:
                data = base64.b64decode(self.file)
                # checked now, not in the background: a file that cannot be read or has no
                # guest name column is refused at once
                try:
                    header, __, __ = reader.iter_file(data, self.filename or "")
                except CleaningError as exc:
                    raise UserError(self._file_error(exc.code)) from exc
                self._check_columns(header)
                log = self.env["hotel.import.log"].create({
                    "name": self.filename or self.env._("import"),
                    "company_id": self.company_id.id,
                    "preset_id": self.preset_id.id,
                    "state": "running",
                })
                # sudo: the kept file is reachable through the log only (guest relations)
                attachment = self.env["ir.attachment"].sudo().create({
                    "name": self.filename or "import.csv",
                    "raw": data,
                    "res_model": "hotel.import.log",
                    "res_id": log.id,
                })
                # sudo: see above
                log.sudo().file_id = attachment
            else:
                log.write({"state": "running"})
            job = self.env["hotel.job"]._enqueue(
                log, "_hotel_job_import",
                (self.env._("Import %(file)s", file=log.name) if apply
                 else self.env._("Dry run of %(file)s", file=log.name)),
                payload={"apply": apply, "phase": "stage", "staged": 0, "offset": 0,
                         "done": 0, "counts": {}, "rejected": 0},
            )
            log.job_id = job
            self.log_id = log
        return job.action_open()

    def _background_batch(self, log, job):
        """One batch of ``log``'s background import (in the job's transaction)."""
        payload = dict(job.payload)
        # sudo: the kept file is an administrator's attachment (see _start_background)
        data = log.sudo().file_id.raw
        if not data:
            raise UserError(self.env._("The file of this import is no longer kept: upload it "
                                       "again."))
        try:
            header, rows, encodings = reader.iter_file(data, log.name)
        except CleaningError as exc:
            raise UserError(self._file_error(exc.code)) from exc
        mapping = self._check_columns(header)
        # sudo: the staged rows and memory are the job's working copy (administrators only)
        Stage = self.env["hotel.import.stage"].sudo()
        if payload["phase"] == "stage":
            if not payload["staged"]:
                # a new run (or a dry run's file now applied): nothing of an earlier one
                Stage._forget(log.ids)
                log.line_ids.unlink()
                log.write({"rejects_file": False, "rejects_filename": False,
                           "rows_rejected": 0, **dict.fromkeys(COUNT_FIELDS, 0)})
            start = payload["staged"]
            chunk = list(itertools.islice(enumerate(rows, start=2), start,
                                          start + STAGE_BATCH))
            try:
                Stage._stage(log, chunk, "xlsx" in encodings, cleaning.xlsx_text)
            except CleaningError as exc:
                raise UserError(self._file_error(exc.code)) from exc
            payload["staged"] = start + len(chunk)
            estimate = max(data.count(b"\n"), payload["staged"]) if "xlsx" not in encodings \
                else payload["staged"]
            if len(chunk) < STAGE_BATCH:
                if not payload["staged"]:
                    raise UserError(self.env._(
                        "The file %(file)s has a header but no rows to import.",
                        file=log.name))
                Stage._mark_repeats(log)
                payload.update(phase="rows", total=payload["staged"],
                               encoding=",".join(sorted(encodings)))
                with trusted(IMPORT_LOG):
                    log.write({"rows_total": payload["staged"],
                               "encoding": payload["encoding"]})
                job._progress(done=0, total=payload["staged"], payload=payload,
                              stage=self.env._("Checking rows") if not payload["apply"]
                              else self.env._("Importing rows"))
            else:
                job._progress(done=payload["staged"], total=estimate, payload=payload,
                              stage=self.env._("Reading the file"))
            return False

        batch = Stage._batch(log, payload["offset"], ROW_BATCH)
        if batch:
            labels = self._labels()
            rejects = [(n, self.env._("This row repeats row %(row)s.", row=rep), cells)
                       for n, cells, rep in batch if rep]
            counts, more = self._process_rows(
                [(n, cells) for n, cells, rep in batch if not rep], mapping, "csv",
                self._lookups(mapping), labels, payload["apply"], seen_rows=None,
                prior=ImportMemory(self.env, log))
            rejects += more
            for key, value in counts.items():
                payload["counts"][key] = payload["counts"].get(key, 0) + value
            payload["rejected"] += len(rejects)
            log._add_rejects(header, self._masked(rejects, mapping))
            payload["offset"] = batch[-1][0]
            payload["done"] += len(batch)
            job._progress(done=payload["done"], payload=payload)
            return False

        # the end: the log's figures, the rejects' file, and no copy of the rows left
        log.write({"state": "done" if payload["apply"] else "dry_run",
                   "rows_rejected": payload["rejected"], **payload["counts"]})
        log._store_rejects_file(header)
        Stage._forget(log.ids)
        if payload["apply"]:
            # sudo: the kept file goes once the import has ended
            file = log.sudo().file_id
            log.sudo().file_id = False
            file.unlink()
        job._progress(payload=payload, result=log)
        return True

    def _masked(self, rejects, mapping):
        """The rejects are read by guest relations: an ID number in a rejected row is kept
        masked (last four characters), as only the sensitive-data group reads ID numbers."""
        id_col = mapping.get("id_number")
        if id_col is None:
            return rejects
        return [(n, reason, [mask_id(v) if i == id_col else v for i, v in enumerate(texts)])
                for n, reason, texts in rejects]

    # ------------------------------------------------------------------
    # Messages
    # ------------------------------------------------------------------
    def _file_error(self, code):
        messages = {
            "file_empty": self.env._("The file is empty."),
            "file_unreadable": self.env._(
                "The file cannot be read: upload a CSV file or an Excel workbook (.xlsx)."),
            "encoding_unknown": self.env._(
                "The file's text encoding is not UTF-8 or GB18030/GBK: save it again as "
                "CSV UTF-8 from your spreadsheet."),
            "file_too_large": self.env._(
                "The compressed file unpacks to more than %(size)s MB: it is not a guest "
                "export.", size=reader.MAX_UNPACKED // (1 << 20)),
            "line_too_long": self.env._(
                "The file has a value longer than %(size)s characters: it is not a guest "
                "export. Check the file and its separator.", size=reader.FIELD_LIMIT),
        }
        return messages.get(code, code)

    def _row_error(self, exc, column):
        value = exc.value
        messages = {
            "name_missing": self.env._("The guest name is missing."),
            "email_invalid": self.env._("The e-mail address “%(value)s” is not valid.",
                                        value=value),
            "phone_invalid": self.env._(
                "The phone number “%(value)s” cannot be read as a phone number.", value=value),
            "date_invalid": self.env._("%(column)s “%(value)s” is not a date.",
                                       column=column, value=value),
            "amount_invalid": self.env._("%(column)s “%(value)s” is not an amount.",
                                         column=column, value=value),
            "amount_negative": self.env._("%(column)s is negative (%(value)s).",
                                          column=column, value=value),
            "number_invalid": self.env._("%(column)s “%(value)s” is not a number.",
                                         column=column, value=value),
            "state_unknown": self.env._("Unknown booking status “%(value)s”.", value=value),
        }
        return messages.get(exc.code, exc.code)

    # ------------------------------------------------------------------
    # Reading and cleaning
    # ------------------------------------------------------------------
    def _read(self):
        if not self.file:
            if self.filename:  # an upload of 0 bytes is stored as no file
                raise UserError(self._file_error("file_empty"))
            raise UserError(self.env._("Choose a file to import."))
        try:
            header, rows, encodings = reader.read_file(
                base64.b64decode(self.file), self.filename or ""
            )
        except CleaningError as exc:
            raise UserError(self._file_error(exc.code)) from exc
        mapping = self._check_columns(header)
        if not rows:
            raise UserError(
                self.env._("The file %(file)s has a header but no rows to import.",
                           file=self.filename or "")
            )
        return header, rows, mapping, ",".join(sorted(encodings))

    def _check_columns(self, header):
        """The preset's mapping of the file's header, or the reason the file cannot be
        imported with that preset."""
        mapping = self.preset_id._mapping(header)
        has_name = "guest_name" in mapping or {"first_name", "last_name"} & set(mapping)
        if not has_name:
            hint = ""
            if len(header) == 1:
                hint = self.env._(
                    " The file has a single column: it is probably separated by another "
                    "character than the preset expects (comma, semicolon, tab).")
            raise UserError(
                self.env._("The columns of %(file)s do not match the source %(preset)s: no "
                           "guest name column. Columns found: %(columns)s.",
                           file=self.filename or "", preset=self.preset_id.name,
                           columns=", ".join(h[:40] for h in header[:20])
                           + (", …" if len(header) > 20 else "")) + hint
            )
        if "booking_ref" in mapping and not {"check_in", "check_out"} <= set(mapping):
            raise UserError(
                self.env._("The file has booking references but no check-in and check-out "
                           "columns for source %(preset)s.", preset=self.preset_id.name)
            )
        return mapping

    def _lookups(self, mapping):
        """Everything a row is checked against, as plain values read once per file (ids,
        codes), and the per-file memos of the cleaning: a guest's cells, phone and name
        come back on every stay of the guest."""
        def index(records, *fnames):
            result = {}
            for rec in records:
                for fname in fnames:
                    for part in (rec[fname] or "").split(","):
                        if part.strip():
                            result.setdefault(part.strip().lower(), rec.id)
            return result

        # sudo: property names and aliases of the file; rows for properties the user lacks are
        # rejected below
        companies = self.env["res.company"].sudo().search([])
        channels = self.env["hotel.booking.channel"].with_context(active_test=False).search([])
        room_types = self.env["hotel.crm.room.type"].search([])
        countries = self.env["res.country"].search([])
        return {
            "company": index(companies, "name", "hotel_import_aliases"),
            "company_data": {
                c.id: {"name": c.name, "country": c.country_id.code or "CN",
                       "currency": c.currency_id.id}
                # sudo: the default property may be one the user lacks (its rows are then
                # rejected with its name)
                for c in companies | self.company_id.sudo()
            },
            "default_company": self.company_id.id,
            "default_channel": self.preset_id.channel_id.id,
            "date_order": self.preset_id.date_order,
            "channel": index(channels, "code", "name"),
            "room_type": index(room_types, "code", "name"),
            "country": index(countries, "code", "name"),
            "allowed_companies": set(self.env.user.company_ids.ids),
            "relay_domains": frozenset(
                d.strip().lower() for c in channels
                for d in (c.relay_email_domains or "").split(",") if d.strip()
            ),
            "memo": {},
            # the cells of a row by field
            "cells": row_cells(mapping),
            # the cells of the guest columns of a row (the key of the cleaned guests)
            "guest_cells": operator.itemgetter(
                *(index for field, index in mapping.items() if field in GUEST_COLUMNS)),
            "guests": {},
        }

    @staticmethod
    def _memo(lookups, func, *args):
        """``func(*args)`` once per file; a CleaningError is remembered as well."""
        memo = lookups["memo"]
        key = (func, *args)
        if key not in memo:
            try:
                memo[key] = (func(*args), None)
            except CleaningError as exc:
                memo[key] = (None, exc)
        value, error = memo[key]
        if error is not None:
            raise error
        return value

    def _clean_row(self, row, mapping, lookups, labels):
        """(values, None) or (None, reason) for one file row."""
        cells = lookups["cells"](row)
        cell = cells.get
        company_id = lookups["default_company"]
        property_name = as_text(cell("property", ""))
        if property_name:
            company_id = lookups["company"].get(property_name.lower())
            if not company_id:
                return None, self.env._("Unknown property “%(value)s”.", value=property_name)
        company = lookups["company_data"][company_id]
        if company_id not in lookups["allowed_companies"]:
            return None, self.env._("You do not have access to property %(name)s.",
                                    name=company["name"])
        # the guest's part of a row comes back on each of the guest's stays: cleaned once
        # per file for the same cells (and country of the property, which reads the phone)
        guests = lookups["guests"]
        key = (lookups["guest_cells"](row), company["country"])
        if key not in guests:
            guests[key] = self._clean_guest(cells, lookups, labels, company["country"])
        guest, reason = guests[key]
        if reason:
            return None, reason
        values = {**guest, "stay": None}
        ref = as_text(cell("booking_ref", ""))
        if not ref:
            return values, None
        order = lookups["date_order"]
        current = None
        try:
            channel_id = lookups["default_channel"]
            channel_name = as_text(cell("channel", ""))
            if channel_name:
                channel_id = lookups["channel"].get(channel_name.lower())
                if not channel_id:
                    return None, self.env._("Unknown booking channel “%(value)s”.",
                                            value=channel_name)
            if not channel_id:
                return None, self.env._("The row has no booking channel and source %(preset)s "
                                        "has no default channel.", preset=self.preset_id.name)
            current = "check_in"
            check_in = cleaning.clean_date(cell("check_in", ""), order)
            current = "check_out"
            check_out = cleaning.clean_date(cell("check_out", ""), order)
            if not check_in or not check_out:
                return None, self.env._("Booking %(ref)s has no check-in or check-out date.",
                                        ref=ref)
            if check_out <= check_in:
                return None, self.env._(
                    "Booking %(ref)s: check-out (%(out)s) is not after check-in (%(in)s).",
                    ref=ref, out=check_out, **{"in": check_in})
            current = "booked_on"
            booked_on = cleaning.clean_date(cell("booked_on", ""), order)
            if booked_on and booked_on > check_in:
                return None, self.env._(
                    "Booking %(ref)s: the booking date (%(date)s) is after check-in.",
                    ref=ref, date=booked_on)
            current = "state"
            state = cleaning.clean_state(as_text(cell("state", "")))
            current = "amount_room"
            amount_room = cleaning.clean_amount(cell("amount_room", ""))
            current = "amount_fb"
            amount_fb = cleaning.clean_amount(cell("amount_fb", ""))
            current = "amount_other"
            amount_other = cleaning.clean_amount(cell("amount_other", ""))
            current = "adults"
            adults = max(cleaning.clean_int(cell("adults", ""), 1), 1)
            current = "children"
            children = cleaning.clean_int(cell("children", ""), 0)
            if children < 0:
                raise CleaningError("number_invalid", cell("children", ""))
            values["stay"] = {
                "company_id": company_id,
                "channel_id": channel_id,
                "booking_ref": ref,
                "check_in": check_in,
                "check_out": check_out,
                "booked_on": booked_on or check_in,
                "currency_id": company["currency"],
                "state": state,
                "amount_room": amount_room,
                "amount_fb": amount_fb,
                "amount_other": amount_other,
                "adults": adults,
                "children": children,
                "room_type_id": lookups["room_type"].get(
                    as_text(cell("room_type", "")).lower(), False),
            }
            return values, None
        except CleaningError as exc:
            return None, self._row_error(exc, labels.get(current, current))

    def _clean_guest(self, cells, lookups, labels, country):
        """(guest values, None) or (None, reason) of the guest columns of a row (name,
        e-mail, phone, birthday, nationality, ID number; ``cells`` by field); ``country``
        (of the row's property) reads a national phone number. The guest values are shared
        by the rows that give the same cells and are not changed afterwards."""
        def text(field):
            return as_text(cells.get(field, ""))

        memo = self._memo
        current = None
        try:
            current = "guest_name"
            raw_name = text("guest_name") or " ".join(
                filter(None, [text("first_name"), text("last_name")]))
            if raw_name.startswith(FORMULA_PREFIXES):
                return None, self.env._(
                    "The guest name “%(value)s” looks like a spreadsheet formula, not a name.",
                    value=raw_name)
            name = memo(lookups, cleaning.clean_name, raw_name)
            current = "email"
            email = cleaning.clean_email(text("email"))
            current = "phone"
            phone, phone_valid = memo(lookups, cleaning.check_phone, text("phone"), country)
            current = "birthday"
            birthday = cleaning.clean_date(cells.get("birthday", ""), lookups["date_order"])
            nationality = False
            if text("nationality"):
                nationality = lookups["country"].get(text("nationality").lower(), False)
            guest = {
                "guest": {
                    "name": name,
                    "email": email or False,
                    "phone": phone or False,
                    "birthday": birthday or False,
                    "nationality_id": nationality,
                    "id_document_number": text("id_number") or False,
                },
                "relay": memo(lookups, cleaning.is_relay_email, email,
                              lookups["relay_domains"]),
                "phone_valid": phone_valid,
            }
            return guest, None
        except CleaningError as exc:
            return None, self._row_error(exc, labels.get(current, current))

    # ------------------------------------------------------------------
    # Matching
    # ------------------------------------------------------------------
    def _existing(self, cleaned):
        """Existing guests by e-mail and phone, existing stays by property+channel+reference
        (all in a few queries). Archived guests merged into another are followed."""
        Partner = self.env["res.partner"].with_context(active_test=False)
        emails = {v["guest"]["email"] for v in cleaned if v["guest"]["email"]}
        phones = {v["guest"]["phone"] for v in cleaned if v["guest"]["phone"]}
        by_email, by_phone = {}, {}
        # only what matching and completing read (not every field of tens of thousands of
        # guests)
        needed = ["email_normalized", "hotel_phone_e164", "active", "hotel_merged_into_id",
                  "is_guest", *GUEST_FILL_FIELDS]
        if emails:
            for p in Partner.search_fetch([("email_normalized", "in", any_text(emails)),
                                           ("is_company", "=", False)], needed,
                                          order="active desc, id"):
                by_email.setdefault(p.email_normalized, p)
        if phones:
            for p in Partner.search_fetch([("hotel_phone_e164", "in", any_text(phones)),
                                           ("is_company", "=", False)], needed,
                                          order="active desc, id"):
                by_phone.setdefault(p.hotel_phone_e164, p)
        stays = {}
        refs = {v["stay"]["booking_ref"] for v in cleaned if v["stay"]}
        if refs:
            # sudo: a booking reference already imported at any property is recognised
            for s in self.env["hotel.stay"].sudo().search([("booking_ref", "in",
                                                           any_text(refs))]):
                stays[(s.company_id.id, s.channel_id.id, s.booking_ref)] = s
        return by_email, by_phone, stays

    def _check_importer(self):
        if not (self.env.user.has_group("hotel_crm.group_hotel_guest_relations")
                or self.env.su):
            raise UserError(self.env._("Only Guest Relations and Managers can import guests."))
        if not self.env.su and self.company_id not in self.env.user.company_ids:
            raise UserError(self.env._("You can only import for your own properties."))

    def _run(self, apply):
        self.ensure_one()
        self._check_importer()
        # the rows of a large file stay in memory to the end: see gc_pause
        with paused_gc(), trusted(IMPORT_LOG):
            return self._run_file(apply)

    def _run_file(self, apply):
        header, rows, mapping, encoding = self._read()
        lookups = self._lookups(mapping)
        counts, rejects = self._process_rows(
            enumerate(rows, start=2), mapping, encoding, lookups, self._labels(), apply,
            seen_rows={})
        log = self.log_id if self.log_id and self.log_id.state == "dry_run" else self.env[
            "hotel.import.log"]
        vals = {
            "name": self.filename or self.env._("import"),
            "company_id": self.company_id.id,
            "preset_id": self.preset_id.id,
            "state": "done" if apply else "dry_run",
            "encoding": encoding,
            "rows_total": len(rows),
            "rows_rejected": len(rejects),
            **counts,
        }
        if log:
            log.write(vals)
        else:
            log = log.create(vals)
        rejects.sort()
        log._store_rejects(header, self._masked(rejects, mapping))
        self.log_id = log
        return log

    def _labels(self):
        return dict(self.env["hotel.import.preset.column"]._fields["field"]
                    ._description_selection(self.env))

    def _process_rows(self, numbered_rows, mapping, encoding, lookups, labels, apply,
                      seen_rows=None, prior=None):
        """Clean, check, match and (with ``apply``) write rows given as (row number, cells);
        returns (counts, rejects). ``seen_rows`` ({cells: first row}) finds repeated rows
        (the background import finds them in SQL before and passes None). ``prior`` (the
        background import, batch by batch) answers what earlier batches of the same file
        held: booking references and new guests (see ``ImportMemory``)."""
        rejects, accepted = [], []
        seen_refs = {}
        for number, row in numbered_rows:
            # the cells of a CSV file are text already
            texts = row if encoding != "xlsx" else [cleaning.xlsx_text(v) for v in row]
            if seen_rows is not None:
                key = tuple(map(str.strip, texts))
                if key in seen_rows:
                    rejects.append((number, self.env._("This row repeats row %(row)s.",
                                                       row=seen_rows[key]), texts))
                    continue
                seen_rows[key] = number
            values, reason = self._clean_row(row, mapping, lookups, labels)
            if reason:
                rejects.append((number, reason, texts))
                continue
            stay = values["stay"]
            if stay:
                ref_key = (stay["company_id"], stay["channel_id"], stay["booking_ref"])
                if ref_key in seen_refs:
                    rejects.append((number, self._twice_message(stay, seen_refs[ref_key]),
                                    texts))
                    continue
                seen_refs[ref_key] = number
            accepted.append((number, values, texts))
        if prior is not None and seen_refs:
            earlier = prior.refs(seen_refs)
            if earlier:
                kept = []
                for item in accepted:
                    stay = item[1]["stay"]
                    key = stay and (stay["company_id"], stay["channel_id"], stay["booking_ref"])
                    if key in earlier:
                        rejects.append((item[0], self._twice_message(stay, earlier[key]),
                                        item[2]))
                    else:
                        kept.append(item)
                accepted = kept
            prior.remember_refs({k: n for k, n in seen_refs.items() if k not in earlier})
        counts = self._plan_and_apply(accepted, rejects, apply, prior)
        return counts, rejects

    def _twice_message(self, stay, first_row):
        return self.env._(
            "Booking reference %(ref)s appears twice in the file (first on row %(row)s).",
            ref=stay["booking_ref"], row=first_row)

    def _plan_and_apply(self, accepted, rejects, apply, prior=None):
        by_email, by_phone, stays = self._existing([v for __, v, __ in accepted])
        counts = dict.fromkeys(("guests_created", "guests_updated", "guests_redirected",
                                "stays_created", "stays_updated", "stays_unchanged"), 0)
        new_guests = {}  # in-file identity -> first row number
        groups = {}  # ("e", email) / ("p", phone) / ("n", name, birthday) -> identity
        # guests an earlier batch of the same file made or counted: {key: (row, partner id)}
        earlier = prior.guests({k for __, v, __ in accepted for k in guest_keys(v["guest"])}) \
            if prior is not None else {}
        plan = []
        for number, values, texts in accepted:
            guest = values["guest"]
            stay = values["stay"]
            partner = None
            existing_stay = None
            if stay:
                existing_stay = stays.get(
                    (stay["company_id"], stay["channel_id"], stay["booking_ref"]))
                if existing_stay and existing_stay.booked_on \
                        and existing_stay.booked_on > stay["check_in"]:
                    # the booking date is kept on an update: an earlier check-in would
                    # contradict it (another booking under the same reference?)
                    rejects.append((number, self.env._(
                        "Booking %(ref)s: the new check-in (%(in)s) is before the booking date "
                        "already recorded (%(date)s).", ref=stay["booking_ref"],
                        date=existing_stay.booked_on, **{"in": stay["check_in"]}), texts))
                    continue
                if existing_stay:
                    partner = existing_stay.partner_id
            if partner is None:
                partner = (guest["email"] and by_email.get(guest["email"])) or (
                    guest["phone"] and by_phone.get(guest["phone"])) or None
            redirected = False
            if partner is not None and not partner.active and partner.hotel_merged_into_id:
                partner = partner._hotel_survivor()
                redirected = True
            ident = None
            keys = guest_keys(guest)
            hit = next((earlier[k] for k in keys if k in earlier), None)
            if partner is not None:
                if hit and hit[1] == partner.id:
                    ident = EARLIER  # a guest this file created: counted when created
            elif hit and hit[1]:
                partner = self.env["res.partner"].browse(hit[1])
                ident = EARLIER
            else:
                # rows of one new guest share an e-mail or a phone (or name and birthday)
                for k in keys:
                    if k in groups:
                        ident = groups[k]
                        break
                else:
                    ident = ("earlier", hit[0]) if hit else len(groups) + 1
                    if hit:
                        new_guests[ident] = hit[0]  # counted by the earlier batch
                for k in keys:
                    groups.setdefault(k, ident)
            plan.append((number, values, texts, partner, existing_stay, ident, redirected))

        if not apply:
            for number, values, __, partner, existing_stay, ident, redirected in plan:
                self._count(counts, values, partner, existing_stay, ident, redirected,
                            new_guests, number)
            if prior is not None:
                prior.remember_guests({k: (new_guests[ident], None)
                                       for k, ident in groups.items()
                                       if not isinstance(ident, tuple)})
            return counts

        # read here, once, and passed on (not through the context, which any caller sets)
        channels = self.env["hotel.booking.channel"].with_context(active_test=False).search([])
        channel_types = {c.id: c.channel_type for c in channels}
        made = {}  # in-file identity -> (first row, new guest id)
        try:
            with self.env.cr.savepoint():
                made = self._write_plan(plan, counts, channel_types)
        except (ValidationError, UserError, psycopg2.Error) as exc:
            if isinstance(exc, CONCURRENCY_ERRORS):
                # another transaction holds what this one needs: no row is at fault; the
                # whole batch is tried again in a new transaction (Odoo retries a request,
                # the job runner a batch)
                raise
            # e.g. a booking reference recorded meanwhile by someone else: find the row(s)
            # by halves, so that one refused row costs a few bulk writes, not one per row
            _logger.info("bulk import failed (%s), importing by halves", exc)
            self.env.invalidate_all()
            counts = dict.fromkeys(counts, 0)
            made = {}
            halves = [plan[:len(plan) // 2], plan[len(plan) // 2:]]
            while halves:
                # in file order; the rows of a guest a written part created go to that guest
                part = [(n, v, t, self.env["res.partner"].browse(made[i][1]), st, EARLIER, r)
                        if p is None and i in made and made[i][1] else (n, v, t, p, st, i, r)
                        for n, v, t, p, st, i, r in halves.pop(0)]
                part_counts = dict.fromkeys(counts, 0)
                try:
                    with self.env.cr.savepoint():
                        part_made = self._write_plan(part, part_counts, channel_types)
                except (ValidationError, UserError, psycopg2.Error) as part_exc:
                    self.env.invalidate_all()
                    if isinstance(part_exc, CONCURRENCY_ERRORS):
                        raise
                    if len(part) > 1:
                        halves[:0] = [part[:len(part) // 2], part[len(part) // 2:]]
                    elif isinstance(part_exc, psycopg2.Error):
                        rejects.append((part[0][0], self.env._(
                            "The database refused the row: %(error)s",
                            error=(part_exc.diag.message_primary or str(part_exc))),
                            part[0][2]))
                    else:
                        rejects.append((part[0][0], str(part_exc.args[0]), part[0][2]))
                else:
                    for key, value in part_counts.items():
                        counts[key] += value
                    for ident, value in part_made.items():
                        made.setdefault(ident, value)
                    self.env.invalidate_all()
        if prior is not None:
            prior.remember_guests({k: made[ident] for k, ident in groups.items()
                                   if ident in made})
        return counts

    def _count(self, counts, values, partner, existing_stay, ident, redirected, new_guests,
               number):
        if partner is not None:
            if ident != EARLIER:
                counts["guests_updated"] += 1
        elif ident not in new_guests:
            new_guests[ident] = number
            counts["guests_created"] += 1
        if redirected:
            counts["guests_redirected"] += 1
        stay = values["stay"]
        if stay:
            if existing_stay:
                if self._stay_changes(existing_stay, stay):
                    counts["stays_updated"] += 1
                else:
                    counts["stays_unchanged"] += 1
            else:
                counts["stays_created"] += 1

    def _stay_changes(self, existing, stay):
        changes = {}
        for fname in STAY_UPDATE_FIELDS:
            if existing[fname] != stay[fname]:
                changes[fname] = stay[fname]
        return changes

    def _write_plan(self, plan, counts, channel_types):
        Partner = self.env["res.partner"]
        created = {}
        to_create = []
        for number, values, __, partner, existing_stay, ident, redirected in plan:
            self._count(counts, values, partner, existing_stay, ident, redirected, created,
                        number)
            if partner is None and created.get(ident) == number:
                to_create.append((ident, values))
        # a new stay with what is derived from it (nights, totals …), made once for the
        # figures of new guests and the insert
        new_stays = {number: {**values["stay"], **self._stay_derived(values["stay"], channel_types)}
                     for number, values, __, __, existing_stay, __, __ in plan
                     if values["stay"] and not existing_stay}
        figures = self._new_guest_figures(plan, new_stays)
        new_partners = self._bulk_insert(
            "res.partner",
            [{**values["guest"], **self._guest_derived(values), **figures.get(ident, {}),
              "is_guest": True}
             for ident, values in to_create],
            self_reference="commercial_partner_id",
        )
        self._after_partner_insert(new_partners)
        # new guest ids by in-file identity (ids, not records: one per row of the plan)
        by_ident = dict(zip((ident for ident, __ in to_create), new_partners.ids, strict=True))
        first_rows = {ident: number for number, __, __, partner, __, ident, __ in plan
                      if partner is None and created.get(ident) == number}
        stay_vals = []
        matched = {}  # partner id -> values filled in (the first row giving one wins)
        for number, values, __, partner, existing_stay, ident, __ in plan:
            if partner is None:
                partner_id = by_ident[ident]
            else:
                partner_id = partner.id
                fill = matched.setdefault(partner.id, {})
                for fname in GUEST_FILL_FIELDS:
                    if values["guest"][fname] and not partner[fname]:
                        fill.setdefault(fname, values["guest"][fname])
                if not partner.is_guest:
                    fill["is_guest"] = True
            stay = values["stay"]
            if not stay:
                continue
            if existing_stay:
                changes = self._stay_changes(existing_stay, stay)
                if changes:
                    existing_stay.write(changes)
            else:
                new_stays[number]["partner_id"] = partner_id
                stay_vals.append(new_stays[number])
        self._fill_matched(matched)
        self._bulk_insert("hotel.stay", stay_vals)
        self.env.flush_all()
        self._analyze_grown_tables({"res_partner": len(new_partners),
                                    "hotel_stay": len(stay_vals)})
        touched = new_partners | Partner.browse(matched)
        if touched:
            # the figures of new guests with counted stays were written with them: the
            # figures query would find nothing to change for them (a guest without one gets
            # empty averages from the query, not the 0.0 an insert writes for a float)
            current = frozenset(by_ident[ident] for ident, values in figures.items()
                                if values["stay_count"])
            with trusted("hotel_crm.figures_current"):
                touched.with_context(hotel_figures_current=current)._hotel_refresh_derived()
            # sudo: duplicate detection sees guests of every property (queue is per property)
            self.env["hotel.duplicate.candidate"].sudo()._detect(partner_ids=touched.ids)
        return {ident: (first_rows[ident], pid) for ident, pid in by_ident.items()}

    def _new_guest_figures(self, plan, new_stays):
        """{guest identity: figures} of the guests the file creates, from their stays in the
        file (their only stays; ``new_stays``: {row number: stay values with the derived
        ones}), written with the guests; a guest with a booking the database already holds
        is left to the figures query."""
        Partner = self.env["res.partner"]
        if not hasattr(Partner, "_hotel_figures_from_stays"):
            return {}
        stays, known = {}, set()
        for number, values, __, partner, existing_stay, ident, __ in plan:
            if partner is not None:
                continue
            if existing_stay:
                known.add(ident)
            elif values["stay"]:
                stays.setdefault(ident, []).append(new_stays[number])
        # the window of the figures query (12 months back from today)
        since = fields.Date.context_today(self) - relativedelta(months=12)
        return {ident: Partner._hotel_figures_from_stays(rows, since=since)
                for ident, rows in stays.items() if ident not in known}

    def _fill_matched(self, matched):
        """Complete the guests the file matched with the values it adds to their empty fields
        ({partner id: {field: value}}): one UPDATE per field for all of them, then what a
        write of these fields does in Odoo, set-based — the stored fields computed from them
        (normalised e-mail, sanitized and E.164 phone, birthday month …) are recomputed by
        the ORM in batch, an erased address is recorded as withdrawn consent, and each
        completed guest gets one line in the guest-data audit log naming the file (not a
        chatter message per guest)."""
        fills = {pid: fill for pid, fill in matched.items() if fill}
        if not fills:
            return
        Partner = self.env["res.partner"]
        partners = Partner.browse(fills)
        fnames = sorted({fname for fill in fills.values() for fname in fill})
        partners.flush_recordset(fnames)
        audited = partners._hotel_audited() if hasattr(partners, "_hotel_audited") else None
        now = fields.Datetime.to_string(fields.Datetime.now())
        for fname in fnames:
            field = Partner._fields[fname]
            payload = [{"id": pid, "v": field.convert_to_column(fill[fname], partners)}
                       for pid, fill in fills.items() if fname in fill]
            for start in range(0, len(payload), BULK_BATCH):
                self.env.cr.execute(SQL(
                    "UPDATE res_partner p SET %(col)s = x.v, write_uid = %(uid)s, "
                    "write_date = %(now)s FROM jsonb_to_recordset(%(data)s::jsonb) "
                    "AS x(id int4, v %(type)s) WHERE p.id = x.id",
                    col=SQL.identifier(fname), uid=self.env.uid, now=now,
                    type=COLUMN_TYPES[field.column_type[0]],
                    data=json.dumps(payload[start:start + BULK_BATCH], default=str),
                ))
        partners.invalidate_recordset([*fnames, "write_uid", "write_date"])
        partners.modified(fnames)
        if {"email", "phone", "is_guest"} & set(fnames):
            partners.filtered("is_guest")._hotel_apply_suppression()
        if audited:
            Log = self.env["hotel.audit.log"]
            logged = [f for f in partners._hotel_audit_fields if f in fnames]
            new = Log._snapshot(audited, logged)
            old = {pid: {f: "" if f in fills[pid] else text for f, text in values.items()}
                   for pid, values in new.items()}
            Log._record("write", audited, lambda r: r._hotel_audit_partner(), logged,
                        old=old, new=new,
                        note=self.env._("Import of %(file)s", file=self.filename or ""))

    def _analyze_grown_tables(self, inserted):
        """Refresh PostgreSQL's statistics of the tables a large import has grown (the
        first import into a new database, above all): the figures and duplicate queries that
        follow are planned from them, and with statistics of a near-empty table the planner
        picks nested loops that take minutes instead of seconds. ANALYZE samples the rows of
        this transaction too."""
        for table, count in inserted.items():
            if count < ANALYZE_MIN_ROWS:
                continue
            self.env.cr.execute(SQL("SELECT reltuples FROM pg_class WHERE oid = %s::regclass",
                                    table))
            known = max(self.env.cr.fetchone()[0], 0)
            if count > ANALYZE_GROWTH * known:
                self.env.cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))

    def _after_partner_insert(self, partners):
        """What creating the guests through the ORM does besides storing them: an address
        erased earlier (privacy suppression list) is recorded as withdrawn consent, and the
        creation goes to the personal-data audit log."""
        if not partners:
            return
        # they were inserted as guests: their audit scope (guests) is known without reading
        # back every column of every new guest
        self.env.cache.update(partners, partners._fields["is_guest"], [True] * len(partners))
        if hasattr(partners, "_hotel_apply_suppression"):
            partners._hotel_apply_suppression()
        if "hotel.audit.log" in self.env and hasattr(partners, "_hotel_audited"):
            scope = partners._hotel_audited()
            if scope:
                Log = self.env["hotel.audit.log"]
                fnames = [f for f in partners._hotel_audit_fields if f in partners._fields]
                Log._record("create", scope, lambda r: r._hotel_audit_partner(), fnames,
                            old={}, new=Log._snapshot(scope, fnames),
                            note=self.env._("Import of %(file)s", file=self.filename or ""))

    def _guest_derived(self, values):
        """Stored computed values of a new guest known from its cleaned row (the ORM
        computes the others). A new guest has no parent, user, consent row or membership,
        so what Odoo would derive from those is known too (the phone is already E.164)."""
        guest = values["guest"]
        Partner = self.env["res.partner"]
        empty = {fname: False for fname in NEW_GUEST_EMPTY_FIELDS if fname in Partner._fields}
        return {
            **empty,
            "partner_share": True,
            "phone_sanitized": values["phone_valid"] and guest["phone"] or False,
            "complete_name": guest["name"],
            "email_normalized": guest["email"] or False,
            "is_relay_email": values["relay"],
            "hotel_phone_e164": guest["phone"] or False,
            "hotel_name_key": cleaning.name_key(guest["name"]) or False,
            "birthday_month": guest["birthday"].month if guest["birthday"] else 0,
        }

    def _stay_derived(self, stay, channel_types):
        """Stored computed values of a new stay (its currency is the property's)."""
        total = round(stay["amount_room"] + stay["amount_fb"] + stay["amount_other"], 2)
        values = {
            "nights": (stay["check_out"] - stay["check_in"]).days,
            "lead_days": max((stay["check_in"] - stay["booked_on"]).days, 0),
            "amount_total": total,
            "amount_company": total,
        }
        if stay["channel_id"] in channel_types:
            values["channel_type"] = channel_types[stay["channel_id"]]
        return values

    def _bulk_insert(self, model, rows, self_reference=None):
        """Insert validated rows set-based (one COPY, converted while it is sent) and let
        the ORM compute the stored computed fields of the new records in batch; returns the
        records in the order of ``rows``.

        Imported rows were fully validated before (the same checks as the stay form and the
        SQL constraints); model ``create()`` overrides are not called — what they derive
        (figures, tags, tiers, duplicates) is recomputed set-based by the caller."""
        # sudo: rows were validated and the user's properties checked before the bulk insert
        Model = self.env[model].sudo()
        if not rows:
            return Model.browse()
        rows = [dict(row) for row in rows]
        Model._add_precomputed_values(rows)
        for row in rows:
            row.pop("__precomputed__", None)
        given = set().union(*rows)
        if self_reference:
            given.add(self_reference)
        defaults = Model.default_get([
            name for name, field in Model._fields.items()
            if field.store and field.column_type and name not in given
            and name not in MAGIC_COLUMNS and not field.compute
        ])
        columns = [
            name for name in dict.fromkeys([*defaults, *sorted(given)])
            if Model._fields[name].column_type and Model._fields[name].store
        ]
        ids = sql_copy.reserve_ids(self.env.cr, Model._table, len(rows))
        now = fields.Datetime.to_string(fields.Datetime.now())
        uid = str(self.env.uid)
        record = Model.browse()
        converters = {name: copy_converter(Model._fields[name]) for name in columns}
        # a column no row gives has its default on every row: converted once
        given_by_rows = set().union(*rows)
        varying = [name for name in columns
                   if name in given_by_rows or name == self_reference]
        fixed = [name for name in columns if name not in varying]
        fixed_cells = "".join(
            converters[name](defaults.get(name), record, defaults) + "\t" for name in fixed)
        magic_tail = "\t".join(["", uid, now, uid, now])  # after the id
        varying_converters = [(name, converters[name]) for name in varying]
        self_index = varying.index(self_reference) if self_reference else None

        def lines():
            for id_, row in zip(ids, rows, strict=True):
                values = {**defaults, **row}
                cells = [convert(values.get(name), record, values)
                         for name, convert in varying_converters]
                if self_index is not None:
                    cells[self_index] = str(id_)
                yield "\t".join(cells) + "\t" + fixed_cells + str(id_) + magic_tail

        # The lines are made while they are sent, when a query would end the COPY: the
        # converters work on an empty record (amounts are not rounded again by a currency
        # read per row) and the first row is converted before the COPY starts, so what
        # every row reads once through the ORM (the company of company-dependent fields,
        # the active languages of translated ones) is read then.
        converted = lines()
        first = next(converted)
        # COPY, not INSERT (Odoo's own xml-id export writes ir_model_data with COPY too)
        sql_copy.copy_lines(self.env.cr, Model._table, [*varying, *fixed, *MAGIC_COLUMNS],
                            itertools.chain([first], converted))
        records = Model.browse(ids)
        for field in Model._fields.values():
            # images (avatars) follow an image the imported rows never have
            if field.store and field.compute and field.name not in given \
                    and field.type != "binary":
                self.env.add_to_compute(field, records)
        records.flush_recordset()
        return records.with_env(self.env)

    @api.model
    def _import_bytes(self, data, filename, preset, company=None, apply=True):
        """Import a file without the form (scripts, tests and the benchmark)."""
        wizard = self.create({
            "file": base64.b64encode(data),
            "filename": filename,
            "preset_id": preset.id,
            "company_id": (company or self.env.company).id,
        })
        return wizard._run(apply=apply)
