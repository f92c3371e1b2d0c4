"""INFO sentences (sections, framing, counters), and the server commands TIME, LASTSAVE,
DEBUG and SHUTDOWN."""
import re
import threading
import time

import pytest

from tests.conftest import REDIS_SERVER, ServerProc, get_server
from tests.spec.test_connection import Wire, w, wire  # noqa: F401  (fixtures)

DEFAULT = ["Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU",
           "Modules", "Errorstats", "Cluster", "Keyspace"]


def headers(text: bytes) -> list[str]:
    return [line[2:] for line in text.decode().split("\r\n") if line.startswith("# ")]


def fields(text: bytes) -> dict:
    out = {}
    for line in text.decode().split("\r\n"):
        if line and not line.startswith("#"):
            k, _, v = line.partition(":")
            out[k] = v
    return out


def stat(w, section: str, name: str) -> str:
    return fields(w("INFO", section))[name]


# ------------------------------------------------------------------ sections
def test_info_without_arguments_gives_the_default_sections(w):
    assert headers(w("INFO")) == DEFAULT
    assert headers(w("INFO", "default")) == DEFAULT


def test_info_all_and_everything_add_commandstats_and_latencystats(w):
    for arg in ("all", "everything", "ALL"):
        assert headers(w("INFO", arg)) == [
            "Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU",
            "Modules", "Commandstats", "Errorstats", "Latencystats", "Cluster", "Keyspace"]


def test_info_latencystats_has_the_configured_percentiles_per_command(w):
    w("CONFIG", "RESETSTAT")
    w("SET", "k", "v")
    f = fields(w("INFO", "latencystats"))
    assert re.fullmatch(r"p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}",
                        f["latency_percentiles_usec_set"])


def test_info_takes_several_sections_in_any_case_and_keeps_redis_order(w):
    assert headers(w("INFO", "cpu", "SERVER", "Cpu", "nosuch")) == ["Server", "CPU"]
    got = headers(w("INFO", "keyspace", "default", "commandstats"))
    assert got == DEFAULT[:8] + ["Commandstats"] + DEFAULT[8:]


def test_info_of_an_unknown_section_is_empty(raw):
    assert raw().request(b"INFO nosuch\r\n", b"$0\r\n\r\n") == b"$0\r\n\r\n"


def test_info_framing_crlf_and_a_blank_line_between_sections(w):
    w("SET", "k", "v")
    assert w("INFO", "keyspace") == b"# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n"
    text = w("INFO", "cluster", "keyspace")
    assert text == (b"# Cluster\r\ncluster_enabled:0\r\n\r\n"
                    b"# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n")
    assert w("INFO", "modules") == b"# Modules\r\n"


def test_info_in_resp3_is_a_verbatim_string(raw):
    s = raw()
    s.send(b"HELLO 3\r\n")
    s.recv(1)
    expected = b"=15\r\ntxt:# Modules\r\n\r\n"
    assert s.request(b"INFO modules\r\n", expected) == expected


def test_info_keyspace_counts_keys_and_expires_per_database(w):
    w("SET", "a", "1")
    w("SET", "b", "2", "EX", "100")
    w("SELECT", "5")
    w("SET", "c", "3")
    lines = w("INFO", "keyspace").decode().split("\r\n")
    assert re.fullmatch(r"db0:keys=2,expires=1,avg_ttl=\d+", lines[1])
    assert lines[2] == "db5:keys=1,expires=0,avg_ttl=0"


def test_info_server_fields(w, server):
    f = fields(w("INFO", "server"))
    assert f["redis_version"] == "7.0.15" and f["redis_mode"] == "standalone"
    assert f["tcp_port"] == str(server.port)
    assert re.fullmatch(r"[0-9a-f]{40}", f["run_id"])
    assert int(f["process_id"]) == server.proc.pid
    assert f["arch_bits"] == "64" and f["config_file"] == ""
    assert int(f["uptime_in_seconds"]) >= 0 and f["hz"] == f["configured_hz"] == "10"
    assert abs(int(f["server_time_usec"]) / 1e6 - time.time()) < 5


def test_info_replication_of_a_master_without_replicas(w):
    f = fields(w("INFO", "replication"))
    assert f["role"] == "master" and f["connected_slaves"] == "0"
    assert f["master_repl_offset"] == "0" and f["second_repl_offset"] == "-1"
    assert re.fullmatch(r"[0-9a-f]{40}", f["master_replid"])
    assert f["master_replid2"] == "0" * 40


def test_info_clients_counts_connections(wire, w):
    before = int(stat(w, "clients", "connected_clients"))
    other = wire()
    other("PING")
    assert int(stat(w, "clients", "connected_clients")) == before + 1
    assert stat(w, "clients", "maxclients") == "10000"
    assert stat(w, "clients", "blocked_clients") == "0"


def test_info_memory_reports_rss_and_maxmemory(w):
    f = fields(w("INFO", "memory"))
    assert int(f["used_memory"]) > 0 and int(f["used_memory_rss"]) > 0
    assert re.fullmatch(r"\d+(\.\d\d[KMGTP]|B)", f["used_memory_human"])
    assert f["maxmemory"] == "0" and f["maxmemory_human"] == "0B"
    assert f["maxmemory_policy"] == "noeviction"


def test_info_persistence_counts_changes_since_last_save(w):
    before = int(stat(w, "persistence", "rdb_changes_since_last_save"))
    w("SET", "a", "1")
    w("SET", "b", "2")
    w("GET", "a")
    f = fields(w("INFO", "persistence"))
    assert int(f["rdb_changes_since_last_save"]) == before + 2
    assert f["loading"] == "0" and f["rdb_bgsave_in_progress"] == "0"
    assert f["aof_enabled"] == "0" and f["rdb_last_bgsave_status"] == "ok"


def test_info_stats_counts_hits_misses_and_errors(w):
    s0 = fields(w("INFO", "stats"))
    w("SET", "k", "v")
    w("GET", "k")
    w("GET", "nope")
    w.err("NOSUCH")
    s1 = fields(w("INFO", "stats"))
    assert int(s1["keyspace_hits"]) == int(s0["keyspace_hits"]) + 1
    assert int(s1["keyspace_misses"]) == int(s0["keyspace_misses"]) + 1
    assert int(s1["total_error_replies"]) == int(s0["total_error_replies"]) + 1
    assert int(s1["total_commands_processed"]) >= int(s0["total_commands_processed"]) + 3


def test_info_stats_expiry_telemetry_after_the_active_cycle_expires_keys(w):
    """expired_stale_perc is a running average of each cycle's stale share (it rises
    when a cycle finds expired keys, then decays); the time-cap counter is reported."""
    s0 = fields(w("INFO", "stats"))
    assert int(s0["expired_time_cap_reached_count"]) >= 0
    for i in range(200):
        w("SET", f"stale:{i}", "v", "PX", "50")
    deadline = time.time() + 5
    while int(stat(w, "stats", "expired_keys")) < int(s0["expired_keys"]) + 200:
        assert time.time() < deadline
        time.sleep(0.05)
    assert float(stat(w, "stats", "expired_stale_perc")) > 0


def _cmdstat(w, name) -> dict:
    line = fields(w("INFO", "commandstats")).get(f"cmdstat_{name}")
    return dict(kv.split("=") for kv in line.split(",")) if line else {}


def test_info_commandstats_counts_calls_rejections_and_failures(w):
    w("CONFIG", "RESETSTAT")
    w("SET", "h", "x")
    w("GET", "h")
    w("GET", "h")
    w.err("GET")                                  # arity: rejected
    w("LPUSH", "l", "a")
    w.err("GET", "l")                             # WRONGTYPE: failed
    st = _cmdstat(w, "get")
    assert (st["calls"], st["rejected_calls"], st["failed_calls"]) == ("3", "1", "1")
    assert _cmdstat(w, "config|resetstat")["calls"] == "1"
    errors = fields(w("INFO", "errorstats"))
    assert errors == {"errorstat_ERR": "count=1", "errorstat_WRONGTYPE": "count=1"}


def test_info_cpu_fields_are_seconds_with_microseconds(w):
    f = fields(w("INFO", "cpu"))
    for k in ("used_cpu_sys", "used_cpu_user", "used_cpu_sys_children",
              "used_cpu_user_children"):
        assert re.fullmatch(r"\d+\.\d{6}", f[k])


def test_info_arity_has_no_limit(w):
    assert headers(w("INFO", *["server"] * 20)) == ["Server"]


def test_info_fields_are_a_subset_of_redis_fields(ours):
    """What keyscope prints, Redis prints too (plus keyscope_version); nothing invented."""
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed")
    theirs = Wire(get_server("redis").port)
    mine = Wire(ours.port)
    try:
        for section in ("server", "clients", "memory", "persistence", "stats",
                        "replication", "cpu", "cluster"):
            extra = set(fields(mine("INFO", section))) - set(fields(theirs("INFO", section)))
            assert extra <= {"keyscope_version"}, section
    finally:
        theirs.close()
        mine.close()


# ------------------------------------------------------------------ TIME / LASTSAVE
def test_time_replies_seconds_and_microseconds(w):
    secs, micros = w("TIME")
    assert abs(int(secs) - time.time()) < 5 and 0 <= int(micros) < 1_000_000
    assert w.err("TIME", "x") == "ERR wrong number of arguments for 'time' command"


def test_lastsave_is_the_last_save_time_in_info(w):
    t = w("LASTSAVE")
    assert isinstance(t, int) and t <= time.time() + 1
    assert stat(w, "persistence", "rdb_last_save_time") == str(t)


# ------------------------------------------------------------------ DEBUG
DEBUG_DENIED = (
    'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", '
    "you can run it from a local connection, otherwise you need to set this option in the "
    "configuration file, and then restart the server.")


def test_debug_is_refused_unless_enabled(w):
    assert w.err("DEBUG", "SLEEP", "0") == DEBUG_DENIED
    assert w.err("DEBUG") == "ERR wrong number of arguments for 'debug' command"


@pytest.fixture(params=["keyscope", "redis"])
def debug_server(request):
    if request.param == "redis" and REDIS_SERVER is None:
        pytest.skip("redis-server is not installed")
    srv = ServerProc(request.param, ["--enable-debug-command", "yes"])
    yield srv
    srv.stop()


def test_debug_sleep_blocks_the_whole_server(debug_server):
    a, b = Wire(debug_server.port), Wire(debug_server.port)
    try:
        assert b("PING") == b"PONG"
        t = threading.Thread(target=a, args=("DEBUG", "SLEEP", "0.5"))
        t.start()
        time.sleep(0.1)
        start = time.monotonic()
        assert b("PING") == b"PONG"               # waits for the sleep to end
        assert time.monotonic() - start > 0.25
        t.join()
        assert a("DEBUG", "SLEEP", "abc") == b"OK"      # atof: 0 seconds
        assert a("DEBUG", "LOG", "hello") == b"OK"
        assert a.err("DEBUG", "SLEEP") == (
            "ERR unknown subcommand or wrong number of arguments for 'SLEEP'. "
            "Try DEBUG HELP.")
        assert a.err("DEBUG", "nosuchthing", "1") == (
            "ERR unknown subcommand or wrong number of arguments for 'nosuchthing'. "
            "Try DEBUG HELP.")
        assert a("DEBUG", "HELP")[0] == \
            b"DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    finally:
        a.close()
        b.close()


# ------------------------------------------------------------------ SHUTDOWN
def test_shutdown_option_errors(w):
    assert w.err("SHUTDOWN", "foo") == "ERR syntax error"
    assert w.err("SHUTDOWN", "nosave", "save") == "ERR syntax error"
    assert w.err("SHUTDOWN", "abort", "now") == "ERR syntax error"
    assert w.err("SHUTDOWN", "abort") == "ERR No shutdown in progress."
    w("MULTI")
    assert w.err("SHUTDOWN") == "ERR Command not allowed inside a transaction"
    w("DISCARD")


@pytest.fixture(params=["keyscope", "redis"])
def doomed_server(request):
    if request.param == "redis" and REDIS_SERVER is None:
        pytest.skip("redis-server is not installed")
    srv = ServerProc(request.param)
    yield srv
    srv.stop()


def test_shutdown_nosave_closes_every_connection_without_a_reply(doomed_server):
    a, b = Wire(doomed_server.port), Wire(doomed_server.port)
    a("SET", "k", "v")
    try:
        with pytest.raises(ConnectionError):
            a("SHUTDOWN", "NOSAVE")
        assert doomed_server.proc.wait(15) == 0
        with pytest.raises(ConnectionError):
            b("PING")
    finally:
        a.close()
        b.close()
