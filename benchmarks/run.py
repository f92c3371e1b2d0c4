"""keyscope-server and redis-server side by side under redis-benchmark.

    .venv/bin/python benchmarks/run.py [-n 100000] [-t set,get,incr] [--rounds 3]
                                       [-c 50] [-P 1,16] [--json out.json]

Both servers are started here on free loopback ports (no persistence), each pinned to
core 0 with taskset and redis-benchmark to core 1, so the server under test gets one
whole core and the load generator another.  Rounds interleave the servers (ours,
redis, ours, redis, ...) so that a change in the machine's load hits both alike.
Each cell is the median over the rounds; the ratio is ours/redis.  Besides requests/s
the server's own CPU time per request is reported (utime+stime from /proc), which
other processes on a shared machine disturb much less.
"""
from __future__ import annotations

import argparse
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from common import (ROOT, add_core_args, connectable, cpu_seconds, free_port,
                    headless_args, missing_tool, pick_cores, pin, redis_benchmark,
                    stop_process)


class Server:
    def __init__(self, kind: str, python: str, core: int | None, workdir: str):
        self.kind = kind
        self.port = free_port()
        opts = headless_args(self.port, workdir, kind)
        if kind == "redis":
            cmd = [shutil.which("redis-server"), *opts]
        else:
            cmd = [python, "-m", "netserver", *opts]
        self.proc = subprocess.Popen(pin(core) + cmd, cwd=ROOT, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.time() + 30
        while not connectable(self.port):
            if self.proc.poll() is not None:
                raise RuntimeError(f"{kind} server exited with {self.proc.returncode}")
            if time.time() > deadline:
                raise RuntimeError(f"{kind} server did not start")
            time.sleep(0.05)

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.proc.pid)

    def flush(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as s:
            s.sendall(b"FLUSHALL\r\n")
            s.recv(64)

    def stop(self):
        stop_process(self.proc, 10)


def run_benchmark(server: Server, tests: str, n: int, clients: int, pipeline: int,
                  core: int | None, timeout: float) -> tuple[dict[str, float], float]:
    """One redis-benchmark run: ({test: rps}, server CPU seconds used)."""
    cpu0 = server.cpu_seconds()
    rps = redis_benchmark(server.port, tests, n, clients, pipeline, core, timeout)
    return rps, server.cpu_seconds() - cpu0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=100_000, help="requests per test and run")
    ap.add_argument("-t", default="set,get,incr", help="redis-benchmark tests")
    ap.add_argument("-c", type=int, default=50, help="parallel clients")
    ap.add_argument("-P", default="1,16", help="pipeline depths to run, comma-separated")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds per server")
    ap.add_argument("--python", default=sys.executable, help="interpreter for keyscope")
    add_core_args(ap)
    ap.add_argument("--max-seconds", type=float, default=1800,
                    help="stop starting new runs after this long")
    ap.add_argument("--json", help="also write the results to this file")
    args = ap.parse_args(argv)

    if missing_tool("redis-server", "redis-benchmark"):
        return 2
    pinned, server_core, bench_core = pick_cores(args)
    pipelines = [int(p) for p in args.P.split(",")]
    tests = args.t.lower()

    workdir = tempfile.mkdtemp(prefix="ks-bench-")
    servers = {kind: Server(kind, args.python, server_core, workdir)
               for kind in ("keyscope", "redis")}
    # results[(kind, P)][TEST] = [rps per round]; cpu[(kind, P)] = [µs per request]
    results: dict = {}
    cpu: dict = {}
    started = time.time()
    budget_hit = False
    try:
        for rnd in range(args.rounds):
            for p in pipelines:
                for kind in ("keyscope", "redis"):
                    if time.time() - started > args.max_seconds:
                        budget_hit = True
                        break
                    srv = servers[kind]
                    srv.flush()
                    rps, secs = run_benchmark(srv, tests, args.n, args.c, p, bench_core,
                                              timeout=max(60.0, args.max_seconds))
                    for test, v in rps.items():
                        results.setdefault((kind, p), {}).setdefault(test, []).append(v)
                    requests = args.n * max(1, len(rps))
                    cpu.setdefault((kind, p), []).append(secs / requests * 1e6)
                    print(f"round {rnd + 1}/{args.rounds} P={p:<3} {kind:9} "
                          + "  ".join(f"{t}={v:,.0f}" for t, v in rps.items()),
                          file=sys.stderr)
    finally:
        for srv in servers.values():
            srv.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    rows = []
    for p in pipelines:
        ours_tests = results.get(("keyscope", p), {})
        for test in ours_tests:
            o = statistics.median(ours_tests[test])
            theirs = results.get(("redis", p), {}).get(test)
            r = statistics.median(theirs) if theirs else None
            rows.append({"test": test, "pipeline": p, "ours_rps": o, "redis_rps": r,
                         "ratio": (o / r) if r else None, "rounds": len(ours_tests[test])})
    cpu_rows = []
    for p in pipelines:
        o = cpu.get(("keyscope", p))
        r = cpu.get(("redis", p))
        if o and r:
            cpu_rows.append({"pipeline": p, "ours_us": statistics.median(o),
                             "redis_us": statistics.median(r)})

    print(f"\nredis-benchmark -c {args.c} -n {args.n} -r 100000, {args.rounds} interleaved "
          f"round(s), median; server on core {server_core}, benchmark on core {bench_core}"
          + ("" if pinned else " (not pinned)"))
    print(f"keyscope python: {args.python}")
    print(f"{'test':10} {'P':>3} {'keyscope rps':>14} {'redis rps':>14} {'ours/redis':>11}")
    for row in rows:
        ratio = f"{row['ratio']:.2f}" if row["ratio"] else "-"
        redis_rps = f"{row['redis_rps']:,.0f}" if row["redis_rps"] else "-"
        print(f"{row['test']:10} {row['pipeline']:>3} {row['ours_rps']:>14,.0f} "
              f"{redis_rps:>14} {ratio:>11}")
    if cpu_rows:
        print(f"\n{'server CPU µs/request':22} {'keyscope':>10} {'redis':>10} {'ours/redis':>11}")
        for row in cpu_rows:
            print(f"{'P=' + str(row['pipeline']):22} {row['ours_us']:>10.2f} "
                  f"{row['redis_us']:>10.2f} {row['ours_us'] / row['redis_us']:>11.2f}")
    if budget_hit:
        print(f"\n(stopped early: --max-seconds {args.max_seconds} reached)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"settings": {"n": args.n, "clients": args.c, "tests": tests,
                                    "pipelines": pipelines, "rounds": args.rounds,
                                    "pinned": pinned, "python": args.python},
                       "results": rows, "cpu_us_per_request": cpu_rows}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
