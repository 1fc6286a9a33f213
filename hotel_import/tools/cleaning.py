"""Cleaning of imported guest values (pure Python, no Odoo): names, phones, e-mails, dates.

Every ``clean_*`` function returns the cleaned value, or raises :class:`CleaningError` whose
``code`` names the problem; the import wizard turns the code into a translated message.
"""

import datetime
import functools
import re
import unicodedata

import phonenumbers

try:  # optional: transliteration of Chinese names for the duplicate keys
    from pypinyin import lazy_pinyin
except ImportError:  # pragma: no cover - the key then only matches names written alike
    lazy_pinyin = None


class CleaningError(ValueError):
    def __init__(self, code, value=""):
        super().__init__(code)
        self.code = code
        self.value = value


CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
EMAIL_RE = re.compile(r"^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
                      r"(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")
SPACES_RE = re.compile(r"\s+")
COMPOUND_SURNAMES = frozenset({
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "令狐", "夏侯", "轩辕", "端木", "独孤", "南宫", "西门",
})


PLAIN_AMOUNT_RE = re.compile(r"\d+(?:\.\d*)?")

def half_width(text):
    """Full-width letters, digits and punctuation to their ASCII forms (NFKC), ideographic
    space to a space; Chinese characters are unchanged."""
    if not text:
        return ""
    if text.isascii():
        return text  # NFKC leaves ASCII as it is (most cells of an export)
    return unicodedata.normalize("NFKC", text).replace("\u3000", " ")


def is_chinese(text):
    return bool(CJK_RE.search(text or ""))


def clean_name(value):
    name = SPACES_RE.sub(" ", half_width(value)).strip()
    if not name:
        raise CleaningError("name_missing")
    if is_chinese(name):
        # Chinese names are kept as written, without the spaces some systems insert.
        if all(is_chinese(part) for part in name.split(" ")):
            name = name.replace(" ", "")
        return name
    if name.isupper() or name.islower():
        # "WANG WEI" / "john o'neil" → "Wang Wei" / "John O'Neil"; mixed case is left alone
        name = " ".join(
            "-".join(p[:1].upper() + p[1:].lower() for p in word.split("-"))
            for word in name.split(" ")
        )
        name = re.sub(r"'(\w)", lambda m: "'" + m.group(1).upper(), name)
    return name


@functools.lru_cache(maxsize=65536)
def name_key(name):
    """Transliterated, order-free key of a person's name: 王伟明, "Wang Weiming",
    "WEIMING WANG" and "wang wei ming"… → "wang weiming" for the first three."""
    name = half_width(name or "").strip().lower()
    if not name:
        return ""
    if is_chinese(name):
        hanzi = "".join(CJK_RE.findall(name))
        if lazy_pinyin is None:
            return hanzi
        split = 2 if hanzi[:2] in COMPOUND_SURNAMES and len(hanzi) > 2 else 1
        surname = "".join(lazy_pinyin(hanzi[:split]))
        given = "".join(lazy_pinyin(hanzi[split:]))
        tokens = [t for t in (surname, given) if t]
    else:
        letters = unicodedata.normalize("NFKD", name)
        letters = "".join(c for c in letters if not unicodedata.combining(c))
        tokens = [t for t in re.split(r"[^a-z]+", letters) if t]
    return " ".join(sorted(tokens))


def clean_email(value):
    email = half_width(value).strip().lower()
    if not email:
        return ""
    email = email.removeprefix("mailto:")
    if not EMAIL_RE.match(email) or ".." in email:
        raise CleaningError("email_invalid", value)
    return email


def email_domain(email):
    return (email or "").rpartition("@")[2].lower()


def is_relay_email(email, relay_domains):
    """Whether the address is at one of ``relay_domains`` (a set) or a subdomain of one."""
    labels = email_domain(email).split(".")
    return any(".".join(labels[i:]) in relay_domains for i in range(len(labels)) if labels[i])


@functools.lru_cache(maxsize=65536)
def clean_phone(value, country_code="CN", fallback="CN"):
    """E.164 of a phone written as "+86 138 0013 8000", "138-0013-8000", "0086 13800138000",
    "(010) 6588 1234" … with the property's country as default, then ``fallback`` (the
    hotel group's home country) for a national number that is not valid there."""
    return check_phone(value, country_code, fallback)[0]


def check_phone(value, country_code="CN", fallback="CN"):
    """(E.164, valid) of :func:`clean_phone`: ``valid`` says whether the number is valid in
    its country's numbering plan (an international number is accepted when it only has a
    possible length; Odoo's sanitized phone is then empty)."""
    raw = half_width(value).strip()
    if not raw:
        return "", False
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    for country in dict.fromkeys(filter(None, ((country_code or "").upper(), fallback))):
        try:
            number = phonenumbers.parse(raw, country)
        except phonenumbers.NumberParseException:
            continue
        # A national number must be valid in the country; an international one (+…) only
        # needs a possible length: number plans change faster than phone metadata does.
        valid = phonenumbers.is_valid_number(number)
        if valid or (
            raw.startswith("+") and phonenumbers.is_possible_number_with_reason(number)
            == phonenumbers.ValidationResult.IS_POSSIBLE
        ):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), valid
    raise CleaningError("phone_invalid", value)


DATE_FORMATS_YMD = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d")
DATE_FORMATS_DMY = ("%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%d %b %Y", "%d %B %Y", "%b %d, %Y")
DATE_FORMATS_MDY = ("%m/%d/%Y", "%m-%d-%Y", "%b %d, %Y", "%B %d, %Y")
CN_DATE_RE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$")


@functools.lru_cache(maxsize=65536)
def clean_date(value, order="dmy"):
    """A date from a datetime/date (XLSX) or text in the usual Chinese and international
    formats. ``order`` says how to read ambiguous slashed dates: "dmy" or "mdy"."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = half_width(str(value)).strip()
    if not text:
        return None
    text = text.split("T")[0].split(" ")[0] if re.match(r"^\d{4}-\d{2}-\d{2}[T ]", text) else text
    match = CN_DATE_RE.match(text)
    if match:
        try:
            return datetime.date(*map(int, match.groups()))
        except ValueError as exc:
            raise CleaningError("date_invalid", value) from exc
    formats = DATE_FORMATS_YMD + (DATE_FORMATS_MDY if order == "mdy" else DATE_FORMATS_DMY)
    for fmt in formats:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CleaningError("date_invalid", value)


@functools.lru_cache(maxsize=65536, typed=True)  # room rates recur in a file
def clean_amount(value):
    if value in (None, ""):
        return 0.0
    if isinstance(value, str) and PLAIN_AMOUNT_RE.fullmatch(value):
        return round(float(value), 2)  # a plain decimal number, as most exports write it
    if isinstance(value, (int, float)):
        amount = float(value)
    else:
        text = half_width(str(value)).strip()
        text = re.sub(r"^(CNY|RMB|USD|EUR|¥|\$)\s*", "", text, flags=re.I)
        text = re.sub(r"\s*(CNY|RMB|USD|EUR|元)$", "", text, flags=re.I)
        text = text.replace(",", "").replace(" ", "")
        if text.startswith("(") and text.endswith(")"):
            text = "-" + text[1:-1]
        try:
            amount = float(text)
        except ValueError as exc:
            raise CleaningError("amount_invalid", value) from exc
    if amount < 0:
        raise CleaningError("amount_negative", value)
    return round(amount, 2)


@functools.lru_cache(maxsize=65536, typed=True)  # the same cells recur in a file
def clean_int(value, default=0):
    if value in (None, ""):
        return default
    try:
        return int(float(half_width(str(value)).strip()))
    except ValueError as exc:
        raise CleaningError("number_invalid", value) from exc


# Booking status words of PMS and OTA exports → hotel.stay state.
STATE_WORDS = {
    "booked": "booked", "confirmed": "booked", "ok": "booked", "reserved": "booked",
    "已确认": "booked", "已预订": "booked", "待入住": "booked", "预订成功": "booked",
    "in_house": "in_house", "in house": "in_house", "checked in": "in_house",
    "已入住": "in_house", "入住中": "in_house",
    "checked_out": "checked_out", "checked out": "checked_out", "departed": "checked_out",
    "stayed": "checked_out", "completed": "checked_out", "已离店": "checked_out",
    "已完成": "checked_out", "交易成功": "checked_out", "已成交": "checked_out",
    "cancelled": "cancelled", "canceled": "cancelled", "cancelled_by_guest": "cancelled",
    "cancelled by guest": "cancelled", "已取消": "cancelled", "取消": "cancelled",
    "交易关闭": "cancelled",
    "no_show": "no_show", "no show": "no_show", "no-show": "no_show", "noshow": "no_show",
    "未入住": "no_show", "未到店": "no_show",
}


@functools.lru_cache(maxsize=65536, typed=True)  # the same cells recur in a file
def clean_state(value, default="checked_out"):
    text = half_width(str(value or "")).strip().lower()
    if not text:
        return default
    state = STATE_WORDS.get(text)
    if not state:
        raise CleaningError("state_unknown", value)
    return state


def xlsx_text(value):
    """Any cell value as text for the rejects file (written with strings_to_formulas off)."""
    if value.__class__ is str:
        return value
    if value is None:
        return ""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value)
