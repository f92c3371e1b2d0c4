"""GUI test fixtures: offscreen Qt, the Qt-driven asyncio loop, an embedded server.

The embedded server lives in the test's own thread (as in the app), so a blocking client
(redis-py, redis-cli) must run in another thread or process while the test waits with
``qtbot.waitUntil`` (which runs the Qt loop): ``in_thread`` does that.
"""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import asyncio  # noqa: E402

import pytest  # noqa: E402
import redis  # noqa: E402

from tests.gui.helpers import in_thread, run_task  # noqa: E402

pytest.importorskip("PySide6.QtWidgets")


@pytest.fixture(autouse=True)
def _gc_on_the_gui_thread(qapp):
    """As in the app (gui.gcpolicy): collections run on this thread only, so garbage
    holding Qt objects is never freed by a client thread (in_thread) or a worker."""
    import gc

    from gui.gcpolicy import MainThreadGC
    policy = MainThreadGC()
    policy.start()
    yield
    gc.collect()
    policy.stop()                       # other tests (spec, unit) keep automatic GC
    policy.deleteLater()


@pytest.fixture
def qloop(qapp):
    from gui.qtloop import QtSelectorEventLoop
    loop = QtSelectorEventLoop()
    asyncio.set_event_loop(loop)
    loop.attach()
    yield loop
    loop.detach()
    loop.close()
    asyncio.set_event_loop(None)


@pytest.fixture
def scratch(tmp_path) -> str:
    """Directives for a throwaway embedded server: no persistence, files in tmp_path."""
    from gui.embedded import scratch_directives
    return scratch_directives(str(tmp_path))


@pytest.fixture
def embedded(qtbot, qloop, scratch):
    """A running embedded server (its own port) with an EmbeddedSource."""
    from gui.embedded import start_embedded
    from gui.source import EmbeddedSource
    server = run_task(qtbot, start_embedded(port=0, extra=scratch))
    source = EmbeddedSource(server.engine, server)
    yield server, source
    source.close()
    run_task(qtbot, server.shutdown())


@pytest.fixture
def client_factory(qtbot, embedded):
    """redis-py clients to the embedded port (use them through ``in_thread``)."""
    server, _ = embedded
    made = []

    def make(**kw):
        kw.setdefault("socket_timeout", 10)
        c = redis.Redis(host="127.0.0.1", port=server.port, **kw)
        made.append(c)
        return c
    yield make
    # closed from a thread while the server (this thread) keeps running: a client still
    # busy in a failed test's worker must not deadlock the teardown against the server
    in_thread(qtbot, lambda: [c.close() for c in made], timeout=15_000)


@pytest.fixture
def model_check(qtlog):
    """Put a model under Qt's QAbstractItemModelTester; any failure it reports (as a
    Qt warning starting with FAIL!) fails the test."""
    from PySide6.QtTest import QAbstractItemModelTester
    testers = []

    def check(model):
        testers.append(QAbstractItemModelTester(
            model, QAbstractItemModelTester.FailureReportingMode.Warning))
        return model
    yield check
    failures = [r.message for r in qtlog.records if "FAIL" in r.message]
    assert not failures, failures


@pytest.fixture(autouse=True)
def _no_widget_outlives_its_test(qapp):
    """Every top-level widget a test leaves behind is hidden and deleted before the next
    test runs: a stale pyqtgraph view painted during a later test's event processing
    crashed a worker once (GraphicsView.paintEvent on a half-destroyed view)."""
    yield
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication
    for w in QApplication.topLevelWidgets():
        w.hide()
        w.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    import gc
    gc.collect()                        # this test's Qt garbage goes here, on this thread
