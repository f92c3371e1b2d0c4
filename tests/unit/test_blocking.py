"""engine.blocking in-process: what a served or timed-out blocked client receives, and what
is propagated (the non-blocking form), with a fake clock."""
from engine.blocking import parse_timeout, strtold
from engine.engine import Engine
from engine.errors import RedisError
from engine.replies import NO_REPLY, NULL_ARRAY


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


def setup():
    clock = Clock()
    e = Engine(clock=clock)
    out = []
    e.propagators.append(lambda dbid, argv: out.append(list(argv)))
    return e, clock, out


def blocked_client(e):
    c = e.connect()
    got = []
    c.unblock_hook = got.append
    return c, got


def run(e, c, *argv):
    return e.execute(c, [a if isinstance(a, bytes) else str(a).encode() for a in argv])


def test_a_served_blpop_is_propagated_as_lpop():
    e, _, prop = setup()
    w, got = blocked_client(e)
    p = e.connect()
    assert run(e, w, "BLPOP", "q", 0) is NO_REPLY
    assert w.blocked is not None
    assert run(e, p, "RPUSH", "q", "a", "b") == 2
    assert got == [[b"q", b"a"]]
    assert w.blocked is None
    assert prop == [[b"RPUSH", b"q", b"a", b"b"], [b"LPOP", b"q"]]


def test_served_blmove_brpoplpush_and_blmpop_propagate_their_plain_forms():
    e, _, prop = setup()
    p = e.connect()
    a, got_a = blocked_client(e)
    b, got_b = blocked_client(e)
    m, got_m = blocked_client(e)
    run(e, a, "BLMOVE", "s1", "d", "RIGHT", "LEFT", 0)
    run(e, b, "BRPOPLPUSH", "s2", "d", 0)
    run(e, m, "BLMPOP", 0, 1, "s3", "RIGHT", "COUNT", 5)
    prop.clear()
    run(e, p, "RPUSH", "s1", "x")
    run(e, p, "RPUSH", "s2", "y")
    run(e, p, "RPUSH", "s3", "1", "2")
    assert got_a == [b"x"] and got_b == [b"y"] and got_m == [[b"s3", [b"2", b"1"]]]
    assert prop == [[b"RPUSH", b"s1", b"x"], [b"LMOVE", b"s1", b"d", b"RIGHT", b"LEFT"],
                    [b"RPUSH", b"s2", b"y"], [b"RPOPLPUSH", b"s2", b"d"],
                    [b"RPUSH", b"s3", b"1", b"2"], [b"RPOP", b"s3", b"2"]]


def test_blocking_commands_served_at_once_propagate_their_plain_forms():
    e, _, prop = setup()
    c = e.connect()
    run(e, c, "RPUSH", "l", "a", "b", "c", "d")
    prop.clear()
    assert run(e, c, "BLPOP", "l", 0) == [b"l", b"a"]
    assert run(e, c, "BLMOVE", "l", "d", "LEFT", "RIGHT", 0) == b"b"
    assert run(e, c, "BRPOPLPUSH", "l", "d", 0) == b"d"
    assert run(e, c, "BLMPOP", 0, 1, "l", "LEFT", "COUNT", 9) == [b"l", [b"c"]]
    assert prop == [[b"LPOP", b"l"], [b"LMOVE", b"l", b"d", b"LEFT", b"RIGHT"],
                    [b"RPOPLPUSH", b"l", b"d"], [b"LPOP", b"l", b"1"]]


def test_timeouts_follow_the_clock():
    e, clock, prop = setup()
    w, got = blocked_client(e)
    run(e, w, "BLPOP", "q", "0.25")
    assert e.blocking.next_deadline() == 1000_250
    assert e.blocking_timeouts(1000_249) == 0
    assert got == []
    assert e.blocking_timeouts(1000_250) == 1
    assert got == [NULL_ARRAY] and w.blocked is None
    assert e.blocking.next_deadline() is None
    assert prop == []


def test_the_cron_times_clients_out():
    e, clock, _ = setup()
    w, got = blocked_client(e)
    run(e, w, "BRPOPLPUSH", "q", "d", "0.1")
    clock.t += 0.2
    e.cron()
    assert got == [NULL_ARRAY]


def test_a_disconnected_client_is_dropped_and_the_write_listener_removed():
    e, _, _ = setup()
    w, got = blocked_client(e)
    run(e, w, "BLPOP", "q", 0)
    assert e.write_listeners
    e.disconnect(w)
    assert e.blocking.waiting == {} and e.blocking.count == 0
    assert e.write_listeners == []
    run(e, e.connect(), "RPUSH", "q", "v")
    assert got == []


def test_a_client_without_an_unblock_hook_never_blocks():
    e, _, _ = setup()
    c = e.connect()
    assert run(e, c, "BLPOP", "q", 0) is NULL_ARRAY
    assert run(e, c, "BLMOVE", "q", "d", "LEFT", "LEFT", 0) is None
    assert c.blocked is None


def test_a_resumed_clients_pipelined_push_serves_the_next_waiter():
    """Hooks run commands (netserver resumes the pipeline): what they make ready is
    served too, without recursion into the serving loop."""
    e, _, _ = setup()
    first = e.connect()
    second, got2 = blocked_client(e)
    got1 = []

    def resume(reply):
        got1.append(reply)
        got1.append(run(e, first, "RPUSH", "q2", "from-first"))
    first.unblock_hook = resume
    run(e, first, "BLPOP", "q1", 0)
    run(e, second, "BLPOP", "q2", 0)
    run(e, e.connect(), "RPUSH", "q1", "go")
    assert got1 == [[b"q1", b"go"], 1]
    assert got2 == [[b"q2", b"from-first"]]


def test_client_unblock_delivers_after_the_command():
    e, _, _ = setup()
    w, got = blocked_client(e)
    run(e, w, "BLPOP", "q", 0)
    assert run(e, e.connect(), "CLIENT", "UNBLOCK", w.id, "ERROR") == 1
    assert got == [RedisError("UNBLOCKED client unblocked via CLIENT UNBLOCK")]


def test_strtold_accepts_what_strtold_accepts():
    assert strtold(b"1.5") == 1.5
    assert strtold(b"0x10") == 16.0
    assert strtold(b"-0X1p-1") == -0.5
    assert strtold(b"inf") == float("inf")
    assert strtold(b"1e400") == float("inf")          # finite as a long double
    assert strtold(b"1e-400") == 0.0
    for bad in (b"", b" 1", b"1 ", b"nan", b"1_0", b"0x", b"abc", b"1e5000", b"1e-5000"):
        assert strtold(bad) is None, bad


def test_parse_timeout_truncates_to_milliseconds():
    e, _, _ = setup()
    c = e.connect()
    assert parse_timeout(c, b"0.0001") == 0                # forever, as Redis
    assert parse_timeout(c, b"1.5") == e.now_ms + 1500
    assert parse_timeout(c, b"250", seconds=False) == e.now_ms + 250
