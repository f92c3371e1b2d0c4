"""Side-by-side throughput of single commands that redis-benchmark's -t list lacks:
PUBLISH to 1 and 100 subscribers, EVALSHA of a small script, SETBIT/BITCOUNT, PFADD/
PFCOUNT, XADD, XREADGROUP, and MULTI/EXEC of 10 SETs (an asyncio load generator, since
redis-benchmark sends one command at a time).

    .venv/bin/python benchmarks/commands.py [-n 50000] [--rounds 2] [--only publish1,...]

Servers, pinning and interleaving as in run.py (same Server class).
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import Server, pin  # noqa: E402

SCRIPT = "return redis.call('incr', KEYS[1])"

# name -> (setup commands, redis-benchmark command, subscribers)
CASES = {
    "publish1": ([], ["PUBLISH", "ch", "hello"], 1),
    "publish100": ([], ["PUBLISH", "ch", "hello"], 100),
    "evalsha": ([["SCRIPT", "LOAD", SCRIPT]], ["EVALSHA", "{sha}", "1", "counter"], 0),
    "setbit": ([], ["SETBIT", "bits:__rand_int__", "100", "1"], 0),
    "bitcount": ([["SETBIT", "bits", "1000000", "1"]], ["BITCOUNT", "bits"], 0),
    "pfadd": ([], ["PFADD", "hll", "__rand_int__"], 0),
    "pfcount": ([["PFADD", "hll", "a", "b", "c"]], ["PFCOUNT", "hll"], 0),
    "xadd": ([], ["XADD", "s", "*", "f", "v"], 0),
    "xreadgroup": ([["XGROUP", "CREATE", "s2", "g", "0", "MKSTREAM"]],
                   ["XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s2", ">"], 0),
}


def call(port: int, *argv: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"*%d\r\n" % len(argv) + b"".join(
            b"$%d\r\n%s\r\n" % (len(a.encode()), a.encode()) for a in argv))
        return s.recv(65536)


class Subscribers:
    """n connections subscribed to a channel, drained by one thread (never a slow reader)."""

    def __init__(self, port: int, n: int):
        self.socks = []
        for _ in range(n):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"SUBSCRIBE ch\r\n")
            s.recv(100)
            s.setblocking(False)
            self.socks.append(s)
        self.stop_flag = False
        self.thread = threading.Thread(target=self._drain, daemon=True)
        self.thread.start()

    def _drain(self):
        import selectors
        sel = selectors.DefaultSelector()
        for s in self.socks:
            sel.register(s, selectors.EVENT_READ)
        while not self.stop_flag:
            for key, _ in sel.select(0.1):
                try:
                    key.fileobj.recv(1 << 16)
                except BlockingIOError:
                    pass

    def close(self):
        self.stop_flag = True
        self.thread.join(2)
        for s in self.socks:
            s.close()


def bench_command(srv: Server, case: str, n: int, core) -> tuple[float, float]:
    setup, command, subs = CASES[case]
    sha = None
    for cmd in setup:
        reply = call(srv.port, *cmd)
        if cmd[:2] == ["SCRIPT", "LOAD"]:
            sha = reply.split(b"\r\n")[1].decode()
    command = [a.replace("{sha}", sha or "") for a in command]
    subscribers = Subscribers(srv.port, subs) if subs else None
    try:
        cpu0 = srv.cpu_seconds()
        out = subprocess.run(pin(core) + ["redis-benchmark", "-h", "127.0.0.1", "-p",
                                          str(srv.port), "-n", str(n), "-c", "50",
                                          "-r", "100000", "--csv", *command],
                             capture_output=True, text=True, timeout=300, check=True)
        cpu = srv.cpu_seconds() - cpu0
    finally:
        if subscribers:
            subscribers.close()
    rps = float(next(csv.DictReader(io.StringIO(out.stdout)))["rps"])
    return rps, cpu / n * 1e6


async def _multi_client(port: int, txs: int):
    r, w = await asyncio.open_connection("127.0.0.1", port)
    block = b"MULTI\r\n" + b"".join(b"SET k%d v\r\n" % i for i in range(10)) + b"EXEC\r\n"
    for _ in range(txs):
        w.write(block)
        need = b"*10\r\n"
        buf = b""
        while not buf.endswith(b"+OK\r\n" * 10) or need not in buf:
            buf += await r.read(4096)
    w.close()


def bench_multi(srv: Server, n: int) -> tuple[float, float]:
    """MULTI + 10 SETs + EXEC from 50 connections; transactions per second."""
    clients = 50
    per = max(1, n // (clients * 10))
    cpu0 = srv.cpu_seconds()
    t0 = time.perf_counter()

    async def main():
        await asyncio.gather(*(_multi_client(srv.port, per) for _ in range(clients)))
    asyncio.run(main())
    secs = time.perf_counter() - t0
    txs = per * clients
    return txs / secs, (srv.cpu_seconds() - cpu0) / txs * 1e6


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=50_000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--only", default=",".join(list(CASES) + ["multi10"]))
    ap.add_argument("--python", default=sys.executable)
    args = ap.parse_args(argv)
    pinned = shutil.which("taskset") is not None and (os.cpu_count() or 1) > 1
    core_srv, core_bench = (0, 1) if pinned else (None, None)
    workdir = tempfile.mkdtemp(prefix="ks-cmdbench-")
    servers = {k: Server(k, args.python, core_srv, workdir) for k in ("keyscope", "redis")}
    results: dict = {}
    try:
        for _ in range(args.rounds):
            for case in args.only.split(","):
                for kind, srv in servers.items():
                    srv.flush()
                    if case == "multi10":
                        rps, us = bench_multi(srv, args.n)
                    else:
                        rps, us = bench_command(srv, case, args.n, core_bench)
                    results.setdefault((case, kind), []).append((rps, us))
                    print(f"{case:11} {kind:9} {rps:>12,.0f}/s  {us:7.2f} µs CPU/op",
                          file=sys.stderr)
    finally:
        for srv in servers.values():
            srv.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"\n-c 50 -n {args.n}, {args.rounds} interleaved round(s), median"
          + (", server core 0 / benchmark core 1" if pinned else ""))
    print(f"{'case':11} {'keyscope/s':>12} {'redis/s':>12} {'ratio':>6} {'CPU µs ours':>12} "
          f"{'redis':>7}")
    for case in args.only.split(","):
        o = results.get((case, "keyscope"))
        r = results.get((case, "redis"))
        if not o or not r:
            continue
        orps = statistics.median(x[0] for x in o)
        rrps = statistics.median(x[0] for x in r)
        ous = statistics.median(x[1] for x in o)
        rus = statistics.median(x[1] for x in r)
        print(f"{case:11} {orps:>12,.0f} {rrps:>12,.0f} {orps / rrps:>6.2f} {ous:>12.2f} "
              f"{rus:>7.2f}")
    print("(multi10 is driven by a Python asyncio generator on the benchmark core; "
          "transactions/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
