"""engine.memory: the running totals never drift from the sum of what is charged, and
the model follows Redis's encodings."""
import random

import pytest

from engine import Engine, memory


class FakeClock:
    def __init__(self):
        self.t = 1_700_000_000.0

    def __call__(self):
        return self.t


def _run(e, c, *args):
    return e.execute(c, [a if isinstance(a, bytes) else str(a).encode() for a in args])


def _charged_sum(db) -> int:
    return sum(memory.charged(db, k, v) for k, v in db.data.items())


def _check(e):
    for db in e.dbs:
        memory.flush_dirty(db)
        assert db.mem == _charged_sum(db), f"db{db.id} drifted"
        assert set(db.rawlen) <= set(db.data)


def _random_command(rng, keys):
    k = rng.choice(keys)
    k2 = rng.choice(keys)
    small = str(rng.randrange(100))
    word = "v" * rng.choice((1, 10, 50, 100))
    return rng.choice([
        ("SET", k, word), ("SET", k, small), ("SET", k, word, "EX", "100"),
        ("APPEND", k, word), ("SETRANGE", k, rng.randrange(50), word),
        ("INCR", k), ("INCRBYFLOAT", k, "1.5"), ("SETBIT", k, rng.randrange(5000), 1),
        ("GETDEL", k), ("GETSET", k, word), ("MSET", k, word, k2, small),
        ("SETNX", k, word), ("PFADD", k, *[f"e{rng.randrange(500)}" for _ in range(20)]),
        ("HSET", k, f"f{rng.randrange(200)}", word), ("HDEL", k, f"f{rng.randrange(200)}"),
        ("RPUSH", k, word, small), ("LPOP", k), ("LMOVE", k, k2, "LEFT", "RIGHT"),
        ("SADD", k, small, word), ("SREM", k, small), ("SMOVE", k, k2, small),
        ("SUNIONSTORE", k2, k, k2), ("ZADD", k, rng.random(), word + small),
        ("ZREM", k, word + small), ("ZUNIONSTORE", k2, 2, k, k2),
        ("XADD", k, "*", "a", word), ("XTRIM", k, "MAXLEN", 3), ("DEL", k),
        ("RENAME", k, k2), ("COPY", k, k2, "REPLACE"), ("MOVE", k, 1),
        ("EXPIRE", k, 1), ("PERSIST", k), ("UNLINK", k2), ("SORT", k, "STORE", k2),
        ("BITOP", "OR", k2, k), ("PFMERGE", k2, k), ("RESTORE", k2, 0, b"bad"),
        ("SWAPDB", 0, 1), ("SELECT", rng.choice((0, 0, 0, 1))),
        ("HINCRBYFLOAT", k, "f1", "0.5"), ("LSET", k, 0, word), ("LREM", k, 0, small),
        ("SPOP", k, 2), ("ZPOPMIN", k), ("GEOADD", k, "13.4", "52.5", word),
        ("XGROUP", "CREATE", k, "g", "0", "MKSTREAM"),
        ("XREADGROUP", "GROUP", "g", "c1", "COUNT", 5, "STREAMS", k, ">"),
        ("XACK", k, "g", "0-1"), ("XDEL", k, "0-1"), ("LTRIM", k, 1, -1),
        ("EVAL", "redis.call('set', KEYS[1], ARGV[1]) return 1", 1, k, word),
        ("MULTI",), ("EXEC",), ("GETEX", k, "PX", 10), ("PFCOUNT", k),
        ("BITFIELD", k, "SET", "u8", rng.randrange(4000), 200),
    ])


def test_random_writes_never_drift():
    clock = FakeClock()
    e = Engine(clock=clock, rng=random.Random(3))
    c = e.connect()
    rng = random.Random(11)
    keys = [f"k{i}" for i in range(12)]
    for step in range(6000):
        _run(e, c, *_random_command(rng, keys))
        if step % 500 == 0:
            clock.t += 2                        # let TTLs pass: lazy and active expiry
            e.update_time()
            e.active_expire_cycle()
        if step % 97 == 0:
            _check(e)
        if step == 3000:
            _run(e, c, "FLUSHDB")
    _check(e)


def test_empty_engine_counts_only_the_baseline_and_clients():
    e = Engine()
    assert memory.dataset_memory(e) == 0
    e.connect()
    assert memory.used_memory(e) == memory.STARTUP + memory.CLIENT_BASE


def test_flushall_returns_to_zero():
    e = Engine()
    c = e.connect()
    for i in range(200):
        _run(e, c, "HSET", f"h{i}", "f", "v" * i)
        _run(e, c, "SET", f"s{i}", "x" * i)
        _run(e, c, "APPEND", f"s{i}", "y")
    assert e.dbs[0].mem > 0
    _run(e, c, "FLUSHALL")
    assert e.dbs[0].mem == 0 and not e.dbs[0].rawlen


@pytest.mark.parametrize("value,enc_cost", [
    (b"5", 0),                        # a shared integer: nothing but the key
    (b"123456789012", 16),            # an int-encoded robj
    (b"x" * 10, 32),                  # embstr: 16 + 3 + 10 + 1 -> 32
    (b"x" * 44, 64),                  # the longest embstr
    (b"x" * 45, 16 + 64),             # raw: robj + sds (3 + 45 + 1 -> 64)
])
def test_string_costs_follow_redis_encodings(value, enc_cost):
    key = b"key"                                      # sds: 1 + 3 + 1 -> 8
    assert memory.str_cost(key, value) == 32 + 8 + enc_cost


def test_jemalloc_size_classes():
    assert [memory.jemalloc(n) for n in (1, 9, 24, 129, 161, 257, 4097, 16385)] == \
        [8, 16, 32, 160, 192, 320, 5120, 20480]


def test_in_place_growth_is_greedy_like_sds():
    e = Engine()
    c = e.connect()
    _run(e, c, "APPEND", "k", "a" * 20)         # embstr
    _run(e, c, "APPEND", "k", "a" * 20)         # unshared raw, room for 80 (+ rounding)
    db = e.dbs[0]
    assert db.rawlen[b"k"] == memory.greedy(40)
    assert memory.usage(db, b"k", db.data[b"k"]) == 16 + 96 + 8 + 24
