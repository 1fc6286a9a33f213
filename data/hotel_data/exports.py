"""Sample PMS and OTA export files, and planted duplicate guests (stdlib only).

Built on :mod:`hotel_data.generator` without changing any of its outputs:

* :data:`EXPORT_LAYOUTS` — the column layouts of the exports hotels download from
  Ctrip/Trip.com eBooking, Meituan, Fliggy, Booking.com extranet, Expedia Partner Central
  and a generic PMS guest-and-stay export (headers, date format, encoding, delimiter);
  the ``hotel_import`` addon ships one import preset per layout.
* :func:`write_sample_exports` writes one sample file per layout from a dataset.
* :func:`iter_planted_duplicates` derives, deterministically, a second profile for a share
  of the guests with the variations real duplicates show (OTA relay e-mail instead of the
  real one, the phone written another way, the Chinese name in pinyin, a typo), each
  labelled with the guest it duplicates — the ground truth for precision and recall.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from . import generator as g

ROOM_NAMES_CN = {
    "std_king": "标准大床房", "std_twin": "标准双床房", "deluxe": "豪华房", "exec": "行政房",
    "suite": "套房", "family": "家庭房",
}
ROOM_NAMES_EN = {
    "std_king": "Standard King", "std_twin": "Standard Twin", "deluxe": "Deluxe Room",
    "exec": "Executive Room", "suite": "Suite", "family": "Family Room",
}
STATE_WORDS = {
    "ctrip": {"booked": "已确认", "in_house": "已入住", "checked_out": "已离店",
              "cancelled": "已取消", "no_show": "未入住"},
    "meituan": {"booked": "待入住", "in_house": "已入住", "checked_out": "已完成",
                "cancelled": "已取消", "no_show": "未到店"},
    "fliggy": {"booked": "已预订", "in_house": "已入住", "checked_out": "交易成功",
               "cancelled": "交易关闭", "no_show": "未入住"},
    "booking": {"booked": "ok", "in_house": "ok", "checked_out": "ok",
                "cancelled": "cancelled_by_guest", "no_show": "no_show"},
    "expedia": {"booked": "Booked", "in_house": "In House", "checked_out": "Stayed",
                "cancelled": "Cancelled", "no_show": "No Show"},
    "pms": {"booked": "Reserved", "in_house": "Checked In", "checked_out": "Checked Out",
            "cancelled": "Cancelled", "no_show": "No Show"},
}

# layout code: name, channel (None: a column), encoding, delimiter, file type, date order,
# columns [(header, import field, value kind)]
EXPORT_LAYOUTS = {
    "pms": {
        "name": "Generic PMS export (guests and stays)",
        "channel": None, "encoding": "utf-8", "delimiter": ",", "file": "csv",
        "date_order": "dmy", "date_format": "%Y-%m-%d",
        "columns": [
            ("Confirmation No", "booking_ref", "booking_ref"),
            ("Property", "property", "property_en"),
            ("Channel", "channel", "channel_code"),
            ("Guest Name", "guest_name", "name"),
            ("Email", "email", "email"),
            ("Mobile", "phone", "phone_e164"),
            ("Birthday", "birthday", "birthday"),
            ("Nationality", "nationality", "nationality"),
            ("Arrival", "check_in", "check_in"),
            ("Departure", "check_out", "check_out"),
            ("Booked On", "booked_on", "booked_on"),
            ("Room Type", "room_type", "room_code"),
            ("Status", "state", "state"),
            ("Room Revenue", "amount_room", "amount_room"),
            ("F&B Revenue", "amount_fb", "amount_fb"),
            ("Other Revenue", "amount_other", "amount_other"),
            ("Adults", "adults", "adults"),
            ("Children", "children", "children"),
        ],
    },
    "ctrip": {
        "name": "Ctrip / Trip.com eBooking order export",
        "channel": "ctrip", "encoding": "gb18030", "delimiter": ",", "file": "csv",
        "date_order": "dmy", "date_format": "%Y-%m-%d",
        "columns": [
            ("订单号", "booking_ref", "booking_ref"),
            ("酒店名称", "property", "property_cn"),
            ("入住人", "guest_name", "name"),
            ("联系电话", "phone", "phone_spaced"),
            ("邮箱", "email", "email"),
            ("房型", "room_type", "room_cn"),
            ("入住日期", "check_in", "check_in"),
            ("离店日期", "check_out", "check_out"),
            ("间夜数", None, "nights"),
            ("订单金额", "amount_room", "amount_total"),
            ("订单状态", "state", "state"),
            ("预订时间", "booked_on", "booked_on_time"),
        ],
    },
    "meituan": {
        "name": "Meituan hotel order export",
        "channel": "meituan", "encoding": None, "delimiter": None, "file": "xlsx",
        "date_order": "dmy", "date_format": "%Y/%m/%d",
        "columns": [
            ("订单号", "booking_ref", "booking_ref"),
            ("门店名称", "property", "property_cn"),
            ("入住人", "guest_name", "name"),
            ("手机号", "phone", "phone_national"),
            ("房型", "room_type", "room_cn"),
            ("入住时间", "check_in", "check_in"),
            ("离店时间", "check_out", "check_out"),
            ("订单状态", "state", "state"),
            ("支付金额", "amount_room", "amount_total"),
            ("下单时间", "booked_on", "booked_on"),
        ],
    },
    "fliggy": {
        "name": "Fliggy (Alibaba) hotel order export",
        "channel": "fliggy", "encoding": "utf-8-sig", "delimiter": ",", "file": "csv",
        "date_order": "dmy", "date_format": "%Y年%m月%d日",
        "columns": [
            ("订单编号", "booking_ref", "booking_ref"),
            ("酒店名称", "property", "property_cn"),
            ("入住人姓名", "guest_name", "name"),
            ("联系手机", "phone", "phone_dashed"),
            ("房型名称", "room_type", "room_cn"),
            ("入住日期", "check_in", "check_in"),
            ("退房日期", "check_out", "check_out"),
            ("订单状态", "state", "state"),
            ("实付金额", "amount_room", "amount_total"),
            ("创建时间", "booked_on", "booked_on"),
        ],
    },
    "booking": {
        "name": "Booking.com extranet reservations export",
        "channel": "booking", "encoding": "utf-8", "delimiter": ",", "file": "csv",
        "date_order": "dmy", "date_format": "%Y-%m-%d",
        "columns": [
            ("Book number", "booking_ref", "booking_ref"),
            ("Property name", "property", "property_en"),
            ("Booked on", "booked_on", "booked_on_time"),
            ("Guest name(s)", "guest_name", "name_upper"),
            ("Check-in", "check_in", "check_in"),
            ("Check-out", "check_out", "check_out"),
            ("Status", "state", "state"),
            ("Unit type", "room_type", "room_en"),
            ("Adults", "adults", "adults"),
            ("Children", "children", "children"),
            ("Price", "amount_room", "amount_total_currency"),
            ("Booker country", "nationality", "nationality_lower"),
            ("Email", "email", "email"),
            ("Phone number", "phone", "phone_e164"),
        ],
    },
    "expedia": {
        "name": "Expedia Partner Central reservations export",
        "channel": "expedia", "encoding": "utf-8", "delimiter": ",", "file": "csv",
        "date_order": "mdy", "date_format": "%m/%d/%Y",
        "columns": [
            ("Reservation ID", "booking_ref", "booking_ref"),
            ("Hotel Name", "property", "property_en"),
            ("Guest", "guest_name", "name"),
            ("Email", "email", "email"),
            ("Phone", "phone", "phone_e164"),
            ("Check-In", "check_in", "check_in"),
            ("Check-Out", "check_out", "check_out"),
            ("Room", "room_type", "room_en"),
            ("Booked On", "booked_on", "booked_on"),
            ("Status", "state", "state"),
            ("Booking Amount", "amount_room", "amount_total"),
        ],
    },
}


def format_phone(e164, style):
    """The same number the way different systems print it."""
    if not e164:
        return ""
    if e164.startswith("+86") and len(e164) == 14:
        national = e164[3:]
        if style == "spaced":
            return f"{national[:3]} {national[3:7]} {national[7:]}"
        if style == "dashed":
            return f"{national[:3]}-{national[3:7]}-{national[7:]}"
        if style == "national":
            return national
        if style == "intl00":
            return "0086 " + national
    if style in ("spaced", "dashed", "national", "intl00"):
        return "00" + e164[1:] if style == "intl00" else e164
    return e164


def _value(kind, guest, stay, layout_code, date_format):
    prop = g.PROPERTIES[stay["property_key"]] if stay else None
    if kind == "name":
        return guest["name"]
    if kind == "name_upper":
        return guest["name"].upper()
    if kind == "email":
        return guest["email"]
    if kind == "phone_e164":
        return guest["phone"]
    if kind.startswith("phone_"):
        return format_phone(guest["phone"], kind[6:])
    if kind == "birthday":
        return guest["birthday"].strftime(date_format) if guest["birthday"] else ""
    if kind == "nationality":
        return guest["nationality"]
    if kind == "nationality_lower":
        return guest["nationality"].lower()
    if kind == "booking_ref":
        return stay["booking_ref"]
    if kind == "property_cn":
        return prop["name"]
    if kind == "property_en":
        return prop["name_en"]
    if kind == "channel_code":
        return stay["channel_code"]
    if kind in ("check_in", "check_out", "booked_on"):
        return stay[kind].strftime(date_format)
    if kind == "booked_on_time":
        return stay["booked_on"].strftime(date_format) + " 14:%02d" % (len(stay["key"]) * 3)
    if kind == "nights":
        return str((stay["check_out"] - stay["check_in"]).days)
    if kind == "room_code":
        return stay["room_type_code"]
    if kind == "room_cn":
        return ROOM_NAMES_CN[stay["room_type_code"]]
    if kind == "room_en":
        return ROOM_NAMES_EN[stay["room_type_code"]]
    if kind == "state":
        return STATE_WORDS[layout_code][stay["state"]]
    if kind in ("amount_room", "amount_fb", "amount_other"):
        return "%.2f" % stay[kind]
    if kind == "amount_total":
        return "%.2f" % (stay["amount_room"] + stay["amount_fb"] + stay["amount_other"])
    if kind == "amount_total_currency":
        total = stay["amount_room"] + stay["amount_fb"] + stay["amount_other"]
        return "{:,.2f} {}".format(total, stay["currency"])
    if kind in ("adults", "children"):
        return str(stay[kind])
    raise KeyError(kind)


def export_rows(layout_code, guests, stays, limit=None):
    """Header and rows of a layout for the stays of its channel (all stays for the PMS)."""
    layout = EXPORT_LAYOUTS[layout_code]
    by_key = {guest["key"]: guest for guest in guests}
    header = [c[0] for c in layout["columns"]]
    rows = []
    for stay in stays:
        if layout["channel"] and stay["channel_code"] != layout["channel"]:
            continue
        guest = by_key.get(stay["guest_key"])
        if guest is None:
            continue
        rows.append([_value(kind, guest, stay, layout_code, layout["date_format"])
                     for __, __, kind in layout["columns"]])
        if limit and len(rows) >= limit:
            break
    return header, rows


def _xlsx_bytes(header, rows):
    """A minimal XLSX workbook (inline strings), written with the standard library."""
    def col(n):
        name = ""
        n += 1
        while n:
            n, r = divmod(n - 1, 26)
            name = chr(65 + r) + name
        return name

    sheet_rows = []
    for r, values in enumerate([header, *rows], start=1):
        cells = "".join(
            f'<c r="{col(c)}{r}" t="inlineStr"><is><t>{escape(str(v))}</t></is></c>'
            for c, v in enumerate(values)
        )
        sheet_rows.append(f'<row r="{r}">{cells}</row>')
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
            'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.worksheet+xml"/></Types>'),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Orders" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'),
        "xl/worksheets/sheet1.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            "<sheetData>" + "".join(sheet_rows) + "</sheetData></worksheet>"),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, content.encode("utf-8"))
    return buf.getvalue()


def export_bytes(layout_code, header, rows):
    layout = EXPORT_LAYOUTS[layout_code]
    if layout["file"] == "xlsx":
        return _xlsx_bytes(header, rows)
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=layout["delimiter"], lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode(layout["encoding"])


def export_filename(layout_code):
    return f"{layout_code}_export.{EXPORT_LAYOUTS[layout_code]['file']}"


def write_sample_exports(directory, size="test", seed=42, limit=40):
    """One sample file per layout (``<code>_export.csv|xlsx``); returns the paths."""
    dataset = g.generate(size, seed)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for code in EXPORT_LAYOUTS:
        header, rows = export_rows(code, dataset.guests, dataset.stays, limit)
        path = directory / export_filename(code)
        path.write_bytes(export_bytes(code, header, rows))
        paths.append(path)
    return paths


# ---------------------------------------------------------------------------
# Planted duplicates
# ---------------------------------------------------------------------------
VARIATIONS = ("relay_email", "phone_format", "pinyin", "typo")
DUPLICATE_SHARE = 0.05


def _pinyin_name(seed, index, rng):
    """The pinyin spelling of a generated Chinese name, in one of the orders OTAs use."""
    name_rng = g._rng(seed, "guest", index)
    __, s_py, given_py = g._chinese_name(name_rng)
    surname, given = s_py.capitalize(), "".join(given_py).capitalize()
    return rng.choice((f"{given} {surname}", f"{surname} {given}", f"{surname.upper()} {given}"))


def _typo(text, rng):
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    if len(letters) < 4:
        return text
    i = rng.choice(letters[1:-1])
    chars = list(text)
    chars[i], chars[i + 1] = chars[i + 1], chars[i]
    return "".join(chars)


def iter_planted_duplicates(n_guests, seed=42, share=DUPLICATE_SHARE):
    """Yield a duplicate profile for about ``share`` of the first ``n_guests`` guests, as a
    guest dict with ``key`` D…, ``duplicate_of`` (the original's key) and ``variation``.

    Only guests with a phone are duplicated (a profile with neither a shared phone, e-mail,
    document nor birthday cannot be told apart from a namesake, by people either)."""
    for index in range(n_guests):
        rng = g._rng(seed, "duplicate", index)
        if rng.random() >= share:
            continue
        original = g.make_guest(index, seed)
        if not original["phone"]:
            continue
        chinese = any("\u4e00" <= c <= "\u9fff" for c in original["name"])
        variation = rng.choice(VARIATIONS if chinese else
                               ("relay_email", "phone_format", "typo"))
        dup = dict(original, key="D%06d" % (index + 1), duplicate_of=original["key"],
                   variation=variation, preferences=[], is_vip=False)
        if variation == "relay_email":
            channel = rng.choice(g.OTA_CHANNELS)
            slug = g._slug(original["name"]) or "guest"
            dup["email"] = g._relay_email(rng, channel, slug[:1], slug[1:8] or "x")
            dup["birthday"] = None
        elif variation == "phone_format":
            dup["phone"] = format_phone(original["phone"], rng.choice(
                ("spaced", "dashed", "national", "intl00")))
            dup["email"] = ""
        elif variation == "pinyin":
            dup["name"] = _pinyin_name(seed, index, rng)
            dup["email"] = ""
            dup["phone"] = format_phone(original["phone"], "spaced")
        else:  # typo in the name, e-mail kept or missing
            dup["name"] = _typo(original["name"], rng)
            if rng.random() < 0.5:
                dup["email"] = ""
        yield dup
