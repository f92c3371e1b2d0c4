"""The server inside the desktop app against the headless keyscope-server, in one run.

    .venv/bin/python benchmarks/app_bench.py [-n 20000] [-c 50] [-P 1,16]
        [-t set,get,incr,lpush,hset] [--rounds 2]
        [--modes redis,uvloop,asyncio,qtloop,app-overview,app-key]

Each mode is its own process, started once, given the same sample dataset (gui/sample.py
plus a short list ``mylist``) through a real client, then driven by redis-benchmark:

- ``uvloop``: keyscope-server exactly as it runs (``python -m netserver``, uvloop);
- ``asyncio``: the same, with uvloop hidden (the stock selector loop);
- ``qtloop``: the embedded server alone on gui.qtloop (Qt drives the selector loop), no
  window: the cost of the loop integration;
- ``app-overview``: the real app (``keyscope --port N``, gui.app.main, offscreen) with every
  panel live, the tree indexed and a folder open, the Overview tab in front;
- ``app-key``: the same with the Key tab showing ``mylist``, which LPUSH grows under load;
- ``redis``: redis-server, for scale.

Servers are pinned to core 0 and redis-benchmark to core 1 (taskset); rounds interleave
the modes so a change in the machine's load hits all alike; each cell is the median over
the rounds.  Reported: requests/s, in-app/headless ratios, the server's CPU µs per request
(utime+stime from /proc: much less sensitive to other processes than requests/s), and
for the app how the UI kept up under load, from its KEYSCOPE_UI_STATS lines (gui/uistats.py):
overview samples/s (its timer runs at 2 Hz), paint events/s, change-feed emissions/s, and
the longest gap between the UI's 250 ms stats ticks.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from common import (ROOT, add_core_args, connectable, cpu_seconds, free_port,
                    headless_args, missing_tool, pick_cores, pin, redis_benchmark,
                    stop_process)

sys.path.insert(0, ROOT)
MODES = ("redis", "uvloop", "asyncio", "qtloop", "app-overview", "app-key")
SHOWN_KEY = b"mylist"               # redis-benchmark's LPUSH target


# ---------------------------------------------------------------------- server processes
def serve(mode: str, port: int, workdir: str, stats: str):
    """Runs in the server's own process."""
    if mode == "asyncio":                       # keyscope-server minus uvloop
        sys.modules["uvloop"] = None            # its `import uvloop` now fails
        from netserver.cli import main
        sys.exit(main(headless_args(port, workdir, mode)))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication
    app = QApplication([sys.argv[0]])
    if mode == "qtloop":
        import asyncio

        from gui.embedded import scratch_directives, start_embedded
        from gui.qtloop import QtSelectorEventLoop
        loop = QtSelectorEventLoop()
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start_embedded(port, extra=scratch_directives(workdir)))
        loop.run_forever()
        return
    conf = os.path.join(workdir, f"{mode}.conf")
    with open(conf, "w") as f:
        f.write(f'save ""\nappendonly no\ndir "{workdir}"\n')
    os.environ["KEYSCOPE_UI_STATS"] = stats
    from PySide6.QtCore import QTimer
    driver = QTimer()
    driver.setInterval(100)
    driver.timeout.connect(lambda: _drive(app, driver, mode))
    driver.start()
    from gui.app import main
    sys.exit(main(["--port", str(port), "--config", conf]))


def _drive(app, driver, mode: str):
    """Once the dataset is in and indexed: open a folder, put the tab in front, say ready."""
    from gui.app import MainWindow
    w = next((w for w in app.topLevelWidgets() if isinstance(w, MainWindow)), None)
    if w is None or not hasattr(w, "ui_stats"):
        return
    src, model = w.source, w.tree.model
    if not src.exists(0, SHOWN_KEY) or model.building or len(model.ns) != src.dbsize(0):
        return
    driver.stop()
    w.tree.reveal(b"user:3:profile")
    if mode == "app-key":
        w.tree.reveal(SHOWN_KEY)
        w.show_tab(w.keyview)
    else:
        w.show_tab(w.overview)
    w.ui_stats.watch(w)                         # widgets made since the window was built
    w.ui_stats.extra["ready"] = True


class Server:
    def __init__(self, mode: str, python: str, core: int | None, workdir: str):
        self.mode = mode
        self.port = free_port()
        self.stats = os.path.join(workdir, f"{mode}.stats") if mode.startswith("app") else None
        if mode == "redis":
            cmd = [shutil.which("redis-server"), *headless_args(self.port, workdir, mode)]
        elif mode == "uvloop":
            cmd = [python, "-m", "netserver", *headless_args(self.port, workdir, mode)]
        else:
            cmd = [python, os.path.abspath(__file__), "serve", mode, str(self.port), workdir,
                   self.stats or ""]
        self.log = open(os.path.join(workdir, f"{mode}.out"), "w")
        self.proc = subprocess.Popen(pin(core) + cmd, cwd=ROOT, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        try:
            self._wait(lambda: connectable(self.port), "did not open its port")
            load_dataset(self.port)
            if self.stats:
                self._wait(lambda: self.ui_lines(), "wrote no UI stats (is the "
                           "KEYSCOPE_UI_STATS hook in gui/app.py main()?)")
                self._wait(lambda: any(x.get("ready") for x in self.ui_lines()),
                           "did not index the dataset")
        except BaseException:
            self.stop()
            raise

    def _wait(self, ok, what: str, timeout: float = 60):
        deadline = time.time() + timeout
        while not ok():
            if self.proc.poll() is not None:
                self.log.flush()
                with open(self.log.name) as f:
                    tail = "".join(f.readlines()[-15:])
                raise RuntimeError(f"{self.mode} exited with {self.proc.returncode}:\n{tail}")
            if time.time() > deadline:
                raise RuntimeError(f"{self.mode} {what}")
            time.sleep(0.1)

    def ui_lines(self) -> list[dict]:
        try:
            with open(self.stats) as f:
                return [json.loads(x) for x in f if x.endswith("\n")]
        except FileNotFoundError:
            return []

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.proc.pid)

    def alive(self) -> bool:
        return self.proc.poll() is None and connectable(self.port)

    def stop(self):
        stop_process(self.proc, 20)
        self.log.close()


def load_dataset(port: int):
    """The screenshots' sample dataset and the list the Key tab shows, through a client."""
    import redis

    from gui.sample import sample_commands
    c = redis.Redis(host="127.0.0.1", port=port, socket_timeout=30)
    try:
        p = c.pipeline(transaction=False)
        for cmd in sample_commands():
            p.execute_command(*cmd)
        p.rpush(SHOWN_KEY, *[b"seed-%d" % i for i in range(20)])
        p.execute(raise_on_error=False)          # a type not implemented is skipped
    finally:
        c.close()


# ---------------------------------------------------------------------- measuring
def run_benchmark(server: Server, test: str, n: int, clients: int, pipeline: int,
                  core: int | None) -> dict:
    cpu0, t0 = server.cpu_seconds(), time.time()
    rps = redis_benchmark(server.port, test, n, clients, pipeline, core, timeout=600)
    t1, cpu = time.time(), server.cpu_seconds() - cpu0
    res = {"rps": next(iter(rps.values()), 0.0), "cpu_us": cpu / n * 1e6}
    if server.stats:
        time.sleep(0.3)                          # one more UI tick after the load
        res["ui"] = ui_window(server.ui_lines(), t0, t1)
    return res


def ui_window(lines: list[dict], t0: float, t1: float) -> dict | None:
    """Counter deltas over the load, from the UI tick before it to the tick after it."""
    before = [x for x in lines if x["t"] <= t0]
    after = [x for x in lines if x["t"] >= t1]
    if not before or not after:
        return None
    a, b = before[-1], after[0]
    inside = [x["t"] for x in lines if a["t"] <= x["t"] <= b["t"]]
    return {"secs": b["t"] - a["t"], "max_gap": max(y - x for x, y in zip(inside, inside[1:])),
            **{k: b[k] - a[k] for k in ("overview_samples", "paints", "changes",
                                        "loop_ticks")},
            "tab": b["tab"], "key": b["key"]}


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "serve":
        serve(argv[1], int(argv[2]), argv[3], argv[4])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=20_000, help="requests per test and run")
    ap.add_argument("-t", default="set,get,incr,lpush,hset", help="redis-benchmark tests")
    ap.add_argument("-c", type=int, default=50, help="parallel clients")
    ap.add_argument("-P", default="1,16", help="pipeline depths, comma-separated")
    ap.add_argument("--rounds", type=int, default=2, help="interleaved rounds")
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument("--python", default=sys.executable)
    add_core_args(ap)
    ap.add_argument("--json", help="also write the raw results here")
    args = ap.parse_args(argv)

    modes = args.modes.split(",")
    if missing_tool("redis-benchmark", *(["redis-server"] if "redis" in modes else [])):
        return 2
    pinned, score, bcore = pick_cores(args)
    pipelines = [int(p) for p in args.P.split(",")]
    tests = args.t.lower().split(",")

    apps = [m for m in modes if m.startswith("app")]
    workdir = tempfile.mkdtemp(prefix="ks-appbench-")
    load0 = os.getloadavg()[0]
    servers: dict[str, Server] = {}
    res: dict = {}                          # (mode, P, test) -> [run results]
    try:
        for m in modes:
            servers[m] = Server(m, args.python, score, workdir)
        idle = {}                           # the UI's own cost: CPU share with no load
        time.sleep(2)
        for m in apps:
            c0, t0 = servers[m].cpu_seconds(), time.time()
            time.sleep(3)
            idle[m] = (servers[m].cpu_seconds() - c0) / (time.time() - t0)
        for rnd in range(args.rounds):
            for p in pipelines:
                for m in modes:
                    line = []
                    for test in tests:
                        r = run_benchmark(servers[m], test, args.n, args.c, p, bcore)
                        res.setdefault((m, p, test), []).append(r)
                        line.append(f"{test}={r['rps']:,.0f}")
                    print(f"round {rnd + 1}/{args.rounds} P={p:<3} {m:13} " + " ".join(line),
                          file=sys.stderr)
        survived = {m: s.alive() for m, s in servers.items()}
    finally:
        for s in servers.values():
            s.stop()
    shutil.rmtree(workdir, ignore_errors=True)

    med = {k: statistics.median(r["rps"] for r in v) for k, v in res.items()}
    cpu = {k: statistics.median(r["cpu_us"] for r in v) for k, v in res.items()}
    print(f"\nredis-benchmark -c {args.c} -n {args.n} -r 100000, one test per run, "
          f"{args.rounds} interleaved round(s), median; servers on core {score}, "
          f"benchmark on core {bcore}{'' if pinned else ' (not pinned)'}; "
          f"load average {load0:.2f} before, {os.getloadavg()[0]:.2f} after")
    base = "uvloop" if "uvloop" in modes else None
    for title, table, fmt in (("requests/s", med, "{:,.0f}"),
                              ("server CPU µs/request", cpu, "{:.2f}")):
        print(f"\n{title}")
        print(f"{'test':7}{'P':>4}" + "".join(f"{m:>14}" for m in modes)
              + "".join(f"{m + '/' + base:>23}" for m in apps if base))
        for p in pipelines:
            for t in tests:
                row = f"{t:7}{p:>4}" + "".join(f"{fmt.format(table[(m, p, t)]):>14}"
                                               for m in modes)
                if base:
                    for m in apps:
                        row += f"{table[(m, p, t)] / table[(base, p, t)]:>23.2f}"
                print(row)
    if apps:
        print("\nUI under load (per second of load; overview timer 2 Hz, stats tick 4 Hz)")
        print("idle: the app's CPU use with no load (charts, timers), % of a core")
        print(f"{'mode':13}{'P':>4}{'overview/s':>12}{'paints/s':>10}{'feed/s':>8}"
              f"{'loop iter/s':>13}{'max UI gap s':>14}{'idle %':>8}  showing")
        for m in apps:
            for p in pipelines:
                ws = [r["ui"] for t in tests for r in res[(m, p, t)] if r.get("ui")]
                if not ws:
                    continue
                secs = sum(w["secs"] for w in ws)
                rate = {k: sum(w[k] for w in ws) / secs
                        for k in ("overview_samples", "paints", "changes", "loop_ticks")}
                print(f"{m:13}{p:>4}{rate['overview_samples']:>12.2f}{rate['paints']:>10.1f}"
                      f"{rate['changes']:>8.1f}{rate['loop_ticks']:>13,.0f}"
                      f"{max(w['max_gap'] for w in ws):>14.2f}{idle[m] * 100:>8.1f}"
                      f"  {ws[-1]['tab']}"
                      + (f" ({ws[-1]['key']})" if ws[-1]["tab"] == "Key" else ""))
    print("\nalive after the load: " + ", ".join(f"{m} {'yes' if ok else 'NO'}"
                                                  for m, ok in survived.items()))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"settings": vars(args), "pinned": pinned, "idle_cpu": idle,
                       "results": [{"mode": m, "P": p, "test": t, "runs": v}
                                   for (m, p, t), v in res.items()]}, f, indent=2)
    return 0 if all(survived.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
