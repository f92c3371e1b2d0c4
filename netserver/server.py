"""The server loop: listeners, the hz cron, graceful shutdown.  Runs on any asyncio loop
(uvloop headless, the Qt-driven loop in the desktop app)."""
from __future__ import annotations

import asyncio
import os
import signal
import socket

from engine import Engine
from .log import Log
from .protocol import RedisProtocol


_NO_TIMEOUT = frozenset("SMO")          # replicas, masters, MONITOR: never idle out


class Server:
    def __init__(self, engine: Engine, log: Log | None = None):
        self.engine = engine
        self.log = log or Log(engine.config["loglevel"], engine.config["logfile"])
        self.connections: set[RedisProtocol] = set()
        self._outboxes: list = []                 # protocols with pushes to write
        self.listeners: list[asyncio.AbstractServer] = []
        self.port = 0
        self._cron_handle = None
        self._stopped: asyncio.Future | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        engine.config.on_change("loglevel", self.log.set_level)
        engine.config.on_change("port", lambda v: self.rebind(port=v))
        engine.config.on_change("bind", lambda v: self.rebind(bind=v))
        for name in ("proto-max-bulk-len", "client-query-buffer-limit",
                     "client-output-buffer-limit"):    # they apply to open connections too
            engine.config.on_change(name, self._update_limits)
        engine.log = self.log
        from .busy import BusyPoller           # a busy script still answers BUSY
        engine.busy_poll = BusyPoller(self).poll
        self._block_handle = None                  # exact timer: earliest BLPOP deadline
        self._block_deadline = 0
        engine.blocking.timer_hook = self._arm_block_timer

    # ------------------------------------------------------------------ start
    async def start(self, host: str | None = None, port: int | None = None):
        self.loop = asyncio.get_running_loop()
        self._stopped = self.loop.create_future()
        cfg = self.engine.config
        from .persistence import Persistence        # RDB: load before accepting clients
        self.persistence = Persistence(self)
        self.persistence.load_at_start()
        port = cfg["port"] if port is None else port
        hosts = [host] if host else [h.lstrip("-") for h in cfg["bind"]]
        optional = set() if host else {h.lstrip("-") for h in cfg["bind"] if h.startswith("-")}
        for h in hosts:
            try:
                srv = await self.loop.create_server(
                    lambda: RedisProtocol(self), h, port, reuse_address=True,
                    backlog=cfg["tcp-backlog"])
            except OSError as e:
                if h in optional:
                    self.log.verbose(f"Skipping optional bind address {h}: {e.strerror}")
                    continue
                self.log.warning(f"Warning: Could not create server TCP listening socket "
                                 f"{h}:{port}: {e.strerror}")
                raise
            self.listeners.append(srv)
            if not port:
                port = srv.sockets[0].getsockname()[1]
            for s in srv.sockets:
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.port = port
        self.engine.server_info.update(port=port, pid=os.getpid(), bind=hosts,
                                       loop=type(self.loop).__module__.split(".")[0])
        self._schedule_cron()
        self.persistence.start_cron()
        self.log.notice(f"Running mode=standalone, port={port}.")
        self.log.warning("Server initialized")
        self.log.notice("Ready to accept connections")
        return port

    def rebind(self, port: int | None = None, bind=None):
        """CONFIG SET port / bind: listen on the new addresses first, then drop the old
        listeners; on failure the old ones stay and CONFIG SET fails as Redis words it."""
        from engine.config import ConfigError
        if self.loop is None or not self.listeners:
            return
        cfg = self.engine.config
        what = ("Unable to listen on this port. Check server logs." if bind is None
                else "Failed to bind to specified addresses.")
        port = cfg["port"] if port is None else port
        bind = tuple(cfg["bind"] if bind is None else bind)
        if (port, bind) == getattr(self, "_bound", None):
            return                  # port and bind set together: already done
        socks = []
        for h in bind:
            host = h.lstrip("-")
            host = {"*": "0.0.0.0", "::*": "::"}.get(host, host)
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            s = socket.socket(family, socket.SOCK_STREAM)
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if family == socket.AF_INET6:
                    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                s.bind((host, port))
                s.listen(cfg["tcp-backlog"])
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                s.setblocking(False)
                socks.append(s)
            except OSError as e:
                s.close()
                if h.startswith("-"):
                    continue
                self.log.warning(f"Could not create server TCP listening socket "
                                 f"{host}:{port}: {e.strerror}")
                for x in socks:
                    x.close()
                raise ConfigError(what) from None
        if not socks:
            raise ConfigError(what)
        for srv in self.listeners:
            srv.close()
        self.listeners = []
        for s in socks:
            self.loop.create_task(self._listen_on(s))
        self.port = port
        self._bound = (port, bind)
        self.engine.server_info.update(port=port)

    async def _listen_on(self, sock):
        srv = await self.loop.create_server(lambda: RedisProtocol(self), sock=sock)
        self.listeners.append(srv)

    def install_signal_handlers(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                self.loop.add_signal_handler(sig, self._on_signal, sig)
            except (NotImplementedError, RuntimeError):
                pass

    def _on_signal(self, sig):
        name = "SIGTERM" if sig == signal.SIGTERM else "SIGINT"
        if self.engine.shutdown_requested is not None and sig == signal.SIGINT:
            self.log.warning("You insist... exiting now.")
            os._exit(1)                 # not a clean shutdown, as Redis's exit(1)
        self.log.warning(f"Received {name} scheduling shutdown...")
        self.engine.shutdown_requested = {"save": None, "signal": name}
        self.request_shutdown()

    # ------------------------------------------------------------------ cron
    def _schedule_cron(self):
        hz = max(1, min(500, self.engine.config["hz"]))
        self._cron_handle = self.loop.call_later(1 / hz, self._cron)

    def _cron(self):
        try:
            self.engine.cron()
            self._check_timeouts()
        except Exception:   # the cron must never die: log and keep ticking
            import traceback
            self.log.warning("cron failed:\n" + traceback.format_exc())
        if self._stopped is not None and not self._stopped.done():
            self._schedule_cron()

    def _arm_block_timer(self, deadline_ms: int):
        """Time out blocked clients at their deadline, not at the next cron tick."""
        if self.loop is None:
            return
        if self._block_handle is not None:
            if self._block_deadline <= deadline_ms:
                return
            self._block_handle.cancel()
        self._block_deadline = deadline_ms
        delay = max(0.0, deadline_ms / 1000 - self.engine.clock()) + 0.0005
        self._block_handle = self.loop.call_later(delay, self._block_timer)

    def _block_timer(self):
        self._block_handle = None
        engine = self.engine
        try:
            engine.update_time()
            engine.blocking_timeouts(engine.now_ms)
        except Exception:
            import traceback
            self.log.warning("blocked-client timer failed:\n" + traceback.format_exc())
        nxt = engine.blocking.next_deadline()
        if nxt is not None:
            self._arm_block_timer(nxt)

    def _update_limits(self, _value=None):
        for proto in self.connections:
            proto.update_limits()

    def _check_timeouts(self):
        """Redis's clientsCronHandleTimeout: idle past `timeout` seconds (last_interaction
        is in ms), except blocked, pub/sub, replica, master and MONITOR clients."""
        timeout = self.engine.config["timeout"]
        if not timeout:
            return
        now = int(self.engine.clock() * 1000)
        for proto in list(self.connections):
            c = proto.client
            if c is not None and now - c.last_interaction > timeout * 1000 \
                    and c.blocked is None and not _NO_TIMEOUT.intersection(c.flags) \
                    and not (c.channels or c.patterns or c.shard_channels):
                self.log.verbose("Closing idle client")
                proto.transport.close()

    # ------------------------------------------------------------------ stop
    def request_shutdown(self):
        if self._stopped is not None and not self._stopped.done():
            self.loop.call_soon(lambda: asyncio.ensure_future(self.shutdown()))

    async def shutdown(self):
        """Stop accepting, flush replies, save if configured (persistence hooks), stop."""
        if self._stopped is None or self._stopped.done():
            return
        self.log.warning("User requested shutdown...")
        for srv in self.listeners:
            srv.close()
        if self._cron_handle is not None:
            self._cron_handle.cancel()
        for hook in list(self.engine.server_info.get("shutdown_hooks", ())):
            hook(self.engine.shutdown_requested or {})
        for proto in list(self.connections):
            if proto.transport is not None:
                proto.transport.close()    # close() flushes what is buffered first
        await asyncio.sleep(0)
        self.log.warning("keyscope is now ready to exit, bye bye...")
        if not self._stopped.done():
            self._stopped.set_result(True)

    # ------------------------------------------------------------------ pushes
    def schedule_outbox(self, proto):
        """Write proto's queued pushes at the end of this loop iteration."""
        self._outboxes.append(proto)
        if len(self._outboxes) == 1:
            (self.loop or asyncio.get_event_loop()).call_soon(self._flush_outboxes)

    def _flush_outboxes(self):
        protos, self._outboxes = self._outboxes, []
        for proto in protos:
            proto.flush_outbox()

    async def wait_closed(self):
        await self._stopped

    def on_closed(self, callback):
        """Call ``callback()`` once the server has stopped (the desktop app closes)."""
        self._stopped.add_done_callback(lambda _: callback())
