"""Sets as Redis 7.0 keeps them: intset while small and integer-only, else hashtable
(7.0 has no listpack sets; they arrived in 7.2).

Most sentences run under both encodings (``enc``: the default thresholds, or
set-max-intset-entries 0 so that every set is a hashtable), against both servers.
Replies are compared raw; an intset replies in ascending order, a hashtable in an
unspecified one (compared sorted).
"""
import time

import pytest
import redis

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"


@pytest.fixture
def c(r):
    """The client under test, replying with the raw RESP values."""
    r.response_callbacks.clear()
    return r


@pytest.fixture(params=["intset", "hashtable"])
def enc(request, c):
    """The encoding an integer-only set of the test gets; restored after."""
    if request.param == "hashtable":
        c.execute_command("CONFIG", "SET", "set-max-intset-entries", "0")
    yield request.param.encode()
    c.execute_command("CONFIG", "SET", "set-max-intset-entries", "512")


def err(c, *args) -> str:
    with pytest.raises(redis.ResponseError) as e:
        c.execute_command(*args)
    return str(e.value)


def ints(*xs):
    return [b"%d" % x for x in xs]


def smembers(c, key) -> list:
    return sorted(c.execute_command("SMEMBERS", key))


# ---------------------------------------------------------------- membership
def test_sadd_adds_and_counts_only_new_members(c, enc):
    assert c.execute_command("SADD", "s", "1", "2", "3") == 3
    assert c.execute_command("SADD", "s", "3", "4", "4") == 1
    assert c.execute_command("SCARD", "s") == 4
    assert c.execute_command("OBJECT", "ENCODING", "s") == enc
    assert c.execute_command("SADD", "t", "a", "b", "a") == 2
    assert c.execute_command("OBJECT", "ENCODING", "t") == b"hashtable"


def test_sismember_and_smismember(c, enc):
    c.execute_command("SADD", "s", "1", "2", "x")
    assert c.execute_command("SISMEMBER", "s", "1") == 1
    assert c.execute_command("SISMEMBER", "s", "x") == 1
    assert c.execute_command("SISMEMBER", "s", "3") == 0
    assert c.execute_command("SISMEMBER", "nokey", "1") == 0
    assert c.execute_command("SMISMEMBER", "s", "1", "3", "x") == [1, 0, 1]
    assert c.execute_command("SMISMEMBER", "nokey", "1", "2") == [0, 0]
    c.execute_command("SADD", "i", "1", "2")
    assert c.execute_command("SISMEMBER", "i", "01") == 0
    assert c.execute_command("SISMEMBER", "i", "a") == 0


def test_smembers_and_scard(c, enc):
    c.execute_command("SADD", "s", "a", "b", "c")
    assert smembers(c, "s") == [b"a", b"b", b"c"]
    assert c.execute_command("SCARD", "s") == 3
    assert c.execute_command("SMEMBERS", "nokey") == []
    assert c.execute_command("SCARD", "nokey") == 0


def test_an_intset_replies_in_ascending_numeric_order(c):
    c.execute_command("SADD", "s", "5", "-1", "100", "3", "-20", "9223372036854775807")
    expect = ints(-20, -1, 3, 5, 100, 9223372036854775807)
    assert c.execute_command("SMEMBERS", "s") == expect
    assert c.execute_command("SRANDMEMBER", "s", 100) == expect
    assert c.execute_command("SSCAN", "s", "0") == [b"0", expect]
    assert c.execute_command("SINTER", "s") == expect
    assert c.execute_command("SUNION", "s", "nokey") == expect
    assert c.execute_command("SDIFF", "s", "nokey") == expect


def test_smembers_is_a_set_in_resp3(raw):
    conn = raw()
    conn.request(b"HELLO 3\r\n", b"%7\r\n")
    conn.recv(1000, timeout=0.2)
    expect = b":3\r\n~3\r\n$1\r\n1\r\n$1\r\n2\r\n$2\r\n10\r\n~0\r\n"
    assert conn.request(b"SADD s 10 2 1\r\nSMEMBERS s\r\nSMEMBERS nokey\r\n", expect) == expect


def test_set_algebra_replies_are_sets_in_resp3(raw):
    conn = raw()
    conn.request(b"HELLO 3\r\n", b"%7\r\n")
    conn.recv(1000, timeout=0.2)
    both = b"~2\r\n$1\r\n1\r\n$1\r\n3\r\n"
    expect = b":2\r\n" + both * 3 + b"~0\r\n*2\r\n:1\r\n:0\r\n"
    got = conn.request(b"SADD s 3 1\r\nSUNION s nokey\r\nSINTER s s\r\nSDIFF s nokey\r\n"
                       b"SINTER s nokey\r\nSMISMEMBER s 1 2\r\n", expect)
    assert got == expect


def test_srem_removes_members_and_an_emptied_set_is_deleted(c, enc):
    c.execute_command("SADD", "s", "1", "2", "3", "a")
    assert c.execute_command("SREM", "s", "1", "x") == 1
    assert c.execute_command("SREM", "s", "2", "2", "3") == 2
    assert smembers(c, "s") == [b"a"]
    assert c.execute_command("SREM", "s", "a", "b") == 1
    assert c.execute_command("EXISTS", "s") == 0
    assert c.execute_command("SREM", "s", "a") == 0


# ---------------------------------------------------------------- SMOVE
def test_smove_moves_a_member_between_sets(c, enc):
    c.execute_command("SADD", "src", "1", "2")
    c.execute_command("SADD", "dst", "3")
    assert c.execute_command("SMOVE", "src", "dst", "1") == 1
    assert smembers(c, "src") == [b"2"]
    assert smembers(c, "dst") == [b"1", b"3"]
    assert c.execute_command("SMOVE", "src", "dst", "9") == 0
    assert c.execute_command("SMOVE", "src", "new", "2") == 1
    assert c.execute_command("EXISTS", "src") == 0
    assert smembers(c, "new") == [b"2"]
    assert c.execute_command("OBJECT", "ENCODING", "new") == enc
    assert c.execute_command("SMOVE", "nokey", "dst", "1") == 0


def test_smove_of_a_member_already_in_the_destination_only_removes_it(c, enc):
    c.execute_command("SADD", "src", "1", "2")
    c.execute_command("SADD", "dst", "1")
    assert c.execute_command("SMOVE", "src", "dst", "1") == 1
    assert smembers(c, "src") == [b"2"]
    assert smembers(c, "dst") == [b"1"]


def test_smove_within_one_set_only_checks_membership(c, enc):
    c.execute_command("SADD", "s", "1")
    assert c.execute_command("SMOVE", "s", "s", "1") == 1
    assert c.execute_command("SMOVE", "s", "s", "2") == 0
    assert smembers(c, "s") == [b"1"]


def test_smove_type_checks(c):
    c.execute_command("SADD", "s", "1")
    c.execute_command("SET", "str", "x")
    assert err(c, "SMOVE", "str", "s", "1") == WRONGTYPE
    assert err(c, "SMOVE", "s", "str", "1") == WRONGTYPE
    assert err(c, "SMOVE", "s", "str", "nomember") == WRONGTYPE
    assert c.execute_command("SMOVE", "nokey", "str", "1") == 0
    assert smembers(c, "s") == [b"1"]


def test_smove_into_a_set_converts_it_as_sadd_would(c):
    c.execute_command("SADD", "src", "a", "1")
    c.execute_command("SADD", "dst", "2")
    c.execute_command("SMOVE", "src", "dst", "a")
    assert c.execute_command("OBJECT", "ENCODING", "dst") == b"hashtable"
    c.execute_command("SMOVE", "src", "fresh", "1")
    assert c.execute_command("OBJECT", "ENCODING", "fresh") == b"intset"


# ---------------------------------------------------------------- SPOP
def test_spop_removes_and_returns_a_random_member(c, enc):
    c.execute_command("SADD", "s", "1", "2", "3")
    seen = {c.execute_command("SPOP", "s") for _ in range(3)}
    assert seen == {b"1", b"2", b"3"}
    assert c.execute_command("EXISTS", "s") == 0
    assert c.execute_command("SPOP", "s") is None


def test_spop_with_count_removes_that_many_distinct_members(c, enc):
    members = ints(*range(50))
    c.execute_command("SADD", "s", *members)
    for n in (1, 3, 10):                         # few: picked one by one
        got = c.execute_command("SPOP", "s", n)
        assert len(got) == n and len(set(got)) == n and set(got) <= set(members)
        assert not set(got) & set(smembers(c, "s"))
    left = c.execute_command("SCARD", "s")
    got = c.execute_command("SPOP", "s", left - 2)  # many: the rest is rebuilt
    assert len(set(got)) == left - 2
    assert c.execute_command("SCARD", "s") == 2
    rest = smembers(c, "s")
    assert sorted(c.execute_command("SPOP", "s", 100)) == rest
    assert c.execute_command("EXISTS", "s") == 0


def test_spop_count_zero_or_missing_key_is_an_empty_set(c, enc):
    c.execute_command("SADD", "s", "1")
    assert c.execute_command("SPOP", "s", 0) == []
    assert c.execute_command("SPOP", "nokey", 5) == []
    assert smembers(c, "s") == [b"1"]


def test_spop_errors(c):
    c.execute_command("SADD", "s", "1")
    assert err(c, "SPOP", "s", "-1") == "value is out of range, must be positive"
    assert err(c, "SPOP", "s", "x") == "value is out of range, must be positive"
    assert err(c, "SPOP", "s", "9223372036854775808") == \
        "value is out of range, must be positive"
    assert err(c, "SPOP", "s", "1", "2") == "syntax error"
    assert err(c, "SPOP", "nokey", "-1") == "value is out of range, must be positive"
    assert smembers(c, "s") == [b"1"]


def test_spop_close_to_the_size_rebuilds_the_rest_with_a_fresh_encoding(c):
    c.execute_command("CONFIG", "SET", "set-max-intset-entries", "5")
    try:
        c.execute_command("SADD", "s", *ints(*range(10)))
        assert c.execute_command("OBJECT", "ENCODING", "s") == b"hashtable"
        c.execute_command("SPOP", "s", 9)
        assert c.execute_command("OBJECT", "ENCODING", "s") == b"intset"
        c.execute_command("SADD", "t", *ints(*range(10)))
        c.execute_command("SPOP", "t", 8)            # 2 left: popped one by one
        assert c.execute_command("OBJECT", "ENCODING", "t") == b"hashtable"
    finally:
        c.execute_command("CONFIG", "SET", "set-max-intset-entries", "512")


def test_spop_with_count_replies_with_a_set_in_resp3(raw):
    conn = raw()
    conn.request(b"HELLO 3\r\n", b"%7\r\n")
    conn.recv(1000, timeout=0.2)
    expect = b":1\r\n~1\r\n$1\r\n7\r\n~0\r\n~0\r\n"
    assert conn.request(b"SADD s 7\r\nSPOP s 5\r\nSPOP s 5\r\nSPOP s 0\r\n", expect) == expect


# ---------------------------------------------------------------- SRANDMEMBER
def test_srandmember_without_count_returns_one_member(c, enc):
    c.execute_command("SADD", "s", "1", "2", "3")
    for _ in range(20):
        assert c.execute_command("SRANDMEMBER", "s") in (b"1", b"2", b"3")
    assert c.execute_command("SCARD", "s") == 3
    assert c.execute_command("SRANDMEMBER", "nokey") is None


def test_srandmember_positive_count_returns_distinct_members(c, enc):
    members = ints(*range(40))
    c.execute_command("SADD", "s", *members)
    for n in (1, 2, 5, 13, 14, 39):
        got = c.execute_command("SRANDMEMBER", "s", n)
        assert len(got) == n and len(set(got)) == n and set(got) <= set(members)
    assert sorted(c.execute_command("SRANDMEMBER", "s", 40), key=int) == members
    assert sorted(c.execute_command("SRANDMEMBER", "s", 1000), key=int) == members
    assert c.execute_command("SCARD", "s") == 40


def test_srandmember_negative_count_may_repeat_members(c, enc):
    c.execute_command("SADD", "s", "1", "2")
    got = c.execute_command("SRANDMEMBER", "s", -1000)
    assert len(got) == 1000 and set(got) == {b"1", b"2"}


def test_srandmember_zero_count_or_missing_key_is_an_empty_array(c, enc):
    c.execute_command("SADD", "s", "1")
    assert c.execute_command("SRANDMEMBER", "s", 0) == []
    assert c.execute_command("SRANDMEMBER", "nokey", 3) == []
    assert c.execute_command("SRANDMEMBER", "nokey", -3) == []


def test_srandmember_errors(c):
    c.execute_command("SADD", "s", "1")
    assert err(c, "SRANDMEMBER", "s", "x") == "value is not an integer or out of range"
    assert err(c, "SRANDMEMBER", "s", "1", "2") == "syntax error"
    assert err(c, "SRANDMEMBER", "s", "-9223372036854775808") == \
        "value is out of range, value must between -9223372036854775807 and " \
        "9223372036854775807"
    assert err(c, "SRANDMEMBER", "nokey", "x") == "value is not an integer or out of range"


def test_srandmember_with_count_is_an_array_even_in_resp3(raw):
    conn = raw()
    conn.request(b"HELLO 3\r\n", b"%7\r\n")
    conn.recv(1000, timeout=0.2)
    expect = b":1\r\n*1\r\n$1\r\n7\r\n*2\r\n$1\r\n7\r\n$1\r\n7\r\n*0\r\n"
    got = conn.request(b"SADD s 7\r\nSRANDMEMBER s 5\r\nSRANDMEMBER s -2\r\n"
                       b"SRANDMEMBER nokey 2\r\n", expect)
    assert got == expect


@pytest.mark.ours_only("Redis 7.0 builds any negative count (a multi-GB reply for -10^9)")
def test_srandmember_huge_negative_count_is_refused_quickly(c):
    c.execute_command("SADD", "s", "a", "b")
    t = time.monotonic()
    assert err(c, "SRANDMEMBER", "s", "-1000000000") == \
        "value is out of range, value must between -4194304 and 9223372036854775807"
    assert err(c, "SRANDMEMBER", "s", "-9223372036854775807") == \
        "value is out of range, value must between -4194304 and 9223372036854775807"
    assert time.monotonic() - t < 1
    assert c.execute_command("SRANDMEMBER", "nokey", "-1000000000") == []
    assert len(c.execute_command("SRANDMEMBER", "s", "-100000")) == 100000


# ---------------------------------------------------------------- intersection
def test_sinter_intersects_all_sets(c, enc):
    c.execute_command("SADD", "a", "1", "2", "3", "4", "x")
    c.execute_command("SADD", "b", "2", "3", "4", "x")
    c.execute_command("SADD", "d", "3", "4", "x", "y")
    assert sorted(c.execute_command("SINTER", "a", "b", "d")) == [b"3", b"4", b"x"]
    assert smembers(c, "a") == sorted([b"1", b"2", b"3", b"4", b"x"])
    assert sorted(c.execute_command("SINTER", "a", "a")) == sorted([b"1", b"2", b"3", b"4",
                                                                    b"x"])
    assert c.execute_command("SINTER", "a", "nokey") == []


def test_sinter_checks_every_key_type_even_after_a_missing_key(c):
    c.execute_command("SADD", "a", "1")
    c.execute_command("SET", "str", "x")
    assert err(c, "SINTER", "nokey", "str") == WRONGTYPE
    assert err(c, "SINTERSTORE", "dst", "nokey", "str") == WRONGTYPE
    assert err(c, "SINTERCARD", "2", "nokey", "str") == WRONGTYPE
    assert err(c, "SUNION", "a", "str") == WRONGTYPE
    assert err(c, "SDIFF", "nokey", "str") == WRONGTYPE
    assert c.execute_command("EXISTS", "dst") == 0


def test_sinterstore_stores_the_intersection(c, enc):
    c.execute_command("SADD", "a", "1", "2", "3")
    c.execute_command("SADD", "b", "2", "3", "4")
    c.execute_command("SET", "dst", "old")
    c.execute_command("EXPIRE", "dst", "100")
    assert c.execute_command("SINTERSTORE", "dst", "a", "b") == 2
    assert smembers(c, "dst") == [b"2", b"3"]
    assert c.execute_command("TTL", "dst") == -1
    assert c.execute_command("OBJECT", "ENCODING", "dst") == enc
    assert c.execute_command("SINTERSTORE", "dst", "a", "nokey") == 0
    assert c.execute_command("EXISTS", "dst") == 0
    assert c.execute_command("SINTERSTORE", "dst", "a", "nokey") == 0


def test_sintercard_counts_the_intersection_up_to_a_limit(c, enc):
    c.execute_command("SADD", "a", *ints(*range(20)))
    c.execute_command("SADD", "b", *ints(*range(10, 30)))
    assert c.execute_command("SINTERCARD", "2", "a", "b") == 10
    assert c.execute_command("SINTERCARD", "2", "a", "b", "LIMIT", "0") == 10
    assert c.execute_command("SINTERCARD", "2", "a", "b", "LIMIT", "3") == 3
    assert c.execute_command("SINTERCARD", "2", "a", "b", "limit", "100") == 10
    assert c.execute_command("SINTERCARD", "1", "a") == 20
    assert c.execute_command("SINTERCARD", "1", "a", "LIMIT", "5") == 5
    assert c.execute_command("SINTERCARD", "2", "a", "nokey") == 0


def test_sintercard_errors(c):
    c.execute_command("SADD", "a", "1")
    assert err(c, "SINTERCARD", "0", "a") == "numkeys should be greater than 0"
    assert err(c, "SINTERCARD", "-1", "a") == "numkeys should be greater than 0"
    assert err(c, "SINTERCARD", "x", "a") == "numkeys should be greater than 0"
    assert err(c, "SINTERCARD", "2", "a") == "Number of keys can't be greater than number of args"
    assert err(c, "SINTERCARD", "1", "a", "LIMIT") == "syntax error"
    assert err(c, "SINTERCARD", "1", "a", "LIMIT", "-1") == "LIMIT can't be negative"
    assert err(c, "SINTERCARD", "1", "a", "LIMIT", "x") == "LIMIT can't be negative"
    assert err(c, "SINTERCARD", "1", "a", "FOO", "1") == "syntax error"


# ---------------------------------------------------------------- union and difference
def test_sunion_and_sunionstore(c, enc):
    c.execute_command("SADD", "a", "1", "2")
    c.execute_command("SADD", "b", "2", "3")
    assert sorted(c.execute_command("SUNION", "a", "b", "nokey")) == [b"1", b"2", b"3"]
    assert c.execute_command("SUNION", "nokey") == []
    assert c.execute_command("SUNIONSTORE", "dst", "a", "b") == 3
    assert smembers(c, "dst") == [b"1", b"2", b"3"]
    assert c.execute_command("OBJECT", "ENCODING", "dst") == enc
    assert c.execute_command("SUNIONSTORE", "dst", "nokey") == 0
    assert c.execute_command("EXISTS", "dst") == 0


def test_sdiff_and_sdiffstore(c, enc):
    c.execute_command("SADD", "a", "1", "2", "3", "4")
    c.execute_command("SADD", "b", "2")
    c.execute_command("SADD", "d", "4", "5")
    assert sorted(c.execute_command("SDIFF", "a", "b", "d", "nokey")) == [b"1", b"3"]
    assert sorted(c.execute_command("SDIFF", "a")) == [b"1", b"2", b"3", b"4"]
    assert c.execute_command("SDIFF", "nokey", "a") == []
    assert c.execute_command("SDIFF", "a", "b", "a") == []
    assert c.execute_command("SDIFFSTORE", "dst", "a", "b", "d") == 2
    assert smembers(c, "dst") == [b"1", b"3"]
    assert c.execute_command("OBJECT", "ENCODING", "dst") == enc
    assert c.execute_command("SDIFFSTORE", "dst", "a", "a") == 0
    assert c.execute_command("EXISTS", "dst") == 0


def test_store_results_get_the_encoding_of_a_fresh_set(c):
    c.execute_command("SADD", "a", "a", "1", "2")
    c.execute_command("SADD", "b", "a", "b")
    c.execute_command("SINTERSTORE", "i", "a", "b")
    assert c.execute_command("OBJECT", "ENCODING", "i") == b"hashtable"
    c.execute_command("SDIFFSTORE", "d", "a", "b")           # only 1 and 2 are added
    assert c.execute_command("OBJECT", "ENCODING", "d") == b"intset"
    c.execute_command("SREM", "a", "a")                       # a hashtable of integers
    c.execute_command("SUNIONSTORE", "u", "a")
    assert c.execute_command("OBJECT", "ENCODING", "a") == b"hashtable"
    assert c.execute_command("OBJECT", "ENCODING", "u") == b"intset"
    # many small sets to subtract: Redis copies the first set whole, then removes
    c.execute_command("SADD", "big", "a", *ints(*range(6)))
    for k in ("x", "y", "z"):
        c.execute_command("SADD", k, "a")
    c.execute_command("SDIFFSTORE", "d2", "big", "x", "y", "z")
    assert smembers(c, "d2") == sorted(ints(*range(6)))
    assert c.execute_command("OBJECT", "ENCODING", "d2") == b"hashtable"


def test_store_commands_overwrite_a_key_of_another_type(c):
    c.execute_command("SADD", "a", "1")
    for cmd in ("SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"):
        c.execute_command("SET", "dst", "x")
        assert c.execute_command(cmd, "dst", "a") == 1
        assert c.execute_command("TYPE", "dst") == b"set"


# ---------------------------------------------------------------- SSCAN
def scan_all(c, key, *opts, count=None):
    cursor, seen, calls = b"0", [], 0
    while True:
        args = ["SSCAN", key, cursor, *opts] + (["COUNT", count] if count else [])
        cursor, items = c.execute_command(*args)
        seen += items
        calls += 1
        if cursor == b"0":
            return seen, calls


def test_sscan_returns_every_member(c, enc):
    members = ints(*range(300))
    c.execute_command("SADD", "s", *members)
    seen, calls = scan_all(c, "s", count=9)
    assert sorted(set(seen), key=int) == members
    if enc == b"intset":
        assert calls == 1 and seen == members       # an intset comes back whole
    else:
        assert calls > 1


def test_sscan_match_filters_members(c, enc):
    c.execute_command("SADD", "s", "10", "11", "20", "110")
    seen, _ = scan_all(c, "s", "MATCH", "1?", count=100)
    assert sorted(seen) == [b"10", b"11"]
    c.execute_command("SADD", "t", "foo", "bar", "fob")
    seen, _ = scan_all(c, "t", "MATCH", "fo*")
    assert sorted(seen) == [b"fob", b"foo"]


def test_sscan_a_member_present_throughout_is_returned_despite_writes(c):
    c.execute_command("SADD", "s", *[b"m%d" % i for i in range(200)])
    cursor, seen = b"0", set()
    while True:
        cursor, items = c.execute_command("SSCAN", "s", cursor, "COUNT", 10)
        seen.update(items)
        c.execute_command("SADD", "s", b"new%d" % len(seen))
        c.execute_command("SREM", "s", b"m%d" % (199 - len(seen) // 10))
        if cursor == b"0":
            break
    kept = set(c.execute_command("SMEMBERS", "s"))
    assert {m for m in kept if m.startswith(b"m")} <= seen


def test_sscan_errors(c):
    c.execute_command("SADD", "s", "1")
    assert err(c, "SSCAN", "s", "x") == "invalid cursor"
    assert err(c, "SSCAN", "nokey", "x") == "invalid cursor"
    assert err(c, "SSCAN", "s", "0", "COUNT", "0") == "syntax error"
    assert err(c, "SSCAN", "s", "0", "COUNT", "-5") == "syntax error"
    assert err(c, "SSCAN", "s", "0", "COUNT", "x") == "value is not an integer or out of range"
    assert err(c, "SSCAN", "s", "0", "MATCH") == "syntax error"
    assert err(c, "SSCAN", "s", "0", "TYPE", "set") == "syntax error"
    assert c.execute_command("SSCAN", "nokey", "0") == [b"0", []]


# ---------------------------------------------------------------- encodings
def test_intset_converts_on_a_non_integer_or_too_many_members(c):
    c.execute_command("SADD", "s", "1", "-5", "9223372036854775807")
    assert c.execute_command("OBJECT", "ENCODING", "s") == b"intset"
    c.execute_command("SADD", "s", "9223372036854775808")        # beyond 64 bits
    assert c.execute_command("OBJECT", "ENCODING", "s") == b"hashtable"
    for non_canonical in ("01", "-0", "+1", " 1", "1.0", "a"):
        c.execute_command("DEL", "t")
        c.execute_command("SADD", "t", "1", non_canonical)
        assert c.execute_command("OBJECT", "ENCODING", "t") == b"hashtable", non_canonical
    c.execute_command("SREM", "t", "a")
    assert c.execute_command("OBJECT", "ENCODING", "t") == b"hashtable"
    c.execute_command("CONFIG", "SET", "set-max-intset-entries", "3")
    try:
        c.execute_command("SADD", "u", "1", "2", "3")
        assert c.execute_command("OBJECT", "ENCODING", "u") == b"intset"
        c.execute_command("SADD", "u", "4")
        assert c.execute_command("OBJECT", "ENCODING", "u") == b"hashtable"
    finally:
        c.execute_command("CONFIG", "SET", "set-max-intset-entries", "512")


def test_the_first_member_decides_a_new_set_encoding(c):
    c.execute_command("SADD", "s", "a", "1")
    assert c.execute_command("OBJECT", "ENCODING", "s") == b"hashtable"
    c.execute_command("SADD", "t", "1", "a")
    assert c.execute_command("OBJECT", "ENCODING", "t") == b"hashtable"
    c.execute_command("SADD", "u", "1")
    assert c.execute_command("OBJECT", "ENCODING", "u") == b"intset"


def test_copy_keeps_the_encoding_and_is_independent(c, enc):
    c.execute_command("SADD", "s", "1", "2")
    assert c.execute_command("COPY", "s", "s2") == 1
    assert c.execute_command("OBJECT", "ENCODING", "s2") == enc
    c.execute_command("SADD", "s2", "3")
    c.execute_command("SREM", "s", "1")
    assert smembers(c, "s") == [b"2"]
    assert smembers(c, "s2") == [b"1", b"2", b"3"]


# ---------------------------------------------------------------- errors for every command
SET_COMMANDS = [
    ("SADD", "k", "m"), ("SCARD", "k"), ("SDIFF", "k"), ("SDIFFSTORE", "d", "k"),
    ("SINTER", "k"), ("SINTERCARD", "1", "k"), ("SINTERSTORE", "d", "k"),
    ("SISMEMBER", "k", "m"), ("SMEMBERS", "k"), ("SMISMEMBER", "k", "m"),
    ("SMOVE", "k", "d", "m"), ("SPOP", "k"), ("SPOP", "k", "2"), ("SRANDMEMBER", "k"),
    ("SRANDMEMBER", "k", "-2"), ("SREM", "k", "m"), ("SSCAN", "k", "0"), ("SUNION", "k"),
    ("SUNIONSTORE", "d", "k"),
]


@pytest.mark.parametrize("args", SET_COMMANDS, ids=lambda a: " ".join(a))
def test_every_set_command_refuses_a_key_of_another_type(c, args):
    c.execute_command("SET", "k", "string")
    assert err(c, *args) == WRONGTYPE
    assert c.execute_command("GET", "k") == b"string"


ARITY = [("SADD", 2), ("SCARD", 1), ("SCARD", 3), ("SDIFF", 1), ("SDIFFSTORE", 2),
         ("SINTER", 1), ("SINTERCARD", 2), ("SINTERSTORE", 2), ("SISMEMBER", 2),
         ("SMEMBERS", 1), ("SMEMBERS", 3), ("SMISMEMBER", 2), ("SMOVE", 3), ("SMOVE", 5),
         ("SPOP", 1), ("SRANDMEMBER", 1), ("SREM", 2), ("SSCAN", 2), ("SUNION", 1),
         ("SUNIONSTORE", 2)]


@pytest.mark.parametrize("name,argc", ARITY, ids=lambda a: str(a))
def test_wrong_number_of_arguments(c, name, argc):
    args = [name] + ["x"] * (argc - 1)
    assert err(c, *args) == f"wrong number of arguments for '{name.lower()}' command"


# ---------------------------------------------------------------- keyspace events
def events(r, action) -> list:
    """(event, key) pairs notified while action() runs."""
    r.execute_command("CONFIG", "SET", "notify-keyspace-events", "KEA")
    p = r.pubsub()
    try:
        p.psubscribe("__keyevent@0__:*")
        assert p.get_message(timeout=2)["type"] == "psubscribe"
        action()
        out = []
        while (m := p.get_message(timeout=0.3)) is not None:
            out.append((m["channel"].split(b":", 1)[1], m["data"]))
        return out
    finally:
        p.close()
        r.execute_command("CONFIG", "SET", "notify-keyspace-events", "")


def test_set_writes_notify_their_events(c):
    def act():
        c.execute_command("SADD", "s", "1", "2", "3")
        c.execute_command("SADD", "s", "1")                  # nothing added, no event
        c.execute_command("SREM", "s", "9")                  # nothing removed, no event
        c.execute_command("SREM", "s", "1")
        c.execute_command("SMOVE", "s", "d", "2")
        c.execute_command("SMOVE", "s", "d", "3")
        c.execute_command("SPOP", "d")
        c.execute_command("SPOP", "d", 5)
    assert events(c, act) == [
        (b"sadd", b"s"), (b"srem", b"s"), (b"srem", b"s"), (b"sadd", b"d"),
        (b"srem", b"s"), (b"del", b"s"), (b"sadd", b"d"), (b"spop", b"d"), (b"spop", b"d"),
        (b"del", b"d")]


def test_store_commands_notify_their_events(c):
    c.execute_command("SADD", "a", "1", "2")
    c.execute_command("SADD", "b", "2", "3")

    def act():
        c.execute_command("SINTERSTORE", "dst", "a", "b")
        c.execute_command("SUNIONSTORE", "dst", "a", "b")
        c.execute_command("SDIFFSTORE", "dst", "a", "b")
        c.execute_command("SDIFFSTORE", "dst", "a", "a")     # empty: the key goes
        c.execute_command("SINTERSTORE", "dst", "a", "nokey")  # nothing to delete
    assert events(c, act) == [(b"sinterstore", b"dst"), (b"sunionstore", b"dst"),
                              (b"sdiffstore", b"dst"), (b"del", b"dst")]
