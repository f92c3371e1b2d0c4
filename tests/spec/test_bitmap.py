"""Bitmaps as Redis 7.0 answers them: SETBIT/GETBIT, BITCOUNT and BITPOS with BYTE|BIT
ranges, BITOP, BITFIELD/BITFIELD_RO with every overflow mode, errors and notifications."""
import random

import pytest
import redis

from tests.conftest import REDIS_SERVER, _reset, get_server

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
NOT_INT = "value is not an integer or out of range"
SYNTAX = "syntax error"
OFFSET = "bit offset is not an integer or out of range"
BIT_VALUE = "bit is not an integer or out of range"
BF_TYPE = ("Invalid bitfield type. Use something like i16 u8. Note that u64 is not "
           "supported but i64 is.")


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


def stats(r) -> tuple:
    info = r.info("stats")
    return info["keyspace_hits"], info["keyspace_misses"]


@pytest.fixture
def small_bulk(r):
    """proto-max-bulk-len at its 1mb minimum, restored afterwards."""
    r.config_set("proto-max-bulk-len", "1mb")
    yield 1024 * 1024
    r.config_set("proto-max-bulk-len", str(512 * 1024 * 1024))


@pytest.fixture
def both():
    """Clients to keyscope and to redis-server at once, both flushed."""
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed")
    ours, theirs = get_server("keyscope"), get_server("redis")
    _reset(ours)
    _reset(theirs)
    a, b = ours.client(), theirs.client()
    yield a, b
    a.close()
    b.close()


# ---------------------------------------------------------------- SETBIT / GETBIT
def test_setbit_returns_the_old_bit_and_grows_the_string_with_zeros(r):
    assert call(r, "SETBIT", "k", 7, 1) == 0
    assert r.get("k") == b"\x01"
    assert call(r, "SETBIT", "k", 7, 1) == 1
    assert call(r, "SETBIT", "k", 7, 0) == 1
    assert call(r, "SETBIT", "k", 0, 1) == 0
    assert r.get("k") == b"\x80"
    assert call(r, "SETBIT", "k", 33, 1) == 0
    assert r.get("k") == b"\x80\x00\x00\x00\x40"
    assert call(r, "OBJECT", "ENCODING", "k") == b"raw"


def test_setbit_on_an_existing_string_makes_it_raw_and_keeps_the_ttl(r):
    r.set("k", "1", ex=100)
    assert call(r, "OBJECT", "ENCODING", "k") == b"int"
    assert call(r, "SETBIT", "k", 6, 1) == 0           # '1' = 0x31 -> 0x33 '3'
    assert r.get("k") == b"3"
    assert call(r, "OBJECT", "ENCODING", "k") == b"raw"
    assert r.ttl("k") > 0
    r.set("e", "ab")
    assert call(r, "SETBIT", "e", 1, 1) == 1            # unchanged bit, still raw
    assert call(r, "OBJECT", "ENCODING", "e") == b"raw"


def test_setbit_value_and_offset_errors(r):
    assert err(r, "SETBIT", "k", 0, 2) == BIT_VALUE
    assert err(r, "SETBIT", "k", 0, -1) == BIT_VALUE
    assert err(r, "SETBIT", "k", 0, "x") == BIT_VALUE
    assert err(r, "SETBIT", "k", -1, 1) == OFFSET
    assert err(r, "SETBIT", "k", "x", 1) == OFFSET
    assert err(r, "SETBIT", "k", "#1", 1) == OFFSET
    assert err(r, "SETBIT", "k", 4294967296, 1) == OFFSET
    assert err(r, "SETBIT", "k", "99999999999999999999", 1) == OFFSET
    assert r.exists("k") == 0
    assert err(r, "SETBIT", "k") == "wrong number of arguments for 'setbit' command"


def test_setbit_checks_arguments_before_the_key_type(r):
    r.hset("h", "f", "v")
    assert err(r, "SETBIT", "h", -1, 1) == OFFSET
    assert err(r, "SETBIT", "h", 0, 5) == BIT_VALUE
    assert err(r, "SETBIT", "h", 0, 1) == WRONGTYPE


def test_bit_offsets_are_limited_by_proto_max_bulk_len(r, small_bulk):
    limit = small_bulk * 8
    assert err(r, "SETBIT", "k", limit, 1) == OFFSET
    assert err(r, "GETBIT", "k", limit) == OFFSET
    assert call(r, "SETBIT", "k", limit - 1, 1) == 0
    assert r.strlen("k") == small_bulk
    assert call(r, "GETBIT", "k", limit - 1) == 1
    assert call(r, "BITCOUNT", "k") == 1
    assert err(r, "BITFIELD", "k", "GET", "u8", limit) == OFFSET
    assert err(r, "BITFIELD", "k", "GET", "u8", "#%d" % (small_bulk,)) == OFFSET


def test_getbit_reads_zero_past_the_end_and_for_missing_keys(r):
    r.set("k", b"\x80")
    assert call(r, "GETBIT", "k", 0) == 1
    assert call(r, "GETBIT", "k", 1) == 0
    assert call(r, "GETBIT", "k", 100) == 0
    assert call(r, "GETBIT", "nokey", 3) == 0
    r.set("n", 12)                                      # int encoded: '1' '2'
    assert [call(r, "GETBIT", "n", i) for i in range(16)] == \
        [0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0]


def test_getbit_errors(r):
    r.lpush("l", "a")
    assert err(r, "GETBIT", "l", 0) == WRONGTYPE
    assert err(r, "GETBIT", "l", -1) == OFFSET
    assert err(r, "GETBIT", "k", "1.5") == OFFSET
    assert err(r, "GETBIT", "k") == "wrong number of arguments for 'getbit' command"


# ---------------------------------------------------------------- BITCOUNT
def test_bitcount_counts_the_whole_string_or_a_byte_range(r):
    r.set("k", "foobar")
    assert call(r, "BITCOUNT", "k") == 26
    assert call(r, "BITCOUNT", "k", 0, 0) == 4
    assert call(r, "BITCOUNT", "k", 1, 1) == 6
    assert call(r, "BITCOUNT", "k", 1, 1, "BYTE") == 6
    assert call(r, "BITCOUNT", "k", -2, -1) == 7
    assert call(r, "BITCOUNT", "k", 0, 100) == 26
    assert call(r, "BITCOUNT", "k", -100, -1) == 26
    assert call(r, "BITCOUNT", "k", 4, 2) == 0
    assert call(r, "BITCOUNT", "k", -1, -2) == 0
    assert call(r, "BITCOUNT", "nokey") == 0
    r.set("empty", "")
    assert call(r, "BITCOUNT", "empty") == 0
    assert call(r, "BITCOUNT", "empty", 0, -1) == 0


def test_bitcount_bit_ranges(r):
    r.set("k", "foobar")
    assert call(r, "BITCOUNT", "k", 5, 30, "BIT") == 17
    assert call(r, "BITCOUNT", "k", 5, 30, "bit") == 17
    assert call(r, "BITCOUNT", "k", 0, -1, "BIT") == 26
    assert call(r, "BITCOUNT", "k", 1, 1, "BIT") == 1
    assert call(r, "BITCOUNT", "k", 3, 3, "BIT") == 0
    assert call(r, "BITCOUNT", "k", -3, -1, "BIT") == 1
    assert call(r, "BITCOUNT", "k", 9, 8, "BIT") == 0
    assert call(r, "BITCOUNT", "k", 40, 1000, "BIT") == 4
    r.set("ff", b"\xff\xff")
    assert call(r, "BITCOUNT", "ff", 3, 12, "BIT") == 10
    assert call(r, "BITCOUNT", "ff", 7, 8, "BIT") == 2


def test_bitcount_errors_and_their_order(r):
    r.set("k", "foobar")
    assert err(r, "BITCOUNT", "k", 0) == SYNTAX
    assert err(r, "BITCOUNT", "k", 0, 1, "BIT", "x") == SYNTAX
    assert err(r, "BITCOUNT", "k", 0, 1, "bits") == SYNTAX
    assert err(r, "BITCOUNT", "k", "a", 1) == NOT_INT
    assert err(r, "BITCOUNT", "k", 0, "b") == NOT_INT
    assert err(r, "BITCOUNT", "k", 0, -1, "foo") == SYNTAX
    # 7.0: an empty negative range answers 0 before the unit is looked at
    assert call(r, "BITCOUNT", "k", -1, -2, "foo") == 0
    # 7.0: the key is looked up first, a missing key answers 0 whatever follows
    assert call(r, "BITCOUNT", "nokey", "x", "y") == 0
    assert call(r, "BITCOUNT", "nokey", 0) == 0
    r.sadd("s", "a")
    assert err(r, "BITCOUNT", "s", "x") == WRONGTYPE
    assert err(r, "BITCOUNT") == "wrong number of arguments for 'bitcount' command"


def test_bitcount_of_a_large_string(r):
    r.setrange("big", 3_000_000, b"\xff")
    call(r, "SETBIT", "big", 5, 1)
    assert call(r, "BITCOUNT", "big") == 9
    assert call(r, "BITCOUNT", "big", 1, -1) == 8
    assert call(r, "BITCOUNT", "big", 0, 24_000_003, "BIT") == 5


# ---------------------------------------------------------------- BITPOS
def test_bitpos_finds_the_first_set_or_clear_bit(r):
    r.set("k", b"\xff\xf0\x00")
    assert call(r, "BITPOS", "k", 0) == 12
    assert call(r, "BITPOS", "k", 1) == 0
    assert call(r, "BITPOS", "k", 0, 2) == 16
    assert call(r, "BITPOS", "k", 1, 2) == -1
    assert call(r, "BITPOS", "k", 1, 1, -1) == 8
    assert call(r, "BITPOS", "k", 0, 0, 0) == -1
    r.set("ones", b"\xff\xff")
    assert call(r, "BITPOS", "ones", 0) == 16            # no end: zero padded
    assert call(r, "BITPOS", "ones", 0, 0) == 16
    assert call(r, "BITPOS", "ones", 0, 0, -1) == -1     # explicit end: none
    r.set("zeros", b"\x00\x00")
    assert call(r, "BITPOS", "zeros", 1) == -1
    assert call(r, "BITPOS", "zeros", 0) == 0
    assert call(r, "BITPOS", "nokey", 0) == 0
    assert call(r, "BITPOS", "nokey", 1) == -1
    assert call(r, "BITPOS", "k", 1, 5, 2) == -1          # empty range
    r.set("empty", "")
    assert call(r, "BITPOS", "empty", 0) == -1
    assert call(r, "BITPOS", "empty", 1) == -1


def test_bitpos_bit_ranges(r):
    r.set("k", b"\x00\xff\x00")
    assert call(r, "BITPOS", "k", 1, 7, 15, "BIT") == 8
    assert call(r, "BITPOS", "k", 0, 8, 15, "BIT") == -1
    assert call(r, "BITPOS", "k", 0, 8, -1, "BIT") == 16
    assert call(r, "BITPOS", "k", 1, 2, 6, "bit") == -1
    assert err(r, "BITPOS", "k", 0, 9, "BIT") == NOT_INT      # BIT needs an end
    assert call(r, "BITPOS", "k", 1, 17, -1, "BIT") == -1
    assert call(r, "BITPOS", "k", 0, 20) == -1
    assert call(r, "BITPOS", "k", 0, 10, 12, "BIT") == -1
    assert call(r, "BITPOS", "k", 1, -9, -1, "BIT") == 15
    assert call(r, "BITPOS", "k", 1, 0, 0, "BYTE") == -1
    r.set("ones", b"\xff\xff")
    assert call(r, "BITPOS", "ones", 0, 3, -1, "BIT") == -1
    assert call(r, "BITPOS", "ones", 0, 1) == 16
    assert call(r, "BITPOS", "ones", 0, 3, 9, "BIT") == -1


def test_bitpos_errors_and_their_order(r):
    r.set("k", "a")
    assert err(r, "BITPOS", "k", 2) == "The bit argument must be 1 or 0."
    assert err(r, "BITPOS", "k", "x") == NOT_INT
    assert err(r, "BITPOS", "nokey", 2) == "The bit argument must be 1 or 0."
    assert call(r, "BITPOS", "nokey", 1, "x") == -1
    assert err(r, "BITPOS", "k", 1, "x") == NOT_INT
    assert err(r, "BITPOS", "k", 1, 0, "x") == NOT_INT
    assert err(r, "BITPOS", "k", 1, 0, 1, "bits") == SYNTAX
    assert err(r, "BITPOS", "k", 1, "x", 1, "bits") == NOT_INT
    assert err(r, "BITPOS", "k", 1, 0, "x", "bits") == SYNTAX
    assert err(r, "BITPOS", "k", 1, 0, 1, "BIT", 1) == SYNTAX
    r.hset("h", "f", "v")
    assert err(r, "BITPOS", "h", 1) == WRONGTYPE
    assert err(r, "BITPOS", "h", 3) == "The bit argument must be 1 or 0."
    assert err(r, "BITPOS", "k") == "wrong number of arguments for 'bitpos' command"


def test_bitpos_and_bitcount_agree_with_redis_on_random_ranges(both):
    ours, theirs = both
    rng = random.Random(7)
    values = [b"", b"\x00", b"\xff", b"\x00" * 20 + b"\x10", b"\xff" * 19 + b"\xfe\xff",
              bytes(rng.getrandbits(8) for _ in range(40))]
    for i, v in enumerate(values):
        ours.set("k%d" % i, v)
        theirs.set("k%d" % i, v)
    for _ in range(1500):
        k = "k%d" % rng.randrange(len(values))
        args = []
        n = rng.randrange(4)
        if n:
            args.append(rng.randint(-50, 330))
        if n >= 2:
            args.append(rng.randint(-50, 330))
        if n == 3:
            args.append(rng.choice(["BIT", "BYTE"]))
        bitpos = ["BITPOS", k, rng.randrange(2), *args]
        assert call(ours, *bitpos) == call(theirs, *bitpos), bitpos
        if n != 1:
            bitcount = ["BITCOUNT", k, *args[:2], *args[2:]]
            assert call(ours, *bitcount) == call(theirs, *bitcount), bitcount


# ---------------------------------------------------------------- BITOP
def test_bitop_and_or_xor_not(r):
    r.set("a", b"\xff\x0f\x01")
    r.set("b", b"\x0f\xff")
    assert call(r, "BITOP", "AND", "d", "a", "b") == 3
    assert r.get("d") == b"\x0f\x0f\x00"
    assert call(r, "BITOP", "or", "d", "a", "b") == 3
    assert r.get("d") == b"\xff\xff\x01"
    assert call(r, "BITOP", "Xor", "d", "a", "b") == 3
    assert r.get("d") == b"\xf0\xf0\x01"
    assert call(r, "BITOP", "NOT", "d", "a") == 3
    assert r.get("d") == b"\x00\xf0\xfe"
    assert call(r, "BITOP", "AND", "d", "a", "b", "nokey") == 3
    assert r.get("d") == b"\x00\x00\x00"
    assert call(r, "BITOP", "OR", "d", "a") == 3
    assert r.get("d") == b"\xff\x0f\x01"
    assert call(r, "OBJECT", "ENCODING", "d") == b"raw"


def test_bitop_on_long_strings(r):
    a = bytes(range(256)) * 40
    b = bytes(reversed(range(256))) * 30
    r.set("a", a)
    r.set("b", b)
    assert call(r, "BITOP", "XOR", "d", "a", "b") == len(a)
    want = bytes(x ^ y for x, y in zip(a, b + bytes(len(a) - len(b))))
    assert r.get("d") == want
    assert call(r, "BITOP", "AND", "d", "a", "b", "a") == len(a)
    assert r.get("d") == bytes(x & y for x, y in zip(a, b + bytes(len(a) - len(b))))


def test_bitop_with_only_empty_sources_deletes_the_destination(r):
    r.set("d", "x", ex=100)
    r.set("empty", "")
    assert call(r, "BITOP", "OR", "d", "nokey", "empty") == 0
    assert r.exists("d") == 0
    assert call(r, "BITOP", "NOT", "d", "nokey") == 0
    r.hset("h", "f", "v")
    assert call(r, "BITOP", "AND", "h", "nokey") == 0     # any type is deleted
    assert r.exists("h") == 0


def test_bitop_overwrites_any_type_and_clears_the_ttl(r):
    r.hset("d", "f", "v")
    r.set("a", "x")
    assert call(r, "BITOP", "OR", "d", "a") == 1
    assert r.type("d") == b"string"
    r.expire("d", 100)
    assert call(r, "BITOP", "OR", "d", "a") == 1
    assert r.ttl("d") == -1
    assert call(r, "BITOP", "OR", "a", "a", "d") == 1     # destination among sources
    assert r.get("a") == b"x"


def test_bitop_errors(r):
    r.set("a", "x")
    r.lpush("l", "x")
    assert err(r, "BITOP", "NOT", "d", "a", "a") == \
        "BITOP NOT must be called with a single source key."
    assert err(r, "BITOP", "NAND", "d", "a") == SYNTAX
    assert err(r, "BITOP", "AND", "d", "a", "l") == WRONGTYPE
    assert err(r, "BITOP", "NOT", "d", "l") == WRONGTYPE
    assert err(r, "BITOP", "AND", "d") == "wrong number of arguments for 'bitop' command"
    assert r.exists("d") == 0


# ---------------------------------------------------------------- BITFIELD
def test_bitfield_set_get_and_incrby_unsigned_and_signed(r):
    assert call(r, "BITFIELD", "k", "SET", "u8", 0, 255, "GET", "u8", 0) == [0, 255]
    assert call(r, "BITFIELD", "k", "GET", "i8", 0, "GET", "u4", 0, "GET", "i4", 4) == \
        [-1, 15, -1]
    assert call(r, "BITFIELD", "k", "INCRBY", "u8", 0, 1) == [0]         # wraps
    assert call(r, "BITFIELD", "k", "SET", "i5", 3, -7, "GET", "i5", 3) == [0, -7]
    assert r.get("k") == b"\x19"
    assert call(r, "BITFIELD", "k", "SET", "u16", 4, 0xABCD) == [0x9000]
    assert r.get("k") == b"\x1a\xbc\xd0"
    assert call(r, "BITFIELD", "k", "GET", "u16", 4, "GET", "i64", 0, "GET", "u63", 1,
                "GET", "i3", 0, "GET", "u1", 23) == \
        [0xABCD, 0x1ABCD00000000000, 0x1ABCD00000000000, 0, 0]
    assert call(r, "BITFIELD", "k") == []
    assert call(r, "BITFIELD", "nokey", "GET", "u8", 100) == [0]
    assert r.exists("nokey") == 0


def test_bitfield_hash_offsets_are_multiplied_by_the_width(r):
    assert call(r, "BITFIELD", "k", "SET", "u8", "#1", 200, "SET", "i16", "#1", -2) == \
        [0, 0]
    assert r.get("k") == b"\x00\xc8\xff\xfe"
    assert call(r, "BITFIELD", "k", "GET", "u8", "#1", "GET", "i16", "#1") == [200, -2]
    assert call(r, "BITFIELD", "k", "INCRBY", "u4", "#3", 3) == [11]
    assert r.get("k") == b"\x00\xcb\xff\xfe"


def test_bitfield_overflow_wrap_sat_and_fail(r):
    assert call(r, "BITFIELD", "k", "SET", "u8", 0, 250, "INCRBY", "u8", 0, 10) == [0, 4]
    assert call(r, "BITFIELD", "k", "OVERFLOW", "SAT", "INCRBY", "u8", 0, 300,
                "INCRBY", "u8", 0, -1000) == [255, 0]
    assert call(r, "BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u8", 0, 256,
                "INCRBY", "u8", 0, 7, "OVERFLOW", "wrap", "INCRBY", "u8", 0, 256) == \
        [None, 7, 7]
    assert call(r, "BITFIELD", "s", "SET", "i8", 0, 127, "INCRBY", "i8", 0, 1) == [0, -128]
    assert call(r, "BITFIELD", "s", "OVERFLOW", "SAT", "INCRBY", "i8", 0, -1,
                "INCRBY", "i8", 0, -100, "INCRBY", "i8", 0, 1000) == [-128, -128, 127]
    assert call(r, "BITFIELD", "s", "OVERFLOW", "FAIL", "INCRBY", "i8", 0, 1,
                "INCRBY", "i8", 0, -256, "INCRBY", "i8", 0, -255,
                "GET", "i8", 0) == [None, None, -128, -128]


def test_bitfield_set_overflow_of_the_value_itself(r):
    assert call(r, "BITFIELD", "k", "SET", "u8", 0, 256, "GET", "u8", 0) == [0, 0]
    assert call(r, "BITFIELD", "k", "SET", "u8", 0, -1, "GET", "u8", 0) == [0, 255]
    assert call(r, "BITFIELD", "k", "OVERFLOW", "SAT", "SET", "u8", 0, -1,
                "SET", "u8", 0, 1000, "GET", "u8", 0) == [255, 255, 255]
    assert call(r, "BITFIELD", "k", "OVERFLOW", "FAIL", "SET", "u8", 0, 256,
                "SET", "i8", 0, 128, "SET", "i8", 0, -129, "SET", "i8", 0, -128) == \
        [None, None, None, -1]
    assert call(r, "BITFIELD", "k", "OVERFLOW", "SAT", "SET", "i8", 0, 1000,
                "SET", "i8", 0, -1000, "SET", "i8", 0, -9223372036854775808,
                "GET", "i8", 0) == [-128, 127, -128, 127]
    assert call(r, "BITFIELD", "k", "SET", "i8", 0, -9223372036854775808,
                "SET", "i3", 0, 9, "GET", "i3", 0) == [127, 0, 1]


def test_bitfield_64_bit_fields(r):
    big, low = 9223372036854775807, -9223372036854775808
    assert call(r, "BITFIELD", "k", "SET", "i64", 0, big, "INCRBY", "i64", 0, 1) == \
        [0, low]
    assert call(r, "BITFIELD", "k", "OVERFLOW", "SAT", "INCRBY", "i64", 0, -1,
                "INCRBY", "i64", 0, big, "INCRBY", "i64", 0, big) == [low, -1, big - 1]
    assert call(r, "BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "i64", 0, 2,
                "INCRBY", "i64", 0, low) == [None, -2]
    assert call(r, "BITFIELD", "k", "SET", "u63", 1, -1, "GET", "u63", 1) == \
        [big - 1, big]
    assert call(r, "BITFIELD", "k", "OVERFLOW", "SAT", "INCRBY", "u63", 1, big,
                "INCRBY", "u63", 1, low, "INCRBY", "u63", 1, 5) == [big, 0, 5]
    assert call(r, "BITFIELD", "k", "INCRBY", "u63", 1, -6, "GET", "i64", 0) == [big, -1]


def test_bitfield_unaligned_fields_across_bytes(r):
    assert call(r, "BITFIELD", "k", "SET", "u5", 7, 23) == [0]
    assert r.get("k") == b"\x01\x70"
    assert call(r, "BITFIELD", "k", "SET", "i13", 3, -1, "GET", "u16", 0,
                "GET", "i13", 3) == [0x170, 0x1FFF, -1]


def test_bitfield_errors(r):
    assert err(r, "BITFIELD", "k", "GET", "u64", 0) == BF_TYPE
    assert err(r, "BITFIELD", "k", "GET", "i65", 0) == BF_TYPE
    assert err(r, "BITFIELD", "k", "GET", "i0", 0) == BF_TYPE
    assert err(r, "BITFIELD", "k", "GET", "x8", 0) == BF_TYPE
    assert err(r, "BITFIELD", "k", "GET", "u", 0) == BF_TYPE
    assert err(r, "BITFIELD", "k", "GET", "u08", 0) == BF_TYPE
    assert err(r, "BITFIELD", "k", "GET", "u8", -1) == OFFSET
    assert err(r, "BITFIELD", "k", "GET", "u8", "#-1") == OFFSET
    assert err(r, "BITFIELD", "k", "GET", "u8", "x") == OFFSET
    assert err(r, "BITFIELD", "k", "SET", "u8", 0, "x") == NOT_INT
    assert err(r, "BITFIELD", "k", "INCRBY", "u8", 0, "1.5") == NOT_INT
    assert err(r, "BITFIELD", "k", "GET", "u8") == SYNTAX
    assert err(r, "BITFIELD", "k", "SET", "u8", 0) == SYNTAX
    assert err(r, "BITFIELD", "k", "FOO", "u8", 0) == SYNTAX
    assert err(r, "BITFIELD", "k", "OVERFLOW") == SYNTAX
    assert err(r, "BITFIELD", "k", "OVERFLOW", "SATURATE") == \
        "Invalid OVERFLOW type specified"
    assert err(r, "BITFIELD", "k", "SET", "u8", 0, 1, "GET", "u64", 0) == BF_TYPE
    assert r.exists("k") == 0                 # nothing runs when an argument is bad
    r.sadd("s", "x")
    assert err(r, "BITFIELD", "s", "GET", "u8", 0) == WRONGTYPE
    assert err(r, "BITFIELD", "s", "SET", "u8", 0, 1) == WRONGTYPE
    assert err(r, "BITFIELD") == "wrong number of arguments for 'bitfield' command"


def test_bitfield_fail_still_creates_and_grows_the_string(r):
    assert call(r, "BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u8", 8, 300) == [None]
    assert r.get("k") == b"\x00\x00"


def test_bitfield_ro_only_accepts_get(r):
    r.set("k", b"\x0f")
    assert call(r, "BITFIELD_RO", "k", "GET", "u4", 4, "GET", "i4", 4) == [15, -1]
    assert call(r, "BITFIELD_RO", "k") == []
    assert call(r, "BITFIELD_RO", "nokey", "GET", "u8", 0) == [0]
    assert err(r, "BITFIELD_RO", "k", "SET", "u8", 0, 1) == \
        "BITFIELD_RO only supports the GET subcommand"
    assert err(r, "BITFIELD_RO", "k", "INCRBY", "u8", 0, 1, "GET", "u65", 0) == BF_TYPE


def test_bitfield_ro_overflow_alone_is_a_read(r):
    assert call(r, "BITFIELD_RO", "k", "OVERFLOW", "FAIL") == []
    assert call(r, "BITFIELD_RO", "k", "OVERFLOW", "FAIL", "GET", "u8", 0) == [0]


# ---------------------------------------------------------------- stats and events
def test_read_commands_count_keyspace_hits_and_misses(r):
    r.set("k", "a")
    h0, m0 = stats(r)
    call(r, "GETBIT", "k", 0)
    call(r, "GETBIT", "nokey", 0)
    call(r, "BITCOUNT", "k")
    call(r, "BITPOS", "nokey", 1)
    call(r, "BITOP", "OR", "d", "k", "nokey")
    call(r, "BITFIELD", "k", "GET", "u8", 0)
    call(r, "BITFIELD_RO", "nokey", "GET", "u8", 0)
    assert stats(r) == (h0 + 4, m0 + 4)
    call(r, "SETBIT", "k", 0, 1)
    call(r, "BITFIELD", "k", "SET", "u8", 0, 1)
    assert stats(r) == (h0 + 4, m0 + 4)


def test_keyspace_events_of_bitmap_commands(r, events):
    r.set("a", "x")
    call(r, "SETBIT", "s", 3, 1)
    call(r, "SETBIT", "s", 3, 1)                   # unchanged: no event
    call(r, "SETBIT", "s", 100, 0)                 # grows: event
    call(r, "BITOP", "OR", "d", "a")
    call(r, "BITOP", "OR", "d", "nokey")
    call(r, "BITOP", "OR", "d", "nokey")           # nothing deleted, no event
    call(r, "BITFIELD", "b", "SET", "u8", 0, 1)
    call(r, "BITFIELD", "b", "SET", "u8", 0, 1)    # same value: no event
    call(r, "BITFIELD", "b", "GET", "u8", 0)
    call(r, "BITFIELD", "b", "OVERFLOW", "FAIL", "INCRBY", "u8", 0, 300)
    assert events() == [(b"set", b"a"), (b"setbit", b"s"), (b"setbit", b"s"),
                        (b"set", b"d"), (b"del", b"d"), (b"setbit", b"b")]


def test_bitfield_write_on_a_new_key_counts_as_a_change(r, events):
    call(r, "BITFIELD", "n", "SET", "u8", 0, 0)
    assert events() == [(b"setbit", b"n")]
    assert r.get("n") == b"\x00"


def test_setbit_in_a_transaction_and_watch(r):
    r.set("w", "a")
    p = r.pipeline(transaction=True)
    p.setbit("w", 7, 0)
    p.getbit("w", 7)
    assert p.execute() == [1, 0]
    assert r.get("w") == b"`"


def test_bitfield_agrees_with_redis_on_random_operations(both):
    ours, theirs = both
    rng = random.Random(11)
    values = [0, 1, -1, 2 ** 63 - 1, -2 ** 63, 127, -128, 255, 256, 2 ** 31, -2 ** 40]
    for _ in range(400):
        args = ["BITFIELD", "k"]
        for _ in range(rng.randint(1, 4)):
            if rng.random() < 0.2:
                args += ["OVERFLOW", rng.choice(["WRAP", "SAT", "FAIL"])]
            signed = rng.random() < 0.5
            bits = rng.randint(1, 64 if signed else 63)
            kind = ("i" if signed else "u") + str(bits)
            off = "#%d" % rng.randint(0, 5) if rng.random() < 0.3 else rng.randint(0, 90)
            op = rng.choice(["GET", "SET", "INCRBY"])
            args += [op, kind, off]
            if op != "GET":
                args.append(rng.choice(values) if rng.random() < 0.5
                            else rng.randint(-2 ** 63, 2 ** 63 - 1) >> rng.randint(0, 63))
        assert call(ours, *args) == call(theirs, *args), args
        assert ours.get("k") == theirs.get("k"), args
