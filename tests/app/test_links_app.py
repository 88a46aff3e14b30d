"""`links:` from the config open as OSC 8 links in the alert details screen (real app, demo world)."""

from __future__ import annotations

from cockpit.audit import AuditLog
from cockpit.config import Config
from cockpit.sources.demo import DemoWorld, demo_hub
from cockpit.ui.app import CockpitApp
from tests.app.conftest import settle

TEMPLATE = "https://grafana.example/d/abc?var-alert={alertname}&var-ns={namespace}"


async def test_alert_details_show_configured_links(tmp_path):
    world = DemoWorld(frozen=True)
    hub = demo_hub(world, audit=AuditLog(tmp_path / "audit.jsonl", "tester@host"))
    config = Config(demo=True, audit_log=str(tmp_path / "audit.jsonl"), journal=str(tmp_path / "j.sqlite"),
                    links={"alert": (TEMPLATE, "https://logs.example/?q={no_such_label}")})
    app = CockpitApp(hub, config, clock=world.now, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("1", "enter")
        await pilot.pause(0.2)
        body = app.screen.body.content
        plain = body.plain
        assert "Links" in plain and "https://grafana.example/d/abc?var-alert=" in plain
        assert "logs.example" not in plain  # a template with an unknown placeholder gives no link
        linked = [body.plain[s.start:s.end] for s in body.spans if getattr(s.style, "link", None)]
        assert any(u.startswith("https://grafana.example/d/abc?var-alert=") for u in linked)
