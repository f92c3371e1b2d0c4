"""BGSAVE of N keys and a cold start from the RDB, keyscope beside redis-server.

    .venv/bin/python benchmarks/bgsave.py [-n 1000000] [--value-size 10]

For each server (its own process, its own temp dir, no save points): fill N string keys
(pipelined MSET), then BGSAVE while one client PINGs back to back; report BGSAVE's own
reply time (the fork, or the dict copies: the one pause a client can meet), the snapshot's
wall time, PING p50/p99/max during it, the extra memory (keyscope: peak RSS minus RSS
before; redis-server: the forked child's copy-on-write as INFO reports it, plus the
child's RSS for scale), the file size; then restart on the file and time the cold start
(process start to first PONG) and the server's own "loaded" figure.  A shared machine
makes absolute numbers noisy: the load average is printed with them.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import redis  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


class Proc:
    def __init__(self, kind: str, d: str):
        self.kind, self.dir = kind, d
        self.port = free_port()
        args = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", d]
        cmd = (["redis-server", *args] if kind == "redis"
               else [sys.executable, "-m", "netserver", *args])
        self.log = open(os.path.join(d, "server.log"), "wb")
        self.t0 = time.perf_counter()
        self.p = subprocess.Popen(cmd, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        self.c = self.wait_ready()
        self.ready_s = time.perf_counter() - self.t0

    def wait_ready(self, timeout: float = 600) -> redis.Redis:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.p.poll() is not None:
                raise RuntimeError(f"{self.kind} exited: {self.read_log()[-2000:]}")
            try:
                c = redis.Redis(port=self.port, socket_timeout=120)
                if c.ping():
                    return c
            except (redis.ConnectionError, redis.BusyLoadingError):
                time.sleep(0.01)
        raise RuntimeError("server did not start")

    def read_log(self) -> str:
        with open(os.path.join(self.dir, "server.log"), errors="replace") as f:
            return f.read()

    def stop(self):
        if self.p.poll() is None:
            self.p.terminate()
            self.p.wait(60)
        self.log.close()


def fill(c: redis.Redis, n: int, size: int):
    val = b"v" * size
    batch = 1000
    p = c.pipeline(transaction=False)
    for i in range(0, n, batch):
        p.mset({b"key:%d" % j: val for j in range(i, min(n, i + batch))})
        if (i // batch) % 50 == 49:
            p.execute()
    p.execute()


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else 0.0


def bench(kind: str, n: int, size: int) -> dict:
    d = tempfile.mkdtemp(prefix=f"bgsave-{kind}-")
    out = {"server": kind}
    s = Proc(kind, d)
    try:
        fill(s.c, n, size)
        assert s.c.dbsize() == n
        time.sleep(0.5)
        rss0 = rss(s.p.pid)
        ping = redis.Redis(port=s.port, socket_timeout=60)
        ping.ping()
        lat, peak, child_peak = [], rss0, 0
        t0 = time.perf_counter()
        s.c.bgsave()
        out["reply_ms"] = (time.perf_counter() - t0) * 1000   # the fork / dict copy pause
        while True:
            a = time.perf_counter()
            ping.ping()
            lat.append((time.perf_counter() - a) * 1000)
            if len(lat) % 20 == 0:
                peak = max(peak, rss(s.p.pid))
                for ch in children(s.p.pid):
                    child_peak = max(child_peak, rss(ch))
                if not s.c.info("persistence")["rdb_bgsave_in_progress"]:
                    break
        out["bgsave_s"] = time.perf_counter() - t0
        info = s.c.info("persistence")
        assert info["rdb_last_bgsave_status"] == "ok"
        out.update(pings=len(lat), p50_ms=pct(lat, 0.5), p99_ms=pct(lat, 0.99),
                   max_ms=max(lat), rss_before_mb=rss0 / 2**20,
                   extra_mb=(peak - rss0) / 2**20 if kind == "keyscope"
                   else info.get("rdb_last_cow_size", 0) / 2**20,
                   child_rss_mb=child_peak / 2**20,
                   file_mb=os.path.getsize(os.path.join(d, "dump.rdb")) / 2**20)
        s.stop()
        s2 = Proc(kind, d)
        out["cold_start_s"] = s2.ready_s
        m = re.search(r"DB loaded from disk: ([\d.]+) seconds", s2.read_log())
        out["loaded_s"] = float(m.group(1)) if m else None
        assert s2.c.dbsize() == n
        s2.stop()
    finally:
        s.stop()
        shutil.rmtree(d, ignore_errors=True)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=1_000_000)
    ap.add_argument("--value-size", type=int, default=10)
    a = ap.parse_args()
    print(f"{a.n} keys, {a.value_size}-byte values; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores")
    rows = [bench(k, a.n, a.value_size) for k in ("redis", "keyscope")]
    cols = ["reply_ms", "bgsave_s", "pings", "p50_ms", "p99_ms", "max_ms", "rss_before_mb", "extra_mb",
            "child_rss_mb", "file_mb", "cold_start_s", "loaded_s"]
    print("%-9s" % "server" + "".join("%14s" % c for c in cols))
    for r in rows:
        print("%-9s" % r["server"] + "".join(
            "%14s" % (f"{r[c]:.3f}" if isinstance(r.get(c), float) else r.get(c))
            for c in cols))
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
