"""Expiry machinery with a fake clock: lazy expiry on access, active expiry in bounded
slices on the cron (never a whole-keyspace walk in one tick), the heap's bookkeeping,
propagation of the deterministic forms, and the LRU/LFU access table."""
import random

import pytest

from engine import Engine
from engine.keyspace import Database

T0 = 1_700_000_000.0


class Clock:
    """Whole milliseconds; read half a millisecond in so float rounding cannot move
    int(seconds * 1000) onto a neighbour."""
    def __init__(self, t=T0):
        self.ms = int(t * 1000)

    def __call__(self):
        return (self.ms + 0.5) / 1000

    def advance(self, seconds):
        self.ms += round(seconds * 1000)


@pytest.fixture
def env():
    clock = Clock()
    e = Engine(clock=clock, rng=random.Random(7))
    propagated = []
    e.propagators.append(lambda dbid, argv: propagated.append((dbid, list(argv))))
    c = e.connect()

    def run(*argv):
        e.update_time()              # what the protocol does once per read batch
        return e.execute(c, [a if isinstance(a, bytes) else str(a).encode() for a in argv])
    return e, clock, c, run, propagated


def fill_volatile(run, n, px, prefix="k", db=None):
    for i in range(n):
        run("SET", f"{prefix}{i}", "v", "PX", px)


# ------------------------------------------------------------------ lazy expiry
def test_lazy_expiry_deletes_on_access_and_propagates_del(env):
    e, clock, c, run, propagated = env
    run("SET", "k", "v", "PX", 100)
    propagated.clear()
    clock.advance(0.05)
    assert run("GET", "k") == b"v"
    clock.advance(0.06)
    assert "k".encode() in e.dbs[0].data          # still stored until someone looks
    assert run("GET", "k") is None
    assert b"k" not in e.dbs[0].data and b"k" not in e.dbs[0].expires
    assert propagated == [(0, [b"DEL", b"k"])]
    assert e.stats.expired_keys == 1


def test_a_key_expiring_exactly_now_is_still_alive(env):
    e, clock, c, run, _ = env
    run("SET", "k", "v", "PX", 100)
    clock.advance(0.1)                             # now == expire time
    assert run("GET", "k") == b"v"
    assert run("PTTL", "k") == 0
    clock.advance(0.001)
    assert run("GET", "k") is None


def test_every_lookup_path_expires_lazily(env):
    e, clock, c, run, _ = env
    for k in ("a", "b", "c", "d", "e"):
        run("SET", k, "v", "PX", 10)
    clock.advance(1)
    assert run("EXISTS", "a") == 0
    assert run("TYPE", "b") == b"none"
    assert run("TTL", "c") == -2
    assert run("OBJECT", "ENCODING", "d") is None
    assert run("DEL", "e") == 0                    # expired first: nothing left to delete
    assert e.dbs[0].data == {}
    assert e.stats.expired_keys == 5


def test_expired_keys_fire_the_expire_listeners(env):
    e, clock, c, run, _ = env
    seen = []
    e.expire_listeners.append(lambda db, key: seen.append((db.id, key)))
    run("SET", "k", "v", "PX", 10)
    clock.advance(1)
    run("GET", "k")
    assert seen == [(0, b"k")]


# ------------------------------------------------------------------ active expiry
def test_active_expiry_removes_due_keys_in_bounded_batches(env):
    e, clock, c, run, _ = env
    fill_volatile(run, 1000, 100)
    run("SET", "persistent", "v")
    clock.advance(1)
    db = e.dbs[0]
    ticks = 0
    while len(db) > 1:
        before = len(db)
        expired = e.active_expire_cycle(budget_us=0)   # a spent budget: one batch only
        assert expired == before - len(db)
        assert 0 < expired <= 20                       # never the whole keyspace
        ticks += 1
    assert ticks == 50
    assert list(db.data) == [b"persistent"]
    assert e.stats.expired_keys == 1000


def test_active_expiry_with_time_to_spare_clears_everything_due_in_one_tick(env):
    e, clock, c, run, _ = env
    fill_volatile(run, 300, 100)
    fill_volatile(run, 50, 100_000, prefix="later")
    clock.advance(1)
    assert e.active_expire_cycle(budget_us=10_000_000) == 300
    assert len(e.dbs[0]) == 50


def test_active_expiry_never_touches_keys_not_yet_due(env):
    e, clock, c, run, _ = env
    fill_volatile(run, 100, 5000)
    clock.advance(1)
    assert e.active_expire_cycle(budget_us=10_000_000) == 0
    assert len(e.dbs[0]) == 100


def test_batches_grow_with_active_expire_effort(env, monkeypatch):
    e, clock, c, run, _ = env
    fill_volatile(run, 2000, 10)
    clock.advance(1)
    batches = []
    real = Database.active_expire
    monkeypatch.setattr(Database, "active_expire", lambda self, now, budget: (
        batches.append(budget), real(self, now, budget))[1])
    e.cron()
    assert batches and set(batches) == {20}          # effort 1: batches of 20
    e.config.set("active-expire-effort", "10")
    fill_volatile(run, 100, 10)
    clock.advance(1)
    batches.clear()
    e.active_expire_cycle(budget_us=0)
    assert batches == [65]                           # 20 + 5 * (effort - 1)


def test_the_default_budget_is_a_quarter_of_the_cron_period(env, monkeypatch):
    e, clock, c, run, _ = env
    fill_volatile(run, 3000, 10)
    clock.advance(1)
    ticks = iter(range(0, 10**9, 1000))              # perf_counter: +1 ms per call
    monkeypatch.setattr("engine.engine.time.perf_counter", lambda: next(ticks) / 1e6)
    e.config.set("hz", "100")                        # 10 ms period -> 2.5 ms budget
    expired = e.active_expire_cycle()
    assert 0 < expired <= 4 * 20                     # a few batches, then out of time
    assert len(e.dbs[0]) >= 3000 - 80


def test_a_busy_db_does_not_starve_the_others(env):
    e, clock, c, run, _ = env
    fill_volatile(run, 200, 10)
    run("SELECT", 3)
    fill_volatile(run, 5, 10, prefix="other")
    clock.advance(1)
    # one batch per tick: db 0 first, then the rotation reaches db 3 on the next tick
    e.active_expire_cycle(budget_us=0)
    e.active_expire_cycle(budget_us=0)
    assert len(e.dbs[3]) == 0
    assert len(e.dbs[0]) == 180


def test_a_grown_ttl_is_honoured_without_a_new_heap_entry(env):
    e, clock, c, run, _ = env
    run("SET", "k", "v", "PX", 100)
    db = e.dbs[0]
    heap_size = len(db._heap)
    for ms in range(200, 2200, 100):               # refresh: the TTL only grows
        run("PEXPIRE", "k", ms)
    assert len(db._heap) == heap_size
    clock.advance(1)
    assert e.active_expire_cycle(budget_us=10_000_000) == 0
    assert run("GET", "k") == b"v"
    clock.advance(1.2)
    assert e.active_expire_cycle(budget_us=10_000_000) == 1
    assert b"k" not in db.data


def test_a_shrunk_ttl_expires_at_the_new_time(env):
    e, clock, c, run, _ = env
    run("SET", "k", "v", "EX", 100)
    run("PEXPIRE", "k", 50)
    clock.advance(0.1)
    assert e.active_expire_cycle(budget_us=10_000_000) == 1


def test_set_ex_refresh_does_not_grow_the_heap(env):
    e, clock, c, run, _ = env
    db = e.dbs[0]
    for i in range(2000):
        run("SET", "session", "data", "EX", 3600)
        clock.advance(0.001)
    assert len(db._heap) <= 2
    clock.advance(3601)
    assert e.active_expire_cycle(budget_us=10_000_000) == 1


def test_persist_and_overwrite_leave_no_live_expiry_behind(env):
    e, clock, c, run, _ = env
    run("SET", "a", "v", "PX", 100)
    run("SET", "b", "v", "PX", 100)
    run("PERSIST", "a")
    run("SET", "b", "plain")
    clock.advance(1)
    assert e.active_expire_cycle(budget_us=10_000_000) == 0
    assert run("DBSIZE") == 2


def test_stale_heap_entries_are_compacted_in_slices(env):
    e, clock, c, run, _ = env
    db = e.dbs[0]
    fill_volatile(run, 5000, 3_600_000)
    run("DEL", *[f"k{i}" for i in range(5000)])
    run("SET", "live", "v", "EX", 7200)
    assert len(db._heap) == 5001 and len(db.expires) == 1
    ticks = 0
    while True:
        e.active_expire_cycle(budget_us=0)
        ticks += 1
        if db._old_heap is None and len(db._heap) < 100:
            break
        if db._old_heap is not None:
            assert db._old_pos <= 20 * 8 * ticks     # a bounded slice per tick
        assert ticks < 1000
    assert ticks > 5                               # it took several ticks, not one walk
    assert db._heap == [(db.expires[b"live"], b"live")]
    clock.advance(7201)
    assert e.active_expire_cycle(budget_us=10_000_000) == 1


def test_expiry_keeps_working_while_a_compaction_runs(env):
    e, clock, c, run, _ = env
    db = e.dbs[0]
    fill_volatile(run, 3000, 3_600_000)
    run("DEL", *[f"k{i}" for i in range(3000)])
    run("SET", "soon", "v", "PX", 500)
    e.active_expire_cycle(budget_us=0)              # starts the compaction
    assert db._old_heap is not None
    run("SET", "sooner", "v", "PX", 100)            # pushed onto the new heap
    run("PEXPIRE", "soon", 800)                     # grown: its witness is in the old heap
    clock.advance(1)
    for _ in range(200):
        e.active_expire_cycle(budget_us=0)
    assert db.data == {}


def test_next_expiry_reports_the_earliest_live_time(env):
    e, clock, c, run, _ = env
    db = e.dbs[0]
    assert db.next_expiry() is None
    run("SET", "a", "v", "PX", 500)
    run("SET", "b", "v", "PX", 200)
    run("PERSIST", "b")
    assert db.next_expiry() == e.now_ms + 500


def test_swapdb_carries_the_expiry_state(env):
    e, clock, c, run, _ = env
    run("SELECT", 1)
    fill_volatile(run, 10, 100)
    run("SELECT", 0)
    assert run("SWAPDB", 0, 1) == b"OK"
    assert len(e.dbs[0]) == 10 and len(e.dbs[1]) == 0
    clock.advance(1)
    assert e.active_expire_cycle(budget_us=10_000_000) == 10
    assert len(e.dbs[0]) == 0


# ------------------------------------------------------------------ propagation
def test_relative_expires_propagate_as_pexpireat(env):
    e, clock, c, run, propagated = env
    run("SET", "k", "v")
    propagated.clear()
    now = e.now_ms
    run("EXPIRE", "k", 10)
    run("PEXPIRE", "k", 20000, "GT")
    run("EXPIREAT", "k", 1_800_000_000)
    run("PEXPIREAT", "k", 1_800_000_000_123)
    assert propagated == [
        (0, [b"PEXPIREAT", b"k", b"%d" % (now + 10000)]),
        (0, [b"PEXPIREAT", b"k", b"%d" % (now + 20000), b"GT"]),
        (0, [b"PEXPIREAT", b"k", b"1800000000000"]),
        (0, [b"PEXPIREAT", b"k", b"1800000000123"]),
    ]


def test_an_expire_in_the_past_propagates_del_or_unlink(env):
    e, clock, c, run, propagated = env
    run("SET", "a", "v")
    run("SET", "b", "v")
    propagated.clear()
    run("EXPIRE", "a", -1)
    e.config.set("lazyfree-lazy-expire", "yes")
    run("PEXPIREAT", "b", 1)
    assert propagated == [(0, [b"DEL", b"a"]), (0, [b"UNLINK", b"b"])]


def test_commands_that_change_nothing_propagate_nothing(env):
    e, clock, c, run, propagated = env
    run("SET", "k", "v", "EX", 100)
    propagated.clear()
    run("EXPIRE", "nokey", 10)
    run("EXPIRE", "k", 10, "NX")
    run("PERSIST", "nokey")
    run("DEL", "nokey")
    run("RENAMENX", "k", "k")
    assert propagated == []


def test_key_commands_propagate_as_received(env):
    e, clock, c, run, propagated = env
    run("SET", "a", "v", "EX", 100)
    propagated.clear()
    run("RENAME", "a", "b")
    run("COPY", "b", "c", "DB", "2")
    run("COPY", "b", "d")
    run("MOVE", "d", "1")
    run("SWAPDB", "0", "1")
    assert [argv for _, argv in propagated] == [
        [b"RENAME", b"a", b"b"], [b"COPY", b"b", b"c", b"DB", b"2"], [b"COPY", b"b", b"d"],
        [b"MOVE", b"d", b"1"], [b"SWAPDB", b"0", b"1"]]


# ------------------------------------------------------------------ access tracking
def test_idletime_counts_seconds_since_the_last_access(env):
    e, clock, c, run, _ = env
    run("SET", "k", "v")
    clock.advance(10)
    e.cron()                                       # the LRU clock moves on the cron
    assert run("OBJECT", "IDLETIME", "k") == 10
    for cmd in (("TTL", "k"), ("TYPE", "k"), ("EXISTS", "k"), ("OBJECT", "ENCODING", "k"),
                ("SCAN", "0", "TYPE", "string"), ("KEYS", "*"), ("RANDOMKEY",)):
        run(*cmd)
    assert run("OBJECT", "IDLETIME", "k") == 10    # none of those count as an access
    run("GET", "k")
    assert run("OBJECT", "IDLETIME", "k") == 0
    clock.advance(5)
    e.cron()
    assert run("OBJECT", "IDLETIME", "k") == 5
    run("TOUCH", "k")
    assert run("OBJECT", "IDLETIME", "k") == 0
    clock.advance(7)
    e.cron()
    run("SET", "k", "w")
    assert run("OBJECT", "IDLETIME", "k") == 0


def test_idle_times_survive_the_access_table_growing(env):
    e, clock, c, run, _ = env
    for i in range(100):
        run("SET", f"old{i}", "v")
    clock.advance(100)
    e.cron()
    db = e.dbs[0]
    slots = len(db._lru)
    for i in range(20000):                         # grows the table on the way
        run("SET", f"k{i}", "v")
    assert len(db._lru) >= 2 * len(db) and len(db._lru) > slots
    clock.advance(1)
    e.cron()
    idle = [run("OBJECT", "IDLETIME", f"old{i}") for i in range(100)]
    # a key sharing its slot with a newer one reports the newer access: idle times are
    # a lower bound, never colder than the truth; most old keys were hit while the
    # table was small, some kept their own slot all the way
    assert set(idle) <= {1, 101}
    assert sum(t == 101 for t in idle) >= 10
    assert run("OBJECT", "IDLETIME", "k1") == 1


def test_lfu_counter_starts_at_five_grows_logarithmically_and_decays(env):
    e, clock, c, run, _ = env
    e.config.set("maxmemory-policy", "allkeys-lfu")  # runs the engine's hook
    run("SET", "k", "v")
    assert run("OBJECT", "FREQ", "k") == 5
    run("GET", "k")
    assert run("OBJECT", "FREQ", "k") == 6
    for _ in range(1000):
        run("GET", "k")
    hot = run("OBJECT", "FREQ", "k")
    assert 10 < hot < 40                           # log factor 10: slow growth
    clock.advance(180)                             # 3 decay periods of one minute
    e.cron()
    assert run("OBJECT", "FREQ", "k") == hot - 3
    run("DEL", "k")
    run("SET", "k", "v")
    assert run("OBJECT", "FREQ", "k") == 5         # a new object starts over


def test_switching_to_lfu_at_runtime_reinterprets_the_access_data(env):
    e, clock, c, run, _ = env
    run("SET", "k", "v")
    assert str(run("OBJECT", "FREQ", "k")).startswith("ERR An LFU maxmemory policy is not")
    e.config.set("maxmemory-policy", "volatile-lfu")   # runs the engine's hook
    assert 0 <= run("OBJECT", "FREQ", "k") <= 255      # LRU bits read as LFU, as Redis
    assert str(run("OBJECT", "IDLETIME", "k")).startswith("ERR An LFU maxmemory policy is")
    run("SET", "new", "v")
    assert run("OBJECT", "FREQ", "new") == 5
    e.config.set("maxmemory-policy", "allkeys-lru")
    assert run("OBJECT", "IDLETIME", "new") > 10**6    # LFU bits read as LRU, as Redis
    run("GET", "new")
    assert run("OBJECT", "IDLETIME", "new") == 0


# ------------------------------------------------------------------ Database internals
def _db(now=[0]):
    return Database(0, lambda: now[0], lambda db, key: None), now


def test_scan_snapshots_restart_rather_than_miss_keys():
    db, _ = _db()
    for i in range(100):
        db.data[b"k%d" % i] = b"v"
    cursor, first = db.scan(0, 10)
    for _ in range(20):                            # 20 newer scans evict our snapshot
        db.scan(0, 10)
    seen = set(first)
    while cursor:
        cursor, keys = db.scan(cursor, 10)
        seen.update(keys)
    assert seen == set(db.data)


def test_scan_snapshot_in_active_use_survives_many_other_scans():
    db, _ = _db()
    for i in range(100):
        db.data[b"k%d" % i] = b"v"
    cursor, seen = db.scan(0, 10)
    seen = list(seen)
    while cursor:
        for _ in range(10):                        # fewer than the snapshots kept
            db.scan(0, 1)
        cursor, keys = db.scan(cursor, 10)
        seen += keys
    assert sorted(seen) == sorted(db.data)         # no repeats: never restarted


def test_random_key_deletes_expired_keys_and_returns_none_when_all_are_gone():
    db, now = _db()
    for i in range(50):
        db.data[b"k%d" % i] = b"v"
        db.set_expire(b"k%d" % i, 10)
    now[0] = 100
    assert db.random_key(random.Random(1)) is None
    assert db.data == {} and db.expires == {}


def test_notouch_reads_still_count_keyspace_hits_and_misses(env):
    e, clock, c, run, _ = env
    run("SET", "a", "1")
    e.stats.keyspace_hits = e.stats.keyspace_misses = 0
    run("EXISTS", "a", "a", "b")
    assert (e.stats.keyspace_hits, e.stats.keyspace_misses) == (2, 1)
    run("TYPE", "a")
    run("TTL", "b")
    assert (e.stats.keyspace_hits, e.stats.keyspace_misses) == (3, 2)
    run("TOUCH", "a", "b")
    run("OBJECT", "ENCODING", "a")
    assert (e.stats.keyspace_hits, e.stats.keyspace_misses) == (5, 3)
    run("EXPIRE", "a", 100)                      # write lookups do not count
    run("SCAN", "0", "TYPE", "string")           # one typed lookup per key
    run("RANDOMKEY")
    run("KEYS", "*")
    assert (e.stats.keyspace_hits, e.stats.keyspace_misses) == (6, 3)


def test_an_expired_key_propagates_unlink_under_lazyfree_lazy_expire(env):
    e, clock, c, run, propagated = env
    e.config.set("lazyfree-lazy-expire", "yes")
    run("SET", "k", "v", "PX", 10)
    propagated.clear()
    clock.advance(1)
    e.active_expire_cycle(budget_us=10_000_000)
    assert propagated == [(0, [b"UNLINK", b"k"])]


def test_avg_ttl_is_estimated_by_the_expire_cycle(env):
    e, clock, c, run, _ = env
    db = e.dbs[0]
    fill_volatile(run, 200, 100_000)
    e.active_expire_cycle(budget_us=10_000_000)
    assert 95_000 <= db.avg_ttl <= 100_000
    run("FLUSHDB")
    assert db.avg_ttl == 0


def test_active_expiry_of_a_watched_key_fails_exec(env):
    from engine.replies import NULL_ARRAY
    e, clock, c, run, _ = env
    run("SET", "k", "v", "PX", 50)
    run("WATCH", "k")
    clock.advance(1)
    e.active_expire_cycle(budget_us=10_000_000)
    assert b"k" not in e.dbs[0].data
    run("MULTI")
    run("SET", "x", "1")
    assert run("EXEC") is NULL_ARRAY


def test_a_key_already_expired_at_watch_time_does_not_fail_exec(env):
    e, clock, c, run, _ = env
    run("SET", "k", "v", "PX", 50)
    clock.advance(1)
    run("WATCH", "k")                             # logically gone already
    e.active_expire_cycle(budget_us=10_000_000)
    run("MULTI")
    run("SET", "x", "1")
    assert run("EXEC") == [b"OK"]
