"""Issue 19 on the screen: where the focus starts, unknown vs not configured, Marcus's long answers."""

from __future__ import annotations

from rich.cells import cell_len

from cockpit.config import Config
from cockpit.glyphs import G
from cockpit.sources.base import SourceError
from cockpit.sources.demo import DemoCluster, DemoWorld
from cockpit.sources.hub import Hub
from cockpit.ui.app import CockpitApp
from cockpit.ui.panes.marcus import MessageView

from .conftest import settle


class DeadAlertmanager:
    """An alert backend that never answers (a backend double; cockpit's own code runs for real)."""

    kind = "alertmanager"
    name = "alertmanager http://127.0.0.1:9"

    def fetch_alerts(self) -> list:
        raise SourceError(f"{self.name}: cannot connect (connection refused)")


def kube_only_app(alert_sources: list | None = None) -> CockpitApp:
    world = DemoWorld(frozen=True)
    hub = Hub(clusters=[DemoCluster(world)], alert_sources=alert_sources or [], clock=world.now)
    return CockpitApp(hub, Config(), clock=world.now, live=False)


async def wait_loaded(pilot, app: CockpitApp) -> None:
    for _ in range(60):
        await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        if app.state.pods.health and (app.state.alerts.health or not app.hub.alert_sources):
            break
    await pilot.pause(0.2)


async def test_only_a_kube_context_starts_on_the_pods_and_the_first_key_moves():
    app = kube_only_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        assert app.focused_pane_name() == "pods"
        await pilot.press("j")
        assert app.pods_pane.table.cursor == 1


async def test_panes_without_a_source_say_not_configured_and_how_to_feed_them():
    app = kube_only_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        assert app.alerts_pane.title_plain == "Alerts · not configured"
        assert app.slos_pane.title_plain == "SLOs · not configured"
        alerts_hint = str(app.alerts_pane.message_line.render())
        slo_hint = str(app.slos_pane.message_line.render())
        assert app.alerts_pane.message_line.display and "--alertmanager URL" in alerts_hint
        assert app.slos_pane.message_line.display and "--slo FILE" in slo_hint
        assert app.pods_pane.title_plain.startswith("Pods 45 ")


async def test_a_source_that_never_answered_reads_unknown_not_zero():
    app = kube_only_app([DeadAlertmanager()])
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        title = app.alerts_pane.title_plain
        assert title.startswith("Alerts unknown · STALE (cannot connect") and "Alerts 0" not in title
        assert title.count("127.0.0.1:9") == 0  # the reason once, without the source's own prefix
        assert "Could not read alerts: cannot connect" in str(app.alerts_pane.message_line.render())
        assert app.focused_pane_name() == "pods"


def newest(app: CockpitApp) -> MessageView:
    return list(app.marcus_pane.log_view.query(MessageView))[-1]


async def test_a_long_comment_keeps_its_start_in_view_and_says_there_is_more(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.pause(0.5)
        log, view = app.marcus_pane.log_view, newest(app)
        assert view.size.height > log.size.height  # the demo's first comment is longer than the panel
        top = view.virtual_region.y
        assert log.scroll_y <= top < log.scroll_y + log.size.height, (log.scroll_y, top)
        assert app.marcus_pane.more_below
        assert "more below" in str(app.marcus_pane.border_subtitle)
        await pilot.press("4")
        assert app.focused is log
        await pilot.press("G")
        await pilot.pause(0.1)
        assert log.scroll_y == log.max_scroll_y and not app.marcus_pane.more_below
        await pilot.press("g")
        await pilot.pause(0.1)
        assert log.scroll_y == 0
        await pilot.press("j", "j")
        await pilot.pause(0.1)
        assert log.scroll_y == 2
        await pilot.press("k")
        await pilot.pause(0.1)
        assert log.scroll_y == 1


async def test_a_long_header_is_cut_at_a_word_without_hidden_counts(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.pause(0.5)
        view = newest(app)
        full = f"Marcus · {view.header.removeprefix('Marcus · ')}"
        assert len(full) > view.size.width  # the demo's reason names several alerts
        shown = str(view.render()).split("\n")[0]
        assert "more chars" not in shown and "[" not in shown
        assert shown.endswith(G.ellipsis) and cell_len(shown) <= view.size.width
        kept = shown.removesuffix(G.ellipsis)
        assert full.startswith(kept) and full[len(kept)] in " ;,:·-"  # cut where a word ends
