"""String commands inside the engine: what they propagate, how they store values, and
the long-double arithmetic behind INCRBYFLOAT."""
import pytest

from engine.engine import Engine
from engine.types.string import ld_add, ld_format, ld_parse, string_encoding


@pytest.fixture
def eng():
    clock = [1000.0]
    e = Engine(clock=lambda: clock[0])
    e.clock_box = clock
    e.propagated = []
    e.propagators.append(lambda dbid, argv: e.propagated.append(list(argv)))
    return e


def run(e, c, *argv):
    e.propagated.clear()
    return e.execute(c, [a.encode() if isinstance(a, str) else a for a in argv])


def test_relative_expiry_propagates_as_set_pxat(eng):
    c = eng.connect()
    run(eng, c, "SET", "k", "v", "EX", "10", "GET")
    assert eng.propagated == [[b"SET", b"k", b"v", b"PXAT", b"1010000"]]
    run(eng, c, "SETEX", "k", "5", "v")
    assert eng.propagated == [[b"SET", b"k", b"v", b"PXAT", b"1005000"]]
    run(eng, c, "PSETEX", "k", "5", "v")
    assert eng.propagated == [[b"SET", b"k", b"v", b"PXAT", b"1000005"]]
    assert c.db.expires[b"k"] == 1000005


def test_set_get_propagates_without_get(eng):
    c = eng.connect()
    run(eng, c, "SET", "k", "v", "GET", "KEEPTTL", "get")
    assert eng.propagated == [[b"SET", b"k", b"v", b"KEEPTTL"]]
    run(eng, c, "SET", "k", "v", "NX", "GET")          # aborted: nothing propagates
    assert eng.propagated == []


def test_getex_propagates_pexpireat_persist_or_del(eng):
    c = eng.connect()
    run(eng, c, "SET", "k", "v")
    run(eng, c, "GETEX", "k", "EX", "100")
    assert eng.propagated == [[b"PEXPIREAT", b"k", b"1100000"]]
    run(eng, c, "GETEX", "k", "PERSIST")
    assert eng.propagated == [[b"PERSIST", b"k"]]
    run(eng, c, "GETEX", "k", "PERSIST")               # no TTL: no write
    assert eng.propagated == []
    run(eng, c, "GETEX", "k", "PXAT", "999999")
    assert eng.propagated == [[b"DEL", b"k"]]
    assert b"k" not in c.db.data


def test_getset_getdel_and_incrbyfloat_propagate_deterministic_forms(eng):
    c = eng.connect()
    run(eng, c, "GETSET", "k", "1")
    assert eng.propagated == [[b"SET", b"k", b"1"]]
    run(eng, c, "INCRBYFLOAT", "k", "0.5")
    assert eng.propagated == [[b"SET", b"k", b"1.5", b"KEEPTTL"]]
    run(eng, c, "GETDEL", "k")
    assert eng.propagated == [[b"DEL", b"k"]]
    run(eng, c, "GETDEL", "k")
    assert eng.propagated == []


def test_append_mutates_one_bytearray_in_place(eng):
    c = eng.connect()
    run(eng, c, "SET", "k", "ab")
    run(eng, c, "APPEND", "k", "c")
    buf = c.db.data[b"k"]
    assert buf.__class__ is bytearray
    run(eng, c, "APPEND", "k", "d")
    run(eng, c, "SETRANGE", "k", "0", "X")
    assert c.db.data[b"k"] is buf and buf == b"Xbcd"


def test_reads_hand_out_immutable_copies(eng):
    c = eng.connect()
    run(eng, c, "SETRANGE", "k", "0", "abc")
    got = run(eng, c, "GET", "k")
    assert got.__class__ is bytes and got == b"abc"
    assert run(eng, c, "MGET", "k")[0].__class__ is bytes
    assert run(eng, c, "GETRANGE", "k", "0", "1").__class__ is bytes
    run(eng, c, "APPEND", "k", "d")
    assert got == b"abc"


def test_string_encoding_names():
    assert string_encoding(b"123") == b"int"
    assert string_encoding(b"0123") == b"embstr"
    assert string_encoding(b"x" * 44) == b"embstr"
    assert string_encoding(b"x" * 45) == b"raw"
    assert string_encoding(bytearray(b"1")) == b"raw"


@pytest.mark.parametrize("a, b, want", [
    (b"10.5", b"0.1", b"10.6"),
    (b"10.6", b"3.0e3", b"3010.60000000000000009"),
    (b"0", b"0.000003814697265625", b"0.00000381469726562"),   # printf's ties-to-even
    (b"0", b"4e-4951", b"0"),                                   # a subnormal
    (b"-0.5", b"0.5", b"0"),
    (b"0", b"-1e-18", b"0"),                                    # "-0" prints as "0"
    (b"0x1p-1", b"-0X.8P1", b"-0.5"),
])
def test_long_double_sums(a, b, want):
    assert ld_format(ld_add(ld_parse(a), ld_parse(b))) == want


@pytest.mark.parametrize("text", [b"", b" 1", b"1 ", b"nan", b"-NaN", b"1e5000", b"1e-5000",
                                  b"0x1p", b"1e", b".", b"+", b"1" * 5120])
def test_long_double_parse_rejects_what_string2ld_rejects(text):
    assert ld_parse(text) is None


def test_long_double_overflowing_sum_is_none():
    big = ld_parse(b"1.1e4932")
    assert big is not None and ld_add(big, big) is None
    assert ld_add(ld_parse(b"inf"), ld_parse(b"1")) is None
