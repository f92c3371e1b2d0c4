"""Lists: every non-blocking list command (and the blocking ones when they can serve at
once), replies and error texts as Redis 7.0.15 gives them.

Each test runs twice per server: with the default quicklist node size and with
list-max-listpack-size 1 (one element per node), so Redis's multi-node paths are covered;
Redis 7.0 reports "quicklist" either way.
"""
import pytest
import redis

LLONG_MAX = 2**63 - 1
LLONG_MIN = -2**63


@pytest.fixture(autouse=True, params=["-2", "1"], ids=["nodes-8kb", "nodes-1"])
def node_size(request, r):
    r.config_set("list-max-listpack-size", request.param)
    yield request.param
    r.config_set("list-max-listpack-size", "-2")


def err(r, *args) -> str:
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command(*args)
    return str(e.value)


WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
NOT_INT = "value is not an integer or out of range"


# ---------------------------------------------------------------- pushes
def test_lpush_prepends_each_element_in_turn_and_rpush_appends(r):
    assert r.lpush("l", "a", "b", "c") == 3
    assert r.rpush("l", "x", "y") == 5
    assert r.lrange("l", 0, -1) == [b"c", b"b", b"a", b"x", b"y"]
    assert r.type("l") == b"list"


def test_a_list_is_quicklist_encoded_small_or_large(r):
    r.rpush("small", "a")
    r.rpush("big", *[str(i) * 20 for i in range(600)])
    assert r.object("encoding", "small") == b"quicklist"
    assert r.object("encoding", "big") == b"quicklist"
    r.ltrim("big", 0, 0)
    assert r.object("encoding", "big") == b"quicklist"


def test_push_commands_reject_other_types(r):
    r.set("s", "v")
    for cmd in ("LPUSH", "RPUSH", "LPUSHX", "RPUSHX"):
        assert err(r, cmd, "s", "x") == WRONGTYPE


def test_pushx_only_pushes_onto_an_existing_list(r):
    assert r.lpushx("l", "a") == 0
    assert r.rpushx("l", "a", "b") == 0
    assert r.exists("l") == 0
    r.rpush("l", "m")
    assert r.lpushx("l", "a", "b") == 3
    assert r.rpushx("l", "y", "z") == 5
    assert r.lrange("l", 0, -1) == [b"b", b"a", b"m", b"y", b"z"]


def test_push_arity(r):
    assert err(r, "LPUSH", "l") == "wrong number of arguments for 'lpush' command"
    assert err(r, "RPUSHX", "l") == "wrong number of arguments for 'rpushx' command"


def test_binary_elements_round_trip(r):
    data = [b"\x00\xff\r\n", b"", b"x" * 10000]
    r.rpush("l", *data)
    assert r.lrange("l", 0, -1) == data
    assert r.lpos("l", b"") == 1


# ---------------------------------------------------------------- reads
def test_llen_counts_elements_and_is_zero_for_a_missing_key(r):
    assert r.llen("l") == 0
    r.rpush("l", *range(100))
    assert r.llen("l") == 100
    r.set("s", "v")
    assert err(r, "LLEN", "s") == WRONGTYPE


def test_lindex_reads_from_either_end(r):
    r.rpush("l", "a", "b", "c")
    assert r.lindex("l", 0) == b"a"
    assert r.lindex("l", 2) == b"c"
    assert r.lindex("l", -1) == b"c"
    assert r.lindex("l", -3) == b"a"
    assert r.lindex("l", 3) is None
    assert r.lindex("l", -4) is None
    assert r.lindex("l", LLONG_MAX) is None


def test_lindex_checks_the_key_before_the_index(r):
    assert r.lindex("nokey", "notanint") is None
    r.rpush("l", "a")
    assert err(r, "LINDEX", "l", "x") == NOT_INT
    assert err(r, "LINDEX", "l", "1.5") == NOT_INT
    r.set("s", "v")
    assert err(r, "LINDEX", "s", "x") == WRONGTYPE


def test_lrange_clamps_indexes_like_redis(r):
    r.rpush("l", *"abcde")
    assert r.lrange("l", 0, -1) == [b"a", b"b", b"c", b"d", b"e"]
    assert r.lrange("l", 1, 2) == [b"b", b"c"]
    assert r.lrange("l", -2, -1) == [b"d", b"e"]
    assert r.lrange("l", -100, 1) == [b"a", b"b"]
    assert r.lrange("l", 3, 100) == [b"d", b"e"]
    assert r.lrange("l", 2, 1) == []
    assert r.lrange("l", 5, 10) == []
    assert r.lrange("l", -1, -2) == []
    assert r.lrange("l", -100, -50) == []
    assert r.lrange("nokey", 0, -1) == []


def test_lrange_with_huge_indexes_returns_only_the_data(r):
    r.rpush("l", "a", "b")
    assert r.lrange("l", 0, LLONG_MAX) == [b"a", b"b"]
    assert r.lrange("l", LLONG_MIN, LLONG_MAX) == [b"a", b"b"]
    assert r.lrange("l", LLONG_MIN, LLONG_MIN) == []
    assert err(r, "LRANGE", "l", 0, 2**63) == NOT_INT


def test_lrange_reads_the_tail_of_a_long_list(r):
    r.rpush("l", *range(5000))
    assert r.lrange("l", -3, -1) == [b"4997", b"4998", b"4999"]
    assert r.lrange("l", 4990, 4992) == [b"4990", b"4991", b"4992"]
    assert r.lrange("l", 0, 2) == [b"0", b"1", b"2"]
    assert len(r.lrange("l", 100, -100)) == 4801


def test_lrange_parses_indexes_before_the_key(r):
    assert err(r, "LRANGE", "nokey", "x", 1) == NOT_INT
    assert err(r, "LRANGE", "nokey", 0, "1.0") == NOT_INT
    r.set("s", "v")
    assert err(r, "LRANGE", "s", 0, 1) == WRONGTYPE


def test_lpos_finds_the_first_match(r):
    r.rpush("l", "a", "b", "c", "1", "2", "3", "c", "c")
    assert r.lpos("l", "c") == 2
    assert r.lpos("l", "z") is None
    assert r.lpos("nokey", "c") is None


def test_lpos_rank_skips_matches_and_negative_rank_searches_from_the_tail(r):
    r.rpush("l", "a", "b", "c", "1", "2", "3", "c", "c")
    assert r.lpos("l", "c", rank=2) == 6
    assert r.lpos("l", "c", rank=4) is None
    assert r.lpos("l", "c", rank=-1) == 7
    assert r.lpos("l", "c", rank=-3) == 2
    assert r.execute_command("LPOS", "l", "c", "RANK", LLONG_MIN) == 7


def test_lpos_count_returns_an_array_of_positions(r):
    r.rpush("l", "a", "b", "c", "1", "2", "3", "c", "c")
    assert r.lpos("l", "c", count=2) == [2, 6]
    assert r.lpos("l", "c", count=0) == [2, 6, 7]
    assert r.lpos("l", "c", count=0, rank=2) == [6, 7]
    assert r.lpos("l", "c", count=2, rank=-1) == [7, 6]
    assert r.lpos("l", "z", count=2) == []
    assert r.lpos("nokey", "c", count=0) == []
    assert r.execute_command("LPOS", "l", "c", "RANK", LLONG_MIN, "COUNT", 2) == [7, 6, 2]


def test_lpos_maxlen_limits_the_comparisons(r):
    r.rpush("l", "a", "b", "c", "1", "2", "3", "c", "c")
    assert r.lpos("l", "c", maxlen=2) is None
    assert r.lpos("l", "c", maxlen=3) == 2
    assert r.lpos("l", "c", count=0, maxlen=7) == [2, 6]
    assert r.lpos("l", "c", count=0, maxlen=1, rank=-1) == [7]
    assert r.lpos("l", "a", maxlen=0) == 0


def test_lpos_option_errors(r):
    r.rpush("l", "a")
    rank0 = ("RANK can't be zero: use 1 to start from the first match, 2 from the second "
             "... or use negative to start from the end of the list")
    assert err(r, "LPOS", "l", "a", "RANK", 0) == rank0
    assert err(r, "LPOS", "l", "a", "RANK", "x") == NOT_INT
    assert err(r, "LPOS", "l", "a", "COUNT", -1) == "COUNT can't be negative"
    assert err(r, "LPOS", "l", "a", "COUNT", "x") == "COUNT can't be negative"
    assert err(r, "LPOS", "l", "a", "MAXLEN", -1) == "MAXLEN can't be negative"
    assert err(r, "LPOS", "l", "a", "MAXLEN", "x") == "MAXLEN can't be negative"
    assert err(r, "LPOS", "l", "a", "FOO") == "syntax error"
    assert err(r, "LPOS", "l", "a", "COUNT") == "syntax error"
    assert err(r, "LPOS", "nokey", "a", "RANK", 0) == rank0
    r.set("s", "v")
    assert err(r, "LPOS", "s", "a") == WRONGTYPE


# ---------------------------------------------------------------- in-place writes
def test_lset_replaces_an_element(r):
    r.rpush("l", "a", "b", "c")
    assert r.lset("l", 1, "B") is True
    assert r.lset("l", -1, "C") is True
    assert r.lrange("l", 0, -1) == [b"a", b"B", b"C"]


def test_lset_errors(r):
    assert err(r, "LSET", "nokey", 0, "x") == "no such key"
    assert err(r, "LSET", "nokey", "x", "x") == "no such key"
    r.rpush("l", "a")
    assert err(r, "LSET", "l", 1, "x") == "index out of range"
    assert err(r, "LSET", "l", -2, "x") == "index out of range"
    assert err(r, "LSET", "l", "x", "x") == NOT_INT
    r.set("s", "v")
    assert err(r, "LSET", "s", 0, "x") == WRONGTYPE


def test_linsert_before_and_after_the_first_pivot(r):
    r.rpush("l", "a", "b", "a")
    assert r.linsert("l", "before", "a", "x") == 4
    assert r.linsert("l", "AFTER", "b", "y") == 5
    assert r.lrange("l", 0, -1) == [b"x", b"a", b"b", b"y", b"a"]
    assert r.linsert("l", "after", "zz", "q") == -1
    assert r.linsert("nokey", "after", "a", "q") == 0
    assert r.exists("nokey") == 0


def test_linsert_errors(r):
    assert err(r, "LINSERT", "nokey", "middle", "a", "x") == "syntax error"
    r.set("s", "v")
    assert err(r, "LINSERT", "s", "before", "a", "x") == WRONGTYPE
    assert err(r, "LINSERT", "s", "middle", "a", "x") == "syntax error"


def test_lrem_removes_from_the_head_the_tail_or_everywhere(r):
    r.rpush("l", "a", "b", "a", "c", "a", "b")
    assert r.lrem("l", 2, "a") == 2
    assert r.lrange("l", 0, -1) == [b"b", b"c", b"a", b"b"]
    assert r.lrem("l", -1, "b") == 1
    assert r.lrange("l", 0, -1) == [b"b", b"c", b"a"]
    assert r.lrem("l", 0, "zz") == 0
    r.rpush("l", "b", "b")
    assert r.lrem("l", 0, "b") == 3
    assert r.lrange("l", 0, -1) == [b"c", b"a"]


def test_lrem_of_every_element_deletes_the_key(r):
    r.rpush("l", "a", "a")
    assert r.lrem("l", 0, "a") == 2
    assert r.exists("l") == 0
    assert r.lrem("nokey", 0, "a") == 0


def test_lrem_errors(r):
    assert err(r, "LREM", "nokey", "x", "a") == NOT_INT
    r.set("s", "v")
    assert err(r, "LREM", "s", 0, "a") == WRONGTYPE


def test_ltrim_keeps_the_range(r):
    r.rpush("l", *"abcdef")
    assert r.ltrim("l", 1, -2) is True
    assert r.lrange("l", 0, -1) == [b"b", b"c", b"d", b"e"]
    assert r.ltrim("l", -2, 100) is True
    assert r.lrange("l", 0, -1) == [b"d", b"e"]
    assert r.ltrim("l", 0, 0) is True
    assert r.lrange("l", 0, -1) == [b"d"]


def test_ltrim_to_an_empty_range_deletes_the_key(r):
    r.rpush("l", *"abc")
    assert r.ltrim("l", 2, 1) is True
    assert r.exists("l") == 0
    r.rpush("l", *"abc")
    assert r.ltrim("l", 5, 10) is True
    assert r.exists("l") == 0
    assert r.ltrim("nokey", 0, 1) is True


def test_ltrim_as_a_capped_list(r):
    for i in range(250):
        r.lpush("l", i)
        r.ltrim("l", 0, 99)
    assert r.llen("l") == 100
    assert r.lindex("l", 0) == b"249"
    assert r.lindex("l", -1) == b"150"


def test_ltrim_errors(r):
    assert err(r, "LTRIM", "nokey", "x", 1) == NOT_INT
    r.set("s", "v")
    assert err(r, "LTRIM", "s", 0, 1) == WRONGTYPE


# ---------------------------------------------------------------- pops
def test_lpop_and_rpop_take_one_element(r):
    r.rpush("l", "a", "b", "c")
    assert r.lpop("l") == b"a"
    assert r.rpop("l") == b"c"
    assert r.lpop("l") == b"b"
    assert r.exists("l") == 0
    assert r.lpop("l") is None
    assert r.rpop("l") is None


def test_pop_with_a_count_returns_an_array_in_pop_order(r):
    r.rpush("l", *"abcde")
    assert r.lpop("l", 2) == [b"a", b"b"]
    assert r.rpop("l", 2) == [b"e", b"d"]
    assert r.rpop("l", 10) == [b"c"]
    assert r.exists("l") == 0


def test_pop_count_zero_is_an_empty_array_but_a_missing_key_is_a_null_array(r, raw):
    r.rpush("l", "a")
    assert r.lpop("l", 0) == []
    conn = raw()
    assert conn.request(b"LPOP l 0\r\n", b"*0\r\n") == b"*0\r\n"
    assert conn.request(b"LPOP nokey 1\r\n", b"*-1\r\n") == b"*-1\r\n"
    assert conn.request(b"RPOP nokey 0\r\n", b"*-1\r\n") == b"*-1\r\n"
    assert conn.request(b"RPOP nokey\r\n", b"$-1\r\n") == b"$-1\r\n"


def test_pop_count_on_a_missing_key_is_null_in_resp3(raw):
    conn = raw()
    conn.request(b"HELLO 3\r\n", b"%7\r\n")
    conn.recv(1, timeout=0.3)
    assert conn.request(b"LPOP nokey 2\r\n", b"_\r\n") == b"_\r\n"
    assert conn.request(b"RPOP nokey\r\n", b"_\r\n") == b"_\r\n"


def test_pop_errors(r):
    r.rpush("l", "a")
    positive = "value is out of range, must be positive"
    assert err(r, "LPOP", "l", -1) == positive
    assert err(r, "LPOP", "l", "x") == positive
    assert err(r, "RPOP", "nokey", "x") == positive
    assert err(r, "LPOP", "l", 1, 2) == "wrong number of arguments for 'lpop' command"
    assert err(r, "RPOP") == "wrong number of arguments for 'rpop' command"
    r.set("s", "v")
    assert err(r, "LPOP", "s") == WRONGTYPE
    assert err(r, "RPOP", "s", 1) == WRONGTYPE


def test_lmpop_pops_from_the_first_non_empty_list(r):
    r.rpush("b", "1", "2", "3")
    assert r.execute_command("LMPOP", 2, "a", "b", "LEFT") == [b"b", [b"1"]]
    assert r.execute_command("LMPOP", 2, "a", "b", "right", "COUNT", 5) == [b"b", [b"3", b"2"]]
    assert r.exists("b") == 0
    assert r.execute_command("LMPOP", 2, "a", "b", "LEFT") is None


def test_lmpop_errors(r):
    assert err(r, "LMPOP", 0, "l", "LEFT") == "numkeys should be greater than 0"
    assert err(r, "LMPOP", -1, "l", "LEFT") == "numkeys should be greater than 0"
    assert err(r, "LMPOP", "x", "l", "LEFT") == "numkeys should be greater than 0"
    assert err(r, "LMPOP", 1, "l", "MIDDLE") == "syntax error"
    assert err(r, "LMPOP", 2, "l", "LEFT") == "syntax error"
    assert err(r, "LMPOP", 1, "l", "LEFT", "COUNT", 0) == "count should be greater than 0"
    assert err(r, "LMPOP", 1, "l", "LEFT", "COUNT", "x") == "count should be greater than 0"
    assert err(r, "LMPOP", 1, "l", "LEFT", "COUNT", 1, "COUNT", 1) == "syntax error"
    assert err(r, "LMPOP", 1, "l", "LEFT", "COUNT") == "syntax error"
    assert err(r, "LMPOP", 1, "l") == "wrong number of arguments for 'lmpop' command"
    r.set("s", "v")
    r.rpush("l", "a")
    assert err(r, "LMPOP", 2, "s", "l", "LEFT") == WRONGTYPE
    assert r.execute_command("LMPOP", 2, "nokey", "l", "LEFT") == [b"l", [b"a"]]


# ---------------------------------------------------------------- moves
@pytest.mark.parametrize("wf,wt,popped,src,dst", [
    ("LEFT", "LEFT", b"a", [b"b", b"c"], [b"a", b"x"]),
    ("LEFT", "RIGHT", b"a", [b"b", b"c"], [b"x", b"a"]),
    ("RIGHT", "LEFT", b"c", [b"a", b"b"], [b"c", b"x"]),
    ("RIGHT", "RIGHT", b"c", [b"a", b"b"], [b"x", b"c"]),
])
def test_lmove_in_every_direction(r, wf, wt, popped, src, dst):
    r.rpush("s", "a", "b", "c")
    r.rpush("d", "x")
    assert r.lmove("s", "d", wf, wt) == popped
    assert r.lrange("s", 0, -1) == src
    assert r.lrange("d", 0, -1) == dst


def test_lmove_creates_the_destination_and_deletes_an_emptied_source(r):
    r.rpush("s", "a")
    assert r.lmove("s", "d", "LEFT", "RIGHT") == b"a"
    assert r.exists("s") == 0
    assert r.lrange("d", 0, -1) == [b"a"]
    assert r.lmove("s", "d", "LEFT", "RIGHT") is None


def test_lmove_onto_itself_rotates(r):
    r.rpush("l", "a", "b", "c")
    assert r.lmove("l", "l", "LEFT", "RIGHT") == b"a"
    assert r.lrange("l", 0, -1) == [b"b", b"c", b"a"]
    assert r.rpoplpush("l", "l") == b"a"
    assert r.lrange("l", 0, -1) == [b"a", b"b", b"c"]
    r.rpush("one", "x")
    assert r.lmove("one", "one", "RIGHT", "LEFT") == b"x"
    assert r.lrange("one", 0, -1) == [b"x"]


def test_lmove_to_a_key_of_another_type_changes_nothing(r):
    r.rpush("s", "a")
    r.set("d", "v")
    assert err(r, "LMOVE", "s", "d", "LEFT", "LEFT") == WRONGTYPE
    assert err(r, "RPOPLPUSH", "s", "d") == WRONGTYPE
    assert r.lrange("s", 0, -1) == [b"a"]
    assert err(r, "LMOVE", "d", "s", "LEFT", "LEFT") == WRONGTYPE
    assert r.rpoplpush("nokey", "d") is None


def test_lmove_direction_is_checked_before_the_key(r):
    assert err(r, "LMOVE", "nokey", "d", "UP", "LEFT") == "syntax error"
    assert err(r, "LMOVE", "nokey", "d", "LEFT", "DOWN") == "syntax error"


def test_rpoplpush_moves_tail_to_head(r):
    r.rpush("s", "a", "b")
    r.rpush("d", "x")
    assert r.rpoplpush("s", "d") == b"b"
    assert r.lrange("d", 0, -1) == [b"b", b"x"]


# ---------------------------------------------------------------- blocking, served at once
def test_blpop_serves_at_once_from_the_first_non_empty_key(r):
    r.rpush("b", "1", "2")
    assert r.blpop(["a", "b"], 1) == (b"b", b"1")
    assert r.brpop(["a", "b"], 1) == (b"b", b"2")
    assert r.exists("b") == 0


def test_blpop_stops_at_a_key_of_another_type(r):
    r.set("a", "v")
    r.rpush("b", "1")
    assert err(r, "BLPOP", "nokey", "a", "b", 1) == WRONGTYPE
    r.rpush("c", "x")
    assert r.blpop(["c", "a"], 1) == (b"c", b"x")


def test_blmpop_and_blmove_serve_at_once(r):
    r.rpush("l", *"abc")
    assert r.execute_command("BLMPOP", 1, 2, "x", "l", "RIGHT", "COUNT", 2) == \
        [b"l", [b"c", b"b"]]
    assert r.blmove("l", "d", 1, "LEFT", "RIGHT") == b"a"
    r.rpush("l", "z")
    assert r.brpoplpush("l", "d", 1) == b"z"
    assert r.lrange("d", 0, -1) == [b"z", b"a"]


# ---------------------------------------------------------------- side effects
def test_list_events_in_redis_order(r, server):
    p = server.client().pubsub()
    r.config_set("notify-keyspace-events", "KEA")
    try:
        p.psubscribe("__keyspace@0__:*")
        p.get_message(timeout=1)
        r.rpush("s", "a")
        r.lmove("s", "d", "LEFT", "LEFT")
        r.rpop("d")
        events = []
        for _ in range(6):
            m = p.get_message(timeout=1)
            if m is None:
                break
            events.append((m["channel"].split(b":", 1)[1], m["data"]))
        assert events == [(b"s", b"rpush"), (b"d", b"lpush"), (b"s", b"lpop"), (b"s", b"del"),
                          (b"d", b"rpop"), (b"d", b"del")]
    finally:
        r.config_set("notify-keyspace-events", "")
        p.close()


def test_a_list_key_keeps_its_ttl_across_pushes_and_pops(r):
    r.rpush("l", "a", "b")
    r.expire("l", 100)
    r.lpush("l", "c")
    r.rpop("l")
    assert 0 < r.ttl("l") <= 100
