"""The alerts pane against the real Alertmanager, driven by keys: silence, see it silenced, expire it."""

from __future__ import annotations

import httpx

from cockpit.audit import AuditLog
from cockpit.config import Config
from cockpit.sources.alertmanager import AlertmanagerSource
from cockpit.sources.hub import Hub
from cockpit.ui.app import CockpitApp
from tests.app.conftest import settle


def make_app(alertmanager_url: str, tmp_path) -> CockpitApp:
    am = AlertmanagerSource(alertmanager_url)
    hub = Hub(alert_sources=[am], silence_backends=[am], audit=AuditLog(tmp_path / "audit.jsonl", "ui-test@host"))
    config = Config(alertmanagers=(alertmanager_url,), created_by="ui-test@host", alerts_interval_s=1)
    return CockpitApp(hub, config, live=False)


def am_silences(url: str) -> list[dict]:
    return httpx.get(f"{url}/api/v2/silences", timeout=5).json()


async def test_pane_lists_what_alertmanager_lists(firing, tmp_path):
    app = make_app(firing.url, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        raw = httpx.get(f"{firing.url}/api/v2/alerts", timeout=5).json()
        assert {a["fingerprint"] for a in raw} == {a.fingerprint for a in app.alerts_pane.shown}
        assert app.alerts_pane.title_plain.startswith(f"Alerts {len(raw)}")


async def test_silence_through_keys_then_expire(firing, tmp_path):
    app = make_app(firing.url, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        alert = next(a for a in app.alerts_pane.shown if a.name == "DiskAlmostFull")
        app.alerts_pane.table.select_key(alert.fingerprint)
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("enter")  # the defaults: 1h, alertname+namespace, the prefilled comment
        await settle(pilot, app)
        ours = [s for s in am_silences(firing.url) if s["createdBy"] == "ui-test@host" and s["status"]["state"] == "active"]
        assert len(ours) == 1
        matchers = {(m["name"], m["value"], m["isRegex"], m.get("isEqual", True)) for m in ours[0]["matchers"]}
        assert matchers == {("alertname", "DiskAlmostFull", False, True), ("namespace", "infra", False, True)}
        shown = next(a for a in app.alerts_pane.shown if a.fingerprint == alert.fingerprint)
        assert shown.state == "silenced"

        await pilot.press("S")
        await pilot.pause()
        app.screen.table.select_key(ours[0]["id"])
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause(0.5)
        await app.workers.wait_for_complete()
        await pilot.pause()
        state = next(s for s in am_silences(firing.url) if s["id"] == ours[0]["id"])["status"]["state"]
        assert state == "expired"
        await pilot.press("escape")
        await settle(pilot, app)
        assert next(a for a in app.state.alerts.alerts if a.fingerprint == alert.fingerprint).state == "firing"
