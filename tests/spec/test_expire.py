"""Key expiry as Redis 7.0 does it: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT with NX/XX/GT/LT,
TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST, and what an expired key looks like."""
import time

import pytest
import redis

LLONG_MAX = 2**63 - 1


def err(r, *args) -> str:
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command(*args)
    return str(e.value)


# ------------------------------------------------------------------ setting a TTL
def test_expire_sets_a_ttl_in_seconds(r):
    r.set("k", "v")
    assert r.execute_command("EXPIRE", "k", 100) == 1
    assert r.ttl("k") == 100
    assert 99000 < r.pttl("k") <= 100000


def test_pexpire_sets_a_ttl_in_milliseconds(r):
    r.set("k", "v")
    assert r.execute_command("PEXPIRE", "k", 100000) == 1
    assert 99000 < r.pttl("k") <= 100000
    assert r.ttl("k") == 100


def test_expireat_and_pexpireat_take_absolute_unix_times(r):
    r.mset({"a": 1, "b": 2})
    at = int(time.time()) + 100
    assert r.execute_command("EXPIREAT", "a", at) == 1
    assert r.execute_command("EXPIRETIME", "a") == at
    assert r.execute_command("PEXPIRETIME", "a") == at * 1000
    assert r.execute_command("PEXPIREAT", "b", at * 1000 + 123) == 1
    assert r.execute_command("PEXPIRETIME", "b") == at * 1000 + 123
    assert r.execute_command("EXPIRETIME", "b") == at       # (ms + 500) / 1000


def test_expiretime_rounds_to_the_nearest_second(r):
    r.set("k", 1)
    at = (int(time.time()) + 100) * 1000
    r.execute_command("PEXPIREAT", "k", at + 499)
    assert r.execute_command("EXPIRETIME", "k") == at // 1000
    r.execute_command("PEXPIREAT", "k", at + 500)
    assert r.execute_command("EXPIRETIME", "k") == at // 1000 + 1


def test_ttl_rounds_to_the_nearest_second(r):
    r.set("k", 1)
    r.execute_command("PEXPIRE", "k", 2400)
    assert r.ttl("k") == 2
    r.execute_command("PEXPIRE", "k", 2700)
    assert r.ttl("k") == 3


def test_expire_on_a_missing_key_replies_zero(r):
    for cmd in ("EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"):
        assert r.execute_command(cmd, "nokey", 100) == 0
    assert r.exists("nokey") == 0


def test_expire_again_replaces_the_ttl(r):
    r.set("x", "foobar")
    assert r.execute_command("EXPIRE", "x", 5) == 1
    assert r.ttl("x") in (4, 5)
    assert r.execute_command("EXPIRE", "x", 10) == 1
    assert r.ttl("x") == 10
    assert r.execute_command("EXPIRE", "x", 2) == 1
    assert r.ttl("x") in (1, 2)


def test_expire_works_on_every_type(r):
    r.hset("h", "f", "v")
    r.sadd("s", "m")
    r.zadd("z", {"m": 1})
    for k in ("h", "s", "z"):
        assert r.execute_command("EXPIRE", k, 100) == 1
        assert r.ttl(k) == 100


def test_writing_to_a_collection_keeps_its_ttl(r):
    r.hset("h", "f", "v")
    r.expire("h", 100)
    r.hset("h", "g", "w")
    assert r.ttl("h") == 100


def test_set_removes_the_ttl(r):
    r.set("k", "v", ex=100)
    r.set("k", "w")
    assert r.ttl("k") == -1


# ------------------------------------------------------------------ TTL replies
def test_ttl_of_a_missing_key_is_minus_two_and_of_a_persistent_key_minus_one(r):
    r.set("k", "v")
    assert r.ttl("nokey") == -2 and r.pttl("nokey") == -2
    assert r.ttl("k") == -1 and r.pttl("k") == -1
    assert r.execute_command("EXPIRETIME", "nokey") == -2
    assert r.execute_command("PEXPIRETIME", "nokey") == -2
    assert r.execute_command("EXPIRETIME", "k") == -1
    assert r.execute_command("PEXPIRETIME", "k") == -1


@pytest.mark.parametrize("cmd", ["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME", "PERSIST"])
def test_single_key_commands_arity(r, cmd):
    msg = f"wrong number of arguments for '{cmd.lower()}' command"
    assert err(r, cmd) == msg
    assert err(r, cmd, "a", "b") == msg


# ------------------------------------------------------------------ expiring for real
def test_a_key_with_a_px_ttl_disappears_after_it(r):
    r.set("k", "v", px=100)
    r.hset("h", "f", "v")
    r.execute_command("PEXPIRE", "h", 100)
    assert r.get("k") == b"v"
    time.sleep(0.2)
    assert r.get("k") is None
    assert r.exists("k", "h") == 0
    assert r.ttl("k") == -2 and r.pttl("h") == -2
    assert r.type("h") == b"none"
    assert r.hgetall("h") == {}


def test_an_expired_key_is_gone_for_every_command(r):
    r.set("k", "v", px=30)
    time.sleep(0.08)
    assert r.keys("*") == []
    assert r.execute_command("DEL", "k") == 0
    assert r.persist("k") is False
    assert r.execute_command("EXPIRE", "k", 100) == 0
    assert r.touch("k") == 0
    assert r.randomkey() is None
    assert r.set("k", "new", nx=True) is True
    assert r.ttl("k") == -1


def test_expired_keys_are_removed_actively(r):
    for i in range(20):
        r.set(f"k{i}", "v", px=50)
    r.set("kept", "v")
    deadline = time.time() + 3
    while r.dbsize() > 1 and time.time() < deadline:
        time.sleep(0.05)
    assert r.dbsize() == 1


def test_pexpire_with_milliseconds_precision(r):
    r.set("k", "v")
    r.execute_command("PEXPIRE", "k", 150)
    time.sleep(0.05)
    assert r.get("k") == b"v"
    assert 0 < r.pttl("k") <= 100
    time.sleep(0.15)
    assert r.get("k") is None


def test_an_expiry_in_the_past_deletes_the_key_at_once(r):
    r.mset({"a": 1, "b": 2, "c": 3, "d": 4, "e": 5})
    assert r.execute_command("EXPIRE", "a", -1) == 1
    assert r.execute_command("PEXPIRE", "b", 0) == 1
    assert r.execute_command("EXPIREAT", "c", 1) == 1
    assert r.execute_command("PEXPIREAT", "d", int(time.time() * 1000) - 1000) == 1
    assert r.execute_command("EXPIRE", "e", -9223372036854775) == 1
    assert r.dbsize() == 0


# ------------------------------------------------------------------ PERSIST
def test_persist_removes_the_ttl(r):
    r.set("x", "foo")
    r.expire("x", 50)
    assert r.ttl("x") == 50
    assert r.persist("x") is True
    assert r.ttl("x") == -1
    assert r.get("x") == b"foo"


def test_persist_replies_zero_for_missing_or_persistent_keys(r):
    r.set("x", "foo")
    assert r.persist("x") is False
    assert r.persist("nokey") is False


def test_a_persisted_key_does_not_expire(r):
    r.set("k", "v", px=100)
    r.persist("k")
    time.sleep(0.15)
    assert r.get("k") == b"v"


# ------------------------------------------------------------------ NX / XX / GT / LT
def test_expire_nx_only_when_there_is_no_ttl(r):
    r.set("k", "v")
    assert r.execute_command("EXPIRE", "k", 100, "NX") == 1
    assert r.execute_command("EXPIRE", "k", 200, "NX") == 0
    assert r.ttl("k") == 100


def test_expire_xx_only_when_there_is_a_ttl(r):
    r.set("k", "v")
    assert r.execute_command("EXPIRE", "k", 100, "XX") == 0
    assert r.ttl("k") == -1
    r.expire("k", 100)
    assert r.execute_command("EXPIRE", "k", 200, "XX") == 1
    assert r.ttl("k") == 200


def test_expire_gt_only_raises_an_existing_ttl(r):
    r.set("k", "v")
    assert r.execute_command("EXPIRE", "k", 100, "GT") == 0    # no TTL = infinite
    assert r.ttl("k") == -1
    at = (int(time.time()) + 100) * 1000
    r.execute_command("PEXPIREAT", "k", at)
    assert r.execute_command("EXPIRE", "k", 50, "GT") == 0
    assert r.execute_command("PEXPIREAT", "k", at, "GT") == 0  # equal is not greater
    assert r.execute_command("PEXPIREAT", "k", at, "LT") == 0  # nor lower
    assert r.execute_command("EXPIRE", "k", 200, "GT") == 1
    assert r.ttl("k") == 200


def test_expire_lt_only_lowers_a_ttl_or_sets_one(r):
    r.set("k", "v")
    assert r.execute_command("EXPIRE", "k", 100, "LT") == 1    # infinite -> 100 is lower
    assert r.execute_command("EXPIRE", "k", 200, "LT") == 0
    assert r.execute_command("PEXPIRE", "k", r.pttl("k") + 1000, "LT") == 0
    assert r.execute_command("EXPIRE", "k", 50, "LT") == 1
    assert r.ttl("k") == 50


def test_expire_xx_with_gt_or_lt_combines(r):
    r.set("k", "v")
    assert r.execute_command("EXPIRE", "k", 100, "XX", "LT") == 0    # no TTL: XX fails
    r.expire("k", 100)
    assert r.execute_command("EXPIRE", "k", 200, "XX", "GT") == 1
    assert r.execute_command("EXPIRE", "k", 50, "GT", "XX") == 0
    assert r.execute_command("EXPIRE", "k", 50, "lt", "xx") == 1
    assert r.ttl("k") == 50


def test_expire_options_apply_to_every_variant(r):
    r.set("k", "v")
    at = int(time.time()) + 100
    assert r.execute_command("EXPIREAT", "k", at, "NX") == 1
    assert r.execute_command("EXPIREAT", "k", at + 10, "NX") == 0
    assert r.execute_command("PEXPIREAT", "k", (at + 10) * 1000, "GT") == 1
    assert r.execute_command("PEXPIRE", "k", 1000, "GT") == 0
    assert r.execute_command("PEXPIRE", "k", 1000, "LT") == 1
    assert 0 < r.pttl("k") <= 1000


def test_a_repeated_option_is_accepted(r):
    r.set("k", "v")
    assert r.execute_command("EXPIRE", "k", 100, "NX", "NX") == 1
    assert r.execute_command("EXPIRE", "k", 200, "GT", "gt") == 1


def test_expire_nx_on_a_missing_key_replies_zero(r):
    assert r.execute_command("EXPIRE", "nokey", 100, "NX") == 0


def test_a_condition_checked_before_a_past_time_keeps_the_key(r):
    r.set("k", "v", ex=100)
    assert r.execute_command("EXPIRE", "k", -1, "GT") == 0
    assert r.exists("k") == 1
    assert r.execute_command("EXPIRE", "k", -1, "LT") == 1
    assert r.exists("k") == 0


@pytest.mark.parametrize("opts", [["NX", "XX"], ["NX", "GT"], ["NX", "LT"], ["XX", "NX"],
                                  ["gt", "nx"], ["NX", "XX", "GT", "LT"]])
def test_nx_with_any_other_option_is_an_error(r, opts):
    r.set("k", "v")
    assert err(r, "EXPIRE", "k", 100, *opts) == \
        "NX and XX, GT or LT options at the same time are not compatible"


@pytest.mark.parametrize("opts", [["GT", "LT"], ["lt", "gt"], ["XX", "GT", "LT"]])
def test_gt_with_lt_is_an_error(r, opts):
    r.set("k", "v")
    assert err(r, "PEXPIRE", "k", 100, *opts) == \
        "GT and LT options at the same time are not compatible"


def test_an_unknown_option_is_named_as_given(r):
    r.set("k", "v")
    assert err(r, "EXPIRE", "k", 100, "foo") == "Unsupported option foo"
    assert err(r, "PEXPIREAT", "k", 100, "NX", "Bar") == "Unsupported option Bar"


def test_options_are_checked_before_the_number(r):
    assert err(r, "EXPIRE", "k", "abc", "foo") == "Unsupported option foo"
    assert err(r, "EXPIRE", "k", "abc", "NX", "XX") == \
        "NX and XX, GT or LT options at the same time are not compatible"


def test_option_errors_do_not_need_the_key(r):
    assert err(r, "EXPIRE", "nokey", 100, "GT", "LT") == \
        "GT and LT options at the same time are not compatible"


# ------------------------------------------------------------------ bad numbers
@pytest.mark.parametrize("cmd", ["EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"])
@pytest.mark.parametrize("value", ["abc", "1.5", "", " 1", "+1", "01",
                                   "9223372036854775808"])
def test_the_time_must_be_an_integer(r, cmd, value):
    r.set("k", "v")
    assert err(r, cmd, "k", value) == "value is not an integer or out of range"


@pytest.mark.parametrize("cmd,value", [
    ("EXPIRE", LLONG_MAX), ("EXPIRE", 9223372036854776), ("EXPIRE", -9223372036854776),
    ("EXPIREAT", LLONG_MAX), ("EXPIREAT", -9223372036854776),
    ("PEXPIRE", LLONG_MAX), ("PEXPIRE", LLONG_MAX - 1000),
    ("EXPIRE", 9223372036854775),                  # fits in ms, then + now overflows
])
def test_overflowing_times_are_invalid(r, cmd, value):
    r.set("k", "v")
    assert err(r, cmd, "k", value) == f"invalid expire time in '{cmd.lower()}' command"
    assert r.ttl("k") == -1


def test_overflow_is_checked_even_for_a_missing_key(r):
    assert err(r, "PEXPIRE", "nokey", LLONG_MAX) == "invalid expire time in 'pexpire' command"


def test_the_largest_absolute_times_are_accepted(r):
    r.mset({"a": 1, "b": 2})
    assert r.execute_command("PEXPIREAT", "a", LLONG_MAX) == 1
    assert r.execute_command("PEXPIRETIME", "a") == LLONG_MAX
    assert r.execute_command("EXPIREAT", "b", 9223372036854775) == 1
    assert r.execute_command("PEXPIRETIME", "b") == 9223372036854775000


def test_the_most_negative_times_delete(r):
    r.mset({"a": 1, "b": 2})
    assert r.execute_command("PEXPIRE", "a", -LLONG_MAX - 1) == 1
    assert r.execute_command("EXPIREAT", "b", -9223372036854775) == 1
    assert r.dbsize() == 0


@pytest.mark.parametrize("cmd", ["EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"])
def test_expire_arity(r, cmd):
    assert err(r, cmd, "k") == f"wrong number of arguments for '{cmd.lower()}' command"


# ------------------------------------------------------------------ keyspace events
@pytest.fixture
def events(server):
    admin = server.client()
    admin.config_set("notify-keyspace-events", "KEA")
    sub = server.client().pubsub()
    sub.psubscribe("__keyevent@0__:*")
    assert sub.get_message(timeout=2)["type"] == "psubscribe"

    def read(wait=0.3):
        out = []
        while True:
            m = sub.get_message(timeout=wait)
            if m is None:
                return out
            out.append((m["channel"].decode().split(":", 1)[1], m["data"]))
    yield read
    sub.close()
    admin.config_set("notify-keyspace-events", "")
    admin.close()


def test_expire_persist_and_expiry_fire_keyspace_events(r, events):
    r.set("k", "v")
    r.set("gone", "v")
    events()
    r.expire("k", 100)
    r.execute_command("EXPIRE", "k", 50, "NX")          # not applied: no event
    r.persist("k")
    r.persist("k")                                      # nothing to remove: no event
    r.execute_command("EXPIRE", "gone", -1)
    r.set("short", "v", px=30)
    time.sleep(0.1)
    r.get("short")
    assert events() == [("expire", b"k"), ("persist", b"k"), ("del", b"gone"),
                        ("set", b"short"), ("expire", b"short"), ("expired", b"short")]
