"""CLIENT PAUSE / UNPAUSE on keyscope and redis-server: paused commands wait (they are
not refused), WRITE pauses only what may write or replicate, replies keep their order,
keys do not expire during a pause."""
import time

import pytest
import redis


@pytest.fixture
def pause(r):
    """Unpauses whatever a test paused (from a fresh connection: an ALL pause would
    hold a connection that is itself paused)."""
    yield
    r.execute_command("CLIENT", "UNPAUSE")


def _err(r, *args) -> str:
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command(*args)
    return str(e.value)


def test_pause_errors(r):
    assert _err(r, "CLIENT", "PAUSE", "10", "foo") == "CLIENT PAUSE mode must be WRITE or ALL"
    assert _err(r, "CLIENT", "PAUSE", "-1") == "timeout is negative"
    assert _err(r, "CLIENT", "PAUSE", "abc") == "timeout is not an integer or out of range"
    assert _err(r, "CLIENT", "PAUSE", "1.5") == "timeout is not an integer or out of range"
    assert _err(r, "CLIENT", "pause", "10", "write", "x") == \
        "unknown subcommand or wrong number of arguments for 'pause'. Try CLIENT HELP."
    assert _err(r, "CLIENT", "PAUSE") == \
        "wrong number of arguments for 'client|pause' command"
    assert _err(r, "CLIENT", "UNPAUSE", "x") == \
        "wrong number of arguments for 'client|unpause' command"
    # the mode is checked before the timeout
    assert _err(r, "CLIENT", "PAUSE", "abc", "foo") == "CLIENT PAUSE mode must be WRITE or ALL"


def test_pause_zero_pauses_nothing(r, raw):
    assert r.execute_command("CLIENT", "PAUSE", "0") == b"OK"
    c = raw()
    assert c.request(b"SET k v\r\n", b"+OK\r\n", timeout=1) == b"+OK\r\n"


def test_pause_write_lets_reads_through_and_holds_writes(r, raw, pause):
    r.set("k", "old")
    r.execute_command("CLIENT", "PAUSE", "600", "WRITE")
    c = raw()
    t = time.time()
    assert c.request(b"GET k\r\n", b"$3\r\nold\r\n", timeout=1) == b"$3\r\nold\r\n"
    assert time.time() - t < 0.3
    c.send(b"SET k new\r\n")
    assert c.recv(1, timeout=0.2) == b""          # held, not refused
    assert c.recv(5, timeout=2) == b"+OK\r\n"      # once the pause is over
    assert time.time() - t >= 0.45
    assert r.get("k") == b"new"


def test_pause_all_holds_every_command(r, raw, pause):
    r.execute_command("CLIENT", "PAUSE", "500", "ALL")
    c = raw()
    t = time.time()
    c.send(b"PING\r\n")
    assert c.recv(1, timeout=0.2) == b""
    assert c.recv(7, timeout=2) == b"+PONG\r\n"
    assert time.time() - t >= 0.4


def test_unpause_releases_held_commands_at_once(r, raw, pause):
    r.execute_command("CLIENT", "PAUSE", "20000", "WRITE")
    c = raw()
    c.send(b"SET k v\r\n")
    assert c.recv(1, timeout=0.2) == b""
    t = time.time()
    assert r.execute_command("CLIENT", "UNPAUSE") == b"OK"
    assert c.recv(5, timeout=2) == b"+OK\r\n"
    assert time.time() - t < 1


def test_held_pipeline_replies_keep_their_order(r, raw, pause):
    r.execute_command("CLIENT", "PAUSE", "20000", "WRITE")
    c = raw()
    c.send(b"SET k 1\r\nGET k\r\nINCR k\r\nGET k\r\n")
    assert c.recv(1, timeout=0.2) == b""          # GET waits behind the held SET
    r.execute_command("CLIENT", "UNPAUSE")
    expected = b"+OK\r\n$1\r\n1\r\n:2\r\n$1\r\n2\r\n"
    assert c.recv(len(expected), timeout=2) == expected


def test_write_pause_holds_publish_eval_and_queued_writes_but_not_eval_ro(r, raw, pause):
    r.execute_command("CLIENT", "PAUSE", "20000", "WRITE")
    pub, ev, ro, tx = raw(), raw(), raw(), raw()
    pub.send(b"PUBLISH ch m\r\n")
    ev.send(b"EVAL \"return 1\" 0\r\n")
    assert ro.request(b"EVAL_RO \"return 2\" 0\r\n", b":2\r\n", timeout=1) == b":2\r\n"
    assert tx.request(b"MULTI\r\n", b"+OK\r\n") == b"+OK\r\n"
    assert tx.request(b"GET k\r\n", b"+QUEUED\r\n") == b"+QUEUED\r\n"
    tx.send(b"SET k v\r\n")                        # queueing a write waits too
    time.sleep(0.2)
    assert pub.recv(1, timeout=0.1) == b"" and ev.recv(1, timeout=0.1) == b""
    assert tx.recv(1, timeout=0.1) == b""
    r.execute_command("CLIENT", "UNPAUSE")
    assert pub.recv(4, timeout=2) == b":0\r\n"
    assert ev.recv(4, timeout=2) == b":1\r\n"
    assert tx.recv(9, timeout=2) == b"+QUEUED\r\n"
    assert tx.request(b"EXEC\r\n", b"*2\r\n$-1\r\n+OK\r\n") == b"*2\r\n$-1\r\n+OK\r\n"


def test_exec_of_a_transaction_with_writes_waits(r, raw, pause):
    tx = raw()
    assert tx.request(b"MULTI\r\n", b"+OK\r\n") == b"+OK\r\n"
    assert tx.request(b"SET k v\r\n", b"+QUEUED\r\n") == b"+QUEUED\r\n"
    r.execute_command("CLIENT", "PAUSE", "20000", "WRITE")
    tx.send(b"EXEC\r\n")
    assert tx.recv(1, timeout=0.3) == b""
    r.execute_command("CLIENT", "UNPAUSE")
    assert tx.recv(9, timeout=2) == b"*1\r\n+OK\r\n"


def test_a_longer_or_stronger_pause_wins(r, raw, pause):
    """The pause type and its end are each the maximum of those asked for: WRITE for
    1000 ms then ALL for 300 ms pauses everything for 1000 ms."""
    r.execute_command("CLIENT", "PAUSE", "1000", "WRITE")
    r.execute_command("CLIENT", "PAUSE", "100", "WRITE")     # does not shorten it
    r.execute_command("CLIENT", "PAUSE", "300", "ALL")       # makes it ALL
    w, rd = raw(), raw()
    t = time.time()
    w.send(b"SET k v\r\n")
    time.sleep(0.05)
    rd.send(b"GET k\r\n")
    assert rd.recv(7, timeout=2) == b"$1\r\nv\r\n"          # after the SET, in order
    assert time.time() - t >= 0.85
    assert w.recv(5, timeout=1) == b"+OK\r\n"


def test_paused_clients_show_as_blocked(r, raw, pause):
    r.execute_command("CLIENT", "PAUSE", "20000", "WRITE")
    c = raw()
    c.send(b"SET k v\r\n")
    time.sleep(0.2)
    assert r.info("clients")["blocked_clients"] == 1
    lines = [x for x in r.execute_command("CLIENT", "LIST").decode().splitlines()
             if "cmd=set" in x]
    assert len(lines) == 1 and " flags=b " in lines[0]


def test_keys_do_not_expire_during_a_pause(r, pause):
    r.set("k", "v", px=100)
    r.execute_command("CLIENT", "PAUSE", "20000", "WRITE")
    time.sleep(0.3)
    assert r.get("k") is None                     # logically expired...
    assert r.dbsize() == 1                        # ...but still there
    r.execute_command("CLIENT", "UNPAUSE")
    r.get("k")
    assert r.dbsize() == 0


@pytest.mark.ours_only("CLIENT UNBLOCK of a paused client crashes redis-server 7.0.15")
def test_client_unblock_does_not_release_a_paused_client(r, raw, pause):
    r.execute_command("CLIENT", "PAUSE", "20000", "WRITE")
    c = raw()
    c.send(b"CLIENT ID\r\n")
    cid = int(c.recv(3, timeout=1)[1:-2])
    c.send(b"SET k v\r\n")
    time.sleep(0.1)
    assert r.execute_command("CLIENT", "UNBLOCK", cid) == 0
    r.execute_command("CLIENT", "UNPAUSE")
    assert c.recv(5, timeout=2) == b"+OK\r\n"


@pytest.mark.ours_only("keyscope internals: expiry and eviction hold during a pause")
def test_no_eviction_during_a_pause(r, pause):
    for i in range(100):
        r.set(f"k{i}", "v" * 100)
    r.config_set("maxmemory-policy", "allkeys-random")
    try:
        used = r.info("memory")["used_memory"]
        r.execute_command("CLIENT", "PAUSE", "20000", "WRITE")
        for i in range(100):
            r.get(f"k{i}")                         # reads run; nothing is evicted
        r.config_set("maxmemory", used - 10)
        before = r.info("stats")["evicted_keys"]
        r.ping()
        assert r.info("stats")["evicted_keys"] == before
    finally:
        r.config_set("maxmemory", 0)
        r.config_set("maxmemory-policy", "noeviction")
