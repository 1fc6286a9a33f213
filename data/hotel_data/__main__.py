"""Command line: ``python3 -m hotel_data <command>`` (run from the ``data`` directory).

Commands::

    write-demo-xml [--out PATH] [--size demo] [--seed 42]
    write-csv --size S --dir D [--seed 42]
    stats --size S [--seed 42]
    write-exports [--dir data/exports] [--size test] [--seed 42]
"""

import argparse
import collections
import sys
import time
from pathlib import Path

from .generator import (
    ANCHOR,
    DEFAULT_DEMO_XML,
    OTA_RELAY_DOMAINS,
    SIZES,
    generate,
    iter_guests,
    iter_stays,
    write_csv,
    write_demo_xml,
)


def _cmd_write_demo_xml(args):
    start = time.perf_counter()
    dataset = generate(args.size, args.seed, ANCHOR)
    path = write_demo_xml(dataset, args.out, ANCHOR)
    print("wrote %s: %d guests, %d stays, %d bytes in %.2fs" % (
        path, len(dataset.guests), len(dataset.stays), Path(path).stat().st_size,
        time.perf_counter() - start))


def _cmd_write_csv(args):
    n_guests, n_stays = SIZES[args.size]
    start = time.perf_counter()
    guests = iter_guests(n_guests, args.seed, ANCHOR)
    stays = iter_stays(n_guests, n_stays, args.seed, ANCHOR)
    paths = write_csv((guests, stays), args.dir)
    for path in paths:
        print("wrote %s (%d bytes)" % (path, Path(path).stat().st_size))
    print("%d guests, %d stays in %.2fs" % (n_guests, n_stays, time.perf_counter() - start))


def _print_counter(title, counter, total):
    print(title)
    for key, n in sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0]))):
        print("  %-14s %9d  %5.1f %%" % (key, n, 100.0 * n / (total or 1)))


def _cmd_stats(args):
    n_guests, n_stays = SIZES[args.size]
    t0 = time.perf_counter()
    g_types, nationality = collections.Counter(), collections.Counter()
    chinese = relay = no_email = vip = 0
    for g in iter_guests(n_guests, args.seed, ANCHOR):
        g_types[g["guest_type"]] += 1
        nationality[g["nationality"]] += 1
        chinese += any("\u4e00" <= c <= "\u9fff" for c in g["name"])
        relay += g["email"].rpartition("@")[2] in OTA_RELAY_DOMAINS
        no_email += not g["email"]
        vip += g["is_vip"]
    t1 = time.perf_counter()
    states, channels, props = (collections.Counter() for _ in range(3))
    per_guest = collections.Counter()
    nights = revenue = 0
    for s in iter_stays(n_guests, n_stays, args.seed, ANCHOR):
        states[s["state"]] += 1
        channels[s["channel_code"]] += 1
        props[s["property_key"]] += 1
        per_guest[s["guest_key"]] += 1
        nights += (s["check_out"] - s["check_in"]).days
        revenue += s["amount_room"] + s["amount_fb"] + s["amount_other"]
    t2 = time.perf_counter()
    print("size=%s seed=%s anchor=%s: %d guests, %d stays" % (
        args.size, args.seed, ANCHOR, n_guests, n_stays))
    print("guests: %.1f %% Chinese names, %.1f %% OTA relay e-mails, %.1f %% without e-mail, "
          "%.1f %% VIP" % tuple(100.0 * x / n_guests for x in (chinese, relay, no_email, vip)))
    _print_counter("guest types", g_types, n_guests)
    _print_counter("nationalities", nationality, n_guests)
    _print_counter("stays by state", states, n_stays)
    _print_counter("stays by channel", channels, n_stays)
    _print_counter("stays by property", props, n_stays)
    freq = collections.Counter()
    for n in per_guest.values():
        freq["1-3" if n <= 3 else "4-9" if n < 10 else "10-19" if n < 20 else "20+"] += 1
    _print_counter("guests by number of stays", freq, n_guests)
    print("nights %d, average length of stay %.2f, revenue %.2f CNY" % (
        nights, nights / (n_stays or 1), revenue))
    print("generation time: guests %.2fs, stays %.2fs, total %.2fs" % (t1 - t0, t2 - t1, t2 - t0))


def _cmd_write_exports(args):
    from .exports import write_sample_exports

    for path in write_sample_exports(args.dir, args.size, args.seed):
        print("wrote", path)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m hotel_data", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("write-demo-xml", help="regenerate the Odoo demo data file")
    p.add_argument("--out", default=str(DEFAULT_DEMO_XML), help="default: %(default)s")
    p.add_argument("--size", default="demo", choices=sorted(SIZES))
    p.add_argument("--seed", type=int, default=42)
    p.set_defaults(func=_cmd_write_demo_xml)

    p = sub.add_parser("write-csv", help="write guests.csv and stays.csv (streamed)")
    p.add_argument("--size", default="test", choices=sorted(SIZES))
    p.add_argument("--dir", required=True)
    p.add_argument("--seed", type=int, default=42)
    p.set_defaults(func=_cmd_write_csv)

    p = sub.add_parser("stats", help="print distributions and generation time")
    p.add_argument("--size", default="test", choices=sorted(SIZES))
    p.add_argument("--seed", type=int, default=42)
    p.set_defaults(func=_cmd_stats)

    p = sub.add_parser("write-exports", help="write sample PMS and OTA export files")
    p.add_argument("--dir", default=str(Path(__file__).resolve().parents[1] / "exports"))
    p.add_argument("--size", default="test", choices=sorted(SIZES))
    p.add_argument("--seed", type=int, default=42)
    p.set_defaults(func=_cmd_write_exports)

    args = parser.parse_args(argv)
    args.func(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
