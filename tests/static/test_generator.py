"""Tests of the deterministic sample-data generator (plain pytest, no Odoo)."""

import collections
import datetime
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "data"))

import hotel_data  # noqa: E402
from hotel_data import generator  # noqa: E402

DEMO_XML = REPO / "hotel_crm" / "demo" / "hotel_crm_guest_demo.xml"

REF_CHANNELS = {
    "ctrip", "meituan", "fliggy", "booking", "expedia", "website", "app", "phone", "walk_in",
    "corporate", "group",
}
REF_OTAS = {"ctrip", "meituan", "fliggy", "booking", "expedia"}
REF_ROOM_TYPES = {"std_king", "std_twin", "deluxe", "exec", "suite", "family"}
REF_RATE_PLANS = {"bar", "adv", "bb", "corp", "pkg", "member"}
REF_PREF_CATS = {
    "room_type", "floor", "bed", "pillow", "smoking", "dietary", "allergy", "amenity", "other",
}
REF_GUEST_TYPES = {"business", "leisure", "family", "group"}
REF_BOOKING_TYPES = {"individual", "corporate", "group", "package"}
REF_STATES = {"booked", "in_house", "checked_out", "cancelled", "no_show"}
REF_PROPERTIES = {"beijing", "hangzhou", "shanghai"}

E164 = re.compile(r"^\+[1-9]\d{7,14}$")
EMAIL = re.compile(r"^[a-z0-9._-]+@[a-z0-9-]+(\.[a-z0-9-]+)+$")
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def test_data():
    return hotel_data.generate("test")


@pytest.fixture(scope="module")
def demo_data():
    return hotel_data.generate("demo")


def _is_relay(email):
    return email.rpartition("@")[2] in hotel_data.OTA_RELAY_DOMAINS


# ---------------------------------------------------------------------------
# Determinism
# ---------------------------------------------------------------------------
def test_sizes():
    assert hotel_data.SIZES["bench"] == (100_000, 1_000_000)
    assert hotel_data.ANCHOR == datetime.date(2026, 6, 30)
    data = hotel_data.generate("test")
    assert (len(data.guests), len(data.stays)) == hotel_data.SIZES["test"]


def test_same_seed_same_output(test_data, tmp_path):
    again = hotel_data.generate("test", seed=42)
    assert again.guests == test_data.guests
    assert again.stays == test_data.stays
    a, b = tmp_path / "a.xml", tmp_path / "b.xml"
    hotel_data.write_demo_xml(test_data, a)
    hotel_data.write_demo_xml(again, b)
    assert a.read_bytes() == b.read_bytes()
    hotel_data.write_csv(test_data, tmp_path / "csv_a")
    hotel_data.write_csv(again, tmp_path / "csv_b")
    for name in ("guests.csv", "stays.csv"):
        assert (tmp_path / "csv_a" / name).read_bytes() == (tmp_path / "csv_b" / name).read_bytes()


def test_different_seed_different_output(test_data):
    other = hotel_data.generate("test", seed=7)
    assert other.guests != test_data.guests
    assert other.stays != test_data.stays


def test_guest_independent_of_previous_guests():
    guests = list(hotel_data.iter_guests(30, seed=5))
    assert hotel_data.make_guest(17, seed=5) == guests[17]


def test_stays_of_a_guest_depend_only_on_seed_and_index():
    """Guest i's stays come from its own stream: no need to generate other guests first."""
    counts = hotel_data.stay_counts(20, 150, seed=3)
    assert sum(counts) == 150
    stays = list(hotel_data.iter_stays(20, 150, seed=3))
    cal = generator._calendar(hotel_data.ANCHOR)
    i = max(range(20), key=counts.__getitem__)
    alone = generator._guest_stays(3, i, counts[i], generator._profile(3, i), cal)
    strip = ("key", "booking_ref")
    mine = [{k: v for k, v in s.items() if k not in strip}
            for s in stays if s["guest_key"] == hotel_data.generator.guest_key(i)]
    assert mine == [{k: v for k, v in s.items() if k not in strip} for s in alone]


def test_streams_match_generate(test_data):
    n_guests, n_stays = hotel_data.SIZES["test"]
    assert list(hotel_data.iter_guests(n_guests)) == test_data.guests
    assert list(hotel_data.iter_stays(n_guests, n_stays)) == test_data.stays


# ---------------------------------------------------------------------------
# Stays
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("size", ["test", "demo"])
def test_stay_invariants(size, test_data, demo_data):
    data = test_data if size == "test" else demo_data
    guest_keys = {g["key"] for g in data.guests}
    anchor = hotel_data.ANCHOR
    keys = set()
    refs = set()
    for s in data.stays:
        assert s["key"] not in keys
        keys.add(s["key"])
        assert re.fullmatch(r"S\d{7}", s["key"])
        assert s["guest_key"] in guest_keys
        assert s["check_out"] > s["check_in"], s
        assert s["booked_on"] <= s["check_in"], s
        assert s["booked_on"] <= anchor, s
        assert (s["check_out"] - s["check_in"]).days <= 14
        ref = (s["property_key"], s["channel_code"], s["booking_ref"])
        assert ref not in refs, ref
        refs.add(ref)
        assert s["booking_ref"] and s["booking_ref"] == s["booking_ref"].strip()
        for f in ("amount_room", "amount_fb", "amount_other"):
            assert s[f] >= 0, s
            assert round(s[f], 2) == s[f]
        assert s["currency"] == "CNY"
        assert s["property_key"] in REF_PROPERTIES
        assert s["channel_code"] in REF_CHANNELS
        assert s["room_type_code"] in REF_ROOM_TYPES
        assert s["rate_plan_code"] in REF_RATE_PLANS
        assert s["booking_type"] in REF_BOOKING_TYPES
        assert s["state"] in REF_STATES
        assert 1 <= s["adults"] <= 4
        assert 0 <= s["children"] <= 3
        if s["state"] == "checked_out":
            assert s["check_out"] <= anchor, s
        if s["state"] in ("in_house", "no_show"):
            assert s["check_in"] <= anchor, s
        if s["state"] == "in_house":
            assert s["check_out"] > anchor, s
        if s["state"] == "booked":
            assert s["check_in"] > anchor, s
        if s["channel_code"] == "walk_in":
            assert s["booked_on"] == s["check_in"]
        if s["channel_code"] == "corporate":
            assert s["booking_type"] == "corporate"
        if s["channel_code"] == "group":
            assert s["booking_type"] == "group"


def test_booking_ref_formats(demo_data):
    patterns = {
        "ctrip": r"CT\d{10}",
        "meituan": r"MT\d{12}",
        "booking": r"[1-9]\d{9}",
        "expedia": r"72\d{11}",
        "fliggy": r"2\d{17}",
    }
    for s in demo_data.stays:
        pattern = patterns.get(s["channel_code"], r"(BJ|HZ|SH)-[CG]?20\d\d-\d{6}")
        assert re.fullmatch(pattern, s["booking_ref"]), s
        if s["channel_code"] not in REF_OTAS:
            assert s["booking_ref"].startswith(
                hotel_data.PROPERTIES[s["property_key"]]["code"] + "-")


def test_stay_distributions(demo_data):
    stays = demo_data.stays
    n = len(stays)
    states = collections.Counter(s["state"] for s in stays)
    assert 0.05 <= states["cancelled"] / n <= 0.12
    assert 0.01 <= states["no_show"] / n <= 0.06
    assert states["checked_out"] / n > 0.75
    assert states["booked"] > 0
    assert {s["property_key"] for s in stays} == REF_PROPERTIES
    assert {s["channel_code"] for s in stays} == REF_CHANNELS
    assert {s["room_type_code"] for s in stays} == REF_ROOM_TYPES
    assert {s["rate_plan_code"] for s in stays} == REF_RATE_PLANS
    anchor = hotel_data.ANCHOR
    assert min(s["check_in"] for s in stays) >= anchor - datetime.timedelta(days=3 * 366)
    assert max(s["check_in"] for s in stays) <= anchor + datetime.timedelta(days=60)
    # frequency is skewed: most guests 1-3 stays, a few with 20+
    per_guest = collections.Counter(s["guest_key"] for s in stays)
    light = sum(1 for c in per_guest.values() if c <= 3)
    assert light / len(per_guest) > 0.5
    assert any(c >= 20 for c in per_guest.values())
    # walk-ins have no lead time, OTAs book ahead
    lead = collections.defaultdict(list)
    for s in stays:
        lead[s["channel_code"]].append((s["check_in"] - s["booked_on"]).days)
    assert set(lead["walk_in"]) == {0}
    assert max(lead["corporate"]) <= 7
    for ota in REF_OTAS:
        assert 1 <= min(lead[ota]) and max(lead[ota]) <= 60
    # the business hotel is busiest mid-week, the resort at weekends
    wd = collections.Counter((s["property_key"], s["check_in"].weekday()) for s in stays)
    assert wd["beijing", 0] + wd["beijing", 1] > wd["beijing", 4] + wd["beijing", 5]
    assert wd["hangzhou", 4] > wd["hangzhou", 3]


def test_room_rates_by_property(demo_data):
    def median_rate(prop, room):
        rates = sorted(
            s["amount_room"] / (s["check_out"] - s["check_in"]).days
            for s in demo_data.stays
            if s["property_key"] == prop and s["room_type_code"] == room
            and s["state"] == "checked_out"
        )
        return rates[len(rates) // 2]

    assert 600 <= median_rate("beijing", "std_king") <= 900
    assert median_rate("beijing", "suite") >= 2500
    assert median_rate("hangzhou", "std_king") > median_rate("beijing", "std_king")


# ---------------------------------------------------------------------------
# Guests
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("size", ["test", "demo"])
def test_guest_invariants(size, test_data, demo_data):
    data = test_data if size == "test" else demo_data
    keys = [g["key"] for g in data.guests]
    assert len(set(keys)) == len(keys)
    for g in data.guests:
        assert re.fullmatch(r"G\d{6}", g["key"])
        assert g["name"].strip()
        assert g["guest_type"] in REF_GUEST_TYPES
        assert re.fullmatch(r"[A-Z]{2}", g["nationality"])
        assert g["lang"] in ("zh_CN", "en_US")
        assert isinstance(g["is_vip"], bool)
        assert isinstance(g["company_name"], str)
        if g["email"]:
            assert EMAIL.match(g["email"]), g["email"]
        if g["phone"]:
            assert E164.match(g["phone"]), g["phone"]
        if g["birthday"] is not None:
            assert isinstance(g["birthday"], datetime.date)
            assert 18 <= (hotel_data.ANCHOR - g["birthday"]).days / 365.25 <= 75
        cats = [p[0] for p in g["preferences"]]
        assert len(cats) <= 3
        assert len(set(cats)) == len(cats)
        for cat, value, note in g["preferences"]:
            assert cat in REF_PREF_CATS
            assert value
            assert isinstance(note, str)


def test_guest_distributions(demo_data):
    guests = demo_data.guests
    n = len(guests)
    chinese = sum(1 for g in guests if CJK.search(g["name"]))
    assert 0.65 <= chinese / n <= 0.85
    relay = [g for g in guests if _is_relay(g["email"])]
    assert 0.08 <= len(relay) / n <= 0.24
    assert 0.0 < sum(g["is_vip"] for g in guests) / n <= 0.08
    nationalities = collections.Counter(g["nationality"] for g in guests)
    assert nationalities.most_common(1)[0][0] == "CN"
    assert len(nationalities) >= 6
    assert sum(1 for g in guests if not g["email"]) < 0.15 * n
    business = [g for g in guests if g["guest_type"] == "business"]
    assert sum(1 for g in business if g["company_name"]) / len(business) > 0.5
    assert {g["guest_type"] for g in guests} == REF_GUEST_TYPES
    assert sum(1 for g in guests if g["preferences"]) > 0.3 * n


def test_relay_email_matches_a_used_ota(demo_data):
    """A relay address belongs to an OTA the guest actually booked through."""
    domain_channel = {v: k for k, v in generator.RELAY_DOMAIN_BY_CHANNEL.items()}
    assert set(domain_channel) == set(hotel_data.OTA_RELAY_DOMAINS)
    channels = collections.defaultdict(set)
    for s in demo_data.stays:
        channels[s["guest_key"]].add(s["channel_code"])
    for g in demo_data.guests:
        if _is_relay(g["email"]) and channels[g["key"]]:
            assert domain_channel[g["email"].rpartition("@")[2]] in channels[g["key"]]


def test_bench_streams_lazily():
    guests = hotel_data.iter_guests(*hotel_data.SIZES["bench"][:1])
    first = next(guests)
    assert first["key"] == "G000001"
    stays = hotel_data.iter_stays(2_000, 20_000)
    assert sum(1 for _ in stays) == 20_000


# ---------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------
def test_write_csv(test_data, tmp_path):
    import csv

    hotel_data.write_csv(test_data, tmp_path)
    with open(tmp_path / "guests.csv", encoding="utf-8", newline="") as fh:
        guests = list(csv.DictReader(fh))
    with open(tmp_path / "stays.csv", encoding="utf-8", newline="") as fh:
        stays = list(csv.DictReader(fh))
    assert len(guests) == len(test_data.guests)
    assert len(stays) == len(test_data.stays)
    assert guests[0]["key"] == "G000001"
    assert stays[0]["check_in"] == test_data.stays[0]["check_in"].isoformat()
    # streamed variant writes the same bytes
    n_guests, n_stays = hotel_data.SIZES["test"]
    hotel_data.write_csv(
        (hotel_data.iter_guests(n_guests), hotel_data.iter_stays(n_guests, n_stays)),
        tmp_path / "stream",
    )
    for name in ("guests.csv", "stays.csv"):
        assert (tmp_path / name).read_bytes() == (tmp_path / "stream" / name).read_bytes()


# ---------------------------------------------------------------------------
# Demo XML
# ---------------------------------------------------------------------------
def _check_demo_xml(path, dataset=None):
    root = ET.parse(path).getroot()
    assert root.tag == "odoo"
    records = root.findall("record")
    ids = [r.get("id") for r in records]
    assert len(ids) == len(set(ids))
    for xmlid in ids:
        assert xmlid.endswith("_demo"), xmlid
        assert "." not in xmlid
    defined = set(ids)
    models = collections.Counter(r.get("model") for r in records)
    assert models["res.company"] == 3
    assert {"property_beijing_demo", "property_hangzhou_demo", "property_shanghai_demo"} <= defined
    allowed_external = (
        {"base.CNY", "base.cn"}
        | {f"hotel_crm.channel_{c}" for c in REF_CHANNELS}
        | {f"hotel_crm.room_type_{c}" for c in REF_ROOM_TYPES}
        | {f"hotel_crm.rate_plan_{c}" for c in REF_RATE_PLANS}
        | {f"hotel_crm.pref_cat_{c}" for c in REF_PREF_CATS}
    )
    position = {xmlid: i for i, xmlid in enumerate(ids)}
    for i, record in enumerate(records):
        for fld in record.findall("field"):
            assert fld.get("name")
            ref = fld.get("ref")
            if ref is None:
                continue
            local = ref.removeprefix("hotel_crm.")
            if local.endswith("_demo"):
                # defined in this file, and before it is used
                assert local in defined, ref
                assert position[local] < i, ref
            elif fld.get("name") == "nationality_id":
                assert re.fullmatch(r"base\.[a-z]{2}", ref), ref
            else:
                assert ref in allowed_external, ref
            if fld.get("name") == "partner_id":
                assert local.startswith("guest_")
            if fld.get("name") == "company_id":
                assert local.startswith("property_")
        for fld in record.findall("field"):
            if fld.get("name") in ("booked_on", "check_in", "check_out", "birthday"):
                assert re.fullmatch(
                    r"DateTime\.today\(\)\.strftime\('%Y-%m-%d'\)|"
                    r"\(DateTime\.today\(\) [-+] relativedelta\(days=\d+\)\)"
                    r"\.strftime\('%Y-%m-%d'\)",
                    fld.get("eval") or "",
                ), fld.get("eval")
            assert fld.get("name") != "lang"
    if dataset is not None:
        assert models["res.partner"] == len(dataset.guests)
        assert models["hotel.stay"] == len(dataset.stays)
        n_prefs = sum(len(g["preferences"]) for g in dataset.guests)
        assert models["hotel.guest.preference"] == n_prefs
        # values survive escaping
        partners = [r for r in records if r.get("model") == "res.partner"]
        names = {r.find("field[@name='name']").text for r in partners}
        assert names == {g["name"] for g in dataset.guests}
    return root


def test_write_demo_xml_roundtrip(test_data, tmp_path):
    path = tmp_path / "demo.xml"
    hotel_data.write_demo_xml(test_data, path)
    _check_demo_xml(path, test_data)


def test_date_eval():
    anchor = hotel_data.ANCHOR
    assert generator.date_eval(anchor) == "DateTime.today().strftime('%Y-%m-%d')"
    assert generator.date_eval(anchor - datetime.timedelta(days=123)) == (
        "(DateTime.today() - relativedelta(days=123)).strftime('%Y-%m-%d')")
    assert generator.date_eval(anchor + datetime.timedelta(days=5)) == (
        "(DateTime.today() + relativedelta(days=5)).strftime('%Y-%m-%d')")


def test_escaping(tmp_path):
    guest = hotel_data.make_guest(0)
    guest.update(name="O'Brien & <Sons> \"Ltd\"", company_name="Procter & Gamble",
                 preferences=[("other", "a < b & c", "note \"quoted\"")])
    data = hotel_data.Dataset(guests=[guest], stays=[])
    path = tmp_path / "esc.xml"
    hotel_data.write_demo_xml(data, path)
    root = ET.parse(path).getroot()
    partner = root.find("record[@model='res.partner']")
    assert partner.find("field[@name='name']").text == guest["name"]
    assert partner.find("field[@name='company_name']").text == "Procter & Gamble"
    pref = root.find("record[@model='hotel.guest.preference']")
    assert pref.find("field[@name='value']").text == "a < b & c"
    assert pref.find("field[@name='note']").text == 'note "quoted"'


def test_shipped_demo_xml_is_current(demo_data, tmp_path):
    """The committed demo file parses, is consistent and matches the generator."""
    assert DEMO_XML.exists(), "run: cd data && python3 -m hotel_data write-demo-xml"
    _check_demo_xml(DEMO_XML, demo_data)
    fresh = tmp_path / "fresh.xml"
    hotel_data.write_demo_xml(demo_data, fresh)
    assert fresh.read_bytes() == DEMO_XML.read_bytes(), (
        "demo XML is stale; run: cd data && python3 -m hotel_data write-demo-xml")


def test_country_xmlids():
    assert hotel_data.country_xmlid("CN") == "base.cn"
    assert hotel_data.country_xmlid("GB") == "base.uk"  # Odoo's id for Great Britain
    assert hotel_data.country_xmlid("US") == "base.us"


def test_consent_demo_is_current_and_never_grants_relay_addresses(demo_data, tmp_path):
    from hotel_data.consent import consent_decisions, write_consent_demo_xml

    shipped = REPO / "hotel_crm" / "demo" / "hotel_crm_consent_demo.xml"
    fresh = write_consent_demo_xml(demo_data.guests, tmp_path / "consent.xml")
    assert Path(fresh).read_text(encoding="utf-8") == shipped.read_text(encoding="utf-8")
    relay = {g["key"] for g in demo_data.guests
             if g["email"].rpartition("@")[2] in hotel_data.OTA_RELAY_DOMAINS}
    decisions = list(consent_decisions(demo_data.guests))
    email = [d for d in decisions if d[1] == "email"]
    assert email and not {d[0] for d in email} & relay
    assert any(not d[2] for d in email), "some guests withdrew their consent"
    assert any(d[1] == "sms" for d in decisions)
