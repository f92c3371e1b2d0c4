"""Pub/Sub and keyspace notifications, as Redis 7.0 delivers them."""
import time

import pytest
import redis


def _read(raw_conn, expect: bytes) -> bytes:
    return raw_conn.recv(len(expect))


def test_subscribe_confirms_each_channel_with_a_running_count(raw):
    c = raw()
    expect = (b"*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n"
              b"*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n")
    assert c.request(b"SUBSCRIBE a b\r\n", expect) == expect


def test_publish_reaches_channel_and_pattern_subscribers(r, raw):
    sub = raw()
    sub.request(b"SUBSCRIBE news\r\n", b"*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n")
    psub = raw()
    psub.request(b"PSUBSCRIBE n*\r\n", b"*3\r\n$10\r\npsubscribe\r\n$2\r\nn*\r\n:1\r\n")
    assert r.publish("news", "hello") == 2
    m = b"*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n"
    assert sub.recv(len(m)) == m
    pm = b"*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$5\r\nhello\r\n"
    assert psub.recv(len(pm)) == pm


def test_subscribed_resp2_client_may_only_run_subscription_commands(raw):
    c = raw()
    c.request(b"SUBSCRIBE a\r\n", b"*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n")
    expect = (b"-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / "
              b"QUIT / RESET are allowed in this context\r\n")
    assert c.request(b"GET x\r\n", expect) == expect
    pong = b"*2\r\n$4\r\npong\r\n$0\r\n\r\n"
    assert c.request(b"PING\r\n", pong) == pong


def test_unsubscribe_without_channels_when_none_replies_null_channel(raw):
    c = raw()
    expect = b"*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n"
    assert c.request(b"UNSUBSCRIBE\r\n", expect) == expect


def test_unsubscribe_all_lists_each_channel(raw):
    c = raw()
    c.request(b"SUBSCRIBE a\r\n", b"*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n")
    expect = b"*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:0\r\n"
    assert c.request(b"UNSUBSCRIBE\r\n", expect) == expect
    assert c.request(b"GET x\r\n", b"$-1\r\n") == b"$-1\r\n"


def test_resp3_subscriber_gets_push_messages_and_normal_replies(r, raw):
    c = raw()
    hello = c.request(b"HELLO 3\r\n", b"%7\r\n")
    assert hello.startswith(b"%7\r\n")
    time.sleep(0.05)
    c.recv(100000, timeout=0.2)
    expect = b">3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n"
    assert c.request(b"SUBSCRIBE ch\r\n", expect) == expect
    assert c.request(b"GET missing\r\n", b"_\r\n") == b"_\r\n"
    r.publish("ch", "m")
    msg = b">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nm\r\n"
    assert c.recv(len(msg)) == msg


def test_pubsub_introspection(r, raw):
    a, b = raw(), raw()
    a.request(b"SUBSCRIBE chan:1 chan:2\r\n", b"*3\r\n" * 2)
    a.recv(60, timeout=0.2)
    b.request(b"PSUBSCRIBE p*\r\n", b"*3\r\n$10\r\npsubscribe\r\n$2\r\np*\r\n:1\r\n")
    assert sorted(r.pubsub_channels()) == [b"chan:1", b"chan:2"]
    assert r.pubsub_channels("chan:1") == [b"chan:1"]
    assert r.pubsub_numsub("chan:1", "nope") == [(b"chan:1", 1), (b"nope", 0)]
    assert r.pubsub_numpat() == 1


def test_sharded_pubsub(r, raw):
    c = raw()
    expect = b"*3\r\n$10\r\nssubscribe\r\n$1\r\ns\r\n:1\r\n"
    assert c.request(b"SSUBSCRIBE s\r\n", expect) == expect
    assert r.execute_command("SPUBLISH", "s", "hi") == 1
    msg = b"*3\r\n$8\r\nsmessage\r\n$1\r\ns\r\n$2\r\nhi\r\n"
    assert c.recv(len(msg)) == msg
    assert r.execute_command("PUBSUB", "SHARDCHANNELS") == [b"s"]
    assert r.execute_command("PUBSUB", "SHARDNUMSUB", "s") == [b"s", 1]


@pytest.fixture
def notify_all(r):
    r.config_set("notify-keyspace-events", "KEA")
    yield
    r.config_set("notify-keyspace-events", "")


def test_keyspace_and_keyevent_notifications_for_set(r, raw, notify_all):
    c = raw()
    c.request(b"PSUBSCRIBE __key*@0__:*\r\n", b"*3\r\n$10\r\npsubscribe\r\n")
    c.recv(100, timeout=0.2)
    r.set("k1", "v")
    ks = b"*4\r\n$8\r\npmessage\r\n$12\r\n__key*@0__:*\r\n$17\r\n__keyspace@0__:k1\r\n$3\r\nset\r\n"
    ke = b"*4\r\n$8\r\npmessage\r\n$12\r\n__key*@0__:*\r\n$18\r\n__keyevent@0__:set\r\n$2\r\nk1\r\n"
    assert c.recv(len(ks) + len(ke)) == ks + ke


def test_expired_event_is_notified(r, raw, notify_all):
    c = raw()
    c.request(b"SUBSCRIBE __keyevent@0__:expired\r\n", b"*3\r\n$9\r\nsubscribe\r\n")
    c.recv(100, timeout=0.2)
    r.set("gone", "v", px=20)
    msg = b"*3\r\n$7\r\nmessage\r\n$22\r\n__keyevent@0__:expired\r\n$4\r\ngone\r\n"
    assert c.recv(len(msg), timeout=3) == msg


def test_config_get_notify_keyspace_events_is_canonical(r):
    r.config_set("notify-keyspace-events", "KEA")
    try:
        assert r.config_get("notify-keyspace-events")["notify-keyspace-events"] == "AKE"
        r.config_set("notify-keyspace-events", "Ex$")
        assert r.config_get("notify-keyspace-events")["notify-keyspace-events"] == "$xE"
    finally:
        r.config_set("notify-keyspace-events", "")


def test_pubsub_help_lists_the_subcommands(r):
    lines = r.execute_command("PUBSUB", "HELP")
    assert lines[0] == b"PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert b"SHARDNUMSUB [<shardchannel> ...]" in lines
    assert lines[-2:] == [b"HELP", b"    Prints this help."] and len(lines) == 14
    with pytest.raises(redis.ResponseError,
                       match=r"^wrong number of arguments for 'pubsub\|help' command$"):
        r.execute_command("PUBSUB", "HELP", "x")
