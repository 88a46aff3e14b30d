"""What QA saw at 80x24 and 120x40: tables keep their shape, screens show their state."""

from __future__ import annotations

from cockpit.ui.app import CockpitApp

from .conftest import settle


def screen_lines(app) -> list[str]:
    """The screen as the terminal gets it."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def header_line(pane) -> str:
    return pane.table.render_line(0).text


async def test_pods_columns_are_the_same_after_a_filter_comes_and_goes(app_factory):
    for size in ((80, 24), (120, 40)):
        app: CockpitApp = app_factory()
        async with app.run_test(size=size) as pilot:
            await settle(pilot, app)
            await pilot.press("2")
            before = header_line(app.pods_pane)
            await pilot.press("/", *"checkout")
            await settle(pilot, app)
            during = header_line(app.pods_pane)
            await pilot.press("enter", "escape")
            await settle(pilot, app)
            after = header_line(app.pods_pane)
            assert before.split() == during.split() == after.split(), (size, before, during, after)
            # the status column keeps the kubelet's reason whole rather than making room for more columns
            shown = "\n".join(screen_lines(app))
            assert "CrashLoopBackOff" in shown and "ImagePullBackOff" in shown, shown


async def test_demo_slo_details_say_what_is_missing_instead_of_a_flat_line(app_factory):
    from cockpit.ui.screens.details import SLOScreen

    app: CockpitApp = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("3", "enter")
        await pilot.pause(0.2)
        screen = app.screen
        assert isinstance(screen, SLOScreen)
        caption = str(screen.caption.render())
        assert "no Prometheus configured" not in caption  # the header says prometheus ✔
        assert "demo" in caption and "--prometheus" in caption, caption
        assert not screen.sparkline.display  # no flat ▁▁▁ pretending to be data
        assert not any("▁▁▁▁" in line for line in screen_lines(app))


async def test_an_empty_silences_view_says_so(app_factory):
    from cockpit.ui.screens.silences import SilencesScreen

    app: CockpitApp = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("S")
        await pilot.pause(0.2)
        assert isinstance(app.screen, SilencesScreen)
        assert any("No silences" in line for line in screen_lines(app)), screen_lines(app)


async def test_the_logs_header_shows_search_and_follow_state_at_80_and_120(app_factory):
    from cockpit.ui.screens.logs import LogsScreen

    for size in ((80, 24), (120, 40)):
        app: CockpitApp = app_factory()
        async with app.run_test(size=size) as pilot:
            await settle(pilot, app)
            await pilot.press("2", "l")
            await pilot.pause(0.3)
            assert isinstance(app.screen, LogsScreen)
            await pilot.press("f", "p", "slash", *"OutOfMemory", "enter")
            await pilot.pause(0.3)
            top = "\n".join(screen_lines(app)[:3])
            for state in ("/OutOfMemory:", "matches", "following", "PREVIOUS"):
                assert state in top, (size, top)


async def test_c_in_logs_of_a_one_container_pod_says_there_is_nothing_to_switch_to(app_factory):
    app: CockpitApp = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("2", "l")
        await pilot.pause(0.3)
        assert len(app.screen.containers) == 1
        await pilot.press("c")
        await pilot.pause(0.1)
        assert any("one container" in n.message for n in app._notifications), list(app._notifications)


async def test_the_incidents_view_keeps_impact_and_members_and_explains_the_hypothesis_mark(app_factory):
    from cockpit.ui.screens.incidents import IncidentsScreen

    for size in ((80, 24), (120, 40)):
        app: CockpitApp = app_factory()
        async with app.run_test(size=size) as pilot:
            await settle(pilot, app)
            await pilot.press("i")
            await pilot.pause(0.2)
            assert isinstance(app.screen, IncidentsScreen)
            shown = "\n".join(screen_lines(app))
            first = app.screen.incidents[0]
            assert "hypothesis" in shown, (size, shown)  # the `?` before a cause is explained
            assert "escape back" in shown, (size, shown)  # the header is not cut
            # the selected incident's impact and member counts are on screen at every width
            assert "pod" in shown and ("members" in shown or "Members" in shown), (size, shown)
            assert first.impact.text[:20] in shown, (size, shown)
            if size == (120, 40):
                header = app.screen.table.render_line(0).text
                assert "Members" in header and "Impact" in header, header


async def test_a_failing_source_is_in_the_header_at_80_columns(app_factory):
    from dataclasses import replace

    from cockpit.model import SourceHealth

    app: CockpitApp = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        slos = app.state.slos
        failing = SourceHealth("slo-engine", "slo", ok=False, error="connection refused")
        app.state.slos = replace(slos, health={**slos.health, "slo-engine": failing})
        app.screen.update_header()
        await pilot.pause()
        from cockpit.glyphs import G

        top = screen_lines(app)[0]
        assert f"{G.bad} slo" in top, top  # failing sources come first: on screen at 80 columns


async def test_toasts_leave_marcus_alone_and_keep_the_handover_path_on_one_line(app_factory, tmp_path,
                                                                                monkeypatch):
    from textual.widgets._toast import Toast

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / ".local" / "state"))
    app: CockpitApp = app_factory()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot, app)
        await pilot.press("colon", *"handover", "enter")
        for _ in range(100):
            await pilot.pause(0.05)
            if any("written" in n.message for n in app._notifications):
                break
        await pilot.pause(0.3)
        [written] = list((tmp_path / ".local" / "state" / "cockpit" / "handovers").iterdir())
        marcus = app.marcus_pane.region
        toasts = list(app.screen.query(Toast))
        assert toasts
        for toast in toasts:
            assert not toast.region.overlaps(marcus), (toast.region, marcus)
        shown = f"~/.local/state/cockpit/handovers/{written.name}"
        assert any(shown in line for line in screen_lines(app)), screen_lines(app)[-6:]  # not cut mid-filename


async def test_enter_on_a_workload_row_of_an_incident_lists_its_pods(app_factory):
    """Keys as QA pressed them: i, enter, down to the workload, enter — Pods filtered to it."""
    from cockpit.ui.screens.incidents import IncidentScreen

    app: CockpitApp = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("i", "enter")
        await pilot.pause(0.2)
        screen = app.screen
        assert isinstance(screen, IncidentScreen)
        workload = next(k for k in screen.members.keys if k.startswith("workload:"))
        while screen.members.selected_key != workload:
            await pilot.press("j")
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert app.focused_pane_name() == "pods"
        wname = workload.rsplit("/", 1)[-1]
        assert app.pods_pane.shown and all(p.name.startswith(wname) for p in app.pods_pane.shown)
