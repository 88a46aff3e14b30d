"""The cockpit driven by keys, as an on-call engineer would, on the demo incident."""

from __future__ import annotations

import json

from cockpit.ui.app import CockpitApp
from cockpit.ui.keymap import help_sections
from cockpit.ui.screens.main import MainScreen

from .conftest import settle


def title(pane) -> str:
    return pane.title_plain


async def test_demo_opens_mid_incident_with_counts_in_titles(app_factory):
    app: CockpitApp = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        assert "critical" in title(app.alerts_pane)
        assert title(app.pods_pane).startswith("Pods ")
        assert "problems" in title(app.pods_pane) and " 0 problems" not in title(app.pods_pane)
        assert "page" in title(app.slos_pane)
        assert "DEMO" in str(app.header.render())
        # problem pods first: the first row is a crash-looping / OOMKilled checkout pod
        first = app.pods_pane.shown[0]
        assert "checkout" in first.name and ("CrashLoopBackOff" in first.reason or "OOMKilled" in first.reason)
        # Marcus commented on his own, offline
        await pilot.pause(0.3)
        assert "offline" in title(app.marcus_pane)
        assert "checkout" in app.marcus_pane.transcript


async def test_tab_and_number_keys_move_between_panes(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        assert app.focused_pane_name() == "alerts"
        seen = []
        for _ in range(4):
            await pilot.press("tab")
            seen.append(app.focused_pane_name())
        assert seen == ["pods", "slos", "marcus", "alerts"]
        await pilot.press("shift+tab")
        assert app.focused_pane_name() == "marcus"
        for key, pane in (("1", "alerts"), ("2", "pods"), ("3", "slos"), ("4", "marcus")):
            await pilot.press(key)
            assert app.focused_pane_name() == pane


async def test_j_k_g_G_move_the_cursor(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("2")
        table = app.pods_pane.table
        await pilot.press("j", "j")
        assert table.cursor == 2
        await pilot.press("k")
        assert table.cursor == 1
        await pilot.press("G")
        assert table.cursor == table.row_count - 1
        await pilot.press("g")
        assert table.cursor == 0


async def test_filter_keeps_matches_and_selects_first(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        total = len(app.alerts_pane.shown)
        await pilot.press("slash")
        assert app.focused is app.alerts_pane.filter_input
        await pilot.press(*"severity=critical")
        await pilot.press("enter")
        assert app.focused is app.alerts_pane.table
        shown = app.alerts_pane.shown
        assert shown and len(shown) < total
        assert all(a.severity == "critical" for a in shown)
        assert app.alerts_pane.table.cursor == 0
        assert "/severity=critical" in title(app.alerts_pane)
        await pilot.press("escape")
        assert len(app.alerts_pane.shown) == total


async def test_pod_filter_by_namespace(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("2", "slash", *"ns=payments", "enter")
        assert app.pods_pane.shown and all(p.namespace == "payments" for p in app.pods_pane.shown)


async def test_silence_dialog_creates_silence_and_row_shows_it(app_factory, tmp_path):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        alert = next(a for a in app.alerts_pane.shown if a.state == "firing" and a.severity == "critical")
        app.alerts_pane.table.select_key(alert.fingerprint)
        await pilot.press("s")
        await pilot.pause()
        dialog = app.screen
        assert dialog.duration_input.value == "1h"
        assert alert.name in dialog.comment_input.value
        assert f'alertname="{alert.name}"' in dialog.matchers_input.value
        await pilot.press("enter")
        await settle(pilot, app)
        after = next(a for a in app.state.alerts.alerts if a.fingerprint == alert.fingerprint)
        assert after.state == "silenced"
        assert any(s.state == "active" and s.created_by == "tester@host" for s in app.state.alerts.silences)
        lines = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
        assert lines[-1]["action"] == "silence" and lines[-1]["result"].startswith("ok: active")


async def test_readonly_refuses_silence_and_says_so(app_factory):
    app = app_factory(readonly=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("s")
        await pilot.pause()
        assert len(app.screen_stack) == 1  # no dialog
        assert any("read-only" in str(n.message) for n in app._notifications)
        assert "READONLY" in str(app.header.render())
        assert not app.state.alerts.silences


async def test_layout_switching_live_and_compact_at_80x24(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert app.layout_def.name == "compact"
        assert app.alerts_pane.display and not app.pods_pane.display
        await pilot.press("2")
        assert app.pods_pane.display and not app.alerts_pane.display
        await pilot.press("colon", *"layout incident", "enter")
        await pilot.pause()
        assert app.layout_def.name == "incident"
        assert all(p.display for p in app.panes.values())


async def test_help_lists_every_key(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("question_mark")
        await pilot.pause()
        text = app.screen.body.render().plain
        sections = help_sections()
        for _, keys in sections:
            for key, _what, binding_id in keys:
                assert key in text and f"[{binding_id}]" in text
        bound = {(b.id, k) for b in [*CockpitApp.BINDINGS, *MainScreen.BINDINGS] for k in b.key.split(",")}
        listed = {i: k for _, keys in sections for k, _, i in keys}
        names = {"question_mark": "?", "slash": "/", "colon": ":"}
        for binding_id, key in bound:
            assert names.get(key, key) in listed[binding_id].split(), f"key {key} missing from help"


async def test_ask_opens_focused_with_selection_and_marcus_answers(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("2")  # the worst pod is selected
        pod = app.pods_pane.selected
        await pilot.press("a")
        assert app.focused is app.marcus_pane.ask_input
        assert pod.name in app.marcus_pane.about.render().plain
        await pilot.press(*"what do you make of this?", "enter")
        await pilot.pause(0.5)
        await app.workers.wait_for_complete()
        transcript = app.marcus_pane.transcript
        assert "what do you make of this?" in transcript
        assert pod.name in transcript or "checkout" in transcript


async def test_logs_and_describe_of_selected_pod_are_sanitized(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("2", "l")
        await pilot.pause(0.3)
        await app.screen.workers.wait_for_complete()
        await pilot.pause()
        logs = "\n".join(app.screen.lines)
        assert logs and "\x1b" not in logs and "\x07" not in logs
        await pilot.press("escape", "d")
        await pilot.pause(0.3)
        await app.screen.workers.wait_for_complete()
        await pilot.pause()
        body = app.screen.body.render().plain
        assert "Containers" in body and "Events" in body


async def test_silences_view_expires_with_confirmation(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("A")  # ack: 15-minute silence commented ACK
        await settle(pilot, app)
        ack = next(s for s in app.state.alerts.silences if s.comment.startswith("ACK by tester"))
        await pilot.press("S")
        await pilot.pause()
        app.screen.table.select_key(ack.id)
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot, app)
        assert next(s for s in app.state.alerts.silences if s.id == ack.id).state == "expired"


async def test_small_terminal_switches_to_compact_and_back(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        assert app.layout_def.name == "default"
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert app.layout_def.name == "compact"
        await pilot.resize_terminal(130, 42)
        await pilot.pause()
        assert app.layout_def.name == "default"


async def test_notifications_show_backend_text_literally(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        app.notify("expire failed: HTTP 502: [bold red]proxy[/] \x1b]0;pwned\x07 says no")
        await pilot.pause()
        note = list(app._notifications)[-1]
        assert note.markup is False
        assert note.message == "expire failed: HTTP 502: [bold red]proxy[/]  says no"
