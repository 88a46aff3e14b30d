"""The SLOs pane and the header when nothing could be read: real sources (Alertmanager, kube client,
Prometheus) pointed at ports nothing listens on, no --slo. Never "SLOs 0" and "✔ slo"."""

from __future__ import annotations

from pathlib import Path

from cockpit.config import Config
from cockpit.glyphs import G
from cockpit.sources.factory import build_hub
from cockpit.ui.app import CockpitApp
from tests.integration.test_nothing_read import dead_kubeconfig
from tests.support.promstack import free_port


async def test_slos_of_unreadable_clusters_read_unknown_and_prometheus_has_a_health_mark(tmp_path: Path):
    prom = f"http://127.0.0.1:{free_port()}"
    config = Config(prometheus=prom, alertmanagers=(f"http://127.0.0.1:{free_port()}",),
                    kubeconfig=str(dead_kubeconfig(tmp_path / "kubeconfig")))
    hub, clock = build_hub(config)
    app = CockpitApp(hub, config, clock=clock, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            if app.state.slos.health and app.state.pods.health and app.state.alerts.health:
                break
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        title = app.slos_pane.title_plain
        assert title.startswith("SLOs unknown") and "SLOs 0" not in title, title
        message = str(app.slos_pane.message_line.render())
        assert "No SLOs in the given specs" not in message and "could not be listed" in message, message
        health = app.state.health()
        assert f"prometheus {prom}" in health and not health[f"prometheus {prom}"].ok
        header = app.screen.header.render()
        assert f"{G.ok} slo" not in str(header) and f"{G.bad} prometheus" in str(header)


async def test_the_slo_hint_asks_only_for_what_is_missing(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.kube/config: no cluster, so no SLO source
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    config = Config(prometheus=f"http://127.0.0.1:{free_port()}")
    hub, clock = build_hub(config)
    assert not hub.slo_sources
    app = CockpitApp(hub, config, clock=clock, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            if app.state.slos.health and app.state.alerts.health:
                break
        await pilot.pause(0.2)
        hint = str(app.slos_pane.message_line.render())
        assert "--slo FILE" in hint and "--prometheus" not in hint, hint
