"""maxmemory and the eight maxmemory-policy values, on keyscope and redis-server.

The limits are set a couple of MB above what the server uses empty, so each test
overfills with a few thousand small keys.  Every test restores the configuration it
changed (the servers are shared by the whole session)."""
import time

import pytest
import redis

OOM = "command not allowed when used memory > 'maxmemory'."   # redis-py drops "OOM "
VALUE = "v" * 1000
_SAVED = ("maxmemory", "maxmemory-policy", "maxmemory-samples", "lfu-log-factor",
          "lfu-decay-time", "maxmemory-eviction-tenacity", "notify-keyspace-events")


@pytest.fixture
def mm(r):
    """Restores the eviction settings after the test; returns a helper that sets
    maxmemory to what the server uses now plus ``extra`` bytes."""
    saved = {k: r.config_get(k)[k] for k in _SAVED}
    r.config_resetstat()                          # evicted_keys counts from 0

    def limit(extra: int, policy: str) -> int:
        r.config_set("maxmemory-policy", policy)
        used = r.info("memory")["used_memory"]
        r.config_set("maxmemory", used + extra)
        return used + extra
    yield limit
    r.config_set("maxmemory", 0)
    for k, v in saved.items():
        r.config_set(k, v)


def _fill(r, prefix: str, n: int, ttl: int | None = None, start: int = 0):
    """SET n keys of ~1 kB (pipelined); returns how many were refused with OOM."""
    p = r.pipeline(transaction=False)
    for i in range(start, start + n):
        if ttl is None:
            p.set(f"{prefix}:{i}", VALUE)
        else:
            p.set(f"{prefix}:{i}", VALUE, ex=ttl + i)
    res = p.execute(raise_on_error=False)
    return sum(1 for x in res if isinstance(x, redis.ResponseError))


def _alive(r, keys) -> int:
    p = r.pipeline(transaction=False)
    for k in keys:
        p.exists(k)
    return sum(p.execute())


def _err(r, *args) -> str:
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command(*args)
    if str(e.value) == OOM:
        assert isinstance(e.value, redis.exceptions.OutOfMemoryError)
    return str(e.value)


# ------------------------------------------------------------------ noeviction
def test_noeviction_refuses_denyoom_commands_with_redis_text(r, raw, mm):
    r.set("keep", "me")
    mm(1_000_000, "noeviction")
    refused = _fill(r, "k", 2000)
    assert refused > 0
    expected = b"-OOM command not allowed when used memory > 'maxmemory'.\r\n"
    assert raw().request(b"SET x y\r\n", expected) == expected
    assert _err(r, "SET", "x", "y") == OOM
    assert _err(r, "LPUSH", "l", "a") == OOM
    assert r.get("keep") == b"me"                 # reads still work
    assert r.delete("keep") == 1                  # DEL is not DENYOOM
    assert r.info("stats")["evicted_keys"] == 0
    assert r.info("errorstats")["errorstat_OOM"]["count"] >= 2


def test_oom_inside_multi_rejects_queueing_and_aborts_exec(r, mm):
    mm(1_000_000, "noeviction")
    _fill(r, "k", 2000)
    p = r.pipeline(transaction=False)
    p.execute_command("MULTI")
    p.execute_command("GET", "k:1")             # any command is refused while queueing
    p.execute_command("EXEC")
    res = p.execute(raise_on_error=False)
    assert res[0] == b"OK"
    assert str(res[1]) == OOM
    assert isinstance(res[2], redis.exceptions.ExecAbortError)  # redis-py drops "EXECABORT "
    assert str(res[2]) == "Transaction discarded because of previous errors."


def test_a_limit_of_one_byte_refuses_every_write(r, mm):
    r.config_set("maxmemory-policy", "noeviction")
    r.config_set("maxmemory", 1)
    assert _err(r, "SET", "a", "b") == OOM
    assert r.get("a") is None
    assert r.execute_command("EVAL", "return 1", 0) == 1
    assert r.execute_command("PING") is True


# ------------------------------------------------------------------ allkeys-*
@pytest.mark.parametrize("policy", ["allkeys-lru", "allkeys-lfu", "allkeys-random"])
def test_allkeys_policies_evict_to_stay_within_maxmemory(r, mm, policy):
    limit = mm(2_000_000, policy)
    assert _fill(r, "k", 4000) == 0               # 2x what fits: nothing refused
    info = r.info()
    assert info["used_memory"] <= limit + 32768    # Redis: INFO's own reply buffer
    assert info["evicted_keys"] > 0
    keys = r.dbsize()
    assert keys < 4000
    # (Redis may evict a few more before DBSIZE, to make room for INFO's reply)
    assert 4000 - 64 <= keys + info["evicted_keys"] <= 4000


def test_allkeys_policies_may_evict_keys_with_or_without_ttl(r, mm):
    mm(1_500_000, "allkeys-random")
    _fill(r, "p", 1500)
    _fill(r, "v", 1500, ttl=10000)
    assert _alive(r, [f"p:{i}" for i in range(1500)]) < 1500
    assert _alive(r, [f"v:{i}" for i in range(1500)]) < 1500


# ------------------------------------------------------------------ volatile-*
@pytest.mark.parametrize("policy", ["volatile-lru", "volatile-lfu", "volatile-random",
                                    "volatile-ttl"])
def test_volatile_policies_never_touch_persistent_keys(r, mm, policy):
    mm(2_000_000, policy)
    _fill(r, "p", 600)
    persistent = [f"p:{i}" for i in range(600)]
    refused = _fill(r, "v", 3000, ttl=10000)
    assert refused == 0
    assert _alive(r, persistent) == 600
    assert r.info("stats")["evicted_keys"] > 0


@pytest.mark.parametrize("policy", ["volatile-lru", "volatile-random"])
def test_volatile_policies_refuse_writes_when_only_persistent_keys_are_left(r, mm, policy):
    mm(1_000_000, policy)
    assert _fill(r, "p", 2000) > 0
    assert _fill(r, "q", 100) > 0                   # still refusing, nothing evicted
    assert r.info("stats")["evicted_keys"] == 0
    assert _alive(r, [f"p:{i}" for i in range(200)]) == 200


def test_volatile_ttl_evicts_the_soonest_to_expire_first(r, mm):
    mm(2_000_000, "volatile-ttl")
    r.config_set("maxmemory-samples", 10)
    _fill(r, "v", 3500, ttl=10000)               # key i expires after 10000 + i s
    early = _alive(r, [f"v:{i}" for i in range(0, 1000)])
    late = _alive(r, [f"v:{i}" for i in range(2500, 3500)])
    assert late > early
    assert late > 900


# ------------------------------------------------------------------ LRU / LFU quality
def _read(r, keys):
    p = r.pipeline(transaction=False)
    for k in keys:
        p.get(k)
    p.execute()


def test_allkeys_lru_keeps_the_most_recently_read_keys_under_a_2x_overfill(r, mm):
    """A cache's life: fill memory, then write as much again while a tenth of the
    first keys keeps being read.  LRU (1 s clock) evicts the idle ones."""
    r.config_set("maxmemory-samples", 10)
    mm(3_000_000, "allkeys-lru")
    n = 0
    while not r.info("stats")["evicted_keys"]:     # fill until the limit
        _fill(r, "cold", 100, start=n)
        n += 100
    p = r.pipeline(transaction=False)
    for i in range(n):
        p.exists(f"cold:{i}")
    alive = [f"cold:{i}" for i, x in enumerate(p.execute()) if x]
    hot = alive[::10]                              # a tenth of what fits
    time.sleep(1.1)                                # the fill is now idle
    written = 0
    for phase in range(2):
        _read(r, hot)
        while written < (phase + 1) * n // 2:       # half the overfill per phase
            _fill(r, "new", 100, start=written)
            written += 100
            _read(r, hot)
        if phase == 0:
            time.sleep(1.1)                        # the first half ages too
    assert written >= n                            # 2x what fits was written
    assert r.info("stats")["evicted_keys"] >= 0.9 * n
    assert _alive(r, hot) >= 0.9 * len(hot)


def test_allkeys_lfu_keeps_the_frequently_read_keys(r, mm):
    r.config_set("lfu-log-factor", 0)             # every access counts
    r.config_set("maxmemory-samples", 10)
    mm(2_000_000, "allkeys-lfu")
    _fill(r, "k", 1500)
    hot = [f"k:{i}" for i in range(0, 1500, 10)]
    p = r.pipeline(transaction=False)
    for _ in range(10):
        for k in hot:
            p.get(k)
    p.execute()
    assert r.object("freq", hot[0]) >= 10
    _fill(r, "new", 2500)
    assert _alive(r, hot) >= 0.9 * len(hot)


# ------------------------------------------------------------------ signalling
def test_evicted_keys_are_notified_as_evicted(r, server, mm):
    r.config_set("notify-keyspace-events", "Ee")
    sub = server.client()
    ps = sub.pubsub()
    ps.subscribe("__keyevent@0__:evicted")
    assert ps.get_message(timeout=2)["type"] == "subscribe"
    try:
        mm(1_000_000, "allkeys-random")
        _fill(r, "k", 2000)
        msg = ps.get_message(timeout=2)
        assert msg is not None and msg["channel"] == b"__keyevent@0__:evicted"
        assert msg["data"].startswith(b"k:")
    finally:
        ps.close()
        sub.close()


def test_watched_key_evicted_fails_the_transaction(r, server, mm):
    r.set("watched", VALUE)
    w = server.client()
    try:
        p = w.pipeline(transaction=True)
        p.watch("watched")
        mm(1_000_000, "allkeys-random")
        _fill(r, "k", 3000)
        if r.exists("watched"):
            pytest.skip("the watched key happened to survive")
        p.multi()
        p.get("watched")
        with pytest.raises(redis.WatchError):
            p.execute()
    finally:
        w.close()


# ------------------------------------------------------------------ configuration
@pytest.mark.parametrize("param,value,reason", [
    ("maxmemory-samples", "0", "argument must be between 1 and 2147483647 inclusive"),
    ("maxmemory-samples", "abc", "argument couldn't be parsed into an integer"),
    ("maxmemory-eviction-tenacity", "101",
     "argument must be between 0 and 100 inclusive"),
    ("maxmemory-policy", "bogus",
     "argument(s) must be one of the following: volatile-lru, volatile-lfu, "
     "volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, "
     "noeviction"),
    ("lfu-log-factor", "-1", "argument must be between 0 and 2147483647 inclusive"),
    ("lfu-decay-time", "-5", "argument must be between 0 and 2147483647 inclusive"),
    ("maxmemory", "-1", "argument must be a memory value"),
    ("maxmemory", "1zz", "argument must be a memory value"),
])
def test_config_set_out_of_range_values(r, param, value, reason):
    assert _err(r, "CONFIG", "SET", param, value) == \
        f"CONFIG SET failed (possibly related to argument '{param}') - {reason}"


def test_config_set_maxmemory_below_usage_evicts_at_once(r, mm):
    _fill(r, "k", 3000)
    r.config_set("maxmemory-policy", "allkeys-random")
    used = r.info("memory")["used_memory"]
    r.config_set("maxmemory", used - 1_000_000)
    r.ping()
    deadline = time.time() + 5
    while r.info("memory")["used_memory"] > used - 1_000_000 and time.time() < deadline:
        time.sleep(0.05)
    assert r.info("memory")["used_memory"] <= used - 1_000_000
    assert r.info("stats")["evicted_keys"] > 0
    assert r.config_get("maxmemory")["maxmemory"] == str(used - 1_000_000)


# ------------------------------------------------------------------ keyscope's invariant
@pytest.mark.ours_only("keyscope evicts right after a write, Redis before the next command")
def test_used_memory_never_stays_above_maxmemory_after_a_write(r, mm):
    limit = mm(1_000_000, "allkeys-lru")
    for i in range(1500):
        r.set(f"k:{i}", VALUE)
        if i % 50 == 0:
            assert r.info("memory")["used_memory"] <= limit
    r.hset("big", mapping={f"f{i}": VALUE for i in range(300)})
    assert r.info("memory")["used_memory"] <= limit
