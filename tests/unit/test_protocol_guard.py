"""A Python exception inside the protocol (a bug of ours) is logged with its traceback
and closes that one connection: it never reaches the client, the loop or the others."""
from __future__ import annotations

from engine import Engine
from netserver.log import Log
from netserver.protocol import RedisProtocol
from netserver.server import Server


class FakeTransport:
    def __init__(self):
        self.out = b""
        self.closed = self.aborted = False

    def write(self, data):
        self.out += data

    def get_extra_info(self, name, default=None):
        return {"peername": ("127.0.0.1", 5), "sockname": ("127.0.0.1", 6)}.get(name, default)

    def is_closing(self):
        return self.closed or self.aborted

    def close(self):
        self.closed = True

    def abort(self):
        self.aborted = True

    def pause_reading(self):
        pass

    def resume_reading(self):
        pass

    def get_write_buffer_size(self):
        return 0


def connect(server):
    proto = RedisProtocol(server)
    proto.connection_made(FakeTransport())
    return proto


def make_server():
    log = Log("notice", "")
    log._stream = _Sink()
    return Server(Engine(), log), log


class _Sink:
    def __init__(self):
        self.text = ""

    def write(self, s):
        self.text += s

    def flush(self):
        pass


def test_an_unencodable_reply_closes_only_that_client():
    server, log = make_server()
    bad, good = connect(server), connect(server)
    real = server.engine.execute
    server.engine.execute = lambda c, argv: object() if c is bad.client else real(c, argv)
    bad.data_received(b"PING\r\n")
    assert bad.transport.aborted and b"Traceback" not in bad.transport.out
    assert "Internal error in data_received" in log._stream.text
    assert "Traceback" in log._stream.text
    good.data_received(b"PING\r\n")
    assert good.transport.out == b"+PONG\r\n" and not good.transport.aborted
    bad.data_received(b"PING\r\n")               # a closing client is ignored
    assert bad.transport.out == b""


def test_a_parser_crash_closes_only_that_client():
    server, log = make_server()
    bad, good = connect(server), connect(server)

    class Broken:
        authenticated = more = True

        def feed(self, data, out):
            raise RuntimeError("parser bug")
    bad.parser = Broken()
    bad.data_received(b"*1\r\n$4\r\nPING\r\n")
    assert bad.transport.aborted and bad.transport.out == b""
    assert "RuntimeError: parser bug" in log._stream.text
    good.data_received(b"*1\r\n$4\r\nPING\r\n")
    assert good.transport.out == b"+PONG\r\n"


def test_a_crash_in_a_pipeline_drops_the_whole_batch_reply():
    server, log = make_server()
    proto = connect(server)
    real = server.engine.execute
    calls = []

    def flaky(c, argv):
        calls.append(argv)
        return object() if len(calls) == 2 else real(c, argv)
    server.engine.execute = flaky
    proto.data_received(b"PING\r\nPING\r\nPING\r\n")
    assert proto.transport.aborted and proto.transport.out == b""


def test_a_protocol_error_reply_and_close():
    server, _ = make_server()
    proto = connect(server)
    proto.data_received(b"PING\r\n*1\r\n$x\r\n")
    assert proto.transport.out == b"+PONG\r\n-ERR Protocol error: invalid bulk length\r\n"
    assert proto.transport.closed and not proto.transport.aborted
