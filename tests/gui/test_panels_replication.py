"""Replication panel: the embedded server says plainly that it runs standalone; against a
real Redis master and replica, the panel shows INFO replication as reported."""
from __future__ import annotations

import pytest

from gui.replication_panel import STANDALONE, ReplicationPanel, parse_replica
from tests.conftest import REDIS_SERVER, ServerProc
from tests.gui.panel_utils import show_panel


def test_embedded_is_standalone_and_says_why(qtbot, embedded, model_check):
    server, source = embedded
    panel = ReplicationPanel(source, interval_ms=50)
    show_panel(qtbot, panel, model_check, panel.model)
    if source.implements("REPLICAOF"):
        pytest.skip("keyscope replicates now: the remote tests cover the fields")
    assert STANDALONE in panel.headline.text()
    assert not panel.form_box.isVisible() and not panel.replicas_box.isVisible()
    assert panel.model.rowCount() == 0 and panel.fields == {}


@pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")
def test_remote_master_and_replica(qtbot, qapp, model_check):
    from gui.source import RemoteSource
    master = ServerProc("redis")
    replica = ServerProc("redis", ["--replicaof", "127.0.0.1", str(master.port)])
    sources = []
    try:
        m = master.client()
        m.set("x", "1")
        src = RemoteSource(f"redis://127.0.0.1:{master.port}")
        sources.append(src)
        panel = ReplicationPanel(src, interval_ms=50)
        show_panel(qtbot, panel, model_check, panel.model)
        qtbot.waitUntil(lambda: panel.model.rowCount() == 1 and
                        panel.model.rows[0].get("state") == "online", timeout=15_000)
        assert panel.model.index(0, 0).data() == f"127.0.0.1:{replica.port}"
        assert "master, 1 connected replica" in panel.headline.text()
        assert panel.fields["role"].text() == "master"
        assert panel.fields["connected_slaves"].text() == "1"
        assert int(panel.model.index(0, 3).data()) >= 0
        rsrc = RemoteSource(f"redis://127.0.0.1:{replica.port}")
        sources.append(rsrc)
        rpanel = ReplicationPanel(rsrc, interval_ms=50)
        show_panel(qtbot, rpanel, model_check, rpanel.model)
        qtbot.waitUntil(lambda: "link up" in rpanel.headline.text(), timeout=15_000)
        assert f"replica of 127.0.0.1:{master.port}" in rpanel.headline.text()
        assert rpanel.fields["role"].text() == "slave"
        assert rpanel.fields["master_link_status"].text() == "up"
        assert not rpanel.replicas_box.isVisible()
        replica.stop()
        qtbot.waitUntil(lambda: panel.model.rowCount() == 0, timeout=15_000)
        assert "master, 0 connected replicas" in panel.headline.text()
    finally:
        for s in sources:
            s.close()
        replica.stop()
        master.stop()


def test_replica_line_parsing():
    assert parse_replica("ip=127.0.0.1,port=6380,state=online,offset=42,lag=0") == \
        {"ip": "127.0.0.1", "port": "6380", "state": "online", "offset": "42", "lag": "0"}
