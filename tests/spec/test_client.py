"""CLIENT sentences: ID, SETNAME/GETNAME, LIST, INFO, KILL, REPLY, NO-EVICT, HELP."""
import pytest

from tests.spec.test_connection import Wire  # noqa: F401  (the fixtures below use it)
from tests.spec.test_connection import w, wire  # noqa: F401  (fixtures)

FIELDS = ["id", "addr", "laddr", "fd", "name", "age", "idle", "flags", "db", "sub", "psub",
          "ssub", "multi", "qbuf", "qbuf-free", "argv-mem", "multi-mem", "rbs", "rbp", "obl",
          "oll", "omem", "tot-mem", "events", "cmd", "user", "redir", "resp"]


def parse_line(line: bytes) -> dict:
    return dict(f.split("=", 1) for f in line.decode().split(" "))


def parse_list(text: bytes) -> list[dict]:
    assert text.endswith(b"\n")
    return [parse_line(x) for x in text.split(b"\n")[:-1]]


# ------------------------------------------------------------------ ID / names
def test_client_id_is_the_id_client_list_and_hello_report(w):
    cid = w("CLIENT", "ID")
    assert isinstance(cid, int) and cid > 0
    assert parse_line(w("CLIENT", "INFO")[:-1])["id"] == str(cid)
    assert w.err("CLIENT", "ID", "x") == "ERR wrong number of arguments for 'client|id' command"


def test_setname_then_getname_and_empty_name_clears_it(w):
    assert w("CLIENT", "GETNAME") is None
    assert w("CLIENT", "SETNAME", "worker-1") == b"OK"
    assert w("CLIENT", "GETNAME") == b"worker-1"
    assert parse_line(w("CLIENT", "INFO")[:-1])["name"] == "worker-1"
    assert w("CLIENT", "SETNAME", "") == b"OK"
    assert w("CLIENT", "GETNAME") is None


@pytest.mark.parametrize("bad", ["a b", "a\nb", "caf\xe9", "\x7f"])
def test_setname_refuses_spaces_and_special_characters(w, bad):
    assert w.err("CLIENT", "SETNAME", bad.encode("latin-1")) == \
        "ERR Client names cannot contain spaces, newlines or special characters."


def test_setname_arity(w):
    assert w.err("CLIENT", "SETNAME") == \
        "ERR wrong number of arguments for 'client|setname' command"


# ------------------------------------------------------------------ LIST / INFO
def test_client_list_prints_redis_7_0_fields_in_order(w):
    rows = parse_list(w("CLIENT", "LIST"))
    assert rows
    for row in rows:
        assert list(row) == FIELDS
    me = [x for x in rows if x["id"] == str(w("CLIENT", "ID"))][0]
    assert me["cmd"] == "client|list" and me["flags"] == "N" and me["db"] == "0"
    assert me["multi"] == "-1" and me["user"] == "default" and me["redir"] == "-1"
    assert me["resp"] == "2" and me["events"] == "r" and me["sub"] == "0"
    assert me["argv-mem"] == "10"                 # "client" + "list" while it runs


def test_client_info_is_one_line_of_the_caller(w):
    w("SELECT", "2")
    w("CLIENT", "SETNAME", "me")
    text = w("CLIENT", "INFO")
    assert text.endswith(b"\n") and text.count(b"\n") == 1
    row = parse_line(text[:-1])
    assert list(row) == FIELDS
    assert (row["name"], row["db"], row["cmd"]) == ("me", "2", "client|info")


def test_client_info_in_resp3_is_a_verbatim_string(raw):
    s = raw()
    s.send(b"HELLO 3\r\n")
    s.recv(1)
    data = s.request(b"CLIENT INFO\r\n", b"=")
    assert data.startswith(b"=") and b"\r\ntxt:id=" in data


def test_client_list_shows_multi_and_pubsub_state(wire, w):
    sub = wire()
    sub("SUBSCRIBE", "a", "b")
    sub("PSUBSCRIBE", "p*")
    tx = wire()
    tx("MULTI")
    tx("SET", "k", "v")
    rows = {r["id"]: r for r in parse_list(w("CLIENT", "LIST"))}
    s_id = str(w("CLIENT", "LIST", "TYPE", "pubsub").split(b" ")[0][3:].decode())
    srow = rows[s_id]
    assert (srow["flags"], srow["sub"], srow["psub"], srow["cmd"]) == ("P", "2", "1",
                                                                       "psubscribe")
    txrow = [r for r in rows.values() if r["multi"] != "-1"][0]
    assert txrow["flags"] == "x" and txrow["multi"] == "1"


def test_client_list_type_filters(wire, w):
    sub = wire()
    sub("SUBSCRIBE", "ch")
    normal = parse_list(w("CLIENT", "LIST", "TYPE", "normal"))
    pubsub = parse_list(w("CLIENT", "LIST", "TYPE", "PUBSUB"))
    assert len(pubsub) == 1 and pubsub[0]["sub"] == "1"
    assert all(r["sub"] == "0" for r in normal)
    assert w("CLIENT", "LIST", "TYPE", "replica") == b""
    assert w("CLIENT", "LIST", "TYPE", "master") == b""
    assert w.err("CLIENT", "LIST", "TYPE", "foo") == "ERR Unknown client type 'foo'"


def test_client_list_id_filter(wire, w):
    other = wire()
    oid = other("CLIENT", "ID")
    rows = parse_list(w("CLIENT", "LIST", "ID", oid, 999999, oid))
    assert [r["id"] for r in rows] == [str(oid), str(oid)]
    assert w("CLIENT", "LIST", "ID", "0") == b""
    assert w("CLIENT", "LIST", "ID", "-1") == b""
    assert w.err("CLIENT", "LIST", "ID", "1", "x") == "ERR Invalid client ID"
    assert w.err("CLIENT", "LIST", "ID", "01") == "ERR Invalid client ID"
    assert w.err("CLIENT", "LIST", "ID", "1", "TYPE", "normal") == "ERR Invalid client ID"


def test_client_list_syntax_errors(w):
    assert w.err("CLIENT", "LIST", "foo") == "ERR syntax error"
    assert w.err("CLIENT", "LIST", "ID") == "ERR syntax error"
    assert w.err("CLIENT", "LIST", "TYPE", "normal", "ID", "1") == "ERR syntax error"


def test_unknown_client_subcommand(w):
    assert w.err("CLIENT", "FOO") == "ERR unknown subcommand 'FOO'. Try CLIENT HELP."
    assert w.err("CLIENT") == "ERR wrong number of arguments for 'client' command"


# ------------------------------------------------------------------ KILL
def _addr_of(w, cid) -> str:
    return parse_list(w("CLIENT", "LIST", "ID", cid))[0]["addr"]


def test_client_kill_by_id_from_another_connection_closes_it(raw, w):
    victim = raw()
    victim.send(b"CLIENT ID\r\n")
    vid = int(victim.recv(3)[1:].split(b"\r\n")[0])
    assert w("CLIENT", "KILL", "ID", vid) == 1
    assert victim.recv_until_closed(timeout=3) == b""
    assert w("CLIENT", "LIST", "ID", vid) == b""        # gone at once
    assert w("CLIENT", "KILL", "ID", vid) == 0


def test_client_kill_old_form_by_address(raw, w):
    victim = raw()
    victim.send(b"CLIENT ID\r\n")
    vid = int(victim.recv(3)[1:].split(b"\r\n")[0])
    assert w("CLIENT", "KILL", _addr_of(w, vid)) == b"OK"
    assert victim.recv_until_closed(timeout=3) == b""
    assert w.err("CLIENT", "KILL", "1.2.3.4:5") == "ERR No such client"
    assert w.err("CLIENT", "KILL", "ID") == "ERR No such client"    # 3 args: an address


def test_client_kill_filters_combine(wire, w):
    a, b = wire(), wire()
    aid = a("CLIENT", "ID")
    addr = _addr_of(w, aid)
    laddr = parse_list(w("CLIENT", "LIST", "ID", aid))[0]["laddr"]
    assert w("CLIENT", "KILL", "ADDR", addr, "ID", aid + 1000) == 0
    assert w("CLIENT", "KILL", "LADDR", "1.2.3.4:5") == 0
    assert w("CLIENT", "KILL", "TYPE", "pubsub") == 0
    assert w("CLIENT", "KILL", "USER", "default", "ADDR", addr, "LADDR", laddr) == 1
    assert b("PING") == b"PONG"


def test_client_kill_skips_the_caller_unless_skipme_no(wire, w):
    mine = w("CLIENT", "ID")
    assert w("CLIENT", "KILL", "ID", mine) == 0
    assert w("CLIENT", "KILL", "ID", mine, "SKIPME", "yes") == 0
    assert w("CLIENT", "KILL", "ID", mine, "SKIPME", "no") == 1   # the reply comes first
    with pytest.raises(ConnectionError):
        w("PING")


def test_client_kill_errors(w):
    assert w.err("CLIENT", "KILL", "ID", "0") == "ERR client-id should be greater than 0"
    assert w.err("CLIENT", "KILL", "ID", "-5") == "ERR client-id should be greater than 0"
    assert w.err("CLIENT", "KILL", "ID", "abc") == "ERR client-id should be greater than 0"
    assert w.err("CLIENT", "KILL", "TYPE", "foo") == "ERR Unknown client type 'foo'"
    assert w.err("CLIENT", "KILL", "USER", "nobody") == "ERR No such user 'nobody'"
    assert w.err("CLIENT", "KILL", "SKIPME", "maybe") == "ERR syntax error"
    assert w.err("CLIENT", "KILL", "foo", "bar") == "ERR syntax error"
    assert w.err("CLIENT", "KILL", "ID", "1", "TYPE") == "ERR syntax error"
    assert w.err("CLIENT", "KILL", "MAXAGE", "10") == "ERR syntax error"    # 7.4, not 7.0
    assert w.err("CLIENT", "KILL") == "ERR wrong number of arguments for 'client|kill' command"


# ------------------------------------------------------------------ REPLY
def test_client_reply_off_skip_on_over_a_raw_socket(raw):
    s = raw()
    s.send(b"CLIENT REPLY OFF\r\nPING\r\nCLIENT REPLY SKIP\r\nPING\r\n"
           b"CLIENT REPLY ON\r\nPING\r\nCLIENT REPLY SKIP\r\nPING\r\nPING 2\r\n"
           b"CLIENT REPLY foo\r\n")
    expected = b"+OK\r\n+PONG\r\n$1\r\n2\r\n-ERR syntax error\r\n"
    assert s.recv(len(expected)) == expected


def test_client_reply_skip_drops_only_the_next_reply(raw):
    s = raw()
    s.send(b"CLIENT REPLY SKIP\r\n")
    s.send(b"ECHO one\r\n")
    s.send(b"ECHO two\r\n")
    assert s.recv(9) == b"$3\r\ntwo\r\n"


def test_client_reply_off_silences_errors_too(raw):
    s = raw()
    s.send(b"CLIENT REPLY OFF\r\nNOSUCHCMD\r\nCLIENT REPLY foo\r\nGET\r\nCLIENT REPLY ON\r\n")
    assert s.recv(5) == b"+OK\r\n"


def test_client_reply_arity(w):
    assert w.err("CLIENT", "REPLY") == \
        "ERR wrong number of arguments for 'client|reply' command"


# ------------------------------------------------------------------ NO-EVICT / HELP
def test_client_no_evict_sets_the_e_flag(w):
    assert w("CLIENT", "NO-EVICT", "on") == b"OK"
    assert parse_line(w("CLIENT", "INFO")[:-1])["flags"] == "e"
    assert w("CLIENT", "NO-EVICT", "OFF") == b"OK"
    assert parse_line(w("CLIENT", "INFO")[:-1])["flags"] == "N"
    assert w.err("CLIENT", "NO-EVICT", "maybe") == "ERR syntax error"


def test_client_help_lists_the_subcommands(w):
    lines = w("CLIENT", "HELP")
    assert lines[0] == b"CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert b"KILL <ip:port>" in lines and lines[-2:] == [b"HELP", b"    Prints this help."]


# ------------------------------------------------------------------ UNBLOCK
def test_client_unblock_ends_a_blpop_with_its_timeout_reply_or_an_error(wire, w):
    blocked = wire()
    bid = blocked("CLIENT", "ID")
    blocked.sock.sendall(b"*3\r\n$5\r\nBLPOP\r\n$2\r\nbl\r\n$1\r\n0\r\n")
    import time
    for _ in range(100):
        if "b" in parse_list(w("CLIENT", "LIST", "ID", bid))[0]["flags"]:
            break
        time.sleep(0.02)
    assert parse_list(w("CLIENT", "LIST", "ID", bid))[0]["flags"] == "b"
    assert w("CLIENT", "UNBLOCK", bid) == 1
    assert blocked.reader.gets() is False
    blocked.sock.settimeout(5)
    blocked.reader.feed(blocked.sock.recv(100))
    assert blocked.reader.gets() is None            # BLPOP's timeout reply
    blocked.sock.sendall(b"*3\r\n$5\r\nBLPOP\r\n$2\r\nbl\r\n$1\r\n0\r\n")
    for _ in range(100):
        if "b" in parse_list(w("CLIENT", "LIST", "ID", bid))[0]["flags"]:
            break
        time.sleep(0.02)
    assert w("CLIENT", "UNBLOCK", bid, "ERROR") == 1
    blocked.reader.feed(blocked.sock.recv(100))
    err = blocked.reader.gets()
    assert str(err) == "UNBLOCKED client unblocked via CLIENT UNBLOCK"
    assert w("CLIENT", "UNBLOCK", bid) == 0                    # not blocked any more


def test_client_unblock_errors(w):
    assert w("CLIENT", "UNBLOCK", "99999") == 0
    assert w("CLIENT", "UNBLOCK", "99999", "error") == 0
    assert w.err("CLIENT", "UNBLOCK", "x") == "ERR value is not an integer or out of range"
    assert w.err("CLIENT", "UNBLOCK", "x", "foo") == \
        "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"
    assert w.err("CLIENT", "UNBLOCK", "1", "2", "3") == \
        "ERR unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT HELP."
    assert w.err("CLIENT", "unblock", "1", "2", "3") == \
        "ERR unknown subcommand or wrong number of arguments for 'unblock'. Try CLIENT HELP."
