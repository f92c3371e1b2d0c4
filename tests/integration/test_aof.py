"""AOF as Redis 7.0 keeps it, exchanged with a real redis-server both ways: multi-part
directories (manifest, base, incr), redis-check-aof, appendfsync always under kill -9,
damaged files, BGREWRITEAOF and CONFIG SET appendonly at runtime."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import pytest
import redis

from tests.conftest import REDIS_SERVER, ROOT, ServerProc, free_port
from tests.integration.test_rdb import make_corpus, snapshot

pytestmark = pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server not installed")
DEBUG = ["--enable-debug-command", "yes"]
AOF = ["--appendonly", "yes"]
CHECK_AOF = shutil.which("redis-check-aof")
AOFDIR = "appendonlydir"
MANIFEST = "appendonly.aof.manifest"


def start(kind: str, workdir: str, *args) -> ServerProc:
    return ServerProc(kind, [*DEBUG, *args], workdir=workdir)


@pytest.fixture
def tmpdirs():
    dirs = []

    def make():
        d = tempfile.mkdtemp(prefix="ks-aof-")
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


def stop(srv: ServerProc):
    """SHUTDOWN (the AOF is flushed and fsynced), wait for the process."""
    try:
        srv.client().shutdown(nosave=True)
    except redis.ConnectionError:
        pass
    srv.proc.wait(30)
    srv.stop()


def wait_rewrite(c: redis.Redis):
    deadline = time.time() + 60
    while True:
        info = c.info("persistence")
        if not info["aof_rewrite_in_progress"] and not info["aof_rewrite_scheduled"]:
            return info
        assert time.time() < deadline
        time.sleep(0.05)


def manifest(d: str) -> str:
    with open(os.path.join(d, AOFDIR, MANIFEST)) as f:
        return f.read()


def check_aof(d: str):
    if not CHECK_AOF:
        return
    out = subprocess.run([CHECK_AOF, os.path.join(d, AOFDIR, MANIFEST)], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "All AOF files and manifest are valid" in out.stdout, out.stdout


def copy_dir(src: str, dst: str):
    shutil.copytree(os.path.join(src, AOFDIR), os.path.join(dst, AOFDIR))


def values(snap: dict) -> dict:
    """The snapshot without encodings (a live server and a loaded one may differ)."""
    return {k: v[:3] for k, v in snap.items()}


def more_writes(c: redis.Redis):
    """Writes that land in the incr file after a rewrite, in several dbs."""
    c.execute_command("SELECT", 2)
    c.set("after-rewrite", "x" * 10)
    c.incrby("counter", 41)
    c.incr("counter")
    c.rpush("list_small", "tail")
    c.hset("hash_big", "f0", "changed")
    c.zincrby("zset_small", 0.5, "a")
    c.expire("int2", 5000)
    c.delete("raw")
    tx = c.pipeline(transaction=True)
    tx.set("in-tx", 1)
    tx.lpush("tx-list", "a", "b")
    tx.execute()
    c.eval("redis.call('set', KEYS[1], ARGV[1]); redis.call('incr', KEYS[2])", 2,
           "from-lua", "lua-counter", "v")
    c.execute_command("SELECT", 0)


# ---------------------------------------------------------------- both ways
@pytest.mark.parametrize("preamble", ["yes", "no"])
def test_redis_loads_the_keyscope_aof_dir_with_identical_contents(preamble, tmpdirs, procs):
    d1, d2 = tmpdirs(), tmpdirs()
    ks = start("keyscope", d1, *AOF, "--aof-use-rdb-preamble", preamble)
    kc = ks.client()
    make_corpus(kc)
    assert kc.bgrewriteaof() is True
    wait_rewrite(kc)
    more_writes(kc)
    want = snapshot(kc)
    digest = kc.execute_command("DEBUG", "DIGEST")
    stop(ks)
    m = manifest(d1)
    ext = "rdb" if preamble == "yes" else "aof"
    assert m == (f"file appendonly.aof.2.base.{ext} seq 2 type b\n"
                 "file appendonly.aof.2.incr.aof seq 2 type i\n")
    assert sorted(os.listdir(os.path.join(d1, AOFDIR))) == [
        f"appendonly.aof.2.base.{ext}", "appendonly.aof.2.incr.aof", MANIFEST]
    check_aof(d1)
    copy_dir(d1, d2)
    rs = start("redis", d2, *AOF)
    procs.append(rs)
    rc = rs.client()
    assert values(snapshot(rc)) == values(want)
    if preamble == "yes":       # (ZADD of a "-0" score stores 0 in redis too: the digest
        assert rc.execute_command("DEBUG", "DIGEST") == digest      # changes)
    assert rc.fcall("rdbf", 0) == 42
    # and keyscope, restarted on its own files, matches redis encoding for encoding
    ks2 = start("keyscope", d1, *AOF)
    procs.append(ks2)
    kc2 = ks2.client()
    assert snapshot(kc2) == snapshot(rc)
    assert kc2.execute_command("DEBUG", "DIGEST") == rc.execute_command("DEBUG", "DIGEST")


@pytest.mark.parametrize("preamble", ["yes", "no"])
def test_keyscope_loads_the_redis_aof_dir_with_identical_contents(preamble, tmpdirs, procs):
    d1, d2 = tmpdirs(), tmpdirs()
    rs = start("redis", d1, *AOF, "--aof-use-rdb-preamble", preamble)
    procs.append(rs)
    rc = rs.client()
    make_corpus(rc, seed=5)
    rc.bgrewriteaof()
    wait_rewrite(rc)
    more_writes(rc)
    rc.execute_command("DEBUG", "LOADAOF")        # the contents as a load gives them
    want = snapshot(rc)
    digest = rc.execute_command("DEBUG", "DIGEST")
    copy_dir(d1, d2)
    ks = start("keyscope", d2, *AOF)
    procs.append(ks)
    kc = ks.client()
    assert snapshot(kc) == want
    assert kc.execute_command("DEBUG", "DIGEST") == digest
    assert kc.fcall("rdbf", 0) == 42
    log = ks.read_log()
    assert "DB loaded from base file appendonly.aof.2.base" in log
    assert "DB loaded from incr file appendonly.aof.2.incr.aof" in log
    assert "DB loaded from append only file" in log
    # keyscope goes on appending to redis's incr file; redis reads it back
    kc.set("written-by-keyscope", "yes")
    stop(ks)
    check_aof(d2)
    rs2 = start("redis", d2, *AOF)
    procs.append(rs2)
    assert rs2.client().get("written-by-keyscope") == b"yes"


def test_an_old_style_appendonly_aof_is_moved_into_the_directory(tmpdirs, procs):
    d = tmpdirs()
    with open(os.path.join(d, "appendonly.aof"), "wb") as f:
        f.write(b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$3\r\nold\r\n$5\r\nstyle\r\n"
                b"*3\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\n1\r\n")
    ks = start("keyscope", d, *AOF)
    procs.append(ks)
    kc = ks.client()
    assert kc.get("old") == b"style"
    assert kc.lrange("l", 0, -1) == [b"1"]
    assert not os.path.exists(os.path.join(d, "appendonly.aof"))
    assert manifest(d) == ("file appendonly.aof seq 1 type b\n"
                           "file appendonly.aof.1.incr.aof seq 1 type i\n")
    assert "Successfully migrated an old-style AOF file" in ks.read_log()


def test_an_old_style_aof_with_rdb_preamble_loads(tmpdirs, procs):
    d0, d = tmpdirs(), tmpdirs()
    rs = start("redis", d0)
    procs.append(rs)
    rc = rs.client()
    rc.set("from-rdb", "1")
    rc.hset("h", "f", "v")
    rc.save()
    with open(os.path.join(d0, "dump.rdb"), "rb") as f:
        rdb = f.read()
    with open(os.path.join(d, "appendonly.aof"), "wb") as f:
        f.write(rdb + b"*3\r\n$3\r\nSET\r\n$9\r\nfrom-tail\r\n$1\r\n2\r\n")
    ks = start("keyscope", d, *AOF)
    procs.append(ks)
    kc = ks.client()
    assert kc.get("from-rdb") == b"1" and kc.get("from-tail") == b"2"
    assert kc.hgetall("h") == {b"f": b"v"}
    log = ks.read_log()
    assert "Reading RDB preamble from AOF file..." in log
    assert "Reading the remaining AOF tail..." in log


def test_timestamp_annotations_are_written_and_tolerated(tmpdirs, procs):
    d1, d2 = tmpdirs(), tmpdirs()
    ks = start("keyscope", d1, *AOF, "--aof-timestamp-enabled", "yes")
    kc = ks.client()
    kc.set("a", 1)
    time.sleep(1.1)
    kc.set("b", 2)
    kc.rpush("l", *range(100))
    stop(ks)
    with open(os.path.join(d1, AOFDIR, "appendonly.aof.1.incr.aof"), "rb") as f:
        incr = f.read()
    assert incr.startswith(b"#TS:") and incr.count(b"#TS:") >= 2
    check_aof(d1)
    copy_dir(d1, d2)
    for kind, d in (("keyscope", d1), ("redis", d2)):
        srv = start(kind, d, *AOF)
        procs.append(srv)
        c = srv.client()
        assert (c.get("a"), c.get("b"), c.llen("l")) == (b"1", b"2", 100), kind


# ---------------------------------------------------------------- crash safety
def test_kill_9_under_incr_load_with_appendfsync_always_loses_no_acknowledged_write(
        tmpdirs, procs):
    d = tmpdirs()
    ks = start("keyscope", d, *AOF, "--appendfsync", "always")
    procs.append(ks)
    acked: dict[str, int] = {}
    stop_at = time.time() + 3.0
    errors: list = []

    def worker(i: int):
        c = ks.client(socket_timeout=5)
        key = f"counter:{i}"
        try:
            while True:
                v = c.incr(key)              # acknowledged: must survive the crash
                acked[key] = v
        except (redis.ConnectionError, redis.TimeoutError, OSError):
            pass
        except Exception as e:            # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(8)]
    for t in threads:
        t.start()
    while time.time() < stop_at:
        time.sleep(0.05)
    ks.proc.send_signal(signal.SIGKILL)
    ks.proc.wait(10)
    for t in threads:
        t.join(10)
    assert not errors, errors
    assert sum(acked.values()) > 50, acked        # the load really ran
    ks2 = start("keyscope", d, *AOF, "--appendfsync", "always")
    procs.append(ks2)
    c = ks2.client()
    for key, v in acked.items():
        got = int(c.get(key) or 0)
        assert got >= v, (key, got, v)             # nothing acknowledged is lost
        assert got <= v + 1, (key, got, v)         # at most the one in flight


def test_a_torn_tail_loads_with_a_warning_and_is_truncated(tmpdirs, procs):
    d1, d2 = tmpdirs(), tmpdirs()
    ks = start("keyscope", d1, *AOF)
    kc = ks.client()
    for i in range(50):
        kc.set(f"k{i}", i)
    kc.rpush("last", "a" * 100)
    stop(ks)
    incr = os.path.join(d1, AOFDIR, "appendonly.aof.1.incr.aof")
    size = os.path.getsize(incr)
    with open(incr, "r+b") as f:
        f.truncate(size - 40)                      # inside the last RPUSH
    copy_dir(d1, d2)
    for kind, d in (("keyscope", d1), ("redis", d2)):
        srv = start(kind, d, *AOF)
        procs.append(srv)
        c = srv.client()
        assert c.dbsize() == 50, kind
        assert c.get("k49") == b"49" and c.exists("last") == 0, kind
        log = srv.read_log()
        assert "!!! Warning: short read while loading the AOF file appendonly.aof.1.incr.aof" \
               "!!!" in log, kind
        assert "AOF appendonly.aof.1.incr.aof loaded anyway because aof-load-truncated is " \
               "enabled" in log, kind
    assert os.path.getsize(incr) == os.path.getsize(
        os.path.join(d2, AOFDIR, "appendonly.aof.1.incr.aof"))


def test_a_torn_transaction_is_reverted_whole(tmpdirs, procs):
    d = tmpdirs()
    ks = start("keyscope", d, *AOF)
    kc = ks.client()
    kc.set("before", 1)
    tx = kc.pipeline(transaction=True)
    tx.set("tx1", 1)
    tx.set("tx2", 2)
    tx.execute()
    stop(ks)
    incr = os.path.join(d, AOFDIR, "appendonly.aof.1.incr.aof")
    with open(incr, "rb") as f:
        data = f.read()
    assert data.endswith(b"*1\r\n$4\r\nEXEC\r\n") or data.endswith(b"*1\r\n$4\r\nexec\r\n")
    with open(incr, "wb") as f:
        f.write(data[:-len(b"*1\r\n$4\r\nEXEC\r\n")])      # EXEC never made it
    ks2 = start("keyscope", d, *AOF)
    procs.append(ks2)
    c = ks2.client()
    assert c.get("before") == b"1" and c.exists("tx1", "tx2") == 0
    assert "Revert incomplete MULTI/EXEC transaction in AOF file" in ks2.read_log()
    with open(incr, "rb") as f:
        assert f.read() == data[:data.index(b"*1\r\n$5\r\nMULTI")]


def _damaged_start(kind: str, d: str, *args) -> tuple[int, str]:
    port = free_port()
    cmd = [REDIS_SERVER] if kind == "redis" else [sys.executable, "-m", "netserver"]
    cmd += ["--port", str(port), "--save", "", "--dir", d, *AOF, *args]
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout + p.stderr


def test_a_corrupt_byte_mid_file_refuses_to_start_naming_file_and_offset(tmpdirs, procs):
    d1, d2 = tmpdirs(), tmpdirs()
    ks = start("keyscope", d1, *AOF)
    kc = ks.client()
    for i in range(100):
        kc.set(f"k{i}", "v" * 20)
    stop(ks)
    incr = os.path.join(d1, AOFDIR, "appendonly.aof.1.incr.aof")
    with open(incr, "rb") as f:
        data = bytearray(f.read())
    at = data.index(b"*3\r\n", len(data) // 2)
    data[at] = ord("!")
    with open(incr, "wb") as f:
        f.write(data)
    copy_dir(d1, d2)
    code, log = _damaged_start("redis", d2)
    assert code == 1 and "Bad file format reading the append only file" in log, log
    code, log = _damaged_start("keyscope", d1)
    assert code == 1, log
    assert "Bad file format reading the append only file appendonly.aof.1.incr.aof" in log
    assert f"at offset {at}" in log, log
    assert "Traceback" not in log


def _torn(d: str, name: str, cut: int = 7):
    path = os.path.join(d, AOFDIR, name)
    with open(path, "r+b") as f:
        f.truncate(os.path.getsize(path) - cut)


def test_a_torn_tail_with_aof_load_truncated_no_refuses_to_start(tmpdirs, procs):
    d1, d2 = tmpdirs(), tmpdirs()
    ks = start("keyscope", d1, *AOF)
    ks.client().set("a", "1")
    stop(ks)
    _torn(d1, "appendonly.aof.1.incr.aof")
    copy_dir(d1, d2)
    for kind, d in (("redis", d2), ("keyscope", d1)):
        code, log = _damaged_start(kind, d, "--aof-load-truncated", "no")
        assert code == 1, (kind, log)
        assert "Unexpected end of file reading the append only file " \
               "appendonly.aof.1.incr.aof" in log, (kind, log)
    assert "the last whole one ends at offset" in log and "Traceback" not in log


def test_a_torn_file_that_is_not_the_last_is_fatal(tmpdirs, procs):
    d1, d2 = tmpdirs(), tmpdirs()
    ks = start("keyscope", d1, *AOF, "--aof-use-rdb-preamble", "no")
    kc = ks.client()
    kc.set("a", "1")
    kc.bgrewriteaof()
    wait_rewrite(kc)
    kc.set("b", "2")
    stop(ks)
    _torn(d1, "appendonly.aof.2.base.aof")
    copy_dir(d1, d2)
    for kind, d in (("redis", d2), ("keyscope", d1)):
        code, log = _damaged_start(kind, d)
        assert code == 1, (kind, log)
        assert "Fatal error: the truncated file is not the last file" in log, (kind, log)


def test_a_damaged_manifest_refuses_to_start_like_redis(tmpdirs, procs):
    for text, msg in ((b"file appendonly.aof.1.base.rdb seq 1 type b\nfile x seq 1\n",
                       "Invalid AOF manifest file format"),
                      (b"file a/b seq 1 type b\n", "File can't be a path, just a filename"),
                      (b"file a seq 1 type i\nfile b seq 1 type i\n",
                       "Found a non-monotonic sequence number"),
                      (b"file a seq 1 type b\nfile b seq 2 type b\n",
                       "Found duplicate base file information"),
                      (b"file a seq 1 type x\n", "Unknown AOF file type")):
        for kind in ("redis", "keyscope"):
            d = tmpdirs()
            os.mkdir(os.path.join(d, AOFDIR))
            with open(os.path.join(d, AOFDIR, MANIFEST), "wb") as f:
                f.write(text)
            code, log = _damaged_start(kind, d)
            assert code == 1, (kind, log)
            assert msg in log, (kind, log)
            assert "Traceback" not in log


def test_a_file_missing_from_the_manifest_refuses_to_start(tmpdirs, procs):
    for kind in ("redis", "keyscope"):
        d = tmpdirs()
        os.mkdir(os.path.join(d, AOFDIR))
        with open(os.path.join(d, AOFDIR, MANIFEST), "wb") as f:
            f.write(b"file appendonly.aof.1.base.rdb seq 1 type b\n")
        code, log = _damaged_start(kind, d)
        assert code == 1, (kind, log)
        assert "Unable to obtain the AOF file appendonly.aof.1.base.rdb length" in log, log


# ---------------------------------------------------------------- rewrite, runtime on/off
def test_bgrewriteaof_then_restart_keeps_the_data(tmpdirs, procs):
    d = tmpdirs()
    ks = start("keyscope", d, *AOF)
    kc = ks.client()
    p = kc.pipeline(transaction=False)
    for i in range(0, 20_000, 500):
        p.mset({f"k{j}": j for j in range(i, i + 500)})
    p.execute()
    kc.rpush("L", *range(300))
    kc.set("ttl", "v", px=500_000)
    # writes in the same read batch as BGREWRITEAOF: the base must not see them twice
    p = kc.pipeline(transaction=False)
    p.bgrewriteaof()
    p.incr("k1")
    p.rpush("L", "new")
    p.delete("k2")
    p.execute_command("SWAPDB", 0, 1)
    p.set("in-db1-after-swap", 1)
    p.execute_command("SWAPDB", 0, 1)
    res = p.execute()
    assert res[0] is True
    info = wait_rewrite(kc)
    assert info["aof_rewrites"] == 1 and info["aof_last_bgrewrite_status"] == "ok"
    kc.incr("k1")
    want = snapshot(kc)
    stop(ks)
    assert manifest(d).startswith("file appendonly.aof.2.base.rdb seq 2 type b\n")
    ks2 = start("keyscope", d, *AOF)
    procs.append(ks2)
    c = ks2.client()
    assert c.get("k1") == b"3" and c.exists("k2") == 0 and c.llen("L") == 301
    assert c.dbsize() == 20_000 + 1
    assert snapshot(c) == want


def test_config_set_appendonly_yes_at_runtime_then_restart_keeps_the_data(tmpdirs, procs):
    dirs = {}
    for kind in ("keyscope", "redis"):
        d = dirs[kind] = tmpdirs()
        srv = start(kind, d)
        c = srv.client()
        c.set("before", "1")
        c.rpush("l", 1, 2, 3)
        assert c.config_set("appendonly", "yes") is True
        assert c.info("persistence")["aof_enabled"] == 1
        c.set("during", "2")                 # while the first rewrite runs, or just after
        wait_rewrite(c)
        c.set("after", "3")
        stop(srv)
        assert manifest(d) == ("file appendonly.aof.1.base.rdb seq 1 type b\n"
                               "file appendonly.aof.1.incr.aof seq 1 type i\n"), kind
        srv = start(kind, d, *AOF)
        procs.append(srv)
        c = srv.client()
        assert (c.get("before"), c.get("during"), c.get("after")) == (b"1", b"2", b"3"), kind
        assert c.lrange("l", 0, -1) == [b"1", b"2", b"3"]
    check_aof(dirs["keyscope"])


def test_shutdown_during_the_initial_rewrite_finishes_it_first(tmpdirs, procs):
    """Redis refuses to exit then ("Writing initial AOF, can't exit."); an in-process
    rewrite can complete instead, so the data is in the AOF."""
    d = tmpdirs()
    ks = start("keyscope", d)
    kc = ks.client()
    p = kc.pipeline(transaction=False)
    for i in range(0, 200_000, 1000):
        p.mset({f"k{i + j}": "v" for j in range(1000)})
    p.execute()
    raw = socket.create_connection(("127.0.0.1", ks.port))
    raw.sendall(b"CONFIG SET appendonly yes\r\nSET during 1\r\nSHUTDOWN NOSAVE\r\n")
    ks.proc.wait(60)
    raw.close()
    ks.stop()
    assert "Writing initial AOF, finishing it before exit." in ks.read_log()
    ks2 = start("keyscope", d, *AOF)
    procs.append(ks2)
    c = ks2.client()
    assert c.dbsize() == 200_001 and c.get("during") == b"1"


def test_appendonly_no_at_runtime_stops_appending(tmpdirs, procs):
    d = tmpdirs()
    ks = start("keyscope", d, *AOF)
    procs.append(ks)
    kc = ks.client()
    kc.set("a", 1)
    incr = os.path.join(d, AOFDIR, "appendonly.aof.1.incr.aof")
    size = os.path.getsize(incr)
    assert size > 0
    assert kc.config_set("appendonly", "no") is True
    kc.set("b", 2)
    assert os.path.getsize(incr) == size
    info = kc.info("persistence")
    assert info["aof_enabled"] == 0 and "aof_current_size" not in info


def test_automatic_rewrite_on_growth(tmpdirs, procs):
    d = tmpdirs()
    ks = start("keyscope", d, *AOF, "--auto-aof-rewrite-min-size", "64kb",
               "--auto-aof-rewrite-percentage", "100")
    procs.append(ks)
    kc = ks.client()
    for i in range(300):
        kc.set("k", "x" * 1000)
    deadline = time.time() + 10
    while kc.info("persistence")["aof_rewrites"] < 1:
        assert time.time() < deadline
        time.sleep(0.05)
    wait_rewrite(kc)
    assert "Starting automatic rewriting of AOF on" in ks.read_log()
    info = kc.info("persistence")
    # 300 kB were appended; the rewrite left one SET plus what came after it
    assert info["aof_base_size"] <= info["aof_current_size"] < 200 * 1024
    assert kc.get("k") == b"x" * 1000


@pytest.mark.parametrize("kind", ["keyscope", "redis"])
def test_aof_commands_and_info_reply_as_redis(kind, tmpdirs, procs):
    srv = start(kind, tmpdirs(), *AOF)
    procs.append(srv)
    c = srv.client()
    c.set_response_callback("BGREWRITEAOF", lambda r, **kw: r)      # the status text
    assert c.execute_command("BGREWRITEAOF") == b"Background append only file rewriting started"
    wait_rewrite(c)
    tx = c.pipeline(transaction=True)
    tx.execute_command("BGREWRITEAOF")
    assert tx.execute() == [b"Background append only file rewriting scheduled"]
    wait_rewrite(c)
    with pytest.raises(redis.ResponseError) as e:
        c.execute_command("BGREWRITEAOF", "x")
    assert str(e.value) == "wrong number of arguments for 'bgrewriteaof' command"
    info = c.info("persistence")
    fields = [k for k in info if k.startswith(("aof_", "module_fork"))]
    assert fields == [
        "aof_enabled", "aof_rewrite_in_progress", "aof_rewrite_scheduled",
        "aof_last_rewrite_time_sec", "aof_current_rewrite_time_sec",
        "aof_last_bgrewrite_status", "aof_rewrites", "aof_rewrites_consecutive_failures",
        "aof_last_write_status", "aof_last_cow_size", "module_fork_in_progress",
        "module_fork_last_cow_size", "aof_current_size", "aof_base_size",
        "aof_pending_rewrite", "aof_buffer_length", "aof_pending_bio_fsync",
        "aof_delayed_fsync"]
    assert info["aof_rewrites"] == 2 and info["aof_last_bgrewrite_status"] == "ok"
    c.set("x", 1)
    assert c.execute_command("DEBUG", "LOADAOF") == b"OK"
    assert c.get("x") == b"1"
