"""Pilot fixtures: the real app on the demo world with a frozen clock (no timers)."""

from __future__ import annotations

import pytest

from cockpit.audit import AuditLog
from cockpit.config import Config
from cockpit.sources.demo import DemoWorld, demo_hub
from cockpit.ui.app import CockpitApp


def make_app(tmp_path, *, readonly: bool = False, layout: str | None = None, live: bool = False) -> CockpitApp:
    world = DemoWorld(frozen=True)
    audit = AuditLog(tmp_path / "audit.jsonl", "tester@host")
    hub = demo_hub(world, readonly=readonly, audit=audit)
    config = Config(demo=True, readonly=readonly, created_by="tester@host", audit_log=str(tmp_path / "audit.jsonl"),
                    journal=str(tmp_path / "journal.sqlite"))
    return CockpitApp(hub, config, layout=layout, clock=world.now, live=live)


async def settle(pilot, app: CockpitApp) -> None:
    """Wait until the three first refreshes have landed and workers are idle."""
    for _ in range(100):
        await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        if app.state.alerts.health and app.state.pods.health and app.state.slos.health:
            break
    await pilot.pause(0.1)
    await app.workers.wait_for_complete()
    await pilot.pause()


@pytest.fixture
def app_factory(tmp_path):
    return lambda **kw: make_app(tmp_path, **kw)
