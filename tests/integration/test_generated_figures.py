"""The SQL figures (G4) equal a plain per-guest computation on the generator's test data."""

import sys
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo.tests import TransactionCase, tagged

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "data"))
from hotel_data import generator  # noqa: E402

COUNTED = ("in_house", "checked_out")


def mean_1(values):
    """Mean rounded half up to one decimal, as the guest form shows it."""
    mean = Decimal(sum(values)) / Decimal(len(values))
    return float(mean.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def expected_figures(stays, today):
    """Plain Python, one guest at a time: what the guest form must show."""
    since = today - relativedelta(months=12)
    by_guest = defaultdict(list)
    for stay in stays:
        if stay["state"] in COUNTED:
            by_guest[stay["guest_key"]].append(stay)
    result = {}
    for key, rows in by_guest.items():
        nights = [(s["check_out"] - s["check_in"]).days for s in rows]
        spend = [round(s["amount_room"] + s["amount_fb"] + s["amount_other"], 2) for s in rows]
        recent = [i for i, s in enumerate(rows) if s["check_out"] >= since]
        leads = [max((s["check_in"] - s["booked_on"]).days, 0) for s in rows]

        def favourite(codes):
            counts = Counter(codes)
            best = max(counts.values())
            return sorted(c for c, n in counts.items() if n == best)

        result[key] = {
            "stay_count": len(rows),
            "night_count": sum(nights),
            "total_spend": round(sum(spend), 2),
            "stays_12m": len(recent),
            "nights_12m": sum(nights[i] for i in recent),
            "spend_12m": round(sum(spend[i] for i in recent), 2),
            "first_stay_date": min(s["check_in"] for s in rows),
            "last_stay_date": max(s["check_in"] for s in rows),
            "avg_lead_days": mean_1(leads),
            "avg_los": mean_1(nights),
            "room_types": favourite([s["room_type_code"] for s in rows]),
            "channels": favourite([s["channel_code"] for s in rows]),
        }
    return result


@tagged("post_install", "-at_install")
class TestGeneratedFigures(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.data = generator.generate("test")
        cny = cls.env.ref("base.CNY")
        cny.active = True
        companies = {
            key: cls.env["res.company"].create({"name": f"Property {key}", "currency_id": cny.id})
            for key in generator.PROPERTY_KEYS
        }
        guests = cls.env["res.partner"].create([
            {"name": g["name"], "email": g["email"] or False, "is_guest": True,
             "guest_type": g["guest_type"], "birthday": g["birthday"]}
            for g in cls.data.guests
        ])
        cls.guest_by_key = {g["key"]: p for g, p in zip(cls.data.guests, guests, strict=True)}
        ref = cls.env.ref
        cls.env["hotel.stay"].create([
            {"partner_id": cls.guest_by_key[s["guest_key"]].id,
             "company_id": companies[s["property_key"]].id,
             "channel_id": ref(f"hotel_crm.channel_{s['channel_code']}").id,
             "booking_ref": s["booking_ref"], "booked_on": s["booked_on"],
             "check_in": s["check_in"], "check_out": s["check_out"],
             "room_type_id": ref(f"hotel_crm.room_type_{s['room_type_code']}").id,
             "rate_plan_id": ref(f"hotel_crm.rate_plan_{s['rate_plan_code']}").id,
             "booking_type": s["booking_type"], "adults": s["adults"],
             "children": s["children"], "state": s["state"],
             "amount_room": s["amount_room"], "amount_fb": s["amount_fb"],
             "amount_other": s["amount_other"]}
            for s in cls.data.stays
        ])

    def test_sql_figures_equal_a_plain_per_guest_computation(self):
        today = generator.ANCHOR
        with freeze_time(today):
            self.env["res.partner"]._hotel_recompute_figures()
        expected = expected_figures(self.data.stays, today)
        self.assertGreater(len(expected), 20, "the test data must have guests with stays")
        ref = self.env.ref
        for key, guest in self.guest_by_key.items():
            want = expected.get(key)
            if want is None:
                self.assertEqual((guest.stay_count, guest.total_spend), (0, 0), guest.name)
                continue
            for field in ("stay_count", "night_count", "stays_12m", "nights_12m",
                          "first_stay_date", "last_stay_date"):
                self.assertEqual(guest[field], want[field], f"{guest.name}: {field}")
            for field in ("total_spend", "spend_12m", "avg_lead_days", "avg_los"):
                self.assertAlmostEqual(guest[field], want[field], places=2,
                                       msg=f"{guest.name}: {field}")
            # ties go to the record created first (lowest id), as in SQL's MODE()
            room_ids = sorted(ref(f"hotel_crm.room_type_{c}").id for c in want["room_types"])
            channel_ids = sorted(ref(f"hotel_crm.channel_{c}").id for c in want["channels"])
            self.assertEqual(guest.preferred_room_type_id.id, room_ids[0], guest.name)
            self.assertEqual(guest.preferred_channel_id.id, channel_ids[0], guest.name)

    def test_tags_match_the_shipped_rules(self):
        today = generator.ANCHOR
        with freeze_time(today):
            self.env["res.partner"]._cron_hotel_recompute_figures()
        expected = expected_figures(self.data.stays, today)
        frequent = self.env.ref("hotel_crm.tag_frequent_guest")
        spender = self.env.ref("hotel_crm.tag_high_spender")
        n_frequent = 0
        for key, guest in self.guest_by_key.items():
            want = expected.get(key, {"stays_12m": 0, "spend_12m": 0})
            is_frequent = want["stays_12m"] >= 3
            n_frequent += is_frequent
            self.assertEqual(frequent in guest.category_id, is_frequent, guest.name)
            self.assertEqual(spender in guest.category_id, want["spend_12m"] >= 20000, guest.name)
        self.assertGreater(n_frequent, 0, "the test data must contain frequent guests")
