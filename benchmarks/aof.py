"""AOF: SET throughput with appendfsync everysec and always, and a cold start from an AOF
of N keys, keyscope beside redis-server in the same run.

    .venv/bin/python benchmarks/aof.py [-n 50000] [-c 50] [--rounds 2] [--keys 1000000]

Throughput: each server in its own fresh temp dir with appendonly yes and the policy
under test, pinned to core 0 (redis-benchmark -t set on core 1); rounds interleave the
servers; the median is reported with the server's CPU time per request.  With
``always`` the disk's fsync latency bounds both servers (one fsync per event-loop
iteration, covering every client served in it): the fsync cost of the disk is printed.

Cold start: one AOF directory of N keys (``SET key:<i> <value>``), in two forms -- a
command-form base (aof-use-rdb-preamble no) and an RDB-preamble base (made from it by
BGREWRITEAOF) -- copied for each server; the time from process start to the first PONG,
and the server's own "DB loaded from append only file" figure.  A shared machine makes
absolute numbers noisy: the load average is printed with them.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from common import (ROOT, cpu_seconds, free_port, missing_tool, pin, redis_benchmark,
                    stop_process)

AOFDIR = "appendonlydir"


class Server:
    def __init__(self, kind: str, workdir: str, args: list, core=None, python=sys.executable,
                 timeout: float = 600):
        self.kind, self.dir = kind, workdir
        self.port = free_port()
        self.logfile = os.path.join(workdir, f"{kind}.log")
        common = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                  "--dir", workdir, "--logfile", self.logfile, *args]
        cmd = ([shutil.which("redis-server")] if kind == "redis"
               else [python, "-m", "netserver"]) + common
        self.t0 = time.perf_counter()
        self.proc = subprocess.Popen(pin(core) + cmd, cwd=ROOT, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        self.ready_s = self._wait_pong(timeout)

    def _wait_pong(self, timeout: float) -> float:
        deadline = time.time() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} exited with {self.proc.returncode}: "
                                   f"{self.log()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return time.perf_counter() - self.t0
            except OSError:
                pass
            if time.time() > deadline:
                raise RuntimeError(f"{self.kind} did not start")
            time.sleep(0.01)

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.proc.pid)

    def command(self, *args: str) -> bytes:
        req = b"*%d\r\n" % len(args) + b"".join(
            b"$%d\r\n%s\r\n" % (len(a.encode()), a.encode()) for a in args)
        with socket.create_connection(("127.0.0.1", self.port), timeout=600) as s:
            s.sendall(req)
            return s.recv(65536)

    def log(self) -> str:
        try:
            with open(self.logfile, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def stop(self):
        stop_process(self.proc, 60)


def fsync_cost(d: str, n: int = 100) -> float:
    """ms per write+fdatasync of a small record on the disk of ``d``."""
    p = os.path.join(d, "fsync-probe")
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    t = time.perf_counter()
    for _ in range(n):
        os.write(fd, b"x" * 64)
        os.fdatasync(fd)
    ms = (time.perf_counter() - t) / n * 1000
    os.close(fd)
    os.unlink(p)
    return ms


def throughput(policy: str, n: int, clients: int, rounds: int, cores, python) -> dict:
    res: dict = {"keyscope": [], "redis": []}
    cpu: dict = {"keyscope": [], "redis": []}
    for rnd in range(rounds):
        for kind in ("keyscope", "redis"):
            d = tempfile.mkdtemp(prefix="ks-aofbench-")
            srv = Server(kind, d, ["--appendonly", "yes", "--appendfsync", policy],
                         cores[0], python)
            try:
                c0 = srv.cpu_seconds()
                rps = redis_benchmark(srv.port, "set", n, clients, 1, cores[1], 1800)["SET"]
                secs = srv.cpu_seconds() - c0
                size = os.path.getsize(os.path.join(d, AOFDIR, "appendonly.aof.1.incr.aof"))
            finally:
                srv.stop()
                shutil.rmtree(d, ignore_errors=True)
            res[kind].append(rps)
            cpu[kind].append(secs / n * 1e6)
            print(f"  {policy:8} round {rnd + 1}/{rounds} {kind:9} {rps:>10,.0f} rps "
                  f"{secs / n * 1e6:6.1f} µs CPU/req  incr file {size:,} B", file=sys.stderr)
    return {k: (statistics.median(v), statistics.median(cpu[k])) for k, v in res.items()}


def make_aof_dir(d: str, keys: int, value_size: int):
    """A command-form base of ``keys`` SETs and an empty incr file."""
    os.makedirs(os.path.join(d, AOFDIR))
    with open(os.path.join(d, AOFDIR, "appendonly.aof.1.base.aof"), "wb") as f:
        f.write(b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n")
        val = b"v" * value_size
        head = b"*3\r\n$3\r\nSET\r\n"
        tail = b"$%d\r\n%s\r\n" % (len(val), val)
        chunk = []
        for i in range(keys):
            k = b"key:%d" % i
            chunk.append(head + b"$%d\r\n%s\r\n" % (len(k), k) + tail)
            if len(chunk) == 10000:
                f.write(b"".join(chunk))
                chunk = []
        f.write(b"".join(chunk))
    open(os.path.join(d, AOFDIR, "appendonly.aof.1.incr.aof"), "wb").close()
    with open(os.path.join(d, AOFDIR, "appendonly.aof.manifest"), "w") as f:
        f.write("file appendonly.aof.1.base.aof seq 1 type b\n"
                "file appendonly.aof.1.incr.aof seq 1 type i\n")


def loaded_seconds(log: str):
    m = re.findall(r"DB loaded from append only file: ([\d.]+) seconds", log)
    return float(m[-1]) if m else None


def cold_start(src: str, keys: int, python, core) -> dict:
    out = {}
    for kind in ("keyscope", "redis"):
        d = tempfile.mkdtemp(prefix="ks-aofstart-")
        shutil.copytree(os.path.join(src, AOFDIR), os.path.join(d, AOFDIR))
        srv = Server(kind, d, ["--appendonly", "yes"], core, python, timeout=1800)
        try:
            dbsize = srv.command("DBSIZE")
            assert dbsize.strip() == b":%d" % keys, dbsize
            out[kind] = (srv.ready_s, loaded_seconds(srv.log()))
        finally:
            srv.stop()
            shutil.rmtree(d, ignore_errors=True)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=50_000)
    ap.add_argument("-c", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--keys", type=int, default=1_000_000)
    ap.add_argument("--value-size", type=int, default=10)
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--no-pin", action="store_true")
    ap.add_argument("--skip-throughput", action="store_true")
    ap.add_argument("--skip-start", action="store_true")
    args = ap.parse_args(argv)
    if missing_tool("redis-server", "redis-benchmark"):
        return 2
    pinned = not args.no_pin and shutil.which("taskset") and (os.cpu_count() or 1) > 1
    cores = (0, 1) if pinned else (None, None)
    tmp = tempfile.gettempdir()
    print(f"load average {os.getloadavg()[0]:.2f}, write+fdatasync on {tmp}: "
          f"{fsync_cost(tmp):.2f} ms")
    if not args.skip_throughput:
        print(f"\nSET throughput, redis-benchmark -t set -n {args.n} -c {args.c} -r 100000, "
              f"median of {args.rounds} interleaved round(s)"
              + ("" if pinned else " (not pinned)"))
        print(f"{'appendfsync':12} {'keyscope rps':>13} {'redis rps':>11} {'ratio':>6} "
              f"{'ks µs/req':>10} {'redis µs/req':>13}")
        for policy in ("everysec", "always"):
            r = throughput(policy, args.n, args.c, args.rounds, cores, args.python)
            (o, oc), (t, tc) = r["keyscope"], r["redis"]
            print(f"{policy:12} {o:>13,.0f} {t:>11,.0f} {o / t:>6.2f} {oc:>10.1f} "
                  f"{tc:>13.1f}", flush=True)
    if not args.skip_start:
        src = tempfile.mkdtemp(prefix="ks-aofsrc-")
        try:
            make_aof_dir(src, args.keys, args.value_size)
            size = os.path.getsize(os.path.join(src, AOFDIR, "appendonly.aof.1.base.aof"))
            print(f"\ncold start from an AOF of {args.keys:,} keys (process start to first "
                  f"PONG; the server's own 'loaded' figure in brackets)")
            r = cold_start(src, args.keys, args.python, cores[0])
            _print_start(f"commands ({size / 1e6:.0f} MB)", r)
            # the same data as an RDB-preamble base, made by redis-server's BGREWRITEAOF
            srv = Server("redis", src, ["--appendonly", "yes", "--aof-use-rdb-preamble",
                                        "yes"], timeout=1800)
            try:
                srv.command("BGREWRITEAOF")
                while b"aof_rewrite_in_progress:1" in srv.command("INFO", "persistence") \
                        or b"aof_rewrite_scheduled:1" in srv.command("INFO", "persistence"):
                    time.sleep(0.2)
            finally:
                srv.stop()
            base = [f for f in os.listdir(os.path.join(src, AOFDIR)) if ".base.rdb" in f]
            size = os.path.getsize(os.path.join(src, AOFDIR, base[0]))
            r = cold_start(src, args.keys, args.python, cores[0])
            _print_start(f"RDB preamble ({size / 1e6:.0f} MB)", r)
        finally:
            shutil.rmtree(src, ignore_errors=True)
    print(f"load average {os.getloadavg()[0]:.2f}")
    return 0


def _print_start(label: str, r: dict):
    (o, ol), (t, tl) = r["keyscope"], r["redis"]
    print(f"  {label:24} keyscope {o:6.2f} s [{ol}]   redis {t:6.2f} s [{tl}]   "
          f"ratio {o / t:.1f}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
