"""Micro benchmark of the request hot path: RedisProtocol.data_received on a fake
transport (parse -> Engine.execute -> encode -> write), no sockets, no event loop.

    .venv/bin/python benchmarks/micro_protocol.py [-n 200000] [--repeat 5]

Prints µs per command for single-command reads (redis-benchmark -P 1) and for reads of
16 pipelined commands (-P 16).  The best of --repeat runs is reported: on a shared
machine the minimum is the least disturbed number.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from engine import Engine  # noqa: E402
from netserver.log import Log  # noqa: E402
from netserver.protocol import RedisProtocol  # noqa: E402
from netserver.server import Server  # noqa: E402


class FakeTransport:
    """What the protocol uses of an asyncio transport; writes are counted, not kept."""

    def __init__(self):
        self.written = 0
        self.closed = False

    def write(self, data):
        self.written += len(data)

    def get_extra_info(self, name, default=None):
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 6379)}.get(
            name, default)

    def is_closing(self):
        return self.closed

    def close(self):
        self.closed = True

    abort = close

    def pause_reading(self):
        pass

    def resume_reading(self):
        pass

    def get_write_buffer_size(self):
        return 0


def mb(*args: bytes) -> bytes:
    return b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)


# what redis-benchmark sends for each test (key:__rand_int__ with -r 100000, 3-byte value)
REQUESTS = {
    "SET": lambda i: mb(b"SET", b"key:%012d" % (i % 100000), b"xxx"),
    "GET": lambda i: mb(b"GET", b"key:%012d" % (i % 100000)),
    "INCR": lambda i: mb(b"INCR", b"counter:%012d" % (i % 100000)),
    "PING": lambda i: mb(b"PING"),
}


def make_protocol():
    engine = Engine()
    server = Server(engine, Log("warning", ""))
    proto = RedisProtocol(server)
    proto.connection_made(FakeTransport())
    return proto


def bench(name: str, n: int, pipeline: int) -> float:
    """µs per command."""
    proto = make_protocol()
    make = REQUESTS[name]
    reads = [b"".join(make(i * pipeline + j) for j in range(pipeline))
             for i in range(min(n // pipeline, 4096))]
    rounds = n // pipeline
    feed = proto.data_received
    k = len(reads)
    t = time.process_time()
    for i in range(rounds):
        feed(reads[i % k])
    dt = time.process_time() - t
    assert not proto.transport.closed
    return dt / (rounds * pipeline) * 1e6


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("-t", default="SET,GET,INCR,PING")
    args = ap.parse_args(argv)
    print(f"python {sys.version.split()[0]} ({sys.executable})")
    print(f"{'test':8} {'P1 µs/cmd':>10} {'P16 µs/cmd':>11}")
    for name in args.t.upper().split(","):
        p1 = min(bench(name, args.n, 1) for _ in range(args.repeat))
        p16 = min(bench(name, args.n, 16) for _ in range(args.repeat))
        print(f"{name:8} {p1:10.3f} {p16:11.3f}")


if __name__ == "__main__":
    main()
