"""Connection sentences: PING, ECHO, SELECT, QUIT, HELLO, RESET, AUTH with requirepass."""
import socket

import hiredis
import pytest


class Wire:
    """One raw connection: commands in, replies parsed by hiredis (error replies come
    back as their full text, prefix included, raised as ReplyError)."""

    def __init__(self, port: int, resp: int = 2):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.reader = hiredis.Reader()
        if resp == 3:
            self("HELLO", "3")

    def __call__(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))
        while True:
            reply = self.reader.gets()
            if reply is not False:
                if isinstance(reply, hiredis.ReplyError):
                    raise reply
                return reply
            data = self.sock.recv(1 << 20)
            if not data:
                raise ConnectionError("closed")
            self.reader.feed(data)

    def err(self, *args) -> str:
        with pytest.raises(hiredis.ReplyError) as e:
            self(*args)
        return str(e.value)

    def close(self):
        self.sock.close()


@pytest.fixture
def wire(server):
    """A factory of Wire connections to the server under test, closed after the test."""
    made = []

    def make(resp: int = 2) -> Wire:
        made.append(Wire(server.port, resp))
        return made[-1]
    yield make
    for w in made:
        w.close()


@pytest.fixture
def w(wire) -> Wire:
    return wire()


# ------------------------------------------------------------------ PING / ECHO / SELECT
def test_ping_without_argument_replies_pong_status(raw):
    assert raw().request(b"PING\r\n", b"+PONG\r\n") == b"+PONG\r\n"


def test_ping_with_a_message_replies_the_message_as_bulk(raw):
    assert raw().request(b"PING hi\r\n", b"$2\r\nhi\r\n") == b"$2\r\nhi\r\n"


def test_ping_with_two_arguments_is_an_arity_error(w):
    assert w.err("PING", "a", "b") == "ERR wrong number of arguments for 'ping' command"


def test_ping_in_resp2_subscribed_mode_replies_pong_and_the_message(raw):
    s = raw()
    s.send(b"SUBSCRIBE ch\r\nPING\r\nPING x\r\n")
    expected = (b"*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n"
                b"*2\r\n$4\r\npong\r\n$0\r\n\r\n*2\r\n$4\r\npong\r\n$1\r\nx\r\n")
    assert s.recv(len(expected)) == expected


def test_ping_in_resp3_subscribed_mode_replies_plain_pong(raw):
    s = raw()
    s.send(b"HELLO 3\r\n")
    assert s.recv(1).startswith(b"%7\r\n")
    s.send(b"SUBSCRIBE ch\r\nPING\r\nPING x\r\n")
    expected = b">3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n+PONG\r\n$1\r\nx\r\n"
    assert s.recv(len(expected)) == expected


def test_echo_returns_its_argument(w):
    assert w("ECHO", "hello world") == b"hello world"
    assert w.err("ECHO") == "ERR wrong number of arguments for 'echo' command"


def test_select_switches_database_and_rejects_bad_indexes(w):
    assert w("SELECT", "3") == b"OK"
    w("SET", "k", "v")
    assert w("SELECT", "0") == b"OK"
    assert w("GET", "k") is None
    assert w.err("SELECT", "16") == "ERR DB index is out of range"
    assert w.err("SELECT", "-1") == "ERR DB index is out of range"
    assert w.err("SELECT", "x") == "ERR value is not an integer or out of range"
    assert w.err("SELECT", "01") == "ERR value is not an integer or out of range"


def test_quit_replies_ok_then_closes(raw):
    s = raw()
    s.send(b"QUIT\r\nPING\r\n")
    assert s.recv_until_closed(timeout=3) == b"+OK\r\n"


# ------------------------------------------------------------------ HELLO
def test_hello_without_arguments_reports_the_connection_in_resp2(w):
    reply = w("HELLO")
    assert reply[0::2] == [b"server", b"version", b"proto", b"id", b"mode", b"role",
                           b"modules"]
    d = dict(zip(reply[0::2], reply[1::2]))
    assert d[b"server"] == b"redis" and d[b"version"] == b"7.0.15"
    assert d[b"proto"] == 2 and d[b"mode"] == b"standalone" and d[b"role"] == b"master"
    assert d[b"modules"] == [] and d[b"id"] == w("CLIENT", "ID")


def test_hello_3_switches_to_resp3_and_replies_a_map(raw):
    s = raw()
    s.send(b"HELLO 3\r\n")
    data = s.recv(200, timeout=1)
    assert data.startswith(b"%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n"
                           b"$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:")
    assert data.endswith(b"$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster"
                         b"\r\n$7\r\nmodules\r\n*0\r\n")
    assert s.request(b"GET nosuchkey\r\n", b"_\r\n") == b"_\r\n"


def test_redis_py_in_resp3_sees_proto_3(r3):
    reply = r3.execute_command("HELLO")
    assert reply[b"proto"] == 3 and reply[b"server"] == b"redis"


def test_hello_errors(w):
    assert w.err("HELLO", "4") == "NOPROTO unsupported protocol version"
    assert w.err("HELLO", "1") == "NOPROTO unsupported protocol version"
    assert w.err("HELLO", "x") == "ERR Protocol version is not an integer or out of range"
    assert w.err("HELLO", "02") == "ERR Protocol version is not an integer or out of range"
    assert w.err("HELLO", "2", "foo") == "ERR Syntax error in HELLO option 'foo'"
    assert w.err("HELLO", "2", "AUTH", "a") == "ERR Syntax error in HELLO option 'AUTH'"
    assert w.err("HELLO", "2", "SETNAME") == "ERR Syntax error in HELLO option 'SETNAME'"
    assert w.err("HELLO", "2", "SETNAME", "a b") == \
        "ERR Client names cannot contain spaces, newlines or special characters."


def test_hello_setname_names_the_connection(w):
    w("HELLO", "2", "SETNAME", "conn-a")
    assert w("CLIENT", "GETNAME") == b"conn-a"


def test_hello_auth_without_requirepass_accepts_any_password_for_default(w):
    assert w("HELLO", "2", "AUTH", "default", "whatever")[4:6] == [b"proto", 2]


# ------------------------------------------------------------------ RESET
def test_reset_replies_reset_status_and_restores_the_session(raw):
    s = raw()
    s.send(b"HELLO 3\r\n")
    s.recv(1)
    s.send(b"CLIENT SETNAME foo\r\nSELECT 3\r\nMULTI\r\n")
    assert s.recv(15) == b"+OK\r\n+OK\r\n+OK\r\n"
    s.send(b"RESET\r\nCLIENT GETNAME\r\nGET k\r\nEXEC\r\n")
    expected = b"+RESET\r\n$-1\r\n$-1\r\n-ERR EXEC without MULTI\r\n"
    assert s.recv(len(expected)) == expected


def test_reset_turns_replies_back_on(raw):
    s = raw()
    s.send(b"CLIENT REPLY OFF\r\nPING\r\nRESET\r\nPING\r\n")
    assert s.recv(15) == b"+RESET\r\n+PONG\r\n"


def test_reset_leaves_subscribed_mode_silently(raw):
    s = raw()
    s.send(b"SUBSCRIBE ch\r\n")
    s.recv(30)
    s.send(b"RESET\r\nGET k\r\n")
    assert s.recv(13) == b"+RESET\r\n$-1\r\n"


# ------------------------------------------------------------------ AUTH / requirepass
def test_auth_without_requirepass_is_an_error(w):
    assert w.err("AUTH", "pw") == (
        "ERR AUTH <password> called without any password configured for the default user. "
        "Are you sure your configuration is correct?")
    assert w.err("AUTH", "nobody", "pw") == \
        "WRONGPASS invalid username-password pair or user is disabled."
    assert w("AUTH", "default", "anything") == b"OK"
    assert w.err("AUTH", "a", "b", "c") == "ERR syntax error"
    assert w.err("AUTH") == "ERR wrong number of arguments for 'auth' command"


@pytest.fixture
def password(wire):
    """requirepass set on the shared server for one test, always cleared after (by a
    connection made before it was set)."""
    admin = wire()
    admin("CONFIG", "SET", "requirepass", "s3cret")
    try:
        yield "s3cret"
    finally:
        admin("CONFIG", "SET", "requirepass", "")


def test_requirepass_applies_to_new_connections_not_existing_ones(wire, w, password):
    # w connected before requirepass was set: it stays authenticated
    assert w("PING") == b"PONG"
    fresh = wire()
    assert fresh.err("GET", "k") == "NOAUTH Authentication required."
    assert fresh.err("AUTH", "wrong") == \
        "WRONGPASS invalid username-password pair or user is disabled."
    assert fresh.err("AUTH", "nobody", password) == \
        "WRONGPASS invalid username-password pair or user is disabled."
    assert fresh.err("GET", "k") == "NOAUTH Authentication required."
    assert fresh("AUTH", password) == b"OK"
    assert fresh("GET", "k") is None


def test_auth_with_default_user_and_password(raw, password):
    s = raw()
    assert s.request(b"PING\r\n", b"-NOAUTH Authentication required.\r\n") == \
        b"-NOAUTH Authentication required.\r\n"
    assert s.request(b"AUTH default s3cret\r\n", b"+OK\r\n") == b"+OK\r\n"
    assert s.request(b"PING\r\n", b"+PONG\r\n") == b"+PONG\r\n"


def test_hello_needs_authentication_or_its_auth_option(raw, password):
    s = raw()
    text = (b"-NOAUTH HELLO must be called with the client already authenticated, otherwise "
            b"the HELLO AUTH <user> <pass> option can be used to authenticate the client and "
            b"select the RESP protocol version at the same time\r\n")
    assert s.request(b"HELLO 3\r\n", text) == text
    wrong = b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"
    assert s.request(b"HELLO 3 AUTH default nope\r\n", wrong) == wrong
    assert s.request(b"HELLO 3 AUTH default s3cret\r\n", b"%7\r\n").startswith(b"%7\r\n")


def test_quit_and_auth_and_hello_are_allowed_before_auth(raw, password):
    s = raw()
    s.send(b"QUIT\r\n")
    assert s.recv_until_closed(timeout=3) == b"+OK\r\n"


def test_clearing_requirepass_lets_unauthenticated_connections_in(wire, raw, password):
    s = raw()
    assert s.request(b"PING\r\n", b"-NOAUTH Authentication required.\r\n").startswith(
        b"-NOAUTH")
    admin = wire()
    assert admin("AUTH", password) == b"OK"
    admin("CONFIG", "SET", "requirepass", "")
    assert s.request(b"PING\r\n", b"+PONG\r\n") == b"+PONG\r\n"


def test_reset_logs_out_when_a_password_is_required(raw, password):
    s = raw()
    assert s.request(b"AUTH s3cret\r\n", b"+OK\r\n") == b"+OK\r\n"
    s.send(b"RESET\r\nPING\r\n")
    expected = b"+RESET\r\n-NOAUTH Authentication required.\r\n"
    assert s.recv(len(expected)) == expected


def test_reset_ends_monitor_mode(raw):
    s = raw()
    assert s.request(b"MONITOR\r\n", b"+OK\r\n") == b"+OK\r\n"
    other = raw()
    other.request(b"PING\r\n", b"+PONG\r\n")
    assert b'"PING"' in s.recv(20, timeout=2)
    assert s.request(b"RESET\r\n", b"+RESET\r\n") == b"+RESET\r\n"
    other.request(b"ECHO x\r\n", b"$1\r\nx\r\n")
    assert s.request(b"PING\r\n", b"+PONG\r\n") == b"+PONG\r\n"
