"""The embedded server's event-loop integrations side by side (DESIGN.md, known pitfalls).

    .venv/bin/python benchmarks/qtloop_bench.py [-n 20000] [-c 50] [-P 1] [--rounds 1]

Runs the same netserver.Server under: the default asyncio loop, uvloop (headless
keyscope-server), gui.qtloop (Qt drives the asyncio selector loop in batches) and stock
qasync; plus redis-server for scale.  Each server is its own process; redis-benchmark
drives it.  Reports requests/s and the server's CPU µs per request (less sensitive than
requests/s to other processes on a shared machine).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def serve(mode: str, port: int):
    from engine import Engine
    from netserver.log import Log
    from netserver.server import Server

    async def start():
        from engine import Config
        config = Config()
        config.set("save", "", startup=True)          # never write a dump.rdb here
        server = Server(Engine(config), Log("warning", ""))
        await server.start("127.0.0.1", port)
        return server

    if mode in ("asyncio", "uvloop"):
        if mode == "uvloop":
            import uvloop
            uvloop.install()

        async def main():
            server = await start()
            await server.wait_closed()
        asyncio.run(main())
        return
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    if mode == "qtloop":
        from gui.qtloop import QtSelectorEventLoop
        loop = QtSelectorEventLoop()
    else:
        import qasync
        loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    loop.run_until_complete(start())
    loop.run_forever()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout=20.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"port {port} did not open")


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_one(mode: str, n: int, c: int, pipeline: int, tests: str) -> dict:
    port = free_port()
    if mode == "redis":
        cmd = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no"]
    else:
        cmd = [sys.executable, __file__, "serve", mode, str(port)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_port(port)
        out = {}
        for test in tests.split(","):
            cpu0 = cpu_seconds(proc.pid)
            res = subprocess.run(["redis-benchmark", "-p", str(port), "-n", str(n), "-c", str(c),
                                  "-P", str(pipeline), "-t", test, "-q"],
                                 capture_output=True, text=True, timeout=600)
            cpu = cpu_seconds(proc.pid) - cpu0
            m = re.search(r"([\d.]+) requests per second", res.stdout.replace("\r", "\n"))
            out[test] = (float(m.group(1)) if m else 0.0, cpu * 1e6 / n)
        return out
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]))
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=20000)
    ap.add_argument("-c", type=int, default=50)
    ap.add_argument("-P", type=int, default=1)
    ap.add_argument("-t", default="ping_mbulk,set,get")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--modes", default="redis,uvloop,asyncio,qtloop,qasync")
    a = ap.parse_args()
    modes = [m for m in a.modes.split(",") if m != "redis" or shutil.which("redis-server")]
    print(f"load average before: {os.getloadavg()[0]:.2f} (other processes share the CPUs)")
    results: dict = {m: [] for m in modes}
    for _ in range(a.rounds):            # interleaved rounds even out background load
        for m in modes:
            results[m].append(run_one(m, a.n, a.c, a.P, a.t))
    tests = a.t.split(",")
    print(f"{'mode':10}" + "".join(f"{t + ' rps':>16}{'µs cpu/req':>12}" for t in tests))
    for m in modes:
        row = f"{m:10}"
        for t in tests:
            rps = max(r[t][0] for r in results[m])
            cpu = min(r[t][1] for r in results[m])
            row += f"{rps:>16.0f}{cpu:>12.1f}"
        print(row)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
