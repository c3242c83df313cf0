#!/usr/bin/env python3
"""Seeded benchmark data: JSONL events and their exact expected totals.

usage: gen.py EVENTS USERS SEED OUT.jsonl EXPECTED.tsv [--cents] [--spool LINES_PER_REQUEST [--json-spool]]
  --cents   values with 2 decimals (1.00..1000.00) instead of whole 1..1000
  --spool   write outbox spool lines, as the server writes them (the compact form), instead of inbox JSONL
  --json-spool  the spool lines in the JSON form ({"key":null,"events":[...],"crc32":…}: what servers before the
            compact form wrote for every request; to measure an older build)
  --prefix  user id prefix (default "user")
"""
import random
import zlib
import sys

args = [a for i, a in enumerate(sys.argv[1:], 1)
        if not a.startswith("--") and sys.argv[i - 1] not in ("--spool", "--prefix")]
events, users, seed = int(args[0]), int(args[1]), int(args[2])
out, expected_path = args[3], args[4]
cents = "--cents" in sys.argv
spool = int(sys.argv[sys.argv.index("--spool") + 1]) if "--spool" in sys.argv else 0
prefix = sys.argv[sys.argv.index("--prefix") + 1] if "--prefix" in sys.argv else "user"
args = args[:5]

json_spool = "--json-spool" in sys.argv

def spool_line(events):
    """An outbox line as etl.spool.SpoolRecord.line writes it. Compact: "@1<TAB><CRC-32 of the rest><TAB><count><TAB>-"
    and <TAB><userId><TAB><signed cents> per event; JSON: {"key":…,"events":[…],"crc32":"<CRC-32 of what precedes>"}."""
    if json_spool:
        body = '{"key":null,"events":[' + ",".join(
            '{"userId":"%s","name":"%s","value":%d.%02d}' % (u, "subtract_revenue" if c < 0 else "add_revenue",
                                                              abs(c) // 100, abs(c) % 100) for u, c in events) + "]"
        return body + ',"crc32":"%08x"}\n' % (zlib.crc32(body.encode("utf-8")) & 0xFFFFFFFF)
    body = "%d\t-" % len(events) + "".join("\t%s\t%d" % (u, c) for u, c in events)
    return "@1\t%08x\t%s\n" % (zlib.crc32(body.encode("utf-8")) & 0xFFFFFFFF, body)


rnd = random.Random(seed)
totals = {}
with open(out, "w") as f:
    batch = []
    for i in range(events):
        user = "%s%d" % (prefix, rnd.randrange(users))
        if cents:
            c = rnd.randint(100, 100000)
            value = "%d.%02d" % (c // 100, c % 100)
        else:
            c = rnd.randint(1, 1000) * 100
            value = str(c // 100)
        add = i % 2 == 0
        totals[user] = totals.get(user, 0) + (c if add else -c)
        line = '{"userId":"%s","name":"%s","value":%s}' % (user, "add_revenue" if add else "subtract_revenue", value)
        if spool:
            batch.append((user, c if add else -c))  # values are never 0 here: the sign is the event's name
            if len(batch) == spool:
                f.write(spool_line(batch))
                batch = []
        else:
            f.write(line + "\n")
    if batch:
        f.write(spool_line(batch))

with open(expected_path, "w") as f:
    for user in sorted(totals):
        c = totals[user]
        sign = "-" if c < 0 else ""
        c = abs(c)
        f.write("%s\t%s%d.%02d\n" % (user, sign, c // 100, c % 100))
