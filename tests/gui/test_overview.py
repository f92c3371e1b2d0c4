"""Server overview: samples from the source, charts updated in place."""
from __future__ import annotations

from gui.overview import OverviewPanel, Ring
from tests.gui.helpers import in_thread


def test_charts_follow_the_server_and_reuse_their_curves(qtbot, embedded, client_factory):
    server, source = embedded
    panel = OverviewPanel(source, interval_ms=100)
    qtbot.addWidget(panel)
    panel.show()
    curves = {name: chart.curve for name, chart in panel.charts.items()}
    r = client_factory()
    in_thread(qtbot, lambda: [r.set(f"k{i}", i) for i in range(300)])
    qtbot.waitUntil(lambda: panel.samples >= 4, timeout=5000)
    qtbot.waitUntil(lambda: panel.now_labels["keys"].text() == "300", timeout=5000)
    assert {n: c.curve for n, c in panel.charts.items()} == curves      # same items
    x, y = panel.charts["keys"].curve.getData()
    assert len(x) == len(y) >= 4 and y[-1] == 300
    _, ops = panel.charts["ops"].curve.getData()
    assert ops.max() > 0                                    # the 300 SETs were seen
    assert panel.now_labels["clients"].text() == "1"
    assert "exact" in panel.note.text()


def test_ring_buffer_keeps_the_latest_in_order():
    ring = Ring(3)
    for v in range(5):
        ring.push(v)
    assert list(ring.view()) == [2, 3, 4] and len(ring) == 3
