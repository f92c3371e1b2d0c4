"""engine.evictlab: the eviction lab predicts exactly what the real evictor takes, without
moving the engine's state; eviction tally; the expiry histogram; expire counters."""
import random

import pytest

from engine import Engine, memory
from engine.evictlab import (LABELS, DryRun, EvictionTally, ExpiryHistogram, Simulation,
                             bucket_of, expire_counters, namespace, next_candidates)
from tests.unit.test_eviction_engine import _tick as tick
from tests.unit.test_memory_accounting import FakeClock
from tests.unit.test_memory_accounting import _run as run

EVICTING = ("volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
            "allkeys-lru", "allkeys-lfu", "allkeys-random")


def dataset(policy: str, seed: int = 7):
    """Keys in two databases with spread idle times, TTLs and LFU counts."""
    clock = FakeClock()
    e = Engine(clock=clock, rng=random.Random(seed))
    c = e.connect()
    run(e, c, "CONFIG", "SET", "maxmemory-policy", policy)
    run(e, c, "CONFIG", "SET", "maxmemory-eviction-tenacity", "100")   # one run
    run(e, c, "CONFIG", "SET", "lfu-log-factor", "0")
    # idle times and LFU counters live in a hashed slot table (engine.keyspace): keys that
    # share a slot share a counter, so each key gets a slot of its own (a name colliding
    # under this process's hash seed gets a "~" suffix) and the spread stays as designed
    slots = {0: set(), 3: set()}
    for group in range(4):
        for dbid in (0, 3):
            run(e, c, "SELECT", dbid)
            mask = e.dbs[dbid]._lru_mask
            for i in range(60):
                k = f"g{group}:{dbid}:{i}"
                while hash(k.encode()) & mask in slots[dbid]:
                    k += "~"
                slots[dbid].add(hash(k.encode()) & mask)
                run(e, c, "SET", k, "v" * (100 + 7 * i))
                if i % 2:
                    run(e, c, "PEXPIRE", k, 100_000 + 1000 * i + 17 * group)
                for _ in range(i % 5):
                    run(e, c, "GET", k)
        tick(e, clock, 3)
    run(e, c, "SELECT", 0)
    return e, c, clock


def evicted_in_order(e):
    seen = []
    e.evictor.listeners.append(lambda db, key, v: seen.append((db.id, key)))
    return seen


def state(e):
    ev = e.evictor
    return (e.rng.getstate(), [list(x) for x in ev.pool], ev.next_db,
            {k: (v[0] is not None, list(v[1]), v[2]) for k, v in ev._kpools.items()},
            {k: (v[0] is not None, list(v[1]), v[2]) for k, v in ev._vpools.items()},
            [len(db.data) for db in e.dbs], e.stats.evicted_keys, e.dirty)


@pytest.mark.parametrize("policy", EVICTING)
def test_the_dry_run_evicts_exactly_what_the_server_then_evicts(policy):
    e, c, _ = dataset(policy)
    before = state(e)
    target = memory.used_memory(e) - 12_000
    dry = DryRun(e, target, delim=b":")
    dry.KEEP = 10_000
    assert dry.step(float("inf"))
    assert state(e) == before                        # nothing moved: rng, pool, lists
    predicted = [(db, k) for db, k, _ in dry.first]
    seen = evicted_in_order(e)
    run(e, c, "CONFIG", "SET", "maxmemory", target)
    assert dry.keys == len(seen) == e.stats.evicted_keys > 10
    assert predicted == seen
    assert dry.freed >= dry.tofree
    assert sum(k for k, _ in dry.by_ns.values()) == dry.keys


@pytest.mark.parametrize("policy", EVICTING)
def test_next_candidates_match_a_second_eviction_run_on_stale_sampling_lists(policy):
    """After a first run built the evictor's lists and pool, keys deleted meanwhile leave
    ghosts in them: the lab walks the same ghosts (copy-on-write) and agrees again."""
    e, c, clock = dataset(policy, seed=11)
    run(e, c, "CONFIG", "SET", "maxmemory", memory.used_memory(e) - 5000)
    assert e.stats.evicted_keys
    for i in range(0, 60, 3):
        run(e, c, "DEL", f"g1:0:{i}", f"g2:0:{i}")
    tick(e, clock, 2)
    before = state(e)
    cands = next_candidates(e, 15)
    assert state(e) == before
    seen = evicted_in_order(e)
    run(e, c, "CONFIG", "SET", "maxmemory", memory.used_memory(e) - 8000)
    assert len(seen) >= 5
    assert [(x.db, x.key) for x in cands[:len(seen)]] == seen[:15]


def test_lru_candidates_are_the_idle_keys_and_describe_them():
    e, c, clock = dataset("allkeys-lru")
    cands = next_candidates(e, 20, delim=b":")
    assert len(cands) == 20
    assert all(x.key.startswith(b"g0:") for x in cands)     # the oldest group
    x = cands[0]
    db = e.dbs[x.db]
    assert x.idle == db.idle_seconds(x.key) >= 9 and x.lfu is None
    assert x.namespace == b"g0"
    assert x.bytes == memory.charged(db, x.key, db.data[x.key])
    when = db.expires.get(x.key)
    assert x.ttl_ms == (None if when is None else when - int(clock() * 1000))


def test_volatile_ttl_takes_the_soonest_to_expire_and_what_if_policies():
    e, c, _ = dataset("allkeys-lru")
    cands = next_candidates(e, 5, policy="volatile-ttl")
    assert all(x.ttl_ms is not None for x in cands)
    soonest = min(w for db in e.dbs for w in db.expires.values())
    assert e.dbs[cands[0].db].expires[cands[0].key] <= soonest + 30_000
    # a what-if leaves the engine's policy and pool alone
    assert e.evictor.policy == "allkeys-lru"
    assert next_candidates(e, 5, policy="noeviction") == []
    with pytest.raises(ValueError):
        Simulation(e, "allkeys-nonsense")


def test_lfu_candidates_report_counters_and_the_rarely_used_go_first():
    e, c, _ = dataset("allkeys-lfu")
    cands = next_candidates(e, 10)
    assert all(x.idle is None and x.lfu is not None for x in cands)
    db = e.dbs[cands[0].db]
    assert cands[0].lfu == db.lfu_count(cands[0].key)
    assert max(x.lfu for x in cands) <= 6


def test_dry_run_noeviction_nothing_to_free_and_nothing_left():
    e, c, _ = dataset("noeviction")
    used = memory.used_memory(e)
    d = DryRun(e, used - 1000)
    assert d.done and d.keys == 0 and "noeviction" in d.stopped
    d = DryRun(e, used + 1000, policy="allkeys-lru")
    assert d.done and d.tofree == 0 and d.stopped is None
    d = DryRun(e, 0, policy="volatile-lru")          # only the keys with a TTL can go
    assert d.step(float("inf")) and "nothing left" in d.stopped
    assert d.keys == sum(len(db.expires) for db in e.dbs)
    d = DryRun(e, 0, policy="allkeys-random", limit=25)
    assert d.step(float("inf")) and d.keys == 25 and "25" in d.stopped
    assert sum(len(db.data) for db in e.dbs) == 480


def test_dry_run_is_sliced():
    e, c, _ = dataset("allkeys-lru")
    d = DryRun(e, 0)
    steps = 0
    while not d.step(0.0):                 # a deadline already past: one batch a step
        steps += 1
    assert steps >= 5 and d.keys == 480 and not d.changed


def test_tally_counts_evictions_by_namespace():
    e, c, _ = dataset("allkeys-lru")
    t = EvictionTally(b":", recent=5, clock=lambda: 42.0)
    e.evictor.listeners.append(t)
    run(e, c, "CONFIG", "SET", "maxmemory", memory.used_memory(e) - 20_000)
    assert t.keys == e.stats.evicted_keys > 0
    rows = t.ns_rows()
    assert sum(r[1] for r in rows) == t.keys and rows[0][0] == b"g0" and rows[0][3] == 42.0
    assert t.bytes >= 20_000 - 2000
    assert len(t.latest(100)) <= 10 and t.latest(1)[0][2].startswith(b"g")
    t.reset(b"_")
    assert t.keys == 0 and t.ns_rows() == [] and t.delim == b"_"


def test_namespace_and_buckets():
    assert namespace(b"a:b:c", b":") == b"a"
    assert namespace(b"abc", b":") is None
    assert namespace(b"a/b", b"/") == b"a"
    assert [bucket_of(d) for d in (-1, 0, 60_000, 60_001, 600_000, 3_600_000,
                                   3_600_001, 86_400_000, 86_400_001)] == [0, 1, 1, 2, 2, 3,
                                                                          4, 4, 5]
    assert len(LABELS) == 6


def test_expiry_histogram_is_exact_per_bucket_namespace_and_minute():
    clock = FakeClock()
    e = Engine(clock=clock, rng=random.Random(1))
    c = e.connect()
    plan = {"s": (30, 10), "m": (300, 7), "h": (3000, 5), "d": (50_000, 4),
            "w": (200_000, 3)}
    for ns, (secs, n) in plan.items():
        for i in range(n):
            run(e, c, "SET", f"{ns}:{i}", "x", "EX", secs)
    for i in range(6):
        run(e, c, "SET", f"plain:{i}", "x")
    run(e, c, "SELECT", 2)
    run(e, c, "SET", "nodelim", "x", "PX", 1500)
    h = ExpiryHistogram(e, b":")
    h.SLICE = 3
    steps = 1
    while not h.step(0.0):
        steps += 1
    assert steps > 5
    assert h.keys == 30 and h.counts == [0, 11, 7, 5, 4, 3]
    rows = {r[0]: r[1:] for r in h.ns_rows()}
    assert rows[b"s"] == (0, 10, 0, 0, 0, 0, 10)
    assert rows[b"w"] == (0, 0, 0, 0, 0, 3, 3)
    assert rows[None] == (0, 1, 0, 0, 0, 0, 1)
    assert b"plain" not in rows
    assert h.by_db[2] == [0, 1, 0, 0, 0, 0]
    assert h.minutes[0] == 11 and h.minutes[5] == 7 and h.minutes[50] == 5
    assert sum(h.minutes) == 23
    # time passes without the cycle running: the due keys are overdue (stale)
    clock.t += 40
    h = ExpiryHistogram(e, b":")
    assert h.step(float("inf"))
    assert h.stale == 11 and h.counts[1] == 0


def test_expire_counters_split_active_and_lazy():
    clock = FakeClock()
    e = Engine(clock=clock, rng=random.Random(1))
    c = e.connect()
    for i in range(20):
        run(e, c, "SET", f"k{i}", "x", "PX", 100)
    clock.t += 1
    e.update_time()
    assert run(e, c, "GET", "k0") is None and run(e, c, "GET", "k1") is None   # lazy
    e.active_expire_cycle()
    n = expire_counters(e)
    assert n["expired"] == 20 and n["active"] == 18 and n["lazy"] == 2
    assert n["volatile"] == 0 and n["time_cap"] == 0
    for i in range(5000):
        run(e, c, "SET", f"t{i}", "x", "PX", 1)
    clock.t += 1
    e.update_time()
    e.active_expire_cycle(budget_us=0)                # no time at all: the cap is hit
    assert expire_counters(e)["time_cap"] == 1
    run(e, c, "CONFIG", "RESETSTAT")
    assert expire_counters(e)["active"] == 0 and expire_counters(e)["time_cap"] == 0


def test_a_cache_reuses_the_sampling_list_while_nothing_is_written():
    e, c, _ = dataset("allkeys-lru")
    assert not e.evictor._kpools                     # the evictor never sampled yet
    cache = {}
    a = next_candidates(e, 10, cache=cache)
    built = {k: v[2] for k, v in cache.items()}
    assert built and all(len(v) == len(e.dbs[k[1]].data) for k, v in built.items())
    b = next_candidates(e, 10, cache=cache)
    assert [(x.db, x.key) for x in a] == [(x.db, x.key) for x in b]
    assert all(cache[k][2] is v for k, v in built.items())          # not copied again
    run(e, c, "SET", "fresh", "v")
    next_candidates(e, 10, cache=cache)
    assert cache[(False, 0)][2] is not built[(False, 0)]            # a write: rebuilt
    seen = evicted_in_order(e)
    d = next_candidates(e, 10, cache=cache)
    run(e, c, "CONFIG", "SET", "maxmemory", memory.used_memory(e) - 3000)
    assert seen and [(x.db, x.key) for x in d][:len(seen)] == seen
