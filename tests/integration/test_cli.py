"""keyscope-server's command line and config file, run as real processes (and, where
the behaviour is Redis's, side by side with redis-server)."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest
import redis

from tests.conftest import REDIS_SERVER, ROOT, free_port, wait_port

LOG_LINE = re.compile(r"^\d+:[CMSX] \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2}\.\d{3} [.\-*#] ")
DEBIAN_CONF = "/etc/redis/redis.conf"


def server_cmd(kind: str) -> list[str]:
    if kind == "redis":
        if REDIS_SERVER is None:
            pytest.skip("redis-server is not installed")
        return [REDIS_SERVER]
    return [sys.executable, "-m", "netserver"]


class Proc:
    """A server process this test started (stopped by its own handle or pid)."""

    def __init__(self, args: list[str], cwd: str, kind: str = "keyscope", wait: bool = True,
                 port: int | None = None):
        self.port = port
        self.out_path = os.path.join(cwd, f"{kind}.out")
        self.out = open(self.out_path, "wb")
        self.proc = subprocess.Popen(server_cmd(kind) + args, cwd=ROOT, stdout=self.out,
                                     stderr=subprocess.STDOUT)
        if wait and port:
            wait_port(port, self.proc)

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=10)

    def output(self) -> str:
        self.out.flush()
        with open(self.out_path, errors="replace") as f:
            return f.read()

    def wait(self, timeout: float = 15) -> int:
        return self.proc.wait(timeout)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.out.close()


@pytest.fixture
def procs():
    started: list[Proc] = []
    yield started
    for p in started:
        p.stop()


def start(procs, tmp_path, *args, kind="keyscope", port=None, wait=True) -> Proc:
    port = port or free_port()
    args = list(args) + ["--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp_path)]
    p = Proc(args, str(tmp_path), kind=kind, port=port, wait=wait)
    procs.append(p)
    return p


def run_to_exit(args: list[str], kind: str = "keyscope", timeout: float = 30,
                stdin: bytes | None = None) -> tuple[int, str]:
    res = subprocess.run(server_cmd(kind) + args, cwd=ROOT, capture_output=True,
                         timeout=timeout, input=stdin)
    return res.returncode, (res.stdout + res.stderr).decode(errors="replace")


def cget(c: redis.Redis, name: str) -> str:
    v = next(iter(c.config_get(name).values()))
    return v.decode() if isinstance(v, bytes) else v


def config_get(p: Proc, name: str) -> str:
    c = p.client()
    try:
        return cget(c, name)
    finally:
        c.close()


# ------------------------------------------------------------------ config file
def test_config_file_values_with_port_overridden_on_the_command_line(procs, tmp_path):
    conf = tmp_path / "redis.conf"
    conf.write_text("port 1\nmaxmemory 10mb\nhz 20\n# a comment\n\n  databases 4  \n")
    p = start(procs, tmp_path, str(conf))
    assert config_get(p, "port") == str(p.port)
    assert config_get(p, "maxmemory") == "10485760"
    assert config_get(p, "hz") == "20"
    assert config_get(p, "databases") == "4"


@pytest.mark.parametrize("kind", ["keyscope", "redis"])
def test_quoted_values_in_the_config_file(procs, tmp_path, kind):
    conf = tmp_path / "q.conf"
    conf.write_text('requirepass "a b\\"c"\n'
                    "masterauth 'it\\'s'\n"
                    'proc-title-template "{title} {listen-addr}"\n'
                    'notify-keyspace-events "KEA"\n'
                    'dbfilename "\\x64\\x75mp.rdb"\n')
    p = start(procs, tmp_path, str(conf), kind=kind)
    c = redis.Redis(host="127.0.0.1", port=p.port, password='a b"c', socket_timeout=10)
    try:
        assert cget(c, "masterauth") == "it's"
        assert cget(c, "proc-title-template") == "{title} {listen-addr}"
        assert cget(c, "notify-keyspace-events") == "AKE"
        assert cget(c, "dbfilename") == "dump.rdb"
    finally:
        c.close()


@pytest.mark.parametrize("kind", ["keyscope", "redis"])
def test_include_and_later_lines_win(procs, tmp_path, kind):
    (tmp_path / "a.conf").write_text("hz 15\nmaxmemory 1mb\n")
    (tmp_path / "extra1.conf").write_text("maxmemory-samples 7\n")
    (tmp_path / "extra2.conf").write_text("maxmemory-samples 9\n")
    conf = tmp_path / "main.conf"
    conf.write_text(f"include {tmp_path / 'a.conf'}\nmaxmemory 2mb\n"
                    f"include {tmp_path / 'extra*.conf'}\n")
    p = start(procs, tmp_path, str(conf), kind=kind)
    assert config_get(p, "hz") == "15"
    assert config_get(p, "maxmemory") == "2097152"
    assert config_get(p, "maxmemory-samples") == "9"


@pytest.mark.parametrize("kind", ["keyscope", "redis"])
@pytest.mark.parametrize("args,save", [
    (["--save", ""], ""),
    (["--save"], ""),
    (["--save", "--appendonly", "no"], ""),
    (["--save", "60", "1", "--save", "30", "2"], "60 1 30 2"),
    (["--save", "900 1 300 2"], "900 1 300 2"),
    (["FILE", "--save", "60", "1"], "900 1 300 10 60 1"),
    (["FILE", "--save", ""], ""),
    (["FILE"], "900 1 300 10"),
])
def test_save_points_from_file_and_command_line(procs, tmp_path, kind, args, save):
    conf = tmp_path / "s.conf"
    conf.write_text("save 900 1\nsave 300 10\n")
    args = [str(conf) if a == "FILE" else a for a in args]
    p = start(procs, tmp_path, *args, kind=kind)
    assert config_get(p, "save") == save


BAD_CONFIGS = [
    ("foo bar", "Bad directive or wrong number of arguments"),
    ("port abc", "argument couldn't be parsed into an integer"),
    ("port 1 2", "wrong number of arguments"),
    ('requirepass "abc', "Unbalanced quotes in configuration line"),
    ("appendonly maybe", "argument must be 'yes' or 'no'"),
    ("save 900", "Invalid save parameters"),
    ("maxmemory 10zb", "argument must be a memory value"),
    ("loglevel loud",
     "argument(s) must be one of the following: debug, verbose, notice, warning"),
    ("rename-command NOPE X", "No such command in rename-command"),
]


@pytest.mark.parametrize("kind", ["keyscope", "redis"])
@pytest.mark.parametrize("line,reason", BAD_CONFIGS)
def test_a_bad_config_line_stops_the_start_naming_the_line(tmp_path, kind, line, reason):
    conf = tmp_path / "bad.conf"
    conf.write_text(f"port 0\n# comment\n{line}\nhz 10\n")
    code, out = run_to_exit([str(conf)], kind=kind)
    assert code == 1
    assert "*** FATAL CONFIG FILE ERROR" in out
    assert f">>> '{line}'\n{reason}\n" in out
    if kind == "keyscope":
        assert f"Reading the configuration file {conf}, at line 3\n" in out
    else:
        assert "Reading the configuration file, at line 3\n" in out


def test_a_bad_command_line_option_is_named(tmp_path):
    code, out = run_to_exit(["--port", "0", "--no-such-thing", "1"])
    assert code == 1
    assert "(command line), at line 2" in out
    assert """>>> 'no-such-thing "1"'""" in out


@pytest.mark.parametrize("kind", ["keyscope", "redis"])
def test_a_missing_config_file_or_include(tmp_path, kind):
    code, out = run_to_exit([str(tmp_path / "nope.conf")], kind=kind)
    assert code == 1
    assert f"Fatal error, can't open config file '{tmp_path / 'nope.conf'}'" in out
    conf = tmp_path / "inc.conf"
    conf.write_text(f"include {tmp_path / 'missing.conf'}\n")
    code, out = run_to_exit([str(conf)], kind=kind)
    assert code == 1
    assert f"Fatal error, can't open config file '{tmp_path / 'missing.conf'}'" in out


def test_config_from_stdin(procs, tmp_path):
    port = free_port()
    out = open(tmp_path / "stdin.out", "wb")
    proc = subprocess.Popen(server_cmd("keyscope") + ["-", "--port", str(port)], cwd=ROOT,
                            stdin=subprocess.PIPE, stdout=out, stderr=subprocess.STDOUT)
    proc.stdin.write(b"hz 33\nbind 127.0.0.1\n")
    proc.stdin.close()
    try:
        wait_port(port, proc)
        c = redis.Redis(port=port, socket_timeout=10)
        assert cget(c, "hz") == "33"
        c.close()
    finally:
        proc.kill()
        proc.wait()
        out.close()


def test_rename_command(procs, tmp_path):
    conf = tmp_path / "r.conf"
    conf.write_text("rename-command FLUSHALL \"\"\nrename-command CONFIG cfg\n")
    p = start(procs, tmp_path, str(conf))
    c = p.client()
    try:
        with pytest.raises(redis.ResponseError, match="unknown command 'FLUSHALL'"):
            c.execute_command("FLUSHALL")
        assert c.execute_command("CFG", "GET", "hz") in ([b"hz", b"10"], {b"hz": b"10"})
    finally:
        c.close()


@pytest.mark.skipif(not os.path.exists(DEBIAN_CONF), reason="no Debian redis.conf here")
@pytest.mark.parametrize("kind", ["keyscope", "redis"])
def test_debians_stock_redis_conf_loads(procs, tmp_path, kind):
    p = start(procs, tmp_path, DEBIAN_CONF, "--daemonize", "no", "--logfile", "",
              "--pidfile", "", "--supervised", "no", kind=kind)
    c = p.client()
    try:
        assert c.ping()
        assert cget(c, "maxmemory-policy") == "noeviction"
        assert cget(c, "client-output-buffer-limit") == \
            "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"
    finally:
        c.close()


# ------------------------------------------------------------------ lifecycle
def test_sigterm_shuts_down_gracefully(procs, tmp_path):
    p = start(procs, tmp_path)
    assert p.client().set("a", "1")
    p.proc.send_signal(signal.SIGTERM)
    assert p.wait() == 0
    out = p.output()
    for text in ("Received SIGTERM scheduling shutdown...", "User requested shutdown...",
                 "is now ready to exit, bye bye..."):
        assert text in out
    lines = [ln for ln in out.splitlines() if ln.strip()]
    assert lines and all(LOG_LINE.match(ln) for ln in lines), out


def test_sigint_shuts_down_gracefully(procs, tmp_path):
    p = start(procs, tmp_path)
    p.proc.send_signal(signal.SIGINT)
    assert p.wait() == 0
    assert "Received SIGINT scheduling shutdown..." in p.output()


@pytest.mark.parametrize("kind", ["keyscope", "redis"])
@pytest.mark.parametrize("cmd", [["SHUTDOWN"], ["SHUTDOWN", "NOSAVE"]])
def test_shutdown_command_exits_zero(procs, tmp_path, kind, cmd):
    p = start(procs, tmp_path, kind=kind)
    c = p.client()
    c.set("k", "v")
    with pytest.raises(redis.ConnectionError):
        c.execute_command(*cmd)
    assert p.wait() == 0
    assert "User requested shutdown..." in p.output()


def test_shutdown_closes_the_other_clients(procs, tmp_path):
    p = start(procs, tmp_path)
    other = p.client()
    assert other.ping()
    c = p.client()
    with pytest.raises(redis.ConnectionError):
        c.execute_command("SHUTDOWN", "NOSAVE")
    assert p.wait() == 0
    with pytest.raises(redis.ConnectionError):
        other.ping()


@pytest.mark.parametrize("kind", ["keyscope", "redis"])
def test_daemonize_with_pidfile_and_logfile(tmp_path, kind):
    port = free_port()
    pidfile, logfile = tmp_path / "d.pid", tmp_path / "d.log"
    code, out = run_to_exit([
        "--port", str(port), "--bind", "127.0.0.1", "--daemonize", "yes", "--dir",
        str(tmp_path), "--pidfile", str(pidfile), "--logfile", str(logfile), "--save", ""],
        kind=kind)
    assert code == 0 and out == ""
    deadline = time.time() + 15
    while not pidfile.exists() and time.time() < deadline:
        time.sleep(0.05)
    pid = int(pidfile.read_text())
    try:
        c = redis.Redis(port=port, socket_timeout=10)
        for _ in range(200):
            try:
                assert c.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        assert cget(c, "pidfile") == str(pidfile)
        c.close()
    finally:
        os.kill(pid, signal.SIGTERM)
    while pidfile.exists() and time.time() < deadline:
        time.sleep(0.05)
    assert not pidfile.exists()
    lines = logfile.read_text().splitlines()
    assert any("Ready to accept connections" in ln for ln in lines)
    assert any("Removing the pid file." in ln for ln in lines)
    assert any("ready to exit, bye bye..." in ln for ln in lines)
    assert all(LOG_LINE.match(ln) for ln in lines if ln.strip() and "signal-handler" not in ln)


def test_logfile_gets_redis_style_lines_and_stdout_stays_quiet(procs, tmp_path):
    logfile = tmp_path / "server.log"
    p = start(procs, tmp_path, "--logfile", str(logfile), "--loglevel", "verbose")
    p.client().ping()
    p.proc.send_signal(signal.SIGTERM)
    assert p.wait() == 0
    assert p.output() == ""
    lines = logfile.read_text().splitlines()
    assert lines and all(LOG_LINE.match(ln) for ln in lines)
    assert "* Ready to accept connections" in logfile.read_text()


def test_a_taken_port_fails_with_exit_code_1(procs, tmp_path):
    p = start(procs, tmp_path)
    code, out = run_to_exit(["--port", str(p.port), "--bind", "127.0.0.1"])
    assert code == 1
    assert "Could not create server TCP listening socket" in out


def test_version_flag():
    code, out = run_to_exit(["--version"])
    assert code == 0 and "redis_version=7.0.15" in out
