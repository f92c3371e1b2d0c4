"""CONFIG sentences: GET patterns, SET round trips and every error text, atomic multi-SET,
RESETSTAT, REWRITE (with and without a config file), HELP."""
import os
import subprocess
import sys

import pytest

from tests.conftest import REDIS_SERVER, ROOT, free_port, wait_port
from tests.spec.test_connection import Wire, w, wire  # noqa: F401  (fixtures)


def pairs(reply) -> dict:
    return dict(zip(reply[0::2], reply[1::2]))


@pytest.fixture
def restore(wire):
    """Every parameter a test changes is set back afterwards (shared servers)."""
    admin = wire()
    before = pairs(admin("CONFIG", "GET", "*"))
    yield admin
    after = pairs(admin("CONFIG", "GET", "*"))
    for k, v in before.items():
        if after.get(k) != v:
            admin("CONFIG", "SET", k, v)


def failed(name: str, reason: str) -> str:
    return f"ERR CONFIG SET failed (possibly related to argument '{name}') - {reason}"


# ------------------------------------------------------------------ GET
def test_config_get_one_parameter(w):
    assert w("CONFIG", "GET", "maxmemory-policy") == [b"maxmemory-policy", b"noeviction"]
    assert w("CONFIG", "GET", "databases") == [b"databases", b"16"]


def test_config_get_unknown_parameter_is_empty(w):
    assert w("CONFIG", "GET", "no-such-thing") == []
    assert w("CONFIG", "GET", "no-such-*") == []


def test_config_get_exact_name_answers_as_given(w):
    assert w("CONFIG", "GET", "HZ") == [b"HZ", b"10"]
    assert w("CONFIG", "GET", "hz", "HZ") == [b"hz", b"10"]     # the same name twice: once


def test_config_get_several_patterns_in_one_call(w):
    got = pairs(w("CONFIG", "GET", "maxmemory*", "port", "port"))
    assert set(got) == {b"maxmemory", b"maxmemory-clients", b"maxmemory-eviction-tenacity",
                        b"maxmemory-policy", b"maxmemory-samples", b"port"}


def test_config_get_glob_is_case_insensitive_and_includes_aliases(w):
    got = pairs(w("CONFIG", "GET", "H*"))
    assert set(got) == {b"hz", b"hll-sparse-max-bytes", b"hash-max-listpack-entries",
                        b"hash-max-listpack-value", b"hash-max-ziplist-entries",
                        b"hash-max-ziplist-value"}
    assert got[b"hash-max-ziplist-entries"] == got[b"hash-max-listpack-entries"] == b"512"
    assert set(pairs(w("CONFIG", "GET", "slave-[pr]*"))) == {
        b"slave-priority", b"slave-read-only"}


def test_config_get_star_lists_every_parameter_once(w):
    got = w("CONFIG", "GET", "*")
    names = got[0::2]
    assert len(names) == len(set(names)) == 192
    assert b"key-load-delay" not in names                  # hidden: exact name only
    assert w("CONFIG", "GET", "key-load-delay") == [b"key-load-delay", b"0"]


def test_config_get_values_as_redis_renders_them(w):
    got = pairs(w("CONFIG", "GET", "save", "client-output-buffer-limit",
                  "latency-tracking-info-percentiles", "oom-score-adj-values",
                  "notify-keyspace-events", "appendonly", "proto-max-bulk-len"))
    assert got == {
        b"save": b"",                 # the test servers start with --save ""
        b"client-output-buffer-limit":
            b"normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
        b"latency-tracking-info-percentiles": b"50 99 99.9",
        b"oom-score-adj-values": b"0 200 800",
        b"notify-keyspace-events": b"",
        b"appendonly": b"no",
        b"proto-max-bulk-len": b"536870912"}


def test_config_get_dir_is_the_absolute_working_directory(w, server):
    assert w("CONFIG", "GET", "dir") == [b"dir", os.path.realpath(server.dir).encode()]


def test_config_get_arity(w):
    assert w.err("CONFIG", "GET") == "ERR wrong number of arguments for 'config|get' command"


# ------------------------------------------------------------------ SET round trips
@pytest.mark.parametrize("name,value,shown", [
    ("hz", "15", "15"),
    ("hz", "0", "1"),                                   # clamped to 1..500
    ("hz", "1000", "500"),
    ("maxmemory", "10mb", "10485760"),
    ("maxmemory", "1k", "1000"),
    ("maxmemory", "2GB", "2147483648"),
    ("maxmemory", "", "0"),
    ("maxmemory", "kb", "0"),
    ("maxmemory", "01", "1"),
    ("maxmemory-clients", "5%", "5%"),
    ("maxmemory-clients", "0%", "0"),
    ("repl-backlog-size", "1", "16384"),                # at least 16kb
    ("maxmemory-policy", "ALLKEYS-LRU", "allkeys-lru"),
    ("timeout", "30", "30"),
    ("slowlog-log-slower-than", "-1", "-1"),
    ("list-max-listpack-size", "-5", "-5"),
    ("activerehashing", "NO", "no"),
    ("notify-keyspace-events", "KEA", "AKE"),
    ("notify-keyspace-events", "Kxg", "gxK"),
    ("notify-keyspace-events", "AnKm", "AKm"),
    ("save", "100 10 20 30", "100 10 20 30"),
    ("save", "3600 1 +5 2", "3600 1 5 2"),
    ("client-output-buffer-limit", "pubsub 1mb 2mb 3",
     "normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 2097152 3"),
    ("client-output-buffer-limit", "replica 1 2 3 normal 4 5 6",
     "normal 4 5 6 slave 1 2 3 pubsub 33554432 8388608 60"),
    ("latency-tracking-info-percentiles", "50 99.5 100", "50 99.5 100"),
    ("latency-tracking-info-percentiles", "", ""),
    ("oom-score-adj-values", "1 -2 2000", "1 -2 2000"),
    ("masterauth", "a b\"c", "a b\"c"),
    ("proc-title-template", "{title}{{x}}", "{title}{{x}}"),
])
def test_config_set_then_get_round_trip(w, restore, name, value, shown):
    assert w("CONFIG", "SET", name, value) == b"OK"
    assert w("CONFIG", "GET", name) == [name.encode(), shown.encode()]


def test_config_set_through_an_alias_changes_the_parameter(w, restore):
    assert w("CONFIG", "SET", "hash-max-ziplist-entries", "100") == b"OK"
    assert w("CONFIG", "GET", "hash-max-listpack-entries") == [
        b"hash-max-listpack-entries", b"100"]


def test_config_set_several_pairs_in_one_call(w, restore):
    assert w("CONFIG", "SET", "hz", "20", "maxmemory", "1mb", "timeout", "5") == b"OK"
    assert pairs(w("CONFIG", "GET", "hz", "maxmemory", "timeout")) == {
        b"hz": b"20", b"maxmemory": b"1048576", b"timeout": b"5"}


def test_an_alias_and_its_parameter_are_not_duplicates_the_last_wins(w, restore):
    assert w("CONFIG", "SET", "hash-max-ziplist-entries", "100",
             "hash-max-listpack-entries", "200") == b"OK"
    assert w("CONFIG", "GET", "hash-max-ziplist-entries")[1] == b"200"


def test_config_set_is_all_or_nothing(w, restore):
    assert w.err("CONFIG", "SET", "hz", "100", "maxmemory", "abc") == \
        failed("maxmemory", "argument must be a memory value")
    assert w.err("CONFIG", "SET", "hz", "100", "nosuch", "1") == \
        "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"
    assert w.err("CONFIG", "SET", "timeout", "9", "databases", "3") == \
        failed("databases", "can't set immutable config")
    assert pairs(w("CONFIG", "GET", "hz", "timeout")) == {b"hz": b"10", b"timeout": b"0"}


# ------------------------------------------------------------------ SET errors
INT_ERR = "argument couldn't be parsed into an integer"
MEM_ERR = "argument must be a memory value"


@pytest.mark.parametrize("args,error", [
    (["hz", "abc"], failed("hz", INT_ERR)),
    (["HZ", "abc"], failed("hz", INT_ERR)),
    (["hz", "1.5"], failed("hz", INT_ERR)),
    (["hz", "+5"], failed("hz", INT_ERR)),
    (["hz", "01"], failed("hz", INT_ERR)),
    (["hz", ""], failed("hz", INT_ERR)),
    (["hz", "-1"], failed("hz", "argument must be between 0 and 2147483647 inclusive")),
    (["maxclients", "0"], failed("maxclients", "argument must be between 1 and 4294967295 "
                                               "inclusive")),
    (["active-expire-effort", "11"],
     failed("active-expire-effort", "argument must be between 1 and 10 inclusive")),
    (["list-max-listpack-size", "9223372036854775807"],
     failed("list-max-listpack-size",
            "argument must be between -2147483648 and 2147483647 inclusive")),
    (["hash-max-ziplist-entries", "x"], failed("hash-max-ziplist-entries", INT_ERR)),
    (["maxmemory", "abc"], failed("maxmemory", MEM_ERR)),
    (["maxmemory", "-1"], failed("maxmemory", MEM_ERR)),
    (["maxmemory", "1.5k"], failed("maxmemory", MEM_ERR)),
    (["maxmemory", "1tb"], failed("maxmemory", MEM_ERR)),
    (["maxmemory", " 5"], failed("maxmemory", MEM_ERR)),
    (["proto-max-bulk-len", "1kb"], failed(
        "proto-max-bulk-len", "argument must be between 1048576 and 9223372036854775807 "
                              "inclusive")),
    (["proto-max-bulk-len", "99999999999999999999"], failed(
        "proto-max-bulk-len", "argument must be between 1048576 and 9223372036854775807 "
                              "inclusive")),
    (["maxmemory-clients", "-5%"], failed("maxmemory-clients",
                                          "argument must be a memory or percent value")),
    (["maxmemory-clients", "101%"], failed("maxmemory-clients",
                                           "percentage argument must be less or equal to "
                                           "100")),
    (["appendonly", "maybe"], failed("appendonly", "argument must be 'yes' or 'no'")),
    (["appendonly", "1"], failed("appendonly", "argument must be 'yes' or 'no'")),
    (["maxmemory-policy", "foo"], failed(
        "maxmemory-policy", "argument(s) must be one of the following: volatile-lru, "
                            "volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, "
                            "allkeys-lfu, allkeys-random, noeviction")),
    (["loglevel", "loud"], failed(
        "loglevel", "argument(s) must be one of the following: debug, verbose, notice, "
                    "warning")),
    (["save", "100"], failed("save", "Invalid save parameters")),
    (["save", "0 0"], failed("save", "Invalid save parameters")),
    (["save", "10 -1"], failed("save", "Invalid save parameters")),
    (["save", "3600  1"], failed("save", "Invalid save parameters")),
    (["notify-keyspace-events", "KZ"], failed(
        "notify-keyspace-events", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")),
    (["client-output-buffer-limit", "normal 1 1"], failed(
        "client-output-buffer-limit", "Wrong number of arguments in buffer limit "
                                      "configuration.")),
    (["client-output-buffer-limit", "master 1 1 1"], failed(
        "client-output-buffer-limit", "Invalid client class specified in buffer limit "
                                      "configuration.")),
    (["client-output-buffer-limit", "normal 1 1 abc"], failed(
        "client-output-buffer-limit", "Error in hard, soft or soft_seconds setting in "
                                      "buffer limit configuration.")),
    (["client-output-buffer-limit", "normal x 1 1"], failed(
        "client-output-buffer-limit", "Error in hard, soft or soft_seconds setting in "
                                      "buffer limit configuration.")),
    (["oom-score-adj-values", "1 2"], failed("oom-score-adj-values",
                                             "wrong number of arguments")),
    (["oom-score-adj-values", "1 2 3000"], failed(
        "oom-score-adj-values", "Invalid oom-score-adj-values, elements must be between "
                                "-2000 and 2000.")),
    (["latency-tracking-info-percentiles", "abc"], failed(
        "latency-tracking-info-percentiles",
        "Invalid latency-tracking-info-percentiles parameters")),
    (["latency-tracking-info-percentiles", "101"], failed(
        "latency-tracking-info-percentiles",
        "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]")),
    (["proc-title-template", "{nosuch}"], failed(
        "proc-title-template", "template format is invalid or contains unknown variables")),
    (["proc-title-template", ""], failed(
        "proc-title-template", "template format is invalid or contains unknown variables")),
    (["activedefrag", "yes"], failed(
        "activedefrag", "Active defragmentation cannot be enabled: it requires a Redis "
                        "server compiled with a modified Jemalloc like the one shipped by "
                        "default with the Redis source distribution")),
    (["databases", "3"], failed("databases", "can't set immutable config")),
    (["daemonize", "yes"], failed("daemonize", "can't set immutable config")),
    (["logfile", "x"], failed("logfile", "can't set immutable config")),
    (["slaveof", "x"], failed("slaveof", "can't set immutable config")),
    (["Databases", "3"], failed("Databases", "can't set immutable config")),
    (["dir", "/tmp"], failed("dir", "can't set protected config")),
    (["dbfilename", "x.rdb"], failed("dbfilename", "can't set protected config")),
    (["hz", "10", "hz", "11"], failed("hz", "duplicate parameter")),
    (["hz", "1", "HZ", "2"], failed("HZ", "duplicate parameter")),
    (["nosuch", "1"], "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"),
    (["nosuch", "1", "databases", "1"],
     "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"),
    (["databases", "1", "nosuch", "1"], failed("databases", "can't set immutable config")),
    (["port", "1", "hz"], "ERR syntax error"),
    (["hz"], "ERR wrong number of arguments for 'config|set' command"),
])
def test_config_set_errors(w, restore, args, error):
    assert w.err("CONFIG", "SET", *args) == error


# ------------------------------------------------------------------ RESETSTAT / HELP
def test_config_resetstat_zeroes_the_counters(w):
    for _ in range(5):
        w("PING")
    w.err("NOSUCH")
    assert w("CONFIG", "RESETSTAT") == b"OK"
    info = w("INFO", "stats").decode()
    assert "total_commands_processed:1\r\n" in info      # RESETSTAT counts itself
    assert "total_error_replies:0\r\n" in info
    assert w("INFO", "errorstats") == b"# Errorstats\r\n"
    assert w("INFO", "commandstats").startswith(b"# Commandstats\r\ncmdstat_")


def test_config_help(w):
    assert w("CONFIG", "HELP") == [
        b"CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        b"GET <pattern>",
        b"    Return parameters matching the glob-like <pattern> and their values.",
        b"SET <directive> <value>",
        b"    Set the configuration <directive> to <value>.",
        b"RESETSTAT",
        b"    Reset statistics reported by the INFO command.",
        b"REWRITE",
        b"    Rewrite the configuration file.",
        b"HELP",
        b"    Prints this help."]
    assert w.err("CONFIG", "FOO") == "ERR unknown subcommand 'FOO'. Try CONFIG HELP."
    assert w.err("CONFIG", "HELP", "x") == \
        "ERR wrong number of arguments for 'config|help' command"


# ------------------------------------------------------------------ REWRITE
def test_config_rewrite_without_a_config_file_is_an_error(w):
    assert w.err("CONFIG", "REWRITE") == "ERR The server is running without a config file"


CONF = """# top comment
port {port}
bind 127.0.0.1

# save settings
save 900 1
save 300 10
hash-max-ziplist-entries 100
maxmemory 100mb
  # indented comment
Loglevel verbose
hz 10
hz 20
appendonly no
timeout 0
dir {dir}
"""


def _start(kind: str, path: str, port: int, workdir: str) -> subprocess.Popen:
    if kind == "redis":
        cmd = [REDIS_SERVER, path]
    else:
        cmd = [sys.executable, "-m", "netserver", path]
    log = open(os.path.join(workdir, "server.log"), "wb")
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    wait_port(port, proc)
    return proc


def _stop(proc: subprocess.Popen):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _rewrite(kind: str, tmp_path) -> str:
    port = free_port()
    workdir = str(tmp_path / kind)
    os.makedirs(workdir)
    path = os.path.join(workdir, "test.conf")
    with open(path, "w") as f:
        f.write(CONF.format(port=port, dir=workdir))
    proc = _start(kind, path, port, workdir)
    try:
        c = Wire(port)
        assert c("CONFIG", "SET", "maxmemory", "1gb", "hz", "15", "save", "",
                 "loglevel", "notice", "timeout", "7", "masterauth", 'a b"c',
                 "notify-keyspace-events", "KEA", "repl-backlog-size", "1025",
                 "client-output-buffer-limit", "pubsub 1mb 2mb 3",
                 "proto-max-bulk-len", "1000000000", "maxmemory-clients", "5%",
                 "slave-read-only", "no") == b"OK"
        assert c("CONFIG", "REWRITE") == b"OK"
        c.close()
        with open(path) as f:
            return f.read().replace(workdir, "<dir>").replace(str(port), "<port>")
    finally:
        _stop(proc)


@pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")
def test_config_rewrite_keeps_comments_replaces_in_place_and_appends(tmp_path):
    ours, theirs = _rewrite("keyscope", tmp_path), _rewrite("redis", tmp_path)
    head, _, tail = theirs.partition("# Generated by CONFIG REWRITE\n")
    assert head == (
        "# top comment\nport <port>\nbind 127.0.0.1\n\n# save settings\nsave \"\"\n\n"
        "hash-max-listpack-entries 100\nmaxmemory 1gb\n# indented comment\n"
        "loglevel notice\nhz 15\n\nappendonly no\ntimeout 7\ndir \"<dir>\"\n\n")
    our_head, sig, our_tail = ours.partition("# Generated by CONFIG REWRITE\n")
    assert sig and our_head == head
    # appended parameters come in hash-table order in Redis: compare them as sets
    assert sorted(our_tail.splitlines()) == sorted(tail.splitlines())
    assert "latency-tracking-info-percentiles 50 99 99.9" in tail.splitlines()
    assert 'masterauth "a b\\"c"' in tail.splitlines()
    assert "repl-backlog-size 16kb" in tail.splitlines()
    assert "client-output-buffer-limit pubsub 1mb 2mb 3" in tail.splitlines()


# ------------------------------------------------------------------ port / bind
def test_config_set_bind_to_an_address_we_do_not_have_fails_and_keeps_listening(w, restore):
    assert w.err("CONFIG", "SET", "bind", "192.0.2.1") == \
        failed("bind", "Failed to bind to specified addresses.")
    assert w("PING") == b"PONG"
    assert w("CONFIG", "GET", "bind") == [b"bind", b"127.0.0.1"]


@pytest.fixture(params=["keyscope", "redis"])
def own_server(request):
    from tests.conftest import ServerProc
    if request.param == "redis" and REDIS_SERVER is None:
        pytest.skip("redis-server is not installed")
    srv = ServerProc(request.param)
    yield srv
    srv.stop()


def test_config_set_port_moves_the_listener(own_server):
    import socket
    import time
    c = Wire(own_server.port)
    new = free_port()
    assert c("CONFIG", "SET", "port", str(new)) == b"OK"
    assert c("PING") == b"PONG"                   # existing connections stay
    deadline = time.time() + 5
    while True:
        try:
            fresh = Wire(new)
            break
        except OSError:
            assert time.time() < deadline
            time.sleep(0.05)
    assert fresh("CONFIG", "GET", "port") == [b"port", str(new).encode()]
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", own_server.port), timeout=2).close()
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    taken = busy.getsockname()[1]
    try:
        assert fresh.err("CONFIG", "SET", "port", str(taken)) == \
            failed("port", "Unable to listen on this port. Check server logs.")
        assert fresh("CONFIG", "GET", "port") == [b"port", str(new).encode()]
    finally:
        busy.close()
        c.close()
        fresh.close()
