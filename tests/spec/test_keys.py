"""Generic key commands as Redis 7.0 does them: DEL, UNLINK, EXISTS, TYPE, RENAME(NX), KEYS,
SCAN, RANDOMKEY, TOUCH, OBJECT, DBSIZE, SWAPDB, MOVE, COPY, WAIT, keyspace events."""
import time

import pytest
import redis


def err(r, *args) -> str:
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command(*args)
    return str(e.value)


def scan_all(r, *opts, count=None, db=None):
    """Every key a full SCAN returns (a list: repeats kept)."""
    out, cursor = [], 0
    extra = list(opts) + (["COUNT", count] if count else [])
    while True:
        cursor, keys = r.execute_command("SCAN", cursor, *extra)
        out += keys
        if int(cursor) == 0:      # redis-py turns SCAN's cursor into an int
            return out


# ------------------------------------------------------------------ DEL / UNLINK
def test_del_returns_the_number_of_keys_removed(r):
    r.mset({"a": 1, "b": 2, "c": 3})
    assert r.execute_command("DEL", "a", "b", "missing") == 2
    assert r.exists("a", "b", "c") == 1


def test_del_counts_a_repeated_key_once(r):
    r.set("a", 1)
    assert r.execute_command("DEL", "a", "a", "a") == 1


def test_del_removes_keys_of_every_type(r):
    r.set("s", "v")
    r.hset("h", "f", "v")
    r.sadd("set", "m")
    r.zadd("z", {"m": 1})
    assert r.execute_command("DEL", "s", "h", "set", "z") == 4
    assert r.dbsize() == 0


def test_unlink_behaves_as_del(r):
    r.mset({"a": 1, "b": 2})
    r.hset("h", "f", "v")
    assert r.execute_command("UNLINK", "a", "a", "h", "nope") == 2
    assert r.keys("*") == [b"b"]


@pytest.mark.parametrize("cmd", ["DEL", "UNLINK", "EXISTS", "TOUCH"])
def test_multi_key_commands_need_a_key(r, cmd):
    assert err(r, cmd) == f"wrong number of arguments for '{cmd.lower()}' command"


# ------------------------------------------------------------------ EXISTS / TYPE
def test_exists_counts_each_mention_of_an_existing_key(r):
    r.set("a", 1)
    assert r.exists("a") == 1
    assert r.exists("a", "a", "missing", "a") == 3
    assert r.exists("missing") == 0


def test_type_names_every_type_and_none(r, raw):
    r.set("s", "v")
    r.hset("h", "f", "v")
    r.sadd("set", "m")
    r.zadd("z", {"m": 1})
    assert [r.type(k) for k in ("s", "h", "set", "z", "nope")] == \
        [b"string", b"hash", b"set", b"zset", b"none"]
    c = raw()
    assert c.request(b"TYPE s\r\nTYPE nope\r\n", b"+string\r\n+none\r\n") == \
        b"+string\r\n+none\r\n"


def test_type_of_a_string_modified_in_place_is_string(r):
    r.append("s", "abc")
    r.setrange("s", 10, "x")
    assert r.type("s") == b"string"


def test_type_wrong_arity(r):
    assert err(r, "TYPE") == "wrong number of arguments for 'type' command"
    assert err(r, "TYPE", "a", "b") == "wrong number of arguments for 'type' command"


# ------------------------------------------------------------------ RENAME / RENAMENX
def test_rename_moves_the_value(r):
    r.set("a", "v")
    assert r.rename("a", "b") is True
    assert r.get("a") is None and r.get("b") == b"v"


def test_rename_overwrites_the_destination_of_any_type(r):
    r.set("a", "v")
    r.hset("b", "f", "x")
    assert r.rename("a", "b") is True
    assert r.type("b") == b"string" and r.get("b") == b"v"
    assert r.dbsize() == 1


def test_rename_keeps_the_source_ttl(r):
    r.set("a", "v", px=100000)
    r.set("b", "w")
    r.rename("a", "b")
    assert 90000 < r.pttl("b") <= 100000


def test_rename_drops_the_destination_ttl_when_the_source_has_none(r):
    r.set("a", "v")
    r.set("b", "w", ex=100)
    r.rename("a", "b")
    assert r.ttl("b") == -1


def test_rename_a_collection_keeps_its_contents(r):
    r.hset("h", mapping={"f1": "v1", "f2": "v2"})
    r.rename("h", "h2")
    assert r.hgetall("h2") == {b"f1": b"v1", b"f2": b"v2"}


def test_rename_to_the_same_name_is_a_no_op(r):
    r.set("a", "v", ex=100)
    assert r.rename("a", "a") is True
    assert r.get("a") == b"v" and r.ttl("a") > 0


def test_rename_of_a_missing_key_is_an_error_even_to_itself(r):
    assert err(r, "RENAME", "nokey", "other") == "no such key"
    assert err(r, "RENAME", "nokey", "nokey") == "no such key"
    assert err(r, "RENAMENX", "nokey", "other") == "no such key"
    assert err(r, "RENAMENX", "nokey", "nokey") == "no such key"


def test_renamenx_renames_only_when_the_destination_is_free(r):
    r.mset({"a": 1, "b": 2})
    assert r.renamenx("a", "b") is False
    assert r.get("a") == b"1" and r.get("b") == b"2"
    assert r.renamenx("a", "c") is True
    assert r.get("c") == b"1" and r.exists("a") == 0


def test_renamenx_to_the_same_name_replies_zero(r):
    r.set("a", 1)
    assert r.execute_command("RENAMENX", "a", "a") == 0
    assert r.get("a") == b"1"


def test_renamenx_keeps_the_ttl(r):
    r.set("a", "v", ex=100)
    r.renamenx("a", "b")
    assert 95 <= r.ttl("b") <= 100


def test_rename_of_an_expired_key_is_no_such_key(r):
    r.set("a", "v", px=20)
    time.sleep(0.05)
    assert err(r, "RENAME", "a", "b") == "no such key"


def test_rename_wrong_arity(r):
    assert err(r, "RENAME", "a") == "wrong number of arguments for 'rename' command"
    assert err(r, "RENAMENX", "a", "b", "c") == \
        "wrong number of arguments for 'renamenx' command"


# ------------------------------------------------------------------ KEYS
KEYSET = [b"hello", b"hallo", b"hxllo", b"hllo", b"heeeello", b"a*b", b"a?b", b"a[b",
          b"a]b", b"a\\b", b"ab", b"a-", b"^", b"]", b"_", b"A", b"x"]


@pytest.fixture
def keyset(r):
    r.mset({k: 1 for k in KEYSET})
    return r


@pytest.mark.parametrize("pattern,expected", [
    (b"h?llo", [b"hallo", b"hello", b"hxllo"]),
    (b"h*llo", [b"hallo", b"heeeello", b"hello", b"hllo", b"hxllo"]),
    (b"h[ae]llo", [b"hallo", b"hello"]),
    (b"h[^e]llo", [b"hallo", b"hxllo"]),
    (b"h[a-b]llo", [b"hallo"]),
    (b"h[b-a]llo", [b"hallo"]),                     # a reversed range still works
    (b"a\\*b", [b"a*b"]),                           # escaped wildcards are literal
    (b"a\\?b", [b"a?b"]),
    (b"a\\[b", [b"a[b"]),
    (b"a[\\]]b", [b"a]b"]),                         # an escaped bracket inside a class
    (b"a\\\\b", [b"a\\b"]),
    (b"a?b", [b"a*b", b"a?b", b"a[b", b"a\\b", b"a]b"]),
    (b"[a-]", [b"]", b"^", b"_"]),                  # "-" then "]": the range "]".."a"
    (b"a[]b", []),                                  # an empty class matches nothing
    (b"a[^]b", [b"a*b", b"a?b", b"a[b", b"a\\b", b"a]b"]),
    (b"[_^]", [b"^", b"_"]),
    (b"x", [b"x"]),                                 # a plain pattern
    (b"\\x", [b"x"]),                               # an escaped plain character
    (b"nothing", []),
    (b"*ll*", [b"hallo", b"heeeello", b"hello", b"hllo", b"hxllo"]),
    (b"?", [b"A", b"]", b"^", b"_", b"x"]),
])
def test_keys_glob_patterns(keyset, pattern, expected):
    assert sorted(keyset.keys(pattern)) == sorted(expected)


def test_keys_star_returns_every_key(keyset):
    assert sorted(keyset.keys("*")) == sorted(KEYSET)


def test_keys_is_case_sensitive(keyset):
    assert keyset.keys("a") == []
    assert keyset.keys("[a]") == []
    assert keyset.keys("A") == [b"A"]


def test_keys_with_an_unterminated_class(r):
    r.mset({"ab": 1, "ac": 2, "ad": 3})
    assert sorted(r.keys("a[bc")) == [b"ab", b"ac"]


def test_keys_on_an_empty_database(r):
    assert r.keys("*") == []
    assert r.keys("a") == []


def test_keys_skips_expired_keys(r):
    r.set("a", 1, px=20)
    r.set("b", 1)
    time.sleep(0.05)
    assert r.keys("*") == [b"b"]
    assert r.keys("a") == []


def test_keys_star_lists_the_empty_key_but_other_patterns_do_not(r):
    r.set("", 1)
    r.set("k", 1)
    assert sorted(r.keys("*")) == [b"", b"k"]
    assert r.keys("**") == [b"k"]
    assert r.keys("") == [b""]


def test_keys_binary_keys(r):
    r.set(b"\x00\xff", 1)
    r.set(b"\n", 2)
    assert r.keys(b"?\xff") == [b"\x00\xff"]
    assert r.keys(b"?") == [b"\n"]


def test_keys_wrong_arity(r):
    assert err(r, "KEYS") == "wrong number of arguments for 'keys' command"
    assert err(r, "KEYS", "a", "b") == "wrong number of arguments for 'keys' command"


# ------------------------------------------------------------------ SCAN
def test_scan_returns_every_key_and_ends_at_cursor_zero(r):
    keys = {b"key:%d" % i for i in range(1000)}
    r.mset({k: 1 for k in keys})
    got = scan_all(r)
    assert set(got) == keys


@pytest.mark.parametrize("count", [1, 3, 100, 5000])
def test_scan_with_any_count_visits_every_key(r, count):
    keys = {b"k%d" % i for i in range(300)}
    r.mset({k: 1 for k in keys})
    assert set(scan_all(r, count=count)) == keys


def test_scan_count_bounds_each_reply(r):
    r.mset({b"k%d" % i: 1 for i in range(1000)})
    cursor, keys = r.execute_command("SCAN", 0, "COUNT", 10)
    assert int(cursor) != 0
    assert 0 < len(keys) <= 100


def test_scan_on_an_empty_database(r):
    assert r.execute_command("SCAN", 0) == (0, [])


def test_scan_cursor_is_a_bulk_string(raw, r):
    r.set("a", 1)
    c = raw()
    assert c.request(b"SCAN 0\r\n", b"*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n") == \
        b"*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n"


def test_scan_match_filters_keys(r):
    r.mset({b"user:%d" % i: 1 for i in range(200)})
    r.mset({b"order:%d" % i: 1 for i in range(200)})
    got = scan_all(r, "MATCH", "user:1*", count=50)
    assert set(got) == {b"user:%d" % i for i in range(200) if str(i).startswith("1")}


def test_scan_match_with_an_escape(r):
    r.mset({"a*": 1, "ab": 1})
    assert scan_all(r, "MATCH", "a\\*") == [b"a*"]


def test_scan_type_filters_by_type_name(r):
    r.mset({"s1": 1, "s2": 2})
    r.hset("h", "f", "v")
    r.sadd("set", "m")
    r.zadd("z", {"m": 1})
    assert sorted(scan_all(r, "TYPE", "string")) == [b"s1", b"s2"]
    assert scan_all(r, "TYPE", "hash") == [b"h"]
    assert scan_all(r, "TYPE", "zset") == [b"z"]
    assert scan_all(r, "TYPE", "set") == [b"set"]


def test_scan_type_is_case_insensitive_and_unknown_types_match_nothing(r):
    r.set("s", 1)
    assert scan_all(r, "TYPE", "STRING") == [b"s"]
    assert scan_all(r, "TYPE", "nosuchtype") == []


def test_scan_match_and_type_combine(r):
    r.mset({"a1": 1, "b1": 1})
    r.hset("a2", "f", "v")
    assert scan_all(r, "MATCH", "a*", "TYPE", "string") == [b"a1"]


def test_scan_last_repeated_option_wins(r):
    r.set("a", 1)
    r.hset("b", "f", "v")
    assert scan_all(r, "TYPE", "hash", "TYPE", "string") == [b"a"]
    assert scan_all(r, "MATCH", "b", "MATCH", "a") == [b"a"]


def test_scan_match_star_includes_the_empty_key(r):
    r.set("", 1)
    assert scan_all(r, "MATCH", "*") == [b""]


def test_scan_skips_expired_keys(r):
    r.set("gone", 1, px=20)
    r.set("kept", 1)
    time.sleep(0.05)
    assert scan_all(r) == [b"kept"]


def test_scan_returns_keys_present_for_the_whole_scan_despite_writes_between_calls(r):
    stable = {b"stable:%d" % i for i in range(500)}
    doomed = [b"doomed:%d" % i for i in range(500)]
    r.mset({k: 1 for k in stable})
    r.mset({k: 1 for k in doomed})
    seen, cursor, step = set(), 0, 0
    while True:
        cursor, keys = r.execute_command("SCAN", cursor, "COUNT", 20)
        seen.update(keys)
        # between calls: delete some keys, add new ones
        gone = doomed[step * 10:(step + 1) * 10]
        if gone:
            r.delete(*gone)
        r.mset({b"new:%d:%d" % (step, i): 1 for i in range(15)})
        step += 1
        if cursor == 0:
            break
    assert stable <= seen
    assert all(k.startswith((b"stable:", b"doomed:", b"new:")) for k in seen)


def test_scan_survives_a_key_deleted_and_the_keyspace_refilled(r):
    r.mset({b"k%d" % i: 1 for i in range(300)})
    cursor, first = r.execute_command("SCAN", 0, "COUNT", 50)
    r.delete(*[b"k%d" % i for i in range(0, 300, 2)])
    r.mset({b"z%d" % i: 1 for i in range(300)})
    seen = set(first)
    while cursor != 0:
        cursor, keys = r.execute_command("SCAN", cursor, "COUNT", 50)
        seen.update(keys)
    assert {b"k%d" % i for i in range(1, 300, 2)} <= seen


@pytest.mark.parametrize("cursor", ["abc", " 0", "0 ", "1.5", "18446744073709551616", "-",
                                    "+", "0x10", "-18446744073709551616"])
def test_scan_invalid_cursor(r, cursor):
    assert err(r, "SCAN", cursor) == "invalid cursor"


@pytest.mark.parametrize("cursor", ["", "+0", "00", "-0"])
def test_scan_cursor_parses_like_strtoul(r, cursor):
    r.set("a", 1)
    reply = r.execute_command("SCAN", cursor)
    assert reply == (0, [b"a"])


def test_scan_huge_cursors_are_accepted(r):
    r.set("a", 1)
    for cursor in ("18446744073709551615", "-1", "123456789"):
        nxt, keys = r.execute_command("SCAN", cursor)
        assert isinstance(keys, list)
        assert int(nxt) >= 0


def test_scan_invalid_cursor_is_checked_before_options(r):
    assert err(r, "SCAN", "x", "COUNT", "0") == "invalid cursor"


@pytest.mark.parametrize("count", ["0", "-1"])
def test_scan_count_below_one_is_a_syntax_error(r, count):
    assert err(r, "SCAN", 0, "COUNT", count) == "syntax error"


def test_scan_count_must_be_an_integer(r):
    assert err(r, "SCAN", 0, "COUNT", "abc") == "value is not an integer or out of range"
    assert err(r, "SCAN", 0, "COUNT", "1.5") == "value is not an integer or out of range"


@pytest.mark.parametrize("opts", [["MATCH"], ["COUNT"], ["TYPE"], ["FOO", "bar"], ["FOO"],
                                  ["MATCH", "a", "COUNT"]])
def test_scan_bad_options_are_syntax_errors(r, opts):
    assert err(r, "SCAN", 0, *opts) == "syntax error"


def test_scan_options_are_case_insensitive(r):
    r.mset({"ab": 1, "b": 1})
    assert scan_all(r, "match", "a*", "count", "5", "type", "String") == [b"ab"]


def test_scan_wrong_arity(r):
    assert err(r, "SCAN") == "wrong number of arguments for 'scan' command"


# ------------------------------------------------------------------ RANDOMKEY / DBSIZE
def test_randomkey_on_an_empty_database_is_nil(r):
    assert r.randomkey() is None


def test_randomkey_returns_an_existing_key(r):
    keys = {b"k%d" % i for i in range(50)}
    r.mset({k: 1 for k in keys})
    seen = {r.randomkey() for _ in range(200)}
    assert seen <= keys
    assert len(seen) > 10


def test_randomkey_with_one_key(r):
    r.set("only", 1)
    assert r.randomkey() == b"only"


def test_randomkey_skips_expired_keys(r):
    r.set("gone", 1, px=20)
    r.set("kept", 1)
    time.sleep(0.05)
    assert {r.randomkey() for _ in range(20)} == {b"kept"}


def test_randomkey_wrong_arity(r):
    assert err(r, "RANDOMKEY", "x") == "wrong number of arguments for 'randomkey' command"


def test_dbsize_counts_keys_of_the_selected_db(r):
    assert r.dbsize() == 0
    r.mset({"a": 1, "b": 2})
    r.hset("h", "f", "v")
    assert r.dbsize() == 3
    r.execute_command("SELECT", 1)
    assert r.dbsize() == 0
    r.execute_command("SELECT", 0)


def test_dbsize_wrong_arity(r):
    assert err(r, "DBSIZE", "x") == "wrong number of arguments for 'dbsize' command"


# ------------------------------------------------------------------ TOUCH
def test_touch_counts_existing_keys_including_repeats(r):
    r.mset({"a": 1, "b": 2})
    assert r.touch("a", "b", "a", "missing") == 3
    assert r.touch("missing") == 0


# ------------------------------------------------------------------ OBJECT
@pytest.mark.parametrize("value,encoding", [
    ("12345", b"int"), ("-1", b"int"), ("9223372036854775807", b"int"),
    ("01", b"embstr"), ("1.5", b"embstr"), ("x" * 44, b"embstr"), ("x" * 45, b"raw"),
    ("9223372036854775808", b"embstr"),
])
def test_object_encoding_of_strings(r, value, encoding):
    r.set("k", value)
    assert r.object("encoding", "k") == encoding


def test_object_encoding_of_a_string_modified_in_place_is_raw(r):
    r.set("k", "ab")
    r.append("k", "c")
    assert r.object("encoding", "k") == b"raw"


def test_object_encoding_of_collections(r):
    r.hset("h", "f", "v")
    r.sadd("iset", 1, 2, 3)
    r.sadd("set", "a")
    r.zadd("z", {"m": 1})
    assert r.object("encoding", "h") == b"listpack"
    assert r.object("encoding", "iset") == b"intset"
    assert r.object("encoding", "set") == b"hashtable"
    assert r.object("encoding", "z") == b"listpack"


def test_object_subcommands_on_a_missing_key_reply_nil(r):
    for sub in ("ENCODING", "REFCOUNT", "IDLETIME", "FREQ"):
        assert r.execute_command("OBJECT", sub, "nokey") is None


def test_object_refcount_of_a_shared_integer_and_of_other_values(r):
    r.set("small", 1)
    r.set("edge", 9999)
    r.set("big", 10000)
    r.set("neg", -1)
    r.set("text", "hello")
    r.hset("h", "f", "v")
    assert r.object("refcount", "small") == 2147483647
    assert r.object("refcount", "edge") == 2147483647
    assert r.object("refcount", "big") == 1
    assert r.object("refcount", "neg") == 1
    assert r.object("refcount", "text") == 1
    assert r.object("refcount", "h") == 1


def test_object_idletime_is_zero_right_after_a_write(r):
    r.set("k", "v")
    assert r.object("idletime", "k") == 0


def test_object_freq_needs_an_lfu_policy(r):
    r.set("k", "v")
    assert err(r, "OBJECT", "FREQ", "k") == (
        "An LFU maxmemory policy is not selected, access frequency not tracked. Please "
        "note that when switching between policies at runtime LRU and LFU data will take "
        "some time to adjust.")


def test_object_freq_and_idletime_under_an_lfu_policy(r):
    r.config_set("maxmemory-policy", "allkeys-lfu")
    try:
        r.set("k", "v")
        assert r.object("freq", "k") == 5            # LFU_INIT_VAL for a new object
        r.get("k")
        assert r.object("freq", "k") == 6            # the first hit always counts
        assert err(r, "OBJECT", "IDLETIME", "k") == (
            "An LFU maxmemory policy is selected, idle time not tracked. Please note that "
            "when switching between policies at runtime LRU and LFU data will take some "
            "time to adjust.")
    finally:
        r.config_set("maxmemory-policy", "noeviction")


def test_object_help_lists_the_subcommands(r):
    lines = r.execute_command("OBJECT", "HELP")
    assert lines[0] == b"OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert lines[-2:] == [b"HELP", b"    Prints this help."]
    assert b"IDLETIME <key>" in lines and b"FREQ <key>" in lines
    assert len(lines) == 15


def test_object_errors(r):
    assert err(r, "OBJECT") == "wrong number of arguments for 'object' command"
    assert err(r, "OBJECT", "foo") == "unknown subcommand 'foo'. Try OBJECT HELP."
    assert err(r, "OBJECT", "ENCODING") == \
        "wrong number of arguments for 'object|encoding' command"
    assert err(r, "OBJECT", "idletime", "a", "b") == \
        "wrong number of arguments for 'object|idletime' command"
    assert err(r, "OBJECT", "HELP", "x") == "wrong number of arguments for 'object|help' command"


def test_object_does_not_see_expired_keys(r):
    r.set("k", "v", px=20)
    time.sleep(0.05)
    assert r.object("encoding", "k") is None


# ------------------------------------------------------------------ SWAPDB
def test_swapdb_exchanges_the_contents_of_two_databases(server):
    a, b = server.client(db=0), server.client(db=1)
    try:
        a.set("k", "in0", ex=100)
        b.set("k", "in1")
        b.hset("h", "f", "v")
        assert a.swapdb(0, 1) is True
        assert a.get("k") == b"in1" and a.type("h") == b"hash"
        assert b.get("k") == b"in0" and b.ttl("k") > 0 and b.dbsize() == 1
        assert a.swapdb(1, 0) is True
        assert a.get("k") == b"in0"
    finally:
        a.close()
        b.close()


def test_swapdb_of_a_db_with_itself_is_ok(r):
    r.set("k", 1)
    assert r.swapdb(0, 0) is True
    assert r.get("k") == b"1"


@pytest.mark.parametrize("args,message", [
    (("x", 0), "invalid first DB index"),
    ((0, "x"), "invalid second DB index"),
    (("1.0", 0), "invalid first DB index"),
    (("9999999999", 0), "invalid first DB index"),
    ((0, 16), "DB index is out of range"),
    ((-1, 0), "DB index is out of range"),
    ((16, 16), "DB index is out of range"),
])
def test_swapdb_errors(r, args, message):
    assert err(r, "SWAPDB", *args) == message


def test_swapdb_serves_a_client_blocked_on_a_key_of_the_swapped_db(server):
    a, b = server.client(db=0), server.client(db=1)
    try:
        import threading
        out = []
        th = threading.Thread(target=lambda: out.append(a.blpop(["q"], timeout=5)))
        th.start()
        deadline = time.time() + 5
        while b.execute_command("CLIENT", "LIST").count(b"cmd=blpop") == 0 \
                and time.time() < deadline:
            time.sleep(0.01)
        b.rpush("q", "x")                  # db 1: nobody waits there
        b.swapdb(0, 1)
        th.join(5)
        assert out == [(b"q", b"x")]
    finally:
        a.close()
        b.close()


def test_swapdb_makes_watchers_of_either_db_fail(server):
    a, b = server.client(db=0), server.client(db=1)
    try:
        b.set("w", "1")
        p = a.pipeline(transaction=True)
        p.watch("w")                       # missing in db 0, exists in db 1
        b.swapdb(0, 1)
        p.multi()
        p.set("x", 1)
        with pytest.raises(redis.WatchError):
            p.execute()
    finally:
        a.close()
        b.close()


# ------------------------------------------------------------------ MOVE
def test_move_transfers_a_key_with_its_ttl(server):
    a, b = server.client(db=0), server.client(db=1)
    try:
        a.set("k", "v", ex=100)
        assert a.move("k", 1) is True
        assert a.exists("k") == 0
        assert b.get("k") == b"v" and 95 <= b.ttl("k") <= 100
    finally:
        a.close()
        b.close()


def test_move_a_collection(server):
    a, b = server.client(db=0), server.client(db=1)
    try:
        a.sadd("s", "x", "y")
        assert a.move("s", 1) is True
        assert b.smembers("s") == {b"x", b"y"}
    finally:
        a.close()
        b.close()


def test_move_refuses_when_the_key_exists_in_the_target(server):
    a, b = server.client(db=0), server.client(db=1)
    try:
        a.set("k", "mine")
        b.set("k", "theirs")
        assert a.move("k", 1) is False
        assert a.get("k") == b"mine" and b.get("k") == b"theirs"
    finally:
        a.close()
        b.close()


def test_move_of_a_missing_key_replies_zero(r):
    assert r.move("nokey", 1) is False


def test_move_errors(r):
    r.set("k", 1)
    assert err(r, "MOVE", "k", 0) == "source and destination objects are the same"
    assert err(r, "MOVE", "nokey", 0) == "source and destination objects are the same"
    assert err(r, "MOVE", "k", 16) == "DB index is out of range"
    assert err(r, "MOVE", "k", -1) == "DB index is out of range"
    assert err(r, "MOVE", "k", "x") == "value is not an integer or out of range"
    assert err(r, "MOVE", "k", "99999999999999999999") == \
        "value is not an integer or out of range"
    assert err(r, "MOVE", "k", "4294967296") == \
        "value is out of range, value must between -2147483648 and 2147483647"
    assert err(r, "MOVE", "k") == "wrong number of arguments for 'move' command"


# ------------------------------------------------------------------ COPY
def test_copy_a_string_is_independent(r):
    r.set("a", "v")
    assert r.copy("a", "b") is True
    r.append("b", "2")
    assert r.get("a") == b"v" and r.get("b") == b"v2"


def test_copy_a_string_modified_in_place_stays_independent(r):
    r.set("a", "v")
    r.append("a", "w")
    r.copy("a", "b")
    r.setrange("a", 0, "X")
    assert r.get("a") == b"Xw" and r.get("b") == b"vw"
    assert r.object("encoding", "b") == b"raw"


def test_copy_keeps_the_ttl(r):
    r.set("a", "v", px=100000)
    r.copy("a", "b")
    assert 90000 < r.pttl("b") <= 100000
    r.set("c", "v")
    r.copy("c", "d")
    assert r.ttl("d") == -1


def test_copy_keeps_the_encoding(r):
    r.set("i", 123)
    r.copy("i", "j")
    assert r.object("encoding", "j") == b"int"


def test_copy_refuses_an_existing_destination_without_replace(r):
    r.set("a", "1")
    r.set("b", "2")
    assert r.copy("a", "b") is False
    assert r.get("b") == b"2"
    assert r.copy("a", "b", replace=True) is True
    assert r.get("b") == b"1"


def test_copy_replace_drops_the_destination_ttl(r):
    r.set("a", "1")
    r.set("b", "2", ex=100)
    r.copy("a", "b", replace=True)
    assert r.ttl("b") == -1


def test_copy_replace_over_another_type(r):
    r.set("a", "1")
    r.hset("b", "f", "v")
    assert r.copy("a", "b", replace=True) is True
    assert r.type("b") == b"string"


def test_copy_of_a_missing_key_replies_zero(r):
    assert r.copy("nokey", "b") is False
    assert r.exists("b") == 0


def test_copy_to_another_db(server):
    a, b = server.client(db=0), server.client(db=2)
    try:
        a.set("k", "v", ex=100)
        assert a.copy("k", "k", destination_db=2) is True
        assert a.get("k") == b"v" and b.get("k") == b"v" and b.ttl("k") > 0
        b.set("k2", "theirs")
        assert a.copy("k", "k2", destination_db=2) is False
        assert a.copy("k", "k2", destination_db=2, replace=True) is True
        assert b.get("k2") == b"v"
    finally:
        a.close()
        b.close()


def test_copy_of_a_hash_is_independent(r):
    r.hset("h", mapping={"f1": "v1", "f2": "v2"})
    r.copy("h", "h2")
    r.hset("h2", "f3", "v3")
    r.hdel("h", "f1")
    assert r.hgetall("h") == {b"f2": b"v2"}
    assert r.hgetall("h2") == {b"f1": b"v1", b"f2": b"v2", b"f3": b"v3"}


def test_copy_of_a_set_is_independent(r):
    r.sadd("s", 1, 2, 3)
    r.copy("s", "s2")
    r.sadd("s2", "x")
    r.srem("s", 1)
    assert r.smembers("s") == {b"2", b"3"}
    assert r.smembers("s2") == {b"1", b"2", b"3", b"x"}
    assert r.object("encoding", "s") == b"intset"
    assert r.object("encoding", "s2") == b"hashtable"


def test_copy_of_a_sorted_set_is_independent(r):
    r.zadd("z", {"a": 1, "b": 2})
    r.copy("z", "z2")
    r.zadd("z2", {"c": 3})
    r.zincrby("z", 10, "a")
    assert r.zrange("z", 0, -1, withscores=True) == [(b"b", 2.0), (b"a", 11.0)]
    assert r.zrange("z2", 0, -1, withscores=True) == [(b"a", 1.0), (b"b", 2.0), (b"c", 3.0)]


def test_copy_errors(r):
    r.set("a", 1)
    assert err(r, "COPY", "a", "a") == "source and destination objects are the same"
    assert err(r, "COPY", "nokey", "nokey") == "source and destination objects are the same"
    assert err(r, "COPY", "a", "b", "DB") == "syntax error"
    assert err(r, "COPY", "a", "b", "FOO") == "syntax error"
    assert err(r, "COPY", "a", "b", "DB", "x") == "value is not an integer or out of range"
    assert err(r, "COPY", "a", "b", "DB", 16) == "DB index is out of range"
    assert err(r, "COPY", "a", "b", "DB", "-4294967296") == \
        "value is out of range, value must between -2147483648 and 2147483647"
    assert err(r, "COPY", "a", "b", "DB", -1) == "DB index is out of range"
    assert err(r, "COPY", "a") == "wrong number of arguments for 'copy' command"


def test_copy_same_name_to_another_db_is_allowed(r):
    r.set("a", 1)
    assert r.execute_command("COPY", "a", "a", "DB", 1) == 1


def test_copy_options_in_any_order_and_case(r):
    r.mset({"a": 1, "b": 2})
    assert r.execute_command("COPY", "a", "b", "replace", "db", "0") == 1
    assert r.get("b") == b"1"


# ------------------------------------------------------------------ WAIT
def test_wait_without_replicas_replies_zero(r):
    assert r.execute_command("WAIT", 0, 0) == 0
    assert r.execute_command("WAIT", -1, 0) == 0


def test_wait_for_a_replica_blocks_until_the_timeout(r):
    t = time.time()
    assert r.execute_command("WAIT", 1, 100) == 0
    assert time.time() - t >= 0.09


def test_wait_inside_multi_answers_at_once(r):
    p = r.pipeline(transaction=True)
    p.execute_command("WAIT", 1, 0)
    assert p.execute() == [0]


def test_wait_forever_can_be_ended_by_client_unblock(server):
    a, b = server.client(), server.client()
    try:
        a_id = a.client_id()
        import threading
        out = []
        th = threading.Thread(target=lambda: out.append(a.execute_command("WAIT", 1, 0)))
        th.start()
        deadline = time.time() + 5
        while not b.client_unblock(a_id) and time.time() < deadline:
            time.sleep(0.01)
        th.join(5)
        assert out == [0]
    finally:
        a.close()
        b.close()


def test_wait_errors(r):
    assert err(r, "WAIT", "x", 0) == "value is not an integer or out of range"
    assert err(r, "WAIT", 0, "x") == "timeout is not an integer or out of range"
    assert err(r, "WAIT", 0, "1.5") == "timeout is not an integer or out of range"
    assert err(r, "WAIT", 0, -1) == "timeout is negative"
    assert err(r, "WAIT", 0) == "wrong number of arguments for 'wait' command"


# ------------------------------------------------------------------ keyspace events
@pytest.fixture
def events(server):
    """Subscribe to every keyspace event of db 0 and db 1; yields a reader."""
    admin = server.client()
    admin.config_set("notify-keyspace-events", "KEA")
    sub = server.client().pubsub()
    sub.psubscribe("__keyevent@*__:*")
    assert sub.get_message(timeout=2)["type"] == "psubscribe"

    def read():
        out = []
        while True:
            m = sub.get_message(timeout=0.3)
            if m is None:
                return out
            out.append((m["channel"].decode(), m["data"]))
    yield read
    sub.close()
    admin.config_set("notify-keyspace-events", "")
    admin.close()


def test_del_rename_move_copy_fire_keyspace_events(r, events):
    r.set("a", 1)
    r.set("b", 2)
    events()
    r.delete("a", "nope")
    r.rename("b", "c")
    r.move("c", 1)
    r.execute_command("SELECT", 1)
    r.copy("c", "d", destination_db=0)
    r.execute_command("SELECT", 0)
    assert events() == [
        ("__keyevent@0__:del", b"a"),
        ("__keyevent@0__:rename_from", b"b"),
        ("__keyevent@0__:rename_to", b"c"),
        ("__keyevent@0__:move_from", b"c"),
        ("__keyevent@1__:move_to", b"c"),
        ("__keyevent@0__:copy_to", b"d"),
    ]


def test_a_same_name_rename_fires_no_event(r, events):
    r.set("a", 1)
    events()
    r.rename("a", "a")
    r.unlink("a")
    assert events() == [("__keyevent@0__:del", b"a")]
