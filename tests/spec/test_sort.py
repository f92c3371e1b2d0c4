"""SORT and SORT_RO over lists, sets and sorted sets: ordering rules, BY/GET patterns
(keys and hash fields), LIMIT clamping, STORE, and the errors, as Redis 7.0.15 does them."""
import pytest
import redis

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
NOT_DOUBLE = "One or more scores can't be converted into double"


def err(r, *args) -> str:
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command(*args)
    return str(e.value)


def sort(r, *args):
    return r.execute_command("SORT", *args)


@pytest.fixture
def users(r):
    """A list of ids with weights, names and hash fields, as the SORT docs use."""
    r.rpush("ids", 3, 1, 2, 10)
    r.mset({"w_1": 30, "w_2": 10, "w_3": 20, "w_10": 5,
            "name_1": "alice", "name_2": "bob", "name_3": "carol", "name_10": "dave"})
    for i, age in ((1, 41), (2, 17), (3, 33), (10, 25)):
        r.hset(f"u:{i}", mapping={"age": age, "nick": f"n{i}"})
    return r


# ---------------------------------------------------------------- ordering
def test_sort_orders_numbers_numerically(r):
    r.rpush("l", 3, 10, -1, "2.5", "1e1", "0x10")
    assert sort(r, "l") == [b"-1", b"2.5", b"3", b"10", b"1e1", b"0x10"]
    assert sort(r, "l", "DESC") == [b"0x10", b"1e1", b"10", b"3", b"2.5", b"-1"]


def test_equal_scores_are_ordered_by_the_elements_bytes(r):
    r.rpush("l", "10", "1e1", "10.0", "010")
    assert sort(r, "l") == [b"010", b"10", b"10.0", b"1e1"]
    assert sort(r, "l", "DESC") == [b"1e1", b"10.0", b"10", b"010"]


def test_sort_accepts_what_strtod_accepts(r):
    r.rpush("l", " 5", "inf", "-inf", "", "+3")
    assert sort(r, "l") == [b"-inf", b"", b"+3", b" 5", b"inf"]


@pytest.mark.parametrize("bad", ["abc", "1 ", "nan", "1e400", "1e-400", "1_0", "5x"])
def test_a_non_numeric_element_fails_a_numeric_sort(r, bad):
    r.rpush("l", "1", bad)
    assert err(r, "SORT", "l") == NOT_DOUBLE
    assert err(r, "SORT", "l", "STORE", "dst") == NOT_DOUBLE
    assert r.exists("dst") == 0


def test_alpha_sorts_by_bytes(r):
    r.rpush("l", "b", "a", "B", "10", "9", "ab", "")
    assert sort(r, "l", "ALPHA") == [b"", b"10", b"9", b"B", b"a", b"ab", b"b"]
    assert sort(r, "l", "ALPHA", "DESC") == [b"b", b"ab", b"a", b"B", b"9", b"10", b""]


def test_sort_of_a_set_and_a_sorted_set(r):
    r.sadd("s", 5, 3, 100, 7)
    r.zadd("z", {"x": 3, "y": 1, "z": 2, "7": 0})
    assert sort(r, "s") == [b"3", b"5", b"7", b"100"]
    assert sort(r, "s", "DESC", "LIMIT", 1, 2) == [b"7", b"5"]
    assert sort(r, "z", "ALPHA") == [b"7", b"x", b"y", b"z"]
    assert sort(r, "z", "BY", "nosort") == [b"7", b"y", b"z", b"x"]
    assert sort(r, "z", "BY", "nosort", "DESC") == [b"x", b"z", b"y", b"7"]
    assert err(r, "SORT", "z") == NOT_DOUBLE


def test_sort_of_a_missing_key_is_empty(r):
    assert sort(r, "nokey") == []
    assert sort(r, "nokey", "BY", "nosort", "LIMIT", 0, 10) == []
    assert sort(r, "nokey", "STORE", "dst") == 0


def test_sort_of_another_type_is_wrongtype(r):
    r.set("s", "v")
    r.hset("h", "f", "v")
    assert err(r, "SORT", "s") == WRONGTYPE
    assert err(r, "SORT_RO", "h") == WRONGTYPE


# ---------------------------------------------------------------- BY and GET
def test_by_sorts_on_the_weights_of_other_keys(users):
    r = users
    assert sort(r, "ids", "BY", "w_*") == [b"10", b"2", b"3", b"1"]
    assert sort(r, "ids", "BY", "w_*", "DESC") == [b"1", b"3", b"2", b"10"]
    assert sort(r, "ids", "BY", "u:*->age") == [b"2", b"10", b"3", b"1"]
    assert sort(r, "ids", "BY", "name_*", "ALPHA", "DESC") == [b"10", b"3", b"2", b"1"]


def test_missing_weights_count_as_zero_or_sort_first_with_alpha(users):
    r = users
    r.rpush("ids", 7)
    assert sort(r, "ids", "BY", "w_*") == [b"7", b"10", b"2", b"3", b"1"]
    assert sort(r, "ids", "BY", "name_*", "ALPHA") == [b"7", b"1", b"2", b"3", b"10"]
    assert sort(r, "ids", "BY", "u:*->nosuchfield") == [b"1", b"10", b"2", b"3", b"7"]


def test_a_weight_of_another_type_counts_as_missing(users):
    r = users
    r.delete("w_2")
    r.rpush("w_2", "list")
    assert sort(r, "ids", "BY", "w_*") == [b"2", b"10", b"3", b"1"]
    assert sort(r, "ids", "BY", "w_*->f") == [b"1", b"10", b"2", b"3"]


def test_a_non_numeric_weight_fails_the_sort(users):
    r = users
    r.set("w_3", "heavy")
    assert err(r, "SORT", "ids", "BY", "w_*") == NOT_DOUBLE


def test_by_without_a_star_keeps_the_native_order(users):
    r = users
    assert sort(r, "ids", "BY", "nosort") == [b"3", b"1", b"2", b"10"]
    assert sort(r, "ids", "BY", "nosort", "DESC") == [b"10", b"2", b"1", b"3"]
    assert sort(r, "ids", "BY", "nosort", "LIMIT", 1, 2) == [b"1", b"2"]
    assert sort(r, "ids", "BY", "nosort", "DESC", "LIMIT", 1, 2) == [b"2", b"1"]
    assert sort(r, "ids", "BY", "w_->x") == [b"3", b"1", b"2", b"10"]


def test_get_returns_keys_fields_and_the_element_itself(users):
    r = users
    assert sort(r, "ids", "GET", "name_*") == [b"alice", b"bob", b"carol", b"dave"]
    assert sort(r, "ids", "BY", "w_*", "GET", "#", "GET", "u:*->nick", "GET", "name_*") == [
        b"10", b"n10", b"dave", b"2", b"n2", b"bob",
        b"3", b"n3", b"carol", b"1", b"n1", b"alice"]


def test_get_of_missing_keys_fields_and_other_types_is_null(users):
    r = users
    r.delete("name_2")
    r.sadd("name_2", "x")
    assert sort(r, "ids", "GET", "name_*", "GET", "u:*->nope", "GET", "fixed") == [
        b"alice", None, None, None, None, None, b"carol", None, None, b"dave", None, None]
    assert sort(r, "ids", "GET", "name_*->f", "LIMIT", 0, 1) == [None]


def test_a_hash_field_pattern_needs_a_field_after_the_arrow(r):
    r.rpush("l", "1")
    r.set("k_1->", "literal")
    r.hset("h_1", "a->b", "nested")
    assert sort(r, "l", "GET", "k_*->") == [b"literal"]
    assert sort(r, "l", "GET", "h_*->a->b") == [b"nested"]


# ---------------------------------------------------------------- LIMIT
@pytest.mark.parametrize("offset,count,want", [
    (0, 2, [b"1", b"2"]), (2, 10, [b"3", b"4"]), (-5, 2, [b"1", b"2"]),
    (1, -1, [b"2", b"3", b"4"]), (4, 1, []), (10, 1, []), (0, 0, []), (3, 1, [b"4"]),
])
def test_limit_is_clamped_like_redis(r, offset, count, want):
    r.rpush("l", 4, 2, 3, 1)
    assert sort(r, "l", "LIMIT", offset, count) == want
    r.rpush("n", 1, 2, 3, 4)
    assert sort(r, "n", "BY", "nosort", "LIMIT", offset, count) == want


def test_limit_errors(r):
    r.rpush("l", 1)
    assert err(r, "SORT", "l", "LIMIT", "x", 1) == "value is not an integer or out of range"
    assert err(r, "SORT", "l", "LIMIT", 0, "1.5") == "value is not an integer or out of range"
    assert err(r, "SORT", "l", "LIMIT", 0) == "syntax error"


# ---------------------------------------------------------------- STORE
def test_store_writes_a_list_and_returns_its_length(users):
    r = users
    r.set("dst", "old")
    r.expire("dst", 100)
    assert sort(r, "ids", "BY", "w_*", "STORE", "dst") == 4
    assert r.lrange("dst", 0, -1) == [b"10", b"2", b"3", b"1"]
    assert r.type("dst") == b"list"
    assert r.ttl("dst") == -1
    assert sort(r, "ids", "GET", "name_*", "GET", "nosuch_*", "STORE", "dst") == 8
    assert r.lrange("dst", 0, 3) == [b"alice", b"", b"bob", b""]


def test_store_of_an_empty_result_deletes_the_destination(r):
    r.rpush("dst", "x")
    assert sort(r, "nokey", "STORE", "dst") == 0
    assert r.exists("dst") == 0
    r.rpush("l", 1, 2)
    assert sort(r, "l", "LIMIT", 5, 1, "STORE", "dst") == 0


def test_store_of_a_set_without_sorting_sorts_alpha(r):
    r.sadd("s", "b", "c", "a", "10", "9")
    assert sort(r, "s", "BY", "nosort", "STORE", "dst") == 5
    assert r.lrange("dst", 0, -1) == [b"10", b"9", b"a", b"b", b"c"]


def test_the_last_store_wins(r):
    r.rpush("l", 2, 1)
    assert sort(r, "l", "STORE", "a", "STORE", "b") == 2
    assert r.exists("a") == 0
    assert r.lrange("b", 0, -1) == [b"1", b"2"]


def test_store_onto_the_sorted_key_replaces_it(r):
    r.rpush("l", 3, 1, 2)
    assert sort(r, "l", "STORE", "l") == 3
    assert r.lrange("l", 0, -1) == [b"1", b"2", b"3"]


def test_store_event_is_sortstore(r, server):
    p = server.client().pubsub()
    r.config_set("notify-keyspace-events", "Kl")
    try:
        p.psubscribe("__keyspace@0__:dst")
        p.get_message(timeout=1)
        r.rpush("l", 1)
        sort(r, "l", "STORE", "dst")
        m = p.get_message(timeout=1)
        assert m is not None and m["data"] == b"sortstore"
    finally:
        r.config_set("notify-keyspace-events", "")
        p.close()


# ---------------------------------------------------------------- syntax, SORT_RO
def test_option_syntax_errors(r):
    r.rpush("l", 1)
    for args in (("FOO",), ("BY",), ("GET",), ("STORE",), ("LIMIT", 1)):
        assert err(r, "SORT", "l", *args) == "syntax error"
    assert err(r, "SORT") == "wrong number of arguments for 'sort' command"
    assert err(r, "SORT", "nokey", "FOO") == "syntax error"


def test_options_are_case_insensitive_and_repeatable(r):
    r.rpush("l", 2, 3, 1)
    assert sort(r, "l", "desc", "asc", "limit", 0, 2) == [b"1", b"2"]


def test_sort_ro_sorts_but_cannot_store(r):
    r.rpush("l", 2, 1)
    assert r.execute_command("SORT_RO", "l") == [b"1", b"2"]
    assert r.execute_command("SORT_RO", "l", "BY", "nosort", "DESC") == [b"1", b"2"]
    assert err(r, "SORT_RO", "l", "STORE", "dst") == "syntax error"


def test_sort_inside_multi(r):
    r.rpush("l", 2, 1)
    p = r.pipeline(transaction=True)
    p.sort("l").sort("l", store="dst")
    assert p.execute() == [[b"1", b"2"], 2]


def test_command_getkeys_finds_the_store_key(r):
    assert r.command_getkeys("SORT", "l", "LIMIT", 0, 1, "STORE", "d", "GET", "x") == \
        ["l", "d"]
    assert r.command_getkeys("SORT", "l", "STORE", "a", "BY", "x", "STORE", "b") == \
        ["l", "b"]
    assert r.command_getkeys("SORT_RO", "l", "BY", "w") == ["l"]


def test_a_script_sorts_an_unsorted_set_alpha(r):
    r.sadd("s", "b", "c", "a", "10", "9")
    got = r.eval("return redis.call('sort', KEYS[1], 'by', 'nosort')", 1, "s")
    assert got == [b"10", b"9", b"a", b"b", b"c"]
