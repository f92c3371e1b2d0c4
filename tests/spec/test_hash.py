"""Hashes as Redis 7.0 keeps them: listpack while small, hashtable beyond the thresholds.

Most sentences run under both encodings (``enc``: the default thresholds, or
hash-max-listpack-entries 0 so that every hash is a hashtable), against both servers.
Replies are compared raw (no redis-py reshaping); a hashtable's order is unspecified, so
multi-element replies are compared sorted unless the sentence is about order.
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


@pytest.fixture(params=["listpack", "hashtable"])
def enc(request, c):
    """The encoding every hash of the test gets; the thresholds are restored after."""
    if request.param == "hashtable":
        c.execute_command("CONFIG", "SET", "hash-max-listpack-entries", "0")
    yield request.param.encode()
    c.execute_command("CONFIG", "SET", "hash-max-listpack-entries", "512")
    c.execute_command("CONFIG", "SET", "hash-max-listpack-value", "64")


def err(c, *args) -> str:
    with pytest.raises(redis.ResponseError) as e:
        c.execute_command(*args)
    return str(e.value)


def pairs(flat) -> dict:
    return dict(zip(flat[::2], flat[1::2]))


# ---------------------------------------------------------------- HSET / HGET family
def test_hset_creates_fields_and_counts_only_the_new_ones(c, enc):
    assert c.execute_command("HSET", "h", "a", "1", "b", "2") == 2
    assert c.execute_command("HSET", "h", "a", "10", "c", "3") == 1
    assert c.execute_command("HSET", "h", "a", "11", "a", "12") == 0
    assert c.execute_command("HGET", "h", "a") == b"12"
    assert c.execute_command("HLEN", "h") == 3
    assert c.execute_command("OBJECT", "ENCODING", "h") == enc


def test_hset_with_a_field_but_no_value_is_an_arity_error(c):
    assert err(c, "HSET", "h", "a", "1", "b") == "wrong number of arguments for 'hset' command"
    assert err(c, "HMSET", "h", "a", "1", "b") == \
        "wrong number of arguments for 'hmset' command"
    assert err(c, "HSET", "h", "a") == "wrong number of arguments for 'hset' command"
    assert c.execute_command("EXISTS", "h") == 0


def test_hmset_replies_ok_and_sets_every_pair(c, enc):
    assert c.execute_command("HMSET", "h", "a", "1", "b", "2") == b"OK"
    assert c.execute_command("HMGET", "h", "a", "b") == [b"1", b"2"]


def test_hsetnx_sets_only_a_missing_field(c, enc):
    assert c.execute_command("HSETNX", "h", "a", "1") == 1
    assert c.execute_command("HSETNX", "h", "a", "2") == 0
    assert c.execute_command("HGET", "h", "a") == b"1"
    assert c.execute_command("OBJECT", "ENCODING", "h") == enc


def test_hget_of_a_missing_field_or_key_is_nil(c, enc):
    c.execute_command("HSET", "h", "a", "1")
    assert c.execute_command("HGET", "h", "nope") is None
    assert c.execute_command("HGET", "nokey", "a") is None


def test_hmget_replies_nil_for_missing_fields_and_keys(c, enc):
    c.execute_command("HSET", "h", "a", "1", "b", "")
    assert c.execute_command("HMGET", "h", "a", "x", "b") == [b"1", None, b""]
    assert c.execute_command("HMGET", "nokey", "a", "b") == [None, None]


def test_hdel_removes_fields_and_an_emptied_hash_is_deleted(c, enc):
    c.execute_command("HSET", "h", "a", "1", "b", "2", "c", "3")
    assert c.execute_command("HDEL", "h", "a", "x") == 1
    assert c.execute_command("HDEL", "h", "b", "b", "c") == 2
    assert c.execute_command("EXISTS", "h") == 0
    assert c.execute_command("HDEL", "h", "a") == 0


def test_hexists_hlen_and_hstrlen(c, enc):
    c.execute_command("HSET", "h", "a", "hello", "n", "-123", "e", "")
    assert c.execute_command("HEXISTS", "h", "a") == 1
    assert c.execute_command("HEXISTS", "h", "x") == 0
    assert c.execute_command("HEXISTS", "nokey", "a") == 0
    assert c.execute_command("HLEN", "h") == 3
    assert c.execute_command("HLEN", "nokey") == 0
    assert c.execute_command("HSTRLEN", "h", "a") == 5
    assert c.execute_command("HSTRLEN", "h", "n") == 4
    assert c.execute_command("HSTRLEN", "h", "e") == 0
    assert c.execute_command("HSTRLEN", "h", "x") == 0
    assert c.execute_command("HSTRLEN", "nokey", "a") == 0


def test_hgetall_hkeys_hvals_return_the_whole_hash(c, enc):
    c.execute_command("HSET", "h", "a", "1", "b", "2", "c", "3")
    assert pairs(c.execute_command("HGETALL", "h")) == {b"a": b"1", b"b": b"2", b"c": b"3"}
    assert sorted(c.execute_command("HKEYS", "h")) == [b"a", b"b", b"c"]
    assert sorted(c.execute_command("HVALS", "h")) == [b"1", b"2", b"3"]
    assert c.execute_command("HGETALL", "nokey") == []
    assert c.execute_command("HKEYS", "nokey") == []
    assert c.execute_command("HVALS", "nokey") == []


def test_a_listpack_hash_replies_in_insertion_order(c):
    c.execute_command("HSET", "h", "z", "1", "a", "2", "m", "3")
    c.execute_command("HDEL", "h", "a")
    c.execute_command("HSET", "h", "a", "4", "z", "5")
    assert c.execute_command("HKEYS", "h") == [b"z", b"m", b"a"]
    assert c.execute_command("HVALS", "h") == [b"5", b"3", b"4"]
    assert c.execute_command("HGETALL", "h") == [b"z", b"5", b"m", b"3", b"a", b"4"]
    assert c.execute_command("HRANDFIELD", "h", "10") == [b"z", b"m", b"a"]
    assert c.execute_command("HSCAN", "h", "0") == [b"0", [b"z", b"5", b"m", b"3", b"a", b"4"]]


def test_hgetall_is_a_map_in_resp3(raw):
    conn = raw()
    conn.request(b"HELLO 3\r\n", b"%7\r\n")
    conn.recv(1000, timeout=0.2)
    expect = b":2\r\n%2\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n%0\r\n"
    assert conn.request(b"HSET h a 1 b 2\r\nHGETALL h\r\nHGETALL nokey\r\n", expect) == expect


# ---------------------------------------------------------------- increments
def test_hincrby_creates_adds_and_subtracts(c, enc):
    assert c.execute_command("HINCRBY", "h", "n", "5") == 5
    assert c.execute_command("HINCRBY", "h", "n", "-7") == -2
    assert c.execute_command("HINCRBY", "h", "n", "0") == -2
    assert c.execute_command("HGET", "h", "n") == b"-2"
    assert c.execute_command("HINCRBY", "new", "f", "9223372036854775807") == \
        9223372036854775807
    assert c.execute_command("OBJECT", "ENCODING", "h") == enc


def test_hincrby_errors(c, enc):
    c.execute_command("HSET", "h", "s", "abc", "z", "010", "sp", " 1", "max",
                      "9223372036854775807", "min", "-9223372036854775808")
    assert err(c, "HINCRBY", "h", "s", "1") == "hash value is not an integer"
    assert err(c, "HINCRBY", "h", "z", "1") == "hash value is not an integer"
    assert err(c, "HINCRBY", "h", "sp", "1") == "hash value is not an integer"
    assert err(c, "HINCRBY", "h", "max", "1") == "increment or decrement would overflow"
    assert err(c, "HINCRBY", "h", "min", "-1") == "increment or decrement would overflow"
    assert err(c, "HINCRBY", "h", "n", "1.5") == "value is not an integer or out of range"
    assert err(c, "HINCRBY", "h", "n", "99999999999999999999") == \
        "value is not an integer or out of range"
    assert err(c, "HINCRBY", "nokey", "n", "x") == "value is not an integer or out of range"
    assert c.execute_command("EXISTS", "nokey") == 0
    assert c.execute_command("HGET", "h", "max") == b"9223372036854775807"


def test_hincrbyfloat_adds_and_prints_like_incrbyfloat(c, enc):
    assert c.execute_command("HINCRBYFLOAT", "h", "f", "10.5") == b"10.5"
    assert c.execute_command("HINCRBYFLOAT", "h", "f", "0.1") == b"10.6"
    assert c.execute_command("HINCRBYFLOAT", "h", "f", "-10.6") == b"0"
    c.execute_command("HSET", "h", "e", "5.0e3", "i", "17179869184")
    assert c.execute_command("HINCRBYFLOAT", "h", "e", "2.0e2") == b"5200"
    assert c.execute_command("HINCRBYFLOAT", "h", "i", "1.5") == b"17179869185.5"
    assert c.execute_command("HINCRBYFLOAT", "h", "g", "3") == b"3"
    assert c.execute_command("HGET", "h", "i") == b"17179869185.5"
    assert c.execute_command("OBJECT", "ENCODING", "h") == enc


def test_hincrbyfloat_uses_long_double_arithmetic(c, enc):
    # 0.1 + 0.2 is 0.3 in a long double printed with 17 decimals, not 0.30000000000000004
    assert c.execute_command("HINCRBYFLOAT", "h", "f", "0.1") == b"0.1"
    assert c.execute_command("HINCRBYFLOAT", "h", "f", "0.2") == b"0.3"
    assert c.execute_command("HINCRBYFLOAT", "h", "f", "3.0e15") == \
        b"3000000000000000.300048828125"
    assert c.execute_command("HINCRBYFLOAT", "h", "g", "1e-18") == b"0"
    assert c.execute_command("HINCRBYFLOAT", "h", "big", "1e308") == \
        c.execute_command("HINCRBYFLOAT", "h", "big2", "1e308")
    assert c.execute_command("HINCRBYFLOAT", "h", "big", "1e308")[:4] == b"1999"


def test_hincrbyfloat_errors(c, enc):
    c.execute_command("HSET", "h", "s", "abc", "sp", " 1", "inf", "inf")
    assert err(c, "HINCRBYFLOAT", "h", "s", "1") == "hash value is not a float"
    assert err(c, "HINCRBYFLOAT", "h", "sp", "1") == "hash value is not a float"
    assert err(c, "HINCRBYFLOAT", "h", "n", "abc") == "value is not a valid float"
    assert err(c, "HINCRBYFLOAT", "h", "n", "nan") == "value is not a valid float"
    assert err(c, "HINCRBYFLOAT", "h", "n", "inf") == "value is NaN or Infinity"
    assert err(c, "HINCRBYFLOAT", "h", "n", "-inf") == "value is NaN or Infinity"
    assert err(c, "HINCRBYFLOAT", "h", "inf", "1") == \
        "increment would produce NaN or Infinity"
    assert err(c, "HINCRBYFLOAT", "nokey", "n", "x") == "value is not a valid float"
    assert c.execute_command("EXISTS", "nokey") == 0


# ---------------------------------------------------------------- HRANDFIELD
def test_hrandfield_without_count_returns_one_field(c, enc):
    c.execute_command("HSET", "h", "a", "1", "b", "2", "c", "3")
    for _ in range(20):
        assert c.execute_command("HRANDFIELD", "h") in (b"a", b"b", b"c")
    assert c.execute_command("HRANDFIELD", "nokey") is None


def test_hrandfield_positive_count_returns_distinct_fields(c, enc):
    fields = {b"f%d" % i: b"v%d" % i for i in range(30)}
    c.execute_command("HSET", "h", *[x for kv in fields.items() for x in kv])
    for n in (1, 2, 5, 11, 29):
        got = c.execute_command("HRANDFIELD", "h", n)
        assert len(got) == n and len(set(got)) == n and set(got) <= set(fields)
        flat = c.execute_command("HRANDFIELD", "h", n, "WITHVALUES")
        got = pairs(flat)
        assert len(flat) == 2 * n and len(got) == n
        assert all(fields[f] == v for f, v in got.items())
    assert sorted(c.execute_command("HRANDFIELD", "h", 30)) == sorted(fields)
    assert pairs(c.execute_command("HRANDFIELD", "h", 1000, "WITHVALUES")) == fields


def test_hrandfield_negative_count_may_repeat_fields(c, enc):
    c.execute_command("HSET", "h", "a", "1", "b", "2")
    got = c.execute_command("HRANDFIELD", "h", -100)
    assert len(got) == 100 and set(got) == {b"a", b"b"}
    flat = c.execute_command("HRANDFIELD", "h", -7, "withvalues")
    assert len(flat) == 14
    assert all({b"a": b"1", b"b": b"2"}[f] == v for f, v in zip(flat[::2], flat[1::2]))


def test_hrandfield_zero_count_or_missing_key_is_an_empty_array(c, enc):
    c.execute_command("HSET", "h", "a", "1")
    assert c.execute_command("HRANDFIELD", "h", 0) == []
    assert c.execute_command("HRANDFIELD", "nokey", 5) == []
    assert c.execute_command("HRANDFIELD", "nokey", -5, "WITHVALUES") == []


def test_hrandfield_errors(c):
    c.execute_command("HSET", "h", "a", "1")
    assert err(c, "HRANDFIELD", "h", "x") == "value is not an integer or out of range"
    assert err(c, "HRANDFIELD", "h", "1", "WITHVALUE") == "syntax error"
    assert err(c, "HRANDFIELD", "h", "1", "WITHVALUES", "x") == "syntax error"
    assert err(c, "HRANDFIELD", "h", "-9223372036854775808") == \
        "value is out of range, value must between -9223372036854775807 and " \
        "9223372036854775807"
    assert err(c, "HRANDFIELD", "h", "-4611686018427387904", "WITHVALUES") == \
        "value is out of range"
    assert err(c, "HRANDFIELD", "h", "4611686018427387904", "WITHVALUES") == \
        "value is out of range"
    assert err(c, "HRANDFIELD", "nokey", "x") == "value is not an integer or out of range"


def test_hrandfield_withvalues_nests_pairs_in_resp3(raw, enc):
    conn = raw()
    conn.request(b"HELLO 3\r\n", b"%7\r\n")
    conn.recv(1000, timeout=0.2)
    expect = b":1\r\n*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n" \
             b"*2\r\n$1\r\na\r\n$1\r\n1\r\n"
    got = conn.request(b"HSET h a 1\r\nHRANDFIELD h 1 WITHVALUES\r\n"
                       b"HRANDFIELD h -2 WITHVALUES\r\n", expect)
    assert got == expect


@pytest.mark.ours_only("Redis 7.0 builds any negative count (a multi-GB reply for -10^9)")
def test_hrandfield_huge_negative_count_is_refused_quickly(c):
    c.execute_command("HSET", "h", "a", "1")
    t = time.monotonic()
    assert err(c, "HRANDFIELD", "h", "-1000000000") == \
        "value is out of range, value must between -4194304 and 9223372036854775807"
    assert time.monotonic() - t < 1
    assert len(c.execute_command("HRANDFIELD", "h", "-100000")) == 100000


# ---------------------------------------------------------------- HSCAN
def scan_all(c, cmd, key, *opts, count=None):
    cursor, seen, calls = b"0", [], 0
    while True:
        args = [cmd, key, cursor, *opts] + (["COUNT", count] if count else [])
        cursor, items = c.execute_command(*args)
        seen += items
        calls += 1
        if cursor == b"0":
            return seen, calls


def test_hscan_returns_every_field_with_its_value(c, enc):
    fields = {b"f%d" % i: b"v%d" % i for i in range(200)}
    c.execute_command("HSET", "h", *[x for kv in fields.items() for x in kv])
    seen, calls = scan_all(c, "HSCAN", "h", count=7)
    assert pairs(seen) == fields
    if enc == b"listpack":
        assert calls == 1 and len(seen) == 400       # a listpack comes back whole
    else:
        assert calls > 1


def test_hscan_match_filters_on_the_field_name(c, enc):
    c.execute_command("HSET", "h", "foo1", "x", "foo2", "y", "bar", "foo3", "food", "z")
    seen, _ = scan_all(c, "HSCAN", "h", "MATCH", "foo?", count=100)
    assert pairs(seen) == {b"foo1": b"x", b"foo2": b"y", b"food": b"z"}


def test_hscan_of_a_missing_key_is_empty(c):
    assert c.execute_command("HSCAN", "nokey", "0") == [b"0", []]
    assert c.execute_command("HSCAN", "nokey", "0", "COUNT", "0") == [b"0", []]


def test_hscan_errors(c):
    c.execute_command("HSET", "h", "a", "1")
    assert err(c, "HSCAN", "h", "abc") == "invalid cursor"
    assert err(c, "HSCAN", "h", " 1") == "invalid cursor"
    assert err(c, "HSCAN", "h", "18446744073709551616") == "invalid cursor"
    assert err(c, "HSCAN", "nokey", "x") == "invalid cursor"
    assert err(c, "HSCAN", "h", "0", "COUNT", "0") == "syntax error"
    assert err(c, "HSCAN", "h", "0", "COUNT", "x") == "value is not an integer or out of range"
    assert err(c, "HSCAN", "h", "0", "MATCH") == "syntax error"
    assert err(c, "HSCAN", "h", "0", "TYPE", "string") == "syntax error"
    assert err(c, "HSCAN", "h", "0", "NOVALUES") == "syntax error"
    c.execute_command("SET", "s", "x")
    assert err(c, "HSCAN", "s", "0", "COUNT", "0") == WRONGTYPE


def test_hscan_accepts_strtoul_cursors(c):
    c.execute_command("HSET", "h", "a", "1")
    for cursor in ("-1", "+0", "18446744073709551615", ""):
        assert c.execute_command("HSCAN", "h", cursor) == [b"0", [b"a", b"1"]]


# ---------------------------------------------------------------- encodings
def test_listpack_converts_to_hashtable_past_max_entries(c):
    c.execute_command("CONFIG", "SET", "hash-max-listpack-entries", "3")
    try:
        c.execute_command("HSET", "h", "a", "1", "b", "2", "c", "3")
        assert c.execute_command("OBJECT", "ENCODING", "h") == b"listpack"
        c.execute_command("HSET", "h", "d", "4")
        assert c.execute_command("OBJECT", "ENCODING", "h") == b"hashtable"
        c.execute_command("HDEL", "h", "a", "b", "c")
        assert c.execute_command("OBJECT", "ENCODING", "h") == b"hashtable"
        c.execute_command("HSETNX", "h2", "a", "1")
        c.execute_command("HINCRBY", "h2", "b", "1")
        c.execute_command("HINCRBYFLOAT", "h2", "c", "1")
        assert c.execute_command("OBJECT", "ENCODING", "h2") == b"listpack"
        c.execute_command("HINCRBY", "h2", "d", "1")
        assert c.execute_command("OBJECT", "ENCODING", "h2") == b"hashtable"
    finally:
        c.execute_command("CONFIG", "SET", "hash-max-listpack-entries", "512")


def test_a_long_field_or_value_converts_to_hashtable(c):
    c.execute_command("HSET", "v", "f", "x" * 64)
    assert c.execute_command("OBJECT", "ENCODING", "v") == b"listpack"
    c.execute_command("HSET", "v", "g", "x" * 65)
    assert c.execute_command("OBJECT", "ENCODING", "v") == b"hashtable"
    c.execute_command("HSET", "f", "y" * 65, "1")
    assert c.execute_command("OBJECT", "ENCODING", "f") == b"hashtable"
    c.execute_command("HSETNX", "n", "z" * 65, "1")
    assert c.execute_command("OBJECT", "ENCODING", "n") == b"hashtable"
    c.execute_command("HINCRBY", "i", "w" * 65, "1")
    assert c.execute_command("OBJECT", "ENCODING", "i") == b"hashtable"


def test_the_value_threshold_is_read_at_write_time(c):
    c.execute_command("HSET", "h", "a", "100")
    c.execute_command("CONFIG", "SET", "hash-max-listpack-value", "2")
    try:
        assert c.execute_command("OBJECT", "ENCODING", "h") == b"listpack"
        c.execute_command("HINCRBY", "h", "b", "10")
        assert c.execute_command("OBJECT", "ENCODING", "h") == b"listpack"
        c.execute_command("HINCRBY", "h", "b", "90")       # "100" is 3 bytes
        assert c.execute_command("OBJECT", "ENCODING", "h") == b"hashtable"
    finally:
        c.execute_command("CONFIG", "SET", "hash-max-listpack-value", "64")


def test_the_ziplist_aliases_set_the_listpack_thresholds(c):
    c.execute_command("CONFIG", "SET", "hash-max-ziplist-entries", "1")
    try:
        assert c.execute_command("CONFIG", "GET", "hash-max-listpack-entries") == \
            [b"hash-max-listpack-entries", b"1"]
        c.execute_command("HSET", "h", "a", "1", "b", "2")
        assert c.execute_command("OBJECT", "ENCODING", "h") == b"hashtable"
    finally:
        c.execute_command("CONFIG", "SET", "hash-max-ziplist-entries", "512")


def test_copy_keeps_the_encoding_and_is_independent(c, enc):
    c.execute_command("HSET", "h", "a", "1", "b", "2")
    assert c.execute_command("COPY", "h", "h2") == 1
    assert c.execute_command("OBJECT", "ENCODING", "h2") == enc
    c.execute_command("HSET", "h2", "a", "changed")
    c.execute_command("HDEL", "h", "b")
    assert pairs(c.execute_command("HGETALL", "h")) == {b"a": b"1"}
    assert pairs(c.execute_command("HGETALL", "h2")) == {b"a": b"changed", b"b": b"2"}


# ---------------------------------------------------------------- errors for every command
HASH_COMMANDS = [
    ("HDEL", "k", "f"), ("HEXISTS", "k", "f"), ("HGET", "k", "f"), ("HGETALL", "k"),
    ("HINCRBY", "k", "f", "1"), ("HINCRBYFLOAT", "k", "f", "1"), ("HKEYS", "k"),
    ("HLEN", "k"), ("HMGET", "k", "f"), ("HMSET", "k", "f", "v"), ("HRANDFIELD", "k"),
    ("HRANDFIELD", "k", "2"), ("HRANDFIELD", "k", "-2", "WITHVALUES"), ("HSCAN", "k", "0"),
    ("HSET", "k", "f", "v"), ("HSETNX", "k", "f", "v"), ("HSTRLEN", "k", "f"), ("HVALS", "k"),
]


@pytest.mark.parametrize("args", HASH_COMMANDS, ids=lambda a: " ".join(a))
def test_every_hash_command_refuses_a_key_of_another_type(c, args):
    c.execute_command("SET", "k", "string")
    assert err(c, *args) == WRONGTYPE
    assert c.execute_command("GET", "k") == b"string"


ARITY = [("HDEL", 2), ("HEXISTS", 2), ("HEXISTS", 4), ("HGET", 2), ("HGETALL", 1),
         ("HGETALL", 3), ("HINCRBY", 3), ("HINCRBYFLOAT", 5), ("HKEYS", 1), ("HLEN", 3),
         ("HMGET", 2), ("HMSET", 3), ("HRANDFIELD", 1), ("HSCAN", 2), ("HSET", 3),
         ("HSETNX", 3), ("HSTRLEN", 4), ("HVALS", 1)]


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


def test_hash_writes_notify_their_events(c):
    def act():
        c.execute_command("HSET", "h", "a", "1", "b", "2")
        c.execute_command("HSETNX", "h", "a", "1")          # no change, no event
        c.execute_command("HSETNX", "h", "c", "1")
        c.execute_command("HINCRBY", "h", "n", "1")
        c.execute_command("HINCRBYFLOAT", "h", "n", "1.5")
        c.execute_command("HDEL", "h", "x")                 # nothing deleted, no event
        c.execute_command("HDEL", "h", "a", "b")
        c.execute_command("HDEL", "h", "c", "n")
    assert events(c, act) == [(b"hset", b"h"), (b"hset", b"h"), (b"hincrby", b"h"),
                              (b"hincrbyfloat", b"h"), (b"hdel", b"h"), (b"hdel", b"h"),
                              (b"del", b"h")]
