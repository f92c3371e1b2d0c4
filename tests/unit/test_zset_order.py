"""The sorted-set order structure against a naive sorted-list model, and the ZSet API
that SORT, GEO and persistence build on."""
import random
from bisect import bisect_left, bisect_right

import pytest

from engine.types import zset as zmod
from engine.types.zset import MAX, MIN, Order, ZSet


@pytest.fixture
def small_load(monkeypatch):
    """A tiny sublist size, so that a few hundred keys exercise splits and merges."""
    monkeypatch.setattr(zmod, "LOAD", 8)
    monkeypatch.setattr(zmod, "_MAX", 16)
    monkeypatch.setattr(zmod, "_MIN", 4)


def _check(o: Order, model: list):
    assert len(o) == len(model)
    assert list(o) == model
    assert list(reversed(o)) == model[::-1]
    assert all(ml for ml in o.mls)
    assert [len(fl) for fl in o.fls] == [len(ml) for ml in o.mls]
    assert list(zip(o.mxs, o.mxm)) == [(fl[-1], ml[-1]) for fl, ml in zip(o.fls, o.mls)]
    assert all(len(ml) <= zmod._MAX for ml in o.mls)


def _key(rng):
    return (float(rng.randrange(-20, 20)) / rng.choice((1, 2, 4)),
            bytes(rng.choice(b"abcdef") for _ in range(rng.randrange(0, 4))))


@pytest.mark.parametrize("seed", range(6))
def test_random_operations_match_a_sorted_list(small_load, seed):
    rng = random.Random(seed)
    o, model = Order(), []
    for step in range(3000):
        op = rng.random()
        if op < 0.55 or not model:
            k = _key(rng)
            if k in model:
                continue
            o.add(*k)
            model.insert(bisect_left(model, k), k)
        elif op < 0.8:
            k = model.pop(rng.randrange(len(model)))
            o.remove(*k)
        elif op < 0.9:
            a = rng.randrange(len(model) + 1)
            b = rng.randrange(a, min(len(model), a + rng.choice((3, 40))) + 1)
            assert o.del_range(a, b) == model[a:b]
            del model[a:b]
        else:
            s = _key(rng)[0]
            scores = [k[0] for k in model]
            assert o.bisect_score(s, False) == bisect_left(scores, s)
            assert o.bisect_score(s, True) == bisect_right(scores, s)
        if step % 50 == 0:
            _check(o, model)
            for i in range(0, len(model), 7):
                assert o[i] == model[i]
                assert o.rank(*model[i]) == i
            a = rng.randrange(len(model) + 1)
            b = rng.randrange(a, len(model) + 1)
            assert o.slice(a, b) == model[a:b]
    _check(o, model)


def test_ranks_stay_right_while_the_tree_is_updated_in_place(small_load):
    rng = random.Random(7)
    o, model = Order(), []
    for _ in range(400):
        k = (rng.random(), b"")
        o.add(*k)
        model.insert(bisect_left(model, k), k)
        probe = model[rng.randrange(len(model))]
        assert o.rank(*probe) == bisect_left(model, probe)
    for _ in range(300):
        k = model.pop(rng.randrange(len(model)))
        o.remove(*k)
        if model:
            i = rng.randrange(len(model))
            assert o[i] == model[i]
            assert o.rank(*model[i]) == i
    _check(o, model)


def test_order_built_from_sorted_keys_and_copied_is_independent():
    keys = [(float(i), b"m%d" % i) for i in range(2500)]
    o = Order(keys[:])
    _check(o, keys)
    o2 = o.copy()
    o2.remove(*keys[0])
    assert len(o) == 2500 and len(o2) == 2499
    assert o[0] == keys[0] and o2[0] == keys[1]


def test_score_then_member_order_with_signed_zero_and_infinities():
    o = Order()
    for k in [(0.0, b"b"), (-0.0, b"a"), (float("inf"), b""), (float("-inf"), b"z"),
              (0.0, b"\xff"), (0.0, b"")]:
        o.add(*k)
    assert [m for _, m in o] == [b"z", b"", b"a", b"b", b"\xff", b""]


def test_member_bisection_for_lex_ranges(small_load):
    keys = [(0.0, bytes([c]) * n) for c in b"abcdefgh" for n in (1, 2)]
    o = Order(sorted(keys))
    members = [m for _, m in o]
    for probe in (b"", b"a", b"aa", b"ab", b"d", b"h", b"hh", b"z"):
        assert o.bisect_member(probe, False) == bisect_left(members, probe)
        assert o.bisect_member(probe, True) == bisect_right(members, probe)


def test_zset_ranges_by_score_and_lex():
    z = ZSet(big=True)
    for i, m in enumerate([b"a", b"b", b"c", b"d", b"e"]):
        z.insert(m, float(i))
    assert z.range_by_score(1.0, False, 3.0, False) == (1, 4)
    assert z.range_by_score(1.0, True, 3.0, True) == (2, 3)
    assert z.range_by_score(3.0, False, 1.0, False) == (3, 3)
    assert z.range_by_score(float("-inf"), False, float("inf"), False) == (0, 5)
    assert z.range_by_lex(MIN, MAX) == (0, 5)
    assert z.range_by_lex((b"b", False), (b"d", True)) == (1, 3)
    start, stop = z.range_by_lex(MAX, MIN)
    assert start == stop
    assert list(z.items())[0] == (b"a", 0.0)


def test_zset_add_converts_to_skiplist_at_the_thresholds():
    cfg = {"zset-max-listpack-entries": 2, "zset-max-listpack-value": 3}
    z = ZSet.new_for(b"a", cfg)
    assert not z.big
    assert z.add(b"a", 1.0, cfg) == 1 and z.add(b"b", 2.0, cfg) == 1
    assert not z.big
    assert z.add(b"b", 5.0, cfg) == 0 and z.scores[b"b"] == 5.0
    z.add(b"c", 3.0, cfg)
    assert z.big
    z.remove(b"c")
    assert z.big                         # one way, as Redis
    assert ZSet.new_for(b"abcd", cfg).big
    assert ZSet.from_scores({b"x": 1.0, b"y": 2.0}, cfg).big is False
    assert ZSet.from_scores({b"x": 1.0, b"y": 2.0, b"z": 0.0}, cfg).big is True


def test_listpack_zset_stores_negative_zero_as_zero():
    z = ZSet()
    z.insert(b"a", -0.0)
    assert str(z.scores[b"a"]) == "0.0"
    big = ZSet(big=True)
    big.insert(b"a", -0.0)
    assert str(big.scores[b"a"]) == "-0.0"
    assert z.scan_score(1e18) == b"1000000000000000000"
    assert big.scan_score(1e18) == b"1e+18"
    assert z.scan_score(2.0 ** 63) == b"9.2233720368547758e+18"
    assert z.scan_score(float("-inf")) == b"-inf"


def test_zset_copy_is_deep_enough():
    z = ZSet()
    z.insert(b"a", 1.0)
    z2 = z.copy()
    z2.insert(b"b", 2.0)
    z2.update(b"a", 1.0, 3.0)
    assert list(z.items()) == [(b"a", 1.0)]
    assert list(z2.items()) == [(b"b", 2.0), (b"a", 3.0)]


def test_operation_counts_grow_logarithmically():
    """Timing-free complexity check: member comparisons made by insert, rank and remove
    (all scores equal, so every bisection compares members) grow like log n, not n:
    a 100x larger set costs a handful more comparisons."""
    class Member(bytes):
        count = 0

        def __lt__(self, other):
            Member.count += 1
            return bytes.__lt__(self, other)

    def cost(n):
        keys = [(0.0, Member(b"m%09d" % i)) for i in range(0, 2 * n, 2)]
        o = Order(keys)
        o.rank(*keys[0])                      # build the rank tree once
        Member.count = 0
        for i in range(1, 200, 2):
            k = Member(b"m%09d" % (i * (n // 100)))
            o.add(0.0, k)
            o.rank(0.0, k)
            o.remove(0.0, k)
        return Member.count / 100

    small, large = cost(1000), cost(100_000)
    assert small > 10                         # the counter sees the bisections
    assert large < small + 30                 # log2(100) ~ 7 levels more per bisection
