"""What the redis-benchmark drivers share (run.py, app_bench.py): free ports, pinning to
cores, a server's CPU time from /proc, and one redis-benchmark run."""
from __future__ import annotations

import csv
import io
import os
import shutil
import socket
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pin(core: int | None) -> list[str]:
    return ["taskset", "-c", str(core)] if core is not None else []


def connectable(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


def cpu_seconds(pid: int) -> float:
    """utime+stime of a process, all threads (taskset execs the server: same pid)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def stop_process(proc: subprocess.Popen, timeout: float):
    """Terminate, and kill what does not exit within ``timeout`` seconds."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def headless_args(port: int, workdir: str, name: str) -> list[str]:
    """redis-server / keyscope-server arguments: loopback, no persistence, log in workdir."""
    return ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", workdir, "--logfile", os.path.join(workdir, f"{name}.log")]


def missing_tool(*tools: str) -> bool:
    """Says which tool is missing (on stderr) and returns True if one is."""
    for tool in tools:
        if shutil.which(tool) is None:
            print(f"{tool} not found (Debian: apt install redis-server redis-tools)",
                  file=sys.stderr)
            return True
    return False


def add_core_args(ap):
    ap.add_argument("--server-core", type=int, default=0)
    ap.add_argument("--bench-core", type=int, default=1)
    ap.add_argument("--no-pin", action="store_true", help="do not use taskset")


def pick_cores(args) -> tuple[bool, int | None, int | None]:
    """(pinned, server core, benchmark core): unpinned without taskset or enough cores."""
    pinned = not args.no_pin and shutil.which("taskset") is not None \
        and (os.cpu_count() or 1) > max(args.server_core, args.bench_core)
    if not pinned:
        return False, None, None
    return True, args.server_core, args.bench_core


def redis_benchmark(port: int, tests: str, n: int, clients: int, pipeline: int,
                    core: int | None, timeout: float) -> dict[str, float]:
    """One redis-benchmark run (random keys out of 100000): {test: requests/s}."""
    cmd = pin(core) + ["redis-benchmark", "-h", "127.0.0.1", "-p", str(port),
                       "-t", tests, "-n", str(n), "-c", str(clients), "-P", str(pipeline),
                       "-r", "100000", "--csv"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=True)
    return {row["test"]: float(row["rps"]) for row in csv.DictReader(io.StringIO(out.stdout))}
