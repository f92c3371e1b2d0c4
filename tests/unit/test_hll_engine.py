"""engine.hll internals: the indexed sparse edit path replays the C algorithm byte for
byte (checked against a direct transliteration), register packing round trips, and
corrupt values never raise."""
import random

import pytest

from engine import hll


def _apply(v, index, count, max_bytes, fast: bool) -> int:
    if fast:
        e = hll._index(v)
        assert e is not None
        r = hll._sparse_set_fast(e, v, index, count, max_bytes)
        e.body = bytes(v[hll.HDR:])
        return r
    return hll._slow_sparse_set(v, index, count, max_bytes)


@pytest.mark.parametrize("seed", range(12))
def test_indexed_sparse_edits_match_the_c_transliteration(seed):
    rng = random.Random(seed)
    max_bytes = rng.choice([3000, 3000, 600, 120, 30])
    fast, slow = hll.new_sparse(), hll.new_sparse()
    lo, hi = sorted(rng.randrange(hll.REGS) for _ in range(2))
    for step in range(1500):
        # clustered indexes make VAL runs, splits and merges frequent
        index = rng.randint(lo, min(hi, lo + 300)) if rng.random() < 0.7 \
            else rng.randrange(hll.REGS)
        count = min(rng.choice([1, 1, 1, 2, 2, 3, 4, 5, 8, 33]), 40)
        a = _apply(fast, index, count, max_bytes, True)
        b = _apply(slow, index, count, max_bytes, False)
        assert a == b, (step, index, count)
        if a == 2:
            break
        assert fast == slow, (step, index, count)
    assert hll.count(fast) == hll.count(slow)


def test_adjacent_equal_values_merge_in_the_order_redis_merges_them():
    up, down = hll.new_sparse(), hll.new_sparse()
    for i in range(10, 15):
        assert _apply(up, i, 1, 3000, True) == 1
    for i in reversed(range(10, 15)):
        assert _apply(down, i, 1, 3000, True) == 1
    assert hll.decode_sparse(up) == b"z:10 v:1,4 v:1,1 Z:16369"
    assert hll.decode_sparse(down) == b"z:10 v:1,1 v:1,4 Z:16369"


def test_dense_packing_round_trips():
    rng = random.Random(3)
    raw = bytes(rng.getrandbits(6) for _ in range(hll.REGS))
    dense = bytearray(b"HYLL" + bytes(12)) + hll.raw_to_dense(raw)
    assert hll.dense_to_raw(dense) == raw
    assert [hll.dense_get(dense, i) for i in range(0, hll.REGS, 97)] == \
        list(raw[0::97])
    v = bytearray(dense)
    for i in range(0, hll.REGS, 7):
        hll.dense_put(v, i, 63 - raw[i])
    assert hll.dense_to_raw(v) == bytes(63 - raw[i] if i % 7 == 0 else raw[i]
                                        for i in range(hll.REGS))


def test_raw_max_is_lane_wise():
    rng = random.Random(5)
    a = bytes(rng.getrandbits(6) for _ in range(hll.REGS))
    b = bytes(rng.getrandbits(6) for _ in range(hll.REGS))
    m = hll.raw_max(int.from_bytes(a, "little"), int.from_bytes(b, "little"))
    assert m.to_bytes(hll.REGS, "little") == bytes(map(max, a, b))


def test_estimator_edge_values():
    assert hll.estimate([hll.REGS] + [0] * 63) == 0
    assert hll.count(hll.new_sparse()) == 0
    full = [0] * 64
    full[51] = hll.REGS                       # every register saturated: llroundl
    assert hll.estimate(full) == 1 << 63       # overflows, as in Redis


@pytest.mark.parametrize("seed", range(6))
def test_corrupt_sparse_bodies_never_raise(seed):
    rng = random.Random(seed)
    for _ in range(300):
        body = bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 40)))
        v = bytearray(b"HYLL\x01" + bytes(11)) + body
        hll.count(v)
        hll.raw_registers(v)
        hll.decode_sparse(v)
        w = bytearray(v)
        hll.add(w, [b"a%d" % i for i in range(rng.randrange(1, 50))],
                rng.choice([3000, 40]))
        w = bytearray(v)
        if hll.to_dense(w):
            assert len(w) == hll.DENSE_SIZE


@pytest.mark.parametrize("n", [50, 5000])
def test_cached_histograms_follow_adds_and_outside_edits(n):
    rng = random.Random(n)
    v = hll.new_sparse()
    for step in range(12):
        hll.add(v, [b"%d" % rng.getrandbits(40) for _ in range(n // 10)], 3000)
        assert hll.count(v) == hll.count(bytes(v))       # a fresh value: no cache
        if step == 6:
            v[hll.HDR + 5] ^= 0x11                       # as SETRANGE would, in place
            assert hll.count(v) == hll.count(bytes(v))


def test_murmurhash64a_matches_known_register_choices():
    # redis-server 7.0's PFADD h a b c decodes as Z:8436 v:1,1 Z:4274 v:2,1 ...
    assert [hll.pat_len(e) for e in (b"a", b"b", b"c")] == [(12711, 2), (15780, 1),
                                                            (8436, 1)]
