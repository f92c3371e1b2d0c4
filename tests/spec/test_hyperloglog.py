"""HyperLogLog as Redis 7.0 stores and counts it: the exact bytes of sparse and dense
values (GET), the cached cardinality, PFADD/PFCOUNT/PFMERGE/PFDEBUG/PFSELFTEST, errors for
non-HLL and corrupt strings, notifications, and values exchanged with a real redis-server."""
import random
import time

import pytest
import redis

from tests.conftest import REDIS_SERVER, _reset, get_server

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
NOT_HLL = "WRONGTYPE Key is not a valid HyperLogLog string value."
INVALIDOBJ = "INVALIDOBJ Corrupted HLL object detected"
EMPTY = b"HYLL\x01\x00\x00\x00" + b"\x00" * 7 + b"\x80\x7f\xff"
HDR_SPARSE = b"HYLL\x01\x00\x00\x00" + b"\x00" * 7 + b"\x80"


def call(r, *args):
    """The reply exactly as the server sent it (no redis-py response callbacks)."""
    conn = r.connection_pool.get_connection()
    try:
        conn.send_command(*args)
        return conn.read_response()
    finally:
        r.connection_pool.release(conn)


def err(r, *args) -> str:
    with pytest.raises(redis.ResponseError) as e:
        call(r, *args)
    return str(e.value)


def raw_err(raw, *args) -> bytes:
    """The whole error line, prefix included, read off a raw socket."""
    conn = raw()
    cmd = b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)
    data = conn.request(cmd, b"-")
    while not data.endswith(b"\r\n"):
        data += conn.recv()
    return data[:-2]


def dense_value(regs: bytes, card=b"\x00" * 7 + b"\x80") -> bytes:
    """A dense HLL string with the given one-byte-per-register values (each < 64)."""
    out = bytearray(12288)
    for i, v in enumerate(regs):
        pos = i * 6
        b, fb = pos >> 3, pos & 7
        out[b] |= (v << fb) & 0xFF
        if fb > 2:
            out[b + 1] |= v >> (8 - fb)
    return b"HYLL\x00\x00\x00\x00" + card + bytes(out)


@pytest.fixture
def both():
    """Clients to keyscope and to redis-server at once, both flushed."""
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed")
    ours, theirs = get_server("keyscope"), get_server("redis")
    _reset(ours)
    _reset(theirs)
    a, b = ours.client(socket_timeout=60), theirs.client(socket_timeout=60)
    yield a, b
    for c in (a, b):
        c.config_set("hll-sparse-max-bytes", "3000")
        c.close()


# ---------------------------------------------------------------- PFADD
def test_pfadd_creates_an_empty_sparse_hll_even_without_elements(r):
    assert call(r, "PFADD", "h") == 1
    assert r.get("h") == EMPTY
    assert call(r, "PFADD", "h") == 0
    assert r.type("h") == b"string"
    assert call(r, "OBJECT", "ENCODING", "h") == b"raw"
    assert call(r, "PFCOUNT", "h") == 0


def test_pfadd_reports_whether_a_register_changed(r):
    assert call(r, "PFADD", "h", "a", "b", "c") == 1
    assert call(r, "PFADD", "h", "a", "b", "c") == 0
    assert call(r, "PFADD", "h", "a", "d") == 1
    assert call(r, "PFCOUNT", "h") == 4
    assert call(r, "PFDEBUG", "DECODE", "h") == \
        b"Z:7292 v:1,1 Z:1143 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603"


def test_pfadd_keeps_the_ttl_and_makes_a_set_value_raw(r):
    assert call(r, "PFADD", "h", "x") == 1
    value = r.get("h")
    r.set("h", value, ex=100)
    assert call(r, "OBJECT", "ENCODING", "h") == b"embstr"
    assert call(r, "PFADD", "h", "x") == 0
    assert call(r, "OBJECT", "ENCODING", "h") == b"raw"
    assert r.ttl("h") > 0


def test_pfadd_promotes_to_dense_at_hll_sparse_max_bytes(r):
    r.config_set("hll-sparse-max-bytes", "100")
    try:
        assert call(r, "PFADD", "h", *["e%d" % i for i in range(20)]) == 1
        assert call(r, "PFDEBUG", "ENCODING", "h") == b"sparse"
        assert r.strlen("h") <= 100
        call(r, "PFADD", "h", *["e%d" % i for i in range(20, 60)])
        assert call(r, "PFDEBUG", "ENCODING", "h") == b"dense"
        assert r.strlen("h") == 12304
        assert call(r, "PFCOUNT", "h") == 60
    finally:
        r.config_set("hll-sparse-max-bytes", "3000")


def test_a_hand_made_sparse_value_reads_like_redis(r):
    r.set("h", HDR_SPARSE + b"\xfc" + b"\x7f\xfe")            # v:32,1 Z:16383
    assert call(r, "PFCOUNT", "h") == 1
    assert call(r, "PFDEBUG", "GETREG", "h")[:2] == [32, 0]
    assert call(r, "PFDEBUG", "ENCODING", "h") == b"dense"


# ---------------------------------------------------------------- PFCOUNT
def test_pfcount_caches_the_cardinality_in_the_header(r):
    call(r, "PFADD", "h", *["x%d" % i for i in range(100)])
    assert r.get("h")[15] & 0x80                      # stale after PFADD
    n = call(r, "PFCOUNT", "h")
    assert n == 99                                    # an estimate, Redis's exactly
    v = r.get("h")
    assert v[15] & 0x80 == 0
    assert int.from_bytes(v[8:16], "little") == n
    # the cached value is trusted as it is: patch it and PFCOUNT reports it
    r.setrange("h", 8, (12345).to_bytes(8, "little"))
    assert call(r, "PFCOUNT", "h") == 12345
    call(r, "PFADD", "h", "new-element-1", "new-element-2")
    assert call(r, "PFCOUNT", "h") == 101


def test_pfcount_of_missing_keys_and_of_several_keys(r):
    assert call(r, "PFCOUNT", "nokey") == 0
    call(r, "PFADD", "a", *["a%d" % i for i in range(50)])
    call(r, "PFADD", "b", *["a%d" % i for i in range(25, 75)])
    assert call(r, "PFCOUNT", "a", "b") == 75
    assert call(r, "PFCOUNT", "a", "nokey", "b") == 75
    assert call(r, "PFCOUNT", "nokey", "nokey2") == 0
    assert r.get("a")[15] & 0x80                      # several keys: no cache update


def test_pfcount_counts_keyspace_hits_and_misses(r):
    call(r, "PFADD", "h", "a")
    info = r.info("stats")
    h0, m0 = info["keyspace_hits"], info["keyspace_misses"]
    call(r, "PFCOUNT", "h")
    call(r, "PFCOUNT", "nokey")
    call(r, "PFCOUNT", "h", "nokey", "h")
    call(r, "PFADD", "h", "b")
    info = r.info("stats")
    assert (info["keyspace_hits"], info["keyspace_misses"]) == (h0 + 3, m0 + 2)


def test_pfcount_refreshing_the_cache_touches_watched_keys(r, server):
    call(r, "PFADD", "h", "a")
    other = server.client()
    try:
        with r.pipeline() as p:
            p.watch("h")
            assert other.pfcount("h") == 1            # recomputed: a modification
            p.multi()
            p.set("x", 1)
            with pytest.raises(redis.WatchError):
                p.execute()
        with r.pipeline() as p:
            p.watch("h")
            assert other.pfcount("h") == 1            # cached: nothing written
            p.multi()
            p.set("x", 1)
            assert p.execute() == [True]
    finally:
        other.close()


def test_pfcount_estimate_overflow_reads_negative_as_in_redis(r):
    r.set("h", dense_value(bytes([50]) * 16384))
    assert call(r, "PFCOUNT", "h") == -9223372036854775808
    assert r.get("h")[8:16] == b"\x00" * 7 + b"\x80"  # stored, but still "stale"
    r.set("h", dense_value(bytes([40]) * 16384))
    assert call(r, "PFCOUNT", "h") == 12994641697113596
    r.set("h", dense_value(bytes([63, 52]) * 8192))   # values past 51 are ignored
    assert call(r, "PFCOUNT", "h") == -9223372036854775808


# ---------------------------------------------------------------- PFMERGE
def test_pfmerge_computes_the_union_into_the_destination(r):
    call(r, "PFADD", "a", *["a%d" % i for i in range(50)])
    call(r, "PFADD", "b", *["a%d" % i for i in range(25, 75)])
    assert call(r, "PFMERGE", "d", "a", "b", "nokey") == b"OK"
    assert call(r, "PFCOUNT", "d") == 75
    assert call(r, "PFDEBUG", "ENCODING", "d") == b"sparse"
    assert call(r, "PFMERGE", "a", "b") == b"OK"      # destination is also a source
    assert call(r, "PFCOUNT", "a") == 75
    assert call(r, "PFMERGE", "e") == b"OK"
    assert r.get("e") == EMPTY
    assert call(r, "PFMERGE", "e", "nokey") == b"OK"


def test_pfmerge_into_dense_when_any_source_is_dense(r):
    call(r, "PFADD", "a", "x", "y")
    call(r, "PFADD", "b", "z")
    call(r, "PFDEBUG", "TODENSE", "b")
    assert call(r, "PFMERGE", "d", "a", "b") == b"OK"
    assert call(r, "PFDEBUG", "ENCODING", "d") == b"dense"
    assert call(r, "PFCOUNT", "d") == 3
    assert call(r, "PFMERGE", "a", "nokey") == b"OK"
    assert call(r, "PFDEBUG", "ENCODING", "a") == b"sparse"


# ---------------------------------------------------------------- errors
def test_commands_reject_values_that_are_not_hlls(r):
    r.lpush("l", "x")
    r.set("s", "not an hll at all")
    r.set("short", "HYLL")
    r.set("badenc", b"HYLL\x02" + b"\x00" * 11 + b"\x7f\xff")
    r.set("baddense", b"HYLL\x00" + b"\x00" * 11 + b"\x00" * 100)
    for key in ("s", "short", "badenc", "baddense"):
        assert err(r, "PFADD", key, "a") == NOT_HLL
        assert err(r, "PFCOUNT", key) == NOT_HLL
        assert err(r, "PFCOUNT", key, "nokey") == NOT_HLL
        assert err(r, "PFMERGE", "d", key) == NOT_HLL
        assert err(r, "PFMERGE", key, "nokey") == NOT_HLL
        assert err(r, "PFDEBUG", "ENCODING", key) == NOT_HLL
    assert err(r, "PFADD", "l", "a") == WRONGTYPE
    assert err(r, "PFCOUNT", "l") == WRONGTYPE
    assert err(r, "PFMERGE", "l", "nokey") == WRONGTYPE
    assert r.exists("d") == 0


def test_error_lines_carry_redis_prefixes(r, raw):
    r.set("s", "xx")
    r.set("c", HDR_SPARSE + b"\x7f\x00")              # XZERO:16129, too short
    assert raw_err(raw, b"PFADD", b"s", b"a") == \
        b"-WRONGTYPE Key is not a valid HyperLogLog string value."
    assert raw_err(raw, b"PFCOUNT", b"c") == \
        b"-INVALIDOBJ Corrupted HLL object detected"


def test_corrupt_sparse_values_answer_invalidobj(r):
    short = HDR_SPARSE + b"\x40\x63"                  # XZERO:100 covers too little
    r.set("c", short)
    assert err(r, "PFCOUNT", "c") == INVALIDOBJ
    assert err(r, "PFCOUNT", "c", "nokey") == INVALIDOBJ
    assert err(r, "PFMERGE", "d", "c") == INVALIDOBJ
    assert err(r, "PFDEBUG", "GETREG", "c") == INVALIDOBJ
    assert err(r, "PFDEBUG", "TODENSE", "c") == INVALIDOBJ
    assert call(r, "PFDEBUG", "DECODE", "c") == b"Z:100"
    assert call(r, "PFDEBUG", "ENCODING", "c") == b"sparse"
    # an element landing past the covered registers cannot be set
    assert err(r, "PFADD", "c", "a") == INVALIDOBJ
    long = HDR_SPARSE + b"\x7f\xff\x7f\xff"            # covers 32768 registers
    r.set("c", long)
    assert err(r, "PFCOUNT", "c") == INVALIDOBJ
    assert call(r, "PFADD", "c", "a") == 1             # the first run still takes it
    assert err(r, "PFCOUNT", "c") == INVALIDOBJ
    overflow = HDR_SPARSE + b"\x7f\xfe\x83"            # Z:16383 then v:1,4
    r.set("c", overflow)
    assert err(r, "PFCOUNT", "c") == INVALIDOBJ
    assert err(r, "PFMERGE", "d", "c") == INVALIDOBJ
    r.set("c", HDR_SPARSE + b"\x7f")                  # a truncated XZERO opcode
    assert err(r, "PFCOUNT", "c") == INVALIDOBJ
    assert call(r, "PFDEBUG", "DECODE", "c") == b"Z:16129"


def test_corrupt_dense_registers_are_counted_as_redis_does(r):
    r.set("h", dense_value(bytes([0, 1, 2, 60]) * 4096))
    n = call(r, "PFCOUNT", "h")
    assert isinstance(n, int) and n > 0
    assert call(r, "PFDEBUG", "GETREG", "h")[:4] == [0, 1, 2, 60]


# ---------------------------------------------------------------- PFDEBUG / PFSELFTEST
def test_pfdebug_getreg_decode_encoding_todense(r):
    call(r, "PFADD", "h", "a", "b", "c")
    assert call(r, "PFDEBUG", "DECODE", "h") == \
        b"Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603"
    assert call(r, "PFDEBUG", "encoding", "h") == b"sparse"
    regs = call(r, "PFDEBUG", "GETREG", "h")
    assert len(regs) == 16384 and sum(regs) == 4
    assert regs[8436] == 1 and regs[12711] == 2
    assert call(r, "PFDEBUG", "ENCODING", "h") == b"dense"    # GETREG converted it
    assert err(r, "PFDEBUG", "DECODE", "h") == "HLL encoding is not sparse"
    assert call(r, "PFDEBUG", "TODENSE", "h") == 0
    call(r, "PFADD", "g", "a")
    assert call(r, "PFDEBUG", "TODENSE", "g") == 1
    assert r.strlen("g") == 12304
    assert call(r, "PFCOUNT", "g") == 1
    call(r, "PFADD", "e")
    assert call(r, "PFDEBUG", "DECODE", "e") == b"Z:16384"


def test_pfdebug_errors(r):
    assert err(r, "PFDEBUG", "GETREG", "nokey") == "The specified key does not exist"
    assert err(r, "PFDEBUG", "FOO", "nokey") == "The specified key does not exist"
    call(r, "PFADD", "h", "a")
    assert err(r, "PFDEBUG", "FOO", "h") == "Unknown PFDEBUG subcommand 'FOO'"
    assert err(r, "PFDEBUG", "GETREG") == \
        "wrong number of arguments for 'pfdebug' command"
    assert err(r, "PFDEBUG", "GETREG", "h", "x") == \
        "wrong number of arguments for 'pfdebug' command"
    r.sadd("s", "x")
    assert err(r, "PFDEBUG", "GETREG", "s") == WRONGTYPE


def test_pfselftest_passes(r):
    assert call(r, "PFSELFTEST") == b"OK"
    assert err(r, "PFSELFTEST", "x") == "wrong number of arguments for 'pfselftest' command"


# ---------------------------------------------------------------- notifications
def test_keyspace_events_of_hll_commands(r, events):
    call(r, "PFADD", "h", "a")
    call(r, "PFADD", "h", "a")                        # nothing changed: no event
    call(r, "PFADD", "h")
    call(r, "PFCOUNT", "h")                           # cache update: no event
    call(r, "PFMERGE", "d", "h")
    call(r, "PFDEBUG", "TODENSE", "d")
    assert events() == [(b"pfadd", b"h"), (b"pfadd", b"d")]


# ---------------------------------------------------------------- against redis-server
def _fill(client, key, elements):
    p = client.pipeline(transaction=False)
    for i in range(0, len(elements), 1000):
        p.pfadd(key, *elements[i:i + 1000])
    p.execute()


@pytest.mark.parametrize("size", [1, 10, 100, 1000, 10_000, 100_000])
def test_same_elements_give_the_same_bytes_and_count_as_redis(both, size):
    ours, theirs = both
    rng = random.Random(size)
    elements = [b"%d:%x" % (i, rng.getrandbits(48)) for i in range(size)]
    t0 = time.time()
    for c in (ours, theirs):
        _fill(c, "h", elements)
    assert ours.get("h") == theirs.get("h")
    assert call(ours, "PFCOUNT", "h") == call(theirs, "PFCOUNT", "h")
    assert ours.get("h") == theirs.get("h")         # the cached count too
    assert call(ours, "PFDEBUG", "ENCODING", "h") == call(theirs, "PFDEBUG", "ENCODING", "h")
    assert time.time() - t0 < 60


@pytest.mark.parametrize("max_bytes", [40, 300, 3000, 8000])
def test_sparse_edits_match_redis_byte_for_byte(both, max_bytes):
    ours, theirs = both
    rng = random.Random(max_bytes)
    for c in (ours, theirs):
        c.config_set("hll-sparse-max-bytes", str(max_bytes))
    for step in range(60):
        batch = [b"%d.%d" % (step, rng.getrandbits(32)) for _ in range(rng.randint(1, 60))]
        assert call(ours, "PFADD", "h", *batch) == call(theirs, "PFADD", "h", *batch)
        assert ours.get("h") == theirs.get("h"), step
        if step % 7 == 0:
            assert call(ours, "PFCOUNT", "h") == call(theirs, "PFCOUNT", "h")


def test_pfmerge_results_are_byte_identical(both):
    ours, theirs = both
    rng = random.Random(11)
    sets = {"s1": 30, "s2": 200, "s3": 900, "big": 6000}
    for name, n in sets.items():
        elements = [b"%s:%d" % (name.encode(), rng.getrandbits(40)) for _ in range(n)]
        for c in (ours, theirs):
            _fill(c, name, elements)
    merges = [("m1", "s1", "s2"), ("m2", "s2", "s3"), ("m3", "s1", "big"),
              ("s1", "s2"), ("m4", "nokey", "s3", "s2"), ("m2", "s1")]
    for args in merges:
        assert call(ours, "PFMERGE", *args) == call(theirs, "PFMERGE", *args) == b"OK"
        assert ours.get(args[0]) == theirs.get(args[0]), args
    assert call(ours, "PFCOUNT", "m1", "m2", "m3") == call(theirs, "PFCOUNT", "m1", "m2",
                                                           "m3")
    for k in ("m1", "m2", "m3", "m4", "s1"):
        assert call(ours, "PFCOUNT", k) == call(theirs, "PFCOUNT", k)
        assert ours.get(k) == theirs.get(k)


def test_hll_values_move_between_redis_and_keyscope(both):
    ours, theirs = both
    rng = random.Random(5)
    for n in (5, 500, 5000):
        elements = [b"%d" % rng.getrandbits(60) for _ in range(n)]
        _fill(theirs, "r%d" % n, elements)
        _fill(ours, "o%d" % n, elements)
        ours.set("r%d" % n, theirs.get("r%d" % n))
        theirs.set("o%d" % n, ours.get("o%d" % n))
        for k in ("r%d" % n, "o%d" % n):
            assert call(ours, "PFCOUNT", k) == call(theirs, "PFCOUNT", k)
        more = [b"more%d" % i for i in range(300)]
        for c in (ours, theirs):
            c.pfadd("r%d" % n, *more)
        assert ours.get("r%d" % n) == theirs.get("r%d" % n)
