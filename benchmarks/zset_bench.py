"""Sorted sets against redis-server, and how their cost grows with size.

    .venv/bin/python benchmarks/zset_bench.py [-n 200000] [--skip-server] [--big 1000000]

1. Side by side: redis-benchmark drives a redis-server and a keyscope-server (each its
   own process, started and stopped here) with ZADD: the stock test (one member, score 0),
   random members and scores (-r), pipelined (-P 16) and not.  Reports requests/s, the
   server's CPU µs per request (steadier than requests/s on a shared machine) and the
   ratio to redis-server.  Target: >= 0.3x with -P 16.
2. Growth: CPU µs per ZADD of a new member (through Engine.execute) into sets of 10k and
   of ``--big`` members, and per ZRANK / ZRANGEBYSCORE LIMIT 0 10 / ZREM on them.  An
   O(log n) structure costs about the same at both sizes (ratio near 1, cache misses
   aside); an O(n) one would cost ~100x more.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

SCENARIOS = [
    ("ZADD -P 16 (stock: one member)", ["-t", "zadd", "-P", "16"]),
    ("ZADD -P 16 -r 100000", ["-t", "zadd", "-P", "16", "-r", "100000"]),
    ("ZADD -P 1 -c 50 -r 100000", ["-t", "zadd", "-r", "100000"]),
    ("ZPOPMIN -P 16", ["-t", "zpopmin", "-P", "16"]),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 15.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start(kind: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    common = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    if kind == "redis":
        cmd = [shutil.which("redis-server"), *common]
    else:
        cmd = [sys.executable, "-m", "netserver", *common]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    wait_port(port)
    return proc, port


def bench(port: int, pid: int, args: list, n: int) -> tuple[float, float]:
    subprocess.run(["redis-cli", "-p", str(port), "FLUSHALL"], capture_output=True)
    cpu0 = cpu_seconds(pid)
    out = subprocess.run(["redis-benchmark", "-p", str(port), "-n", str(n), "-q", *args],
                         capture_output=True, text=True).stdout
    cpu = cpu_seconds(pid) - cpu0
    m = re.findall(r"([\d.]+) requests per second", out.replace("\r", "\n"))
    rps = float(m[-1]) if m else 0.0
    return rps, cpu / n * 1e6


def side_by_side(n: int):
    procs = {kind: start(kind) for kind in ("redis", "keyscope")}
    try:
        print(f"{'scenario':34} {'redis rps':>10} {'µs/req':>7} {'ours rps':>10} "
              f"{'µs/req':>7} {'ratio':>6}")
        for name, args in SCENARIOS:
            res = {k: bench(port, p.pid, args, n) for k, (p, port) in procs.items()}
            (rr, rc), (kr, kc) = res["redis"], res["keyscope"]
            print(f"{name:34} {rr:10.0f} {rc:7.2f} {kr:10.0f} {kc:7.2f} "
                  f"{kr / rr if rr else 0:6.2f}")
    finally:
        for proc, _ in procs.values():
            proc.terminate()
            proc.wait(10)


def growth(big: int):
    from engine.engine import Engine

    def per_op(eng, c, cmds) -> float:
        ex = eng.execute
        t = time.process_time()
        for a in cmds:
            ex(c, a)
        return (time.process_time() - t) / len(cmds) * 1e6

    rng = random.Random(1)
    rows = {}
    for size in (10_000, big):
        eng = Engine(rng=random.Random(2))
        c = eng.connect()
        z = [b"ZADD", b"z"]
        for i in range(0, size, 1000):      # fill in bulk, scores spread at random
            args = []
            for j in range(i, min(size, i + 1000)):
                args += [b"%d" % rng.randrange(10 * size), b"m%d" % j]
            eng.execute(c, z + args)
        probe = 20_000
        news = [[b"ZADD", b"z", b"%d" % rng.randrange(10 * size), b"n%d" % i]
                for i in range(probe)]
        ranks = [[b"ZRANK", b"z", b"m%d" % rng.randrange(size)] for _ in range(probe)]
        ranges = [[b"ZRANGEBYSCORE", b"z", b"%d" % rng.randrange(10 * size), b"+inf",
                   b"LIMIT", b"0", b"10"] for _ in range(probe)]
        rems = [[b"ZREM", b"z", b"n%d" % i] for i in range(probe)]
        rows[size] = [per_op(eng, c, cmds) for cmds in (news, ranks, ranges, rems)]
    print(f"\n{'CPU µs per op':22} {'ZADD new':>9} {'ZRANK':>9} {'ZRANGEBYSCORE':>14} "
          f"{'ZREM':>9}")
    for size, vals in rows.items():
        print(f"{size:>22,} " + " ".join(f"{v:9.2f}" if i != 2 else f"{v:14.2f}"
                                          for i, v in enumerate(vals)))
    small, large = rows[10_000], rows[big]
    print(f"{'ratio':>22} " + " ".join(f"{b / a:9.2f}" if i != 2 else f"{b / a:14.2f}"
                                       for i, (a, b) in enumerate(zip(small, large))))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=200_000, help="requests per scenario")
    ap.add_argument("--big", type=int, default=1_000_000, help="members of the large set")
    ap.add_argument("--skip-server", action="store_true", help="only the growth part")
    ns = ap.parse_args()
    if not ns.skip_server:
        side_by_side(ns.n)
    growth(ns.big)


if __name__ == "__main__":
    main()
