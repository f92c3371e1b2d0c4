"""One client connection: bytes in -> commands -> one write per read.

Every callback is guarded: a Python exception here (a bug of ours) is logged with its
traceback and closes this one connection; it never reaches the client or the loop.
"""
from __future__ import annotations

import asyncio
import time
import traceback

from engine.replies import NO_REPLY, OK, Status
from .resp import ProtocolError, QueryBufferLimit, RequestParser, encode


class RedisProtocol(asyncio.Protocol):
    __slots__ = ("server", "engine", "transport", "client", "parser", "paused",
                 "soft_since", "limit_output", "pending", "pending_error", "held",
                 "outbox")

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
        self.held = None             # replies waiting for the AOF write (engine.persist.aof)
        self.outbox = None           # pushes of this loop iteration, written in one go

    # ------------------------------------------------------------------ lifecycle
    def connection_made(self, transport):
        self.transport = transport
        try:
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
            self.parser = RequestParser(cfg["proto-max-bulk-len"],
                                        cfg["client-query-buffer-limit"])
            self.parser.authenticated = c.authenticated
            self.server.connections.add(self)
            self.update_limits()
        except Exception:
            self._internal_error("connection_made")

    def update_limits(self):
        """Re-read the limits (CONFIG SET hooks): the output buffer limit of this
        client's class, proto-max-bulk-len and client-query-buffer-limit."""
        cfg = self.engine.config
        hard, soft, _ = cfg["client-output-buffer-limit"]["normal"]
        self.limit_output = bool(hard or soft)
        set_limits = getattr(self.transport, "set_write_buffer_limits", None)
        if set_limits is not None:
            # pause_writing (and so the read pause) comes at the soft (else hard) limit
            set_limits(high=min(x for x in (soft, hard) if x) if self.limit_output else None)
        if self.parser is not None:
            self.parser.max_bulk = cfg["proto-max-bulk-len"]
            self.parser.max_query = cfg["client-query-buffer-limit"]

    def connection_lost(self, exc):
        self.server.connections.discard(self)
        c = self.client
        if c is not None:
            c.closing = True
            try:
                self.engine.disconnect(c)
            except Exception:
                self._log_exception("connection_lost")

    def pause_writing(self):
        # The client does not read its replies.  Redis keeps reading and buffering (a
        # client may send a huge pipeline before it reads anything: pausing would
        # deadlock it), bounded only by client-output-buffer-limit; so only a client
        # whose class has a limit stops being read until its buffer drains.
        if self.limit_output and not self.paused:
            self.paused = True
            self.transport.pause_reading()

    def resume_writing(self):
        if self.paused:
            self.paused = False
            if not self.transport.is_closing():
                self.transport.resume_reading()

    def _kill(self):
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    def _log_exception(self, where: str):
        c = self.client
        who = f"id={c.id} addr={c.addr}" if c is not None else "(no client)"
        self.server.log.warning(f"Internal error in {where} for client {who}, closing "
                                f"it:\n{traceback.format_exc()}")

    def _internal_error(self, where: str):
        """A bug of ours: log the traceback, drop this connection, keep serving."""
        try:
            self._log_exception(where)
        finally:
            if self.client is not None:
                self.client.closing = True
            if self.transport is not None:
                self.transport.abort()

    # ------------------------------------------------------------------ requests
    def data_received(self, data: bytes):
        c = self.client
        if c is None or c.closing:
            return
        engine = self.engine
        try:
            engine.now_ms = int(engine.clock() * 1000)
            engine.stats.net_input_bytes += len(data)
            if self.pending is not None or not c.authenticated:
                self._received_slow(data)
                return
            cmds: list = []
            try:
                self.parser.feed(data, cmds)
            except ProtocolError as e:
                payload = self._run(cmds, e)
            else:
                if len(cmds) == 1 and c.reply_mode == "on":
                    # the common case: one command, one reply
                    reply = engine.execute(c, cmds[0])
                    t = reply.__class__
                    if reply is OK:
                        payload = b"+OK\r\n"
                    elif t is Status:
                        payload = b"+%s\r\n" % reply
                    elif t is bytes:
                        payload = b"$%d\r\n%s\r\n" % (len(reply), reply)
                    elif t is int:
                        payload = b":%d\r\n" % reply
                    elif reply is NO_REPLY:
                        payload = None
                    else:
                        payload = encode(reply, c.resp)
                    if c.blocked is not None:
                        self.pending = []
                else:
                    payload = self._run(cmds)
            c.last_interaction = engine.now_ms
            if payload:
                engine.stats.net_output_bytes += len(payload)
                if engine.reply_hold is not None and engine.reply_hold(self, payload):
                    return                  # sent after the AOF write (release_held)
                if self.outbox is not None:     # pushes queued before this reply go first
                    self.flush_outbox()
                self.transport.write(payload)
                if self.limit_output:
                    self._check_output_limit()
            if c.close_after_reply:
                if self.held is None:       # else closed once the held replies are out
                    self.transport.close()
            elif engine.shutdown_requested is not None:
                self.server.request_shutdown()
        except Exception:
            self._internal_error("data_received")

    def _received_slow(self, data: bytes):
        """A blocked client (queue what arrives, run it when unblocked) or an
        unauthenticated one (one command at a time: AUTH lifts the parser's limits)."""
        parser = self.parser
        if self.pending is not None:
            if self.pending_error is None:
                cmds: list = []
                try:
                    parser.feed(data, cmds)
                except ProtocolError as e:
                    self.pending_error = e
                self.pending.extend(cmds)
            return
        parser.authenticated = False
        cmds = []
        error = None
        try:
            parser.feed(data, cmds)
        except ProtocolError as e:
            error = e
        self._flush(self._run(cmds, error) + self._drain())

    def _drain(self) -> bytes:
        """Run what the parser still holds after stepping (see _received_slow)."""
        c = self.client
        parser = self.parser
        out = []
        while (parser.more and self.pending is None and not c.close_after_reply
               and not c.closing):
            parser.authenticated = c.authenticated
            cmds: list = []
            error = None
            try:
                parser.resume(cmds)
            except ProtocolError as e:
                error = e
            out.append(self._run(cmds, error))
        parser.authenticated = c.authenticated
        return b"".join(out)

    def _run(self, cmds: list, error=None) -> bytes:
        """Execute commands in order; stop at one that blocks (the rest wait in
        ``pending``).  Returns the encoded replies."""
        c = self.client
        execute = self.engine.execute
        out = []
        append = out.append
        for i, argv in enumerate(cmds):
            mode = c.reply_mode
            reply = execute(c, argv)
            if mode == "on" or c.reply_mode == "on":   # CLIENT REPLY ON / RESET answer
                t = reply.__class__
                if reply is OK:                          # the common replies inline
                    append(b"+OK\r\n")
                elif t is bytes:
                    append(b"$%d\r\n%s\r\n" % (len(reply), reply))
                elif t is int:
                    append(b":%d\r\n" % reply)
                elif reply is not NO_REPLY:
                    append(encode(reply, c.resp))
            elif mode == "skip" and c.reply_mode == "skip":
                c.reply_mode = "on"
            if c.close_after_reply or c.closing:
                return b"".join(out)
            if c.blocked is not None:
                self.pending = cmds[i + 1:]
                self.pending_error = error
                return b"".join(out)
        if error is not None:
            self._protocol_error(error, out)
        return b"".join(out)

    def _protocol_error(self, error: ProtocolError, out: list):
        """Redis replies to a protocol error and closes after the reply; a query buffer
        over client-query-buffer-limit closes at once, without a reply."""
        c = self.client
        log = self.server.log
        if isinstance(error, QueryBufferLimit):
            log.warning(f"Closing client that reached max query buffer length: "
                        f"id={c.id} addr={c.addr} laddr={c.laddr} fd={c.fd} "
                        f"(qbuf initial bytes: {_repr_bytes(error.text)})")
            c.close_after_reply = True
            out.clear()
            return
        log.verbose(f"Protocol error ({error.text.decode('latin-1')}) from client: "
                    f"id={c.id} addr={c.addr} laddr={c.laddr} fd={c.fd}")
        out.append(error.reply())
        c.close_after_reply = True

    def _flush(self, payload: bytes):
        c = self.client
        engine = self.engine
        c.last_interaction = engine.now_ms
        if payload:
            engine.stats.net_output_bytes += len(payload)
            if engine.reply_hold is not None and engine.reply_hold(self, payload):
                return                      # sent after the AOF write (release_held)
            if self.outbox is not None:
                self.flush_outbox()
            self.transport.write(payload)
            if self.limit_output:
                self._check_output_limit()
        if c.close_after_reply:
            if self.held is None:
                self.transport.close()
        elif engine.shutdown_requested is not None:
            self.server.request_shutdown()

    def release_held(self):
        """engine.persist.aof: the AOF write the held replies waited for is done."""
        held, self.held = self.held, None
        if not held or self.transport is None or self.transport.is_closing():
            return
        try:
            self.transport.write(b"".join(held))
            if self.limit_output:
                self._check_output_limit()
            if self.client.close_after_reply:
                self.transport.close()
            elif self.engine.shutdown_requested is not None:
                self.server.request_shutdown()
        except Exception:
            self._internal_error("release_held")

    def unblocked(self, reply):
        """The engine served or timed out this blocked client: send its reply, then run
        the commands that arrived meanwhile."""
        c = self.client
        if self.transport is None or self.transport.is_closing():
            return
        try:
            out = (encode(reply, c.resp) if reply is not NO_REPLY and c.reply_mode == "on"
                   else b"")
            cmds, error = self.pending or [], self.pending_error
            self.pending = self.pending_error = None
            if cmds or error is not None:
                out += self._run(cmds, error)
            if self.pending is None and self.parser.more:
                out += self._drain()
            if c.blocked is not None and self.pending is None:
                self.pending = []
            self._flush(out)
        except Exception:
            self._internal_error("unblocked")

    def push(self, payload: bytes):
        """Write an out-of-band message (pub/sub, invalidation, MONITOR)."""
        hold = self.engine.reply_hold       # a write not yet in the AOF is not seen
        if hold is not None and hold(self, payload):        # (sent after the write)
            self.engine.stats.net_output_bytes += len(payload)
            return
        if self.transport is not None and not self.transport.is_closing():
            # batched per loop iteration, as Redis writes in beforeSleep: one PUBLISH
            # round to many subscribers, or many to one, costs one write per client
            self.engine.stats.net_output_bytes += len(payload)
            if self.outbox is None:
                self.outbox = [payload]
                self.server.schedule_outbox(self)
            else:
                self.outbox.append(payload)

    def flush_outbox(self):
        box, self.outbox = self.outbox, None
        if box and self.transport is not None and not self.transport.is_closing():
            self.transport.write(box[0] if len(box) == 1 else b"".join(box))
            self._check_output_limit()

    def push_value(self, value, cache=None):
        """Encode (once per RESP version when the caller shares ``cache``) and push."""
        try:
            resp = self.client.resp
            payload = cache.get(resp) if cache is not None else None
            if payload is None:
                payload = encode(value, resp)
                if cache is not None:
                    cache[resp] = payload
            self.push(payload)
        except Exception:
            self._internal_error("push")

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


def _repr_bytes(b: bytes) -> str:
    """sdscatrepr: a quoted string with C escapes, as Redis logs binary data."""
    out = ['"']
    for ch in b:
        if ch in (0x5c, 0x22):
            out.append("\\" + chr(ch))
        elif ch == 10:
            out.append("\\n")
        elif ch == 13:
            out.append("\\r")
        elif ch == 9:
            out.append("\\t")
        elif ch == 7:
            out.append("\\a")
        elif ch == 8:
            out.append("\\b")
        elif 32 <= ch < 127:
            out.append(chr(ch))
        else:
            out.append("\\x%02x" % ch)
    out.append('"')
    return "".join(out)
