import base64
import json

from odoo import api, fields, models
from odoo.osv import expression

from odoo.addons.hotel_crm.tools.trusted import check_protected_fields, trusted

from ..tools import reader
from ..tools.cleaning import CleaningError, clean_phone, name_key
from .hotel_import_log import IMPORT_LOG

# Set by the merge journal only (as superuser): it archives a profile for unmerge and sends
# the rows of later imports to the surviving guest.
MERGE_FIELDS = ("hotel_merged_into_id",)


class ResPartner(models.Model):
    _inherit = "res.partner"

    hotel_name_key = fields.Char(
        string="Name Key",
        compute="_compute_hotel_name_key",
        store=True,
        index=True,
        help="Transliterated, order-free form of the name used to find duplicates "
        "(王伟 and Wei Wang both give 'wang wei').",
    )
    hotel_phone_e164 = fields.Char(
        string="Phone (E.164)",
        compute="_compute_hotel_phone_e164",
        store=True,
        index="btree_not_null",
        help="Phone or mobile in international form, read with the guest's country (else the "
        "current property's, else China's) as default; used to find duplicates.",
    )
    hotel_merged_into_id = fields.Many2one(
        "res.partner",
        string="Merged Into",
        readonly=True,
        index="btree_not_null",
        copy=False,
        help="This profile was merged into that guest; it is archived and kept so that the "
        "merge can be undone.",
    )
    hotel_duplicate_candidate_count = fields.Integer(
        compute="_compute_hotel_duplicate_candidate_count", string="Possible Duplicates"
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_protected_fields(self, MERGE_FIELDS, vals, "hotel_import.merge")
        return super().create(vals_list)

    def write(self, vals):
        check_protected_fields(self, MERGE_FIELDS, vals, "hotel_import.merge")
        return super().write(vals)

    @api.depends("name")
    def _compute_hotel_name_key(self):
        for partner in self:
            partner.hotel_name_key = name_key(partner.name) or False

    @api.depends("phone", "mobile", "country_id")
    def _compute_hotel_phone_e164(self):
        company_country = self.env.company.country_id.code
        for partner in self:
            number = False
            countries = list(dict.fromkeys(
                filter(None, (partner.country_id.code, company_country, "CN"))))
            for raw in filter(None, (partner.mobile, partner.phone)):
                for country in countries:
                    try:
                        number = clean_phone(raw, country)
                        break
                    except CleaningError:
                        continue
                if number:
                    break
            partner.hotel_phone_e164 = number

    def _compute_hotel_duplicate_candidate_count(self):
        Candidate = self.env["hotel.duplicate.candidate"]
        for partner in self:
            if not partner.id or not Candidate.has_access("read"):
                partner.hotel_duplicate_candidate_count = 0
                continue
            partner.hotel_duplicate_candidate_count = Candidate.search_count(
                [("state", "=", "review"), "|", ("partner_a_id", "=", partner.id),
                 ("partner_b_id", "=", partner.id)]
            )

    def _hotel_privacy_data(self):
        data = super()._hotel_privacy_data()
        # sudo: the merges of this guest's profiles belong in the guest's export
        journals = self.env["hotel.merge.journal"].sudo().search(
            ["|", ("survivor_id", "=", self.id), ("merged_partner_id", "=", self.id)]
        )
        data[self.env._("Merges")] = self._hotel_privacy_rows(journals, [
            "date", "user_id", "survivor_id", "merged_name", "reason", "origin", "state",
            "merged_values_text", "unmerged_on",
        ])
        return data

    def _hotel_anonymise_related(self):
        """Erasure also blanks what the merge journal and the duplicate queue keep about
        these guests (the values of a merged profile, the reasons of a decision)."""
        res = super()._hotel_anonymise_related()
        # sudo: erasure reaches the journal entries the requesting manager cannot edit
        journals = self.env["hotel.merge.journal"].sudo().search(
            ["|", ("survivor_id", "in", self.ids), ("merged_partner_id", "in", self.ids)]
        )
        journals.write({"merged_values": False, "survivor_values": False,
                        "merged_name": self.env._("Anonymised Guest"), "reason": "-"})
        # sudo: the free-text note of a duplicate decision may name the guest
        self.env["hotel.duplicate.candidate"].sudo().search(
            ["|", ("partner_a_id", "in", self.ids), ("partner_b_id", "in", self.ids)]
        ).write({"note": False})
        # the rejected import rows holding their e-mail, phone or exact name (a same-named
        # stranger's row goes too: rejected rows are kept a few weeks only), and the rejects
        # file of those imports, rebuilt without them
        names, emails, phones = self._hotel_erasure_identifiers(self)
        needles = [*emails, *phones, *(json.dumps(n, ensure_ascii=False) for n in names)]
        # sudo: erasure reaches the rejected rows of every property's imports
        lines = self.env["hotel.import.log.line"].sudo().search(
            expression.OR([[("values", "ilike", n)] for n in needles])) if needles else []
        logs = lines and lines.log_id
        if lines:
            lines.unlink()
        for log in logs:
            kept = [(line.row_number, line.reason, json.loads(line.values or "{}"))
                    for line in log.line_ids]
            header = list(kept[0][2]) if kept else []
            log.write({"rejects_file": base64.b64encode(log._rejects_xlsx(header, [
                (n, why, [str(values.get(h, "")) for h in header]) for n, why, values in kept
            ])) if kept else False, "rejects_filename": log.rejects_filename if kept else False})
        self._hotel_erase_kept_import_files(needles)
        # the profiles merged into these guests are the same people: erased with them
        # sudo: merged profiles are archived and may be of any property
        merged = self.sudo().with_context(active_test=False).search(
            [("hotel_merged_into_id", "in", self.ids), ("is_anonymised", "=", False)])
        if merged:
            merged._hotel_anonymise(self.env._("Merged into a guest whose data was erased."))
        return res

    def _hotel_erase_kept_import_files(self, needles):
        """Files kept for a background import (a dry run waiting for its apply, an import
        running) are copies of the guests' data: one holding an erased guest's e-mail,
        phone or name is deleted with its staged rows (the import stops and asks for the
        file again; its log keeps the counts). A spreadsheet cannot be searched as bytes:
        every kept XLSX file goes; a gzip-compressed CSV is searched unpacked."""
        if not needles:
            return
        texts = [n.strip('"') for n in needles if n.strip('"')]
        encoded = {t.encode(codec) for t in texts for codec in ("utf-8", "gb18030")}
        # sudo: erasure reaches the files kept by every property's imports
        logs = self.env["hotel.import.log"].sudo().search([("file_id", "!=", False)])
        hit = logs.filtered(lambda log: self._hotel_kept_file_holds(log.file_id, encoded))
        if not hit:
            return
        files = hit.file_id
        with trusted(IMPORT_LOG):
            hit.write({"file_id": False})
        files.unlink()
        # sudo: the staged copy of those files (administrators' working rows)
        self.env["hotel.import.stage"].sudo()._forget(hit.ids)

    @api.model
    def _hotel_kept_file_holds(self, attachment, encoded):
        """Whether a kept import file may hold one of the ``encoded`` identifiers: a CSV
        file searched as bytes (a gzip-compressed one unpacked by chunks); a spreadsheet, or
        a file that cannot be read, is taken to hold them."""
        if (attachment.name or "").lower().endswith(".xlsx"):
            return True
        try:
            return reader.contains_any(attachment.raw or b"", encoded)
        except CleaningError:
            return True

    def _hotel_survivor(self):
        """The guest this profile was merged into (following merge chains), or itself."""
        partner = self
        seen = set()
        while partner.hotel_merged_into_id and partner.id not in seen:
            seen.add(partner.id)
            partner = partner.hotel_merged_into_id
        return partner

    def action_hotel_flag_duplicate(self):
        """Front desk: propose this guest and another one as the same person."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Flag a Possible Duplicate"),
            "res_model": "hotel.duplicate.candidate",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_a_id": self.id, "default_origin": "front_desk"},
        }

    def action_hotel_view_duplicates(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "hotel_import.hotel_duplicate_candidate_action"
        )
        action["domain"] = ["|", ("partner_a_id", "=", self.id), ("partner_b_id", "=", self.id)]
        action["context"] = {}
        return action
