"""DUMP / RESTORE: payloads, options and errors, on keyscope and redis-server alike."""
import time

import pytest
import redis

from engine.persist.rdbio import dump_footer


def err(fn, *a):
    with pytest.raises(redis.ResponseError) as e:
        fn(*a)
    return str(e.value)


def test_dump_of_a_missing_key_is_nil(r):
    assert r.dump("nokey") is None


def test_dump_payloads_are_redis_bytes_for_compact_encodings(r):
    r.set("s", "hello")
    r.set("n", "12345")
    r.set("long", "abc" * 40)
    r.rpush("l", *range(20), "x" * 100)
    r.sadd("si", 3, 1, 2, -7)
    r.hset("h", mapping={"a": "1", "b": "two"})
    r.zadd("z", {"a": 1.5, "b": 2, "c": -0.25})
    assert r.dump("s") == dump_footer(b"\x00\x05hello")
    assert r.dump("n") == dump_footer(b"\x00\xc1\x39\x30")     # INT16 12345
    for k in ("long", "l", "si", "h", "z"):
        p = r.dump(k)
        assert p[-10:-8] == b"\n\x00"           # RDB version 10, then the CRC64
    assert r.dump("si")[:1] == b"\x0b"          # RDB_TYPE_SET_INTSET
    assert r.dump("h")[:1] == b"\x10"           # RDB_TYPE_HASH_LISTPACK
    assert r.dump("z")[:1] == b"\x11"           # RDB_TYPE_ZSET_LISTPACK
    assert r.dump("l")[:1] == b"\x12"           # RDB_TYPE_LIST_QUICKLIST_2


def test_restore_round_trips_every_type_with_its_encoding(r):
    r.set("s", "x" * 100)
    r.rpush("l", *range(300))
    r.sadd("si", *range(10))
    r.sadd("ss", "a", "b")
    r.hset("h", mapping={f"f{i}": i for i in range(10)})
    r.hset("hb", mapping={f"f{i}": i for i in range(200)})
    r.zadd("z", {"a": 1, "b": 2.5})
    r.zadd("zb", {f"m{i}": i / 3 for i in range(200)})
    for k in ("s", "l", "si", "ss", "h", "hb", "z", "zb"):
        enc = r.object("encoding", k)
        payload = r.dump(k)
        r.restore(k + "-copy", 0, payload)
        assert r.object("encoding", k + "-copy") == enc
        if enc != b"hashtable":         # a hash table's order depends on its hash seed
            assert r.dump(k + "-copy") == payload
    assert r.smembers("ss-copy") == r.smembers("ss")
    assert r.hgetall("hb-copy") == r.hgetall("hb")
    assert r.lrange("l-copy", 0, -1) == r.lrange("l", 0, -1)
    assert r.zrange("zb-copy", 0, -1, withscores=True) == r.zrange("zb", 0, -1,
                                                                    withscores=True)


def test_restore_refuses_an_existing_key_unless_replace(r):
    r.set("a", "1")
    p = r.dump("a")
    assert err(r.restore, "a", 0, p) == "BUSYKEY Target key name already exists."
    r.set("a", "2")
    assert r.restore("a", 0, p, replace=True)
    assert r.get("a") == b"1"


def test_restore_checks_ttl_and_payload(r):
    r.set("a", "1")
    p = r.dump("a")
    assert err(r.execute_command, "RESTORE", "b", "-1", p) == \
        "Invalid TTL value, must be >= 0"
    assert err(r.execute_command, "RESTORE", "b", "x", p) == \
        "value is not an integer or out of range"
    bad = p[:-1] + bytes([p[-1] ^ 1])
    assert err(r.restore, "b", 0, bad) == "DUMP payload version or checksum are wrong"
    assert err(r.restore, "b", 0, b"short") == "DUMP payload version or checksum are wrong"
    newer = p[:-10] + b"\x0b\x00" + p[-8:]
    assert err(r.restore, "b", 0, newer) == "DUMP payload version or checksum are wrong"
    assert r.exists("b") == 0


def test_restore_with_a_bad_body_and_a_good_checksum_is_bad_data_format(r):
    assert err(r.restore, "b", 0, dump_footer(b"\x63garbage")) == "Bad data format"
    assert err(r.restore, "b", 0, dump_footer(b"\x00\x30ab")) == "Bad data format"
    assert err(r.restore, "b", 0, dump_footer(b"\x02\x00")) == "Bad data format"  # empty


def test_restore_reads_the_value_from_the_whole_payload_as_redis(r):
    # a string running into the footer takes the footer's bytes, as Redis's rio does
    p = dump_footer(b"\x00\x05ab")
    assert r.restore("b", 0, p)
    assert r.get("b") == b"ab" + p[4:7]


def test_restore_option_errors(r):
    r.set("a", "1")
    p = r.dump("a")
    assert err(r.execute_command, "RESTORE", "b", 0, p, "FOO") == "syntax error"
    assert err(r.execute_command, "RESTORE", "b", 0, p, "IDLETIME") == "syntax error"
    assert err(r.execute_command, "RESTORE", "b", 0, p, "IDLETIME", -1) == \
        "Invalid IDLETIME value, must be >= 0"
    assert err(r.execute_command, "RESTORE", "b", 0, p, "IDLETIME", "x") == \
        "value is not an integer or out of range"
    assert err(r.execute_command, "RESTORE", "b", 0, p, "FREQ", 256) == \
        "Invalid FREQ value, must be >= 0 and <= 255"
    assert err(r.execute_command, "RESTORE", "b", 0, p, "IDLETIME", 1, "FREQ", 1) == \
        "syntax error"
    assert err(r.execute_command, "RESTORE", "b", 0) == \
        "wrong number of arguments for 'restore' command"
    assert err(r.execute_command, "DUMP") == "wrong number of arguments for 'dump' command"


def test_restore_sets_a_relative_or_absolute_ttl(r):
    r.set("a", "1")
    p = r.dump("a")
    r.restore("b", 5000, p)
    assert 4000 < r.pttl("b") <= 5000
    at = int(time.time() * 1000) + 60000
    r.restore("c", at, p, absttl=True)
    assert r.pexpiretime("c") == at


def test_restore_with_a_past_absolute_ttl_creates_nothing(r):
    r.set("a", "1")
    p = r.dump("a")
    assert r.restore("b", 1000, p, absttl=True)
    assert r.exists("b") == 0
    assert r.restore("a", 1000, p, absttl=True, replace=True)
    assert r.exists("a") == 0


def test_restore_idletime_sets_the_idle_time(r):
    r.set("a", "1")
    p = r.dump("a")
    r.restore("b", 0, p, idletime=1000)
    assert r.object("idletime", "b") >= 1000


def test_restore_of_a_wrong_type_replaces_the_key(r):
    r.rpush("l", "x")
    p = r.dump("l")
    r.set("k", "v")
    r.restore("k", 0, p, replace=True)
    assert r.type("k") == b"list"


# ---------------------------------------------------------------- older encodings
# Redis 7.0 still loads what older versions wrote (ziplist, zipmap, quicklist v1, plain
# LIST/SET/ZSET/HASH) and converts it; RESTORE takes those payloads too.
import struct  # noqa: E402

from engine.persist.rdbio import enc_len, enc_string  # noqa: E402


def _zl_entry(prevlen: int, v) -> bytes:
    pl = bytes([prevlen]) if prevlen < 254 else b"\xfe" + struct.pack("<I", prevlen)
    if isinstance(v, int):
        if 0 <= v <= 12:
            return pl + bytes([0xF1 + v])
        for code, fmt, lo in ((0xFE, "<b", 7), (0xC0, "<h", 15), (0xF0, None, 23),
                              (0xD0, "<i", 31), (0xE0, "<q", 63)):
            if -(1 << lo) <= v < (1 << lo):
                data = (v & 0xFFFFFF).to_bytes(3, "little") if fmt is None \
                    else struct.pack(fmt, v)
                return pl + bytes([code]) + data
    n = len(v)
    if n < 64:
        enc = bytes([n])
    elif n < 16384:
        enc = bytes([0x40 | (n >> 8), n & 0xFF])
    else:
        enc = b"\x80" + struct.pack(">I", n)
    return pl + enc + v


def ziplist(items) -> bytes:
    body, prev, tail = b"", 0, 10
    for it in items:
        e = _zl_entry(prev, it)
        tail = 10 + len(body)
        body += e
        prev = len(e)
    return struct.pack("<IIH", 10 + len(body) + 1, tail, len(items)) + body + b"\xff"


def zipmap(pairs) -> bytes:
    out = bytes([len(pairs)])
    for f, v in pairs:
        out += bytes([len(f)]) + f + bytes([len(v), 0]) + v
    return out + b"\xff"


def _restore(r, key, type_byte, body):
    r.restore(key, 0, dump_footer(bytes([type_byte]) + body))


def test_restore_loads_ziplist_encoded_lists_hashes_and_zsets(r):
    items = [b"a", 0, 12, 13, -1, 200, 40000, 2**20, 2**31, 2**40, b"x" * 100, b"y" * 20000]
    _restore(r, "l", 10, enc_string(ziplist(items)))
    assert r.lrange("l", 0, -1) == [x if isinstance(x, bytes) else b"%d" % x for x in items]
    assert r.object("encoding", "l") == b"quicklist"
    _restore(r, "h", 13, enc_string(ziplist([b"f", b"v", b"n", 7])))
    assert r.hgetall("h") == {b"f": b"v", b"n": b"7"}
    assert r.object("encoding", "h") == b"listpack"
    _restore(r, "z", 12, enc_string(ziplist([b"a", 1, b"b", b"2.5", b"c", b"inf"])))
    assert r.zrange("z", 0, -1, withscores=True) == [(b"a", 1.0), (b"b", 2.5),
                                                      (b"c", float("inf"))]
    assert r.object("encoding", "z") == b"listpack"


def test_restore_loads_a_zipmap_hash(r):
    _restore(r, "h", 9, enc_string(zipmap([(b"name", b"redis"), (b"ver", b"2")])))
    assert r.hgetall("h") == {b"name": b"redis", b"ver": b"2"}
    assert r.object("encoding", "h") == b"listpack"


def test_restore_loads_a_quicklist_of_ziplists(r):
    body = enc_len(2) + enc_string(ziplist([b"a", 1])) + enc_string(ziplist([b"b", b"c"]))
    _restore(r, "l", 14, body)
    assert r.lrange("l", 0, -1) == [b"a", b"1", b"b", b"c"]


def test_restore_loads_plain_list_set_zset_hash_types(r):
    _restore(r, "l", 1, enc_len(3) + b"".join(enc_string(x) for x in (b"a", b"1", b"b")))
    assert r.lrange("l", 0, -1) == [b"a", b"1", b"b"]
    _restore(r, "si", 2, enc_len(3) + b"".join(enc_string(x) for x in (b"3", b"1", b"2")))
    assert r.object("encoding", "si") == b"intset"
    assert r.smembers("si") == {b"1", b"2", b"3"}
    _restore(r, "ss", 2, enc_len(2) + enc_string(b"a") + enc_string(b"1"))
    assert r.object("encoding", "ss") == b"hashtable"
    zbody = enc_len(3) + enc_string(b"a") + b"\x031.5" + enc_string(b"b") + b"\xfe" \
        + enc_string(b"c") + b"\xff"
    _restore(r, "z", 3, zbody)
    assert r.zrange("z", 0, -1, withscores=True) == [(b"c", float("-inf")), (b"a", 1.5),
                                                      (b"b", float("inf"))]
    assert r.object("encoding", "z") == b"listpack"
    _restore(r, "h", 4, enc_len(1) + enc_string(b"f") + enc_string(b"v" * 100))
    assert r.hgetall("h") == {b"f": b"v" * 100}
    assert r.object("encoding", "h") == b"hashtable"


def test_restore_converts_big_old_encodings_as_redis(r):
    members = [b"%d" % i for i in range(600)]
    _restore(r, "s", 2, enc_len(600) + b"".join(enc_string(m) for m in members))
    assert r.object("encoding", "s") == b"hashtable"
    pairs = [x for i in range(600) for x in (b"f%d" % i, b"v")]
    _restore(r, "h", 13, enc_string(ziplist(pairs)))
    assert r.object("encoding", "h") == b"hashtable"
    assert r.hlen("h") == 600


def test_restore_refuses_duplicates_in_old_encodings(r):
    with pytest.raises(redis.ResponseError, match="Bad data format"):
        _restore(r, "s", 2, enc_len(2) + enc_string(b"a") + enc_string(b"a"))
    zbody = enc_len(2) + (enc_string(b"m") + struct.pack("<d", 1.0)) * 2
    with pytest.raises(redis.ResponseError, match="Bad data format"):
        _restore(r, "z", 5, zbody)
