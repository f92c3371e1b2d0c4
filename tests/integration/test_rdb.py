"""RDB files exchanged with a real redis-server 7.0 both ways, DUMP/RESTORE across the two
servers, damaged files, BGSAVE's point in time, saving at SHUTDOWN."""
from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

import pytest
import redis

from tests.conftest import REDIS_SERVER, ROOT, Raw, ServerProc, free_port

pytestmark = pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server not installed")
DEBUG = ["--enable-debug-command", "yes"]
CHECK_RDB = shutil.which("redis-check-rdb")
WITH_STREAMS = os.environ.get("KS_RDB_NO_STREAMS") is None
LIB = "#!lua name=rdblib\nredis.register_function('rdbf', function() return 42 end)"


# ---------------------------------------------------------------- corpus
def make_corpus(c: redis.Redis, seed: int = 7):
    """Every type in its small and large encodings, with TTLs, in 16 databases."""
    rng = random.Random(seed)
    now_ms = int(time.time() * 1000)
    c.function_load(LIB, replace=True)
    for db in range(16):
        c.execute_command("SELECT", db)
        p = c.pipeline(transaction=False)
        p.set(f"int{db}", 12345 + db)
        p.set("bigint", 2**62)
        p.set("negint", -2**31)
        p.set("embstr", "hello world")
        p.set("raw", "r" * 100)
        p.set("compressible", "abc" * 500)
        p.set("binary", bytes(range(256)) * 3)
        p.set("empty", "")
        p.append("appended", "x" * 30)
        p.setrange("ranged", 5, "y")
        p.pfadd("hll", *range(100))
        p.pfadd("hlldense", *range(5000))
        p.rpush("list_small", *range(10), "a", "bb")
        p.rpush("list_big", *[f"e{i}-" + "z" * rng.randrange(0, 200) for i in range(2000)])
        p.rpush("list_huge_elems", "x" * 5000, "y" * 70000, 1, -1)
        p.lpush("list_lpushed", *range(300))
        p.sadd("set_int", *range(-5, 50))
        p.sadd("set_int_wide", 1, 2**40, -2**40, 70000)
        p.sadd("set_str", "a", "b", "c")
        p.sadd("set_big_int", *range(1000))
        p.hset("hash_small", mapping={"a": 1, "b": "two", "c": "3.5"})
        p.hset("hash_big", mapping={f"f{i}": f"v{i}" for i in range(300)})
        p.hset("hash_longval", mapping={"k": "v" * 100})
        p.zadd("zset_small", {"a": 1, "b": 2.5, "c": -3, "d": float("inf"), "e": 0})
        p.zadd("zset_big", {f"m{i}": rng.random() * 1000 for i in range(300)})
        p.zadd("zset_longmember", {"m" * 100: 1, "n": float("-inf"), "o": -0.0})
        for i in range(20):
            p.set(f"ttl{i}", i, px=rng.randrange(60_000, 3_600_000))
        p.rpush("list_ttl", 1, 2, 3)
        p.pexpireat("list_ttl", now_ms + 500_000)
        p.hset("hash_ttl", "f", "v")
        p.expire("hash_ttl", 9999)
        p.execute()
        if db % 4 == 3 and WITH_STREAMS:
            c.execute_command("XADD", "stream", "1-1", "f", "v")
            c.execute_command("XADD", "stream", "*", "a", "1", "b", "2")
            for i in range(200):
                c.execute_command("XADD", "stream", "*", "n", i, "s", "v" * (i % 50))
            c.execute_command("XDEL", "stream", "1-1")
            c.execute_command("XGROUP", "CREATE", "stream", "g1", "0")
            c.execute_command("XGROUP", "CREATE", "stream", "g2", "$")
            c.execute_command("XREADGROUP", "GROUP", "g1", "alice", "COUNT", 5,
                              "STREAMS", "stream", ">")
            c.execute_command("XREADGROUP", "GROUP", "g1", "bob", "COUNT", 3,
                              "STREAMS", "stream", ">")
            c.execute_command("XGROUP", "CREATECONSUMER", "stream", "g2", "carol")
    c.execute_command("SELECT", 0)


def snapshot(c: redis.Redis) -> dict:
    """(db, key) -> (type, value, expire time, encoding) for every key."""
    out = {}
    for db in range(16):
        c.execute_command("SELECT", db)
        for key in c.scan_iter(count=1000):
            t = c.type(key).decode()
            if t == "string":
                v = c.get(key)
            elif t == "list":
                v = c.lrange(key, 0, -1)
            elif t == "set":
                v = sorted(c.smembers(key))
            elif t == "hash":
                v = sorted(c.hgetall(key).items())
            elif t == "zset":
                v = c.zrange(key, 0, -1, withscores=True)
            elif t == "stream":
                v = (c.xrange(key), _groups(c, key))
            else:
                v = None
            enc = c.object("encoding", key)
            if key.startswith(b"hll"):
                enc = None            # Redis re-encodes HLL strings as raw on load
            out[(db, key)] = (t, v, c.pexpiretime(key), enc)
    c.execute_command("SELECT", 0)
    return out


def _groups(c, key):
    groups = []
    for g in c.execute_command("XINFO", "GROUPS", key):
        g = dict(zip(g[0::2], g[1::2]))
        name = g[b"name"]
        pending = [(x["message_id"], x["consumer"], x["times_delivered"])
                   for x in c.xpending_range(key, name, "-", "+", 1000)]
        consumers = sorted((x[1], x[3]) for x in (
            c.execute_command("XINFO", "CONSUMERS", key, name)))
        groups.append((name, g[b"last-delivered-id"], g[b"entries-read"],
                       pending, consumers))
    info = c.execute_command("XINFO", "STREAM", key)
    info = dict(zip(info[0::2], info[1::2]))
    meta = (info[b"last-generated-id"], info[b"max-deleted-entry-id"],
            info[b"entries-added"], info[b"length"])
    return sorted(groups), meta


def assert_same(a: dict, b: dict):
    assert a.keys() == b.keys()
    for k in a:
        assert a[k] == b[k], k


def start(kind: str, workdir: str, *args) -> ServerProc:
    return ServerProc(kind, [*DEBUG, *args], workdir=workdir)


@pytest.fixture
def tmpdirs():
    dirs = []

    def make():
        d = tempfile.mkdtemp(prefix="ks-rdb-")
        dirs.append(d)
        return d
    yield make
    for d in dirs:
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def procs():
    started = []
    yield started
    for p in started:
        p.stop()


# ---------------------------------------------------------------- files both ways
def test_a_redis_rdb_loads_into_keyscope_with_identical_contents(tmpdirs, procs):
    d1, d2 = tmpdirs(), tmpdirs()
    rs = start("redis", d1)
    procs.append(rs)
    rc = rs.client()
    make_corpus(rc)
    rc.execute_command("DEBUG", "RELOAD")       # encodings as a load gives them
    want = snapshot(rc)
    shutil.copy(os.path.join(d1, "dump.rdb"), os.path.join(d2, "dump.rdb"))
    ks = start("keyscope", d2)
    procs.append(ks)
    kc = ks.client()
    assert_same(want, snapshot(kc))
    assert kc.fcall("rdbf", 0) == 42
    assert kc.execute_command("DEBUG", "DIGEST") == rc.execute_command("DEBUG", "DIGEST")
    assert "DB loaded from disk" in ks.read_log()


def test_a_keyscope_rdb_passes_redis_check_rdb_and_loads_into_redis(tmpdirs, procs):
    d1, d2 = tmpdirs(), tmpdirs()
    ks = start("keyscope", d1)
    procs.append(ks)
    kc = ks.client()
    make_corpus(kc)
    kc.execute_command("DEBUG", "RELOAD")
    want = snapshot(kc)
    if CHECK_RDB:
        out = subprocess.run([CHECK_RDB, os.path.join(d1, "dump.rdb")], capture_output=True,
                             text=True, timeout=60)
        assert out.returncode == 0, out.stdout + out.stderr
        assert "RDB looks OK" in out.stdout
    shutil.copy(os.path.join(d1, "dump.rdb"), os.path.join(d2, "dump.rdb"))
    rs = start("redis", d2)
    procs.append(rs)
    rc = rs.client()
    assert_same(want, snapshot(rc))
    assert rc.fcall("rdbf", 0) == 42
    assert kc.execute_command("DEBUG", "DIGEST") == rc.execute_command("DEBUG", "DIGEST")


def test_debug_reload_keeps_everything(tmpdirs, procs):
    ks = start("keyscope", tmpdirs())
    procs.append(ks)
    kc = ks.client()
    make_corpus(kc, seed=3)
    kc.execute_command("DEBUG", "RELOAD")      # in-place strings become embstr/raw by size
    before = snapshot(kc)
    digest = kc.execute_command("DEBUG", "DIGEST")
    assert kc.execute_command("DEBUG", "RELOAD") == b"OK"
    assert_same(before, snapshot(kc))
    assert kc.execute_command("DEBUG", "DIGEST") == digest


def test_dump_payloads_cross_between_the_servers(tmpdirs, procs):
    rs, ks = start("redis", tmpdirs()), start("keyscope", tmpdirs())
    procs += [rs, ks]
    rc, kc = rs.client(), ks.client()
    make_corpus(rc, seed=11)
    make_corpus(kc, seed=11)
    for src, dst in ((rc, kc), (kc, rc)):
        for db in range(0, 16, 5):
            src.execute_command("SELECT", db)
            dst.execute_command("SELECT", db)
            for key in src.scan_iter(count=1000):
                payload = src.dump(key)
                at = src.pexpiretime(key)
                dst.restore(key, max(at, 0), payload, replace=True, absttl=at > 0)
                assert dst.execute_command("DEBUG", "DIGEST-VALUE", key) == \
                    src.execute_command("DEBUG", "DIGEST-VALUE", key)
                src.restore("restored-here", 0, payload, replace=True)
                assert dst.object("encoding", key) == src.object("encoding", "restored-here")
                src.delete("restored-here")
        src.execute_command("SELECT", 0)
        dst.execute_command("SELECT", 0)


# ---------------------------------------------------------------- damaged files
def _damaged_start(kind: str, data: bytes, tmpdirs) -> tuple[int, str]:
    d = tmpdirs()
    with open(os.path.join(d, "dump.rdb"), "wb") as f:
        f.write(data)
    port = free_port()
    if kind == "redis":
        cmd = [REDIS_SERVER]
    else:
        cmd = [sys.executable, "-m", "netserver"]
    cmd += ["--port", str(port), "--save", "", "--dir", d]
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout + p.stderr


def _good_file(tmpdirs, procs) -> bytes:
    d = tmpdirs()
    rs = start("redis", d)
    procs.append(rs)
    rc = rs.client()
    rc.rpush("l", *range(100))
    rc.set("s", "v" * 50)
    rc.hset("h", "f", "v")
    rc.save()
    with open(os.path.join(d, "dump.rdb"), "rb") as f:
        return f.read()


def test_a_flipped_byte_refuses_to_start_like_redis(tmpdirs, procs):
    data = bytearray(_good_file(tmpdirs, procs))
    data[len(data) // 2] ^= 0x40
    for kind in ("redis", "keyscope"):
        code, log = _damaged_start(kind, bytes(data), tmpdirs)
        assert code != 0, (kind, log)
        if kind == "keyscope":
            assert "dump.rdb" in log and "offset" in log.lower() or "checksum" in log, log
            assert "Traceback" not in log


def test_a_truncated_file_refuses_to_start_like_redis(tmpdirs, procs):
    data = _good_file(tmpdirs, procs)
    for cut in (len(data) - 3, len(data) // 2, 12):
        for kind in ("redis", "keyscope"):
            code, log = _damaged_start(kind, data[:cut], tmpdirs)
            assert code != 0, (kind, cut, log)
            if kind == "keyscope":
                assert "dump.rdb" in log and "offset" in log, log
                assert "Traceback" not in log


# ---------------------------------------------------------------- BGSAVE, SHUTDOWN
def test_bgsave_is_a_point_in_time_snapshot(tmpdirs, procs):
    d = tmpdirs()
    ks = start("keyscope", d)
    procs.append(ks)
    kc = ks.client()
    p = kc.pipeline(transaction=False)
    for i in range(0, 100_000, 1000):
        p.mset({f"k{j}": j for j in range(i, i + 1000)})
    p.execute()
    kc.append("s", "old")
    kc.rpush("L", *range(1000))
    kc.hset("H", mapping={"a": 1})
    kc.sadd("S", 1, 2)
    kc.zadd("Z", {"a": 1})
    kc.set("del-me", 1)
    # the writes arrive in the same read batch as BGSAVE: before any slice has run
    p = kc.pipeline(transaction=False)
    p.bgsave()
    p.info("persistence")
    p.append("s", "NEW")
    p.rpush("L", "NEW")
    p.hset("H", "b", 2)
    p.sadd("S", 3)
    p.zadd("Z", {"b": 2})
    p.delete("del-me")
    p.set("k1", "NEW")
    p.set("k99999", "NEW")
    p.set("added", "NEW")
    p.execute_command("SWAPDB", 0, 1)
    p.rpush("L", "after-swap")           # db0 is now the empty former db1
    p.execute_command("SWAPDB", 0, 1)
    p.append("s", "AGAIN")
    res = p.execute()
    assert res[0] is True                       # "Background saving started"
    assert res[1]["rdb_bgsave_in_progress"] == 1
    deadline = time.time() + 60
    while kc.info("persistence")["rdb_bgsave_in_progress"]:
        assert time.time() < deadline
        time.sleep(0.05)
    assert kc.info("persistence")["rdb_last_bgsave_status"] == "ok"
    d2 = tmpdirs()
    shutil.copy(os.path.join(d, "dump.rdb"), os.path.join(d2, "dump.rdb"))
    rs = start("redis", d2)
    procs.append(rs)
    rc = rs.client()
    assert rc.get("s") == b"old"
    assert rc.llen("L") == 1000
    assert rc.hgetall("H") == {b"a": b"1"}
    assert rc.smembers("S") == {b"1", b"2"}
    assert rc.zrange("Z", 0, -1) == [b"a"]
    assert rc.get("del-me") == b"1"
    assert rc.get("k1") == b"1" and rc.get("k99999") == b"99999"
    assert rc.exists("added") == 0
    assert rc.dbsize() == 100_000 + 6
    assert kc.get("s") == b"oldNEWAGAIN"


def test_shutdown_save_then_restart_keeps_the_data(tmpdirs, procs):
    d = tmpdirs()
    ks = start("keyscope", d)
    kc = ks.client()
    kc.set("a", "1")
    kc.rpush("l", 1, 2)
    kc.set("t", "x", ex=1000)
    try:
        kc.shutdown(save=True)
    except redis.ConnectionError:
        pass
    ks.proc.wait(20)
    ks.stop()
    assert os.path.exists(os.path.join(d, "dump.rdb"))
    ks2 = start("keyscope", d)
    procs.append(ks2)
    kc2 = ks2.client()
    assert kc2.get("a") == b"1"
    assert kc2.lrange("l", 0, -1) == [b"1", b"2"]
    assert 900 < kc2.ttl("t") <= 1000


def test_save_points_trigger_a_background_save(tmpdirs, procs):
    d = tmpdirs()
    ks = start("keyscope", d)
    procs.append(ks)
    kc = ks.client()
    before = kc.lastsave()
    kc.config_set("save", "1 1")
    time.sleep(1.1)
    kc.set("a", 1)
    deadline = time.time() + 10
    while kc.lastsave() == before or kc.info("persistence")["rdb_bgsave_in_progress"]:
        assert time.time() < deadline
        time.sleep(0.1)
    assert os.path.exists(os.path.join(d, "dump.rdb"))
    assert kc.info("persistence")["rdb_changes_since_last_save"] == 0
    assert "changes in 1 seconds. Saving..." in ks.read_log()


@pytest.mark.parametrize("kind", ["keyscope", "redis"])
def test_a_failed_bgsave_denies_writes_with_misconf(kind, tmpdirs, procs):
    d = tmpdirs()
    srv = start(kind, d, "--save", "3600 1", "--enable-protected-configs", "yes")
    procs.append(srv)
    c = srv.client()
    gone = tempfile.mkdtemp(prefix="ks-gone-")
    c.config_set("dir", gone)
    os.rmdir(gone)
    c.bgsave()
    deadline = time.time() + 10
    while c.info("persistence")["rdb_last_bgsave_status"] != "err":
        assert time.time() < deadline
        time.sleep(0.05)
    with pytest.raises(redis.ResponseError) as e:
        c.set("a", 1)
    assert str(e.value).startswith("MISCONF Redis is configured to save RDB snapshots")
    assert c.get("a") is None                       # reads still work
    with pytest.raises(redis.ResponseError) as e:   # PING too (processCommand's rule)
        c.ping()
    assert str(e.value).startswith("MISCONF")
    c.config_set("stop-writes-on-bgsave-error", "no")
    assert c.set("a", 1)
    assert c.ping()
    c.config_set("dir", d)


# ---------------------------------------------------------------- command replies
@pytest.mark.parametrize("kind", ["keyscope", "redis"])
def test_persistence_commands_reply_as_redis(kind, tmpdirs, procs):
    srv = start(kind, tmpdirs())
    procs.append(srv)
    c = srv.client()

    def err(*args):
        with pytest.raises(redis.ResponseError) as e:
            c.execute_command(*args)
        return str(e.value)
    assert err("BGSAVE", "x") == "syntax error"
    assert err("SAVE", "x") == "wrong number of arguments for 'save' command"
    assert err("DEBUG", "RELOAD", "foo") == \
        "DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options."
    assert err("DEBUG", "RELOAD", "NOSAVE") == "Error trying to load the RDB dump"
    assert err("DEBUG", "DIGEST", "x") == \
        "unknown subcommand or wrong number of arguments for 'DIGEST'. Try DEBUG HELP."
    assert err("DEBUG", "OBJECT", "nokey") == "no such key"
    assert c.execute_command("DEBUG", "DIGEST") == b"0" * 40
    assert c.execute_command("DEBUG", "DIGEST-VALUE", "nokey") == [b"0" * 40]
    c.set("k", "v")
    assert c.execute_command("DEBUG", "OBJECT", "k").startswith(b"Value at:")
    t = c.lastsave()
    assert c.save() and c.lastsave() >= t
    info = c.info("persistence")
    assert info["rdb_changes_since_last_save"] == 0
    assert info["rdb_last_bgsave_status"] == "ok"
    c.set("k", "w")
    assert c.info("persistence")["rdb_changes_since_last_save"] == 1
    raw = Raw(srv.port)
    want = b"+OK\r\n+QUEUED\r\n*1\r\n+Background saving scheduled\r\n"
    assert raw.request(b"MULTI\r\nBGSAVE\r\nEXEC\r\n", want) == want
    raw.close()
    deadline = time.time() + 10
    while c.info("persistence")["rdb_changes_since_last_save"]:
        assert time.time() < deadline
        time.sleep(0.05)
    c.execute_command("DEBUG", "RELOAD")
    assert c.get("k") == b"w"


def test_a_stale_temp_file_is_removed_at_start(tmpdirs, procs):
    d = tmpdirs()
    stale = os.path.join(d, "temp-4194300.rdb")          # above pid_max: nobody's
    with open(stale, "wb") as f:
        f.write(b"REDIS0010partial")
    ks = start("keyscope", d)
    procs.append(ks)
    assert not os.path.exists(stale)
    assert ks.client().dbsize() == 0


@pytest.mark.parametrize("policy,opt,read", [("allkeys-lru", "IDLETIME", "idletime"),
                                             ("allkeys-lfu", "FREQ", "freq")])
def test_lru_and_lfu_hints_travel_in_the_file(policy, opt, read, tmpdirs, procs):
    d1, d2 = tmpdirs(), tmpdirs()
    ks = start("keyscope", d1, "--maxmemory-policy", policy)
    procs.append(ks)
    kc = ks.client()
    kc.set("src", "v")
    payload = kc.dump("src")
    kc.execute_command("RESTORE", "k", 0, payload, opt, 1000 if opt == "IDLETIME" else 77)
    kc.save()
    if CHECK_RDB:
        out = subprocess.run([CHECK_RDB, os.path.join(d1, "dump.rdb")], capture_output=True,
                             text=True, timeout=60)
        assert out.returncode == 0, out.stdout
    shutil.copy(os.path.join(d1, "dump.rdb"), os.path.join(d2, "dump.rdb"))
    rs = start("redis", d2, "--maxmemory-policy", policy)
    procs.append(rs)
    got = rs.client().object(read, "k")
    if opt == "IDLETIME":
        assert 1000 <= got <= 1010
    else:
        assert got == 77


@pytest.mark.parametrize("kind", ["keyscope", "redis"])
def test_flushall_with_save_points_saves_the_empty_dataset(kind, tmpdirs, procs):
    d = tmpdirs()
    srv = start(kind, d, "--save", "3600 1000")
    procs.append(srv)
    c = srv.client()
    c.set("a", 1)
    c.save()
    c.flushall()
    assert c.info("persistence")["rdb_changes_since_last_save"] == 0
    srv.stop()
    procs.remove(srv)
    again = start(kind, d)
    procs.append(again)
    assert again.client().dbsize() == 0
