"""engine.hotkeys: exact per-key read/write counters over a sliding window."""
from engine import Engine
from tests.unit.test_memory_accounting import FakeClock
from tests.unit.test_memory_accounting import _run as run


def _setup(window: int = 60):
    clock = FakeClock()
    e = Engine(clock=clock)
    c = e.connect()
    e.execute(c, [b"CONFIG", b"SET", b"keyscope-hotkeys", b"yes"])
    e.execute(c, [b"CONFIG", b"SET", b"keyscope-hotkeys-window", str(window).encode()])
    return e, c, clock


def test_off_by_default_and_not_in_the_gate():
    e = Engine()
    c = e.connect()
    run(e, c, "SET", "k", "v")
    assert not e.hotkeys.enabled
    assert e.gate is None
    assert e.hotkeys.top() == []


def test_counts_reads_and_writes_exactly():
    e, c, _ = _setup()
    for _ in range(7):
        run(e, c, "GET", "a")
    for _ in range(3):
        run(e, c, "SET", "b", "v")
    run(e, c, "INCR", "c")
    run(e, c, "MGET", "a", "b", "zz")
    run(e, c, "LPUSH", "l", "x")
    run(e, c, "LMOVE", "l", "m", "LEFT", "RIGHT")
    top = {(db, k): (rd, wr) for db, k, rd, wr in e.hotkeys.top(50)}
    assert top[(0, b"a")] == (8, 0)
    assert top[(0, b"b")] == (1, 3)
    assert top[(0, b"c")] == (0, 1)
    assert top[(0, b"zz")] == (1, 0)
    assert top[(0, b"l")] == (0, 2)
    assert top[(0, b"m")] == (0, 1)
    assert e.hotkeys.top(1)[0][:2] == (0, b"a")
    assert e.hotkeys.top(1, by="writes")[0][:2] == (0, b"b")


def test_counts_per_database_and_inside_transactions():
    e, c, _ = _setup()
    run(e, c, "SELECT", 3)
    run(e, c, "MULTI")
    run(e, c, "SET", "k", "1")
    run(e, c, "GET", "k")
    run(e, c, "EXEC")
    assert e.hotkeys.top(5) == [(3, b"k", 1, 1)]


def test_old_slices_leave_the_window():
    e, c, clock = _setup(window=60)
    run(e, c, "GET", "old")
    for step in range(7):
        clock.t += 11
        e.update_time()
        run(e, c, "GET", "new")
    keys = {k for _, k, _, _ in e.hotkeys.top(10)}
    assert keys == {b"new"}


def test_turning_off_and_on_resets():
    e, c, _ = _setup()
    run(e, c, "GET", "a")
    run(e, c, "CONFIG", "SET", "keyscope-hotkeys", "no")
    run(e, c, "GET", "b")
    assert e.hotkeys.top() == []                  # turning off forgets
    run(e, c, "CONFIG", "SET", "keyscope-hotkeys", "yes")
    run(e, c, "GET", "b")
    assert e.hotkeys.top() == [(0, b"b", 1, 0)]


def test_bounded_distinct_keys_per_slice():
    e, c, _ = _setup()
    run(e, c, "CONFIG", "SET", "keyscope-hotkeys-max-keys", "10")
    for i in range(20):
        run(e, c, "GET", f"k{i}")
    run(e, c, "GET", "k0")
    assert len(e.hotkeys.top(100)) == 10
    assert e.hotkeys.dropped == 10
    assert e.hotkeys.top(1) == [(0, b"k0", 2, 0)]


def test_config_lists_only_redis_parameters_unless_asked_by_name():
    e, c, _ = _setup()
    everything = run(e, c, "CONFIG", "GET", "*")
    names = everything[::2] if isinstance(everything, list) else list(everything)
    assert not any(n.startswith(b"keyscope") for n in names)
    got = run(e, c, "CONFIG", "GET", "keyscope-hotkeys")
    assert list(got.items() if isinstance(got, dict) else zip(got[::2], got[1::2])) == \
        [(b"keyscope-hotkeys", b"yes")]


def test_a_shorter_window_set_while_counting_takes_effect_from_the_current_slice():
    e, c, clock = _setup(window=60)              # slices of 10 s
    e.update_time()
    run(e, c, "GET", "a")
    run(e, c, "CONFIG", "SET", "keyscope-hotkeys-window", "6")   # slices of 1 s
    clock.t += 7.5                               # past the new window, not the old slice
    e.update_time()
    assert e.hotkeys.top() == []
