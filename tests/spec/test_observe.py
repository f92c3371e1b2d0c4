"""SLOWLOG, LATENCY and MONITOR as Redis 7.0 reports them."""
import re

import pytest
import redis


@pytest.fixture
def slowlog_all(r):
    r.config_set("slowlog-log-slower-than", 0)
    r.slowlog_reset()
    yield
    r.config_set("slowlog-log-slower-than", 10000)
    r.slowlog_reset()


def test_slowlog_records_commands_newest_first(r, slowlog_all):
    r.set("a", "b")
    r.get("a")
    entries = r.execute_command("SLOWLOG", "GET", 3)
    assert [e[3] for e in entries[:2]] == [[b"GET", b"a"], [b"SET", b"a", b"b"]]
    first = entries[0]
    assert first[0] > entries[1][0]
    assert isinstance(first[1], int) and isinstance(first[2], int)
    assert re.match(rb"127\.0\.0\.1:\d+", first[4])
    assert first[5] == b""


def test_slowlog_truncates_long_arguments_and_argument_lists(r, slowlog_all):
    r.set("k", "x" * 200)
    r.execute_command("DEL", *[f"k{i}" for i in range(40)])
    entries = r.execute_command("SLOWLOG", "GET", 2)
    dele, sete = entries[0][3], entries[1][3]
    assert sete[2] == b"x" * 128 + b"... (72 more bytes)"
    assert len(dele) == 32 and dele[-1] == b"... (10 more arguments)"


def test_slowlog_len_reset_and_errors(r, slowlog_all):
    r.ping()
    assert r.slowlog_len() >= 1
    assert r.slowlog_reset() is True
    assert r.slowlog_len() in (0, 1)   # the RESET itself may or may not be logged
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command("SLOWLOG", "GET", -2)
    assert str(e.value) == "count should be greater than or equal to -1"
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command("SLOWLOG", "GET", 1, 2)
    assert str(e.value) == ("unknown subcommand or wrong number of arguments for 'GET'. "
                            "Try SLOWLOG HELP.")


def test_slowlog_max_len_keeps_the_newest(r, slowlog_all):
    r.config_set("slowlog-max-len", 3)
    try:
        for i in range(10):
            r.set(f"m{i}", i)
        entries = r.execute_command("SLOWLOG", "GET", -1)
        assert len(entries) == 3
    finally:
        r.config_set("slowlog-max-len", 128)


def test_latency_doctor_when_disabled(r):
    text = r.execute_command("LATENCY", "DOCTOR")
    assert text.startswith(b"I'm sorry, Dave, I can't do that. Latency monitoring is disabled")


def test_latency_latest_and_history_record_slow_commands(r):
    r.config_set("latency-monitor-threshold", 10)
    try:
        r.execute_command("LATENCY", "RESET")
        r.eval("local t = redis.call('time') local s = t[1] * 1000000 + t[2] "
               "while true do local n = redis.call('time') "
               "if n[1] * 1000000 + n[2] - s > 30000 then break end end return 1", 0)
        latest = r.execute_command("LATENCY", "LATEST")
        names = [e[0] for e in latest]
        assert b"command" in names
        entry = latest[names.index(b"command")]
        assert entry[2] >= 10 and entry[3] >= entry[2]
        hist = r.execute_command("LATENCY", "HISTORY", "command")
        assert len(hist) == 1 and hist[0][1] >= 10
        assert r.execute_command("LATENCY", "RESET", "command") == 1
        assert r.execute_command("LATENCY", "HISTORY", "command") == []
    finally:
        r.config_set("latency-monitor-threshold", 0)


def test_latency_histogram_counts_calls(r):
    r.config_resetstat()
    for _ in range(3):
        r.set("h", "1")
    hist = r.execute_command("LATENCY", "HISTOGRAM", "set")
    assert hist[0] == b"set"
    assert hist[1][:2] == [b"calls", 3]
    buckets = hist[1][3]
    assert buckets[-1] == 3              # cumulative: the last bucket holds every call


def test_monitor_streams_commands_with_db_and_client(server, r, raw):
    m = raw()
    assert m.request(b"MONITOR\r\n", b"+OK\r\n") == b"+OK\r\n"
    r.set("mk", "v a\n")
    line = m.recv(60, timeout=2)
    assert re.match(rb'^\+\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "SET" "mk" "v a\\n"\r\n$', line), line


def test_monitor_shows_script_commands_as_lua(server, r, raw):
    m = raw()
    m.request(b"MONITOR\r\n", b"+OK\r\n")
    r.eval("return redis.call('get', 'x')", 0)
    out = b""
    for _ in range(20):
        out += m.recv(1, timeout=0.3)
        if out.count(b"\r\n") >= 2:
            break
    lines = out.split(b"\r\n")
    assert b'"EVAL"' in lines[0]
    assert b'[0 lua] "get" "x"' in lines[1]
