"""How close keyscope's memory model is to redis-server 7.0, and what our RSS costs.

    .venv/bin/python benchmarks/memory_model.py [--scale 1.0] [--samples 5]

Starts a redis-server and a keyscope-server (each its own process, on free ports, in a
temporary directory; both stopped at the end), loads the same generated dataset into
both -- every type, small and large encodings, half of each group's keys with a TTL --
and prints:

* per group: the sum of MEMORY USAGE over its keys on each server and the ratio
  ours / redis (target: within 25%, i.e. 0.75 .. 1.25), with the encoding both report;
* used_memory after loading on each server, and the dataset's share (used_memory after
  minus before), with their ratios;
* RSS per key: the process RSS grown by the load, divided by the key count, for each
  server (DESIGN target: ours <= 2x Redis's).
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

import redis

from common import ROOT, connectable, free_port, stop_process

REDIS_SERVER = shutil.which("redis-server")


def start(kind: str, workdir: str):
    port = free_port()
    args = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", workdir]
    cmd = [REDIS_SERVER, *args] if kind == "redis" else [sys.executable, "-m", "netserver",
                                                        *args]
    log = open(os.path.join(workdir, f"{kind}.log"), "wb")
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 20
    while time.time() < deadline:
        if connectable(port):
            return proc, port
        if proc.poll() is not None:
            raise RuntimeError(f"{kind} server exited")
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"{kind} server did not start")


def rss(pid: int) -> int:
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# ------------------------------------------------------------------ the dataset
def rbytes(rng, n: int) -> bytes:
    return bytes(rng.randrange(97, 123) for _ in range(n))


def groups(scale: float):
    """(name, key count, builder(rng, key) -> [commands])."""
    def n(x):
        return max(2, int(x * scale))

    def s_int_small(rng, k):
        return [["SET", k, str(rng.randrange(10000))]]

    def s_int_big(rng, k):
        return [["SET", k, str(rng.randrange(10**9, 10**15))]]

    def s_len(size):
        return lambda rng, k: [["SET", k, rbytes(rng, size)]]

    def s_append(rng, k):
        return [["APPEND", k, rbytes(rng, 20)] for _ in range(10)]

    def bitmap(rng, k):
        return [["SETBIT", k, str(rng.randrange(100_000)), "1"] for _ in range(20)]

    def hll(count):
        return lambda rng, k: [["PFADD", k, *[rbytes(rng, 8) for _ in range(count)]]]

    def hash_(fields, vsize):
        return lambda rng, k: [["HSET", k, *sum(([f"f{i}", rbytes(rng, vsize)]
                                                 for i in range(fields)), [])]]

    def list_(count, size):
        return lambda rng, k: [["RPUSH", k, *[rbytes(rng, size) for _ in range(count)]]]

    def set_int(count):
        return lambda rng, k: [["SADD", k, *[str(rng.randrange(100000))
                                             for _ in range(count)]]]

    def set_str(count):
        return lambda rng, k: [["SADD", k, *[rbytes(rng, 12) for _ in range(count)]]]

    def zset(count, floats):
        def build(rng, k):
            args = []
            for i in range(count):
                sc = repr(rng.random() * 1000) if floats else str(rng.randrange(1000))
                args += [sc, rbytes(rng, 10)]
            return [["ZADD", k, *args]]
        return build

    def stream(count, group=0):
        def build(rng, k):
            cmds = [["XADD", k, "*", "temp", str(rng.randrange(100)), "name",
                     rbytes(rng, 8)] for _ in range(count)]
            if group:
                cmds.append(["XGROUP", "CREATE", k, "g", "0"])
                cmds.append(["XREADGROUP", "GROUP", "g", "alice", "COUNT", str(group),
                             "STREAMS", k, ">"])
            return cmds
        return build

    return [
        ("string int 0..9999", n(5000), s_int_small),
        ("string int large", n(5000), s_int_big),
        ("string embstr 10B", n(5000), s_len(10)),
        ("string embstr 40B", n(3000), s_len(40)),
        ("string raw 100B", n(2000), s_len(100)),
        ("string raw 1000B", n(500), s_len(1000)),
        ("string raw 20kB", n(50), s_len(20000)),
        ("string appended", n(300), s_append),
        ("bitmap (SETBIT)", n(50), bitmap),
        ("hll sparse", n(50), hll(100)),
        ("hll dense", n(10), hll(3000)),
        ("hash listpack 10x10B", n(1000), hash_(10, 10)),
        ("hash hashtable 1000x10B", n(20), hash_(1000, 10)),
        ("hash hashtable big values", n(200), hash_(5, 100)),
        ("list small 10x10B", n(1000), list_(10, 10)),
        ("list large 10000x10B", n(10), list_(10000, 10)),
        ("list 200x1000B", n(10), list_(200, 1000)),
        ("set intset 50", n(500), set_int(50)),
        ("set hashtable 500x12B", n(20), set_str(500)),
        ("zset listpack int scores", n(1000), zset(10, False)),
        ("zset listpack float scores", n(500), zset(10, True)),
        ("zset skiplist 1000", n(20), zset(1000, True)),
        ("stream 10 entries", n(200), stream(10)),
        ("stream 5000 entries", n(5), stream(5000)),
        ("stream 1000 + group", n(5), stream(1000, 500)),
    ]


def load(client, scale: float, seed: int) -> dict:
    """Load every group; returns name -> list of keys."""
    out = {}
    for gi, (name, count, build) in enumerate(groups(scale)):
        rng = random.Random(seed * 1000 + gi)
        keys = []
        pipe = client.pipeline(transaction=False)
        for i in range(count):
            k = f"g{gi}:{i}"
            keys.append(k)
            for cmd in build(rng, k):
                pipe.execute_command(*cmd)
            if i % 2:
                pipe.execute_command("EXPIRE", k, 100000)
            if len(pipe) > 500:
                pipe.execute()
        pipe.execute()
        out[name] = keys
    return out


def usage(client, keys, samples: int):
    total = 0
    enc = set()
    pipe = client.pipeline(transaction=False)
    for k in keys:
        pipe.execute_command("MEMORY", "USAGE", k, "SAMPLES", samples)
        pipe.execute_command("OBJECT", "ENCODING", k)
    res = pipe.execute()
    for i in range(0, len(res), 2):
        total += res[i] or 0
        enc.add(res[i + 1].decode() if res[i + 1] else "-")
    return total, ",".join(sorted(enc))


def used(client) -> int:
    return client.info("memory")["used_memory"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--samples", type=int, default=5)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    if REDIS_SERVER is None:
        sys.exit("redis-server is not installed")
    work = tempfile.mkdtemp(prefix="ks-memmodel-")
    procs = {}
    try:
        for kind in ("redis", "keyscope"):
            procs[kind] = start(kind, work)
        clients = {k: redis.Redis(port=p, socket_timeout=120) for k, (_, p) in procs.items()}
        before = {}
        for kind, c in clients.items():
            c.ping()
            time.sleep(0.2)
            before[kind] = (used(c), rss(procs[kind][0].pid))
        keys = {}
        for kind, c in clients.items():
            t = time.time()
            keys[kind] = load(c, args.scale, args.seed)
            print(f"loaded {kind} in {time.time() - t:.1f}s")
        time.sleep(0.5)                    # let rehashing settle on redis (cron)
        after = {kind: (used(c), rss(procs[kind][0].pid)) for kind, c in clients.items()}
        nkeys = sum(len(v) for v in keys["redis"].values())

        print(f"\nMEMORY USAGE ... SAMPLES {args.samples}, summed per group "
              f"(ratio = keyscope / redis)")
        print(f"{'group':30} {'keys':>6} {'redis':>12} {'keyscope':>12} {'ratio':>6}  "
              f"encoding (redis / keyscope)")
        worst = []
        for name, ks in keys["redis"].items():
            r, renc = usage(clients["redis"], ks, args.samples)
            o, oenc = usage(clients["keyscope"], keys["keyscope"][name], args.samples)
            ratio = o / r if r else float("nan")
            worst.append((abs(ratio - 1), name, ratio))
            flag = "" if 0.75 <= ratio <= 1.25 else "  <-- off"
            print(f"{name:30} {len(ks):6d} {r:12d} {o:12d} {ratio:6.2f}  {renc} / {oenc}"
                  f"{flag}")
        inside = sum(1 for d, _, _ in worst if d <= 0.25)
        print(f"groups within 25%: {inside}/{len(worst)}")

        ru, ou = after["redis"][0], after["keyscope"][0]
        rd, od = ru - before["redis"][0], ou - before["keyscope"][0]
        print(f"\nused_memory after load: redis {ru}  keyscope {ou}  ratio {ou / ru:.3f}")
        print(f"dataset (used_memory grown by the load): redis {rd}  keyscope {od}  "
              f"ratio {od / rd:.3f}")
        rr = (after["redis"][1] - before["redis"][1]) / nkeys
        orr = (after["keyscope"][1] - before["keyscope"][1]) / nkeys
        print(f"\nRSS per key ({nkeys} keys): redis {rr:.0f} B  keyscope {orr:.0f} B  "
              f"ratio {orr / rr:.2f} (target <= 2)")
        print(f"RSS total: redis {after['redis'][1] / 2**20:.1f} MB  keyscope "
              f"{after['keyscope'][1] / 2**20:.1f} MB")
    finally:
        for proc, _ in procs.values():
            stop_process(proc, 10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
