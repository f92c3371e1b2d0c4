"""The wire protocol over raw sockets: protocol errors (same bytes, then the server
closes), inline commands, pipelining, protocol limits and backpressure."""
from __future__ import annotations

import socket
import threading
import time

import pytest


def mb(*args: bytes) -> bytes:
    return b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)


def read_until_close(conn, timeout: float = 5.0) -> tuple[bytes, bool]:
    """Everything the server sends until it closes: (bytes, closed?)."""
    sock = conn.sock
    chunks = []
    deadline = time.time() + timeout
    while time.time() < deadline:
        sock.settimeout(max(0.01, deadline - time.time()))
        try:
            b = sock.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            return b"".join(chunks), True
        if not b:
            return b"".join(chunks), True
        chunks.append(b)
    return b"".join(chunks), False


def still_open(conn) -> bool:
    return conn.request(b"PING\r\n", b"+PONG\r\n") == b"+PONG\r\n"


def perr(text: bytes) -> bytes:
    return b"-ERR Protocol error: " + text + b"\r\n"


# ------------------------------------------------------------------ protocol errors
PROTOCOL_ERRORS = [
    (b"*3000000000\r\n", perr(b"invalid multibulk length")),
    (b"*2147483648\r\n", perr(b"invalid multibulk length")),
    (b"*x\r\n", perr(b"invalid multibulk length")),
    (b"*\r\n", perr(b"invalid multibulk length")),
    (b"*01\r\n$4\r\nPING\r\n", perr(b"invalid multibulk length")),
    (b"*+1\r\n$4\r\nPING\r\n", perr(b"invalid multibulk length")),
    (b"* 1\r\n", perr(b"invalid multibulk length")),
    (b"*1\r\n$x\r\n", perr(b"invalid bulk length")),
    (b"*1\r\n$-1\r\n", perr(b"invalid bulk length")),
    (b"*1\r\n$04\r\nPING\r\n", perr(b"invalid bulk length")),
    (b"*1\r\n$\r\n", perr(b"invalid bulk length")),
    (b"*1\r\n$536870913\r\n", perr(b"invalid bulk length")),
    (b"*1\r\n$9223372036854775808\r\n", perr(b"invalid bulk length")),
    (b"*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n", perr(b"expected '$', got 'f'")),
    (b"*1\r\n+PING\r\n", perr(b"expected '$', got '+'")),
    (b"*1\r\n:1\r\n", perr(b"expected '$', got ':'")),
    (b"*1\r\n=4\r\nPING\r\n", perr(b"expected '$', got '='")),
    (b"*1\r\n_\r\n", perr(b"expected '$', got '_'")),
    (b"*1\r\n*1\r\n", perr(b"expected '$', got '*'")),
    (b"*1\r\n*2000000000\r\n", perr(b"expected '$', got '*'")),
    (b"*1\r\n\r\n", perr(b"expected '$', got ' '")),        # CR/LF become spaces
    (b"*1\r\n\xff\r\n", perr(b"expected '$', got '\xff'")),
    (b'"PING\r\n', perr(b"unbalanced quotes in request")),
    (b"PING 'a\r\n", perr(b"unbalanced quotes in request")),
    (b'ECHO "a"b\r\n', perr(b"unbalanced quotes in request")),
    (b"a" * 70000, perr(b"too big inline request")),
    (b"*" + b"1" * 70000, perr(b"too big mbulk count string")),
    (b"*1\r\n$" + b"1" * 70000, perr(b"too big bulk count string")),
    # what came before the bad frame in the same write is answered first
    (b"PING\r\n*1\r\n$4\r\nPING\r\n*x\r\n", b"+PONG\r\n+PONG\r\n" + perr(b"invalid multibulk length")),
    (mb(b"SET", b"pe", b"1") + b"GET pe\r\n*1\r\n:5\r\n",
     b"+OK\r\n$1\r\n1\r\n" + perr(b"expected '$', got ':'")),
]


@pytest.mark.parametrize("data,reply", PROTOCOL_ERRORS, ids=lambda v: repr(v)[:40])
def test_a_protocol_error_is_answered_then_the_connection_closed(raw, data, reply):
    conn = raw()
    conn.send(data)
    assert read_until_close(conn) == (reply, True)


def test_a_protocol_error_cut_across_writes_is_the_same(raw):
    conn = raw()
    for b in b"*1\r\n$x\r\n":
        conn.send(bytes([b]))
        time.sleep(0.002)
    assert read_until_close(conn) == (perr(b"invalid bulk length"), True)


WAITING = [
    b"*20000000\r\n",                  # a big count waits for its elements
    b"*1\r\n$536870912\r\n",           # proto-max-bulk-len itself is allowed
    b"*1\r\n$4\r\nPING",                # a partial frame
    b"ECHO a\x00b\r\n",                # NUL hides the newline (strchr)
    b"*1\r\n$4\x00\r\n",
]


@pytest.mark.parametrize("data", WAITING, ids=lambda v: repr(v)[:30])
def test_an_incomplete_request_gets_no_reply_and_the_connection_stays(raw, data):
    conn = raw()
    conn.send(data)
    assert read_until_close(conn, timeout=0.3) == (b"", False)


def test_empty_and_negative_multibulk_counts_are_skipped(raw):
    conn = raw()
    assert conn.request(b"*0\r\n*-1\r\n*-10\r\nPING\r\n", b"+PONG\r\n") == b"+PONG\r\n"


def test_the_two_bytes_after_a_bulk_are_not_checked(raw):
    conn = raw()
    assert conn.request(b"*1\r\n$4\r\nPINGxy*1\r\n$4\r\nPING\r\n",
                        b"+PONG\r\n+PONG\r\n") == b"+PONG\r\n+PONG\r\n"


def test_a_bulk_one_byte_short_runs_what_it_read(raw):
    conn = raw()
    expected = b"-ERR unknown command 'a', with args beginning with: \r\n+PONG\r\n"
    assert conn.request(b"*1\r\n$1\r\nab\r\nPING\r\n", expected) == expected


# ------------------------------------------------------------------ inline commands
def test_inline_ping(raw):
    conn = raw()
    assert conn.request(b"PING\r\n", b"+PONG\r\n") == b"+PONG\r\n"
    assert conn.request(b"ping\n", b"+PONG\r\n") == b"+PONG\r\n"


def test_inline_set_with_double_quotes(raw):
    conn = raw()
    assert conn.request(b'SET a "b c"\r\n', b"+OK\r\n") == b"+OK\r\n"
    assert conn.request(b"GET a\r\n", b"$3\r\nb c\r\n") == b"$3\r\nb c\r\n"


def test_inline_quoting_escapes(raw):
    conn = raw()
    cases = [
        (b'ECHO "\\x41\\x4a\\n"\r\n', b"$3\r\nAJ\n\r\n"),
        (b'ECHO "\\x4g"\r\n', b"$3\r\nx4g\r\n"),
        (b"ECHO 'a\\'b'\r\n", b"$3\r\na'b\r\n"),
        (b"ECHO 'a\\nb'\r\n", b"$4\r\na\\nb\r\n"),
        (b'ECHO "a\\qb"\r\n', b"$3\r\naqb\r\n"),
        (b'ECHO ""\r\n', b"$0\r\n\r\n"),
        (b"ECHO a'b'\r\n", b"$2\r\nab\r\n"),
        (b"ECHO   a   \t  \r\n", b"$1\r\na\r\n"),
        (b"ECHO \xff\r\n", b"$1\r\n\xff\r\n"),
        (b'ECHO "a" "b"\r\n', b"-ERR wrong number of arguments for 'echo' command\r\n"),
        (b"PING\rPING\r\n", b"$4\r\nPING\r\n"),      # a lone CR separates arguments
    ]
    for line, reply in cases:
        assert conn.request(line, reply) == reply, line


def test_empty_lines_are_ignored(raw):
    conn = raw()
    assert conn.request(b"\r\n\r\n\n   \r\nPING\r\n", b"+PONG\r\n") == b"+PONG\r\n"


def test_inline_and_multibulk_mixed_in_one_write(raw):
    conn = raw()
    data = (b"SET m 1\r\n" + mb(b"INCR", b"m") + b"INCR m\n" + mb(b"GET", b"m")
            + b"\r\nECHO \"x y\"\r\n")
    expected = b"+OK\r\n:2\r\n:3\r\n$1\r\n3\r\n$3\r\nx y\r\n"
    assert conn.request(data, expected) == expected


def test_lines_starting_with_resp_type_bytes_are_inline_commands(raw):
    conn = raw()
    data = mb(b"PING") + b"+PING\r\n:1\r\n$4\r\nPING\r\n"
    expected = (b"+PONG\r\n"
                b"-ERR unknown command '+PING', with args beginning with: \r\n"
                b"-ERR unknown command ':1', with args beginning with: \r\n"
                b"-ERR unknown command '$4', with args beginning with: \r\n"
                b"+PONG\r\n")
    assert conn.request(data, expected) == expected


def test_an_inline_command_split_across_writes(raw):
    conn = raw()
    conn.send(b"EC")
    time.sleep(0.05)
    conn.send(b"HO hel")
    time.sleep(0.05)
    assert conn.request(b"lo\r\n", b"$5\r\nhello\r\n") == b"$5\r\nhello\r\n"


# ------------------------------------------------------------------ pipelining
def test_ten_thousand_commands_in_one_write(raw, r):
    conn = raw()
    n = 10_000
    data = b"".join(mb(b"INCR", b"pipe") for _ in range(n))
    expected = b"".join(b":%d\r\n" % i for i in range(1, n + 1))
    assert conn.request(data, expected, timeout=30) == expected
    assert r.get("pipe") == b"10000"


def test_a_pipeline_of_mixed_replies(raw):
    conn = raw()
    cmds = []
    expected = []
    for i in range(2000):
        cmds.append(mb(b"SET", b"k%d" % i, b"v" * (i % 100)))
        expected.append(b"+OK\r\n")
        cmds.append(mb(b"GET", b"k%d" % i))
        expected.append(b"$%d\r\n%s\r\n" % (i % 100, b"v" * (i % 100)))
    cmds.append(b"GET nosuchkey\r\n")
    expected.append(b"$-1\r\n")
    expected = b"".join(expected)
    assert conn.request(b"".join(cmds), expected, timeout=30) == expected


def test_a_big_value_sent_in_small_pieces(raw):
    conn = raw()
    value = bytes(range(256)) * 4096        # 1 MiB
    data = mb(b"SET", b"bigv", value) + mb(b"STRLEN", b"bigv") + mb(b"GETRANGE", b"bigv",
                                                                    b"-3", b"-1")
    for i in range(0, len(data), 50_000):
        conn.send(data[i:i + 50_000])
    expected = b"+OK\r\n:1048576\r\n$3\r\n\xfd\xfe\xff\r\n"
    assert conn.request(b"", expected) == expected


# ------------------------------------------------------------------ limits
@pytest.fixture
def restore_config(r):
    saved = {}

    def set_(name, value):
        if name not in saved:
            saved[name] = next(iter(r.config_get(name).values()))
        r.config_set(name, value)
    yield set_
    for name, value in saved.items():
        r.config_set(name, value)


def test_proto_max_bulk_len_refuses_the_header_before_the_data(raw, restore_config):
    early = raw()                           # opened before the change: sees it too
    restore_config("proto-max-bulk-len", "1mb")
    conn = raw()
    conn.send(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048577\r\n")
    assert read_until_close(conn) == (perr(b"invalid bulk length"), True)
    early.send(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048577\r\n")
    assert read_until_close(early) == (perr(b"invalid bulk length"), True)


def test_proto_max_bulk_len_allows_a_bulk_of_exactly_the_limit(raw, restore_config):
    restore_config("proto-max-bulk-len", "1mb")
    conn = raw()
    reply = conn.request(mb(b"SET", b"exact", b"x" * 1048576) + mb(b"STRLEN", b"exact"),
                         b"+OK\r\n:1048576\r\n")
    assert reply == b"+OK\r\n:1048576\r\n"


def test_proto_max_bulk_len_refuses_a_whole_frame_too(raw, restore_config):
    restore_config("proto-max-bulk-len", "1mb")
    conn = raw()
    try:
        conn.send(mb(b"SET", b"over", b"x" * 1048577))
    except OSError:                   # refused at the header: closed while we send
        pass
    out, closed = read_until_close(conn)
    assert out == perr(b"invalid bulk length") and closed


def test_client_query_buffer_limit_closes_without_a_reply(raw, restore_config, r):
    restore_config("client-query-buffer-limit", "1mb")
    conn = raw()
    assert conn.request(b"PING\r\n*3\r\n$3\r\nSET\r\n$4\r\nqbuf\r\n$5000000\r\n",
                        b"+PONG\r\n") == b"+PONG\r\n"
    try:
        for _ in range(40):
            conn.send(b"x" * 65536)
    except OSError:                         # closed under our feet: fine
        pass
    assert read_until_close(conn) == (b"", True)
    assert r.exists("qbuf") == 0
    assert still_open(raw())


def test_client_query_buffer_limit_is_not_reached_by_many_small_commands(raw, restore_config):
    restore_config("client-query-buffer-limit", "1mb")
    conn = raw()
    n = 60_000                              # ~2 MB of requests in one write
    data = b"".join(mb(b"SET", b"q", b"%05d" % i) for i in range(n))
    expected = b"+OK\r\n" * n
    assert conn.request(data, expected, timeout=60) == expected


@pytest.fixture
def password(r, server):
    r.config_set("requirepass", "s3cret")
    yield "s3cret"
    r.config_set("requirepass", "")


def test_unauthenticated_multibulk_length(raw, password):
    conn = raw()
    noauth = b"-NOAUTH Authentication required.\r\n"
    assert conn.request(mb(b"DEL", *[b"x"] * 9), noauth) == noauth
    conn.send(b"*11\r\n")
    assert read_until_close(conn) == (perr(b"unauthenticated multibulk length"), True)


def test_unauthenticated_bulk_length(raw, password):
    conn = raw()
    conn.send(b"*2\r\n$4\r\nAUTH\r\n$16385\r\n")
    assert read_until_close(conn) == (perr(b"unauthenticated bulk length"), True)
    conn = raw()
    conn.send(b"*2\r\n$4\r\nAUTH\r\n$16384\r\n")
    assert read_until_close(conn, timeout=0.3) == (b"", False)


def test_auth_lifts_the_limits_for_the_next_command_in_the_same_write(raw, password):
    conn = raw()
    big = b"y" * 20000
    data = mb(b"AUTH", password.encode()) + mb(b"ECHO", big) + mb(*[b"PING"] + [b"x"] * 11)
    expected = (b"+OK\r\n$20000\r\n" + big + b"\r\n"
                b"-ERR wrong number of arguments for 'ping' command\r\n")
    assert conn.request(data, expected) == expected


def test_a_wrong_password_keeps_the_limits(raw, password):
    conn = raw()
    data = mb(b"AUTH", b"nope") + b"*11\r\n"
    expected = (b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"
                + perr(b"unauthenticated multibulk length"))
    conn.send(data)
    assert read_until_close(conn) == (expected, True)


# ------------------------------------------------------------------ backpressure
def test_a_client_that_does_not_read_does_not_stop_the_others(raw, r):
    r.set("bp", b"z" * 4096)
    hog = raw()
    hog.sock.settimeout(0.5)
    stop = threading.Event()
    sent = [0]

    def flood():
        batch = b"GET bp\r\n" * 200
        try:
            while not stop.is_set() and sent[0] < 5000:
                hog.sock.sendall(batch)     # blocks once the server stops reading
                sent[0] += 200
        except OSError:
            pass

    t = threading.Thread(target=flood, daemon=True)
    t.start()
    try:
        other = raw()
        for _ in range(20):
            t0 = time.time()
            assert other.request(b"PING\r\n", b"+PONG\r\n", timeout=3) == b"+PONG\r\n"
            assert time.time() - t0 < 2.0
            time.sleep(0.02)
        assert r.get("bp") == b"z" * 4096
    finally:
        stop.set()
        t.join(5)
    hog.close()
    assert still_open(raw())


# ------------------------------------------------------------------ unknown commands
UNKNOWN = [
    (mb(b"\xff\xfe"), b"-ERR unknown command '\xff\xfe', with args beginning with: \r\n"),
    (mb(b"NOPE", b"a\xffb"), b"-ERR unknown command 'NOPE', with args beginning with: 'a\xffb' \r\n"),
    (mb(b"NOPE", b"x" * 200),
     b"-ERR unknown command 'NOPE', with args beginning with: '" + b"x" * 128 + b"' \r\n"),
    (mb(b"NOPE", *[b"abcdefghij"] * 20),
     b"-ERR unknown command 'NOPE', with args beginning with: " + b"'abcdefghij' " * 10 + b"\r\n"),
    (mb(b"N" * 200), b"-ERR unknown command '" + b"N" * 128 + b"', with args beginning with: \r\n"),
    (mb(b"NOPE", b"a\r\nb"), b"-ERR unknown command 'NOPE', with args beginning with: 'a  b' \r\n"),
    (mb(b"NOPE", b"a\x00b", b"c"), b"-ERR unknown command 'NOPE', with args beginning with: 'a' 'c' \r\n"),
    (mb(b"NO\x00PE"), b"-ERR unknown command 'NO', with args beginning with: \r\n"),
]


@pytest.mark.parametrize("data,reply", UNKNOWN, ids=lambda v: repr(v)[:30])
def test_unknown_command_error_text(raw, data, reply):
    conn = raw()
    assert conn.request(data, reply) == reply
