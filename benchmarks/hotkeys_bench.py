"""What the exact hot-key counters (and maxmemory bookkeeping) cost.

    .venv/bin/python benchmarks/hotkeys_bench.py [-n 200000] [--keys 100000] [--server]

Runs GET, SET, MGET (10 keys) and INCR through Engine.execute (no sockets: the
command path alone, where the counting happens) with ``keyscope-hotkeys`` off and on,
over ``--keys`` distinct keys drawn at random, and prints CPU microseconds per command
(best of 5 runs) and the overhead of counting.  Off, the counters cost nothing but the
dispatcher's gate tests, which are shared with maxmemory and CLIENT PAUSE.

``--server``: also drives a keyscope-server (started and stopped here, one per setting)
with redis-benchmark (SET and GET, -P 16, random keys) with hot keys off, on, and with
a maxmemory that is never reached, and prints the server's CPU microseconds per request
(from /proc, steadier than requests/s on a shared machine).
"""
from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import time

from common import ROOT, connectable, cpu_seconds, free_port, stop_process

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


def server_bench(n: int, keys: int):
    bench = shutil.which("redis-benchmark")
    if bench is None:
        print("redis-benchmark is not installed")
        return
    settings = [("hot keys off", []), ("hot keys on", ["--keyscope-hotkeys", "yes"]),
                ("maxmemory 4gb (never reached)", ["--maxmemory", "4gb",
                                                   "--maxmemory-policy", "allkeys-lru"])]
    print(f"\nkeyscope-server, redis-benchmark -t set,get -P 16 -r {keys} -n {n}")
    for name, extra in settings:
        port = free_port()
        proc = subprocess.Popen([sys.executable, "-m", "netserver", "--port", str(port),
                                 "--save", "", *extra], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                if connectable(port):
                    break
                time.sleep(0.05)
            t0 = cpu_seconds(proc.pid)
            subprocess.run([bench, "-p", str(port), "-t", "set,get", "-P", "16", "-r",
                            str(keys), "-n", str(n), "-q"], capture_output=True, timeout=600)
            used = cpu_seconds(proc.pid) - t0
            print(f"  {name:32} {used / (2 * n) * 1e6:6.2f} us CPU per request")
        finally:
            stop_process(proc, 10)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=200_000)
    ap.add_argument("--keys", type=int, default=100_000)
    ap.add_argument("--server", action="store_true")
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
    if args.server:
        server_bench(args.n, args.keys)


if __name__ == "__main__":
    main()
