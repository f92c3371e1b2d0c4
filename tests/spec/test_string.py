"""The string group, as Redis 7.0 answers it: GET/SET and their options, counters,
INCRBYFLOAT's long-double text, ranges, LCS, encodings, expiry and notifications."""
import hashlib
import time

import pytest
import redis

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
NOT_INT = "value is not an integer or out of range"
NOT_FLOAT = "value is not a valid float"
TOO_BIG = "string exceeds maximum allowed size (proto-max-bulk-len)"


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


def enc(r, key) -> bytes:
    return call(r, "OBJECT", "ENCODING", key)


def stats(r) -> tuple:
    info = r.info("stats")
    return info["keyspace_hits"], info["keyspace_misses"]


@pytest.fixture
def small_bulk(r):
    """proto-max-bulk-len lowered to its 1mb minimum, restored afterwards."""
    r.config_set("proto-max-bulk-len", "1mb")
    yield 1024 * 1024
    r.config_set("proto-max-bulk-len", str(512 * 1024 * 1024))


# ---------------------------------------------------------------- GET / SET
def test_get_returns_the_value_or_nil_and_wrongtype_for_other_types(r):
    r.set("k", "v")
    assert call(r, "GET", "k") == b"v"
    assert call(r, "GET", "nokey") is None
    r.hset("h", "f", "v")
    assert err(r, "GET", "h") == WRONGTYPE


def test_set_replaces_any_type_and_clears_the_ttl(r):
    r.hset("h", "f", "v")
    assert call(r, "SET", "h", "x") == b"OK"
    assert r.type("h") == b"string"
    r.set("k", "v", ex=100)
    r.set("k", "w")
    assert r.ttl("k") == -1


def test_set_nx_and_xx_decide_by_existence(r):
    assert call(r, "SET", "k", "1", "NX") == b"OK"
    assert call(r, "SET", "k", "2", "NX") is None
    assert call(r, "SET", "nokey", "2", "XX") is None
    assert call(r, "SET", "k", "3", "XX") == b"OK"
    assert r.get("k") == b"3"
    assert r.exists("nokey") == 0


def test_set_get_returns_the_old_value_even_when_nx_aborts(r):
    assert call(r, "SET", "k", "1", "GET") is None
    assert call(r, "SET", "k", "2", "GET") == b"1"
    assert call(r, "SET", "k", "3", "NX", "GET") == b"2"
    assert r.get("k") == b"2"
    assert call(r, "SET", "nokey", "3", "XX", "GET") is None
    assert r.exists("nokey") == 0
    assert call(r, "SET", "k", "4", "GET", "GET") == b"2"


def test_set_get_on_a_non_string_is_wrongtype_and_changes_nothing(r):
    r.hset("h", "f", "v")
    assert err(r, "SET", "h", "v", "GET") == WRONGTYPE
    assert err(r, "SET", "h", "v", "NX", "GET") == WRONGTYPE
    assert r.type("h") == b"hash"


def test_set_option_combinations_that_are_syntax_errors(r):
    for opts in (["EX", "10", "PX", "10"], ["PX", "10", "EX", "10"], ["EX", "10", "EXAT", "10"],
                 ["PXAT", "10", "PX", "10"], ["NX", "XX"], ["XX", "NX"], ["KEEPTTL", "EX", "10"],
                 ["EX", "10", "KEEPTTL"], ["EX"], ["PX"], ["FOO"], ["PERSIST"],
                 ["EX", "abc", "NX", "XX"]):
        assert err(r, "SET", "k", "v", *opts) == "syntax error", opts
    assert r.exists("k") == 0


def test_set_repeating_the_same_option_is_accepted_and_the_last_expiry_wins(r):
    assert call(r, "SET", "k", "v", "EX", "10", "EX", "20") == b"OK"
    assert r.ttl("k") == 20
    assert call(r, "SET", "k", "v", "NX", "NX") is None
    assert call(r, "SET", "k", "v", "XX", "XX", "KEEPTTL", "KEEPTTL") == b"OK"
    assert r.ttl("k") == 20


def test_set_expire_values_are_checked_after_the_syntax(r):
    assert err(r, "SET", "k", "v", "EX", "abc") == NOT_INT
    assert err(r, "SET", "k", "v", "EX", "abc", "GET") == NOT_INT
    assert err(r, "SET", "k", "v", "EX", "1.5") == NOT_INT
    assert err(r, "SET", "k", "v", "EX", "NX") == NOT_INT       # EX takes NX as its value
    for opts in (["EX", "0"], ["PX", "-1"], ["EXAT", "0"], ["PXAT", "-5"],
                 ["EX", "9223372036854775"], ["PX", "9223372036854775807"],
                 ["EXAT", "9223372036854776"]):
        assert err(r, "SET", "k", "v", *opts) == "invalid expire time in 'set' command", opts
    assert r.exists("k") == 0


def test_set_invalid_expire_is_reported_before_wrongtype_of_get(r):
    r.hset("h", "f", "v")
    assert err(r, "SET", "h", "v", "EX", "0", "GET") == "invalid expire time in 'set' command"


def test_set_with_each_expiry_unit(r):
    now = int(time.time())
    r.execute_command("SET", "ex", "v", "EX", "100")
    r.execute_command("SET", "px", "v", "PX", "100000")
    r.execute_command("SET", "exat", "v", "EXAT", str(now + 100))
    r.execute_command("SET", "pxat", "v", "PXAT", str((now + 100) * 1000))
    for k in ("ex", "px", "exat", "pxat"):
        assert 98 <= r.ttl(k) <= 100, k
    assert call(r, "SET", "far", "v", "EXAT", "9223372036854775") == b"OK"


def test_set_keepttl_keeps_the_ttl(r):
    r.set("k", "v", ex=100)
    assert call(r, "SET", "k", "w", "KEEPTTL") == b"OK"
    assert 99 <= r.ttl("k") <= 100
    assert call(r, "SET", "k", "x", "KEEPTTL", "GET") == b"w"
    assert 99 <= r.ttl("k") <= 100


def test_set_with_a_past_absolute_time_leaves_no_key(r):
    assert call(r, "SET", "k", "v", "PXAT", "1") == b"OK"
    assert r.exists("k") == 0
    assert r.get("k") is None


def test_set_arity(r):
    assert err(r, "SET", "k") == "wrong number of arguments for 'set' command"


# ---------------------------------------------------------------- SETNX / SETEX / PSETEX
def test_setnx_sets_only_a_missing_key(r):
    assert call(r, "SETNX", "k", "1") == 1
    assert call(r, "SETNX", "k", "2") == 0
    assert r.get("k") == b"1"
    r.hset("h", "f", "v")
    assert call(r, "SETNX", "h", "2") == 0


def test_setex_and_psetex_set_value_and_ttl(r):
    assert call(r, "SETEX", "k", "100", "v") == b"OK"
    assert r.get("k") == b"v" and r.ttl("k") == 100
    assert call(r, "PSETEX", "p", "100000", "v") == b"OK"
    assert 99000 <= r.pttl("p") <= 100000
    r.hset("h", "f", "v")
    assert call(r, "SETEX", "h", "10", "v") == b"OK"
    assert r.type("h") == b"string"


def test_setex_and_psetex_errors(r):
    assert err(r, "SETEX", "k", "0", "v") == "invalid expire time in 'setex' command"
    assert err(r, "SETEX", "k", "-10", "v") == "invalid expire time in 'setex' command"
    assert err(r, "PSETEX", "k", "0", "v") == "invalid expire time in 'psetex' command"
    assert err(r, "SETEX", "k", "abc", "v") == NOT_INT
    assert err(r, "PSETEX", "k", "1.5", "v") == NOT_INT
    assert err(r, "SETEX", "k", "9223372036854775807", "v") == \
        "invalid expire time in 'setex' command"
    assert err(r, "SETEX", "k", "10") == "wrong number of arguments for 'setex' command"
    assert r.exists("k") == 0


# ---------------------------------------------------------------- GETSET / GETDEL / GETEX
def test_getset_returns_the_old_value_and_clears_the_ttl(r):
    assert call(r, "GETSET", "k", "1") is None
    r.expire("k", 100)
    assert call(r, "GETSET", "k", "2") == b"1"
    assert r.get("k") == b"2" and r.ttl("k") == -1
    r.hset("h", "f", "v")
    assert err(r, "GETSET", "h", "v") == WRONGTYPE


def test_getdel_returns_and_deletes(r):
    r.set("k", "v")
    assert call(r, "GETDEL", "k") == b"v"
    assert r.exists("k") == 0
    assert call(r, "GETDEL", "k") is None
    r.hset("h", "f", "v")
    assert err(r, "GETDEL", "h") == WRONGTYPE
    assert r.exists("h") == 1


def test_getex_without_options_is_a_get(r):
    r.set("k", "v", ex=100)
    assert call(r, "GETEX", "k") == b"v"
    assert r.ttl("k") == 100
    assert call(r, "GETEX", "nokey") is None


def test_getex_sets_each_kind_of_expiry(r):
    now = int(time.time())
    r.set("k", "v")
    assert call(r, "GETEX", "k", "EX", "100") == b"v"
    assert r.ttl("k") == 100
    assert call(r, "GETEX", "k", "PX", "200000") == b"v"
    assert 199 <= r.ttl("k") <= 200
    assert call(r, "GETEX", "k", "EXAT", str(now + 300)) == b"v"
    assert 298 <= r.ttl("k") <= 300
    assert call(r, "GETEX", "k", "PXAT", str((now + 400) * 1000)) == b"v"
    assert 398 <= r.ttl("k") <= 400
    assert call(r, "GETEX", "k", "EX", "10", "EX", "20") == b"v"
    assert r.ttl("k") == 20


def test_getex_persist_removes_the_ttl(r):
    r.set("k", "v", ex=100)
    assert call(r, "GETEX", "k", "PERSIST") == b"v"
    assert r.ttl("k") == -1
    assert call(r, "GETEX", "k", "PERSIST", "PERSIST") == b"v"


def test_getex_with_a_past_absolute_time_returns_the_value_and_deletes_the_key(r):
    r.set("k", "v")
    assert call(r, "GETEX", "k", "PXAT", "1") == b"v"
    assert r.exists("k") == 0
    r.set("k", "v")
    assert call(r, "GETEX", "k", "EXAT", "1") == b"v"
    assert r.exists("k") == 0


def test_getex_errors(r):
    r.set("k", "v")
    for opts in (["EX", "10", "PX", "10"], ["PERSIST", "EX", "10"], ["EX", "10", "PERSIST"],
                 ["KEEPTTL"], ["NX"], ["GET"], ["EX"], ["FOO"]):
        assert err(r, "GETEX", "k", *opts) == "syntax error", opts
    assert err(r, "GETEX", "nokey", "FOO") == "syntax error"
    assert err(r, "GETEX", "k", "EX", "0") == "invalid expire time in 'getex' command"
    assert err(r, "GETEX", "k", "PXAT", "-1") == "invalid expire time in 'getex' command"
    assert err(r, "GETEX", "k", "EX", "abc") == NOT_INT
    # a missing key answers nil before the expire value is looked at
    assert call(r, "GETEX", "nokey", "EX", "0") is None
    assert call(r, "GETEX", "nokey", "EX", "abc") is None
    r.hset("h", "f", "v")
    assert err(r, "GETEX", "h", "EX", "10") == WRONGTYPE
    assert r.ttl("k") == -1


# ---------------------------------------------------------------- MGET / MSET / MSETNX
def test_mget_returns_nil_for_missing_and_non_string_keys(r):
    r.set("a", "1")
    r.set("b", "2")
    r.hset("h", "f", "v")
    assert call(r, "MGET", "a", "nokey", "h", "b") == [b"1", None, None, b"2"]


def test_mset_sets_all_pairs_and_clears_ttls(r):
    r.set("a", "old", ex=100)
    assert call(r, "MSET", "a", "1", "b", "2", "a", "3") == b"OK"
    assert r.mget("a", "b") == [b"3", b"2"]
    assert r.ttl("a") == -1
    assert err(r, "MSET", "a", "1", "b") == "wrong number of arguments for 'mset' command"
    assert err(r, "MSET", "a") == "wrong number of arguments for 'mset' command"


def test_msetnx_is_all_or_nothing(r):
    assert call(r, "MSETNX", "a", "1", "b", "2") == 1
    assert call(r, "MSETNX", "c", "3", "a", "9") == 0
    assert r.exists("c") == 0 and r.get("a") == b"1"
    r.hset("h", "f", "v")
    assert call(r, "MSETNX", "d", "4", "h", "x") == 0
    assert call(r, "MSETNX", "x", "1", "x", "2") == 1
    assert r.get("x") == b"2"
    assert err(r, "MSETNX", "a", "1", "b") == "wrong number of arguments for 'msetnx' command"


# ---------------------------------------------------------------- APPEND / SETRANGE
def test_append_creates_and_extends_and_keeps_the_ttl(r):
    assert call(r, "APPEND", "k", "hello") == 5
    r.expire("k", 100)
    assert call(r, "APPEND", "k", " world") == 11
    assert call(r, "APPEND", "k", "") == 11
    assert r.get("k") == b"hello world"
    assert r.ttl("k") == 100
    r.set("n", 12)
    assert call(r, "APPEND", "n", 34) == 4
    assert r.get("n") == b"1234"
    r.hset("h", "f", "v")
    assert err(r, "APPEND", "h", "x") == WRONGTYPE


def test_many_appends_build_the_whole_string(r):
    for i in range(200):
        r.append("k", b"%03d" % i)
    assert r.get("k") == b"".join(b"%03d" % i for i in range(200))
    assert r.strlen("k") == 600


def test_setrange_overwrites_and_pads_with_zero_bytes(r):
    r.set("k", "Hello World")
    assert call(r, "SETRANGE", "k", "6", "Redis") == 11
    assert r.get("k") == b"Hello Redis"
    assert call(r, "SETRANGE", "k", "9", "XYZ") == 12
    assert r.get("k") == b"Hello RedXYZ"
    assert call(r, "SETRANGE", "new", "5", "x") == 6
    assert r.get("new") == b"\x00\x00\x00\x00\x00x"
    assert call(r, "SETRANGE", "k", "15", "!") == 16
    assert r.get("k") == b"Hello RedXYZ\x00\x00\x00!"
    r.set("n", 12345)
    assert call(r, "SETRANGE", "n", "1", "x") == 5
    assert r.get("n") == b"1x345"


def test_setrange_with_an_empty_value_changes_nothing(r):
    assert call(r, "SETRANGE", "nokey", "5", "") == 0
    assert call(r, "SETRANGE", "nokey", "9999999999999", "") == 0
    assert r.exists("nokey") == 0
    r.set("k", "abc")
    assert call(r, "SETRANGE", "k", "100", "") == 3
    assert call(r, "SETRANGE", "k", "9999999999999", "") == 3
    assert r.get("k") == b"abc"


def test_setrange_keeps_the_ttl(r):
    r.set("k", "abc", ex=100)
    r.setrange("k", 1, "X")
    assert r.get("k") == b"aXc" and r.ttl("k") == 100


def test_setrange_errors(r):
    r.set("k", "abc")
    assert err(r, "SETRANGE", "k", "-1", "x") == "offset is out of range"
    assert err(r, "SETRANGE", "k", "abc", "x") == NOT_INT
    assert err(r, "SETRANGE", "k", "9223372036854775808", "x") == NOT_INT
    assert err(r, "SETRANGE", "k", "536870912", "x") == TOO_BIG
    assert err(r, "SETRANGE", "k", "536870911", "xy") == TOO_BIG
    assert err(r, "SETRANGE", "k", "9223372036854775807", "x") == TOO_BIG
    assert err(r, "SETRANGE", "nokey", "536870912", "x") == TOO_BIG
    assert r.exists("nokey") == 0
    r.hset("h", "f", "v")
    assert err(r, "SETRANGE", "h", "0", "x") == WRONGTYPE
    assert err(r, "SETRANGE", "h", "-1", "x") == "offset is out of range"
    assert err(r, "SETRANGE", "h", "0", "") == WRONGTYPE


def test_append_and_setrange_respect_proto_max_bulk_len(r, small_bulk):
    r.setrange("k", small_bulk - 2, "ab")
    assert r.strlen("k") == small_bulk
    assert err(r, "APPEND", "k", "x") == TOO_BIG
    assert err(r, "SETRANGE", "k", str(small_bulk), "x") == TOO_BIG
    assert call(r, "SETRANGE", "k", str(small_bulk - 1), "z") == small_bulk
    assert call(r, "APPEND", "k", "") == small_bulk
    assert err(r, "SETRANGE", "other", str(small_bulk - 1), "xy") == TOO_BIG


# ---------------------------------------------------------------- GETRANGE / SUBSTR / STRLEN
def test_getrange_with_positive_and_negative_indexes(r):
    r.set("k", "This is a string")
    assert call(r, "GETRANGE", "k", "0", "3") == b"This"
    assert call(r, "GETRANGE", "k", "-3", "-1") == b"ing"
    assert call(r, "GETRANGE", "k", "0", "-1") == b"This is a string"
    assert call(r, "GETRANGE", "k", "10", "100") == b"string"
    assert call(r, "GETRANGE", "k", "-100", "3") == b"This"
    assert call(r, "GETRANGE", "k", "-100", "-100") == b"T"
    assert call(r, "GETRANGE", "k", "5", "3") == b""
    assert call(r, "GETRANGE", "k", "-1", "-5") == b""
    assert call(r, "GETRANGE", "k", "100", "200") == b""
    assert call(r, "GETRANGE", "k", "3", "-100") == b""


def test_getrange_of_missing_or_empty_or_integer_values(r):
    assert call(r, "GETRANGE", "nokey", "0", "-1") == b""
    r.set("e", "")
    assert call(r, "GETRANGE", "e", "0", "-1") == b""
    assert call(r, "GETRANGE", "e", "-1", "-1") == b""
    r.set("n", -12345)
    assert call(r, "GETRANGE", "n", "0", "2") == b"-12"
    assert call(r, "GETRANGE", "n", "-2", "-1") == b"45"


def test_getrange_errors(r):
    r.hset("h", "f", "v")
    assert err(r, "GETRANGE", "h", "0", "-1") == WRONGTYPE
    assert err(r, "GETRANGE", "h", "a", "-1") == NOT_INT      # indexes are parsed first
    assert err(r, "GETRANGE", "k", "0", "1.5") == NOT_INT
    assert err(r, "GETRANGE", "k", "0") == "wrong number of arguments for 'getrange' command"


def test_substr_is_getrange(r):
    r.set("k", "Hello World")
    assert call(r, "SUBSTR", "k", "0", "4") == b"Hello"
    assert call(r, "SUBSTR", "k", "-5", "-1") == b"World"
    assert call(r, "SUBSTR", "nokey", "0", "-1") == b""
    r.hset("h", "f", "v")
    assert err(r, "SUBSTR", "h", "0", "1") == WRONGTYPE


def test_strlen(r):
    r.set("k", "hello")
    assert call(r, "STRLEN", "k") == 5
    assert call(r, "STRLEN", "nokey") == 0
    r.set("n", -123)
    assert call(r, "STRLEN", "n") == 4
    r.setrange("z", 10, "x")
    assert call(r, "STRLEN", "z") == 11
    r.hset("h", "f", "v")
    assert err(r, "STRLEN", "h") == WRONGTYPE


# ---------------------------------------------------------------- INCR family
def test_incr_decr_incrby_decrby(r):
    assert call(r, "INCR", "n") == 1
    assert call(r, "INCRBY", "n", "10") == 11
    assert call(r, "DECR", "n") == 10
    assert call(r, "DECRBY", "n", "15") == -5
    assert call(r, "INCRBY", "n", "-5") == -10
    assert call(r, "DECRBY", "n", "-10") == 0
    assert r.get("n") == b"0"
    assert call(r, "DECR", "m") == -1


def test_incr_keeps_the_ttl(r):
    r.set("n", 5, ex=100)
    assert call(r, "INCR", "n") == 6
    assert r.ttl("n") == 100


def test_incr_accepts_only_canonical_64_bit_integers(r):
    for bad in (" 1", "1 ", "+1", "01", "-0", "1.0", "abc", "", "9223372036854775808",
                "0x10", "1e3"):
        r.set("n", bad)
        assert err(r, "INCR", "n") == NOT_INT, bad
        assert r.get("n") == bad.encode()
    r.set("n", "-9223372036854775808")
    assert call(r, "INCRBY", "n", "0") == -9223372036854775808
    r.hset("h", "f", "v")
    assert err(r, "INCR", "h") == WRONGTYPE


def test_incrby_argument_must_be_an_integer(r):
    assert err(r, "INCRBY", "n", "1.5") == NOT_INT
    assert err(r, "INCRBY", "n", "9223372036854775808") == NOT_INT
    assert err(r, "DECRBY", "n", "abc") == NOT_INT
    r.hset("h", "f", "v")
    assert err(r, "INCRBY", "h", "x") == NOT_INT           # the argument is checked first
    assert r.exists("n") == 0


def test_incr_overflow_is_an_error_and_changes_nothing(r):
    r.set("n", "9223372036854775807")
    assert err(r, "INCR", "n") == "increment or decrement would overflow"
    assert err(r, "INCRBY", "n", "1") == "increment or decrement would overflow"
    assert call(r, "INCRBY", "n", "-9223372036854775807") == 0
    r.set("n", "-9223372036854775808")
    assert err(r, "DECR", "n") == "increment or decrement would overflow"
    assert err(r, "INCRBY", "n", "-1") == "increment or decrement would overflow"
    assert r.get("n") == b"-9223372036854775808"
    r.set("n", "5")
    assert err(r, "DECRBY", "n", "-9223372036854775808") == "decrement would overflow"
    assert call(r, "DECRBY", "n", "-9223372036854775802") == 9223372036854775807
    r.set("n", "0")
    assert call(r, "DECRBY", "n", "9223372036854775807") == -9223372036854775807


def test_incr_of_a_value_built_by_append(r):
    r.append("n", "1")
    r.append("n", "2")
    assert call(r, "INCR", "n") == 13


# ---------------------------------------------------------------- INCRBYFLOAT
# (start, increment, the text Redis stores): long double arithmetic, "%.17Lf" style
FLOAT_CASES = [
    ("10.5", "0.1", b"10.6"),
    ("10.6", "3.0e3", b"3010.60000000000000009"),
    ("3010.60000000000000009", "1e-5", b"3010.60001000000000015"),
    ("0", "5.0e3", b"5000"),
    ("5000", "0.1", b"5000.10000000000000009"),
    ("1", "1e-5", b"1.00001"),
    ("0.1", "0.2", b"0.3"),
    ("1e20", "1", b"100000000000000000000"),
    ("0", "1e25", b"10000000000000000000000000"),
    ("-1", "0.1", b"-0.9"),
    ("3", "-3", b"0"),
    ("1.5", "-0.5", b"1"),
    ("0", "0x10p-2", b"4"),
    ("0", "1e-17", b"0.00000000000000001"),
    ("0", "1e-18", b"0"),
    ("0", "0.000003814697265625", b"0.00000381469726562"),
    ("123456789.123456789", "0", b"123456789.12345678899873747"),
    ("9223372036854775807", "1", b"9223372036854775808"),
    ("-9223372036854775808", "-1", b"-9223372036854775809"),
    ("18446744073709551615", "1", b"18446744073709551616"),
    ("5", "-1e-20", b"5"),
    ("0", "-0.0", b"0"),
    ("2.5", "2.5", b"5"),
    ("0", "1.", b"1"),
    ("0", ".5", b"0.5"),
    ("0", "+3", b"3"),
    ("65", "1e-4940", b"65"),
    ("1.7976931348623157e308", "1.7976931348623157e308",
     b"359538626972463139991842093548208868096772893888658356970628841530353257046248792709"
     b"403737216774171128857586838851041378617416726902272110715794556052955234146997955372"
     b"576789671236326588091188869859074894581254961338834769297758245552436667197907705664"
     b"206565009503223382416235440319971852753604933726679072768"),
]


def test_incrbyfloat_formats_like_redis_long_double(r):
    for start, incr, want in FLOAT_CASES:
        r.set("f", start)
        assert call(r, "INCRBYFLOAT", "f", incr) == want, (start, incr)
        assert r.get("f") == want


def test_incrbyfloat_chain_of_increments(r):
    got = [call(r, "INCRBYFLOAT", "f", x) for x in ("0.1", "0.1", "0.1", "-0.3", "1e3")]
    assert got == [b"0.1", b"0.2", b"0.3", b"0", b"1000"]


def test_incrbyfloat_huge_values_print_every_digit(r):
    v = call(r, "INCRBYFLOAT", "f", "1e400")
    assert v.startswith(b"10000000000000000000281880683947586514586453433629052038625910")
    assert len(v) == 401 and v.endswith(b"734806343732497430221946880")


def test_incrbyfloat_invalid_floats(r):
    r.set("f", "1")
    for bad in ("abc", " 1", "1 ", "nan", "1e", "1_0", "0x", "1e5000", "1e-5000", "",
                "1.5.5"):
        assert err(r, "INCRBYFLOAT", "f", bad) == NOT_FLOAT, bad
    r.set("s", "abc")
    assert err(r, "INCRBYFLOAT", "s", "1") == NOT_FLOAT
    assert r.get("f") == b"1"
    r.hset("h", "f", "v")
    assert err(r, "INCRBYFLOAT", "h", "1") == WRONGTYPE
    assert err(r, "INCRBYFLOAT", "h", "abc") == WRONGTYPE      # the type is checked first


def test_incrbyfloat_nan_or_infinity_is_refused(r):
    msg = "increment would produce NaN or Infinity"
    r.set("f", "1")
    assert err(r, "INCRBYFLOAT", "f", "inf") == msg
    assert err(r, "INCRBYFLOAT", "f", "-Infinity") == msg
    r.set("i", "inf")
    assert err(r, "INCRBYFLOAT", "i", "-inf") == msg
    assert err(r, "INCRBYFLOAT", "i", "1") == msg
    r.set("big", "1e4932")
    assert err(r, "INCRBYFLOAT", "big", "1e4932") == msg
    assert r.get("f") == b"1"


def test_incrbyfloat_keeps_the_ttl(r):
    r.set("f", "1.5", ex=100)
    assert call(r, "INCRBYFLOAT", "f", "1") == b"2.5"
    assert r.ttl("f") == 100


def test_incrbyfloat_reply_is_a_bulk_string_in_resp3(r3):
    conn = r3.connection_pool.get_connection()
    try:
        conn.send_command("INCRBYFLOAT", "f", "1.5")
        assert conn.read_response() == b"1.5"
    finally:
        r3.connection_pool.release(conn)


# ---------------------------------------------------------------- LCS
@pytest.fixture
def lcs_keys(r):
    r.mset({"key1": "ohmytext", "key2": "mynewtext"})


def test_lcs_returns_the_longest_common_subsequence(r, lcs_keys):
    assert call(r, "LCS", "key1", "key2") == b"mytext"
    assert call(r, "LCS", "key1", "key2", "LEN") == 6
    assert call(r, "LCS", "key1", "nokey") == b""
    assert call(r, "LCS", "nokey", "nokey2", "LEN") == 0
    assert call(r, "LCS", "key1", "key1") == b"ohmytext"


def test_lcs_idx_lists_matches_from_the_end(r, lcs_keys):
    assert call(r, "LCS", "key1", "key2", "IDX") == \
        [b"matches", [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], b"len", 6]
    assert call(r, "LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4") == \
        [b"matches", [[[4, 7], [5, 8]]], b"len", 6]
    assert call(r, "LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN") == \
        [b"matches", [[[4, 7], [5, 8], 4]], b"len", 6]
    assert call(r, "LCS", "key1", "key2", "WITHMATCHLEN", "IDX", "MINMATCHLEN", "-3") == \
        [b"matches", [[[4, 7], [5, 8], 4], [[2, 3], [0, 1], 2]], b"len", 6]
    assert call(r, "LCS", "key1", "nokey", "IDX") == [b"matches", [], b"len", 0]


def test_lcs_options_other_than_idx_are_ignored_without_idx(r, lcs_keys):
    assert call(r, "LCS", "key1", "key2", "WITHMATCHLEN") == b"mytext"
    assert call(r, "LCS", "key1", "key2", "MINMATCHLEN", "3", "LEN") == 6


def test_lcs_idx_is_a_map_in_resp3(r3):
    r3.mset({"key1": "ohmytext", "key2": "mynewtext"})
    conn = r3.connection_pool.get_connection()
    try:
        conn.send_command("LCS", "key1", "key2", "IDX", "WITHMATCHLEN")
        assert conn.read_response() == \
            {b"matches": [[[4, 7], [5, 8], 4], [[2, 3], [0, 1], 2]], b"len": 6}
    finally:
        r3.connection_pool.release(conn)


def test_lcs_of_longer_strings(r):
    a = b"the quick brown fox jumps over the lazy dog" * 20
    b = b"a quick brown dog jumps over the lazy fox!" * 20
    r.mset({"a": a, "b": b})
    s = call(r, "LCS", "a", "b")
    assert call(r, "LCS", "a", "b", "LEN") == len(s) == 720
    assert s.startswith(b" quick brown o jumps over the lazy o quick brown o jumps ove")
    assert hashlib.sha1(s).hexdigest() == "c8e57ced93370380e01710d99221e0b83943a790"
    m = call(r, "LCS", "a", "b", "IDX", "MINMATCHLEN", "10", "WITHMATCHLEN")
    assert len(m[1]) == 40 and m[3] == 720
    assert m[1][:2] == [[[836, 856], [815, 835], 21], [[820, 832], [799, 811], 13]]
    assert m[1][-2:] == [[[19, 39], [17, 37], 21], [[3, 15], [1, 13], 13]]


def test_lcs_errors(r, lcs_keys):
    assert err(r, "LCS", "key1", "key2", "IDX", "LEN") == \
        "If you want both the length and indexes, please just use IDX."
    assert err(r, "LCS", "key1", "key2", "FOO") == "syntax error"
    assert err(r, "LCS", "key1", "key2", "MINMATCHLEN") == "syntax error"
    assert err(r, "LCS", "key1", "key2", "MINMATCHLEN", "x") == NOT_INT
    assert err(r, "LCS", "key1") == "wrong number of arguments for 'lcs' command"
    r.hset("h", "f", "v")
    assert err(r, "LCS", "h", "key1") == "The specified keys must contain string values"
    assert err(r, "LCS", "key1", "h", "FOO") == \
        "The specified keys must contain string values"


def test_lcs_refuses_a_table_beyond_proto_max_bulk_len(r):
    r.mset({"a": b"x" * 16384, "b": b"y" * 8192})
    assert err(r, "LCS", "a", "b", "LEN") == \
        "Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"


# ---------------------------------------------------------------- encodings
def test_encoding_of_set_values(r):
    cases = {"123": b"int", "-9223372036854775808": b"int", "9223372036854775807": b"int",
             "9223372036854775808": b"embstr", "007": b"embstr", "-0": b"embstr",
             "1.5": b"embstr", "": b"embstr", " 1": b"embstr", "x" * 44: b"embstr",
             "x" * 45: b"raw", "1" * 21: b"embstr"}
    for i, (value, want) in enumerate(cases.items()):
        r.set(f"k{i}", value)
        assert enc(r, f"k{i}") == want, value


def test_encoding_after_each_kind_of_write(r):
    r.set("k", "123")
    assert enc(r, "k") == b"int"
    r.append("k", "4")
    assert enc(r, "k") == b"raw"
    r.incr("k")
    assert enc(r, "k") == b"int" and r.get("k") == b"1235"
    r.setrange("k", 0, "9")
    assert enc(r, "k") == b"raw"
    r.setrange("k", 0, "")
    assert enc(r, "k") == b"raw"
    r.set("k", "abc")
    r.append("k", "")
    assert enc(r, "k") == b"raw"
    r.append("fresh", "42")
    assert enc(r, "fresh") == b"int"
    r.append("fresh2", "hello")
    assert enc(r, "fresh2") == b"embstr"
    r.setrange("sr", 0, "1")
    assert enc(r, "sr") == b"raw"
    r.set("n", "5")
    r.setrange("n", 0, "")
    assert enc(r, "n") == b"int"
    r.getset("g", "77")
    r.mset({"m": "88", "m2": "y" * 50})
    call(r, "SETEX", "e", "100", "99")
    assert [enc(r, k) for k in ("g", "m", "m2", "e")] == [b"int", b"int", b"raw", b"int"]
    r.incrbyfloat("f", "1.5")
    assert enc(r, "f") == b"embstr"
    r.incrbyfloat("f", "1e50")
    assert enc(r, "f") == b"raw"


# ---------------------------------------------------------------- stats and events
def test_reads_count_keyspace_hits_and_misses(r):
    r.set("a", "1")
    r.hset("h", "f", "v")
    h0, m0 = stats(r)
    r.get("a")
    r.get("nokey")
    r.mget("a", "b", "h")
    r.strlen("a")
    r.getrange("nokey", 0, 1)
    call(r, "LCS", "a", "nokey")
    call(r, "GETEX", "a")
    call(r, "GETSET", "x", "1")
    call(r, "SET", "a", "2", "GET")
    call(r, "GETDEL", "nokey")
    with pytest.raises(redis.ResponseError):
        r.get("h")
    h1, m1 = stats(r)
    assert (h1 - h0, m1 - m0) == (8, 6)


def test_writes_do_not_count_keyspace_hits(r):
    r.set("a", "1")
    h0, m0 = stats(r)
    r.incr("a")
    r.incr("b")
    r.append("a", "x")
    r.setrange("c", 0, "x")
    r.incrbyfloat("d", 1)
    r.setnx("a", 1)
    r.msetnx({"a": 1})
    assert stats(r) == (h0, m0)


def test_keyspace_events_of_string_commands(r, events):
    r.set("k", "1")
    r.execute_command("SET", "k", "2", "EX", "100")
    r.append("k", "x")
    r.setrange("k", 0, "y")
    r.setrange("k", 0, "")                      # no change, no event
    r.set("n", "1")
    r.incr("n")
    r.decrby("n", 2)
    r.incrbyfloat("n", 1.5)
    r.getdel("n")
    r.getdel("n")                               # missing, no event
    r.execute_command("GETEX", "k", "EX", "100")
    r.execute_command("GETEX", "k", "PERSIST")
    r.execute_command("GETEX", "k", "PERSIST")  # no ttl, no event
    call(r, "SETEX", "s", "100", "v")
    r.mset({"a": 1, "b": 2})
    r.msetnx({"a": 1, "c": 2})                  # refused, no event
    r.execute_command("GETEX", "k", "PXAT", "1")
    assert events() == [
        (b"set", b"k"), (b"set", b"k"), (b"expire", b"k"), (b"append", b"k"),
        (b"setrange", b"k"), (b"set", b"n"), (b"incrby", b"n"), (b"incrby", b"n"),
        (b"incrbyfloat", b"n"), (b"del", b"n"), (b"expire", b"k"), (b"persist", b"k"),
        (b"set", b"s"), (b"expire", b"s"), (b"set", b"a"), (b"set", b"b"), (b"del", b"k")]
