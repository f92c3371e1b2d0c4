"""One client connection: bytes in -> commands -> one write per read."""
from __future__ import annotations

import asyncio
import time

from engine.replies import NO_REPLY, Status
from .resp import ProtocolError, RequestParser, encode


class RedisProtocol(asyncio.Protocol):
    __slots__ = ("server", "engine", "transport", "client", "parser", "paused",
                 "soft_since", "limit_output", "pending", "pending_error")

    def __init__(self, server):
        self.server = server
        self.engine = server.engine
        self.transport = None
        self.client = None
        self.parser = None
        self.paused = False
        self.soft_since = 0.0
        self.limit_output = False
        self.pending = None          # commands queued behind a blocked one
        self.pending_error = None

    # ------------------------------------------------------------------ lifecycle
    def connection_made(self, transport):
        self.transport = transport
        engine = self.engine
        cfg = engine.config
        if len(engine.clients) >= cfg["maxclients"]:
            engine.stats.rejected_connections += 1
            transport.write(b"-ERR max number of clients reached\r\n")
            transport.close()
            return
        sock = transport.get_extra_info("socket")
        peer = transport.get_extra_info("peername") or ("", 0)
        local = transport.get_extra_info("sockname") or ("", 0)
        self.client = c = engine.connect(
            addr=_fmt_addr(peer), laddr=_fmt_addr(local),
            fd=sock.fileno() if sock is not None else -1)
        c.transport = transport
        c.kill_hook = self._kill
        c.unblock_hook = self.unblocked
        c.push_hook = self.push_value
        self.parser = RequestParser(cfg["proto-max-bulk-len"], cfg["client-query-buffer-limit"])
        self.parser.authenticated = c.authenticated
        self.server.connections.add(self)
        self.update_limits()

    def update_limits(self):
        """Re-read the output buffer limit of this client's class (CONFIG SET hook)."""
        hard, soft, _ = self.engine.config["client-output-buffer-limit"]["normal"]
        self.limit_output = bool(hard or soft)

    def connection_lost(self, exc):
        self.server.connections.discard(self)
        if self.client is not None:
            self.client.closing = True
            self.engine.disconnect(self.client)

    def pause_writing(self):
        # the client does not read its replies: stop reading its requests (backpressure)
        self.paused = True
        self.transport.pause_reading()

    def resume_writing(self):
        self.paused = False
        if not self.transport.is_closing():
            self.transport.resume_reading()

    def _kill(self):
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    # ------------------------------------------------------------------ requests
    def data_received(self, data: bytes):
        c = self.client
        if c is None or c.closing:
            return
        engine = self.engine
        engine.now_ms = int(engine.clock() * 1000)
        engine.stats.net_input_bytes += len(data)
        cmds: list = []
        error = None
        parser = self.parser
        parser.authenticated = c.authenticated
        try:
            parser.feed(data, cmds)
        except ProtocolError as e:
            error = e
        if self.pending is not None:
            # blocked (BLPOP, ...): keep reading so a disconnect is seen, run later
            self.pending.extend(cmds)
            if error is not None:
                self.pending_error = error
            return
        if len(cmds) == 1 and error is None and c.reply_mode == "on":
            # the common case: one command, one reply
            reply = engine.execute(c, cmds[0])
            t = reply.__class__
            if t is Status:
                payload = b"+%s\r\n" % reply
            elif t is bytes:
                payload = b"$%d\r\n%s\r\n" % (len(reply), reply)
            elif reply is NO_REPLY:
                payload = b""
            else:
                payload = encode(reply, c.resp)
            if c.blocked is not None:
                self.pending = []
        else:
            payload = self._run(cmds, error)
        self._flush(payload)

    def _run(self, cmds: list, error=None) -> bytes:
        """Execute commands in order; stop at one that blocks (the rest wait in
        ``pending``).  Returns the encoded replies."""
        c = self.client
        execute = self.engine.execute
        out = []
        for i, argv in enumerate(cmds):
            mode = c.reply_mode
            reply = execute(c, argv)
            if mode == "on" or c.reply_mode == "on":   # CLIENT REPLY ON / RESET answer
                if reply is not NO_REPLY:
                    out.append(encode(reply, c.resp))
            elif mode == "skip" and c.reply_mode == "skip":
                c.reply_mode = "on"
            if c.close_after_reply or c.closing:
                return b"".join(out)
            if c.blocked is not None:
                self.pending = cmds[i + 1:]
                self.pending_error = error
                return b"".join(out)
        if error is not None:
            text = str(error)
            self.server.log.verbose(f"Protocol error ({text}) from client: id={c.id} "
                                    f"addr={c.addr}")
            out.append(b"-ERR Protocol error: %s\r\n" % text.encode())
            c.close_after_reply = True
        return b"".join(out)

    def _flush(self, payload: bytes):
        c = self.client
        engine = self.engine
        c.last_interaction = engine.now_ms
        if payload:
            engine.stats.net_output_bytes += len(payload)
            self.transport.write(payload)
            if self.limit_output:
                self._check_output_limit()
        if c.close_after_reply:
            self.transport.close()
        elif engine.shutdown_requested is not None:
            self.server.request_shutdown()

    def unblocked(self, reply):
        """The engine served or timed out this blocked client: send its reply, then run
        the commands that arrived meanwhile."""
        c = self.client
        if self.transport is None or self.transport.is_closing():
            return
        out = encode(reply, c.resp) if reply is not NO_REPLY and c.reply_mode == "on" else b""
        cmds, error = self.pending or [], self.pending_error
        self.pending = self.pending_error = None
        if cmds or error is not None:
            out += self._run(cmds, error)
            if c.blocked is not None and self.pending is None:
                self.pending = []
        self._flush(out)

    def push(self, payload: bytes):
        """Write an out-of-band message (pub/sub, invalidation, MONITOR)."""
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(payload)
            self.engine.stats.net_output_bytes += len(payload)
            self._check_output_limit()

    def push_value(self, value):
        self.push(encode(value, self.client.resp))

    def _check_output_limit(self):
        c = self.client
        cls = "pubsub" if (c.channels or c.patterns or c.shard_channels) else "normal"
        hard, soft, secs = self.engine.config["client-output-buffer-limit"][cls]
        if not hard and not soft:
            return
        size = self.transport.get_write_buffer_size()
        if hard and size > hard:
            self._overflow(size)
        elif soft and size > soft:
            now = time.monotonic()
            if not self.soft_since:
                self.soft_since = now
            elif now - self.soft_since > secs:
                self._overflow(size)
        else:
            self.soft_since = 0.0

    def _overflow(self, size):
        c = self.client
        self.server.log.warning(
            f"Client id={c.id} addr={c.addr} scheduled to be closed ASAP for overcoming of "
            f"output buffer limits.")
        self.transport.abort()


def _fmt_addr(addr) -> str:
    if isinstance(addr, tuple) and len(addr) >= 2:
        host = addr[0]
        return f"{host}:{addr[1]}"
    return str(addr)
