"""Acks with owners, the silences view and `:handover`, driven by keys against a real Alertmanager.

Its own Alertmanager: these tests ack and expire on purpose and must not touch the session stack's alerts.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cockpit.audit import AuditLog
from cockpit.config import Config
from cockpit.model import Matcher, SilenceRequest
from cockpit.sources.alertmanager import AlertmanagerSource
from cockpit.sources.hub import Hub
from cockpit.ui.app import CockpitApp
from tests.support.promstack import Proc, start_alertmanager, wait_for

pytestmark = pytest.mark.integration
USER = "alice@laptop"


@pytest.fixture(scope="module")
def am(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proc]:
    proc = start_alertmanager(tmp_path_factory.mktemp("am-ui-shift"))
    src = AlertmanagerSource(proc.url)
    # NodeDown for two instances, no namespace label: acking one must not ack the other (issue 20 item 5).
    # GaugeHigh twice with only a $value-like label apart: an ack of one catches both, and says so.
    src.post_alerts([
        {"labels": {"alertname": "NodeDown", "instance": "n1:9100", "job": "node", "severity": "critical"}},
        {"labels": {"alertname": "NodeDown", "instance": "n2:9100", "job": "node", "severity": "critical"}},
        {"labels": {"alertname": "GaugeHigh", "job": "app", "value": "0.91", "severity": "warning"}},
        {"labels": {"alertname": "GaugeHigh", "job": "app", "value": "0.97", "severity": "warning"}},
    ])
    wait_for(lambda: len(src.fetch_alerts()) == 4, timeout=10, what="alerts in Alertmanager")
    yield proc
    proc.stop()


def make_app(url: str, tmp_path: Path, readonly: bool = False) -> tuple[CockpitApp, AuditLog]:
    src = AlertmanagerSource(url)
    audit = AuditLog(tmp_path / "audit.jsonl", USER)
    hub = Hub(alert_sources=[src], silence_backends=[src], audit=audit, readonly=readonly)
    config = Config(alertmanagers=(url,), created_by=USER, alerts_interval_s=1, readonly=readonly,
                    audit_log=str(tmp_path / "audit.jsonl"))
    return CockpitApp(hub, config, live=False), audit


async def ready(pilot, app: CockpitApp) -> None:
    for _ in range(100):
        await pilot.pause(0.05)
        if app.state.alerts.health:
            break
    await app.workers.wait_for_complete()
    await pilot.pause()


async def done(pilot, app: CockpitApp) -> None:
    await pilot.pause(0.2)
    await app.workers.wait_for_complete()
    await pilot.pause()


def silences(url: str) -> list[dict]:
    return httpx.get(f"{url}/api/v2/silences", timeout=5).json()


def select(app: CockpitApp, name: str, **labels: str):
    alert = next(a for a in app.state.alerts.alerts if a.name == name and all(a.labels.get(k) == v for k, v in labels.items()))
    app.main.alerts_pane.table.select_key(alert.fingerprint)
    return alert


def notes(app: CockpitApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_ack_targets_this_alert_shows_owner_and_extends(am: Proc, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    app, audit = make_app(am.url, tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await ready(pilot, app)
        n1 = select(app, "NodeDown", instance="n1:9100")
        await pilot.press("A")
        await done(pilot, app)
        acks = [s for s in silences(am.url) if s["status"]["state"] == "active" and s["comment"].startswith("ACK")]
        assert len(acks) == 1
        assert {(m["name"], m["value"]) for m in acks[0]["matchers"]} >= {("alertname", "NodeDown"), ("instance", "n1:9100")}
        states = {a.labels["instance"]: a.state for a in app.state.alerts.alerts if a.name == "NodeDown"}
        assert states == {"n1:9100": "silenced", "n2:9100": "firing"}  # the other NodeDown still pages
        assert app.main.alerts_pane.acks[n1.fingerprint].startswith("ack alice ")
        row = app.main.alerts_pane.render_row(app.main.alerts_pane.table.item(n1.fingerprint))
        assert row[-1].plain.startswith("ack alice")
        first_end = acks[0]["endsAt"]
        select(app, "NodeDown", instance="n1:9100")
        await pilot.press("A")  # on an acked alert: 15 more minutes, same ack
        await done(pilot, app)
        now = next(s for s in silences(am.url) if s["id"] == acks[0]["id"])
        assert now["status"]["state"] == "active" and now["endsAt"] > first_end
        assert [e["action"] for e in audit.entries() if not e["result"].startswith("started")] == ["silence", "extend"]
        # an ack whose matchers catch more than the selected alert asks first
        select(app, "GaugeHigh", value="0.91")
        await pilot.press("A")
        await pilot.pause()
        assert "catches 2 alerts" in str(app.screen.question)
        await pilot.press("n")
        await done(pilot, app)
        assert not any(m["name"] == "alertname" and m["value"] == "GaugeHigh" for s in silences(am.url)
                       for m in s["matchers"])


async def test_silences_view_refreshes_extends_and_expires_once(am: Proc, tmp_path: Path, monkeypatch) -> None:
    from cockpit.ui.screens.silences import SilencesScreen

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    src = AlertmanagerSource(am.url)
    app, audit = make_app(am.url, tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await ready(pilot, app)
        await pilot.press("S")
        await pilot.pause()
        view = app.screen
        assert isinstance(view, SilencesScreen)
        # made elsewhere while the view is open: it appears without a key press
        made = src.create_silence(SilenceRequest((Matcher("namespace", "nowhere"),), 600, "bob", "ACK"))
        for _ in range(60):
            await pilot.pause(0.1)
            if any(s.id == made.id for s in view.silences):
                break
        assert any(s.id == made.id for s in view.silences)
        assert {"matches-nothing", "broad", "expires-soon", "no-comment"} <= set(
            view.table.item(made.id)[5].plain.split(", "))
        view.table.select_key(made.id)
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("enter")  # the default: +1h
        await done(pilot, app)
        extended = src.get_silence(made.id)
        assert abs((extended.ends_at - made.ends_at).total_seconds() - 3600) < 2
        view.table.select_key(made.id)
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("y")
        await done(pilot, app)
        assert src.get_silence(made.id).state == "expired"
        await pilot.press("E")  # show expired, then try again
        await pilot.pause()
        view.table.select_key(made.id)
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("y")
        await done(pilot, app)
        assert any("already expired by" in n for n in notes(app)), notes(app)
        results = [e["result"] for e in audit.entries() if e["action"] == "expire" and not e["result"].startswith("started")]
        assert results[0].startswith("ok") and results[1].startswith("no change: ")


async def test_readonly_refuses_ack_and_extend(am: Proc, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    app, audit = make_app(am.url, tmp_path, readonly=True)
    before = len(silences(am.url))
    async with app.run_test(size=(160, 40)) as pilot:
        await ready(pilot, app)
        select(app, "NodeDown", instance="n2:9100")
        await pilot.press("A")
        await done(pilot, app)
        assert any("read-only" in n for n in notes(app))
    assert len(silences(am.url)) == before


async def test_handover_command_writes_markdown_to_the_state_dir(am: Proc, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    app, _ = make_app(am.url, tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await ready(pilot, app)
        await pilot.press("c")  # Marcus comments (unprompted ones too): the journal keeps a summary
        for _ in range(50):
            await pilot.pause(0.1)
            if "Marcus · comment" in app.main.marcus_pane.transcript and not app.workers._workers:
                break
        await done(pilot, app)
        await pilot.press("colon")
        await pilot.press(*"handover")
        await pilot.press("enter")
        path = None
        for _ in range(100):
            await pilot.pause(0.1)
            path = next((n.split("written to ", 1)[1] for n in notes(app) if "hand-over written to" in n), None)
            if path:
                break
        assert path and Path(path).is_file() and Path(path).is_relative_to(tmp_path / "state")
        text = Path(path).read_text()
        assert text.startswith("# Hand-over") and "NodeDown" in text
        assert "## Marcus" in text and " hypothesis on " in text  # what Marcus said, with its note id
