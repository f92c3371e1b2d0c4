"""The Qt-driven asyncio loop: asyncio semantics with Qt doing the waiting."""
from __future__ import annotations

import asyncio
import socket
import time

from PySide6.QtCore import QTimer

from tests.gui.helpers import in_thread, run_task


def test_call_soon_from_a_qt_slot_runs_on_the_next_qt_turn(qtbot, qloop):
    ran = []
    QTimer.singleShot(0, lambda: qloop.call_soon(ran.append, 1))
    qtbot.waitUntil(lambda: ran == [1], timeout=2000)


def test_call_later_fires_after_its_delay_not_before(qtbot, qloop):
    t0 = qloop.time()
    fired = []
    qloop.call_later(0.15, lambda: fired.append(qloop.time() - t0))
    qtbot.waitUntil(lambda: bool(fired), timeout=3000)
    assert fired[0] >= 0.15


def test_coroutines_sleep_and_return_values(qtbot, qloop):
    async def work():
        await asyncio.sleep(0.05)
        return asyncio.get_running_loop() is qloop
    assert run_task(qtbot, work()) is True


def test_a_cancelled_timer_does_not_fire(qtbot, qloop):
    fired = []
    h = qloop.call_later(0.05, fired.append, 1)
    h.cancel()
    qtbot.wait(200)
    assert fired == []


def test_socket_echo_through_the_selector(qtbot, qloop):
    class Echo(asyncio.Protocol):
        def connection_made(self, t):
            self.t = t

        def data_received(self, data):
            self.t.write(data.upper())

    async def start():
        return await qloop.create_server(Echo, "127.0.0.1", 0)
    srv = run_task(qtbot, start())
    port = srv.sockets[0].getsockname()[1]

    def client():
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            out = []
            for i in range(200):              # many round trips, one batch each
                s.sendall(b"ping%d" % i)
                out.append(s.recv(100))
            return out
    out = in_thread(qtbot, client)
    assert out[0] == b"PING0" and out[-1] == b"PING199"
    srv.close()
    run_task(qtbot, srv.wait_closed())


def test_call_soon_threadsafe_wakes_the_loop(qtbot, qloop):
    got = []
    in_thread(qtbot, lambda: qloop.call_soon_threadsafe(got.append, "x"))
    qtbot.waitUntil(lambda: got == ["x"], timeout=2000)


def test_run_until_complete_works_before_attaching(qapp):
    from gui.qtloop import QtSelectorEventLoop
    loop = QtSelectorEventLoop()
    try:
        async def work():
            await asyncio.sleep(0.01)
            return 42
        t0 = time.perf_counter()
        assert loop.run_until_complete(work()) == 42
        assert time.perf_counter() - t0 < 2
        assert not loop.is_running()
    finally:
        loop.close()
