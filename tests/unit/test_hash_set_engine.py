"""Hashes and sets inside the engine: what their writes propagate, the random-pick pool,
and the type API other modules use (copy, from_pairs, build)."""
import random

import pytest

from engine.config import Config
from engine.engine import Engine
from engine.types.hash import Hash
from engine.types.set import Set


@pytest.fixture
def eng():
    e = Engine(rng=random.Random(7))
    e.propagated = []
    e.propagators.append(lambda dbid, argv: e.propagated.append(list(argv)))
    return e


def run(e, c, *argv):
    e.propagated.clear()
    return e.execute(c, [a.encode() if isinstance(a, str) else a for a in argv])


def test_hincrbyfloat_propagates_as_hset_with_the_result(eng):
    c = eng.connect()
    assert run(eng, c, "HINCRBYFLOAT", "h", "f", "0.1") == b"0.1"
    assert run(eng, c, "HINCRBYFLOAT", "h", "f", "0.2") == b"0.3"
    assert eng.propagated == [[b"HSET", b"h", b"f", b"0.3"]]


def test_spop_propagates_srem_of_what_it_popped(eng):
    c = eng.connect()
    run(eng, c, "SADD", "s", *[str(i) for i in range(20)])
    m = run(eng, c, "SPOP", "s")
    assert eng.propagated == [[b"SREM", b"s", m]]
    got = run(eng, c, "SPOP", "s", "3")
    assert eng.propagated == [[b"SREM", b"s", *got]]
    got = run(eng, c, "SPOP", "s", "15")            # the rest is rebuilt: still SREM
    assert len(got) == 15 and eng.propagated == [[b"SREM", b"s", *got]]


def test_spop_of_the_whole_set_propagates_del(eng):
    c = eng.connect()
    run(eng, c, "SADD", "s", "a", "b")
    assert sorted(run(eng, c, "SPOP", "s", "2")) == [b"a", b"b"]
    assert eng.propagated == [[b"DEL", b"s"]]
    assert b"s" not in c.db.data


def test_writes_that_change_nothing_do_not_propagate(eng):
    c = eng.connect()
    run(eng, c, "SADD", "s", "a")
    run(eng, c, "HSET", "h", "f", "v")
    for argv in (("SPOP", "s", "0"), ("SPOP", "nokey"), ("SREM", "s", "x"),
                 ("SADD", "s", "a"), ("HDEL", "h", "x"), ("HSETNX", "h", "f", "w"),
                 ("SMOVE", "s", "d", "nomember"), ("SINTERSTORE", "dst", "s", "nokey")):
        run(eng, c, *argv)
        assert eng.propagated == [], argv


def test_smove_propagates_as_is(eng):
    c = eng.connect()
    run(eng, c, "SADD", "s", "a")
    assert run(eng, c, "SMOVE", "s", "d", "a") == 1
    assert eng.propagated == [[b"SMOVE", b"s", b"d", b"a"]]


def test_random_picks_see_added_members_and_never_removed_ones(eng):
    c = eng.connect()
    run(eng, c, "SADD", "s", *[str(i) for i in range(100)])
    run(eng, c, "SRANDMEMBER", "s")                  # builds the pool
    run(eng, c, "SREM", "s", *[str(i) for i in range(99)])
    run(eng, c, "SADD", "s", "new")
    seen = {run(eng, c, "SRANDMEMBER", "s") for _ in range(200)}
    assert seen == {b"99", b"new"}
    assert set(run(eng, c, "SRANDMEMBER", "s", "-50")) == {b"99", b"new"}
    run(eng, c, "HSET", "h", *[x for i in range(50) for x in (f"f{i}", "v")])
    run(eng, c, "HRANDFIELD", "h")
    run(eng, c, "HDEL", "h", *[f"f{i}" for i in range(1, 50)])
    run(eng, c, "HSET", "h", "g", "w")
    assert {run(eng, c, "HRANDFIELD", "h") for _ in range(200)} == {b"f0", b"g"}


def test_spop_single_drains_a_big_set_uniquely(eng):
    c = eng.connect()
    run(eng, c, "SADD", "s", *[str(i) for i in range(1000)])
    popped = [run(eng, c, "SPOP", "s") for _ in range(1000)]
    assert len(set(popped)) == 1000
    assert b"s" not in c.db.data


def test_copies_keep_the_encoding():
    cfg = Config().values
    h = Hash.from_pairs([(b"a", b"1")], cfg)
    assert h.lp
    h.lp = False
    h2 = h.copy()
    assert h2.__class__ is Hash and h2 == h and not h2.lp and h2 is not h
    s = Set.build([b"1", b"2"], cfg)
    assert s.intset
    s2 = s.copy()
    assert s2.__class__ is Set and s2 == s and s2.intset and s2 is not s


def test_loaders_get_the_encoding_redis_would_choose():
    cfg = Config().values
    assert not Hash.from_pairs([(b"a", b"x" * 65)], cfg).lp
    assert not Hash.from_pairs([(b"%d" % i, b"") for i in range(513)], cfg).lp
    assert not Set.build([b"1", b"a"], cfg).intset
    assert not Set.build([b"%d" % i for i in range(513)], cfg).intset
    assert Set.build([b"-9223372036854775808"], cfg).intset
