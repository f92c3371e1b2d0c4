"""An asyncio event loop driven by the Qt event loop, in batches.

qasync maps every socket to its own QSocketNotifier and wakes Python several times per
socket event (notifier -> disable -> call_soon -> callback -> re-enable); DESIGN.md measured
that at ~2x the CPU per request.  Here asyncio keeps its own, stock ``SelectorEventLoop``
(epoll; kqueue on macOS) and Qt only waits on two things:

- one ``QSocketNotifier`` on the selector's own fd: readable whenever any socket asyncio
  watches is ready, so one Qt wake-up runs one ``_run_once`` for every ready socket;
- one single-shot ``QTimer`` armed for the earliest ``call_later`` deadline (0 ms when
  callbacks are ready to run).

``_run_once`` is asyncio's own iteration; the selector never blocks (its ``select``
always polls with a zero timeout) because waiting is Qt's job.  Qt widgets, timers and
the server share one thread, as the server's single-threaded execution requires.

Two ways to run it:
- ``loop.attach()``: the loop counts as running from now on and Qt drives it from
  whatever Qt event loop runs (``app.exec()``, a dialog, pytest-qt's waits);
- ``loop.run_forever()`` / ``run_until_complete()``: the asyncio API, backed by a local
  ``QEventLoop``.
"""
from __future__ import annotations

import asyncio
import math
import selectors
import sys
import threading
from asyncio import events

from PySide6.QtCore import QEventLoop, QObject, QSocketNotifier, Qt, QTimer


# epoll (Linux) or kqueue (macOS): both are one pollable fd that is readable while any
# registered socket is ready.  Windows' select() selector has none (qasync there).
_Base = selectors.DefaultSelector
HAS_SELECTOR_FD = hasattr(_Base, "fileno")


class _PollingSelector(_Base):
    """The platform selector, never blocking: Qt waits on its fd instead."""

    def select(self, timeout=None):
        return super().select(0)


class QtSelectorEventLoop(asyncio.SelectorEventLoop):
    def __init__(self):
        super().__init__(_PollingSelector())
        self._qt = QObject()                     # parent of the Qt helpers
        self._notifier = QSocketNotifier(self._selector.fileno(), QSocketNotifier.Read,
                                         self._qt)
        self._notifier.setEnabled(False)
        self._notifier.activated.connect(self._tick)
        self._timer = QTimer(self._qt)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.PreciseTimer)
        self._timer.timeout.connect(self._tick)
        self._timer_when = None                 # the deadline the timer is armed for
        self._attached = False
        self._qloop: QEventLoop | None = None
        self._old_agen_hooks = None
        self.ticks = 0                          # iterations run (tests, diagnostics)

    # ------------------------------------------------------------------ driving
    def _tick(self, *_):
        self.ticks += 1
        self._run_once()
        if self._stopping:
            self._stopping = False
            if self._qloop is not None:
                self._qloop.exit(0)
        self._arm()

    def _arm(self):
        """Point the timer at the next thing asyncio has to do without a socket event."""
        if self._ready or self._stopping:
            when = 0.0
        elif self._scheduled:
            when = self._scheduled[0]._when
        else:
            when = None
        if when == self._timer_when and (when is None or self._timer.isActive()):
            return                              # already armed for this deadline
        self._timer_when = when
        if when is None:
            self._timer.stop()
        elif when == 0.0:
            self._timer.start(0)
        else:
            self._timer.start(max(0, math.ceil((when - self.time()) * 1000)))

    # Callbacks added from outside a tick (a Qt slot, setup code) must arm the timer;
    # within a tick _arm() runs anyway when the batch is done.  (call_soon_threadsafe
    # does not come through here: it wakes the loop through the self-pipe, which the
    # epoll notifier sees, and Qt timers must not be touched from other threads.)
    _ticking = False

    def call_soon(self, callback, *args, context=None):
        handle = super().call_soon(callback, *args, context=context)
        if not self._ticking and self._attached:
            self._arm()
        return handle

    def call_at(self, when, callback, *args, context=None):
        handle = super().call_at(when, callback, *args, context=context)
        if not self._ticking and self._attached:
            self._arm()
        return handle

    def _run_once(self):
        self._ticking = True
        try:
            super()._run_once()
        finally:
            self._ticking = False

    def stop(self):
        super().stop()
        if self._attached:
            self._arm()

    # ------------------------------------------------------------------ attach / run
    def attach(self):
        """Make this the running loop of this thread, driven by any Qt event loop."""
        self._check_closed()
        self._check_running()
        self._set_coroutine_origin_tracking(self._debug)
        self._thread_id = threading.get_ident()
        self._old_agen_hooks = sys.get_asyncgen_hooks()
        sys.set_asyncgen_hooks(firstiter=self._asyncgen_firstiter_hook,
                               finalizer=self._asyncgen_finalizer_hook)
        events._set_running_loop(self)
        self._attached = True
        self._notifier.setEnabled(True)
        self._timer_when = None
        self._arm()

    def detach(self):
        if not self._attached:
            return
        self._attached = False
        self._notifier.setEnabled(False)
        self._timer.stop()
        self._timer_when = None
        self._stopping = False
        self._thread_id = None
        events._set_running_loop(None)
        self._set_coroutine_origin_tracking(False)
        sys.set_asyncgen_hooks(*self._old_agen_hooks)

    def run_forever(self):
        self.attach()
        self._qloop = QEventLoop()
        try:
            self._qloop.exec()
        finally:
            self._qloop = None
            self.detach()

    def is_attached(self) -> bool:
        return self._attached

    def close(self):
        self.detach()
        # the epoll fd closes below and its number may be reused: unhook Qt first
        self._notifier.setEnabled(False)
        self._notifier.activated.disconnect(self._tick)
        self._timer.timeout.disconnect(self._tick)
        super().close()


def new_event_loop() -> QtSelectorEventLoop:
    """A loop for the desktop app; qasync where the selector has no fd (Windows)."""
    if not HAS_SELECTOR_FD:                         # pragma: no cover (Windows)
        import qasync
        return qasync.QEventLoop()
    return QtSelectorEventLoop()
