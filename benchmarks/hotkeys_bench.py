"""What the exact hot-key counters cost the dispatcher.

    .venv/bin/python benchmarks/hotkeys_bench.py [-n 200000] [--keys 100000]

Runs GET, SET, MGET (10 keys) and INCR through Engine.execute (no sockets: the
command path alone, where the counting happens) with ``keyscope-hotkeys`` off and on,
over ``--keys`` distinct keys drawn at random, and prints CPU microseconds per command
(best of 5 runs) and the overhead of counting.  Off, the counters cost nothing but the
dispatcher's single gate test, which is shared with maxmemory and CLIENT PAUSE.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from engine import Engine  # noqa: E402


def bench(e, c, cmds, repeat: int = 5) -> float:
    ex = e.execute
    best = float("inf")
    for _ in range(repeat):
        t = time.process_time()
        for argv in cmds:
            ex(c, argv)
        best = min(best, time.process_time() - t)
    return best / len(cmds) * 1e6


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=200_000)
    ap.add_argument("--keys", type=int, default=100_000)
    args = ap.parse_args()
    rng = random.Random(1)
    keys = [b"key:%d" % rng.randrange(args.keys) for _ in range(args.n)]
    workloads = {
        "GET": [[b"GET", k] for k in keys],
        "SET": [[b"SET", k, b"value"] for k in keys],
        "INCR": [[b"INCR", b"n" + k] for k in keys],
        "MGET x10": [[b"MGET", *keys[i:i + 10]] for i in range(0, args.n, 10)],
    }
    print(f"{'command':10} {'off us':>8} {'on us':>8} {'overhead':>9}")
    for name, cmds in workloads.items():
        res = []
        for on in (b"no", b"yes"):
            e = Engine()
            c = e.connect()
            for k in set(keys):
                e.execute(c, [b"SET", k, b"value"])
            e.execute(c, [b"CONFIG", b"SET", b"keyscope-hotkeys", on])
            res.append(bench(e, c, cmds))
            if on == b"yes":
                top = e.hotkeys.top(3)
        off, on_ = res
        print(f"{name:10} {off:8.2f} {on_:8.2f} {(on_ / off - 1) * 100:8.1f}%")
    print("hottest (db, key, reads, writes):", top)


if __name__ == "__main__":
    main()
