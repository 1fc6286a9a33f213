from odoo import fields, models

TARGET_FIELDS = [
    ("guest_name", "Guest Name"),
    ("first_name", "First Name"),
    ("last_name", "Last Name"),
    ("email", "E-mail"),
    ("phone", "Phone"),
    ("birthday", "Birthday"),
    ("nationality", "Nationality"),
    ("id_number", "ID Document Number"),
    ("booking_ref", "Booking Reference"),
    ("property", "Property"),
    ("channel", "Channel"),
    ("booked_on", "Booking Date"),
    ("check_in", "Check-in"),
    ("check_out", "Check-out"),
    ("room_type", "Room Type"),
    ("state", "Status"),
    ("amount_room", "Room Revenue"),
    ("amount_fb", "F&B Revenue"),
    ("amount_other", "Other Revenue"),
    ("adults", "Adults"),
    ("children", "Children"),
]


class HotelImportPreset(models.Model):
    _name = "hotel.import.preset"
    _description = "Guest Import Preset"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Technical code, e.g. ctrip.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    channel_id = fields.Many2one(
        "hotel.booking.channel",
        string="Default Channel",
        help="Channel of the stays when the file has no channel column (an OTA's own export).",
    )
    date_order = fields.Selection(
        [("dmy", "Day/Month/Year"), ("mdy", "Month/Day/Year")],
        string="Ambiguous Dates",
        default="dmy",
        required=True,
        help="How to read dates such as 03/05/2026; year-first and Chinese dates "
        "(2026年5月3日) are always understood.",
    )
    column_ids = fields.One2many("hotel.import.preset.column", "preset_id", string="Columns")
    note = fields.Text()

    _sql_constraints = [
        ("code_unique", "unique(code)", "An import preset with this code already exists."),
    ]

    def _mapping(self, header):
        """{target field: column index} for a file header, by this preset's column names
        (case- and space-insensitive); unmapped headers that are target names map too."""
        normal = {h.strip().lower(): i for i, h in enumerate(header)}
        mapping = {}
        for column in self.column_ids:
            index = normal.get((column.header or "").strip().lower())
            if index is not None and column.field not in mapping:
                mapping[column.field] = index
        for field, __ in TARGET_FIELDS:
            if field not in mapping and field in normal:
                mapping[field] = normal[field]
        return mapping
