"""What a transaction or a script replicates: its effects, wrapped in MULTI/EXEC when
there are several, never EXEC/EVAL themselves (Redis 7.0's propagatePendingCommands)."""
from engine import Engine


def _engine():
    e = Engine()
    out = []
    e.propagators.append(lambda dbid, argv: out.append(argv))
    c = e.connect()
    return e, c, out


def test_exec_with_several_writes_is_wrapped_once():
    e, c, out = _engine()
    for argv in ([b"MULTI"], [b"SET", b"a", b"1"], [b"INCR", b"a"], [b"EXEC"]):
        e.execute(c, argv)
    assert out == [[b"MULTI"], [b"SET", b"a", b"1"], [b"INCR", b"a"], [b"EXEC"]]


def test_exec_with_one_write_propagates_it_alone():
    e, c, out = _engine()
    for argv in ([b"MULTI"], [b"GET", b"a"], [b"SET", b"a", b"1"], [b"EXEC"]):
        e.execute(c, argv)
    assert out == [[b"SET", b"a", b"1"]]


def test_script_replicates_its_effects_not_itself():
    e, c, out = _engine()
    e.execute(c, [b"EVAL", b"redis.call('set','k','v') redis.call('incr','n') return 1",
                  b"0"])
    assert out == [[b"MULTI"], [b"set", b"k", b"v"], [b"incr", b"n"], [b"EXEC"]]
    out.clear()
    e.execute(c, [b"EVAL", b"return redis.call('get','k')", b"0"])
    assert out == []
