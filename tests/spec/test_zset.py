"""Sorted sets, as Redis 7.0 behaves: every test body runs on both servers and (where it
takes ``enc``) under both encodings, listpack and skiplist."""
import random

import pytest
import redis

INF = float("inf")


@pytest.fixture
def c(r):
    """RESP2 client replying with the raw values (scores as the bulk strings sent)."""
    r.response_callbacks.clear()
    return r


@pytest.fixture
def c3(r3):
    """RESP3 client replying with the raw values (doubles, nested arrays)."""
    r3.response_callbacks.clear()
    return r3


@pytest.fixture(params=["listpack", "skiplist"])
def enc(request, c):
    """The encoding every sorted set of the test gets; the thresholds are restored."""
    if request.param == "skiplist":
        c.execute_command("CONFIG", "SET", "zset-max-listpack-entries", "0")
    yield request.param.encode()
    c.execute_command("CONFIG", "SET", "zset-max-listpack-entries", "128")
    c.execute_command("CONFIG", "SET", "zset-max-listpack-value", "64")


def err(c, *args) -> str:
    with pytest.raises(redis.ResponseError) as e:
        c.execute_command(*args)
    return str(e.value)


def z(c, key, *pairs):
    """ZADD key score member ... from (member, score) pairs."""
    args = []
    for m, s in pairs:
        args += [s, m]
    return c.execute_command("ZADD", key, *args)


def rng_all(c, key):
    return c.execute_command("ZRANGE", key, 0, -1, "WITHSCORES")


ABC = [("a", 1), ("b", 2), ("c", 3), ("d", 4), ("e", 5)]


# ---------------------------------------------------------------- ZADD / ZCARD / ZSCORE
def test_zadd_adds_members_and_counts_only_new_ones(c, enc):
    assert z(c, "k", ("a", 1), ("b", 2)) == 2
    assert z(c, "k", ("a", 3), ("c", 4)) == 1
    assert c.execute_command("ZCARD", "k") == 3
    assert c.execute_command("ZSCORE", "k", "a") == b"3"
    assert c.execute_command("OBJECT", "ENCODING", "k") == enc
    assert c.execute_command("TYPE", "k") == b"zset"


def test_zadd_orders_by_score_then_member_bytes(c, enc):
    z(c, "k", ("b", 1), ("a", 1), ("\xff", 0), ("", 1), ("ab", 1), ("c", -1))
    assert c.execute_command("ZRANGE", "k", 0, -1) == [
        b"c", "\xff".encode(), b"", b"a", b"ab", b"b"]


def test_zadd_same_member_twice_in_one_call_keeps_the_last_score(c, enc):
    assert c.execute_command("ZADD", "k", 1, "a", 2, "a", 3, "a") == 1
    assert c.execute_command("ZSCORE", "k", "a") == b"3"


def test_zadd_nx_only_adds_and_xx_only_updates(c, enc):
    z(c, "k", ("a", 1))
    assert c.execute_command("ZADD", "k", "NX", 5, "a", 2, "b") == 1
    assert rng_all(c, "k") == [b"a", b"1", b"b", b"2"]
    assert c.execute_command("ZADD", "k", "XX", 5, "a", 7, "new") == 0
    assert rng_all(c, "k") == [b"b", b"2", b"a", b"5"]
    assert c.execute_command("ZADD", "missing", "XX", 1, "a") == 0
    assert c.execute_command("EXISTS", "missing") == 0


def test_zadd_gt_and_lt_only_move_scores_one_way_but_still_add(c, enc):
    z(c, "k", ("a", 5), ("b", 5))
    assert c.execute_command("ZADD", "k", "GT", "CH", 6, "a", 4, "b", 1, "new") == 2
    assert rng_all(c, "k") == [b"new", b"1", b"b", b"5", b"a", b"6"]
    assert c.execute_command("ZADD", "k", "LT", "CH", 7, "a", 4, "b") == 1
    assert c.execute_command("ZADD", "k", "XX", "GT", 9, "a", 9, "zz") == 0
    assert c.execute_command("ZSCORE", "k", "a") == b"9"
    assert c.execute_command("ZADD", "new", "GT", 1, "a") == 1


def test_zadd_ch_counts_changed_scores_but_not_unchanged_ones(c, enc):
    z(c, "k", ("a", 1), ("b", 2))
    assert c.execute_command("ZADD", "k", "CH", 1, "a", 3, "b", 4, "c") == 2
    assert c.execute_command("ZADD", "k", 1, "a", 30, "b") == 0


def test_zadd_incr_replies_the_new_score_or_nil_when_blocked(c, enc):
    assert c.execute_command("ZADD", "k", "INCR", 1.5, "a") == b"1.5"
    assert c.execute_command("ZADD", "k", "INCR", 2, "a") == b"3.5"
    assert c.execute_command("ZADD", "k", "NX", "INCR", 1, "a") is None
    assert c.execute_command("ZADD", "k", "XX", "INCR", 1, "nope") is None
    assert c.execute_command("ZADD", "k", "GT", "INCR", -1, "a") is None
    assert c.execute_command("ZADD", "k", "LT", "INCR", -1, "a") == b"2.5"
    assert c.execute_command("ZADD", "missing", "XX", "INCR", 1, "a") is None


def test_zadd_option_errors(c, enc):
    z(c, "k", ("a", 1))
    assert err(c, "ZADD", "k", "NX", "XX", 1, "a") == \
        "XX and NX options at the same time are not compatible"
    assert err(c, "ZADD", "k", "NX", "XX", "GT", 1, "a") == \
        "XX and NX options at the same time are not compatible"
    for opts in (("GT", "LT"), ("GT", "NX"), ("LT", "NX"), ("XX", "GT", "LT")):
        assert err(c, "ZADD", "k", *opts, 1, "a") == \
            "GT, LT, and/or NX options at the same time are not compatible"
    assert err(c, "ZADD", "k", "INCR", 1, "a", 2, "b") == \
        "INCR option supports a single increment-element pair"
    assert err(c, "ZADD", "k", 1, "a", 2) == "syntax error"
    assert err(c, "ZADD", "k", "NX", "CH", "a") == "syntax error"
    assert err(c, "ZADD", "k", "nx") == "wrong number of arguments for 'zadd' command"
    assert err(c, "ZADD", "k", 1, "a", "NX", "b") == "value is not a valid float"


@pytest.mark.parametrize("bad", ["x", "nan", "NaN", "1e400", "-1e400", "1e-400", " 1",
                                 "1 ", "", "1_0", "1.2.3", "0x", "++1", "inf1"])
def test_zadd_rejects_scores_strtod_would_not_take(c, bad):
    assert err(c, "ZADD", "k", bad, "a") == "value is not a valid float"
    assert c.execute_command("EXISTS", "k") == 0


def test_zadd_accepts_the_scores_strtod_takes(c, enc):
    c.execute_command("ZADD", "k", "inf", "a", "-INF", "b", "+inf", "c", "0x10", "d",
                      "1e-310", "e", "-.5", "f", "1E3", "g", "+1.", "h", "Infinity", "i")
    assert rng_all(c, "k") == [b"b", b"-inf", b"f", b"-0.5",
                               b"e", b"9.9999999999999694e-311", b"h", b"1",
                               b"d", b"16", b"g", b"1000", b"a", b"inf", b"c", b"inf",
                               b"i", b"inf"]


def test_zadd_incr_to_nan_is_an_error_and_changes_nothing(c, enc):
    z(c, "k", ("a", "inf"))
    assert err(c, "ZADD", "k", "INCR", "-inf", "a") == \
        "resulting score is not a number (NaN)"
    assert err(c, "ZINCRBY", "k", "-inf", "a") == "resulting score is not a number (NaN)"
    assert c.execute_command("ZSCORE", "k", "a") == b"inf"


def test_zadd_on_a_key_of_another_type_is_wrongtype_after_score_parsing(c):
    c.set("s", "v")
    assert err(c, "ZADD", "s", 1, "a").startswith("WRONGTYPE")
    assert err(c, "ZADD", "s", "x", "a") == "value is not a valid float"
    assert err(c, "ZINCRBY", "s", 1, "a").startswith("WRONGTYPE")


def test_zincrby_creates_and_increments(c, enc):
    assert c.execute_command("ZINCRBY", "k", 2, "a") == b"2"
    assert c.execute_command("ZINCRBY", "k", "-0.5", "a") == b"1.5"
    assert c.execute_command("ZINCRBY", "k", "0.1", "a") == b"1.6000000000000001"
    assert err(c, "ZINCRBY", "k", "x", "a") == "value is not a valid float"
    assert err(c, "ZINCRBY", "k", "nan", "a") == "value is not a valid float"
    # the option parser of ZADD sees the increment first
    assert err(c, "ZINCRBY", "k", "nx", "a") == "syntax error"
    assert err(c, "ZINCRBY", "k", "incr", "a") == "syntax error"


def test_zscore_zmscore_of_missing_members_and_keys(c, enc):
    z(c, "k", ("a", 1))
    assert c.execute_command("ZSCORE", "k", "x") is None
    assert c.execute_command("ZSCORE", "nokey", "a") is None
    assert c.execute_command("ZMSCORE", "k", "a", "x") == [b"1", None]
    assert c.execute_command("ZMSCORE", "nokey", "a", "b") == [None, None]
    assert c.execute_command("ZCARD", "nokey") == 0
    assert err(c, "ZMSCORE", "k") == "wrong number of arguments for 'zmscore' command"


# ---------------------------------------------------------------- score formatting
FLOATS = [("a", "0.1", b"0.10000000000000001"), ("b", "1e300", b"1.0000000000000001e+300"),
          ("c", "-1e-300", b"-1e-300"), ("d", "1.5e-7", b"1.4999999999999999e-07"),
          ("e", "123456789012345678", b"1.2345678901234568e+17"),
          ("f", "3.0000000000000004", b"3.0000000000000004"), ("g", "inf", b"inf"),
          ("h", "-inf", b"-inf"), ("i", "1e18", b"1e+18"), ("j", "2.5", b"2.5"),
          ("k", "-7", b"-7")]


def test_scores_are_printed_with_17_significant_digits_in_resp2(c, enc):
    for m, s, _ in FLOATS:
        c.execute_command("ZADD", "k", s, m)
    for m, _, text in FLOATS:
        assert c.execute_command("ZSCORE", "k", m) == text
    flat = rng_all(c, "k")
    assert dict(zip(flat[::2], flat[1::2])) == {m.encode(): t for m, _, t in FLOATS}


def test_scores_are_doubles_in_resp3(c3, enc):
    for m, s, _ in FLOATS:
        c3.execute_command("ZADD", "k", s, m)
    for m, s, _ in FLOATS:
        assert c3.execute_command("ZSCORE", "k", m) == float(s)
    assert c3.execute_command("ZMSCORE", "k", "a", "x") == [0.1, None]
    assert c3.execute_command("ZINCRBY", "k", 1, "j") == 3.5


def test_resp3_double_wire_format(raw, enc):
    conn = raw()
    conn.request(b"HELLO 3\r\n", b"%7")
    conn.recv(4096, timeout=0.3)
    assert conn.request(b"ZADD k 0.1 a\r\n", b":1\r\n") == b":1\r\n"
    assert conn.request(b"ZSCORE k a\r\n", b",0.10000000000000001\r\n") == \
        b",0.10000000000000001\r\n"
    assert conn.request(b"ZADD k INCR inf a\r\n", b",inf\r\n") == b",inf\r\n"


def test_negative_zero_is_kept_only_by_a_skiplist(c, enc):
    c.execute_command("ZADD", "k", "-0", "a")
    expect = b"0" if enc == b"listpack" else b"-0"
    assert c.execute_command("ZSCORE", "k", "a") == expect
    assert c.execute_command("ZADD", "k", "0", "a") == 0          # -0 == 0: unchanged
    assert c.execute_command("ZSCORE", "k", "a") == expect
    assert c.execute_command("ZADD", "k", "INCR", "-0", "b") == b"-0"   # the computed sum
    assert c.execute_command("ZINCRBY", "k", "0", "a") == b"0"


# ---------------------------------------------------------------- ZRANGE by rank
def test_zrange_by_rank_with_negative_and_out_of_range_indexes(c, enc):
    z(c, "k", *ABC)
    assert c.execute_command("ZRANGE", "k", 0, -1) == [b"a", b"b", b"c", b"d", b"e"]
    assert c.execute_command("ZRANGE", "k", 1, 2) == [b"b", b"c"]
    assert c.execute_command("ZRANGE", "k", -2, -1) == [b"d", b"e"]
    assert c.execute_command("ZRANGE", "k", -100, 1) == [b"a", b"b"]
    assert c.execute_command("ZRANGE", "k", 3, 100) == [b"d", b"e"]
    assert c.execute_command("ZRANGE", "k", 3, 1) == []
    assert c.execute_command("ZRANGE", "k", 5, 10) == []
    assert c.execute_command("ZRANGE", "k", 0, -6) == []
    assert c.execute_command("ZRANGE", "nokey", 0, -1) == []


def test_zrange_rev_and_zrevrange_count_from_the_top(c, enc):
    z(c, "k", *ABC)
    assert c.execute_command("ZRANGE", "k", 0, 1, "REV") == [b"e", b"d"]
    assert c.execute_command("ZREVRANGE", "k", 0, 1) == [b"e", b"d"]
    assert c.execute_command("ZREVRANGE", "k", -2, -1, "WITHSCORES") == \
        [b"b", b"2", b"a", b"1"]
    assert c.execute_command("ZRANGE", "k", 1, 3, "REV", "WITHSCORES") == \
        [b"d", b"4", b"c", b"3", b"b", b"2"]


def test_zrange_withscores_is_flat_in_resp2_and_pairs_in_resp3(c, c3, enc):
    z(c, "k", ("a", 1), ("b", 2.5))
    assert c.execute_command("ZRANGE", "k", 0, -1, "WITHSCORES") == \
        [b"a", b"1", b"b", b"2.5"]
    assert c3.execute_command("ZRANGE", "k", 0, -1, "WITHSCORES") == \
        [[b"a", 1.0], [b"b", 2.5]]
    assert c3.execute_command("ZRANGEBYSCORE", "k", "-inf", "inf", "WITHSCORES") == \
        [[b"a", 1.0], [b"b", 2.5]]
    assert c3.execute_command("ZREVRANGE", "k", 0, 0, "WITHSCORES") == [[b"b", 2.5]]
    assert c3.execute_command("ZRANGE", "k", 0, -1) == [b"a", b"b"]


def test_zrange_option_errors(c, enc):
    z(c, "k", *ABC)
    limit = "syntax error, LIMIT is only supported in combination with either BYSCORE " \
            "or BYLEX"
    assert err(c, "ZRANGE", "k", 0, -1, "LIMIT", 0, 1) == limit
    assert err(c, "ZREVRANGE", "k", 0, -1, "LIMIT", 0, 1) == limit
    assert c.execute_command("ZRANGE", "k", 0, -1, "LIMIT", 0, -1) == \
        [b"a", b"b", b"c", b"d", b"e"]           # LIMIT x -1 is "no limit"
    bylex = "syntax error, WITHSCORES not supported in combination with BYLEX"
    assert err(c, "ZRANGE", "k", "-", "+", "BYLEX", "WITHSCORES") == bylex
    assert err(c, "ZRANGEBYLEX", "k", "-", "+", "WITHSCORES") == bylex
    for opts in (("BYSCORE", "BYLEX"), ("REV", "REV"), ("LIMIT", 0), ("FOO",)):
        assert err(c, "ZRANGE", "k", 0, -1, *opts) == "syntax error"
    assert err(c, "ZRANGEBYSCORE", "k", 0, 1, "REV") == "syntax error"
    assert err(c, "ZRANGEBYSCORE", "k", 0, 1, "BYLEX") == "syntax error"
    assert err(c, "ZREVRANGE", "k", 0, 1, "REV") == "syntax error"
    assert err(c, "ZRANGE", "k", "a", 1) == "value is not an integer or out of range"
    assert err(c, "ZRANGE", "k", 0, 1, "BYSCORE", "LIMIT", "x", 1) == \
        "value is not an integer or out of range"
    assert err(c, "ZRANGE", "k", "a", "b", "BYSCORE") == "min or max is not a float"
    assert err(c, "ZRANGE", "k", "[a", "b", "BYLEX") == \
        "min or max not valid string range item"
    assert err(c, "ZRANGE", "k", 0) == "wrong number of arguments for 'zrange' command"
    assert c.execute_command("ZRANGE", "k", 0, 0, "WITHSCORES", "WITHSCORES") == \
        [b"a", b"1"]


# ---------------------------------------------------------------- by score
def test_zrangebyscore_inclusive_exclusive_and_infinite_bounds(c, enc):
    z(c, "k", *ABC, ("m", "-inf"), ("p", "inf"))
    r = lambda *a: c.execute_command("ZRANGEBYSCORE", "k", *a)  # noqa: E731
    assert r(2, 4) == [b"b", b"c", b"d"]
    assert r("(2", 4) == [b"c", b"d"]
    assert r(2, "(4") == [b"b", b"c"]
    assert r("(2", "(4") == [b"c"]
    assert r("(2", "(3") == []
    assert r(4, 2) == []
    assert r("-inf", "(1") == [b"m"]
    assert r("(5", "+inf") == [b"p"]
    assert r("(-inf", "(inf") == [b"a", b"b", b"c", b"d", b"e"]
    assert r("-inf", "inf") == [b"m", b"a", b"b", b"c", b"d", b"e", b"p"]
    assert r("(inf", "+inf") == []
    assert r(" 2", "( 3") == [b"b"]              # strtod skips leading spaces
    assert r("", "(") == []                      # an empty number reads as 0
    assert r("0x2", "4.0e0") == [b"b", b"c", b"d"]


def test_score_range_errors(c, enc):
    z(c, "k", *ABC)
    for lo, hi in (("a", 1), (1, "b"), ("nan", 1), ("(", "1 "), ("((1", 2), (" ", 1)):
        assert err(c, "ZRANGEBYSCORE", "k", lo, hi) == "min or max is not a float"
        assert err(c, "ZCOUNT", "k", lo, hi) == "min or max is not a float"
        assert err(c, "ZREMRANGEBYSCORE", "k", lo, hi) == "min or max is not a float"
    c.set("s", "v")
    assert err(c, "ZRANGEBYSCORE", "s", "a", 1) == "min or max is not a float"
    assert err(c, "ZRANGEBYSCORE", "s", 0, 1).startswith("WRONGTYPE")


def test_zrangebyscore_limit_offset_and_count(c, enc):
    z(c, "k", *ABC)
    r = lambda *a: c.execute_command("ZRANGEBYSCORE", "k", *a)  # noqa: E731
    assert r("-inf", "inf", "LIMIT", 1, 2) == [b"b", b"c"]
    assert r("-inf", "inf", "LIMIT", 3, 10) == [b"d", b"e"]
    assert r("-inf", "inf", "LIMIT", 1, -5) == [b"b", b"c", b"d", b"e"]
    assert r("-inf", "inf", "LIMIT", 1, 0) == []
    assert r("-inf", "inf", "LIMIT", -1, 2) == []
    assert r("-inf", "inf", "LIMIT", 5, 2) == []
    assert r(2, 4, "LIMIT", 2, 5, "WITHSCORES") == [b"d", b"4"]
    assert r(2, 4, "WITHSCORES", "LIMIT", 0, 1) == [b"b", b"2"]


def test_zrevrangebyscore_takes_max_first_and_limits_from_the_top(c, enc):
    z(c, "k", *ABC)
    assert c.execute_command("ZREVRANGEBYSCORE", "k", 4, 2) == [b"d", b"c", b"b"]
    assert c.execute_command("ZREVRANGEBYSCORE", "k", "(4", "(2") == [b"c"]
    assert c.execute_command("ZREVRANGEBYSCORE", "k", 2, 4) == []
    assert c.execute_command("ZREVRANGEBYSCORE", "k", "+inf", "-inf", "WITHSCORES",
                             "LIMIT", 1, 2) == [b"d", b"4", b"c", b"3"]
    assert c.execute_command("ZRANGE", "k", "+inf", "-inf", "BYSCORE", "REV", "LIMIT",
                             1, 2) == [b"d", b"c"]
    assert c.execute_command("ZRANGE", "k", 2, 4, "BYSCORE", "LIMIT", 1, 1) == [b"c"]


def test_zcount(c, enc):
    z(c, "k", *ABC)
    assert c.execute_command("ZCOUNT", "k", 2, 4) == 3
    assert c.execute_command("ZCOUNT", "k", "(2", "(4") == 1
    assert c.execute_command("ZCOUNT", "k", "-inf", "+inf") == 5
    assert c.execute_command("ZCOUNT", "k", 4, 2) == 0
    assert c.execute_command("ZCOUNT", "nokey", 0, 1) == 0


# ---------------------------------------------------------------- by lex
LEX = [("a", 0), ("b", 0), ("c", 0), ("cc", 0), ("d", 0), ("e", 0)]


def test_zrangebylex_bounds(c, enc):
    z(c, "k", *LEX)
    r = lambda *a: c.execute_command("ZRANGEBYLEX", "k", *a)  # noqa: E731
    assert r("-", "+") == [b"a", b"b", b"c", b"cc", b"d", b"e"]
    assert r("[b", "[d") == [b"b", b"c", b"cc", b"d"]
    assert r("(b", "(d") == [b"c", b"cc"]
    assert r("[c", "(cc") == [b"c"]
    assert r("(c", "[c") == []
    assert r("[d", "[b") == []
    assert r("-", "[b") == [b"a", b"b"]
    assert r("(d", "+") == [b"e"]
    assert r("+", "-") == []
    assert r("+", "+") == []
    assert r("[", "(b") == [b"a"]
    assert r("-", "+", "LIMIT", 1, 2) == [b"b", b"c"]
    assert r("-", "+", "LIMIT", -1, 2) == []
    assert r("-", "+", "LIMIT", 4, -1) == [b"d", b"e"]


def test_zrevrangebylex_and_zrange_bylex_rev(c, enc):
    z(c, "k", *LEX)
    assert c.execute_command("ZREVRANGEBYLEX", "k", "[d", "[b") == \
        [b"d", b"cc", b"c", b"b"]
    assert c.execute_command("ZREVRANGEBYLEX", "k", "+", "-", "LIMIT", 1, 2) == \
        [b"d", b"cc"]
    assert c.execute_command("ZRANGE", "k", "(d", "-", "BYLEX", "REV") == \
        [b"cc", b"c", b"b", b"a"]
    assert c.execute_command("ZRANGE", "k", "[b", "[c", "BYLEX") == [b"b", b"c"]


def test_zlexcount_and_lex_range_errors(c, enc):
    z(c, "k", *LEX)
    assert c.execute_command("ZLEXCOUNT", "k", "-", "+") == 6
    assert c.execute_command("ZLEXCOUNT", "k", "[b", "(d") == 3
    assert c.execute_command("ZLEXCOUNT", "nokey", "-", "+") == 0
    for lo, hi in (("a", "+"), ("-", "b"), ("", "+"), ("-x", "+"), ("-", "++")):
        assert err(c, "ZRANGEBYLEX", "k", lo, hi) == \
            "min or max not valid string range item"
        assert err(c, "ZLEXCOUNT", "k", lo, hi) == "min or max not valid string range item"
        assert err(c, "ZREMRANGEBYLEX", "k", lo, hi) == \
            "min or max not valid string range item"


def test_lex_ranges_over_mixed_scores_walk_a_listpack_like_redis(c):
    # unspecified by Redis's docs; a listpack is walked from the head (forward) or the
    # tail (reverse), stopping at the first member out of range
    z(c, "k", ("b", 1), ("a", 2), ("d", 3), ("c", 4))
    assert c.execute_command("ZRANGEBYLEX", "k", "[a", "[c") == [b"b", b"a"]
    assert c.execute_command("ZREVRANGEBYLEX", "k", "[c", "[a") == [b"c", b"d", b"a", b"b"]
    assert c.execute_command("ZREVRANGEBYLEX", "k", "[b", "[a") == [b"a", b"b"]
    assert c.execute_command("ZRANGEBYLEX", "k", "(b", "+") == [b"d", b"c"]
    assert c.execute_command("ZRANGEBYLEX", "k", "-", "[a") == []     # first member > max
    assert c.execute_command("ZLEXCOUNT", "k", "[a", "[b") == 2
    assert c.execute_command("ZREMRANGEBYLEX", "k", "[b", "[c") == 2       # b, a
    assert c.execute_command("ZRANGE", "k", 0, -1) == [b"d", b"c"]


# ---------------------------------------------------------------- ZRANGESTORE
def test_zrangestore_stores_each_range_kind(c, enc):
    z(c, "src", *ABC)
    assert c.execute_command("ZRANGESTORE", "d", "src", 1, 2) == 2
    assert rng_all(c, "d") == [b"b", b"2", b"c", b"3"]
    assert c.execute_command("ZRANGESTORE", "d", "src", 0, 1, "REV") == 2
    assert rng_all(c, "d") == [b"d", b"4", b"e", b"5"]
    assert c.execute_command("ZRANGESTORE", "d", "src", "(1", 3, "BYSCORE") == 2
    assert rng_all(c, "d") == [b"b", b"2", b"c", b"3"]
    assert c.execute_command("ZRANGESTORE", "d", "src", "+inf", "-inf", "BYSCORE",
                             "REV", "LIMIT", 0, 2) == 2
    assert rng_all(c, "d") == [b"d", b"4", b"e", b"5"]
    assert c.execute_command("ZRANGESTORE", "d", "src", "[a", "[b", "BYLEX") == 2
    assert c.execute_command("ZRANGE", "d", 0, -1) == [b"a", b"b"]
    assert c.execute_command("OBJECT", "ENCODING", "d") == enc


def test_zrangestore_of_an_empty_range_deletes_the_destination(c, enc):
    z(c, "src", *ABC)
    c.set("d", "string")
    assert c.execute_command("ZRANGESTORE", "d", "src", 10, 20) == 0
    assert c.execute_command("EXISTS", "d") == 0
    c.set("d", "string")
    assert c.execute_command("ZRANGESTORE", "d", "nokey", 0, -1) == 0
    assert c.execute_command("EXISTS", "d") == 0


def test_zrangestore_result_passes_through_a_listpack_until_it_converts(c):
    c.execute_command("CONFIG", "SET", "zset-max-listpack-entries", "0")
    try:
        c.execute_command("ZADD", "src", "-0", "a", "-0", "b", "-0", "long")
    finally:
        c.execute_command("CONFIG", "SET", "zset-max-listpack-entries", "128")
    c.execute_command("CONFIG", "SET", "zset-max-listpack-value", "3")
    try:
        assert c.execute_command("ZSCORE", "src", "a") == b"-0"
        assert c.execute_command("ZRANGESTORE", "d", "src", 0, -1) == 3
        assert c.execute_command("OBJECT", "ENCODING", "d") == b"skiplist"
        # "a" and "b" went into the listpack (0 is kept as an integer there), "long"
        # converted it and kept its -0
        assert [c.execute_command("ZSCORE", "d", m) for m in ("a", "b", "long")] == \
            [b"0", b"0", b"-0"]
        assert c.execute_command("ZUNIONSTORE", "u", 1, "src") == 3
        assert c.execute_command("ZSCORE", "u", "a") == b"-0"   # built as a skiplist
    finally:
        c.execute_command("CONFIG", "SET", "zset-max-listpack-value", "64")


def test_zrangestore_errors(c):
    z(c, "src", *ABC)
    assert err(c, "ZRANGESTORE", "d", "src", 0, -1, "WITHSCORES") == "syntax error"
    assert err(c, "ZRANGESTORE", "d", "src", 0, -1, "LIMIT", 0, 1) == \
        "syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
    c.set("s", "v")
    assert err(c, "ZRANGESTORE", "d", "s", 0, -1).startswith("WRONGTYPE")
    assert err(c, "ZRANGESTORE", "d", "src", 0) == \
        "wrong number of arguments for 'zrangestore' command"


# ---------------------------------------------------------------- ranks
def test_zrank_and_zrevrank(c, c3, enc):
    z(c, "k", *ABC)
    assert c.execute_command("ZRANK", "k", "a") == 0
    assert c.execute_command("ZRANK", "k", "e") == 4
    assert c.execute_command("ZREVRANK", "k", "a") == 4
    assert c.execute_command("ZREVRANK", "k", "d") == 1
    assert c.execute_command("ZRANK", "k", "x") is None
    assert c.execute_command("ZRANK", "nokey", "a") is None
    assert c3.execute_command("ZREVRANK", "nokey", "a") is None
    assert err(c, "ZRANK", "k", "a", "WITHSCORE") == \
        "wrong number of arguments for 'zrank' command"


# ---------------------------------------------------------------- removals
def test_zrem_removes_and_deletes_an_emptied_key(c, enc):
    z(c, "k", ("a", 1), ("b", 2))
    assert c.execute_command("ZREM", "k", "a", "x", "a") == 1
    assert c.execute_command("ZRANGE", "k", 0, -1) == [b"b"]
    assert c.execute_command("ZREM", "k", "b", "c") == 1
    assert c.execute_command("EXISTS", "k") == 0
    assert c.execute_command("ZREM", "k", "b") == 0


def test_zremrangebyrank(c, enc):
    z(c, "k", *ABC)
    assert c.execute_command("ZREMRANGEBYRANK", "k", 1, 2) == 2
    assert c.execute_command("ZRANGE", "k", 0, -1) == [b"a", b"d", b"e"]
    assert c.execute_command("ZREMRANGEBYRANK", "k", -1, -1) == 1
    assert c.execute_command("ZREMRANGEBYRANK", "k", 5, 10) == 0
    assert c.execute_command("ZREMRANGEBYRANK", "k", 1, 0) == 0
    assert c.execute_command("ZREMRANGEBYRANK", "k", -100, 100) == 2
    assert c.execute_command("EXISTS", "k") == 0
    assert c.execute_command("ZREMRANGEBYRANK", "k", 0, -1) == 0
    assert err(c, "ZREMRANGEBYRANK", "k", "a", 1) == \
        "value is not an integer or out of range"


def test_zremrangebyscore_and_zremrangebylex(c, enc):
    z(c, "k", *ABC)
    assert c.execute_command("ZREMRANGEBYSCORE", "k", "(1", 3) == 2
    assert c.execute_command("ZRANGE", "k", 0, -1) == [b"a", b"d", b"e"]
    assert c.execute_command("ZREMRANGEBYSCORE", "k", 10, 20) == 0
    assert c.execute_command("ZREMRANGEBYSCORE", "k", "-inf", "+inf") == 3
    assert c.execute_command("EXISTS", "k") == 0
    z(c, "l", *LEX)
    assert c.execute_command("ZREMRANGEBYLEX", "l", "(a", "[c") == 2
    assert c.execute_command("ZRANGE", "l", 0, -1) == [b"a", b"cc", b"d", b"e"]
    assert c.execute_command("ZREMRANGEBYLEX", "l", "-", "+") == 4
    assert c.execute_command("EXISTS", "l") == 0
    assert c.execute_command("ZREMRANGEBYLEX", "nokey", "-", "+") == 0


# ---------------------------------------------------------------- pops
def test_zpopmin_and_zpopmax_without_and_with_count(c, enc):
    z(c, "k", *ABC)
    assert c.execute_command("ZPOPMIN", "k") == [b"a", b"1"]
    assert c.execute_command("ZPOPMAX", "k") == [b"e", b"5"]
    assert c.execute_command("ZPOPMIN", "k", 2) == [b"b", b"2", b"c", b"3"]
    assert c.execute_command("ZPOPMIN", "k", 0) == []
    assert c.execute_command("ZPOPMAX", "k", 10) == [b"d", b"4"]
    assert c.execute_command("EXISTS", "k") == 0
    assert c.execute_command("ZPOPMIN", "k") == []
    assert c.execute_command("ZPOPMAX", "k", 3) == []


def test_zpop_reply_shapes_in_resp3(c3, enc):
    z(c3, "k", *ABC)
    assert c3.execute_command("ZPOPMIN", "k") == [b"a", 1.0]
    assert c3.execute_command("ZPOPMIN", "k", 1) == [[b"b", 2.0]]
    assert c3.execute_command("ZPOPMAX", "k", 2) == [[b"e", 5.0], [b"d", 4.0]]
    assert c3.execute_command("ZPOPMAX", "nokey") == []


def test_zpop_errors(c, enc):
    z(c, "k", *ABC)
    assert err(c, "ZPOPMIN", "k", -1) == "value is out of range, must be positive"
    assert err(c, "ZPOPMAX", "k", "x") == "value is out of range, must be positive"
    assert err(c, "ZPOPMIN", "k", 1, 2) == "syntax error"
    assert err(c, "ZPOPMIN", "nokey", -1) == "value is out of range, must be positive"
    c.set("s", "v")
    assert err(c, "ZPOPMIN", "s").startswith("WRONGTYPE")


def test_zmpop_pops_from_the_first_non_empty_key(c, c3, enc):
    z(c, "k2", *ABC)
    assert c.execute_command("ZMPOP", 2, "k1", "k2", "MIN") == [b"k2", [[b"a", b"1"]]]
    assert c.execute_command("ZMPOP", 2, "k1", "k2", "MAX", "COUNT", 2) == \
        [b"k2", [[b"e", b"5"], [b"d", b"4"]]]
    assert c3.execute_command("ZMPOP", 1, "k2", "min", "count", 10) == \
        [b"k2", [[b"b", 2.0], [b"c", 3.0]]]
    assert c.execute_command("EXISTS", "k2") == 0
    assert c.execute_command("ZMPOP", 2, "k1", "k2", "MIN") is None
    assert c3.execute_command("ZMPOP", 1, "k1", "MIN") is None


def test_zmpop_null_reply_is_a_null_array(raw):
    conn = raw()
    assert conn.request(b"ZMPOP 1 nokey MIN\r\n", b"*-1\r\n") == b"*-1\r\n"


def test_zmpop_errors(c, enc):
    z(c, "k", *ABC)
    for n in (0, -1, "x"):
        assert err(c, "ZMPOP", n, "k", "MIN") == "numkeys should be greater than 0"
    assert err(c, "ZMPOP", 2, "k", "MIN") == "syntax error"
    assert err(c, "ZMPOP", 1, "k", "FOO") == "syntax error"
    for n in (0, -1, "x"):
        assert err(c, "ZMPOP", 1, "k", "MIN", "COUNT", n) == \
            "count should be greater than 0"
    assert err(c, "ZMPOP", 1, "k", "MIN", "COUNT", 1, "COUNT", 1) == "syntax error"
    assert err(c, "ZMPOP", 1, "k", "MIN", "COUNT") == "syntax error"
    assert err(c, "ZMPOP", 1, "k", "MIN", "FOO") == "syntax error"
    c.set("s", "v")
    assert err(c, "ZMPOP", 2, "s", "k", "MIN").startswith("WRONGTYPE")
    assert c.execute_command("ZMPOP", 2, "k", "s", "MIN") == [b"k", [[b"a", b"1"]]]


# ---------------------------------------------------------------- blocking pops
def test_bzpopmin_and_bzpopmax_serve_at_once_when_a_key_has_members(c, c3, enc):
    z(c, "k2", *ABC)
    assert c.execute_command("BZPOPMIN", "k1", "k2", 1) == [b"k2", b"a", b"1"]
    assert c.execute_command("BZPOPMAX", "k1", "k2", 0) == [b"k2", b"e", b"5"]
    assert c3.execute_command("BZPOPMIN", "k2", 0) == [b"k2", b"b", 2.0]
    assert c.execute_command("BZMPOP", 0, 2, "k1", "k2", "MAX", "COUNT", 5) == \
        [b"k2", [[b"d", b"4"], [b"c", b"3"]]]
    assert c.execute_command("EXISTS", "k2") == 0


def test_blocking_pops_time_out_with_a_null_array(c, c3, raw):
    assert c.execute_command("BZPOPMIN", "k", 0.05) is None
    assert c3.execute_command("BZPOPMAX", "k", "0.05") is None
    assert c.execute_command("BZMPOP", "0.05", 1, "k", "MIN") is None
    conn = raw()
    assert conn.request(b"BZPOPMIN k 0.05\r\n", b"*-1\r\n") == b"*-1\r\n"


def test_blocking_pop_errors(c):
    assert err(c, "BZPOPMIN", "k", "x") == "timeout is not a float or out of range"
    assert err(c, "BZPOPMAX", "k", -1) == "timeout is negative"
    assert err(c, "BZMPOP", "x", 1, "k", "MIN") == "timeout is not a float or out of range"
    assert err(c, "BZMPOP", -1, 1, "k", "MIN") == "timeout is negative"
    assert err(c, "BZMPOP", 0, 0, "k", "MIN") == "numkeys should be greater than 0"
    assert err(c, "BZMPOP", 0, 1, "k", "MIN", "COUNT", 0) == \
        "count should be greater than 0"
    c.set("s", "v")
    assert err(c, "BZPOPMIN", "s", 0).startswith("WRONGTYPE")
    assert err(c, "BZMPOP", 0, 1, "s", "MIN").startswith("WRONGTYPE")
    assert err(c, "BZPOPMIN", "k") == "wrong number of arguments for 'bzpopmin' command"


def test_bzpopmin_blocks_until_a_zadd_then_replies_with_key_member_score(c, raw):
    conn = raw()
    conn.send(b"BZPOPMIN k1 k2 5\r\n")
    assert conn.recv(1, timeout=0.3) == b""            # still blocked
    c.execute_command("ZADD", "k2", 2, "b", 1, "a")
    reply = b"*3\r\n$2\r\nk2\r\n$1\r\na\r\n$1\r\n1\r\n"
    assert conn.recv(len(reply)) == reply
    assert c.execute_command("ZRANGE", "k2", 0, -1) == [b"b"]


def test_bzpopmax_and_bzmpop_wake_in_resp3(c, raw):
    conn = raw()
    conn.request(b"HELLO 3\r\n", b"%7")
    conn.recv(4096, timeout=0.3)
    conn.send(b"BZPOPMAX k 5\r\n")
    assert conn.recv(1, timeout=0.3) == b""
    c.execute_command("ZADD", "k", 1, "a", 2.5, "b")
    reply = b"*3\r\n$1\r\nk\r\n$1\r\nb\r\n,2.5\r\n"
    assert conn.recv(len(reply)) == reply
    conn.send(b"BZMPOP 5 2 x y MIN COUNT 3\r\n")
    assert conn.recv(1, timeout=0.3) == b""
    c.execute_command("ZADD", "y", 3, "c", 4, "d")
    reply = b"*2\r\n$1\r\ny\r\n*2\r\n*2\r\n$1\r\nc\r\n,3\r\n*2\r\n$1\r\nd\r\n,4\r\n"
    assert conn.recv(len(reply)) == reply
    assert c.execute_command("EXISTS", "y") == 0
    assert c.execute_command("ZRANGE", "k", 0, -1) == [b"a"]


def test_blocked_clients_are_served_in_the_order_they_blocked(c, raw):
    first, second = raw(), raw()
    first.send(b"BZPOPMIN k 5\r\n")
    first.recv(1, timeout=0.2)
    second.send(b"BZPOPMIN k 5\r\n")
    second.recv(1, timeout=0.2)
    c.execute_command("ZADD", "k", 1, "a", 2, "b")
    assert first.recv(27) == b"*3\r\n$1\r\nk\r\n$1\r\na\r\n$1\r\n1\r\n"
    assert second.recv(27) == b"*3\r\n$1\r\nk\r\n$1\r\nb\r\n$1\r\n2\r\n"
    assert c.execute_command("EXISTS", "k") == 0


def test_a_blocked_pop_ignores_a_key_of_another_type(c, raw):
    conn = raw()
    conn.send(b"BZPOPMIN k 5\r\n")
    conn.recv(1, timeout=0.2)
    c.execute_command("SET", "k", "v")
    assert conn.recv(1, timeout=0.3) == b""
    c.execute_command("DEL", "k")
    c.execute_command("ZADD", "k", 7, "m")
    reply = b"*3\r\n$1\r\nk\r\n$1\r\nm\r\n$1\r\n7\r\n"
    assert conn.recv(len(reply)) == reply


def test_blocking_pops_inside_multi_do_not_block(c):
    p = c.pipeline(transaction=True)
    p.execute_command("BZPOPMIN", "k", 0)
    p.execute_command("BZMPOP", 0, 1, "k", "MIN")
    assert p.execute() == [None, None]


# ---------------------------------------------------------------- set algebra
def test_zunion_sums_scores_and_sorts(c, enc):
    z(c, "a", ("x", 1), ("y", 2))
    z(c, "b", ("y", 3), ("z", 4))
    assert c.execute_command("ZUNION", 2, "a", "b") == [b"x", b"z", b"y"]
    assert c.execute_command("ZUNION", 2, "a", "b", "WITHSCORES") == \
        [b"x", b"1", b"z", b"4", b"y", b"5"]
    assert c.execute_command("ZUNION", 3, "a", "nokey", "b", "WEIGHTS", 2, 5, 1,
                             "WITHSCORES") == [b"x", b"2", b"z", b"4", b"y", b"7"]
    assert c.execute_command("ZUNION", 2, "a", "b", "AGGREGATE", "MIN", "WITHSCORES") == \
        [b"x", b"1", b"y", b"2", b"z", b"4"]
    assert c.execute_command("ZUNION", 2, "a", "b", "AGGREGATE", "max", "WITHSCORES") == \
        [b"x", b"1", b"y", b"3", b"z", b"4"]
    assert c.execute_command("ZUNION", 1, "nokey") == []


def test_zinter_keeps_members_present_everywhere(c, c3, enc):
    z(c, "a", ("x", 1), ("y", 2), ("w", 0))
    z(c, "b", ("y", 3), ("z", 4), ("x", 10))
    assert c.execute_command("ZINTER", 2, "a", "b", "WITHSCORES") == \
        [b"y", b"5", b"x", b"11"]
    assert c.execute_command("ZINTER", 2, "a", "b", "WEIGHTS", 1, -1, "AGGREGATE", "MAX",
                             "WITHSCORES") == [b"x", b"1", b"y", b"2"]
    assert c3.execute_command("ZINTER", 2, "a", "b", "AGGREGATE", "MIN", "WITHSCORES") == \
        [[b"x", 1.0], [b"y", 2.0]]
    assert c.execute_command("ZINTER", 3, "a", "b", "nokey") == []


def test_zdiff_keeps_members_only_in_the_first(c, c3, enc):
    z(c, "a", ("x", 1), ("y", 2), ("w", 3))
    z(c, "b", ("y", 3))
    z(c, "c", ("w", 3))
    assert c.execute_command("ZDIFF", 3, "a", "b", "c", "WITHSCORES") == [b"x", b"1"]
    assert c.execute_command("ZDIFF", 2, "a", "nokey") == [b"x", b"y", b"w"]
    assert c.execute_command("ZDIFF", 2, "nokey", "a") == []
    assert c3.execute_command("ZDIFF", 1, "a", "WITHSCORES") == \
        [[b"x", 1.0], [b"y", 2.0], [b"w", 3.0]]


def test_store_variants_write_the_result_and_reply_its_size(c, enc):
    z(c, "a", ("x", 1), ("y", 2))
    z(c, "b", ("y", 3), ("z", 4))
    assert c.execute_command("ZUNIONSTORE", "d", 2, "a", "b", "WEIGHTS", 1, 2) == 3
    assert rng_all(c, "d") == [b"x", b"1", b"y", b"8", b"z", b"8"]
    assert c.execute_command("ZINTERSTORE", "d", 2, "a", "b") == 1
    assert rng_all(c, "d") == [b"y", b"5"]
    assert c.execute_command("ZDIFFSTORE", "d", 2, "a", "b") == 1
    assert rng_all(c, "d") == [b"x", b"1"]
    assert c.execute_command("ZUNIONSTORE", "a", 2, "a", "a") == 2      # dst is a source
    assert rng_all(c, "a") == [b"x", b"2", b"y", b"4"]
    assert c.execute_command("OBJECT", "ENCODING", "a") == enc


def test_store_of_an_empty_result_deletes_the_destination(c, enc):
    z(c, "a", ("x", 1))
    for cmd in ("ZINTERSTORE", "ZUNIONSTORE", "ZDIFFSTORE"):
        c.set("d", "v")
        args = (2, "a", "nokey") if cmd == "ZINTERSTORE" else \
            (1, "nokey") if cmd == "ZUNIONSTORE" else (2, "a", "a")
        assert c.execute_command(cmd, "d", *args) == 0
        assert c.execute_command("EXISTS", "d") == 0


def test_set_algebra_accepts_plain_sets_as_score_one(c, enc):
    c.execute_command("SADD", "s", "x", "y", "5")
    z(c, "a", ("x", 10), ("q", 2))
    assert c.execute_command("ZUNION", 2, "s", "a", "WITHSCORES") == \
        [b"5", b"1", b"y", b"1", b"q", b"2", b"x", b"11"]
    assert c.execute_command("ZINTER", 2, "a", "s", "WEIGHTS", 1, 3, "WITHSCORES") == \
        [b"x", b"13"]
    assert c.execute_command("ZDIFF", 2, "s", "a", "WITHSCORES") == \
        [b"5", b"1", b"y", b"1"]
    assert c.execute_command("ZINTERCARD", 2, "s", "a") == 1
    assert c.execute_command("ZUNIONSTORE", "d", 1, "s") == 3
    assert c.execute_command("TYPE", "d") == b"zset"


def test_set_algebra_turns_nan_into_zero(c, enc):
    z(c, "a", ("x", "inf"), ("y", 1))
    z(c, "b", ("x", "-inf"), ("y", 2))
    assert c.execute_command("ZUNION", 2, "a", "b", "WITHSCORES") == \
        [b"x", b"0", b"y", b"3"]
    assert c.execute_command("ZINTER", 2, "a", "b", "WITHSCORES") == \
        [b"x", b"0", b"y", b"3"]
    assert c.execute_command("ZUNION", 1, "a", "WEIGHTS", 0, "WITHSCORES") == \
        [b"x", b"0", b"y", b"0"]
    assert c.execute_command("ZUNION", 2, "a", "a", "WEIGHTS", "inf", "-inf",
                             "WITHSCORES") == [b"x", b"0", b"y", b"0"]
    assert c.execute_command("ZINTER", 2, "a", "b", "WEIGHTS", 1, "inf", "AGGREGATE",
                             "MAX", "WITHSCORES") == [b"x", b"inf", b"y", b"inf"]


def test_zintercard_counts_and_stops_at_the_limit(c, enc):
    z(c, "a", *ABC)
    z(c, "b", ("a", 9), ("c", 9), ("e", 9), ("z", 1))
    assert c.execute_command("ZINTERCARD", 2, "a", "b") == 3
    assert c.execute_command("ZINTERCARD", 2, "a", "b", "LIMIT", 2) == 2
    assert c.execute_command("ZINTERCARD", 2, "a", "b", "LIMIT", 0) == 3
    assert c.execute_command("ZINTERCARD", 2, "a", "nokey") == 0


def test_set_algebra_errors(c, enc):
    z(c, "k", *ABC)
    for cmd, pre in (("ZUNION", ()), ("ZINTER", ()), ("ZDIFF", ()), ("ZINTERCARD", ()),
                     ("ZUNIONSTORE", ("d",)), ("ZINTERSTORE", ("d",)),
                     ("ZDIFFSTORE", ("d",))):
        for n in (0, -1):
            assert err(c, cmd, *pre, n, "k") == \
                f"at least 1 input key is needed for '{cmd.lower()}' command"
        assert err(c, cmd, *pre, "x", "k") == "value is not an integer or out of range"
        assert err(c, cmd, *pre, 2, "k") == "syntax error"
        assert err(c, cmd, *pre, 1, "k", "FOO") == "syntax error"
    assert err(c, "ZUNION", 1, "k", "WEIGHTS", 1, 2) == "syntax error"
    assert err(c, "ZUNION", 1, "k", "WEIGHTS") == "syntax error"
    assert err(c, "ZUNION", 1, "k", "WEIGHTS", "x") == "weight value is not a float"
    assert err(c, "ZINTER", 1, "k", "WEIGHTS", "nan") == "weight value is not a float"
    assert err(c, "ZUNION", 1, "k", "AGGREGATE", "foo") == "syntax error"
    assert err(c, "ZUNION", 1, "k", "AGGREGATE") == "syntax error"
    assert err(c, "ZDIFF", 1, "k", "WEIGHTS", 2) == "syntax error"
    assert err(c, "ZDIFF", 1, "k", "AGGREGATE", "MAX") == "syntax error"
    assert err(c, "ZUNIONSTORE", "d", 1, "k", "WITHSCORES") == "syntax error"
    assert err(c, "ZINTERCARD", 1, "k", "WITHSCORES") == "syntax error"
    assert err(c, "ZINTERCARD", 1, "k", "WEIGHTS", 1) == "syntax error"
    assert err(c, "ZINTERCARD", 1, "k", "LIMIT", -1) == "LIMIT can't be negative"
    assert err(c, "ZINTERCARD", 1, "k", "LIMIT", "x") == "LIMIT can't be negative"
    c.set("s", "v")
    assert err(c, "ZUNION", 2, "k", "s").startswith("WRONGTYPE")
    assert err(c, "ZINTERSTORE", "d", 1, "s").startswith("WRONGTYPE")
    # the inputs are looked up before the options are parsed
    assert err(c, "ZUNION", 1, "s", "FOO").startswith("WRONGTYPE")


# ---------------------------------------------------------------- ZRANDMEMBER
def test_zrandmember_single_and_counts(c, enc):
    z(c, "k", *ABC)
    members = {m.encode() for m, _ in ABC}
    assert c.execute_command("ZRANDMEMBER", "k") in members
    assert c.execute_command("ZRANDMEMBER", "nokey") is None
    assert c.execute_command("ZRANDMEMBER", "nokey", 3) == []
    got = c.execute_command("ZRANDMEMBER", "k", 3)
    assert len(got) == 3 and len(set(got)) == 3 and set(got) <= members
    # the whole set, walked from the top as Redis's set-operation iterator does
    assert c.execute_command("ZRANDMEMBER", "k", 10) == [b"e", b"d", b"c", b"b", b"a"]
    assert c.execute_command("ZRANDMEMBER", "k", 0) == []
    rep = c.execute_command("ZRANDMEMBER", "k", -20)
    assert len(rep) == 20 and set(rep) <= members


def test_zrandmember_withscores(c, c3, enc):
    z(c, "k", *ABC)
    flat = c.execute_command("ZRANDMEMBER", "k", 2, "WITHSCORES")
    assert len(flat) == 4
    for m, s in zip(flat[::2], flat[1::2]):
        assert dict((k.encode(), str(v).encode()) for k, v in ABC)[m] == s
    pairs = c3.execute_command("ZRANDMEMBER", "k", -7, "WITHSCORES")
    assert len(pairs) == 7
    assert all(float(dict(ABC)[m.decode()]) == s for m, s in pairs)
    assert c3.execute_command("ZRANDMEMBER", "k", 1, "WITHSCORES")[0][0] in \
        {m.encode() for m, _ in ABC}


def test_zrandmember_errors(c, enc):
    z(c, "k", *ABC)
    assert err(c, "ZRANDMEMBER", "k", "x") == "value is not an integer or out of range"
    assert err(c, "ZRANDMEMBER", "k", 1, "foo") == "syntax error"
    assert err(c, "ZRANDMEMBER", "k", 1, "WITHSCORES", "foo") == "syntax error"
    assert err(c, "ZRANDMEMBER", "k", "-9223372036854775808") == \
        "value is out of range, value must between -9223372036854775807 and " \
        "9223372036854775807"
    for n in ("-9223372036854775807", "9223372036854775807", "4611686018427387904"):
        assert err(c, "ZRANDMEMBER", "k", n, "WITHSCORES") == "value is out of range"
    c.set("s", "v")
    assert err(c, "ZRANDMEMBER", "s").startswith("WRONGTYPE")


# ---------------------------------------------------------------- ZSCAN
def test_zscan_returns_every_member_with_its_score(c, enc):
    pairs = [("m%d" % i, i) for i in range(300)] if enc == b"skiplist" else ABC
    z(c, "k", *pairs)
    seen, cursor = {}, b"0"
    while True:
        cursor, items = c.execute_command("ZSCAN", "k", cursor, "COUNT", 20)
        seen.update(zip(items[::2], items[1::2]))
        if cursor == b"0":
            break
    assert seen == {m.encode(): str(s).encode() for m, s in pairs}


def test_zscan_match_and_errors(c, enc):
    z(c, "k", ("apple", 1), ("banana", 2), ("avocado", 3))
    cursor, items = c.execute_command("ZSCAN", "k", 0, "MATCH", "a*", "COUNT", 100)
    assert cursor == b"0"
    assert dict(zip(items[::2], items[1::2])) == {b"apple": b"1", b"avocado": b"3"}
    assert c.execute_command("ZSCAN", "nokey", 0) == [b"0", []]
    assert c.execute_command("ZSCAN", "nokey", 0, "FOO") == [b"0", []]
    assert err(c, "ZSCAN", "k", "x") == "invalid cursor"
    assert err(c, "ZSCAN", "k", "18446744073709551616") == "invalid cursor"
    assert err(c, "ZSCAN", "k", 0, "COUNT", 0) == "syntax error"
    assert err(c, "ZSCAN", "k", 0, "COUNT", "x") == "value is not an integer or out of range"
    assert err(c, "ZSCAN", "k", 0, "MATCH") == "syntax error"
    assert err(c, "ZSCAN", "k", 0, "TYPE", "zset") == "syntax error"
    c.set("s", "v")
    assert err(c, "ZSCAN", "s", 0).startswith("WRONGTYPE")


def test_zscan_prints_scores_as_each_encoding_stores_them(c, enc):
    c.execute_command("ZADD", "k", "1e18", "a", "0.1", "b", "-0", "c",
                      "9223372036854775807", "d", "inf", "e")
    cursor, items = c.execute_command("ZSCAN", "k", 0, "COUNT", 100)
    got = dict(zip(items[::2], items[1::2]))
    if enc == b"listpack":     # integral scores within +-2^62 are kept as integers
        assert got == {b"a": b"1000000000000000000", b"b": b"0.10000000000000001",
                       b"c": b"0", b"d": b"9.2233720368547758e+18", b"e": b"inf"}
    else:
        assert got == {b"a": b"1e+18", b"b": b"0.10000000000000001", b"c": b"-0",
                       b"d": b"9.2233720368547758e+18", b"e": b"inf"}


# ---------------------------------------------------------------- encodings
def test_a_small_zset_is_a_listpack_until_a_threshold_then_a_skiplist_for_good(c):
    c.execute_command("CONFIG", "SET", "zset-max-listpack-entries", "3")
    try:
        z(c, "k", ("a", 1), ("b", 2), ("c", 3))
        assert c.execute_command("OBJECT", "ENCODING", "k") == b"listpack"
        z(c, "k", ("d", 4))
        assert c.execute_command("OBJECT", "ENCODING", "k") == b"skiplist"
        c.execute_command("ZREM", "k", "a", "b", "c")
        assert c.execute_command("OBJECT", "ENCODING", "k") == b"skiplist"
        # duplicates in one ZADD do not count: only the first member decides creation
        c.execute_command("ZADD", "dup", 1, "a", 1, "a", 1, "a", 1, "a")
        assert c.execute_command("OBJECT", "ENCODING", "dup") == b"listpack"
        z(c, "long", ("x" * 64, 1))
        assert c.execute_command("OBJECT", "ENCODING", "long") == b"listpack"
        z(c, "long", ("y" * 65, 1))
        assert c.execute_command("OBJECT", "ENCODING", "long") == b"skiplist"
        z(c, "long2", ("y" * 65, 1))
        assert c.execute_command("OBJECT", "ENCODING", "long2") == b"skiplist"
    finally:
        c.execute_command("CONFIG", "SET", "zset-max-listpack-entries", "128")


def test_store_results_get_the_encoding_that_fits(c):
    c.execute_command("CONFIG", "SET", "zset-max-listpack-entries", "0")
    try:
        z(c, "big", ("a", 1), ("b", 2))
        assert c.execute_command("OBJECT", "ENCODING", "big") == b"skiplist"
    finally:
        c.execute_command("CONFIG", "SET", "zset-max-listpack-entries", "2")
    try:
        c.execute_command("ZUNIONSTORE", "u", 1, "big")
        assert c.execute_command("OBJECT", "ENCODING", "u") == b"listpack"
        c.execute_command("ZRANGESTORE", "r", "big", 0, -1)
        assert c.execute_command("OBJECT", "ENCODING", "r") == b"listpack"
        z(c, "big", ("c", 3))
        c.execute_command("ZUNIONSTORE", "u", 1, "big")
        assert c.execute_command("OBJECT", "ENCODING", "u") == b"skiplist"
        c.execute_command("ZRANGESTORE", "r", "big", "-inf", "inf", "BYSCORE")
        assert c.execute_command("OBJECT", "ENCODING", "r") == b"skiplist"
        c.execute_command("ZINTERSTORE", "i", 1, "big")
        assert c.execute_command("OBJECT", "ENCODING", "i") == b"skiplist"
    finally:
        c.execute_command("CONFIG", "SET", "zset-max-listpack-entries", "128")


def test_a_large_zset_matches_a_model(c, enc):
    rng = random.Random(42)
    model = {}
    for chunk in range(6):
        args = []
        for _ in range(500):
            m = "m%d" % rng.randrange(2000)
            s = rng.randrange(-300, 300) / 4
            model[m] = s
            args += [s, m]
        c.execute_command("ZADD", "k", *args)
    order = sorted(model, key=lambda m: (model[m], m.encode()))
    assert c.execute_command("ZCARD", "k") == len(model)
    assert c.execute_command("ZRANGE", "k", 0, -1) == [m.encode() for m in order]
    for m in rng.sample(order, 20):
        assert c.execute_command("ZRANK", "k", m) == order.index(m)
    assert c.execute_command("ZCOUNT", "k", -10, "(10") == \
        sum(1 for s in model.values() if -10 <= s < 10)
    got = c.execute_command("ZRANGEBYSCORE", "k", "(0", 5, "LIMIT", 3, 7)
    assert got == [m.encode() for m in order if 0 < model[m] <= 5][3:10]
    removed = c.execute_command("ZREMRANGEBYRANK", "k", 100, 900)
    assert removed == 801
    del order[100:901]
    assert c.execute_command("ZRANGE", "k", 95, 105) == [m.encode() for m in order[95:106]]
    assert c.execute_command("ZREVRANK", "k", order[0]) == len(order) - 1


# ---------------------------------------------------------------- wrong type, arity
@pytest.mark.parametrize("args", [
    ("ZCARD", "s"), ("ZSCORE", "s", "a"), ("ZMSCORE", "s", "a"), ("ZRANK", "s", "a"),
    ("ZREVRANK", "s", "a"), ("ZCOUNT", "s", 0, 1), ("ZLEXCOUNT", "s", "-", "+"),
    ("ZRANGE", "s", 0, -1), ("ZREVRANGE", "s", 0, -1), ("ZRANGEBYSCORE", "s", 0, 1),
    ("ZREVRANGEBYSCORE", "s", 1, 0), ("ZRANGEBYLEX", "s", "-", "+"),
    ("ZREVRANGEBYLEX", "s", "+", "-"), ("ZREM", "s", "a"), ("ZREMRANGEBYRANK", "s", 0, 1),
    ("ZREMRANGEBYSCORE", "s", 0, 1), ("ZREMRANGEBYLEX", "s", "-", "+"), ("ZPOPMAX", "s"),
    ("ZRANDMEMBER", "s", 2), ("ZDIFF", 1, "s"), ("ZINTERCARD", 1, "s"),
    ("ZDIFFSTORE", "d", 1, "s"), ("ZUNIONSTORE", "d", 1, "s"), ("BZPOPMAX", "s", 0),
    ("ZINCRBY", "s", 1, "a"), ("ZADD", "s", "NX", 1, "a")])
def test_every_command_is_wrongtype_on_a_string(c, args):
    c.set("s", "v")
    assert err(c, *args) == \
        "WRONGTYPE Operation against a key holding the wrong kind of value"


@pytest.mark.parametrize("args", [
    ("ZCARD",), ("ZSCORE", "k"), ("ZCOUNT", "k", 0), ("ZINCRBY", "k", 1),
    ("ZREMRANGEBYRANK", "k", 0), ("ZUNIONSTORE", "d", 1), ("ZINTER", 1),
    ("ZMPOP", 1, "k"), ("BZMPOP", 0, 1, "k"), ("ZRANDMEMBER",), ("ZSCAN", "k"),
    ("ZPOPMIN",), ("ZREM", "k"), ("ZREVRANGEBYLEX", "k", "+")])
def test_arity_errors_name_the_command(c, args):
    assert err(c, *args) == \
        f"wrong number of arguments for '{args[0].lower()}' command"


# ---------------------------------------------------------------- notifications
def _events(c, server, actions):
    """Run ``actions`` with keyspace events on; return the (event, key) pairs seen."""
    c.execute_command("CONFIG", "SET", "notify-keyspace-events", "KEA")
    sub = server.client()
    ps = sub.pubsub()
    try:
        ps.psubscribe("__keyevent@0__:*")
        ps.subscribe("zset-test-done")
        for _ in range(2):
            ps.get_message(timeout=1)
        actions()
        c.execute_command("PUBLISH", "zset-test-done", "x")
        out = []
        while True:
            msg = ps.get_message(timeout=2)
            assert msg is not None
            if msg["channel"] == b"zset-test-done":
                return out
            if msg["type"] == "pmessage":
                out.append((msg["channel"].split(b":", 1)[1], msg["data"]))
    finally:
        c.execute_command("CONFIG", "SET", "notify-keyspace-events", "")
        ps.close()
        sub.close()


def test_keyspace_events_of_every_write(c, server, enc):
    def actions():
        c.execute_command("ZADD", "k", 1, "a", 2, "b", 3, "c", 4, "d", 5, "e")
        c.execute_command("ZADD", "k", 1, "a")               # no change: no event
        c.execute_command("ZINCRBY", "k", 1, "a")
        c.execute_command("ZADD", "k", "INCR", 1, "a")
        c.execute_command("ZREM", "k", "nope")
        c.execute_command("ZREM", "k", "a")
        c.execute_command("ZREMRANGEBYSCORE", "k", 2, 2)
        c.execute_command("ZREMRANGEBYRANK", "k", 0, 0)
        c.execute_command("ZREMRANGEBYLEX", "k", "[z", "+")   # nothing removed
        c.execute_command("ZADD", "l", 0, "x", 0, "y")
        c.execute_command("ZREMRANGEBYLEX", "l", "[x", "[x")
        c.execute_command("ZUNIONSTORE", "u", 1, "k")
        c.execute_command("ZINTERSTORE", "i", 1, "k")
        c.execute_command("ZDIFFSTORE", "df", 1, "k")
        c.execute_command("ZRANGESTORE", "r", "k", 0, 0)
        c.execute_command("ZINTERSTORE", "i", 1, "nokey")     # empty: deletes i
        c.execute_command("ZPOPMIN", "k")
        c.execute_command("ZPOPMAX", "k", 5)
        c.execute_command("ZMPOP", 1, "u", "MIN", "COUNT", 10)
        c.execute_command("BZPOPMIN", "r", 0)
    assert _events(c, server, actions) == [
        (b"zadd", b"k"), (b"zincr", b"k"), (b"zincr", b"k"), (b"zrem", b"k"),
        (b"zremrangebyscore", b"k"), (b"zremrangebyrank", b"k"), (b"zadd", b"l"),
        (b"zremrangebylex", b"l"), (b"zunionstore", b"u"), (b"zinterstore", b"i"),
        (b"zdiffstore", b"df"), (b"zrangestore", b"r"), (b"del", b"i"),
        (b"zpopmin", b"k"), (b"zpopmax", b"k"), (b"del", b"k"), (b"zpopmin", b"u"),
        (b"del", b"u"), (b"zpopmin", b"r"), (b"del", b"r")]
