"""The pods pane on the real kubernetes client against the fake API server, driven by keys."""

from __future__ import annotations

from cockpit.config import Config
from cockpit.sources.hub import Hub
from cockpit.sources.kubernetes import load_clusters
from cockpit.ui.app import CockpitApp
from tests.app.conftest import settle
from tests.fakekube import FakeKube
from tests.fakekube.fixtures import pod, running, scenario, waiting


def app_for(kubeconfig: str, contexts=(), live: bool = True) -> CockpitApp:
    """live: timers and the watch run (settle() cannot be used then: the watch worker never ends)."""
    hub = Hub(clusters=list(load_clusters(kubeconfig, contexts)))
    return CockpitApp(hub, Config(pods_interval_s=30), live=live)


async def wait_until(pilot, predicate, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"condition not reached in {timeout}s")


async def test_problem_pods_first_and_watch_updates_row_in_place(tmp_path):
    with FakeKube() as fake:
        fake.load(scenario())
        fake.kubeconfig(tmp_path / "kubeconfig")
        app = app_for(str(tmp_path / "kubeconfig"))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_until(pilot, lambda: app.pods_pane.shown)
            shown = app.pods_pane.shown
            first = shown[0]
            assert "CrashLoopBackOff" in first.reason
            healthy = [p for p in shown if p.reason == "Running" and p.ready == p.total]
            assert shown.index(healthy[0]) > max(i for i, p in enumerate(shown) if "BackOff" in p.reason)

            await pilot.press("2")
            target = healthy[-1]
            app.pods_pane.table.select_key(f"{target.context}\0{target.namespace}\0{target.name}")
            await pilot.pause()
            # a healthy pod starts crash-looping: the watch must move it up, the cursor stays on its pod
            other = healthy[0]
            fake.apply("pods", pod(other.namespace, other.name, "Running", [
                waiting("app", "img:2", "CrashLoopBackOff", "back-off restarting", restarts=7, last=("OOMKilled", 137))]))
            await wait_until(pilot, lambda: any(p.name == other.name and "CrashLoopBackOff" in p.reason
                                                for p in app.pods_pane.shown))
            moved = next(p for p in app.pods_pane.shown if p.name == other.name)
            assert "OOMKilled" in moved.reason and app.pods_pane.shown.index(moved) < len(app.pods_pane.shown) // 2
            assert app.pods_pane.selected.name == target.name


async def test_forbidden_pods_mark_the_pane_stale_with_the_reason(tmp_path):
    with FakeKube() as fake:
        fake.load(scenario())
        fake.kubeconfig(tmp_path / "kubeconfig")
        app = app_for(str(tmp_path / "kubeconfig"), live=False)  # each refresh lists: no watch cache
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_until(pilot, lambda: app.pods_pane.shown)
            count = len(app.pods_pane.shown)
            fake.forbid("pods")
            app.refresh_pods()
            await settle(pilot, app)
            await wait_until(pilot, lambda: "STALE" in app.pods_pane.title_plain)
            assert "forbidden" in app.pods_pane.title_plain
            assert len(app.pods_pane.shown) == count  # last data kept


async def test_two_contexts_get_a_context_column(tmp_path):
    with FakeKube() as a, FakeKube() as b:
        a.load(scenario())
        b.load({"pods": [pod("web", "web-1", "Running", [running("web", "web:1")])]})
        a.kubeconfig(tmp_path / "a.yaml", contexts={"alpha": ("token-admin", "")})
        b.kubeconfig(tmp_path / "b.yaml", contexts={"beta": ("token-admin", "")})
        app = app_for(f"{tmp_path / 'a.yaml'}:{tmp_path / 'b.yaml'}", contexts=("alpha", "beta"))
        async with app.run_test(size=(140, 40)) as pilot:
            await wait_until(pilot, lambda: {p.context for p in app.pods_pane.shown} == {"alpha", "beta"})
            assert app.pods_pane.with_context
            assert app.pods_pane.table.columns[0][1] == "Context"
            assert "alpha" in app.state.pods.health and "beta" in app.state.pods.health
