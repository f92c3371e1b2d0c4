"""The console: a real connection, redis-cli's rendering, history, SELECT in the prompt."""
from __future__ import annotations

import shutil
import subprocess

import pytest
from PySide6.QtCore import Qt

from gui.console import ConsolePanel
from gui.respcli import ReplyParser, format_reply, format_tty, split_args
from tests.gui.helpers import in_thread

REDIS_CLI = shutil.which("redis-cli")


def _console(qtbot, server):
    c = ConsolePanel("127.0.0.1", server.port)
    qtbot.addWidget(c)
    return c


def _run(qtbot, console, line) -> str:
    with qtbot.waitSignal(console.replied, timeout=5000) as sig:
        console.run_line(line)
    return sig.args[0]


def test_console_round_trip_over_a_real_connection(qtbot, embedded, client_factory):
    server, source = embedded
    console = _console(qtbot, server)
    assert _run(qtbot, console, "SET greeting hello") == "OK\n"
    assert _run(qtbot, console, "GET greeting") == '"hello"\n'
    assert _run(qtbot, console, "GET nope") == "(nil)\n"
    assert _run(qtbot, console, "INCR n") == "(integer) 1\n"
    assert _run(qtbot, console, "NOSUCH a") == \
        "(error) ERR unknown command 'NOSUCH', with args beginning with: 'a' \n"
    r = client_factory()
    assert in_thread(qtbot, lambda: r.get("greeting")) == b"hello"   # really on the server
    assert "127.0.0.1:%d> GET greeting" % server.port in console.output.toPlainText()
    assert console.conn.transport is not None


def test_select_changes_the_prompt_and_history_recalls_lines(qtbot, embedded):
    server, source = embedded
    console = _console(qtbot, server)
    assert _run(qtbot, console, "SELECT 3") == "OK\n"
    assert console.prompt.text() == "127.0.0.1:%d[3]>" % server.port
    _run(qtbot, console, "SET x 1")
    assert server.engine.dbs[3].data.get(b"x") == b"1"
    qtbot.keyClick(console.input, Qt.Key_Up)
    assert console.input.text() == "SET x 1"
    qtbot.keyClick(console.input, Qt.Key_Up)
    assert console.input.text() == "SELECT 3"
    qtbot.keyClick(console.input, Qt.Key_Down)
    qtbot.keyClick(console.input, Qt.Key_Down)
    assert console.input.text() == ""


def test_lines_run_in_order_and_bad_quotes_are_refused(qtbot, embedded):
    server, source = embedded
    console = _console(qtbot, server)
    for i in range(5):
        console.run_line(f"RPUSH l {i}")
    console.run_line('SET "unbalanced')
    qtbot.waitUntil(lambda: console.busy == 0, timeout=5000)
    out = console.output.toPlainText().splitlines()
    assert out[-2:] == ['127.0.0.1:%d> SET "unbalanced' % server.port, "Invalid argument(s)"]
    assert out[1] == "(integer) 1" and out[9] == "(integer) 5"


def test_raw_mode_prints_like_redis_cli_raw(qtbot, embedded):
    server, source = embedded
    console = _console(qtbot, server)
    _run(qtbot, console, "RPUSH l a b")
    console.raw.setChecked(True)
    assert _run(qtbot, console, "LRANGE l 0 -1") == "a\nb\n"


@pytest.mark.skipif(REDIS_CLI is None, reason="redis-cli is not installed")
def test_console_prints_exactly_what_redis_cli_prints(qtbot, embedded):
    server, source = embedded
    console = _console(qtbot, server)
    resp2 = ["SET a 'he\"l\\lo\\nx'", "GET a", "SET bin \"\\x01\\xff\"", "GET bin",
             "RPUSH l a b c d e f g h i j k", "LRANGE l 0 -1", "LRANGE none 0 -1",
             "HSET h f 1 g 2", "HGETALL h", "SADD s x", "SMEMBERS s", "EXISTS a l",
             "GET", "SET e ''", "GET e", "COMMAND INFO get"]
    resp3 = ["HGETALL h", "CLIENT TRACKINGINFO", "ZADD z 1.5 m", "ZSCORE z m",
             "SMEMBERS none", "HGETALL none", "COMMAND DOCS get"]
    ours = [_run(qtbot, console, ln) for ln in resp2]
    _run(qtbot, console, "HELLO 3")
    ours += [_run(qtbot, console, ln) for ln in resp3]

    def theirs():          # the same lines from redis-cli, in database 1
        out = []
        for i, ln in enumerate(resp2 + resp3):
            args = [a.decode("utf-8", "surrogateescape") for a in split_args(ln)]
            cmd = [REDIS_CLI, "-p", str(server.port), "-n", "1", "--no-raw"]
            p = subprocess.run(cmd + (["-3"] if i >= len(resp2) else []) + args,
                               capture_output=True, timeout=10)
            out.append(p.stdout.decode("utf-8", "replace"))
        return out
    expected = in_thread(qtbot, theirs)
    for ln, a, b in zip(resp2 + resp3, ours, expected):
        assert a == b, ln


@pytest.mark.skipif(REDIS_CLI is None, reason="redis-cli is not installed")
def test_info_prints_raw_as_in_redis_cli(qtbot, embedded, client_factory):
    server, source = embedded
    r = client_factory()
    in_thread(qtbot, lambda: r.set("a", 1))
    console = _console(qtbot, server)
    ours = _run(qtbot, console, "INFO keyspace")
    theirs = in_thread(qtbot, lambda: subprocess.run(
        [REDIS_CLI, "-p", str(server.port), "--no-raw", "INFO", "keyspace"],
        capture_output=True, timeout=10).stdout.decode())
    assert ours == theirs and ours.startswith("# Keyspace\r\ndb0:keys=1,")
    assert "# Keyspace\ndb0:keys=1," in console.output.toPlainText()


# --------------------------------------------------------------------------- rendering
def _fmt(data: bytes, raw=False) -> str:
    (reply,) = ReplyParser().feed(data)
    return format_reply(reply, raw)


def test_rendering_matches_redis_cli_for_each_reply_type():
    # expectations captured from redis-cli 7.0 --no-raw against redis-server 7.0
    assert _fmt(b"+OK\r\n") == "OK\n"
    assert _fmt(b"-ERR x\r\n") == "(error) ERR x\n"
    assert _fmt(b":12345\r\n") == "(integer) 12345\n"
    assert _fmt(b",3.141\r\n") == "(double) 3.141\n"
    assert _fmt(b"_\r\n") == "(nil)\n"
    assert _fmt(b"$-1\r\n") == "(nil)\n"
    assert _fmt(b"#t\r\n") == "(true)\n" and _fmt(b"#f\r\n") == "(false)\n"
    assert _fmt(b"=22\r\ntxt:This is a verbatim\r\n") == "This is a verbatim\n"
    assert _fmt(b"*0\r\n") == "(empty array)\n"
    assert _fmt(b"~0\r\n") == "(empty set)\n" and _fmt(b"%0\r\n") == "(empty hash)\n"
    assert _fmt(b"~2\r\n:0\r\n:1\r\n") == "1~ (integer) 0\n2~ (integer) 1\n"
    assert _fmt(b"%2\r\n:0\r\n#f\r\n:1\r\n#t\r\n") == \
        "1# (integer) 0 => (false)\n2# (integer) 1 => (true)\n"
    assert _fmt(b"*2\r\n:1\r\n*2\r\n:2\r\n*0\r\n") == \
        "1) (integer) 1\n2) 1) (integer) 2\n   2) (empty array)\n"
    assert _fmt(b"%1\r\n$3\r\nget\r\n%1\r\n$1\r\na\r\n*1\r\n$1\r\nb\r\n") == \
        '1# "get" => 1# "a" => 1) "b"\n'
    assert _fmt(b"%1\r\n$3\r\nget\r\n%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:2\r\n") == \
        '1# "get" => \n   1# "a" => (integer) 1\n   2# "b" => (integer) 2\n'
    assert _fmt(b"%1\r\n$5\r\nflags\r\n~1\r\n$3\r\noff\r\n") == '1# "flags" => 1~ "off"\n'
    assert _fmt(b"*11\r\n" + b":1\r\n" * 11).splitlines()[0] == " 1) (integer) 1"


def test_raw_rendering_and_string_escapes():
    assert _fmt(b"$5\r\na\"\\\n\x01\r\n") == '"a\\"\\\\\\n\\x01"\n'
    assert _fmt(b"*2\r\n$1\r\na\r\n:3\r\n", raw=True) == "a\n3\n"
    assert _fmt(b"$-1\r\n", raw=True) == "\n"


def test_parser_waits_for_whole_replies_and_keeps_the_rest():
    p = ReplyParser()
    data = b"*2\r\n$3\r\nfoo\r\n:7\r\n+OK\r\n"
    got = []
    for i in range(len(data)):
        got += p.feed(data[i:i + 1])
    assert [r.to_python() for r in got] == [[b"foo", 7], b"OK"]


def test_split_args_follows_redis_cli():
    assert split_args('set "a b" \'c d\' e\\x') == [b"set", b"a b", b"c d", b"e\\x"]
    assert split_args('"\\x41\\n"') == [b"A\n"]
    assert split_args('"open') is None and split_args('"a"b') is None
    assert split_args("   ") == []
    assert format_tty(ReplyParser().feed(b"$0\r\n\r\n")[0]) == '""\n'


# --------------------------------------------------------------------------- completion
def _docs(qtbot, console):
    with qtbot.waitSignal(console.docsLoaded, timeout=10_000) as sig:
        console.input.setFocus()
        console.load_docs()
    return sig.args[0]


def test_completion_and_hints_come_from_the_servers_command_docs(qtbot, embedded,
                                                                 client_factory, model_check):
    server, source = embedded
    console = _console(qtbot, server)
    model_check(console.names_model)
    model_check(console.completer.completionModel())
    console.show()
    assert _docs(qtbot, console) is True
    r = client_factory()
    count = in_thread(qtbot, lambda: r.command_count())
    names = console.names_model.stringList()
    assert len([n for n in names if " " not in n]) == count
    assert {"SET", "HGETALL", "CONFIG GET", "CLIENT KILL"} <= set(names)
    # Tab: unique -> the whole name and a space; ambiguous -> the shared part and a popup
    qtbot.keyClicks(console.input, "hgeta")
    qtbot.keyClick(console.input, Qt.Key_Tab)
    assert console.input.text() == "hgetall "
    assert console.input.hasFocus()                      # Tab did not move the focus
    docs = in_thread(qtbot, lambda: r.execute_command("COMMAND DOCS", "hgetall"))
    summary = docs[b"hgetall"][b"summary"].decode()
    assert console.hint.text() == f"HGETALL key  — {summary}"
    console.input.clear()
    qtbot.keyClicks(console.input, "CONFIG RE")
    qtbot.keyClick(console.input, Qt.Key_Tab)
    assert console.input.text() == "CONFIG RE"           # RESETSTAT, REWRITE
    assert console.completer.popup().isVisible()
    popup = [console.completer.completionModel().index(i, 0).data()
             for i in range(console.completer.completionCount())]
    assert popup == ["CONFIG RESETSTAT", "CONFIG REWRITE"]
    console.completer.popup().hide()     # (no QTest keys into popups: see the clients test)
    console.input.clear()
    # the hint follows the typing: arguments as redis-cli writes them
    qtbot.keyClicks(console.input, "set k v")
    assert console.hint.text().startswith(
        "SET key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|"
        "PXAT unix-time-milliseconds|KEEPTTL]  — Set the string value of a key")
    qtbot.keyClick(console.input, Qt.Key_Return)
    qtbot.waitUntil(lambda: console.busy == 0, timeout=5000)
    assert in_thread(qtbot, lambda: r.get("k")) == b"v"
    console.input.clear()
    qtbot.keyClicks(console.input, "nosuchcmd ")
    assert console.hint.text() == ""


def test_argument_syntax_follows_redis_cli_notation():
    from gui.respcli import parse_docs
    sort = [b"sort", [b"summary", b"Sort", b"arguments", [
        [b"name", b"key", b"type", b"key"],
        [b"name", b"pattern", b"type", b"pattern", b"token", b"BY", b"flags", [b"optional"]],
        [b"name", b"offset_count", b"type", b"block", b"token", b"LIMIT",
         b"flags", [b"optional"], b"arguments", [[b"name", b"offset", b"type", b"integer"],
                                                 [b"name", b"count", b"type", b"integer"]]],
        [b"name", b"pattern", b"type", b"pattern", b"token", b"GET",
         b"flags", [b"optional", b"multiple", b"multiple_token"]],
        [b"name", b"order", b"type", b"oneof", b"flags", [b"optional"], b"arguments", [
            [b"name", b"asc", b"type", b"pure-token", b"token", b"ASC"],
            [b"name", b"desc", b"type", b"pure-token", b"token", b"DESC"]]]]],
        b"del", {b"summary": b"Delete", b"arguments": [
            {b"name": b"key", b"type": b"key", b"flags": {b"multiple"}}]},
        b"config", [b"summary", b"A container", b"subcommands", [
            b"config|get", [b"summary", b"Get", b"arguments", [
                [b"name", b"parameter", b"type", b"string", b"flags", [b"multiple"]]]]]]]
    docs = parse_docs(sort)
    assert docs["SORT"].syntax == \
        "key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC|DESC]"
    assert docs["DEL"].hint() == "DEL key [key ...]  — Delete"      # RESP3 maps
    assert docs["CONFIG GET"].syntax == "parameter [parameter ...]"
    assert docs["CONFIG"].hint() == "CONFIG  — A container"


def test_tab_completion_rules():
    from gui.respcli import complete
    names = ["GET", "GETDEL", "GETEX", "CONFIG GET", "CONFIG SET", "PING"]
    assert complete("pi", names) == ("ping ", ["PING"])
    assert complete("GETD", names) == ("GETDEL ", ["GETDEL"])
    assert complete("get", names) == ("get", ["GET", "GETDEL", "GETEX"])
    assert complete("config ", names) == ("config ", ["CONFIG GET", "CONFIG SET"])
    assert complete("  config s", names) == ("  config set ", ["CONFIG SET"])
    assert complete("zz", names) == (None, [])


def test_unreachable_server_is_a_message_not_a_traceback(qtbot, qloop):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()                                    # nothing listens there now
    console = ConsolePanel("127.0.0.1", port)
    qtbot.addWidget(console)
    assert _run(qtbot, console, "PING") == \
        f"Could not connect to Redis at 127.0.0.1:{port}: Connection refused\n"
    assert _docs(qtbot, console) is False
    assert console.hint.text().startswith("completion not available: COMMAND DOCS failed: ")
    qtbot.keyClicks(console.input, "ge")
    qtbot.keyClick(console.input, Qt.Key_Tab)        # no docs: Tab does nothing
    assert console.input.text() == "ge"


@pytest.mark.skipif(shutil.which("redis-server") is None,
                    reason="redis-server is not installed")
def test_a_server_with_a_password_completes_after_auth(qtbot, qloop):
    from tests.conftest import ServerProc
    srv = ServerProc("redis", ["--requirepass", "s3cret"])
    try:
        console = ConsolePanel("127.0.0.1", srv.port)
        qtbot.addWidget(console)
        console.show()
        assert _docs(qtbot, console) is False
        assert "NOAUTH" in console.hint.text()
        assert _run(qtbot, console, "GET x").startswith("(error) NOAUTH")
        with qtbot.waitSignal(console.docsLoaded, timeout=10_000) as sig:
            assert _run(qtbot, console, "AUTH s3cret") == "OK\n"
        assert sig.args == [True] and "HGETALL" in console.docs
        qtbot.keyClicks(console.input, "hgeta")
        qtbot.keyClick(console.input, Qt.Key_Tab)
        assert console.input.text() == "hgetall "
        assert console.hint.text().startswith("HGETALL key  — ")
    finally:
        srv.stop()
