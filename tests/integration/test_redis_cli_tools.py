"""redis-cli's --bigkeys, --memkeys, --hotkeys and --stat against keyscope-server print
what they print against redis-server (the same dataset on both; key names chosen
among equals and figures that depend on timing are masked)."""
import os
import pty
import re
import select
import shutil
import subprocess
import time

import pytest

from tests.conftest import get_server

REDIS_CLI = shutil.which("redis-cli")
pytestmark = pytest.mark.skipif(REDIS_CLI is None, reason="redis-cli is not installed")


def _load(c):
    c.flushall()
    p = c.pipeline(transaction=False)
    for i in range(1, 31):
        p.set(f"s:{i}", "x" * (i * 10))
        p.rpush(f"l:{i}", *range(i))
        p.hset(f"h:{i}", mapping={"a": 1, "b": 2})
        p.sadd(f"st:{i}", 1, 2, 3)
        p.zadd(f"z:{i}", {"a": 1, "b": 2})
        p.xadd(f"x:{i}", {"a": 1})
    p.set("big", "y" * 5000)
    p.execute()


@pytest.fixture(scope="module")
def both():
    servers = {kind: get_server(kind) for kind in ("keyscope", "redis")}
    for srv in servers.values():
        c = srv.client()
        _load(c)
        c.close()
    yield servers
    for srv in servers.values():
        c = srv.client()
        c.config_set("maxmemory-policy", "noeviction")
        c.config_set("lfu-log-factor", 10)
        c.flushall()
        c.close()


def _cli(port: int, *args) -> str:
    out = subprocess.run([REDIS_CLI, "-p", str(port), *args], capture_output=True,
                         timeout=60, text=True)
    return out.stdout + out.stderr


def _summary(text: str) -> list[str]:
    """The lines after redis-cli's summary banner, with the key chosen among equals
    masked (SCAN order differs) where the size does not single it out."""
    lines = text.split("-------- summary -------", 1)[1].strip().splitlines()
    return [line.strip() for line in lines if line.strip()]


def _mask_ties(lines: list[str]) -> list[str]:
    return [re.sub(r"found '\"[^\"]*\"'", "found '\"*\"'", line)
            if not line.startswith("Biggest string") else line for line in lines]


def test_bigkeys_summary_is_redis_s(both):
    ours = _summary(_cli(both["keyscope"].port, "--bigkeys"))
    theirs = _summary(_cli(both["redis"].port, "--bigkeys"))
    assert _mask_ties(ours) == _mask_ties(theirs)
    assert "Biggest string found '\"big\"' has 5000 bytes" in ours
    assert "30 lists with 465 items (16.57% of keys, avg size 15.50)" in ours


def test_memkeys_summary_is_redis_s(both):
    ours = _summary(_cli(both["keyscope"].port, "--memkeys"))
    theirs = _summary(_cli(both["redis"].port, "--memkeys"))
    assert _mask_ties(ours) == _mask_ties(theirs)
    assert any(line.startswith("Biggest string found '\"big\"' has") for line in ours)


def test_hotkeys_needs_an_lfu_policy(both):
    for srv in both.values():
        out = _cli(srv.port, "--hotkeys")
        assert "An LFU maxmemory policy is not selected, access frequency not tracked" \
            in out


def test_hotkeys_finds_the_key_read_most(both):
    results = {}
    for kind, srv in both.items():
        c = srv.client()
        c.config_set("maxmemory-policy", "allkeys-lfu")
        c.config_set("lfu-log-factor", 0)            # every access counts: exact counters
        for _ in range(20):
            c.get("s:3")
        c.close()
        results[kind] = _summary(_cli(srv.port, "--hotkeys"))
    ours, theirs = results["keyscope"], results["redis"]
    assert ours[0] == theirs[0] == "Sampled 181 keys in the keyspace!"
    # (the key was made under an LRU policy: its counter starts from the LRU bits read
    # as an LFU word, decayed to 0, as Redis does; then each of the 20 reads counts)
    hot = 'hot key found with counter: 20\tkeyname: "s:3"'
    assert theirs[1:] == [hot]
    # keyscope's access table shares a slot between keys whose hashes collide, so a
    # colliding key may be reported with the hot key's counter too (never the reverse)
    assert hot in ours[1:]
    assert all(line.startswith("hot key found with counter: 20\t") for line in ours[1:])


def _stat_lines(port: int, seconds: float = 1.6) -> list[str]:
    """redis-cli --stat on a terminal (it only prints to one), for a while."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([REDIS_CLI, "-p", str(port), "--stat", "-i", "0.3"],
                            stdout=slave, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    out = b""
    end = time.time() + seconds
    try:
        while time.time() < end:
            r, _, _ = select.select([master], [], [], 0.1)
            if r:
                try:
                    out += os.read(master, 65536)
                except OSError:
                    break
    finally:
        proc.terminate()
        proc.wait(5)
        os.close(master)
    return out.decode(errors="replace").replace("\r", "").splitlines()


def test_stat_prints_the_same_columns(both):
    ours = _stat_lines(both["keyscope"].port)
    theirs = _stat_lines(both["redis"].port)
    assert ours[:2] == theirs[:2]                    # the two header lines
    assert ours[0].startswith("------- data ------")
    rows_ours = [line.split() for line in ours[2:] if line.strip()]
    rows_theirs = [line.split() for line in theirs[2:] if line.strip()]
    assert len(rows_ours) >= 2 and len(rows_theirs) >= 2
    for a, b in zip(rows_ours, rows_theirs):
        assert a[0] == b[0] == "181"                 # keys
        assert re.fullmatch(r"[\d.]+[BKMG]", a[1])   # mem, human readable
        assert a[2].isdigit() and a[3] == "0"        # clients, blocked
        assert re.fullmatch(r"\d+", a[4]) and re.fullmatch(r"\(\+\d+\)", a[5])
