"""Shared fixtures: a keyscope-server and a real redis-server on free loopback ports.

Spec tests take the ``r`` fixture (a redis-py client) and run once against each server;
a test marked ``ours_only`` runs against keyscope only.  Servers are started once per
test process, each test starts from FLUSHALL, and only what we started is stopped.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import pytest
import redis

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REDIS_SERVER = shutil.which("redis-server")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen, timeout: float = 15.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server on port {port} did not start")


class ServerProc:
    """A server process we started; ``kind`` is 'keyscope' or 'redis'."""

    def __init__(self, kind: str, args: list[str] = (), workdir: str | None = None):
        self.kind = kind
        self.port = free_port()
        self.dir = workdir or tempfile.mkdtemp(prefix=f"ks-{kind}-")
        common = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                  "--appendonly", "no", "--dir", self.dir, *args]
        if kind == "redis":
            cmd = [REDIS_SERVER, *common]
        else:
            cmd = [sys.executable, "-m", "netserver", *common]
        self.log = open(os.path.join(self.dir, "server.log"), "wb")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        wait_port(self.port, self.proc)

    def client(self, **kw) -> redis.Redis:
        kw.setdefault("socket_timeout", 10)
        kw.setdefault("protocol", 2)
        return redis.Redis(host="127.0.0.1", port=self.port, **kw)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def read_log(self) -> str:
        with open(os.path.join(self.dir, "server.log"), errors="replace") as f:
            return f.read()


_servers: dict[str, ServerProc] = {}


def get_server(kind: str) -> ServerProc:
    srv = _servers.get(kind)
    if srv is None or srv.proc.poll() is not None:
        if kind == "redis" and REDIS_SERVER is None:
            pytest.skip("redis-server is not installed")
        srv = _servers[kind] = ServerProc(kind)
    return srv


def pytest_sessionfinish(session, exitstatus):
    for srv in _servers.values():
        srv.stop()


def _reset(srv: ServerProc):
    c = srv.client()
    try:
        c.execute_command("FLUSHALL")
        c.execute_command("FUNCTION", "FLUSH")
    finally:
        c.close()


@pytest.fixture(params=["keyscope", "redis"])
def server(request) -> ServerProc:
    """The server under test, freshly flushed; every spec test runs on both."""
    if request.param == "redis" and request.node.get_closest_marker("ours_only"):
        pytest.skip("keyscope-only behaviour")
    srv = get_server(request.param)
    _reset(srv)
    return srv


@pytest.fixture
def r(server) -> redis.Redis:
    """redis-py client (bytes replies, RESP2) to the server under test."""
    c = server.client(protocol=2)
    yield c
    c.close()


@pytest.fixture
def r3(server) -> redis.Redis:
    """redis-py client speaking RESP3."""
    c = server.client(protocol=3)
    yield c
    c.close()


@pytest.fixture
def events(r):
    """Collect keyevent notifications of db 0 (all classes enabled): call it to drain."""
    r.config_set("notify-keyspace-events", "KEA")
    p = r.pubsub()
    p.psubscribe("__keyevent@0__:*")
    p.get_message(timeout=2)

    def drain():
        r.ping()
        out = []
        while True:
            m = p.get_message(timeout=0.5)
            if m is None:
                return out
            if m["type"] == "pmessage":
                out.append((m["channel"].split(b":", 1)[1], m["data"]))
    yield drain
    p.close()
    r.config_set("notify-keyspace-events", "")


@pytest.fixture
def ours() -> ServerProc:
    srv = get_server("keyscope")
    _reset(srv)
    return srv


class Raw:
    """A raw socket to a server: send bytes, read what comes back."""

    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)

    def send(self, data: bytes):
        self.sock.sendall(data)

    def recv_until_closed(self, timeout: float = 5) -> bytes:
        self.sock.settimeout(timeout)
        chunks = []
        while True:
            try:
                b = self.sock.recv(65536)
            except socket.timeout:
                break
            if not b:
                break
            chunks.append(b)
        return b"".join(chunks)

    def recv(self, n_min: int = 1, timeout: float = 5) -> bytes:
        """Read until at least n_min bytes arrived or the timeout passes."""
        self.sock.settimeout(timeout)
        buf = b""
        deadline = time.time() + timeout
        while len(buf) < n_min and time.time() < deadline:
            try:
                b = self.sock.recv(65536)
            except socket.timeout:
                break
            if not b:
                break
            buf += b
        return buf

    def request(self, data: bytes, expect: bytes | None = None, timeout: float = 5) -> bytes:
        """Send and read a reply of len(expect) bytes (or whatever arrives first)."""
        self.send(data)
        return self.recv(len(expect) if expect else 1, timeout)

    def close(self):
        self.sock.close()


@pytest.fixture
def raw(server):
    conns = []

    def make() -> Raw:
        conn = Raw(server.port)
        conns.append(conn)
        return conn
    yield make
    for conn in conns:
        conn.close()
