"""Deterministic sample data for the hotel CRM (stdlib only, no Odoo).

The data models a Chinese hotel group with three properties (Beijing business
hotel, Hangzhou resort, Shanghai city hotel).  Everything is derived from a
seed and an *anchor* date (the "today" the data is generated around):

* every guest ``i`` has its own random streams, seeded from ``(seed, i)``, so
  a guest and its stays never depend on the guests generated before it;
* :func:`iter_stays` only needs ``n_guests``: it recomputes the compact guest
  *profile* (type, home property, main channel, travel frequency) and streams
  the stays guest by guest, so the bench size (100,000 guests / 1,000,000
  stays) runs in constant memory apart from one small integer per guest;
* the same seed gives byte-identical output (dicts, CSV and XML).

Guest dicts::

    key, name, email, phone, birthday (date | None), guest_type, nationality,
    lang, is_vip, company_name, preferences [(category_code, value, note)]

Stay dicts::

    key, guest_key, property_key, channel_code, booking_ref, booked_on,
    check_in, check_out, room_type_code, rate_plan_code, booking_type, adults,
    children, state, amount_room, amount_fb, amount_other (floats rounded to
    2 decimals), currency
"""

from __future__ import annotations

import bisect
import csv
import datetime
import json
import os
import random
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple
from xml.sax.saxutils import escape

ANCHOR = datetime.date(2026, 6, 30)
SIZES = {
    "test": (60, 400),
    "demo": (240, 1500),
    "bench": (100_000, 1_000_000),
}
CURRENCY = "CNY"
TIMEZONE = "Asia/Shanghai"
HISTORY_YEARS = 3
FUTURE_DAYS = 60

# ---------------------------------------------------------------------------
# Reference codes (shipped by the addon as data records)
# ---------------------------------------------------------------------------
CHANNELS = (
    "ctrip", "meituan", "fliggy", "booking", "expedia",
    "website", "app", "phone", "walk_in", "corporate", "group",
)
OTA_CHANNELS = ("ctrip", "meituan", "fliggy", "booking", "expedia")
DIRECT_CHANNELS = ("website", "app", "phone", "walk_in", "corporate", "group")
ROOM_TYPES = ("std_king", "std_twin", "deluxe", "exec", "suite", "family")
RATE_PLANS = ("bar", "adv", "bb", "corp", "pkg", "member")
PREF_CATEGORIES = (
    "room_type", "floor", "bed", "pillow", "smoking", "dietary", "allergy", "amenity", "other",
)
GUEST_TYPES = ("business", "leisure", "family", "group")
BOOKING_TYPES = ("individual", "corporate", "group", "package")
STAY_STATES = ("booked", "in_house", "checked_out", "cancelled", "no_show")
LANGS = ("zh_CN", "en_US")

OTA_RELAY_DOMAINS = frozenset({
    "guest.booking.com",
    "m.ctrip.com",
    "meituan-relay.com",
    "fliggy-relay.com",
    "m.expediapartnercentral.com",
})
RELAY_DOMAIN_BY_CHANNEL = {
    "booking": "guest.booking.com",
    "ctrip": "m.ctrip.com",
    "meituan": "meituan-relay.com",
    "fliggy": "fliggy-relay.com",
    "expedia": "m.expediapartnercentral.com",
}

PROPERTIES = {
    "beijing": {
        "name": "北京商务酒店",
        "name_en": "Beijing Business Hotel",
        "kind": "business",
        "code": "BJ",
        "city": "Beijing",
        "street": "朝阳区东三环中路 88 号",
        "zip": "100022",
        "phone": "+861065881234",
        "email": "reservations.bj@hotel-group.example",
    },
    "hangzhou": {
        "name": "杭州西湖度假酒店",
        "name_en": "Hangzhou West Lake Resort",
        "kind": "resort",
        "code": "HZ",
        "city": "Hangzhou",
        "street": "西湖区北山街 66 号",
        "zip": "310007",
        "phone": "+8657187961234",
        "email": "reservations.hz@hotel-group.example",
    },
    "shanghai": {
        "name": "上海城市酒店",
        "name_en": "Shanghai City Hotel",
        "kind": "city",
        "code": "SH",
        "city": "Shanghai",
        "street": "静安区南京西路 1888 号",
        "zip": "200040",
        "phone": "+862162881234",
        "email": "reservations.sh@hotel-group.example",
    },
}
PROPERTY_KEYS = tuple(PROPERTIES)

# Odoo's res.country xml ids are the lowercase ISO code, except Great Britain.
COUNTRY_XMLID_EXCEPTIONS = {"GB": "uk"}


def country_xmlid(iso):
    """``base.<id>`` of the res.country record for an ISO alpha-2 code."""
    return "base." + COUNTRY_XMLID_EXCEPTIONS.get(iso, iso.lower())


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------
class _Weighted:
    """Weighted choice with one ``rng.random()`` call (faster than rng.choices)."""

    __slots__ = ("items", "cum", "total", "last")

    def __init__(self, pairs):
        items, cum, total = [], [], 0.0
        for item, weight in pairs:
            if weight > 0:
                total += weight
                items.append(item)
                cum.append(total)
        self.items, self.cum, self.total, self.last = items, cum, total, len(items) - 1

    def pick(self, rng):
        i = bisect.bisect_right(self.cum, rng.random() * self.total)
        return self.items[i if i <= self.last else self.last]


def _w(mapping):
    return _Weighted(mapping.items())


def _rng(seed, stream, index):
    # str seeds are hashed with SHA-512 by random.seed(): stable across runs
    # and Python processes (unlike hash()).
    return random.Random(f"{seed}/{stream}/{index}")


def _slug(text):
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", text.lower())


def guest_key(index):
    return "G%06d" % (index + 1)


def stay_key(index):
    return "S%07d" % (index + 1)


# ---------------------------------------------------------------------------
# Names, e-mails, phones
# ---------------------------------------------------------------------------
CN_SURNAMES = _w({
    ("王", "wang"): 7.1, ("李", "li"): 7.0, ("张", "zhang"): 6.7, ("刘", "liu"): 5.4,
    ("陈", "chen"): 4.5, ("杨", "yang"): 3.1, ("赵", "zhao"): 2.3, ("黄", "huang"): 2.2,
    ("周", "zhou"): 1.8, ("吴", "wu"): 1.8, ("徐", "xu"): 1.5, ("孙", "sun"): 1.5,
    ("胡", "hu"): 1.3, ("朱", "zhu"): 1.3, ("高", "gao"): 1.2, ("林", "lin"): 1.2,
    ("何", "he"): 1.2, ("郭", "guo"): 1.1, ("马", "ma"): 1.1, ("罗", "luo"): 0.9,
})
CN_GIVEN = _w({  # (characters, pinyin syllables)
    ("伟", ("wei",)): 3, ("芳", ("fang",)): 2, ("娜", ("na",)): 2, ("敏", ("min",)): 2,
    ("静", ("jing",)): 2, ("磊", ("lei",)): 2, ("强", ("qiang",)): 2, ("军", ("jun",)): 2,
    ("洋", ("yang",)): 2, ("勇", ("yong",)): 2, ("杰", ("jie",)): 2, ("涛", ("tao",)): 2,
    ("超", ("chao",)): 2, ("鹏", ("peng",)): 1, ("辉", ("hui",)): 1, ("瑞", ("rui",)): 1,
    ("秀英", ("xiu", "ying")): 2, ("桂英", ("gui", "ying")): 1, ("建华", ("jian", "hua")): 2,
    ("建国", ("jian", "guo")): 2, ("志强", ("zhi", "qiang")): 2, ("晓明", ("xiao", "ming")): 2,
    ("晓燕", ("xiao", "yan")): 2, ("海燕", ("hai", "yan")): 2, ("丽娟", ("li", "juan")): 2,
    ("俊杰", ("jun", "jie")): 2, ("子涵", ("zi", "han")): 2, ("梓轩", ("zi", "xuan")): 2,
    ("欣怡", ("xin", "yi")): 2, ("思远", ("si", "yuan")): 1, ("雨桐", ("yu", "tong")): 2,
    ("浩然", ("hao", "ran")): 2, ("宇航", ("yu", "hang")): 1, ("嘉怡", ("jia", "yi")): 1,
    ("一诺", ("yi", "nuo")): 2, ("天佑", ("tian", "you")): 1, ("佳琪", ("jia", "qi")): 2,
    ("文博", ("wen", "bo")): 1, ("明辉", ("ming", "hui")): 1, ("志伟", ("zhi", "wei")): 2,
    ("国庆", ("guo", "qing")): 1, ("红梅", ("hong", "mei")): 2, ("玉兰", ("yu", "lan")): 1,
    ("淑芬", ("shu", "fen")): 1, ("海涛", ("hai", "tao")): 2, ("春燕", ("chun", "yan")): 1,
    ("晨阳", ("chen", "yang")): 1, ("博文", ("bo", "wen")): 2, ("雪梅", ("xue", "mei")): 1,
    ("慧敏", ("hui", "min")): 1, ("东升", ("dong", "sheng")): 1, ("泽宇", ("ze", "yu")): 2,
    ("诗涵", ("shi", "han")): 2, ("若曦", ("ruo", "xi")): 1, ("雅婷", ("ya", "ting")): 2,
    ("建军", ("jian", "jun")): 2, ("立新", ("li", "xin")): 1, ("晓东", ("xiao", "dong")): 1,
    ("振华", ("zhen", "hua")): 1, ("婷婷", ("ting", "ting")): 2, ("丹丹", ("dan", "dan")): 1,
    ("子墨", ("zi", "mo")): 1, ("梦瑶", ("meng", "yao")): 1, ("宏伟", ("hong", "wei")): 1,
    ("亚楠", ("ya", "nan")): 1, ("晓峰", ("xiao", "feng")): 1, ("家豪", ("jia", "hao")): 1,
    ("思彤", ("si", "tong")): 1, ("可欣", ("ke", "xin")): 1, ("昊天", ("hao", "tian")): 1,
    ("文静", ("wen", "jing")): 1, ("佳慧", ("jia", "hui")): 1, ("明轩", ("ming", "xuan")): 1,
})

INTL_NAMES = {
    "en": (
        ("James", "John", "Robert", "Michael", "David", "William", "Richard", "Thomas",
         "Christopher", "Daniel", "Matthew", "Andrew", "Mark", "Paul", "Steven", "Emily",
         "Sarah", "Jessica", "Jennifer", "Emma", "Olivia", "Sophie", "Charlotte", "Laura",
         "Rachel", "Hannah", "Amy", "Kate", "Lucy", "Grace"),
        ("Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson",
         "Anderson", "Taylor", "Thomas", "Moore", "Martin", "Thompson", "White", "Harris",
         "Clark", "Lewis", "Walker", "Hall", "Young", "Allen", "King", "Wright", "Scott",
         "Green", "Baker", "Adams", "Campbell", "O'Brien"),
    ),
    "de": (
        ("Lukas", "Jonas", "Felix", "Maximilian", "Stefan", "Thomas", "Andreas", "Michael",
         "Anna", "Lena", "Julia", "Katharina", "Sabine", "Claudia", "Jürgen"),
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
         "Schulz", "Hoffmann", "Koch", "Bauer", "Krüger"),
    ),
    "fr": (
        ("Pierre", "Jean", "Louis", "Antoine", "Nicolas", "Julien", "Camille", "Marie",
         "Claire", "Sophie", "Chloé", "Léa", "Amélie", "François"),
        ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
         "Leroy", "Moreau", "Lefèvre", "Girard"),
    ),
    "nl": (
        ("Daan", "Sem", "Lucas", "Bram", "Emma", "Julia", "Sanne", "Anouk", "Femke"),
        ("de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit"),
    ),
    "ja": (
        ("Haruto", "Yuto", "Sota", "Kenji", "Takeshi", "Hiroshi", "Yuki", "Sakura", "Yui",
         "Aoi", "Mei", "Hana"),
        ("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura",
         "Kobayashi", "Kato"),
    ),
    "ko": (
        ("Min-jun", "Seo-jun", "Ji-ho", "Ha-joon", "Seo-yeon", "Ji-woo", "Ha-eun", "Soo-ah",
         "Ji-min", "Hyun-woo"),
        ("Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim"),
    ),
}
# nationality -> (name pool, national e-mail domain)
INTL_NATIONALITIES = {
    "US": ("en", "yahoo.com"), "GB": ("en", "btinternet.com"), "AU": ("en", "bigpond.com"),
    "CA": ("en", "rogers.com"), "SG": ("en", "singnet.com.sg"), "DE": ("de", "gmx.de"),
    "FR": ("fr", "orange.fr"), "NL": ("nl", "ziggo.nl"), "JP": ("ja", "yahoo.co.jp"),
    "KR": ("ko", "naver.com"),
}
INTL_NATIONALITY = _w({
    "US": 22, "GB": 12, "DE": 10, "FR": 8, "JP": 12, "KR": 10, "SG": 7, "AU": 8, "CA": 5, "NL": 6,
})
CN_NAME_NATIONALITY = _w({"CN": 93.5, "HK": 3, "SG": 1.5, "TW": 1.2, "MO": 0.5, "US": 0.3})

# (name, e-mail domain)
COMPANIES_CN = _w({
    ("华为技术有限公司", "huawei.com"): 9,
    ("阿里巴巴（中国）有限公司", "alibaba-inc.com"): 9,
    ("腾讯科技（深圳）有限公司", "tencent.com"): 8,
    ("百度在线网络技术（北京）有限公司", "baidu.com"): 5,
    ("京东集团", "jd.com"): 5,
    ("字节跳动有限公司", "bytedance.com"): 6,
    ("小米科技有限责任公司", "xiaomi.com"): 4,
    ("中国移动通信集团有限公司", "chinamobile.com"): 4,
    ("招商银行股份有限公司", "cmbchina.com"): 4,
    ("比亚迪股份有限公司", "byd.com"): 4,
    ("网易（杭州）网络有限公司", "corp.netease.com"): 4,
    ("中国平安保险（集团）股份有限公司", "pingan.com.cn"): 4,
    ("联想（北京）有限公司", "lenovo.com"): 4,
    ("国家电网有限公司", "sgcc.com.cn"): 3,
    ("中信证券股份有限公司", "citics.com"): 3,
    ("宁德时代新能源科技股份有限公司", "catl.com"): 3,
    ("中国工商银行", "icbc.com.cn"): 4,
    ("美团", "meituan.com"): 3,
})
COMPANIES_INTL = _w({
    ("Siemens China", "siemens.com"): 6,
    ("BMW China", "bmw.com"): 4,
    ("Volkswagen Group China", "volkswagen.com.cn"): 4,
    ("Microsoft China", "microsoft.com"): 4,
    ("IBM China", "ibm.com"): 3,
    ("Deloitte China", "deloitte.com.cn"): 4,
    ("PwC China", "pwc.com"): 4,
    ("McKinsey & Company", "mckinsey.com"): 3,
    ("HSBC China", "hsbc.com.cn"): 4,
    ("Standard Chartered", "sc.com"): 3,
    ("Samsung China", "samsung.com"): 3,
    ("Sony China", "sony.com"): 2,
    ("Toyota Motor (China)", "toyota.com.cn"): 2,
    ("Bosch China", "bosch.com"): 3,
    ("BASF China", "basf.com"): 3,
    ("L'Oréal China", "loreal.com"): 2,
    ("Procter & Gamble China", "pg.com"): 3,
    ("Accenture", "accenture.com"): 3,
})

CN_MAIL_DOMAINS = _w({
    "qq.com": 33, "163.com": 22, "126.com": 10, "sina.com": 5, "foxmail.com": 5,
    "gmail.com": 6, "outlook.com": 6, "hotmail.com": 3, "139.com": 4, "sohu.com": 2,
    "icloud.com": 4,
})
INTL_MAIL_DOMAINS = _w({
    "gmail.com": 35, "outlook.com": 15, "hotmail.com": 8, "yahoo.com": 8, "icloud.com": 10,
    None: 20,  # the nationality's own provider
})
CN_MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
    "155", "156", "157", "158", "159", "166", "176", "177", "178", "180", "181", "182",
    "183", "185", "186", "187", "188", "189", "199",
)
NANP_AREAS = {
    "US": ("212", "646", "415", "650", "310", "213", "312", "617", "206", "512", "404", "305"),
    "CA": ("416", "604", "514", "403", "613"),
}


def _digits(rng, n):
    return "%0*d" % (n, rng.randrange(10 ** n))


def _phone(rng, nationality):
    if nationality == "CN":
        return "+86" + rng.choice(CN_MOBILE_PREFIXES) + _digits(rng, 8)
    if nationality == "HK":
        return "+852" + rng.choice("569") + _digits(rng, 7)
    if nationality == "MO":
        return "+8536" + _digits(rng, 7)
    if nationality == "TW":
        return "+8869" + _digits(rng, 8)
    if nationality == "SG":
        return "+65" + rng.choice("89") + _digits(rng, 7)
    if nationality in NANP_AREAS:
        return ("+1" + rng.choice(NANP_AREAS[nationality]) + str(rng.randint(2, 9))
                + _digits(rng, 6))
    if nationality == "GB":
        return "+447" + rng.choice("4579") + _digits(rng, 8)
    if nationality == "DE":
        return "+49" + rng.choice(("151", "152", "160", "170", "171", "176")) + _digits(rng, 8)
    if nationality == "FR":
        return "+33" + rng.choice("67") + _digits(rng, 8)
    if nationality == "NL":
        return "+316" + _digits(rng, 8)
    if nationality == "JP":
        return "+81" + rng.choice(("90", "80", "70")) + _digits(rng, 8)
    if nationality == "KR":
        return "+8210" + _digits(rng, 8)
    if nationality == "AU":
        return "+614" + _digits(rng, 8)
    return "+86" + rng.choice(CN_MOBILE_PREFIXES) + _digits(rng, 8)


def _relay_email(rng, channel, first_slug, last_slug):
    domain = RELAY_DOMAIN_BY_CHANNEL[channel]
    alnum = "abcdefghijklmnopqrstuvwxyz0123456789"
    if channel == "booking":
        local = (first_slug[:1] + last_slug)[:12] + "." + _digits(rng, 6)
    elif channel == "ctrip":
        local = "m" + str(rng.randint(10 ** 7, 10 ** 9 - 1))
    elif channel == "meituan":
        local = "mt" + "".join(rng.choice("0123456789abcdef") for _ in range(12))
    elif channel == "fliggy":
        local = "fz" + str(rng.randint(10 ** 9, 10 ** 10 - 1))
    else:  # expedia
        local = "".join(rng.choice(alnum) for _ in range(10))
    return f"{local}@{domain}"


# ---------------------------------------------------------------------------
# Preferences
# ---------------------------------------------------------------------------
PREF_VALUES = {
    "room_type": ("quiet room away from lift 远离电梯的安静房间", "connecting rooms 连通房",
                  "lake view 湖景房", "city view 城景房", "corner room 转角房"),
    "floor": ("high floor 高楼层", "low floor 低楼层", "executive floor 行政楼层"),
    "bed": ("king", "twin", "extra bed 加床", "baby cot 婴儿床"),
    "pillow": ("buckwheat 荞麦枕", "feather 羽绒枕", "memory foam 记忆枕", "extra pillows 加枕头"),
    "smoking": ("non-smoking 无烟", "smoking 吸烟"),
    "dietary": ("halal 清真", "vegetarian 素食", "no spicy food 不吃辣", "gluten-free 无麸质",
                "no pork 不吃猪肉"),
    "allergy": ("peanuts 花生过敏", "seafood 海鲜过敏", "feather 羽毛过敏", "dust mites 尘螨过敏",
                "penicillin 青霉素过敏"),
    "amenity": ("extra towels", "yoga mat 瑜伽垫", "kettle & green tea 烧水壶和绿茶",
                "adapter plug 转换插头", "humidifier 加湿器", "slippers (large) 大号拖鞋"),
    "other": ("late check-out 延迟退房", "airport pickup 接机", "newspaper: China Daily",
              "quiet check-in 低调入住", "invoice (fapiao) to company 开公司发票"),
}
PREF_CATEGORY_WEIGHTS = _w({
    "floor": 16, "pillow": 14, "smoking": 14, "bed": 12, "room_type": 12, "amenity": 10,
    "dietary": 8, "allergy": 6, "other": 8,
})
PREF_NOTES = {
    "allergy": ("severe — inform kitchen 严重，请告知厨房", "mild 轻微", ""),
    "dietary": ("inform F&B 通知餐饮部", ""),
    "other": ("requested via OTA remark 订单备注", "confirmed by guest 客人确认", ""),
}
PREF_DEFAULT_NOTES = ("confirmed at last stay 上次入住已确认", "asked at check-in 入住时要求", "")


# ---------------------------------------------------------------------------
# Guest profile (the part of a guest that its stays depend on)
# ---------------------------------------------------------------------------
GUEST_TYPE_CN = _w({"business": 38, "leisure": 35, "family": 20, "group": 7})
GUEST_TYPE_INTL = _w({"business": 48, "leisure": 40, "family": 10, "group": 2})

# Travel frequency tiers: (tier, weight range).  Tier 0 guests keep exactly
# their weight as number of stays (1-3); the other tiers share the remaining
# stays in proportion to their weight.
TIERS = {
    "business": _w({0: 45, 1: 30, 2: 17, 3: 8}),
    "leisure": _w({0: 72, 1: 22, 2: 5, 3: 1}),
    "family": _w({0: 74, 1: 21, 2: 5}),
    "group": _w({0: 50, 1: 35, 2: 15}),
}
TIER_WEIGHT = {0: (1, 3), 1: (4, 10), 2: (12, 30), 3: (40, 90)}
VIP_BY_TIER = {0: 0.007, 1: 0.02, 2: 0.08, 3: 0.30}

HOME_PROPERTY = {
    "business": _w({"beijing": 50, "shanghai": 40, "hangzhou": 10}),
    "leisure": _w({"hangzhou": 50, "shanghai": 35, "beijing": 15}),
    "family": _w({"hangzhou": 60, "shanghai": 25, "beijing": 15}),
    "group": _w({"hangzhou": 40, "beijing": 30, "shanghai": 30}),
}
HOME_SHARE = {0: 0.85, 1: 0.75, 2: 0.70, 3: 0.65}

MAIN_CHANNEL = {
    ("CN", "business"): _w({
        "corporate": 35, "ctrip": 25, "app": 10, "website": 8, "phone": 7, "meituan": 5,
        "fliggy": 3, "walk_in": 3, "booking": 2, "expedia": 2}),
    ("CN", "leisure"): _w({
        "ctrip": 30, "meituan": 22, "fliggy": 15, "app": 8, "website": 7, "phone": 5,
        "walk_in": 5, "booking": 4, "expedia": 2, "group": 2}),
    ("CN", "family"): _w({
        "ctrip": 30, "meituan": 20, "fliggy": 20, "app": 8, "website": 8, "phone": 8,
        "walk_in": 4, "booking": 2}),
    ("CN", "group"): _w({"group": 70, "phone": 10, "ctrip": 10, "website": 10}),
    ("INTL", "business"): _w({
        "corporate": 35, "booking": 20, "expedia": 12, "website": 12, "ctrip": 10, "app": 3,
        "phone": 5, "walk_in": 3}),
    ("INTL", "leisure"): _w({
        "booking": 38, "expedia": 22, "ctrip": 15, "website": 12, "app": 3, "phone": 3,
        "walk_in": 4, "fliggy": 3}),
    ("INTL", "family"): _w({
        "booking": 38, "expedia": 22, "ctrip": 15, "website": 12, "app": 3, "phone": 3,
        "walk_in": 4, "fliggy": 3}),
    ("INTL", "group"): _w({"group": 70, "website": 15, "booking": 15}),
}
MAIN_CHANNEL_SHARE = 0.65
RELAY_EMAIL_SHARE = 0.25  # of guests whose main channel is an OTA


class _Profile(NamedTuple):
    chinese_name: bool
    nationality: str
    guest_type: str
    tier: int
    weight: int
    is_vip: bool
    home: str
    company: tuple | None
    main_channel: str


def _profile(seed, index):
    rng = _rng(seed, "profile", index)
    chinese = rng.random() < 0.75
    nationality = (CN_NAME_NATIONALITY if chinese else INTL_NATIONALITY).pick(rng)
    domestic = chinese or nationality == "US"
    gtype = (GUEST_TYPE_CN if domestic else GUEST_TYPE_INTL).pick(rng)
    tier = TIERS[gtype].pick(rng)
    lo, hi = TIER_WEIGHT[tier]
    weight = rng.randint(lo, hi)
    is_vip = rng.random() < VIP_BY_TIER[tier]
    home = HOME_PROPERTY[gtype].pick(rng)
    company = None
    r = rng.random()
    if (gtype == "business" and r < 0.8) or (gtype == "leisure" and r < 0.05):
        company = (COMPANIES_CN if chinese and rng.random() < 0.9 else COMPANIES_INTL).pick(rng)
    main_channel = MAIN_CHANNEL["CN" if domestic else "INTL", gtype].pick(rng)
    if main_channel == "corporate" and company is None:
        main_channel = "ctrip" if chinese else "booking"
    return _Profile(chinese, nationality, gtype, tier, weight, is_vip, home, company, main_channel)


# ---------------------------------------------------------------------------
# Guests
# ---------------------------------------------------------------------------
def _chinese_name(rng):
    surname, s_py = CN_SURNAMES.pick(rng)
    given, given_py = CN_GIVEN.pick(rng)
    return surname + given, s_py, list(given_py)


def _cn_email(rng, s_py, given_py, profile):
    if profile.company and rng.random() < 0.55:
        local = rng.choice((
            f"{''.join(given_py)}.{s_py}", f"{s_py}{''.join(given_py)}",
            f"{s_py}.{''.join(p[0] for p in given_py)}",
        ))
        return f"{local}@{profile.company[1]}"
    domain = CN_MAIL_DOMAINS.pick(rng)
    style = rng.random()
    given = "".join(given_py)
    if domain == "qq.com" and style < 0.6:
        local = str(rng.randint(10 ** 5, 3 * 10 ** 9))
    elif style < 0.35:
        suffix = rng.choice(("", str(rng.randint(1, 99)), str(rng.randint(1965, 2005))))
        local = f"{s_py}{given}{suffix}"
    elif style < 0.55:
        local = f"{given}.{s_py}"
    elif style < 0.75:
        local = f"{s_py}_{given}{rng.randint(1, 999)}"
    else:
        local = f"{s_py}{''.join(p[0] for p in given_py)}{rng.randint(10, 9999)}"
    return f"{local}@{domain}"


def _intl_email(rng, first, last, profile):
    fs, ls = _slug(first), _slug(last)
    if profile.company and rng.random() < 0.55:
        return f"{fs}.{ls}@{profile.company[1]}"
    domain = INTL_MAIL_DOMAINS.pick(rng) or INTL_NATIONALITIES.get(
        profile.nationality, ("en", "gmail.com"))[1]
    style = rng.random()
    if style < 0.45:
        local = f"{fs}.{ls}"
    elif style < 0.65:
        local = f"{fs[:1]}{ls}"
    elif style < 0.85:
        local = f"{fs}{ls}{rng.randint(1, 99)}"
    else:
        local = f"{fs}_{ls}{rng.randint(1960, 2004)}"
    return f"{local}@{domain}"


AGE_RANGE = {"business": (25, 60), "leisure": (20, 70), "family": (28, 50), "group": (30, 65)}


def _birthday(rng, gtype, anchor):
    if rng.random() >= 0.72:
        return None
    age = rng.randint(*AGE_RANGE[gtype])
    year = anchor.year - age
    return datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))


def _preferences(rng, profile):
    r = rng.random()
    n = 0 if r < 0.45 else 1 if r < 0.75 else 2 if r < 0.92 else 3
    if profile.is_vip and n == 0:
        n = 2
    prefs, used = [], set()
    while len(prefs) < n:
        cat = PREF_CATEGORY_WEIGHTS.pick(rng)
        if cat in used:
            continue
        used.add(cat)
        values = PREF_VALUES[cat]
        if cat == "bed" and profile.guest_type == "family" and rng.random() < 0.6:
            value = rng.choice(("extra bed 加床", "baby cot 婴儿床"))
        elif cat == "room_type" and profile.home == "hangzhou" and rng.random() < 0.5:
            value = "lake view 湖景房"
        elif cat == "smoking":
            value = values[0] if rng.random() < 0.85 else values[1]
        else:
            value = rng.choice(values)
        note = rng.choice(PREF_NOTES.get(cat, PREF_DEFAULT_NOTES))
        if rng.random() < 0.4:
            note = ""
        prefs.append((cat, value, note))
    return prefs


def make_guest(index, seed=42, anchor=ANCHOR):
    """The guest dict of guest ``index`` (0-based); independent of other guests."""
    profile = _profile(seed, index)
    rng = _rng(seed, "guest", index)
    if profile.chinese_name:
        name, s_py, given_py = _chinese_name(rng)
        first_slug, last_slug = "".join(given_py), s_py
    else:
        pool = INTL_NAMES[INTL_NATIONALITIES[profile.nationality][0]]
        first, last = rng.choice(pool[0]), rng.choice(pool[1])
        name = f"{first} {last}"
        first_slug, last_slug = _slug(first), _slug(last)

    r = rng.random()
    if profile.main_channel in OTA_CHANNELS and rng.random() < RELAY_EMAIL_SHARE:
        email = _relay_email(rng, profile.main_channel, first_slug, last_slug)
    elif r < 0.07:
        email = ""
    elif profile.chinese_name:
        email = _cn_email(rng, s_py, given_py, profile)
    else:
        email = _intl_email(rng, first, last, profile)

    if rng.random() < 0.06:
        phone = ""
    elif (not profile.chinese_name and profile.guest_type == "business"
          and rng.random() < 0.3):
        phone = _phone(rng, "CN")  # expat with a Chinese mobile number
    else:
        phone = _phone(rng, profile.nationality)

    lang = "zh_CN" if profile.nationality in ("CN", "HK", "TW", "MO") or (
        profile.chinese_name and profile.nationality == "SG") else "en_US"
    return {
        "key": guest_key(index),
        "name": name,
        "email": email,
        "phone": phone,
        "birthday": _birthday(rng, profile.guest_type, anchor),
        "guest_type": profile.guest_type,
        "nationality": profile.nationality,
        "lang": lang,
        "is_vip": profile.is_vip,
        "company_name": profile.company[0] if profile.company else "",
        "preferences": _preferences(rng, profile),
    }


def iter_guests(n_guests, seed=42, anchor=ANCHOR):
    for i in range(n_guests):
        yield make_guest(i, seed, anchor)


# ---------------------------------------------------------------------------
# Calendar: seasonality, weekday patterns and price factors
# ---------------------------------------------------------------------------
SPRING_FESTIVAL = {
    2019: (2, 5), 2020: (1, 25), 2021: (2, 12), 2022: (2, 1), 2023: (1, 22), 2024: (2, 10),
    2025: (1, 29), 2026: (2, 17), 2027: (2, 6), 2028: (1, 26), 2029: (2, 13), 2030: (2, 3),
    2031: (1, 23),
}
# Check-in weekday factors, Monday first.
WEEKDAY_BUSINESS = (1.5, 1.4, 1.2, 0.8, 0.4, 0.3, 1.1)
WEEKDAY_LEISURE = (0.6, 0.6, 0.7, 0.9, 1.9, 1.5, 0.7)
WEEKDAY_RESORT_LEISURE = (0.5, 0.5, 0.6, 0.9, 2.2, 1.7, 0.6)
WEEKDAY_GROUP = (0.8, 0.8, 0.9, 1.0, 1.4, 1.2, 0.9)


def _day_flags(d):
    sf_month, sf_day = SPRING_FESTIVAL.get(d.year, (2, 1))
    sf = datetime.date(d.year, sf_month, sf_day)
    sf_next = SPRING_FESTIVAL.get(d.year + 1)
    near_sf = abs((d - sf).days) <= 7 or (
        sf_next is not None and (datetime.date(d.year + 1, *sf_next) - d).days <= 7)
    m, day = d.month, d.day
    return {
        "golden_week": m == 10 and day <= 7,
        "pre_gw": m == 9 and day >= 28,
        "spring_festival": near_sf,
        "may_day": m == 5 and day <= 5,
        "summer": m in (7, 8),
        "year_end": (m == 12 and day >= 20) or (m == 1 and day <= 3),
        "biz_season": m in (3, 4, 5, 6, 9, 11) or (m == 10 and day > 7),
        "winter": m in (12, 1, 2),
    }


def _demand(d, flags, prop, gtype):
    wd = d.weekday()
    if gtype == "business":
        f = WEEKDAY_BUSINESS[wd]
        if flags["golden_week"]:
            f *= 0.2
        if flags["spring_festival"]:
            f *= 0.25
        if flags["may_day"]:
            f *= 0.4
        if flags["year_end"]:
            f *= 0.5
        if flags["summer"]:
            f *= 0.8
        if flags["biz_season"]:
            f *= 1.15
        if prop == "hangzhou" and wd in (1, 2):
            f *= 1.2  # mid-week conferences at the resort
        return f
    if gtype == "group":
        f = WEEKDAY_GROUP[wd]
        if flags["golden_week"]:
            f *= 1.8
        if flags["spring_festival"]:
            f *= 0.6
        if flags["may_day"]:
            f *= 1.5
        if flags["summer"]:
            f *= 1.3
        return f
    # leisure and family
    resort = prop == "hangzhou"
    f = (WEEKDAY_RESORT_LEISURE if resort else WEEKDAY_LEISURE)[wd]
    family = gtype == "family"
    if flags["golden_week"]:
        f *= {"hangzhou": 3.0, "shanghai": 2.0, "beijing": 1.8}[prop]
    elif flags["pre_gw"]:
        f *= 1.3
    if flags["spring_festival"]:
        f *= {"hangzhou": 1.7, "shanghai": 1.4, "beijing": 0.9}[prop] * (1.2 if family else 1.0)
    if flags["may_day"]:
        f *= 2.0 if resort else 1.6
    if flags["summer"]:
        if family:
            f *= 2.4 if resort else 1.7
        else:
            f *= 1.5 if resort else 1.15
    if flags["year_end"] and prop == "shanghai":
        f *= 1.3
    if flags["winter"] and resort and not flags["spring_festival"]:
        f *= 0.65
    return f


def _price_factor(d, flags, prop):
    wd = d.weekday()
    f = 1.0
    if wd in (4, 5):  # Friday and Saturday nights
        f *= {"beijing": 0.85, "hangzhou": 1.2, "shanghai": 1.05}[prop]
    if flags["golden_week"]:
        f *= {"beijing": 1.3, "hangzhou": 1.7, "shanghai": 1.4}[prop]
    if flags["spring_festival"]:
        f *= {"beijing": 0.8, "hangzhou": 1.3, "shanghai": 1.1}[prop]
    if flags["may_day"]:
        f *= {"beijing": 1.1, "hangzhou": 1.5, "shanghai": 1.25}[prop]
    if flags["summer"]:
        f *= {"beijing": 0.95, "hangzhou": 1.25, "shanghai": 1.05}[prop]
    if flags["biz_season"] and wd < 4:
        f *= {"beijing": 1.1, "hangzhou": 1.0, "shanghai": 1.05}[prop]
    if flags["winter"] and prop == "hangzhou" and not flags["spring_festival"]:
        f *= 0.85
    return f


class _Calendar:
    """Per-anchor precomputed tables (day index 0 = first day of the history)."""

    def __init__(self, anchor):
        self.anchor = anchor
        try:
            start = anchor.replace(year=anchor.year - HISTORY_YEARS)
        except ValueError:  # 29 February
            start = anchor.replace(year=anchor.year - HISTORY_YEARS, day=28)
        self.start = start + datetime.timedelta(days=1)
        self.start_ord = self.start.toordinal()
        self.anchor_idx = anchor.toordinal() - self.start_ord
        n_days = self.anchor_idx + FUTURE_DAYS + 1
        self.last_idx = n_days - 1
        # dates (and price factors) beyond the last check-in, for check-out and long stays
        self.dates = [self.start + datetime.timedelta(days=i) for i in range(-200, n_days + 40)]
        self.date_offset = 200
        flags = [_day_flags(d) for d in self.dates]
        self.price = {
            p: [_price_factor(d, fl, p) for d, fl in zip(self.dates, flags, strict=True)]
            for p in PROPERTY_KEYS
        }
        self.checkin = {}
        for p in PROPERTY_KEYS:
            for g in GUEST_TYPES:
                pairs = []
                for i in range(n_days):
                    j = i + self.date_offset
                    trend = 0.8 + 0.4 * i / n_days  # the group grows year on year
                    pairs.append((i, _demand(self.dates[j], flags[j], p, g) * trend))
                self.checkin[p, g] = _Weighted(pairs)
        # rate growth: ~4 % a year, applied per check-in day
        self.growth = [1.0 + 0.04 * (i - self.date_offset) / 365.0 for i in range(len(self.dates))]

    def date(self, idx):
        return self.dates[idx + self.date_offset]


_CALENDARS = {}


def _calendar(anchor):
    cal = _CALENDARS.get(anchor)
    if cal is None:
        cal = _CALENDARS[anchor] = _Calendar(anchor)
    return cal


# ---------------------------------------------------------------------------
# Stays
# ---------------------------------------------------------------------------
BASE_RATES = {  # CNY per night, before season, plan and growth factors
    "beijing": {"std_king": 688, "std_twin": 658, "deluxe": 988, "exec": 1388, "suite": 2888,
                "family": 1188},
    "hangzhou": {"std_king": 888, "std_twin": 858, "deluxe": 1288, "exec": 1688, "suite": 3688,
                 "family": 1488},
    "shanghai": {"std_king": 788, "std_twin": 758, "deluxe": 1188, "exec": 1588, "suite": 3288,
                 "family": 1288},
}
PLAN_FACTOR = {"bar": 1.0, "adv": 0.85, "bb": 1.12, "corp": 0.82, "pkg": 1.30, "member": 0.92}

_ROOM_BASE = {
    "business": {"std_king": 50, "std_twin": 8, "deluxe": 20, "exec": 18, "suite": 3, "family": 1},
    "leisure": {"std_king": 30, "std_twin": 18, "deluxe": 32, "exec": 8, "suite": 7, "family": 5},
    "family": {"std_king": 8, "std_twin": 22, "deluxe": 15, "exec": 3, "suite": 7, "family": 45},
    "group": {"std_king": 20, "std_twin": 60, "deluxe": 15, "exec": 3, "suite": 1, "family": 1},
}
_ROOM_PROPERTY = {
    "beijing": {"family": 0.3, "exec": 1.2},
    "hangzhou": {"suite": 1.3, "family": 1.3, "exec": 0.7},
    "shanghai": {},
}
_ROOM_VIP = {"suite": 6.0, "exec": 3.0, "std_king": 0.5, "std_twin": 0.3}
ROOM_WEIGHTS = {
    (p, g, vip): _w({
        r: w * _ROOM_PROPERTY[p].get(r, 1.0) * (_ROOM_VIP.get(r, 1.0) if vip else 1.0)
        for r, w in _ROOM_BASE[g].items()
    })
    for p in PROPERTY_KEYS for g in GUEST_TYPES for vip in (False, True)
}
LOS_WEIGHTS = {
    "business": _w({1: 40, 2: 30, 3: 17, 4: 7, 5: 4, 6: 1, 7: 1}),
    "leisure": _w({1: 20, 2: 35, 3: 22, 4: 11, 5: 6, 6: 3, 7: 3}),
    "family": _w({1: 8, 2: 25, 3: 27, 4: 18, 5: 11, 6: 5, 7: 6}),
    "group": _w({1: 15, 2: 35, 3: 30, 4: 15, 5: 5}),
}
LEAD_MEAN = {  # mean lead time (days) of the exponential part, OTA/direct online
    "ctrip": 12, "meituan": 5, "fliggy": 14, "booking": 20, "expedia": 25, "website": 15, "app": 8,
}
CANCEL_RATE = {
    "booking": 0.15, "expedia": 0.13, "ctrip": 0.11, "fliggy": 0.10, "meituan": 0.11,
    "website": 0.07, "app": 0.06, "phone": 0.06, "corporate": 0.05, "group": 0.07, "walk_in": 0.0,
}
NO_SHOW_RATE = {
    "booking": 0.04, "expedia": 0.035, "ctrip": 0.035, "fliggy": 0.03, "meituan": 0.04,
    "website": 0.025, "app": 0.025, "phone": 0.035, "corporate": 0.012, "group": 0.01,
    "walk_in": 0.0,
}


def _lead_time(rng, channel):
    if channel == "walk_in":
        return 0
    if channel == "corporate":
        return min(7, int(rng.expovariate(1 / 2.0)))
    if channel == "phone":
        return min(14, int(rng.expovariate(1 / 4.0)))
    if channel == "group":
        return int(rng.triangular(14, 120, 35))
    lead = 1 + int(rng.expovariate(1 / (LEAD_MEAN[channel] - 1)))
    return lead if lead <= 60 else rng.randint(1, 60)


def _rate_plan(rng, channel, gtype, lead):
    r = rng.random()
    if channel == "corporate":
        return "corp" if r < 0.9 else "bar"
    if channel == "group":
        return "pkg" if r < 0.4 else "bb"
    if channel == "walk_in":
        return "bar" if r < 0.85 else "bb"
    if channel == "phone":
        return "bar" if r < 0.6 else "bb" if r < 0.85 else "member"
    pkg = 0.12 if gtype in ("leisure", "family") else 0.02
    if channel in ("website", "app"):
        if r < 0.45:
            return "member"
        r = (r - 0.45) / 0.55
    if lead >= 14 and r < 0.40:
        return "adv"
    if r < 0.40 + 0.22:
        return "bb"
    if r < 0.40 + 0.22 + pkg:
        return "pkg"
    return "bar"


def _booking_type(channel, plan, gtype):
    if channel == "corporate" or (plan == "corp" and gtype == "business"):
        return "corporate"
    if channel == "group":
        return "group"
    if plan == "pkg":
        return "package"
    return "individual"


def _party(rng, gtype):
    if gtype == "business":
        return (1 if rng.random() < 0.85 else 2), 0
    if gtype == "family":
        adults = 2 if rng.random() < 0.85 else rng.choice((1, 3, 4))
        r = rng.random()
        return adults, (1 if r < 0.55 else 2 if r < 0.92 else 3)
    if gtype == "group":
        return (2 if rng.random() < 0.8 else rng.choice((1, 3))), 0
    r = rng.random()
    adults = 2 if r < 0.65 else 1 if r < 0.92 else 3
    return adults, (1 if rng.random() < 0.05 else 0)


def _extras(rng, prop, gtype, plan, nights, adults, children):
    """(F&B, other) spend of a completed stay, in CNY."""
    fb = 0.0
    for _ in range(nights):
        if plan not in ("bb", "pkg") and rng.random() < 0.35:
            fb += (adults + 0.5 * children) * rng.uniform(88, 168)  # breakfast
        if gtype == "business":
            if rng.random() < 0.35:
                fb += rng.uniform(80, 400)
        elif gtype == "group":
            if rng.random() < 0.8:
                fb += adults * rng.uniform(120, 260)
        elif gtype == "family":
            if rng.random() < 0.7:
                fb += rng.uniform(200, 800)
        elif rng.random() < 0.5:
            fb += rng.uniform(150, 600) * (1.2 if prop == "hangzhou" else 1.0)
    other = 0.0
    if prop == "hangzhou" and gtype in ("leisure", "family") and rng.random() < 0.25:
        other += rng.uniform(480, 1680)  # spa
    elif prop != "hangzhou" and rng.random() < 0.06:
        other += rng.uniform(298, 880)  # spa / gym day pass
    if gtype == "business" and rng.random() < 0.2:
        other += rng.uniform(50, 300)  # laundry
    if rng.random() < 0.15:
        other += rng.uniform(30, 200)  # minibar
    if rng.random() < 0.10:
        other += nights * rng.choice((50, 60, 80, 100))  # parking
    if rng.random() < 0.05:
        other += rng.choice((200, 300, 500))  # late check-out
    return fb, other


def _allocate(profiles_weights, n_stays):
    """Stay count per guest; sums exactly to ``n_stays``.

    Occasional guests (tier 0) get their weight (1-3 stays) as count, the
    frequent ones share the rest in proportion to their weight.  Integer
    arithmetic only, so the result is exact and platform independent.
    """
    fixed = sum(w for tier, w in profiles_weights if tier == 0)
    heavy = [(i, w) for i, (tier, w) in enumerate(profiles_weights) if tier != 0]
    counts = [0] * len(profiles_weights)
    if heavy and n_stays >= fixed + len(heavy):
        for i, (tier, w) in enumerate(profiles_weights):
            if tier == 0:
                counts[i] = w
        rest = n_stays - fixed - len(heavy)  # each frequent guest gets at least 1
        total = sum(w for _, w in heavy)
        cum, prev = 0, 0
        for i, w in heavy:
            cum += w
            share = (rest * cum + total // 2) // total
            counts[i] = 1 + share - prev
            prev = share
        return counts
    total = sum(w for _, w in profiles_weights) or 1
    cum, prev = 0, 0
    for i, (_, w) in enumerate(profiles_weights):
        cum += w
        share = (n_stays * cum + total // 2) // total
        counts[i] = share - prev
        prev = share
    return counts


def stay_counts(n_guests, n_stays, seed=42):
    """Number of stays of every guest (list of ints, one per guest)."""
    tw = []
    for i in range(n_guests):
        p = _profile(seed, i)
        tw.append((p.tier, p.weight))
    return _allocate(tw, n_stays)


class _RefMaker:
    """Booking references, unique per (property, channel) by construction.

    OTA references scramble the global stay number with an affine bijection
    (so they look random but can never collide); direct references are
    ``<property>-<year booked>-<sequence>``.
    """

    # channel: (prefix, modulus, multiplier, offset, digits, number added)
    OTA = {
        "ctrip": ("CT", 10 ** 10, 7_368_787_397, 1_234_567_891, 10, 0),
        "meituan": ("MT", 10 ** 12, 738_217_392_813, 305_172_889_013, 12, 0),
        "fliggy": ("", 10 ** 17, 31_415_926_535_897_933, 27_182_818_284_590_451, 17, 2 * 10 ** 17),
        "booking": ("", 9 * 10 ** 9, 6_700_417_111, 4_129_887_301, 10, 10 ** 9),
        "expedia": ("", 10 ** 11, 79_134_821_913, 12_345_678_901, 13, 72 * 10 ** 11),
    }

    def __init__(self):
        self.seq = {}

    def make(self, stay_index, prop, channel, booked_on):
        spec = self.OTA.get(channel)
        if spec:
            prefix, mod, mult, offset, digits, add = spec
            return "%s%0*d" % (prefix, digits, (stay_index * mult + offset) % mod + add)
        key = (prop, booked_on.year)
        n = self.seq.get(key, 0) + 1
        self.seq[key] = n
        kind = {"corporate": "C", "group": "G"}.get(channel, "")
        return "%s-%s%d-%06d" % (PROPERTIES[prop]["code"], kind, booked_on.year, n)


def _guest_stays(seed, index, count, profile, cal):
    """Stays of one guest, sorted by check-in (``key``/``booking_ref`` still empty)."""
    rng = _rng(seed, "stays", index)
    rand = rng.random
    gtype = profile.guest_type
    region = "CN" if profile.chinese_name or profile.nationality == "US" else "INTL"
    channels = MAIN_CHANNEL[region, gtype]
    main_channel, home, has_company = profile.main_channel, profile.home, bool(profile.company)
    home_share = HOME_SHARE[profile.tier]
    others = [p for p in PROPERTY_KEYS if p != home]
    checkin = {p: cal.checkin[p, gtype] for p in PROPERTY_KEYS}
    los_weights = LOS_WEIGHTS[gtype]
    anchor_idx = cal.anchor_idx
    occupied = set()
    raw = []
    for k in range(count):
        for attempt in range(25):
            prop = home if rand() < home_share else others[rand() < 0.5]
            # the first booking is always made through the guest's main channel
            # (where an OTA relay e-mail address comes from)
            if k == 0 or rand() < MAIN_CHANNEL_SHARE:
                channel = main_channel
            else:
                channel = channels.pick(rng)
            if channel == "corporate" and not has_company:
                channel = "website"
            ci = checkin[prop].pick(rng)
            lead = _lead_time(rng, channel)
            los = los_weights.pick(rng)
            if rand() < 0.01:
                los = rng.randint(8, 14)
            last = attempt == 24
            if ci - lead > anchor_idx:  # not booked yet on the anchor date
                if not last:
                    continue
                ci = anchor_idx
            nights = range(ci, ci + los)
            if last or occupied.isdisjoint(nights):
                break
        occupied.update(nights)
        raw.append((ci, los, prop, channel, lead, rand()))
    raw.sort()

    out = []
    gkey = guest_key(index)
    off = cal.date_offset
    dates, growth = cal.dates, cal.growth
    room_weights = {p: ROOM_WEIGHTS[p, gtype, profile.is_vip] for p in PROPERTY_KEYS}
    for ci, los, prop, channel, lead, r in raw:
        plan = _rate_plan(rng, channel, gtype, lead)
        room = room_weights[prop].pick(rng)
        adults, children = _party(rng, gtype)
        if room == "family" and children == 0 and gtype != "group" and rand() < 0.5:
            children = 1
        co = ci + los
        cancel = CANCEL_RATE[channel]
        if ci > anchor_idx:
            state = "cancelled" if r < cancel * 0.6 else "booked"
        elif r < cancel:
            state = "cancelled"
        elif r < cancel + NO_SHOW_RATE[channel] and ci < anchor_idx:
            state = "no_show"
        elif co <= anchor_idx:
            state = "checked_out"
        else:
            state = "in_house"
        # room revenue: integer nightly rates with the property's per-night price factors
        rate = (BASE_RATES[prop][room] * PLAN_FACTOR[plan] * rng.uniform(0.93, 1.07)
                * growth[ci + off])
        price = cal.price[prop]
        first_night = round(rate * price[ci + off])
        amount_room = first_night + sum([round(rate * f) for f in price[ci + off + 1:co + off]])
        fb, other = _extras(rng, prop, gtype, plan, los, adults, children)
        if state == "cancelled":
            # non-refundable advance purchase keeps the first night
            amount_room = first_night if plan == "adv" else 0
            fb = other = 0.0
        elif state == "no_show":
            amount_room = first_night if channel != "walk_in" else 0
            fb = other = 0.0
        elif state == "booked":
            fb = other = 0.0
        elif state == "in_house":
            done = (anchor_idx - ci + 1) / los
            fb, other = fb * done, other * done
        out.append({
            "key": "",
            "guest_key": gkey,
            "property_key": prop,
            "channel_code": channel,
            "booking_ref": "",
            "booked_on": dates[ci - lead + off],
            "check_in": dates[ci + off],
            "check_out": dates[co + off],
            "room_type_code": room,
            "rate_plan_code": plan,
            "booking_type": _booking_type(channel, plan, gtype),
            "adults": adults,
            "children": children,
            "state": state,
            "amount_room": float(amount_room),
            "amount_fb": round(fb, 2),
            "amount_other": round(other, 2),
            "currency": CURRENCY,
        })
    return out


STAY_FIELDS = (
    "key", "guest_key", "property_key", "channel_code", "booking_ref", "booked_on", "check_in",
    "check_out", "room_type_code", "rate_plan_code", "booking_type", "adults", "children", "state",
    "amount_room", "amount_fb", "amount_other", "currency",
)
GUEST_FIELDS = (
    "key", "name", "email", "phone", "birthday", "guest_type", "nationality", "lang", "is_vip",
    "company_name", "preferences",
)


def iter_stays(n_guests, n_stays, seed=42, anchor=ANCHOR):
    """Stream ``n_stays`` stays over ``n_guests`` guests, guest by guest."""
    cal = _calendar(anchor)
    counts = stay_counts(n_guests, n_stays, seed)
    make_ref = _RefMaker().make
    n = 0
    for i, count in enumerate(counts):
        if not count:
            continue
        for stay in _guest_stays(seed, i, count, _profile(seed, i), cal):
            stay["key"] = stay_key(n)
            stay["booking_ref"] = make_ref(n, stay["property_key"], stay["channel_code"],
                                           stay["booked_on"])
            yield stay
            n += 1


# ---------------------------------------------------------------------------
# Dataset
# ---------------------------------------------------------------------------
@dataclass
class Dataset:
    guests: list
    stays: list
    size: str = ""
    seed: int = 42
    anchor: datetime.date = ANCHOR


def generate(size="test", seed=42, anchor=ANCHOR):
    n_guests, n_stays = SIZES[size]
    return Dataset(
        guests=list(iter_guests(n_guests, seed, anchor)),
        stays=list(iter_stays(n_guests, n_stays, seed, anchor)),
        size=size, seed=seed, anchor=anchor,
    )


# ---------------------------------------------------------------------------
# Output: CSV
# ---------------------------------------------------------------------------
def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return "%.2f" % value
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        return json.dumps([list(v) for v in value], ensure_ascii=False)
    return str(value)


def write_csv(dataset_or_iterators, directory):
    """Write ``guests.csv`` and ``stays.csv`` (UTF-8, header row) into ``directory``.

    Accepts a :class:`Dataset` or a ``(guests_iterable, stays_iterable)`` pair
    (streams are written without being materialised).  Booleans are ``1``/``0``,
    dates ISO, amounts with 2 decimals, preferences a JSON list of
    ``[category_code, value, note]``.  Returns the two paths.
    """
    if isinstance(dataset_or_iterators, Dataset):
        guests, stays = dataset_or_iterators.guests, dataset_or_iterators.stays
    else:
        guests, stays = dataset_or_iterators
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, fields, rows in (("guests.csv", GUEST_FIELDS, guests),
                               ("stays.csv", STAY_FIELDS, stays)):
        path = directory / name
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(fields)
            for row in rows:
                writer.writerow([_csv_value(row[f]) for f in fields])
        paths.append(path)
    return paths


# ---------------------------------------------------------------------------
# Output: Odoo demo XML
# ---------------------------------------------------------------------------
def _attr(value):
    return escape(str(value), {'"': "&quot;"})


def date_eval(value, anchor=ANCHOR):
    """Odoo ``eval`` expression giving ``value`` shifted so that anchor = install day."""
    delta = (anchor - value).days
    if delta == 0:
        return "DateTime.today().strftime('%Y-%m-%d')"
    sign = "-" if delta > 0 else "+"
    return "(DateTime.today() %s relativedelta(days=%d)).strftime('%%Y-%%m-%%d')" % (
        sign, abs(delta))


def guest_xmlid(key):
    return "guest_%s_demo" % key.lower()


def stay_xmlid(key):
    return "stay_%s_demo" % key.lower()


def property_xmlid(key):
    return "property_%s_demo" % key


def write_demo_xml(dataset, path, anchor=None):
    """Write the Odoo 18 demo data file (companies, guests, preferences, stays)."""
    anchor = anchor or getattr(dataset, "anchor", None) or ANCHOR
    lines = []
    add = lines.append

    def field(name, text):
        add('        <field name="%s">%s</field>' % (name, escape(str(text))))

    def ref(name, xmlid):
        add('        <field name="%s" ref="%s"/>' % (name, _attr(xmlid)))

    def evalf(name, expr):
        add('        <field name="%s" eval="%s"/>' % (name, _attr(expr)))

    add('<?xml version="1.0" encoding="utf-8"?>')
    add("<!--")
    add("    Generated by data/hotel_data: python3 -m hotel_data write-demo-xml")
    add("    (size=%s, seed=%s, anchor=%s). Do not edit by hand, regenerate instead."
        % (getattr(dataset, "size", "") or "custom", getattr(dataset, "seed", ""), anchor))
    add("    Dates are written relative to the installation day, which plays the anchor date.")
    add("-->")
    add("<odoo>")
    add("    <!-- Properties of the hotel group -->")
    for key, prop in PROPERTIES.items():
        add('    <record id="%s" model="res.company">' % property_xmlid(key))
        field("name", prop["name"])
        ref("currency_id", "base.CNY")
        ref("country_id", "base.cn")
        field("city", prop["city"])
        field("street", prop["street"])
        field("zip", prop["zip"])
        field("phone", prop["phone"])
        field("email", prop["email"])
        add("    </record>")

    add("")
    add("    <!-- Guests and their preferences -->")
    pref_n = 0
    for g in dataset.guests:
        gid = guest_xmlid(g["key"])
        add('    <record id="%s" model="res.partner">' % gid)
        field("name", g["name"])
        if g["email"]:
            field("email", g["email"])
        if g["phone"]:
            field("phone", g["phone"])
        evalf("is_guest", "True")
        field("guest_type", g["guest_type"])
        if g["birthday"]:
            evalf("birthday", date_eval(g["birthday"], anchor))
        ref("nationality_id", country_xmlid(g["nationality"]))
        evalf("is_vip", "True" if g["is_vip"] else "False")
        if g["company_name"]:
            field("company_name", g["company_name"])
        add("    </record>")
        for cat, value, note in g["preferences"]:
            pref_n += 1
            add('    <record id="guest_pref_%d_demo" model="hotel.guest.preference">' % pref_n)
            ref("partner_id", gid)
            ref("category_id", "hotel_crm.pref_cat_%s" % cat)
            field("value", value)
            if note:
                field("note", note)
            add("    </record>")

    add("")
    add("    <!-- Stays -->")
    for s in dataset.stays:
        add('    <record id="%s" model="hotel.stay">' % stay_xmlid(s["key"]))
        ref("partner_id", guest_xmlid(s["guest_key"]))
        ref("company_id", property_xmlid(s["property_key"]))
        ref("channel_id", "hotel_crm.channel_%s" % s["channel_code"])
        field("booking_ref", s["booking_ref"])
        evalf("booked_on", date_eval(s["booked_on"], anchor))
        evalf("check_in", date_eval(s["check_in"], anchor))
        evalf("check_out", date_eval(s["check_out"], anchor))
        ref("room_type_id", "hotel_crm.room_type_%s" % s["room_type_code"])
        ref("rate_plan_id", "hotel_crm.rate_plan_%s" % s["rate_plan_code"])
        field("booking_type", s["booking_type"])
        evalf("adults", str(s["adults"]))
        evalf("children", str(s["children"]))
        field("state", s["state"])
        ref("currency_id", "base.%s" % s["currency"])
        evalf("amount_room", "%.2f" % s["amount_room"])
        evalf("amount_fb", "%.2f" % s["amount_fb"])
        evalf("amount_other", "%.2f" % s["amount_other"])
        add("    </record>")
    add("</odoo>")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = "\n".join(lines) + "\n"
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(data)
    os.replace(tmp, path)
    return path


DEFAULT_DEMO_XML = (
    Path(__file__).resolve().parents[2] / "hotel_crm" / "demo" / "hotel_crm_guest_demo.xml"
)
