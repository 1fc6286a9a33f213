from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .hotel_duplicate_candidate import DEFAULT_AUTO_THRESHOLD, DEFAULT_REVIEW_THRESHOLD
from .hotel_import_log import DEFAULT_REJECTS_DAYS
from .hotel_merge_journal import DEFAULT_UNMERGE_DAYS


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    hotel_review_threshold = fields.Float(
        string="Review Threshold",
        config_parameter="hotel_import.review_threshold",
        default=DEFAULT_REVIEW_THRESHOLD,
        help="Pairs of guests scoring at least this (0–1) are put in the duplicate queue.",
    )
    hotel_auto_merge_threshold = fields.Float(
        string="Automatic Merge Threshold",
        config_parameter="hotel_import.auto_merge_threshold",
        default=DEFAULT_AUTO_THRESHOLD,
        help="Pairs scoring at least this (0–1) are merged by the nightly job; set it to 1 "
        "to merge only after review.",
    )
    hotel_unmerge_days = fields.Integer(
        string="Unmerge Period (days)",
        config_parameter="hotel_import.unmerge_days",
        default=DEFAULT_UNMERGE_DAYS,
        help="How long after a merge it can still be undone.",
    )

    hotel_rejects_days = fields.Integer(
        string="Keep Rejected Rows (days)",
        config_parameter="hotel_import.rejects_days",
        default=DEFAULT_REJECTS_DAYS,
        help="Rejected import rows hold personal data as the file had it; after this many "
        "days they are deleted (the import log keeps its counts).",
    )

    @api.constrains("hotel_review_threshold", "hotel_auto_merge_threshold", "hotel_unmerge_days",
                    "hotel_rejects_days")
    def _check_hotel_duplicate_settings(self):
        for settings in self:
            review, auto = settings.hotel_review_threshold, settings.hotel_auto_merge_threshold
            if not (0 < review <= 1 and 0 < auto <= 1):
                raise ValidationError(self.env._(
                    "Duplicate thresholds are scores between 0 and 1 (review %(review)s, "
                    "automatic merge %(auto)s).", review=review, auto=auto))
            if review > auto:
                raise ValidationError(self.env._(
                    "The review threshold (%(review)s) cannot be above the automatic merge "
                    "threshold (%(auto)s): pairs between the two are the ones reviewed.",
                    review=review, auto=auto))
            if settings.hotel_unmerge_days < 0 or settings.hotel_rejects_days < 0:
                raise ValidationError(self.env._("A number of days cannot be negative."))
