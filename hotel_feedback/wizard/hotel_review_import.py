import base64
import csv
import io

from odoo import fields, models
from odoo.exceptions import UserError

from ..models.hotel_review import REVIEW_SOURCES

COLUMNS = ("source", "date", "rating", "text", "guest", "booking_ref", "review_ref")


class HotelReviewImport(models.TransientModel):
    """Import online reviews from a CSV: each row lands whole or is reported with its reason."""

    _name = "hotel.review.import"
    _description = "Import Online Reviews"

    file = fields.Binary(string="CSV File", required=True)
    filename = fields.Char()
    company_id = fields.Many2one(
        "res.company", string="Property", required=True, default=lambda self: self.env.company
    )
    imported_count = fields.Integer(readonly=True)
    error_log = fields.Text(readonly=True)
    state = fields.Selection([("draft", "Draft"), ("done", "Done")], default="draft")

    def _rows(self):
        raw = base64.b64decode(self.file or b"")
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise UserError(self.env._("The file is neither UTF-8 nor GB18030 text."))
        reader = csv.DictReader(io.StringIO(text))
        missing = [c for c in ("source", "date", "rating") if c not in (reader.fieldnames or [])]
        if missing:
            raise UserError(self.env._("Columns missing from the file: %(cols)s. Expected: "
                                       "%(expected)s.", cols=", ".join(missing),
                                       expected=", ".join(COLUMNS)))
        return list(reader)

    def _parse(self, row):
        """Values for one row, or raise ValueError with the reason shown to the user."""
        _ = self.env._
        source = (row.get("source") or "").strip().lower()
        if source not in dict(REVIEW_SOURCES):
            raise ValueError(_("unknown source %(site)r", site=row.get("source")))
        try:
            day = fields.Date.to_date((row.get("date") or "").strip().replace("/", "-"))
        except ValueError:
            day = None
        if not day:
            raise ValueError(_("unreadable date %(date)r (use YYYY-MM-DD)", date=row.get("date")))
        try:
            rating = int(float((row.get("rating") or "").strip()))
        except ValueError:
            rating = 0
        if not 1 <= rating <= 5 or str(rating) != (row.get("rating") or "").strip().split(".")[0]:
            raise ValueError(_("rating %(rating)r is not a whole number from 1 to 5",
                               rating=row.get("rating")))
        stay = self.env["hotel.stay"]
        ref = (row.get("booking_ref") or "").strip()
        if ref:
            stay = stay.search([("booking_ref", "=", ref),
                                ("company_id", "=", self.company_id.id)], limit=1)
            if not stay:
                raise ValueError(_("no stay with booking reference %(ref)r at %(property)s",
                                   ref=ref, property=self.company_id.name))
        return {
            "source": source, "date": day, "rating": rating,
            "text": (row.get("text") or "").strip(),
            "reviewer_name": (row.get("guest") or "").strip(),
            "external_ref": (row.get("review_ref") or "").strip() or False,
            "stay_id": stay.id, "partner_id": stay.partner_id.id,
            "company_id": self.company_id.id,
        }

    def action_import(self):
        self.ensure_one()
        Review = self.env["hotel.review"]
        errors, imported = [], 0
        for number, row in enumerate(self._rows(), start=2):
            try:
                vals = self._parse(row)
                if vals["external_ref"] and Review.search_count([
                    ("company_id", "=", vals["company_id"]), ("source", "=", vals["source"]),
                    ("external_ref", "=", vals["external_ref"]),
                ]):
                    continue  # already imported: re-importing the file changes nothing
                with self.env.cr.savepoint():
                    Review.create(vals)
                imported += 1
            except ValueError as exc:
                errors.append(self.env._("Line %(line)s: %(reason)s", line=number, reason=exc))
        self.write({"imported_count": imported, "error_log": "\n".join(errors),
                    "state": "done"})
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id,
                "view_mode": "form", "target": "new"}
