"""engine.eviction with a fake clock: what is evicted, and how it is signalled."""
import random

from engine import Engine, memory
from tests.unit.test_memory_accounting import FakeClock
from tests.unit.test_memory_accounting import _run as run


def _engine(policy: str, **cfg):
    clock = FakeClock()
    e = Engine(clock=clock, rng=random.Random(5))
    c = e.connect()
    run(e, c, "CONFIG", "SET", "maxmemory-policy", policy)
    for k, v in cfg.items():
        run(e, c, "CONFIG", "SET", k.replace("_", "-"), v)
    return e, c, clock


def _limit(e, c, extra: int):
    run(e, c, "CONFIG", "SET", "maxmemory", memory.used_memory(e) + extra)


def _tick(e, clock, seconds: float):
    clock.t += seconds
    e.update_time()
    e.cron()


def test_evicted_keys_are_propagated_as_del_and_invalidate_tracking():
    e, c, _ = _engine("allkeys-random")
    seen = []
    e.propagators.append(lambda dbid, argv: seen.append((dbid, argv)))
    t = e.connect()
    run(e, t, "HELLO", "3")
    run(e, t, "CLIENT", "TRACKING", "on", "BCAST")
    pushed = []
    t.push_hook = pushed.append
    _limit(e, c, 50_000)
    for i in range(200):
        run(e, c, "SET", f"k{i}", "v" * 500)
    dels = [argv for _, argv in seen if argv[0] == b"DEL"]
    assert len(dels) == e.stats.evicted_keys > 0
    assert all(run(e, c, "EXISTS", argv[1]) == 0 for argv in dels)
    assert pushed                                     # invalidations went out
    assert memory.used_memory(e) <= e.evictor.maxmemory


def test_lru_evicts_the_idle_keys_first():
    e, c, clock = _engine("allkeys-lru", maxmemory_samples=10)
    for i in range(100):
        run(e, c, "SET", f"old{i}", "v" * 500)
    _tick(e, clock, 5)
    for i in range(100):
        run(e, c, "SET", f"new{i}", "v" * 500)
    _limit(e, c, -40_000)                             # about 70 keys too many
    run(e, c, "PING")
    _tick(e, clock, 0.01)
    while e.evictor.running:
        _tick(e, clock, 0.01)
    olds = sum(run(e, c, "EXISTS", f"old{i}") for i in range(100))
    news = sum(run(e, c, "EXISTS", f"new{i}") for i in range(100))
    assert news >= 98 and olds <= 40, (olds, news)


def test_lfu_evicts_the_rarely_used_keys_first():
    e, c, _ = _engine("allkeys-lfu", lfu_log_factor=0, maxmemory_samples=10)
    for i in range(100):
        run(e, c, "SET", f"k{i}", "v" * 500)
    for _ in range(20):
        for i in range(0, 100, 10):
            run(e, c, "GET", f"k{i}")
    assert run(e, c, "OBJECT", "FREQ", "k10") >= 20
    _limit(e, c, 0)
    for i in range(100):
        run(e, c, "SET", f"n{i}", "v" * 500)
    assert sum(run(e, c, "EXISTS", f"k{i}") for i in range(0, 100, 10)) == 10


def test_volatile_ttl_evicts_the_nearest_expiry_and_spares_persistent_keys():
    e, c, _ = _engine("volatile-ttl", maxmemory_samples=10)
    for i in range(50):
        run(e, c, "SET", f"p{i}", "v" * 500)
        run(e, c, "SET", f"v{i}", "v" * 500, "EX", 1000 + i * 100)
    _limit(e, c, -20_000)
    run(e, c, "PING")
    assert all(run(e, c, "EXISTS", f"p{i}") for i in range(50))
    assert run(e, c, "EXISTS", "v49") == 1
    assert run(e, c, "EXISTS", "v0") == 0


def test_keys_in_every_database_are_candidates():
    e, c, _ = _engine("allkeys-random")
    run(e, c, "SELECT", 3)
    for i in range(100):
        run(e, c, "SET", f"a{i}", "v" * 500)
    run(e, c, "SELECT", 0)
    _limit(e, c, 0)
    for i in range(100):
        run(e, c, "SET", f"b{i}", "v" * 500)
    assert len(e.dbs[3].data) < 100


def test_a_write_inside_a_script_after_oom_at_its_start_is_refused():
    e, c, _ = _engine("noeviction")
    run(e, c, "CONFIG", "SET", "maxmemory", 1)
    r = run(e, c, "EVAL", "return redis.call('set', 'x', 'y')", 0)
    assert r.text.startswith("OOM command not allowed when used memory > 'maxmemory'.")
    assert run(e, c, "EVAL", "return redis.call('get', 'x')", 0) is None


def test_a_long_eviction_is_finished_by_the_cron():
    e, c, clock = _engine("allkeys-random", maxmemory_eviction_tenacity=0)
    for i in range(3000):
        run(e, c, "SET", f"k{i}", "v" * 200)
    used = memory.used_memory(e)
    target = used - memory.dataset_memory(e) // 2
    run(e, c, "CONFIG", "SET", "maxmemory", target)  # half the data must go
    assert memory.used_memory(e) > target             # a 0 budget: one slice only
    for _ in range(200):
        if memory.used_memory(e) <= target:
            break
        _tick(e, clock, 0.1)
    assert memory.used_memory(e) <= target
    assert 1000 < len(e.dbs[0].data) < 2000
