"""Serving the network while a script is busy (Redis's processEventsWhileBlocked).

A long-running script runs inside one command, so the event loop is not running.  Its
watchdog calls ``BusyPoller.poll`` now and then: it reads what connected clients sent,
runs what may run during a busy script (SCRIPT KILL, FUNCTION KILL, SHUTDOWN NOSAVE, ...)
and answers the rest with BUSY.  New connections are accepted too (the listening
sockets are read directly), so ``redis-cli SCRIPT KILL`` from a fresh terminal works;
they are handed to the event loop once the script is over.
"""
from __future__ import annotations

import os
import socket

from engine.commands import Flag, lookup

from .protocol import RedisProtocol, _fmt_addr
from .resp import ProtocolError, RequestParser, encode

MAX_ACCEPT = 64          # new connections taken per poll (the rest wait in the backlog)


class BusyPoller:
    def __init__(self, server):
        self.server = server
        self.listening: dict[int, socket.socket] = {}   # fd -> our dup of a listener
        self.accepted: list = []        # [sock, parser, client or None] until adopted
        self.busy = False

    def poll(self):
        server = self.server
        engine = server.engine
        if not self.busy:               # call_soon runs once the script is over
            self.busy = True
            server.loop.call_soon(self._script_over)
        caller, kind = engine.running_script()
        busy = (b"-BUSY Redis is busy running a script. You can only call "
                + (b"FUNCTION KILL" if kind == "function" else b"SCRIPT KILL")
                + b" or SHUTDOWN NOSAVE.\r\n")
        for proto in list(server.connections):
            c = proto.client
            if c is None or c is caller or proto.transport is None \
                    or proto.transport.is_closing():
                continue
            sock = proto.transport.get_extra_info("socket")
            data = _read(sock)
            if data:
                out = self._answer(proto.parser, data, lambda: c, busy)
                if out:
                    proto.transport.write(out)
        self._accept()
        for entry in self.accepted:
            sock, parser, _ = entry
            data = _read(sock)
            if data:
                def client(entry=entry):
                    if entry[2] is None:
                        peer = sock.getpeername()
                        entry[2] = engine.connect(addr=_fmt_addr(peer), fd=sock.fileno())
                    return entry[2]
                out = self._answer(parser, data, client, busy)
                if out:
                    try:
                        sock.sendall(out)
                    except OSError:
                        pass

    def _answer(self, parser, data: bytes, client, busy: bytes) -> bytes:
        cmds: list = []
        try:
            parser.feed(data, cmds)
        except ProtocolError:
            pass
        out = []
        for argv in cmds:
            spec = lookup(argv)
            if spec is not None and Flag.ALLOW_BUSY in spec.flags:
                c = client()
                out.append(encode(self.server.engine.execute(c, argv), c.resp))
            else:
                out.append(busy)
        return b"".join(out)

    def _accept(self):
        server = self.server
        for srv in server.listeners:
            for ls in srv.sockets or ():
                raw = self.listening.get(ls.fileno())
                if raw is None:
                    raw = socket.socket(fileno=os.dup(ls.fileno()))
                    raw.setblocking(False)
                    self.listening[ls.fileno()] = raw
                for _ in range(MAX_ACCEPT):
                    try:
                        conn, _ = raw.accept()
                    except (BlockingIOError, InterruptedError, OSError):
                        break
                    conn.setblocking(False)
                    self.accepted.append([conn, RequestParser(), None])

    def _script_over(self):
        """Our duplicates of the listeners are closed (one kept after a rebind would
        keep the old port listening), and the connections accepted meanwhile join the
        loop."""
        server = self.server
        self.busy = False
        accepted, self.accepted = self.accepted, []
        for raw in self.listening.values():
            raw.close()
        self.listening.clear()
        for sock, _, client in accepted:
            if client is not None:
                server.engine.disconnect(client)
            if sock.family != socket.AF_UNIX:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            server.loop.create_task(server.loop.connect_accepted_socket(
                lambda: RedisProtocol(server), sock))


def _read(sock) -> bytes:
    try:
        return os.read(sock.fileno(), 65536)
    except (BlockingIOError, InterruptedError, OSError, AttributeError):
        return b""

