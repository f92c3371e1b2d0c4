"""Everyday Redis patterns, run through redis-py unchanged against both servers."""
import time

import pytest
import redis


def test_cache_aside_with_setex(r):
    def load_user(uid):
        cached = r.get(f"user:{uid}")
        if cached is not None:
            return cached, "hit"
        value = f"user-{uid}-from-db".encode()
        r.setex(f"user:{uid}", 60, value)
        return value, "miss"
    assert load_user(7) == (b"user-7-from-db", "miss")
    assert load_user(7) == (b"user-7-from-db", "hit")
    assert 0 < r.ttl("user:7") <= 60


def test_incr_expire_fixed_window_rate_limiter(r):
    def allowed(client_id, limit=3, window=10):
        key = f"rate:{client_id}"
        with r.pipeline() as p:
            p.incr(key)
            p.expire(key, window, nx=True)
            count, _ = p.execute()
        return count <= limit
    assert [allowed("a") for _ in range(5)] == [True, True, True, False, False]
    assert allowed("b") is True
    assert 0 < r.ttl("rate:a") <= 10


def test_lock_with_set_nx_ex_and_owner_checked_release(r):
    assert r.set("lock:job", "owner-1", nx=True, ex=30)
    assert r.set("lock:job", "owner-2", nx=True, ex=30) is None

    def release(owner):
        with r.pipeline() as p:
            try:
                p.watch("lock:job")
                if p.get("lock:job") != owner.encode():
                    p.unwatch()
                    return False
                p.multi()
                p.delete("lock:job")
                p.execute()
                return True
            except redis.WatchError:
                return False
    assert release("owner-2") is False
    assert release("owner-1") is True
    assert r.exists("lock:job") == 0


def test_leaderboard_with_zadd_and_zrevrange(r):
    r.zadd("board", {"ann": 120, "bob": 95, "cid": 150, "dee": 95})
    r.zincrby("board", 40, "bob")
    assert r.zrevrange("board", 0, 2, withscores=True) == [
        (b"cid", 150.0), (b"bob", 135.0), (b"ann", 120.0)]
    assert r.zrevrank("board", "dee") == 3
    assert r.zscore("board", "bob") == 135.0


def test_session_storage_with_setex_and_hashes(r):
    r.setex("session:abc", 1800, "user=7")
    r.hset("session:data:abc", mapping={"user": "7", "cart": "3"})
    r.expire("session:data:abc", 1800)
    assert r.get("session:abc") == b"user=7"
    assert r.hgetall("session:data:abc") == {b"user": b"7", b"cart": b"3"}
    assert r.ttl("session:data:abc") > 1700
    r.delete("session:abc")
    assert r.get("session:abc") is None


def test_sliding_window_rate_limiter_in_lua(r):
    limiter = r.register_script("""
        local now = tonumber(ARGV[1])
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
        if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
        redis.call('ZADD', KEYS[1], now, ARGV[4])
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return 1
    """)
    got = [limiter(keys=["sw"], args=[1000 + i, 1000, 2, f"r{i}"]) for i in range(4)]
    assert got == [1, 1, 0, 0]
    assert limiter(keys=["sw"], args=[2500, 1000, 2, "later"]) == 1


def test_slow_subscriber_is_disconnected_at_the_pubsub_limit(server, r):
    """A subscriber that never reads passes the pubsub output buffer hard limit and is
    closed; the server keeps serving and the channel has no subscriber left."""
    r.config_set("client-output-buffer-limit", "pubsub 1mb 512kb 60")
    sub = server.client(socket_timeout=30)
    try:
        conn = sub.connection_pool.get_connection()
        conn.send_command("SUBSCRIBE", "flood")
        assert conn.read_response()[0] == b"subscribe"
        payload = b"x" * 16384
        deadline = time.time() + 30
        sent = 0
        while r.pubsub_numsub("flood")[0][1] == 1 and time.time() < deadline \
                and sent < 400 * 1024 * 1024:
            with r.pipeline(transaction=False) as p:
                for _ in range(64):
                    p.publish("flood", payload)
                p.execute()
            sent += 64 * len(payload)
        assert r.pubsub_numsub("flood") == [(b"flood", 0)]
        assert r.ping() is True
        conn.disconnect()
    finally:
        r.config_set("client-output-buffer-limit", "pubsub 32mb 8mb 60")
        sub.close()
