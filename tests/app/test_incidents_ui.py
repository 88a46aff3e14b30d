"""The incidents view, driven by keys on the demo incident: i, enter, enter on a member, the highlights."""

from __future__ import annotations

import re

from cockpit.ui.app import CockpitApp
from cockpit.ui.screens.incidents import IncidentScreen, IncidentsScreen, incident_text
from cockpit.ui.screens.main import MainScreen

from .conftest import settle

ESCAPES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]")


async def _ready(pilot, app: CockpitApp) -> None:
    await settle(pilot, app)
    for _ in range(40):  # the findings worker runs 0.2 s after the data landed
        if app.state.incidents:
            break
        await pilot.pause(0.05)
        await app.workers.wait_for_complete()
    await pilot.pause()


async def test_i_lists_incidents_and_enter_opens_the_rollout_with_its_image_diff(app_factory):
    app: CockpitApp = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(pilot, app)
        n = len(app.state.incidents)
        assert n >= 2 and f"{n} incidents (i)" in str(app.header.render())
        await pilot.press("i")
        assert isinstance(app.screen, IncidentsScreen)
        assert app.screen.table.row_count == n
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, IncidentScreen) and screen.incident.rank == 1
        body = str(screen.summary.render()) + str(screen.body.render())
        assert "cause (hypothesis): rollout of deployment shop/checkout-api" in body
        assert "- registry.example.com/shop/checkout-api:v2.13.2" in body
        assert "+ registry.example.com/shop/checkout-api:v2.14.0" in body
        assert "first step: roll back" in body and "Evidence" in body
        await pilot.press("escape")
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_command_line_opens_incidents(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(pilot, app)
        await pilot.press("colon", *"incidents", "enter")
        assert isinstance(app.screen, IncidentsScreen)


async def test_enter_on_a_member_jumps_to_its_row(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(pilot, app)
        first = app.state.incidents[0]
        await pilot.press("i", "enter")
        screen = app.screen
        target = f"pod:{first.members.pods[1]}"
        keys = screen.members.keys
        for _ in range(keys.index(target)):
            await pilot.press("j")
        assert screen.members.selected_key == target
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen) and app.focused_pane_name() == "pods"
        assert f"{app.pods_pane.selected.namespace}/{app.pods_pane.selected.name}" == first.members.pods[1]
        # its incident's other members are marked: the SLOs it burns and the alerts about it
        assert ("checkout", "availability") in app.slos_pane.highlight
        assert set(first.members.alerts) <= app.alerts_pane.highlight


async def test_a_filtered_out_member_is_still_found(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(pilot, app)
        await pilot.press("2", "slash", *"kube-proxy", "enter")
        assert app.pods_pane.filter_text == "kube-proxy"
        member = f"pod:{app.state.incidents[0].members.pods[0]}"
        app.main.jump_to(member)
        await pilot.pause()
        assert app.pods_pane.filter_text == ""
        assert f"pod:{app.pods_pane.selected.namespace}/{app.pods_pane.selected.name}" == member


async def test_selecting_an_alert_marks_its_incident_not_another(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(pilot, app)
        index = app.state.index
        pull = next(i for i in app.state.incidents if "pull" in i.title)
        alert = next(a for a in app.state.alerts.alerts if a.fingerprint in pull.members.alerts)
        app.alerts_pane.table.select_key(alert.fingerprint)
        await pilot.pause()
        assert app.pods_pane.highlight == index.pods[pull.id]
        assert all(name.startswith("feature-flags") for _, _, name in app.pods_pane.highlight)
        assert app.slos_pane.highlight == frozenset()


async def test_incident_layout_shows_the_incident_list_as_a_pane(app_factory):
    app = app_factory(layout="incident")
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(pilot, app)
        pane = app.main.incidents_pane
        assert pane.display and pane.title_plain.startswith(f"Incidents {len(app.state.incidents)}")
        assert pane.table.row_count == len(app.state.incidents)
        await pilot.press("tab")  # the list takes part in pane cycling
        names = []
        for _ in range(5):
            names.append(app.focused_pane_name())
            await pilot.press("tab")
        assert "incidents" in names
        app.main.action_goto("incidents")
        await pilot.press("enter")
        assert isinstance(app.screen, IncidentScreen)


def test_hostile_text_in_an_incident_renders_inert() -> None:
    from dataclasses import replace

    from cockpit.model import Change, Evidence, Impact, Incident, Members
    from tests.unit.test_incidents import NOW

    evil = "\x1b]0;pwned\x07[bold red]x[/] \u202eevil\x1b[2J\x9b31m"
    inc = Incident("inc-1", evil, "critical", evil, "observed", NOW, Impact(text=evil), Members(pods=(evil,)),
                   (Change(NOW, "event", evil, evil, details={"from": evil, "to": "b"}),),
                   (Evidence("pod-1", "pod", evil),), evil)
    text = incident_text(replace(inc), NOW)
    assert "[bold red]x[/] evil" in text.plain  # shown literally, never parsed as markup
    assert "pwned" not in text.plain  # an OSC sequence is dropped whole: its payload would retitle the terminal
    assert not ESCAPES.search(text.plain.replace("\n", ""))


async def test_enter_on_a_workload_or_node_member_shows_its_pods(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(pilot, app)
        app.main.jump_to("workload:deployment/shop/checkout-api")
        await pilot.pause()
        assert app.focused_pane_name() == "pods" and app.pods_pane.filter_text == "ns=shop checkout-api"
        assert app.pods_pane.shown and all(p.name.startswith("checkout-api-") for p in app.pods_pane.shown)
        app.main.jump_to("node:node-3")
        await pilot.pause()
        assert app.pods_pane.shown and all(p.node == "node-3" for p in app.pods_pane.shown)
