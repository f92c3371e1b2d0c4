"""Transactions: MULTI/EXEC/DISCARD/WATCH as Redis 7.0 does them."""
import time

import pytest
import redis


def test_exec_returns_the_queued_replies_in_order(r):
    p = r.pipeline(transaction=True)
    p.set("a", "1").incr("a").get("a")
    assert p.execute() == [True, 2, b"2"]


def test_commands_inside_multi_reply_queued(raw):
    c = raw()
    out = c.request(b"MULTI\r\nSET k v\r\nGET k\r\nEXEC\r\n",
                    b"+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n+OK\r\n$1\r\nv\r\n")
    assert out == b"+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n+OK\r\n$1\r\nv\r\n"


def test_runtime_error_inside_exec_does_not_roll_back(r):
    r.set("s", "text")
    p = r.pipeline(transaction=True)
    p.set("a", "1").incr("s").set("b", "2")
    res = p.execute(raise_on_error=False)
    assert res[0] is True and res[2] is True
    assert isinstance(res[1], redis.ResponseError)
    assert str(res[1]) == "value is not an integer or out of range"
    assert r.get("a") == b"1" and r.get("b") == b"2"


def test_a_rejected_command_makes_exec_abort(raw):
    c = raw()
    expect = (b"+OK\r\n-ERR unknown command 'NOSUCH', with args beginning with: \r\n"
              b"+QUEUED\r\n-EXECABORT Transaction discarded because of previous errors.\r\n")
    assert c.request(b"MULTI\r\nNOSUCH\r\nSET a b\r\nEXEC\r\n", expect) == expect


def test_wrong_arity_inside_multi_aborts_exec(raw):
    c = raw()
    expect = (b"+OK\r\n-ERR wrong number of arguments for 'get' command\r\n"
              b"-EXECABORT Transaction discarded because of previous errors.\r\n")
    assert c.request(b"MULTI\r\nGET\r\nEXEC\r\n", expect) == expect


def test_nested_multi_exec_without_multi_discard_without_multi(raw):
    c = raw()
    expect = (b"-ERR EXEC without MULTI\r\n-ERR DISCARD without MULTI\r\n+OK\r\n"
              b"-ERR MULTI calls can not be nested\r\n+OK\r\n")
    assert c.request(b"EXEC\r\nDISCARD\r\nMULTI\r\nMULTI\r\nDISCARD\r\n", expect) == expect


def test_nested_multi_does_not_abort_the_transaction(raw):
    c = raw()
    expect = (b"+OK\r\n-ERR MULTI calls can not be nested\r\n+QUEUED\r\n*1\r\n:1\r\n")
    assert c.request(b"MULTI\r\nMULTI\r\nINCR x\r\nEXEC\r\n", expect) == expect


def test_discard_drops_the_queue(r, raw):
    c = raw()
    expect = b"+OK\r\n+QUEUED\r\n+OK\r\n$-1\r\n"
    assert c.request(b"MULTI\r\nSET d 1\r\nDISCARD\r\nGET d\r\n", expect) == expect


def test_watch_inside_multi_is_refused(raw):
    c = raw()
    expect = b"+OK\r\n-ERR WATCH inside MULTI is not allowed\r\n+OK\r\n"
    assert c.request(b"MULTI\r\nWATCH a\r\nDISCARD\r\n", expect) == expect


def test_exec_fails_with_null_when_a_watched_key_changed(server, r):
    other = server.client()
    r.set("w", "0")
    with r.pipeline() as p:
        p.watch("w")
        other.set("w", "changed")
        p.multi()
        p.set("w", "mine")
        with pytest.raises(redis.WatchError):
            p.execute()
    assert r.get("w") == b"changed"
    other.close()


def test_exec_null_reply_is_a_null_array_in_resp2(server, raw):
    other = server.client()
    c = raw()
    assert c.request(b"WATCH k\r\n", b"+OK\r\n") == b"+OK\r\n"
    other.set("k", "x")
    expect = b"+OK\r\n+QUEUED\r\n*-1\r\n"
    assert c.request(b"MULTI\r\nGET k\r\nEXEC\r\n", expect) == expect
    other.close()


def test_watch_then_unchanged_key_lets_exec_run(r):
    r.set("w", "1")
    with r.pipeline() as p:
        p.watch("w")
        p.multi()
        p.incr("w")
        assert p.execute() == [2]


def test_unwatch_forgets_the_keys(server, r):
    other = server.client()
    with r.pipeline() as p:
        p.watch("u")
        other.set("u", "1")
        p.unwatch()
        p.multi()
        p.set("u", "2")
        assert p.execute() == [True]
    other.close()


def test_flushall_fails_exec_of_a_watcher_of_an_existing_key(server, r):
    other = server.client()
    r.set("f", "1")
    with r.pipeline() as p:
        p.watch("f")
        other.flushall()
        p.multi()
        p.set("f", "2")
        with pytest.raises(redis.WatchError):
            p.execute()
    other.close()


def test_watched_key_expiring_before_exec_fails_it(r):
    r.set("e", "1", px=50)
    with r.pipeline() as p:
        p.watch("e")
        time.sleep(0.12)
        p.multi()
        p.set("x", "1")
        with pytest.raises(redis.WatchError):
            p.execute()


def test_lock_release_pattern_with_watch(r):
    """The SET NX EX lock released with WATCH/MULTI only by its owner."""
    assert r.set("lock", "token-1", nx=True, ex=10) is True
    assert r.set("lock", "token-2", nx=True, ex=10) is None
    with r.pipeline() as p:
        p.watch("lock")
        assert p.get("lock") == b"token-1"
        p.multi()
        p.delete("lock")
        assert p.execute() == [1]
    assert r.get("lock") is None
