"""Streams and consumer groups as Redis 7.0.15 behaves: every test runs on keyscope and on
a real redis-server.  Replies are compared raw (RESP2 arrays, RESP3 maps); entries use
explicit IDs wherever a reply is compared exactly, and generated IDs are checked for their
shape.  Blocked readers are raw sockets; ``wait_blocked`` polls INFO, so no test orders
its clients with a fixed sleep.
"""
import time

import pytest
import redis

from engine.engine import Engine


@pytest.fixture
def c(r):
    """RESP2 client replying with raw values."""
    r.response_callbacks.clear()
    return r


@pytest.fixture
def c3(r3):
    r3.response_callbacks.clear()
    return r3


def err(c, *args) -> str:
    with pytest.raises(redis.ResponseError) as e:
        c.execute_command(*args)
    return str(e.value)


def x(c, *args):
    return c.execute_command(*args)


def add(c, key, *ids, field=b"f"):
    """XADD key id f v<id> for each id."""
    for i in ids:
        x(c, "XADD", key, i, field, b"v" + i.encode())


def info(c, *args) -> dict:
    """XINFO ... as a dict (RESP2 flat arrays folded)."""
    v = x(c, "XINFO", *args)
    return dict(zip(v[0::2], v[1::2]))


def groups(c, key) -> list:
    return [dict(zip(g[0::2], g[1::2])) for g in x(c, "XINFO", "GROUPS", key)]


def consumers(c, key, group) -> list:
    return [dict(zip(g[0::2], g[1::2])) for g in x(c, "XINFO", "CONSUMERS", key, group)]


def wait_blocked(c, n: int, timeout: float = 5.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = dict(line.split(":", 1) for line in
                 c.execute_command("INFO", "clients").decode().split("\r\n")
                 if ":" in line)
        if int(v["blocked_clients"]) == n:
            return
        time.sleep(0.01)
    raise AssertionError(f"expected {n} blocked clients")


def silent(conn, wait: float = 0.2) -> bool:
    return conn.recv(1, timeout=wait) == b""


def bulk(s: bytes) -> bytes:
    return b"$%d\r\n%s\r\n" % (len(s), s)


def arr(*items: bytes) -> bytes:
    return b"*%d\r\n" % len(items) + b"".join(items)


def entry(i: bytes, *fv: bytes) -> bytes:
    return arr(bulk(i), arr(*[bulk(v) for v in fv]))


INVALID_ID = "Invalid stream ID specified as stream command argument"
TOP_ITEM = "The ID specified in XADD is equal or smaller than the target stream top item"


# ---------------------------------------------------------------- XADD
def test_xadd_with_explicit_ids_returns_them_and_xrange_reads_them_back(c):
    assert x(c, "XADD", "s", "1-1", "a", "1", "b", "2") == b"1-1"
    assert x(c, "XADD", "s", "1-2", "a", "3") == b"1-2"
    assert x(c, "XADD", "s", "5", "c", "4") == b"5-0"
    assert x(c, "XRANGE", "s", "-", "+") == [
        [b"1-1", [b"a", b"1", b"b", b"2"]], [b"1-2", [b"a", b"3"]], [b"5-0", [b"c", b"4"]]]
    assert x(c, "XLEN", "s") == 3
    assert x(c, "TYPE", "s") == b"stream"
    assert x(c, "OBJECT", "ENCODING", "s") == b"stream"


def test_xadd_star_generates_increasing_ms_seq_ids(c):
    ids = [x(c, "XADD", "s", "*", "f", "v") for _ in range(5)]
    parsed = [tuple(map(int, i.split(b"-"))) for i in ids]
    assert parsed == sorted(set(parsed))
    assert abs(parsed[0][0] - int(time.time() * 1000)) < 60_000
    x(c, "XADD", "t", "99999999999999-5", "f", "v")
    assert x(c, "XADD", "t", "*", "f", "v") == b"99999999999999-6"   # time never goes back


def test_xadd_ms_star_takes_the_next_sequence_of_that_millisecond(c):
    assert x(c, "XADD", "s", "0-*", "f", "v") == b"0-1"
    assert x(c, "XADD", "s", "5-*", "f", "v") == b"5-0"
    assert x(c, "XADD", "s", "5-*", "f", "v") == b"5-1"
    assert x(c, "XADD", "s", "7-*", "f", "v") == b"7-0"
    assert err(c, "XADD", "s", "6-*", "f", "v") == TOP_ITEM
    x(c, "XADD", "m", "9-18446744073709551615", "f", "v")
    # 7.0.15 words a sequence overflow as a size error
    assert err(c, "XADD", "m", "9-*", "f", "v") == "Elements are too large to be stored"


def test_xadd_rejects_ids_not_greater_than_the_top_item(c):
    x(c, "XADD", "s", "5-5", "f", "v")
    assert err(c, "XADD", "s", "5-5", "f", "v") == TOP_ITEM
    assert err(c, "XADD", "s", "5-4", "f", "v") == TOP_ITEM
    assert err(c, "XADD", "s", "4", "f", "v") == TOP_ITEM
    assert x(c, "XLEN", "s") == 1


def test_xadd_id_0_0_is_refused_before_the_key_is_created(c):
    msg = "The ID specified in XADD must be greater than 0-0"
    assert err(c, "XADD", "s", "0-0", "f", "v") == msg
    assert err(c, "XADD", "s", "0", "f", "v") == msg
    assert x(c, "EXISTS", "s") == 0


@pytest.mark.parametrize("bad", [
    "abc", "+", "-", "1-2-3", "8-", "-1", "1-x", "18446744073709551616",
    "1-18446744073709551616", "12-1 ", "11-", "1.5", "", "1-*-", "*-1", "0x10",
    "1" * 130])
def test_xadd_malformed_ids_are_invalid_stream_ids(c, bad):
    assert err(c, "XADD", "s", bad, "f", "v") == INVALID_ID
    assert x(c, "EXISTS", "s") == 0


def test_xadd_parses_ids_as_strtoull_does(c):
    """string2ull falls back to strtoull: spaces, a '+', leading zeros and even a
    wrapped negative sequence are accepted."""
    assert x(c, "XADD", "s", " 5", "f", "v") == b"5-0"
    assert x(c, "XADD", "s", "+7", "f", "v") == b"7-0"
    assert x(c, "XADD", "s", "8--05", "f", "v") == b"8-18446744073709551611"
    assert x(c, "XADD", "s", "00009-1", "f", "v") == b"9-1"
    assert x(c, "XADD", "s", "10-+1", "f", "v") == b"10-1"
    assert x(c, "XADD", "s", "11- 1", "f", "v") == b"11-1"


def test_xadd_on_an_exhausted_stream_fails(c):
    top = "18446744073709551615-18446744073709551615"
    assert x(c, "XADD", "s", top, "f", "v") == top.encode()
    msg = "The stream has exhausted the last possible ID, unable to add more items"
    assert err(c, "XADD", "s", "*", "f", "v") == msg
    assert err(c, "XADD", "s", "1-1", "f", "v") == msg
    x(c, "XADD", "t", "18446744073709551615-18446744073709551614", "f", "v")
    assert x(c, "XADD", "t", "18446744073709551615-*", "f", "v") == top.encode()


def test_xadd_nomkstream_on_a_missing_key_replies_nil_and_creates_nothing(c):
    assert x(c, "XADD", "s", "NOMKSTREAM", "*", "f", "v") is None
    assert x(c, "EXISTS", "s") == 0
    x(c, "XADD", "s", "1-0", "f", "v")
    assert x(c, "XADD", "s", "NOMKSTREAM", "2-0", "f", "v") == b"2-0"


@pytest.mark.parametrize("args,msg", [
    (["MAXLEN", "=", "5", "LIMIT", "10"],
     "syntax error, LIMIT cannot be used without the special ~ option"),
    (["MAXLEN", "5", "MINID", "0"],
     "syntax error, MAXLEN and MINID options at the same time are not compatible"),
    (["MAXLEN", "1", "MAXLEN", "2"],
     "syntax error, MAXLEN and MINID options at the same time are not compatible"),
    (["MAXLEN", "-1"], "The MAXLEN argument must be >= 0."),
    (["LIMIT", "5"], "syntax error, LIMIT cannot be used without specifying a trimming strategy"),
    (["MAXLEN", "x"], "value is not an integer or out of range"),
    (["LIMIT", "-1", "MAXLEN", "~", "5"], "The LIMIT argument must be >= 0."),
    (["LIMIT", "x", "MAXLEN", "~", "5"], "value is not an integer or out of range"),
    (["MINID", "x"], INVALID_ID),
    (["MINID", "+"], INVALID_ID),
    (["foo", "bar"], INVALID_ID),
])
def test_xadd_option_errors(c, args, msg):
    assert err(c, "XADD", "s", *args, "*", "f", "v") == msg
    assert x(c, "EXISTS", "s") == 0


def test_xadd_arity_and_type_errors(c):
    arity = "wrong number of arguments for 'xadd' command"
    assert err(c, "XADD", "s", "*", "f") == arity
    assert err(c, "XADD", "s", "*", "f", "v", "g") == arity
    assert err(c, "XADD", "s", "MAXLEN", "1", "*", "f") == arity
    assert err(c, "XADD", "s", "NOMKSTREAM") == arity
    x(c, "SET", "str", "x")
    assert err(c, "XADD", "str", "*", "f", "v") == \
        "WRONGTYPE Operation against a key holding the wrong kind of value"


def test_xadd_maxlen_and_minid_trim_exactly_after_adding(c):
    for i in range(1, 11):
        x(c, "XADD", "s", "MAXLEN", "3", f"{i}-0", "f", str(i))
    assert [e[0] for e in x(c, "XRANGE", "s", "-", "+")] == [b"8-0", b"9-0", b"10-0"]
    x(c, "XADD", "s", "MINID", "=", "10", "11-0", "f", "11")
    assert [e[0] for e in x(c, "XRANGE", "s", "-", "+")] == [b"10-0", b"11-0"]
    d = info(c, "STREAM", "s")
    assert d[b"entries-added"] == 11 and d[b"recorded-first-entry-id"] == b"10-0"
    assert x(c, "XADD", "s", "MAXLEN", "0", "12-0", "f", "v") == b"12-0"   # adds then trims
    assert x(c, "XLEN", "s") == 0 and x(c, "EXISTS", "s") == 1


def _pipe_add(c, key, ids, *opts, size=1):
    p = c.pipeline(transaction=False)
    for i in ids:
        p.execute_command("XADD", key, *opts, f"{i}-0", "f", "v" * size)
    p.execute()


@pytest.mark.parametrize("size,n,maxlen,length,keys,nodes,first", [
    (1, 1000, 100, 100, 1, 2, b"901-0"),        # nodes close at 100 entries
    (100, 1000, 100, 100, 3, 8, b"901-0"),      # ... or at 4096 bytes of listpack
    (1, 250, 10, 50, 1, 2, b"201-0"),
    (1000, 50, 5, 6, 2, 6, b"45-0"),
])
def test_xadd_approximate_maxlen_drops_whole_nodes_as_redis(c, size, n, maxlen, length,
                                                            keys, nodes, first):
    _pipe_add(c, "s", range(1, n + 1), "MAXLEN", "~", str(maxlen), size=size)
    d = info(c, "STREAM", "s")
    assert (x(c, "XLEN", "s"), d[b"radix-tree-keys"], d[b"radix-tree-nodes"]) == \
        (length, keys, nodes)
    assert d[b"first-entry"][0] == first


def test_node_size_follows_stream_node_max_entries_and_bytes(c):
    try:
        x(c, "CONFIG", "SET", "stream-node-max-entries", "0")
        _pipe_add(c, "s", range(1, 101), size=90)
        assert info(c, "STREAM", "s")[b"radix-tree-keys"] == 3
        x(c, "CONFIG", "SET", "stream-node-max-entries", "7")
        x(c, "CONFIG", "SET", "stream-node-max-bytes", "0")
        _pipe_add(c, "t", range(1, 51))
        d = info(c, "STREAM", "t")
        assert (d[b"radix-tree-keys"], d[b"radix-tree-nodes"]) == (8, 18)
        assert x(c, "XTRIM", "t", "MAXLEN", "~", "20") == 28
        assert x(c, "XLEN", "t") == 22
    finally:
        x(c, "CONFIG", "SET", "stream-node-max-entries", "100")
        x(c, "CONFIG", "SET", "stream-node-max-bytes", "4096")


# ---------------------------------------------------------------- XTRIM
def test_xtrim_approximate_respects_limit_and_whole_nodes(c):
    _pipe_add(c, "s", range(1, 251))
    assert x(c, "XTRIM", "s", "MAXLEN", "~", "120") == 100
    assert x(c, "XLEN", "s") == 150
    assert x(c, "XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", "100") == 100
    assert x(c, "XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", "49") == 0
    assert x(c, "XTRIM", "s", "MINID", "~", "249") == 0      # the node holds 249 and 250
    assert x(c, "XTRIM", "s", "MINID", "249") == 48
    assert [e[0] for e in x(c, "XRANGE", "s", "-", "+")] == [b"249-0", b"250-0"]
    assert x(c, "XTRIM", "s", "MAXLEN", "=", "0") == 2
    d = info(c, "STREAM", "s")
    assert d[b"length"] == 0 and d[b"recorded-first-entry-id"] == b"0-0"
    assert d[b"radix-tree-keys"] == 0 and d[b"radix-tree-nodes"] == 1


@pytest.mark.parametrize("args,msg", [
    (["MAXLEN", "1", "LIMIT", "5"],
     "syntax error, LIMIT cannot be used without the special ~ option"),
    (["MINID", "1", "LIMIT", "0"],
     "syntax error, LIMIT cannot be used without the special ~ option"),
    (["LIMIT", "0", "x"], "syntax error"),
    (["LIMIT", "0"], "syntax error, XTRIM must be called with a trimming strategy"),
    (["LIMIT", "1", "MAXLEN", "0"],
     "syntax error, LIMIT cannot be used without the special ~ option"),
    (["MAXLEN", "~", "1", "LIMIT", "5", "extra"], "syntax error"),
    (["MAXLEN", "1", "LIMIT"], "syntax error"),
    (["MAXLEN", "="], "value is not an integer or out of range"),
    (["MINID", "-"], INVALID_ID),
    (["MINID", "~", "+"], INVALID_ID),
    (["NOMKSTREAM", "x"], "syntax error"),
])
def test_xtrim_errors(c, args, msg):
    x(c, "XADD", "s", "1-0", "f", "v")
    assert err(c, "XTRIM", "s", *args) == msg


def test_xtrim_missing_key_and_wrong_type(c):
    assert x(c, "XTRIM", "nokey", "MAXLEN", "0") == 0
    assert x(c, "EXISTS", "nokey") == 0
    x(c, "SET", "str", "x")
    assert err(c, "XTRIM", "str", "MAXLEN", "0").startswith("WRONGTYPE")
    assert err(c, "XTRIM", "str", "MAXLEN", "x") == "value is not an integer or out of range"
    assert err(c, "XTRIM", "s") == "wrong number of arguments for 'xtrim' command"


# ---------------------------------------------------------------- XRANGE / XREVRANGE
@pytest.fixture
def five(c):
    add(c, "s", "1-1", "2-1", "3-1", "4-1", "5-1")
    return c


def ids(reply):
    return [e[0] for e in reply]


def test_xrange_bounds_counts_and_incomplete_ids(five):
    c = five
    assert ids(x(c, "XRANGE", "s", "2", "3")) == [b"2-1", b"3-1"]       # 2-0 .. 3-max
    assert ids(x(c, "XRANGE", "s", "2-2", "+", "COUNT", "2")) == [b"3-1", b"4-1"]
    assert ids(x(c, "XRANGE", "s", "(1", "3")) == [b"1-1", b"2-1", b"3-1"]  # after 1-0
    assert ids(x(c, "XRANGE", "s", "(1-1", "(4-1")) == [b"2-1", b"3-1"]
    assert ids(x(c, "XRANGE", "s", "-", "+", "COUNT", "1", "COUNT", "2")) == [b"1-1", b"2-1"]
    assert x(c, "XRANGE", "s", "5", "1") == []
    assert ids(x(c, "XREVRANGE", "s", "+", "-", "COUNT", "2")) == [b"5-1", b"4-1"]
    assert ids(x(c, "XREVRANGE", "s", "(5-1", "(1-1")) == [b"4-1", b"3-1", b"2-1"]
    assert ids(x(c, "XREVRANGE", "s", "3", "3")) == [b"3-1"]


def test_xrange_count_zero_is_a_null_array_but_a_missing_key_an_empty_one(five, raw):
    conn = raw()
    assert conn.request(b"XRANGE s - + COUNT 0\r\n") == b"*-1\r\n"
    assert conn.request(b"XREVRANGE s + - COUNT -5\r\n") == b"*-1\r\n"
    assert conn.request(b"XRANGE nokey - + COUNT 0\r\n") == b"*0\r\n"
    assert conn.request(b"XRANGE s 5-1 5-1\r\n", entry(b"5-1", b"f", b"v5-1")) == \
        arr(entry(b"5-1", b"f", b"v5-1"))


@pytest.mark.parametrize("start,end,msg", [
    ("(", "+", INVALID_ID), ("(-", "+", INVALID_ID), ("-", "(+", INVALID_ID),
    ("(18446744073709551615-18446744073709551615", "+", "invalid start ID for the interval"),
    ("-", "(0-0", "invalid end ID for the interval"),
    ("1-x", "+", INVALID_ID), ("-", "x", INVALID_ID),
])
def test_xrange_interval_errors(five, start, end, msg):
    assert err(five, "XRANGE", "s", start, end) == msg


def test_xrange_option_errors_and_types(five):
    c = five
    assert err(c, "XRANGE", "s", "-", "+", "foo") == "syntax error"
    assert err(c, "XRANGE", "s", "-", "+", "COUNT") == "syntax error"
    assert err(c, "XRANGE", "s", "-", "+", "COUNT", "x") == \
        "value is not an integer or out of range"
    x(c, "SET", "str", "x")
    assert err(c, "XRANGE", "str", "-", "+").startswith("WRONGTYPE")
    assert err(c, "XLEN", "str").startswith("WRONGTYPE")
    assert x(c, "XLEN", "nokey") == 0


# ---------------------------------------------------------------- XDEL
def test_xdel_marks_entries_deleted_and_tracks_first_and_max_deleted(five):
    c = five
    assert x(c, "XDEL", "s", "1-1", "3-1", "9-9") == 2
    assert ids(x(c, "XRANGE", "s", "-", "+")) == [b"2-1", b"4-1", b"5-1"]
    d = info(c, "STREAM", "s")
    assert (d[b"length"], d[b"max-deleted-entry-id"], d[b"recorded-first-entry-id"],
            d[b"entries-added"]) == (3, b"3-1", b"2-1", 5)
    assert x(c, "XDEL", "s", "2-1", "4-1", "5-1") == 3
    d = info(c, "STREAM", "s")
    assert (d[b"length"], d[b"max-deleted-entry-id"], d[b"recorded-first-entry-id"]) == \
        (0, b"5-1", b"0-0")
    assert x(c, "EXISTS", "s") == 1                  # an emptied stream stays
    assert err(c, "XADD", "s", "5-1", "f", "v") == TOP_ITEM


def test_xdel_errors(five):
    c = five
    assert err(c, "XDEL", "s", "1-1", "x") == INVALID_ID
    assert x(c, "XLEN", "s") == 5                    # all IDs parsed before deleting
    assert err(c, "XDEL", "s", "+") == INVALID_ID
    assert x(c, "XDEL", "nokey", "x") == 0           # a missing key is checked first
    x(c, "SET", "str", "x")
    assert err(c, "XDEL", "str", "1").startswith("WRONGTYPE")
    assert err(c, "XDEL", "s") == "wrong number of arguments for 'xdel' command"


# ---------------------------------------------------------------- XREAD
def test_xread_returns_entries_after_each_id(five):
    c = five
    add(c, "t", "7-0")
    assert x(c, "XREAD", "COUNT", "2", "STREAMS", "s", "t", "3-1", "0") == [
        [b"s", [[b"4-1", [b"f", b"v4-1"]], [b"5-1", [b"f", b"v5-1"]]]],
        [b"t", [[b"7-0", [b"f", b"v7-0"]]]]]
    assert x(c, "XREAD", "STREAMS", "s", "t", "5-1", "$") is None
    assert x(c, "XREAD", "STREAMS", "s", "nokey", "4-1", "0") == \
        [[b"s", [[b"5-1", [b"f", b"v5-1"]]]]]
    assert ids(x(c, "XREAD", "STREAMS", "s", "4")[0][1]) == [b"4-1", b"5-1"]   # after 4-0
    assert [(k, ids(e)) for k, e in x(c, "XREAD", "STREAMS", "s", "s", "4-1", "3")] == [
        (b"s", [b"5-1"]), (b"s", [b"3-1", b"4-1", b"5-1"])]      # a key twice: twice


def test_xread_replies_a_map_in_resp3(c3):
    x(c3, "XADD", "s", "1-0", "f", "v")
    assert x(c3, "XREAD", "STREAMS", "s", "0") == {b"s": [[b"1-0", [b"f", b"v"]]]}
    assert x(c3, "XREAD", "STREAMS", "s", "1") is None


@pytest.mark.parametrize("args,msg", [
    (["STREAMS", "s", "t", "0"], "Unbalanced XREAD list of streams: for each stream key an "
                                 "ID or '$' must be specified."),
    (["GROUP", "g", "c", "STREAMS", "s", "0"],
     "The GROUP option is only supported by XREADGROUP. You called XREAD instead."),
    (["NOACK", "STREAMS", "s", "0"],
     "The NOACK option is only supported by XREADGROUP. You called XREAD instead."),
    (["STREAMS", "s", ">"], "The > ID can be specified only when calling XREADGROUP using "
                            "the GROUP <group> <consumer> option."),
    (["BLOCK", "-1", "STREAMS", "s", "0"], "timeout is negative"),
    (["BLOCK", "x", "STREAMS", "s", "0"], "timeout is not an integer or out of range"),
    (["COUNT", "x", "STREAMS", "s", "0"], "value is not an integer or out of range"),
    (["foo", "STREAMS", "s", "0"], "syntax error"),
    (["COUNT", "1", "s", "0"], "syntax error"),
    (["STREAMS", "s", "+"], INVALID_ID),
    (["STREAMS", "s", "-"], INVALID_ID),
    (["STREAMS", "s", "(1"], INVALID_ID),
    (["STREAMS", "str", "0"], "WRONGTYPE Operation against a key holding the wrong kind of "
                              "value"),
    (["STREAMS", "s", "str", "9", "0"], "WRONGTYPE Operation against a key holding the wrong "
                                        "kind of value"),
])
def test_xread_errors(five, args, msg):
    x(five, "SET", "str", "x")
    assert err(five, "XREAD", *args) == msg


# ---------------------------------------------------------------- blocking XREAD
def test_xread_block_waits_for_an_xadd_from_another_client(c, raw):
    add(c, "s", "1-0")
    conn = raw()
    conn.send(b"XREAD BLOCK 0 STREAMS s $\r\n")
    wait_blocked(c, 1)
    assert silent(conn)
    x(c, "XADD", "s", "2-0", "f", "new")
    want = arr(arr(bulk(b"s"), arr(entry(b"2-0", b"f", b"new"))))
    assert conn.recv(len(want)) == want
    wait_blocked(c, 0)


def test_one_xadd_serves_every_reader_blocked_on_the_stream(c, raw):
    conns = []
    for k in range(3):
        conn = raw()
        conn.send(b"XREAD BLOCK 5000 STREAMS other s $ $\r\n")
        wait_blocked(c, k + 1)
        conns.append(conn)
    x(c, "XADD", "s", "1-0", "a", "b")
    want = arr(arr(bulk(b"s"), arr(entry(b"1-0", b"a", b"b"))))
    for conn in conns:
        assert conn.recv(len(want)) == want
    wait_blocked(c, 0)


def test_xread_block_times_out_with_a_null_array(c, raw):
    conn = raw()
    t = time.time()
    assert conn.request(b"XREAD BLOCK 100 STREAMS s 0\r\n", b"*-1\r\n") == b"*-1\r\n"
    assert time.time() - t >= 0.09


def test_xread_block_with_data_available_answers_at_once(c):
    add(c, "s", "1-0")
    assert x(c, "XREAD", "BLOCK", "0", "STREAMS", "s", "0") == \
        [[b"s", [[b"1-0", [b"f", b"v1-0"]]]]]


def test_xread_block_inside_multi_answers_null_at_once(c):
    p = c.pipeline(transaction=True)
    p.execute_command("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    assert p.execute() == [None]


def test_blocked_xread_ignores_deletion_and_is_served_by_a_later_add(c, raw):
    add(c, "s", "5-0")
    conn = raw()
    conn.send(b"XREAD BLOCK 0 STREAMS s $\r\n")
    wait_blocked(c, 1)
    x(c, "DEL", "s")
    x(c, "XADD", "s", "3-0", "f", "v")      # not after 5-0: keep waiting
    assert silent(conn)
    x(c, "XADD", "s", "6-0", "f", "v")
    want = arr(arr(bulk(b"s"), arr(entry(b"6-0", b"f", b"v"))))
    assert conn.recv(len(want)) == want


def test_entries_added_and_deleted_in_one_transaction_wake_a_reader_with_nothing(c, raw):
    add(c, "s", "1-0")
    conn = raw()
    conn.send(b"XREAD BLOCK 0 STREAMS s $\r\n")
    wait_blocked(c, 1)
    p = c.pipeline(transaction=True)
    p.execute_command("XADD", "s", "2-0", "f", "v")
    p.execute_command("XDEL", "s", "2-0")
    p.execute()
    want = arr(arr(bulk(b"s"), arr()))
    assert conn.recv(len(want)) == want


# ---------------------------------------------------------------- XGROUP
def test_xgroup_create_setid_destroy_and_consumers(five):
    c = five
    assert x(c, "XGROUP", "CREATE", "s", "g", "$") == b"OK"
    assert x(c, "XGROUP", "CREATE", "s", "g0", "0", "ENTRIESREAD", "0") == b"OK"
    assert err(c, "XGROUP", "CREATE", "s", "g", "0") == \
        "BUSYGROUP Consumer Group name already exists"
    assert x(c, "XGROUP", "CREATECONSUMER", "s", "g", "alice") == 1
    assert x(c, "XGROUP", "CREATECONSUMER", "s", "g", "alice") == 0
    assert x(c, "XGROUP", "SETID", "s", "g", "2-1", "ENTRIESREAD", "2") == b"OK"
    gs = groups(c, "s")
    assert [(g[b"name"], g[b"consumers"], g[b"last-delivered-id"], g[b"entries-read"],
             g[b"lag"]) for g in gs] == [(b"g", 1, b"2-1", 2, 3), (b"g0", 0, b"0-0", 0, 5)]
    assert x(c, "XGROUP", "SETID", "s", "g", "+") == b"OK"     # not strict: + is allowed
    assert groups(c, "s")[0][b"last-delivered-id"] == \
        b"18446744073709551615-18446744073709551615"
    assert x(c, "XGROUP", "DELCONSUMER", "s", "g", "alice") == 0
    assert x(c, "XGROUP", "DELCONSUMER", "s", "g", "nobody") == 0
    assert x(c, "XGROUP", "DESTROY", "s", "g") == 1
    assert x(c, "XGROUP", "DESTROY", "s", "g") == 0
    assert [g[b"name"] for g in groups(c, "s")] == [b"g0"]


def test_xgroup_create_mkstream_makes_an_empty_stream(c):
    assert x(c, "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM") == b"OK"
    d = info(c, "STREAM", "s")
    assert (d[b"length"], d[b"groups"], d[b"last-generated-id"]) == (0, 1, b"0-0")
    assert groups(c, "s") == [{b"name": b"g", b"consumers": 0, b"pending": 0,
                               b"last-delivered-id": b"0-0", b"entries-read": None,
                               b"lag": 0}]


@pytest.mark.parametrize("args,msg", [
    (["CREATE", "nokey", "g", "0"],
     "The XGROUP subcommand requires the key to exist. Note that for CREATE you may want "
     "to use the MKSTREAM option to create an empty stream automatically."),
    (["CREATECONSUMER", "nokey", "g", "c"],
     "The XGROUP subcommand requires the key to exist. Note that for CREATE you may want "
     "to use the MKSTREAM option to create an empty stream automatically."),
    (["CREATE", "s", "g2", "x"], INVALID_ID),
    (["CREATE", "s", "g2", "+"], INVALID_ID),
    (["CREATE", "s", "g2", "0", "foo"],
     "unknown subcommand or wrong number of arguments for 'CREATE'. Try XGROUP HELP."),
    (["CREATE", "s", "g2", "0", "ENTRIESREAD", "-2"],
     "value for ENTRIESREAD must be positive or -1"),
    (["CREATE", "s", "g2", "0", "ENTRIESREAD", "x"], "value is not an integer or out of range"),
    (["CREATE", "s", "g3", "0", "MKSTREAM", "MKSTREAM", "MKSTREAM", "MKSTREAM"],
     "unknown subcommand or wrong number of arguments for 'CREATE'. Try XGROUP HELP."),
    (["SETID", "s", "nog", "0"], "NOGROUP No such consumer group 'nog' for key name 's'"),
    (["SETID", "s", "g", "0", "MKSTREAM"],
     "unknown subcommand or wrong number of arguments for 'SETID'. Try XGROUP HELP."),
    (["setid", "s", "g", "0", "x", "y", "z"],
     "unknown subcommand or wrong number of arguments for 'setid'. Try XGROUP HELP."),
    (["SETID", "s", "g", "(1"], INVALID_ID),
    (["SETID", "s", "g", "3", "ENTRIESREAD"],
     "unknown subcommand or wrong number of arguments for 'SETID'. Try XGROUP HELP."),
    (["CREATECONSUMER", "s", "nog", "c"],
     "NOGROUP No such consumer group 'nog' for key name 's'"),
    (["DELCONSUMER", "s", "nog", "c"], "NOGROUP No such consumer group 'nog' for key name 's'"),
    (["DESTROY", "s", "g", "x"], "wrong number of arguments for 'xgroup|destroy' command"),
    (["CREATE", "s", "g"], "wrong number of arguments for 'xgroup|create' command"),
    (["foo"], "unknown subcommand 'foo'. Try XGROUP HELP."),
    (["SETID", "str", "g", "0"], "WRONGTYPE Operation against a key holding the wrong kind of "
                                 "value"),
    (["CREATE", "str", "g", "0", "MKSTREAM"], "WRONGTYPE Operation against a key holding the "
                                              "wrong kind of value"),
])
def test_xgroup_errors(five, args, msg):
    x(five, "XGROUP", "CREATE", "s", "g", "0")
    x(five, "SET", "str", "x")
    assert err(five, "XGROUP", *args) == msg


def test_xgroup_and_xinfo_help(c):
    h = x(c, "XGROUP", "HELP")
    assert h[0] == b"XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert h[1] == b"CREATE <key> <groupname> <id|$> [option]"
    assert h[-1] == b"    Prints this help." and len(h) == 17
    assert x(c, "XINFO", "HELP") == [
        b"XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        b"CONSUMERS <key> <groupname>", b"    Show consumers of <groupname>.",
        b"GROUPS <key>", b"    Show the stream consumer groups.",
        b"STREAM <key> [FULL [COUNT <count>]", b"    Show information about the stream.",
        b"HELP", b"    Prints this help."]


# ---------------------------------------------------------------- XREADGROUP
def test_xreadgroup_delivers_new_entries_once_and_tracks_them_as_pending(five):
    c = five
    x(c, "XGROUP", "CREATE", "s", "g", "0")
    assert x(c, "XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">") == \
        [[b"s", [[b"1-1", [b"f", b"v1-1"]], [b"2-1", [b"f", b"v2-1"]]]]]
    assert x(c, "XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">") == \
        [[b"s", [[b"3-1", [b"f", b"v3-1"]], [b"4-1", [b"f", b"v4-1"]],
                 [b"5-1", [b"f", b"v5-1"]]]]]
    assert x(c, "XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">") is None
    assert x(c, "XPENDING", "s", "g") == [5, b"1-1", b"5-1", [[b"alice", b"2"], [b"bob", b"3"]]]
    g = groups(c, "s")[0]
    assert (g[b"pending"], g[b"last-delivered-id"], g[b"entries-read"], g[b"lag"]) == \
        (5, b"5-1", 5, 0)


def test_xreadgroup_history_reads_only_the_consumers_own_pending_entries(five):
    c = five
    x(c, "XGROUP", "CREATE", "s", "g", "0")
    x(c, "XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">")
    x(c, "XREADGROUP", "GROUP", "g", "bob", "COUNT", "1", "STREAMS", "s", ">")
    assert x(c, "XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0") == \
        [[b"s", [[b"1-1", [b"f", b"v1-1"]], [b"2-1", [b"f", b"v2-1"]]]]]
    assert x(c, "XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "1-1") == \
        [[b"s", [[b"2-1", [b"f", b"v2-1"]]]]]
    x(c, "XDEL", "s", "1-1")
    assert x(c, "XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0") == \
        [[b"s", [[b"1-1", None], [b"2-1", [b"f", b"v2-1"]]]]]
    assert x(c, "XREADGROUP", "GROUP", "g", "carol", "STREAMS", "s", "0") == [[b"s", []]]
    counts = {e[0]: e[3] for e in x(c, "XPENDING", "s", "g", "-", "+", "10")}
    assert counts == {b"1-1": 2, b"2-1": 4, b"3-1": 1}   # history reads count deliveries


def test_xreadgroup_history_reply_marks_a_deleted_entry_with_a_null_array(five, raw):
    c = five
    x(c, "XGROUP", "CREATE", "s", "g", "0")
    x(c, "XREADGROUP", "GROUP", "g", "a", "COUNT", "1", "STREAMS", "s", ">")
    x(c, "XDEL", "s", "1-1")
    want = arr(arr(bulk(b"s"), arr(arr(bulk(b"1-1"), b"*-1\r\n"))))
    assert raw().request(b"XREADGROUP GROUP g a STREAMS s 0\r\n", want) == want


def test_xreadgroup_noack_advances_the_group_without_pending_entries(five):
    c = five
    x(c, "XGROUP", "CREATE", "s", "g", "0")
    assert len(x(c, "XREADGROUP", "GROUP", "g", "a", "NOACK", "STREAMS", "s", ">")[0][1]) == 5
    assert x(c, "XPENDING", "s", "g") == [0, None, None, None]
    assert [cn[b"name"] for cn in consumers(c, "s", "g")] == [b"a"]


def test_xreadgroup_creates_a_consumer_only_when_it_serves_it(five):
    c = five
    x(c, "XGROUP", "CREATE", "s", "g", "$")
    assert x(c, "XREADGROUP", "GROUP", "g", "idle", "STREAMS", "s", ">") is None
    assert consumers(c, "s", "g") == []
    x(c, "XREADGROUP", "GROUP", "g", "hist", "STREAMS", "s", "0")
    assert [cn[b"name"] for cn in consumers(c, "s", "g")] == [b"hist"]


def test_xreadgroup_in_resp3_replies_a_map(c3):
    x(c3, "XADD", "s", "1-0", "f", "v")
    x(c3, "XGROUP", "CREATE", "s", "g", "0")
    assert x(c3, "XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", ">") == \
        {b"s": [[b"1-0", [b"f", b"v"]]]}
    assert x(c3, "XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", ">") is None


@pytest.mark.parametrize("args,msg", [
    (["GROUP", "g", "c", "STREAMS", "s", "$"],
     "The $ ID is meaningless in the context of XREADGROUP: you want to read the history of "
     "this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID "
     "would just return an empty result set."),
    (["GROUP", "nog", "c", "STREAMS", "s", ">"],
     "NOGROUP No such key 's' or consumer group 'nog' in XREADGROUP with GROUP option"),
    (["GROUP", "g", "c", "STREAMS", "nokey", ">"],
     "NOGROUP No such key 'nokey' or consumer group 'g' in XREADGROUP with GROUP option"),
    (["GROUP", "g", "c", "STREAMS", "s", "x"], INVALID_ID),
    (["GROUP", "g", "c", "STREAMS", "s", "+"], INVALID_ID),
    (["COUNT", "1", "STREAMS", "s", "0", "1", "2"], "Missing GROUP option for XREADGROUP"),
    (["COUNT", "1", "NOACK", "STREAMS", "s", "0"], "Missing GROUP option for XREADGROUP"),
    (["GROUP", "g", "c", "STREAMS", "s", "t", ">"],
     "Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified."),
    (["GROUP", "g", "streams", "s", "0", "1"], "syntax error"),
    (["GROUP", "g", "c", "BLOCK", "0", "x", "STREAMS", "s", "0"], "syntax error"),
    (["GROUP", "g", "c", "STREAMS", "str", ">"],
     "WRONGTYPE Operation against a key holding the wrong kind of value"),
    (["GROUP", "g", "c", "STREAMS", "s"], "wrong number of arguments for 'xreadgroup' command"),
])
def test_xreadgroup_errors(five, args, msg):
    x(five, "XGROUP", "CREATE", "s", "g", "0")
    x(five, "SET", "str", "x")
    assert err(five, "XREADGROUP", *args) == msg


# ---------------------------------------------------------------- blocking XREADGROUP
def test_blocked_xreadgroup_consumers_share_new_entries(c, raw):
    x(c, "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    a, b = raw(), raw()
    a.send(b"XREADGROUP GROUP g alice BLOCK 5000 STREAMS s >\r\n")
    wait_blocked(c, 1)
    b.send(b"XREADGROUP GROUP g bob BLOCK 5000 STREAMS s >\r\n")
    wait_blocked(c, 2)
    x(c, "XADD", "s", "1-0", "job", "1")
    want = arr(arr(bulk(b"s"), arr(entry(b"1-0", b"job", b"1"))))
    assert a.recv(len(want)) == want
    assert silent(b)                          # alice took it: bob keeps waiting
    x(c, "XADD", "s", "2-0", "job", "2")
    want = arr(arr(bulk(b"s"), arr(entry(b"2-0", b"job", b"2"))))
    assert b.recv(len(want)) == want
    assert x(c, "XPENDING", "s", "g") == [2, b"1-0", b"2-0", [[b"alice", b"1"], [b"bob", b"1"]]]


def test_destroying_the_group_unblocks_its_readers_with_nogroup(c, raw):
    x(c, "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    conn = raw()
    conn.send(b"XREADGROUP GROUP g a BLOCK 0 STREAMS s >\r\n")
    wait_blocked(c, 1)
    x(c, "XGROUP", "DESTROY", "s", "g")
    want = b"-NOGROUP the consumer group this client was blocked on no longer exists\r\n"
    assert conn.recv(len(want)) == want


def test_deleting_the_stream_unblocks_every_xreadgroup_reader(c, raw):
    x(c, "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    conns = []
    for k in range(2):
        conn = raw()
        conn.send(b"XREADGROUP GROUP g c%d BLOCK 0 STREAMS s >\r\n" % k)
        wait_blocked(c, k + 1)
        conns.append(conn)
    x(c, "DEL", "s")
    want = b"-UNBLOCKED the stream key no longer exists\r\n"
    for conn in conns:
        assert conn.recv(len(want)) == want
    wait_blocked(c, 0)


def test_xreadgroup_block_times_out_with_a_null_array(c, raw):
    x(c, "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    conn = raw()
    assert conn.request(b"XREADGROUP GROUP g a BLOCK 100 STREAMS s >\r\n", b"*-1\r\n") == \
        b"*-1\r\n"
    assert consumers(c, "s", "g") == []


# ---------------------------------------------------------------- XACK / XPENDING
def test_xack_removes_pending_entries_and_counts_them(five):
    c = five
    x(c, "XGROUP", "CREATE", "s", "g", "0")
    x(c, "XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", ">")
    assert x(c, "XACK", "s", "g", "1-1", "2-1", "9-9", "1-1") == 2
    assert x(c, "XPENDING", "s", "g") == [3, b"3-1", b"5-1", [[b"a", b"3"]]]
    assert x(c, "XACK", "s", "nog", "3-1") == 0
    assert x(c, "XACK", "nokey", "g", "x") == 0        # no key: IDs are not even parsed
    assert err(c, "XACK", "s", "g", "3-1", "x") == INVALID_ID
    assert x(c, "XPENDING", "s", "g")[0] == 3
    x(c, "SET", "str", "x")
    assert err(c, "XACK", "str", "g", "1").startswith("WRONGTYPE")


def test_xpending_extended_form_with_idle_and_consumer_filters(five):
    c = five
    x(c, "XGROUP", "CREATE", "s", "g", "0")
    x(c, "XREADGROUP", "GROUP", "g", "a", "COUNT", "2", "STREAMS", "s", ">")
    time.sleep(0.12)
    x(c, "XREADGROUP", "GROUP", "g", "b", "STREAMS", "s", ">")
    rows = x(c, "XPENDING", "s", "g", "-", "+", "10")
    assert [(r[0], r[1], r[3]) for r in rows] == [
        (b"1-1", b"a", 1), (b"2-1", b"a", 1), (b"3-1", b"b", 1), (b"4-1", b"b", 1),
        (b"5-1", b"b", 1)]
    assert all(r[2] >= 100 for r in rows[:2]) and all(r[2] < 100 for r in rows[2:])
    assert [r[0] for r in x(c, "XPENDING", "s", "g", "IDLE", "100", "-", "+", "10")] == \
        [b"1-1", b"2-1"]
    assert [r[0] for r in x(c, "XPENDING", "s", "g", "(2-1", "+", "2", "b")] == \
        [b"3-1", b"4-1"]
    assert x(c, "XPENDING", "s", "g", "-", "+", "10", "nobody") == []
    assert x(c, "XPENDING", "s", "g", "-", "+", "-5") == []
    assert [r[0] for r in x(c, "XPENDING", "s", "g", "-", "+", "1", "a", "extra")] == [b"1-1"]


def test_xpending_summary_of_an_empty_pel_uses_nulls(c, raw):
    x(c, "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    assert raw().request(b"XPENDING s g\r\n", b"*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n") == \
        b"*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n"


@pytest.mark.parametrize("args,msg", [
    (["s", "g", "x"], "syntax error"),
    (["s", "g", "-", "+"], "syntax error"),
    (["s", "g", "-", "+", "x"], "value is not an integer or out of range"),
    (["s", "g", "IDLE", "5", "-", "+"], "syntax error"),
    (["s", "g", "IDLE", "x", "-", "+", "10"], "value is not an integer or out of range"),
    (["s", "g", "IDLE", "1", "-", "+", "10", "c", "extra"], "syntax error"),
    (["s", "g", "(", "+", "10"], INVALID_ID),
    (["s", "g", "(+", "+", "10"], INVALID_ID),
    (["s", "nog"], "NOGROUP No such key 's' or consumer group 'nog'"),
    (["nokey", "g"], "NOGROUP No such key 'nokey' or consumer group 'g'"),
    (["str", "g"], "WRONGTYPE Operation against a key holding the wrong kind of value"),
    (["s"], "wrong number of arguments for 'xpending' command"),
])
def test_xpending_errors(five, args, msg):
    x(five, "XGROUP", "CREATE", "s", "g", "0")
    x(five, "SET", "str", "x")
    assert err(five, "XPENDING", *args) == msg


# ---------------------------------------------------------------- XCLAIM / XAUTOCLAIM
def test_xclaim_moves_idle_entries_and_respects_min_idle(five):
    c = five
    x(c, "XGROUP", "CREATE", "s", "g", "0")
    x(c, "XREADGROUP", "GROUP", "g", "a", "COUNT", "3", "STREAMS", "s", ">")
    assert x(c, "XCLAIM", "s", "g", "b", "3600000", "1-1") == []      # not idle enough
    assert consumers(c, "s", "g")[0][b"name"] == b"a"                # b was not created
    assert x(c, "XCLAIM", "s", "g", "b", "0", "1-1", "2-1", "9-9") == \
        [[b"1-1", [b"f", b"v1-1"]], [b"2-1", [b"f", b"v2-1"]]]
    rows = x(c, "XPENDING", "s", "g", "-", "+", "10")
    assert [(r[0], r[1], r[3]) for r in rows] == [(b"1-1", b"b", 2), (b"2-1", b"b", 2),
                                                  (b"3-1", b"a", 1)]
    assert x(c, "XCLAIM", "s", "g", "c", "0", "3-1", "JUSTID") == [b"3-1"]
    assert x(c, "XPENDING", "s", "g", "-", "+", "10")[2][3] == 1    # JUSTID: no increment
    assert x(c, "XCLAIM", "s", "g", "c", "0", "3-1", "RETRYCOUNT", "7", "IDLE", "5000",
             "JUSTID") == [b"3-1"]
    row = x(c, "XPENDING", "s", "g", "-", "+", "10", "c")[0]
    assert row[3] == 7 and 5000 <= row[2] < 60000


def test_xclaim_force_creates_pending_entries_and_lastid_moves_the_group(five):
    c = five
    x(c, "XGROUP", "CREATE", "s", "g", "0")
    assert x(c, "XCLAIM", "s", "g", "a", "0", "4-1", "9-9", "FORCE", "JUSTID") == [b"4-1"]
    assert x(c, "XCLAIM", "s", "g", "a", "0", "5-1", "FORCE") == [[b"5-1", [b"f", b"v5-1"]]]
    assert [(r[0], r[3]) for r in x(c, "XPENDING", "s", "g", "-", "+", "10")] == \
        [(b"4-1", 1), (b"5-1", 2)]
    assert x(c, "XCLAIM", "s", "g", "a", "0", "1-1", "LASTID", "3-1") == []
    assert groups(c, "s")[0][b"last-delivered-id"] == b"3-1"


def test_xclaim_drops_deleted_entries_from_the_pel(five):
    c = five
    x(c, "XGROUP", "CREATE", "s", "g", "0")
    x(c, "XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", ">")
    x(c, "XDEL", "s", "2-1")
    assert ids(x(c, "XCLAIM", "s", "g", "b", "0", "1-1", "2-1", "3-1")) == [b"1-1", b"3-1"]
    assert x(c, "XPENDING", "s", "g") == [4, b"1-1", b"5-1", [[b"a", b"2"], [b"b", b"2"]]]


@pytest.mark.parametrize("args,msg", [
    (["s", "nog", "c", "0", "1-1"], "NOGROUP No such key 's' or consumer group 'nog'"),
    (["nokey", "g", "c", "0", "1-1"], "NOGROUP No such key 'nokey' or consumer group 'g'"),
    (["s", "g", "c", "x", "1-1"], "Invalid min-idle-time argument for XCLAIM"),
    (["s", "g", "c", "0", "x"], "Unrecognized XCLAIM option 'x'"),
    (["s", "g", "c", "0", "1-1", "IDLE", "x"], "Invalid IDLE option argument for XCLAIM"),
    (["s", "g", "c", "0", "1-1", "TIME", "x"], "Invalid TIME option argument for XCLAIM"),
    (["s", "g", "c", "0", "1-1", "RETRYCOUNT", "x"],
     "Invalid RETRYCOUNT option argument for XCLAIM"),
    (["s", "g", "c", "0", "1-1", "LASTID", "x"], INVALID_ID),
    (["s", "g", "c", "0", "1-1", "IDLE"], "Unrecognized XCLAIM option 'IDLE'"),
    (["s", "g", "c", "0", "1-1", "FORCE", "JUSTID", "2-1"],
     "Unrecognized XCLAIM option '2-1'"),
    (["s", "g", "c", "0", "1-1", "+"], "Unrecognized XCLAIM option '+'"),
    (["str", "g", "c", "0", "1-1"], "WRONGTYPE Operation against a key holding the wrong kind "
                                    "of value"),
    (["s", "g", "c", "0"], "wrong number of arguments for 'xclaim' command"),
])
def test_xclaim_errors(five, args, msg):
    x(five, "XGROUP", "CREATE", "s", "g", "0")
    x(five, "SET", "str", "x")
    assert err(five, "XCLAIM", *args) == msg


def test_xautoclaim_scans_the_pel_like_a_cursor(five):
    c = five
    x(c, "XGROUP", "CREATE", "s", "g", "0")
    x(c, "XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", ">")
    assert x(c, "XAUTOCLAIM", "s", "g", "b", "0", "0", "COUNT", "2") == \
        [b"3-1", [[b"1-1", [b"f", b"v1-1"]], [b"2-1", [b"f", b"v2-1"]]], []]
    assert x(c, "XAUTOCLAIM", "s", "g", "b", "0", "3-1", "COUNT", "2", "JUSTID") == \
        [b"5-1", [b"3-1", b"4-1"], []]
    assert x(c, "XAUTOCLAIM", "s", "g", "b", "0", "(4-1") == [b"0-0", [[b"5-1", [b"f", b"v5-1"]]],
                                                            []]
    assert x(c, "XAUTOCLAIM", "s", "g", "b", "3600000", "0") == [b"0-0", [], []]
    assert x(c, "XPENDING", "s", "g") == [5, b"1-1", b"5-1", [[b"b", b"5"]]]


def test_xautoclaim_reports_and_clears_deleted_entries_counting_them(five):
    c = five
    x(c, "XGROUP", "CREATE", "s", "g", "0")
    x(c, "XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", ">")
    x(c, "XDEL", "s", "1-1", "2-1", "3-1")
    assert x(c, "XAUTOCLAIM", "s", "g", "b", "0", "0", "COUNT", "1") == [b"2-1", [], [b"1-1"]]
    assert x(c, "XAUTOCLAIM", "s", "g", "b", "0", "0", "COUNT", "3") == \
        [b"5-1", [[b"4-1", [b"f", b"v4-1"]]], [b"2-1", b"3-1"]]
    assert [cn[b"name"] for cn in consumers(c, "s", "g")] == [b"a", b"b"]
    assert x(c, "XPENDING", "s", "g") == [2, b"4-1", b"5-1", [[b"a", b"1"], [b"b", b"1"]]]


@pytest.mark.parametrize("args,msg", [
    (["s", "g", "c", "x", "0"], "Invalid min-idle-time argument for XAUTOCLAIM"),
    (["s", "g", "c", "0", "x"], INVALID_ID),
    (["s", "g", "c", "0", "0", "COUNT", "0"], "COUNT must be > 0"),
    (["s", "g", "c", "0", "0", "COUNT", "-1"], "COUNT must be > 0"),
    (["s", "g", "c", "0", "0", "COUNT", "x"], "COUNT must be > 0"),
    (["s", "g", "c", "0", "0", "COUNT", "922337203685477580"], "COUNT must be > 0"),
    (["s", "g", "c", "0", "0", "foo"], "syntax error"),
    (["s", "g", "c", "0", "0", "COUNT"], "syntax error"),
    (["s", "nog", "c", "0", "0"], "NOGROUP No such key 's' or consumer group 'nog'"),
    (["s", "nog", "c", "0", "x"], INVALID_ID),             # arguments are parsed first
    (["s", "g", "c", "0", "(18446744073709551615-18446744073709551615"],
     "invalid start ID for the interval"),
    (["str", "g", "c", "0", "0"], "WRONGTYPE Operation against a key holding the wrong kind "
                                  "of value"),
    (["s", "g", "c", "0"], "wrong number of arguments for 'xautoclaim' command"),
])
def test_xautoclaim_errors(five, args, msg):
    x(five, "XGROUP", "CREATE", "s", "g", "0")
    x(five, "SET", "str", "x")
    assert err(five, "XAUTOCLAIM", *args) == msg


def test_a_crashed_consumers_entries_are_taken_over_with_xautoclaim(c):
    """Consumer A reads and "crashes" (never acks); once the entries have been idle long
    enough, consumer B claims them with XAUTOCLAIM, processes and acks them, and the
    group has nothing pending."""
    x(c, "XGROUP", "CREATE", "jobs", "workers", "$", "MKSTREAM")
    for k in range(1, 6):
        x(c, "XADD", "jobs", f"{k}-0", "job", str(k))
    got = x(c, "XREADGROUP", "GROUP", "workers", "A", "COUNT", "10", "STREAMS", "jobs", ">")
    assert ids(got[0][1]) == [b"1-0", b"2-0", b"3-0", b"4-0", b"5-0"]
    # B finds nothing to steal while A's entries are fresh
    assert x(c, "XAUTOCLAIM", "jobs", "workers", "B", "200", "0") == [b"0-0", [], []]
    time.sleep(0.25)
    cursor, taken = b"0", []
    while True:
        cursor, claimed, deleted = x(c, "XAUTOCLAIM", "jobs", "workers", "B", "200", cursor,
                                     "COUNT", "2")
        assert deleted == []
        taken += claimed
        if cursor == b"0-0":
            break
    assert [(e[0], e[1]) for e in taken] == [(f"{k}-0".encode(), [b"job", str(k).encode()])
                                             for k in range(1, 6)]
    assert x(c, "XPENDING", "jobs", "workers") == [5, b"1-0", b"5-0", [[b"B", b"5"]]]
    assert x(c, "XACK", "jobs", "workers", *ids(taken)) == 5
    assert x(c, "XPENDING", "jobs", "workers") == [0, None, None, None]
    assert {cn[b"name"]: cn[b"pending"] for cn in consumers(c, "jobs", "workers")} == \
        {b"A": 0, b"B": 0}


# ---------------------------------------------------------------- XINFO
def test_xinfo_stream_summary_and_full_form(five):
    c = five
    x(c, "XGROUP", "CREATE", "s", "g", "0")
    x(c, "XREADGROUP", "GROUP", "g", "a", "COUNT", "2", "STREAMS", "s", ">")
    d = info(c, "STREAM", "s")
    assert list(d) == [b"length", b"radix-tree-keys", b"radix-tree-nodes",
                       b"last-generated-id", b"max-deleted-entry-id", b"entries-added",
                       b"recorded-first-entry-id", b"groups", b"first-entry", b"last-entry"]
    assert (d[b"length"], d[b"radix-tree-keys"], d[b"radix-tree-nodes"], d[b"groups"]) == \
        (5, 1, 2, 1)
    assert d[b"first-entry"] == [b"1-1", [b"f", b"v1-1"]]
    assert d[b"last-entry"] == [b"5-1", [b"f", b"v5-1"]]
    full = info(c, "STREAM", "s", "FULL", "COUNT", "1")
    assert list(full) == [b"length", b"radix-tree-keys", b"radix-tree-nodes",
                          b"last-generated-id", b"max-deleted-entry-id", b"entries-added",
                          b"recorded-first-entry-id", b"entries", b"groups"]
    assert full[b"entries"] == [[b"1-1", [b"f", b"v1-1"]]]
    g = dict(zip(full[b"groups"][0][0::2], full[b"groups"][0][1::2]))
    assert list(g) == [b"name", b"last-delivered-id", b"entries-read", b"lag", b"pel-count",
                       b"pending", b"consumers"]
    assert (g[b"last-delivered-id"], g[b"entries-read"], g[b"lag"], g[b"pel-count"]) == \
        (b"2-1", 2, 3, 2)
    assert len(g[b"pending"]) == 1 and g[b"pending"][0][:2] == [b"1-1", b"a"]
    cons = dict(zip(g[b"consumers"][0][0::2], g[b"consumers"][0][1::2]))
    assert list(cons) == [b"name", b"seen-time", b"pel-count", b"pending"]
    assert cons[b"pel-count"] == 2 and len(cons[b"pending"]) == 1
    assert abs(cons[b"seen-time"] - time.time() * 1000) < 60_000
    assert len(info(c, "STREAM", "s", "FULL", "COUNT", "0")[b"entries"]) == 5


def test_xinfo_of_an_empty_stream(c):
    x(c, "XADD", "s", "1-0", "f", "v")
    x(c, "XDEL", "s", "1-0")
    assert info(c, "STREAM", "s") == {
        b"length": 0, b"radix-tree-keys": 0, b"radix-tree-nodes": 1,
        b"last-generated-id": b"1-0", b"max-deleted-entry-id": b"1-0", b"entries-added": 1,
        b"recorded-first-entry-id": b"0-0", b"groups": 0, b"first-entry": None,
        b"last-entry": None}


def test_xinfo_consumers_and_groups_are_listed_by_name(five):
    c = five
    for name in ("zed", "amy", "Bob"):
        x(c, "XGROUP", "CREATE", "s", name, "0")
    for name in ("zed", "amy", "Bob"):
        x(c, "XGROUP", "CREATECONSUMER", "s", "amy", name)
    assert [g[b"name"] for g in groups(c, "s")] == [b"Bob", b"amy", b"zed"]
    cs = consumers(c, "s", "amy")
    assert [cn[b"name"] for cn in cs] == [b"Bob", b"amy", b"zed"]
    assert all(list(cn) == [b"name", b"pending", b"idle"] and cn[b"pending"] == 0 and
               0 <= cn[b"idle"] < 60_000 for cn in cs)


def test_xinfo_resp3_maps(c3):
    x(c3, "XADD", "s", "1-0", "f", "v")
    x(c3, "XGROUP", "CREATE", "s", "g", "0")
    d = x(c3, "XINFO", "STREAM", "s")
    assert d[b"first-entry"] == [b"1-0", [b"f", b"v"]] and d[b"groups"] == 1
    assert x(c3, "XINFO", "GROUPS", "s") == [{b"name": b"g", b"consumers": 0, b"pending": 0,
                                              b"last-delivered-id": b"0-0",
                                              b"entries-read": None, b"lag": 1}]


@pytest.mark.parametrize("args,msg", [
    (["STREAM", "nokey"], "no such key"),
    (["STREAM", "str"], "WRONGTYPE Operation against a key holding the wrong kind of value"),
    (["STREAM", "s", "foo"],
     "unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP."),
    (["stream", "s", "full", "count"],
     "unknown subcommand or wrong number of arguments for 'stream'. Try XINFO HELP."),
    (["STREAM", "s", "FULL", "COUNT", "x"], "value is not an integer or out of range"),
    (["STREAM", "s", "FULL", "CNT", "1"],
     "unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP."),
    (["GROUPS", "s", "x"], "wrong number of arguments for 'xinfo|groups' command"),
    (["CONSUMERS", "s"], "wrong number of arguments for 'xinfo|consumers' command"),
    (["CONSUMERS", "s", "nog"], "NOGROUP No such consumer group 'nog' for key name 's'"),
    (["CONSUMERS", "nokey", "g"], "no such key"),
    (["foo", "s"], "unknown subcommand 'foo'. Try XINFO HELP."),
])
def test_xinfo_errors(five, args, msg):
    x(five, "SET", "str", "x")
    assert err(five, "XINFO", *args) == msg


# ---------------------------------------------------------------- entries-read and lag
def test_lag_follows_deliveries_and_becomes_unknown_after_fragmentation(five):
    c = five
    x(c, "XGROUP", "CREATE", "s", "g", "0")

    def state():
        g = groups(c, "s")[0]
        return g[b"entries-read"], g[b"lag"]
    assert state() == (None, 5)              # before the first entry: lag is the length
    x(c, "XREADGROUP", "GROUP", "g", "a", "COUNT", "1", "STREAMS", "s", ">")
    assert state() == (1, 4)
    x(c, "XDEL", "s", "3-1")                 # a tombstone ahead of the group
    assert state() == (1, None)
    x(c, "XREADGROUP", "GROUP", "g", "a", "COUNT", "1", "STREAMS", "s", ">")
    assert state() == (None, None)           # reading across it loses the counter
    x(c, "XREADGROUP", "GROUP", "g", "a", "COUNT", "1", "STREAMS", "s", ">")
    assert state() == (None, None)
    x(c, "XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", ">")
    assert state() == (5, 0)                 # the last entry's counter is entries-added
    x(c, "XADD", "s", "6-0", "f", "v")
    x(c, "XGROUP", "SETID", "s", "g", "$")
    assert state() == (None, 0)
    x(c, "XGROUP", "SETID", "s", "g", "0", "ENTRIESREAD", "3")
    assert state() == (3, None)


def test_xsetid_sets_last_id_entries_added_and_max_deleted(five):
    c = five
    assert x(c, "XSETID", "s", "9-0", "ENTRIESADDED", "20", "MAXDELETEDID", "8-0") == b"OK"
    d = info(c, "STREAM", "s")
    assert (d[b"last-generated-id"], d[b"entries-added"], d[b"max-deleted-entry-id"]) == \
        (b"9-0", 20, b"8-0")
    assert err(c, "XADD", "s", "9-0", "f", "v") == TOP_ITEM
    assert x(c, "XSETID", "s", "5-1") == b"OK"          # down to the top entry is fine
    assert x(c, "XADD", "s", "*", "f", "v") != b""


@pytest.mark.parametrize("args,msg", [
    (["s", "x"], INVALID_ID),
    (["s", "+"], INVALID_ID),
    (["nokey", "1"], "no such key"),
    (["str", "1"], "WRONGTYPE Operation against a key holding the wrong kind of value"),
    (["s", "1"], "The ID specified in XSETID is smaller than the target stream top item"),
    (["s", "9999", "ENTRIESADDED", "-1"], "entries_added must be positive"),
    (["s", "9999", "ENTRIESADDED", "1"],
     "The entries_added specified in XSETID is smaller than the target stream length"),
    (["s", "9999", "MAXDELETEDID", "99999"],
     "The ID specified in XSETID is smaller than the provided max_deleted_entry_id"),
    (["s", "9999", "MAXDELETEDID", "x"], INVALID_ID),
    (["s", "9999", "foo"], "syntax error"),
    (["s", "9999", "ENTRIESADDED"], "syntax error"),
    (["s"], "wrong number of arguments for 'xsetid' command"),
])
def test_xsetid_errors(five, args, msg):
    x(five, "SET", "str", "x")
    assert err(five, "XSETID", *args) == msg


# ---------------------------------------------------------------- keyspace, WATCH, COPY
def test_stream_commands_send_redis_keyspace_events(c, server):
    x(c, "CONFIG", "SET", "notify-keyspace-events", "KEA")
    sub = server.client(protocol=2)
    try:
        p = sub.pubsub()
        p.psubscribe("__keyevent@0__:*")
        assert p.get_message(timeout=1)["type"] == "psubscribe"
        for args in (["XADD", "s", "1-0", "f", "v"], ["XADD", "s", "2-0", "f", "v"],
                     ["XADD", "s", "MAXLEN", "1", "3-0", "f", "v"],
                     ["XGROUP", "CREATE", "s", "g", "0"],
                     ["XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", ">"],
                     ["XCLAIM", "s", "g", "b", "0", "3-0"], ["XACK", "s", "g", "3-0"],
                     ["XGROUP", "CREATECONSUMER", "s", "g", "c"],
                     ["XGROUP", "SETID", "s", "g", "0"], ["XDEL", "s", "3-0"],
                     ["XTRIM", "s", "MAXLEN", "0"], ["XSETID", "s", "9-0"],
                     ["XGROUP", "DELCONSUMER", "s", "g", "c"],
                     ["XGROUP", "DESTROY", "s", "g"]):
            x(c, *args)
        events = []
        while True:
            m = p.get_message(timeout=0.3)
            if m is None:
                break
            events.append(m["channel"].split(b":", 1)[1])
        assert events == [b"xadd", b"xadd", b"xadd", b"xtrim", b"xgroup-create",
                          b"xgroup-createconsumer", b"xgroup-createconsumer",
                          b"xgroup-createconsumer", b"xgroup-setid", b"xdel", b"xsetid",
                          b"xgroup-delconsumer", b"xgroup-destroy"]
        p.close()
    finally:
        sub.close()
        x(c, "CONFIG", "SET", "notify-keyspace-events", "")


@pytest.mark.parametrize("args,touched", [
    (["XADD", "s", "9-0", "f", "v"], True),
    (["XDEL", "s", "1-0"], True),
    (["XDEL", "s", "7-7"], False),
    (["XTRIM", "s", "MAXLEN", "1"], True),
    (["XTRIM", "s", "MAXLEN", "5"], False),
    (["XACK", "s", "g", "1-0"], False),
    (["XCLAIM", "s", "g", "b", "0", "1-0"], False),
    (["XAUTOCLAIM", "s", "g", "b", "0", "0"], False),
    (["XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", ">"], False),
    (["XGROUP", "CREATE", "s", "g2", "0"], False),
    (["XGROUP", "SETID", "s", "g", "0"], False),
    (["XGROUP", "DESTROY", "s", "g"], False),
    (["XGROUP", "CREATECONSUMER", "s", "g", "c9"], False),
    (["XSETID", "s", "9-0"], False),
])
def test_which_stream_writes_invalidate_a_watch(c, server, args, touched):
    x(c, "XADD", "s", "1-0", "f", "v")
    x(c, "XADD", "s", "2-0", "f", "v")
    x(c, "XGROUP", "CREATE", "s", "g", "0")
    x(c, "XREADGROUP", "GROUP", "g", "a", "COUNT", "1", "STREAMS", "s", ">")
    other = server.client(protocol=2)
    try:
        p = c.pipeline(transaction=True)
        p.watch("s")
        other.execute_command(*args)
        p.multi()
        p.ping()
        if touched:
            with pytest.raises(redis.WatchError):
                p.execute()
        else:
            assert p.execute() == [b"PONG"]
    finally:
        other.close()


def test_copy_duplicates_entries_groups_and_pending_entries(five):
    c = five
    x(c, "XGROUP", "CREATE", "s", "g", "0")
    x(c, "XREADGROUP", "GROUP", "g", "a", "COUNT", "2", "STREAMS", "s", ">")
    assert x(c, "COPY", "s", "t") == 1
    x(c, "XACK", "s", "g", "1-1")
    x(c, "XADD", "s", "6-0", "f", "v")
    assert x(c, "XLEN", "t") == 5
    assert x(c, "XPENDING", "t", "g") == [2, b"1-1", b"2-1", [[b"a", b"2"]]]
    assert x(c, "XREADGROUP", "GROUP", "g", "a", "STREAMS", "t", "0") == \
        [[b"t", [[b"1-1", [b"f", b"v1-1"]], [b"2-1", [b"f", b"v2-1"]]]]]
    ti, si = info(c, "STREAM", "t"), info(c, "STREAM", "s")
    assert ti[b"entries-added"] == 5 and si[b"entries-added"] == 6


def test_command_info_of_stream_commands(c):
    xadd = x(c, "COMMAND", "INFO", "XADD")[0]
    assert xadd[1:6] == [-5, [b"write", b"denyoom", b"fast"], 1, 1, 1]
    xread = x(c, "COMMAND", "INFO", "XREAD")[0]
    assert xread[1:6] == [-4, [b"readonly", b"blocking", b"movablekeys"], 0, 0, 0]
    assert x(c, "COMMAND", "GETKEYS", "XREAD", "COUNT", "2", "STREAMS", "a", "b", "0", "0") == \
        [b"a", b"b"]
    assert x(c, "COMMAND", "GETKEYS", "XREADGROUP", "GROUP", "g", "c", "STREAMS", "a", ">") == \
        [b"a"]


# ---------------------------------------------------------------- propagation (ours)
def _engine():
    e = Engine(clock=lambda: 1_700_000_000.0)
    cl = e.connect()
    out = []
    e.propagators.append(lambda dbid, argv: out.append([bytes(a) for a in argv]))

    def run(*args):
        return e.execute(cl, [a.encode() if isinstance(a, str) else a for a in args])
    return run, out


@pytest.mark.ours_only("propagation is observed in-process (Redis's own AOF matched it)")
def test_xadd_propagates_the_generated_id_and_exact_trimming(ours):
    run, out = _engine()
    run("XADD", "s", "*", "f", "v")
    run("XADD", "s", "1700000000000-*", "f", "v")
    run("XADD", "s", "MAXLEN", "~", "0", "1700000000001-0", "f", "v")
    run("XTRIM", "s", "MINID", "~", "99999999999999")
    assert out == [[b"XADD", b"s", b"1700000000000-0", b"f", b"v"],
                   [b"XADD", b"s", b"1700000000000-1", b"f", b"v"],
                   [b"XADD", b"s", b"MAXLEN", b"=", b"0", b"1700000000001-0", b"f", b"v"]]
    assert run("XLEN", "s") == 0


@pytest.mark.ours_only("propagation is observed in-process (Redis's own AOF matched it)")
def test_group_reads_and_claims_propagate_as_xclaim_and_xgroup_setid(ours):
    run, out = _engine()
    run("XADD", "s", "1-0", "f", "v")
    run("XADD", "s", "2-0", "f", "v")
    run("XGROUP", "CREATE", "s", "g", "0")
    del out[:]
    run("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">")
    t = b"1700000000000"
    assert out == [
        [b"MULTI"],
        [b"XCLAIM", b"s", b"g", b"c", b"0", b"1-0", b"TIME", t, b"RETRYCOUNT", b"1",
         b"FORCE", b"JUSTID", b"LASTID", b"1-0"],
        [b"XCLAIM", b"s", b"g", b"c", b"0", b"2-0", b"TIME", t, b"RETRYCOUNT", b"1",
         b"FORCE", b"JUSTID", b"LASTID", b"2-0"],
        [b"EXEC"]]
    del out[:]
    run("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0")      # history: nothing
    run("XADD", "s", "3-0", "f", "v")
    run("XREADGROUP", "GROUP", "g", "n", "NOACK", "STREAMS", "s", ">")
    run("XAUTOCLAIM", "s", "g", "d", "0", "0", "COUNT", "1")
    run("XCLAIM", "s", "g", "d", "0", "9-9", "LASTID", "8-0")
    assert out == [
        [b"XADD", b"s", b"3-0", b"f", b"v"],
        [b"MULTI"], [b"XGROUP", b"CREATECONSUMER", b"s", b"g", b"n"],
        [b"XGROUP", b"SETID", b"s", b"g", b"3-0", b"ENTRIESREAD", b"3"], [b"EXEC"],
        [b"XCLAIM", b"s", b"g", b"d", b"0", b"1-0", b"TIME", t, b"RETRYCOUNT", b"3",
         b"FORCE", b"JUSTID", b"LASTID", b"3-0"],
        [b"XGROUP", b"SETID", b"s", b"g", b"8-0", b"ENTRIESREAD", b"3"]]


@pytest.mark.ours_only("propagation is observed in-process (Redis's own AOF matched it)")
def test_a_served_blocked_xreadgroup_propagates_its_claims(ours):
    e = Engine(clock=lambda: 1_700_000_000.0)
    reader, writer = e.connect(), e.connect()
    replies, out = [], []
    reader.unblock_hook = replies.append
    e.propagators.append(lambda dbid, argv: out.append([bytes(a) for a in argv]))

    def run(cl, *args):
        return e.execute(cl, [a.encode() for a in args])
    run(writer, "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    run(reader, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">")
    assert replies == [] and reader.blocked is not None
    del out[:]
    run(writer, "XADD", "s", "1-0", "a", "1")
    assert replies == [[[b"s", [(b"1-0", (b"a", b"1"))]]]]
    assert out == [[b"XADD", b"s", b"1-0", b"a", b"1"],
                   [b"XCLAIM", b"s", b"g", b"c", b"0", b"1-0", b"TIME", b"1700000000000",
                    b"RETRYCOUNT", b"1", b"FORCE", b"JUSTID", b"LASTID", b"1-0"]]
