"""Prometheus down on the screen: the SLOs pane still lists every known SLO, status unknown."""

from __future__ import annotations

from pathlib import Path

from cockpit.config import Config
from cockpit.slo.spec import load_specs
from cockpit.sources.base import SourceError
from cockpit.sources.hub import Hub
from cockpit.sources.slo_catalog import SLOCatalog
from cockpit.ui.app import CockpitApp

UPSTREAM = Path(__file__).resolve().parents[1] / "data" / "slo" / "upstream"


class DeadPrometheus:
    """A Prometheus that never answers (a backend double; the catalog and the engine run for real)."""

    def query(self, promql, at=None):
        raise SourceError("prometheus http://127.0.0.1:9: cannot connect (connection refused)")

    def query_range(self, promql, start, end, step):
        raise SourceError("prometheus http://127.0.0.1:9: cannot connect (connection refused)")


async def test_prometheus_down_lists_every_slo_as_unknown():
    specs = load_specs([str(UPSTREAM / "sloth/examples/getting-started.yml"),
                        str(UPSTREAM / "pyrra/examples/thanos-grpc.yaml")])
    app = CockpitApp(Hub(slo_sources=[SLOCatalog(specs, DeadPrometheus())]), Config(), live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(60):
            await pilot.pause(0.05)
            await app.workers.wait_for_complete()
            if app.state.slos.health:
                break
        await pilot.pause(0.2)
        pane = app.slos_pane
        shown = {(s.service, s.name): s.status for s in pane.shown}
        assert shown == {("myservice", "requests-availability"): "unknown", ("monitoring", "thanos-store"): "unknown"}
        cells = [str(c) for s in pane.shown for c in pane.render_row((s, False))]
        assert cells.count("unknown") == 2
        assert "connection refused" in pane.title_plain
        assert "connection refused" in str(pane.message_line.render())  # why they are unknown
