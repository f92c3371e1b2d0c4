"""Helpers for GUI tests: the server shares the test's thread, so waits spin Qt."""
from __future__ import annotations

import asyncio
import threading


def run_task(qtbot, coro, timeout=10_000):
    """Run a coroutine on the attached loop while Qt spins; return its result."""
    task = asyncio.ensure_future(coro)
    qtbot.waitUntil(task.done, timeout=timeout)
    return task.result()


def in_thread(qtbot, fn, timeout=60_000):
    """Run a blocking function in a thread while the Qt loop (and the server) runs."""
    box = {}

    def work():
        try:
            box["value"] = fn()
        except BaseException as e:          # re-raised in the test
            box["error"] = e
    t = threading.Thread(target=work, daemon=True)
    t.start()
    qtbot.waitUntil(lambda: not t.is_alive(), timeout=timeout)
    if "error" in box:
        raise box["error"]
    return box.get("value")
