"""Tree filters: typed values, matching, when a timed TTL filter's answer flips, and the
schedule that re-checks exactly those keys."""
from __future__ import annotations

import pytest

from gui.treefilter import (BUCKET_MS, TimeSchedule, TreeFilter, parse_count, parse_size,
                            parse_ttl)


def test_typed_sizes_durations_and_counts():
    assert parse_size("512") == 512 and parse_size("4k") == 4096
    assert parse_size("1.5 MB") == 1536 * 1024 and parse_size("2g") == 2 << 30
    assert parse_ttl("30") == 30_000 and parse_ttl("500ms") == 500
    assert parse_ttl("5m") == 300_000 and parse_ttl("2h") == 7_200_000
    assert parse_ttl("1d") == 86_400_000 and parse_count("17") == 17
    with pytest.raises(ValueError, match="'abc' is not a duration"):
        parse_ttl("abc")
    with pytest.raises(ValueError, match="unknown unit 'w'"):
        parse_ttl("3w")
    with pytest.raises(ValueError, match="enter a size"):
        parse_size("  ")
    with pytest.raises(ValueError, match="'-1' is not a whole number"):
        parse_count("-1")


def test_matching_on_type_size_and_ttl():
    now = 1_000_000
    s = ("string", 100, None, 5)
    h = ("hash", 5000, now + 30_000, 300)
    assert TreeFilter(type="hash").match(h, now) and not TreeFilter(type="hash").match(s, now)
    assert TreeFilter(min_bytes=1000).match(h, now) and not TreeFilter(min_bytes=1000).match(s, now)
    assert not TreeFilter(min_bytes=1).match(("string", None, None, 1), now)   # unknown bytes
    assert TreeFilter(min_length=300).match(h, now) and not TreeFilter(min_length=6).match(s, now)
    assert TreeFilter(ttl=("none",)).match(s, now) and not TreeFilter(ttl=("none",)).match(h, now)
    assert TreeFilter(ttl=("has",)).match(h, now)
    assert TreeFilter(ttl=("within", 30_000)).match(h, now)
    assert not TreeFilter(ttl=("within", 29_999)).match(h, now)
    assert TreeFilter(ttl=("between", 10_000, 30_000)).match(h, now)
    assert not TreeFilter(ttl=("between", 31_000, 60_000)).match(h, now)
    assert not TreeFilter().on_meta and TreeFilter(type="set").on_meta
    assert TreeFilter(ttl=("within", 1)).timed and not TreeFilter(ttl=("has",)).timed


def test_a_timed_filter_knows_when_its_answer_flips():
    now = 1_000_000
    key = ("string", 10, now + 90_000, 1)
    within = TreeFilter(ttl=("within", 60_000))
    assert within.flips_at(key, now) == now + 30_000          # enters then
    assert not within.match(key, now + 29_999) and within.match(key, now + 30_000)
    assert within.flips_at(key, now + 30_000) is None          # stays until it expires
    between = TreeFilter(ttl=("between", 20_000, 60_000))
    enter = between.flips_at(key, now)
    assert enter == now + 30_000 and between.match(key, enter)
    leave = between.flips_at(key, enter)
    assert between.match(key, leave - 1) and not between.match(key, leave)
    assert between.flips_at(key, leave) is None
    assert within.flips_at(("string", 10, None, 1), now) is None
    assert TreeFilter(ttl=("has",)).flips_at(key, now) is None


def test_the_schedule_hands_keys_back_once_never_early():
    s = TimeSchedule()
    s.put(b"a", 1050)
    s.put(b"b", 1100)
    s.put(b"c", 5000)
    assert s.next_ms() == 1100 and len(s) == 3            # 1050 rounds up to its bucket
    assert s.due(1099) == []
    assert sorted(s.due(1100)) == [b"a", b"b"] and s.due(1100) == []
    s.put(b"c", 2000)                                      # rescheduled: leaves 5000
    s.put(b"d", 3000)
    s.put(b"d", None)                                      # no longer due at all
    assert s.next_ms() == 2000
    assert s.due(10_000) == [b"c"] and len(s) == 0 and s.next_ms() is None
    assert BUCKET_MS == 100


def test_describe_says_what_is_shown():
    f = TreeFilter(pattern=b"user:*", type="hash", ttl=("between", 60_000, 7_200_000),
                   min_bytes=1024)
    assert f.describe() == "matching user:*, type hash, TTL 1m..2h, memory >= 1,024 B"
    assert TreeFilter(ttl=("within", 1500)).describe() == "expiring within 1.5s"
    assert TreeFilter().describe() == ""
