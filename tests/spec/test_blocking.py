"""Blocking list operations across connections: who is served, in what order, with what
reply, and what happens on timeout, CLIENT UNBLOCK, MULTI and disconnect.

Blocked connections are raw sockets (a blocked client is just one whose reply has not
come yet); ``wait_blocked`` polls INFO until the server has registered them, so no test
depends on a fixed sleep to order its clients.
"""
import time

import pytest
import redis


def wait_blocked(r, n: int, timeout: float = 5.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if r.info("clients")["blocked_clients"] == n:
            return
        time.sleep(0.01)
    raise AssertionError(f"expected {n} blocked clients, "
                         f"have {r.info('clients')['blocked_clients']}")


def silent(conn, wait: float = 0.2) -> bool:
    """True when nothing arrives on conn within ``wait`` seconds."""
    return conn.recv(1, timeout=wait) == b""


def bulk(s: bytes) -> bytes:
    return b"$%d\r\n%s\r\n" % (len(s), s)


def pair(key: bytes, value: bytes) -> bytes:
    return b"*2\r\n" + bulk(key) + bulk(value)


def err(r, *args) -> str:
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command(*args)
    return str(e.value)


# ---------------------------------------------------------------- wake-ups
def test_blpop_waits_until_another_client_pushes(r, raw):
    c = raw()
    c.send(b"BLPOP q 0\r\n")
    wait_blocked(r, 1)
    assert silent(c)
    assert r.lpush("q", "hello") == 1
    assert c.recv(len(pair(b"q", b"hello"))) == pair(b"q", b"hello")
    assert r.exists("q") == 0
    wait_blocked(r, 0)


def test_blocked_clients_are_served_in_the_order_they_blocked(r, raw):
    conns = []
    for i in range(3):
        c = raw()
        c.send(b"BRPOP q 0\r\n")
        wait_blocked(r, i + 1)
        conns.append(c)
    r.rpush("q", "a")
    assert conns[0].recv(len(pair(b"q", b"a"))) == pair(b"q", b"a")
    assert silent(conns[1]) and silent(conns[2], 0.01)
    r.rpush("q", "b", "c")          # one push of two serves the next two, oldest first
    assert conns[1].recv(len(pair(b"q", b"c"))) == pair(b"q", b"c")
    assert conns[2].recv(len(pair(b"q", b"b"))) == pair(b"q", b"b")
    assert r.exists("q") == 0


def test_a_push_of_several_elements_serves_waiters_then_keeps_the_rest(r, raw):
    a, b = raw(), raw()
    a.send(b"BLPOP q 0\r\n")
    wait_blocked(r, 1)
    b.send(b"BLPOP q 0\r\n")
    wait_blocked(r, 2)
    assert r.rpush("q", "1", "2", "3") == 3       # the reply counts before serving
    assert a.recv(len(pair(b"q", b"1"))) == pair(b"q", b"1")
    assert b.recv(len(pair(b"q", b"2"))) == pair(b"q", b"2")
    assert r.lrange("q", 0, -1) == [b"3"]


def test_a_client_blocked_on_several_keys_is_served_by_the_first_pushed(r, raw):
    c = raw()
    c.send(b"BLPOP k1 k2 k3 0\r\n")
    wait_blocked(r, 1)
    r.rpush("k3", "x")
    assert c.recv(len(pair(b"k3", b"x"))) == pair(b"k3", b"x")
    r.rpush("k1", "y")          # no longer waiting
    assert r.lrange("k1", 0, -1) == [b"y"]


def test_pushes_inside_exec_are_served_after_the_transaction(r, raw):
    c = raw()
    c.send(b"BLPOP q 0\r\n")
    wait_blocked(r, 1)
    p = r.pipeline(transaction=True)
    p.lpush("q", "a").lpush("q", "b").llen("q")
    assert p.execute() == [1, 2, 2]
    assert c.recv(len(pair(b"q", b"b"))) == pair(b"q", b"b")
    assert r.lrange("q", 0, -1) == [b"a"]


def test_a_key_pushed_and_deleted_in_one_transaction_serves_nobody(r, raw):
    c = raw()
    c.send(b"BLPOP q 0\r\n")
    wait_blocked(r, 1)
    p = r.pipeline(transaction=True)
    p.lpush("q", "a").delete("q")
    p.execute()
    assert silent(c)
    wait_blocked(r, 1)
    r.rpush("q", "z")
    assert c.recv(len(pair(b"q", b"z"))) == pair(b"q", b"z")


def test_a_key_replaced_by_another_type_keeps_the_client_blocked(r, raw):
    c = raw()
    c.send(b"BLPOP q 0\r\n")
    wait_blocked(r, 1)
    r.set("q", "string")
    assert silent(c)
    r.delete("q")
    r.sadd("q", "member")
    assert silent(c)
    r.delete("q")
    r.rpush("tmp", "v")
    r.rename("tmp", "q")                    # a list arriving by RENAME serves the waiter
    assert c.recv(len(pair(b"q", b"v"))) == pair(b"q", b"v")


def test_blocking_is_per_database(r, raw):
    c = raw()
    c.send(b"SELECT 1\r\nBLPOP q 0\r\n")
    assert c.recv(5) == b"+OK\r\n"
    wait_blocked(r, 1)
    r.rpush("q", "db0")
    assert silent(c)
    assert r.lrange("q", 0, -1) == [b"db0"]
    r.execute_command("MOVE", "q", 1)
    assert c.recv(len(pair(b"q", b"db0"))) == pair(b"q", b"db0")


def test_lmove_into_a_waited_key_wakes_the_waiter(r, raw):
    c = raw()
    c.send(b"BLPOP d 0\r\n")
    wait_blocked(r, 1)
    r.rpush("s", "x")
    assert r.lmove("s", "d", "LEFT", "LEFT") == b"x"
    assert c.recv(len(pair(b"d", b"x"))) == pair(b"d", b"x")
    assert r.exists("s", "d") == 0


# ---------------------------------------------------------------- BLMOVE, BLMPOP
def test_blmove_blocks_then_moves_the_element(r, raw):
    c = raw()
    c.send(b"BLMOVE src dst RIGHT LEFT 0\r\n")
    wait_blocked(r, 1)
    r.rpush("dst", "old")
    assert silent(c)
    r.rpush("src", "a", "b")
    assert c.recv(len(bulk(b"b"))) == bulk(b"b")
    assert r.lrange("src", 0, -1) == [b"a"]
    assert r.lrange("dst", 0, -1) == [b"b", b"old"]


def test_brpoplpush_blocks_then_moves_tail_to_head(r, raw):
    c = raw()
    c.send(b"BRPOPLPUSH src dst 0\r\n")
    wait_blocked(r, 1)
    r.rpush("src", "a", "b")
    assert c.recv(len(bulk(b"b"))) == bulk(b"b")
    assert r.lrange("dst", 0, -1) == [b"b"]


def test_a_blocked_blmove_whose_destination_has_another_type_gets_wrongtype(r, raw):
    c = raw()
    c.send(b"BLMOVE src dst LEFT LEFT 0\r\n")
    wait_blocked(r, 1)
    r.set("dst", "string")
    r.rpush("src", "a")
    wrongtype = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    assert c.recv(len(wrongtype)) == wrongtype
    assert r.lrange("src", 0, -1) == [b"a"]
    wait_blocked(r, 0)


def test_blmove_chain_serves_the_client_waiting_on_the_destination(r, raw):
    mover, popper = raw(), raw()
    mover.send(b"BLMOVE a b LEFT LEFT 0\r\n")
    wait_blocked(r, 1)
    popper.send(b"BLPOP b 0\r\n")
    wait_blocked(r, 2)
    r.rpush("a", "x")
    assert mover.recv(len(bulk(b"x"))) == bulk(b"x")
    assert popper.recv(len(pair(b"b", b"x"))) == pair(b"b", b"x")
    assert r.exists("a", "b") == 0


def test_blmpop_blocks_then_pops_up_to_count(r, raw):
    c = raw()
    c.send(b"BLMPOP 0 2 k1 k2 RIGHT COUNT 2\r\n")
    wait_blocked(r, 1)
    r.rpush("k2", "a", "b", "c")
    want = b"*2\r\n" + bulk(b"k2") + b"*2\r\n" + bulk(b"c") + bulk(b"b")
    assert c.recv(len(want)) == want
    assert r.lrange("k2", 0, -1) == [b"a"]


def test_blmpop_argument_errors_come_before_the_timeout(r):
    assert err(r, "BLMPOP", -1, 0, "l", "LEFT") == "numkeys should be greater than 0"
    assert err(r, "BLMPOP", "x", 1, "l", "UP") == "syntax error"
    assert err(r, "BLMPOP", 0, 1, "l", "LEFT", "COUNT", 0) == "count should be greater than 0"
    assert err(r, "BLMPOP", "x", 1, "l", "LEFT") == "timeout is not a float or out of range"
    assert err(r, "BLMPOP", 0, 1, "l") == "wrong number of arguments for 'blmpop' command"


# ---------------------------------------------------------------- timeouts
@pytest.mark.parametrize("cmd", [b"BLPOP q 0.1", b"BRPOP q1 q2 0.1",
                                 b"BLMPOP 0.1 1 q LEFT", b"BLMOVE q d LEFT LEFT 0.1",
                                 b"BRPOPLPUSH q d 0.1"])
def test_a_timeout_replies_with_the_null_array(r, raw, cmd):
    c = raw()
    start = time.time()
    assert c.request(cmd + b"\r\n", b"*-1\r\n") == b"*-1\r\n"
    elapsed = time.time() - start
    assert 0.09 <= elapsed < 1.5
    wait_blocked(r, 0)
    assert c.request(b"PING\r\n", b"+PONG\r\n") == b"+PONG\r\n"


def test_a_timeout_replies_null_in_resp3(raw):
    c = raw()
    c.request(b"HELLO 3\r\n", b"%7\r\n")
    c.recv(1, timeout=0.3)
    assert c.request(b"BLPOP q 0.05\r\n", b"_\r\n") == b"_\r\n"


def test_clients_time_out_independently(r, raw):
    short, forever = raw(), raw()
    forever.send(b"BLPOP q 0\r\n")
    short.send(b"BLPOP q 0.1\r\n")
    assert short.recv(5, timeout=3) == b"*-1\r\n"
    assert silent(forever, 0.1)
    r.rpush("q", "v")
    assert forever.recv(len(pair(b"q", b"v"))) == pair(b"q", b"v")


def test_timeout_argument_errors(r):
    assert err(r, "BLPOP", "q", -1) == "timeout is negative"
    assert err(r, "BLPOP", "q", "-0.5") == "timeout is negative"
    assert err(r, "BLPOP", "q", "abc") == "timeout is not a float or out of range"
    assert err(r, "BLPOP", "q", "nan") == "timeout is not a float or out of range"
    assert err(r, "BLPOP", "q", "1 ") == "timeout is not a float or out of range"
    assert err(r, "BLPOP", "q", "inf") == "timeout is negative"       # cast overflow
    assert err(r, "BLPOP", "q", "1e20") == "timeout is negative"
    assert err(r, "BRPOP", "q", "") == "timeout is not a float or out of range"
    assert err(r, "BLMOVE", "a", "b", "LEFT", "LEFT", -1) == "timeout is negative"
    assert err(r, "BLMOVE", "a", "b", "UP", "LEFT", -1) == "syntax error"
    assert err(r, "BRPOPLPUSH", "a", "b", "x") == "timeout is not a float or out of range"


def test_the_timeout_is_checked_before_the_keys(r):
    r.set("s", "v")
    assert err(r, "BLPOP", "s", -1) == "timeout is negative"
    assert err(r, "BLPOP", "s", 0) == \
        "WRONGTYPE Operation against a key holding the wrong kind of value"


def test_a_hex_timeout_is_a_float(r):
    r.rpush("q", "v")
    assert r.execute_command("BLPOP", "q", "0x10") == (b"q", b"v")


# ---------------------------------------------------------------- pipelining, MULTI
def test_commands_pipelined_behind_a_blocked_one_run_after_it(r, raw):
    c = raw()
    c.send(b"BLPOP q 0\r\nRPUSH after 1\r\nPING\r\n")
    wait_blocked(r, 1)
    assert silent(c)
    assert r.exists("after") == 0
    r.rpush("q", "v")
    want = pair(b"q", b"v") + b":1\r\n+PONG\r\n"
    assert c.recv(len(want)) == want
    assert r.lrange("after", 0, -1) == [b"1"]


def test_a_pipelined_blocking_command_blocks_again_after_the_first(r, raw):
    c = raw()
    c.send(b"BLPOP q 0\r\nBLPOP q 0\r\nPING\r\n")
    wait_blocked(r, 1)
    r.rpush("q", "a")
    assert c.recv(len(pair(b"q", b"a"))) == pair(b"q", b"a")
    wait_blocked(r, 1)
    assert silent(c)
    r.rpush("q", "b")
    want = pair(b"q", b"b") + b"+PONG\r\n"
    assert c.recv(len(want)) == want


def test_blocking_commands_inside_multi_answer_at_once(raw):
    c = raw()
    want = (b"+OK\r\n" + b"+QUEUED\r\n" * 4
            + b"*4\r\n*-1\r\n$-1\r\n$-1\r\n*-1\r\n")
    got = c.request(b"MULTI\r\nBLPOP x 0\r\nBLMOVE x y LEFT LEFT 0\r\nBRPOPLPUSH x y 0\r\n"
                    b"BLMPOP 0 1 x LEFT\r\nEXEC\r\n", want)
    assert got == want


def test_blocking_commands_inside_multi_pop_when_they_can(r):
    r.rpush("x", "a", "b")
    p = r.pipeline(transaction=True)
    p.blpop(["x"], 0).brpoplpush("x", "y", 0)
    assert p.execute() == [(b"x", b"a"), b"b"]


# ---------------------------------------------------------------- CLIENT UNBLOCK
def test_client_unblock_times_the_client_out(r, raw):
    c = raw()
    c.send(b"CLIENT ID\r\n")
    cid = int(c.recv(3)[1:].split(b"\r\n")[0])
    c.send(b"BLPOP q 0\r\n")
    wait_blocked(r, 1)
    assert r.client_unblock(cid) == 1
    assert c.recv(5) == b"*-1\r\n"
    assert r.client_unblock(cid) == 0
    assert c.request(b"PING\r\n", b"+PONG\r\n") == b"+PONG\r\n"


def test_client_unblock_error_sends_unblocked(r, raw):
    c = raw()
    c.send(b"CLIENT ID\r\n")
    cid = int(c.recv(3)[1:].split(b"\r\n")[0])
    c.send(b"BLMOVE a b LEFT LEFT 0\r\nPING\r\n")
    wait_blocked(r, 1)
    assert r.client_unblock(cid, error=True) == 1
    want = b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n+PONG\r\n"
    assert c.recv(len(want)) == want


def test_client_unblock_of_a_client_that_is_not_blocked(r):
    assert r.client_unblock(r.client_id()) == 0
    assert r.client_unblock(999999) == 0


def test_client_unblock_errors(r):
    assert err(r, "CLIENT", "UNBLOCK", 1, "foo") == \
        "CLIENT UNBLOCK reason should be TIMEOUT or ERROR"
    assert err(r, "CLIENT", "UNBLOCK", "x", "foo") == \
        "CLIENT UNBLOCK reason should be TIMEOUT or ERROR"
    assert err(r, "CLIENT", "UNBLOCK", "x") == "value is not an integer or out of range"
    assert err(r, "CLIENT", "UNBLOCK", 1, "timeout", "x") == \
        "unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT HELP."
    assert err(r, "client", "unblock", 1, "timeout", "x") == \
        "unknown subcommand or wrong number of arguments for 'unblock'. Try CLIENT HELP."
    assert err(r, "CLIENT", "UNBLOCK") == \
        "wrong number of arguments for 'client|unblock' command"


# ---------------------------------------------------------------- disconnects, listing
def test_a_client_that_disconnects_while_blocked_is_forgotten(r, raw):
    gone, stays = raw(), raw()
    gone.send(b"BLPOP q 0\r\n")
    wait_blocked(r, 1)
    stays.send(b"BLPOP q 0\r\n")
    wait_blocked(r, 2)
    gone.close()
    wait_blocked(r, 1)
    r.rpush("q", "v")
    assert stays.recv(len(pair(b"q", b"v"))) == pair(b"q", b"v")
    gone2 = raw()
    gone2.send(b"BLPOP z 0\r\n")
    wait_blocked(r, 1)
    gone2.close()
    wait_blocked(r, 0)
    r.rpush("z", "kept")
    assert r.lrange("z", 0, -1) == [b"kept"]


def test_client_list_flags_a_blocked_client(r, raw):
    c = raw()
    c.send(b"CLIENT SETNAME waiter\r\n")
    assert c.recv(5) == b"+OK\r\n"
    c.send(b"BLPOP q 0\r\n")
    wait_blocked(r, 1)
    line = next(x for x in r.client_list() if x["name"] == "waiter")
    assert line["flags"] == "b"
    assert line["cmd"] == "blpop"
