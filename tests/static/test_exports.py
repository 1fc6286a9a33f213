"""Tests of the sample PMS/OTA exports and planted duplicates (plain pytest, no Odoo)."""

import csv
import io
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "data"))

from hotel_data import exports, generator  # noqa: E402

PRESETS_XML = REPO / "hotel_import" / "data" / "hotel_import_preset_data.xml"


def test_presets_ship_the_export_layouts():
    root = ET.parse(PRESETS_XML).getroot()
    columns = {}
    for record in root.iter("record"):
        if record.get("model") != "hotel.import.preset.column":
            continue
        fields = {f.get("name"): f for f in record.iter("field")}
        preset = fields["preset_id"].get("ref").removeprefix("preset_")
        columns.setdefault(preset, []).append((fields["header"].text, fields["field"].text))
    assert set(columns) == set(exports.EXPORT_LAYOUTS)
    for code, layout in exports.EXPORT_LAYOUTS.items():
        expected = [(h, f) for h, f, __ in layout["columns"] if f]
        assert columns[code] == expected, code


def test_sample_files_are_the_generators_output():
    with tempfile.TemporaryDirectory() as tmp:
        for path in exports.write_sample_exports(tmp):
            shipped = REPO / "data" / "exports" / path.name
            assert shipped.read_bytes() == path.read_bytes(), path.name


def test_ctrip_sample_is_gb18030_with_the_ctrip_headers():
    data = (REPO / "data" / "exports" / "ctrip_export.csv").read_bytes()
    rows = list(csv.reader(io.StringIO(data.decode("gb18030"))))
    assert rows[0][:3] == ["订单号", "酒店名称", "入住人"]
    assert len(rows) > 10
    assert all(r[0].startswith("CT") for r in rows[1:])


def test_planted_duplicates_are_deterministic_and_point_at_real_guests():
    first = list(exports.iter_planted_duplicates(400))
    assert first == list(exports.iter_planted_duplicates(400))
    assert 8 <= len(first) <= 40
    keys = {g["key"] for g in generator.iter_guests(400)}
    assert all(d["duplicate_of"] in keys for d in first)
    assert {d["variation"] for d in first} >= {"relay_email", "phone_format", "typo"}
    relay = [d for d in first if d["variation"] == "relay_email"]
    assert all(d["email"].rpartition("@")[2] in generator.OTA_RELAY_DOMAINS for d in relay)


def test_phone_formats():
    assert exports.format_phone("+8613800138000", "spaced") == "138 0013 8000"
    assert exports.format_phone("+8613800138000", "dashed") == "138-0013-8000"
    assert exports.format_phone("+8613800138000", "intl00") == "0086 13800138000"
    assert exports.format_phone("+447400123456", "spaced") == "+447400123456"
