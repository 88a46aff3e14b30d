"""One screen over the main one at a time, however fast keys come; Textual's own toasts keep their
formatting while backend text in a toast stays literal."""

from __future__ import annotations

from rich.text import Text

from cockpit.ui.screens.help import HelpScreen
from tests.app.conftest import make_app, settle


async def test_enter_then_help_typed_fast_opens_only_help(tmp_path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        app.alerts_pane.table.focus()
        await pilot.pause()
        # the two keys arrive before the row's "selected" message is handled
        app.alerts_pane.table.action_select()
        app.action_help()
        for _ in range(10):
            await pilot.pause(0.02)
        stack = [type(s).__name__ for s in app.screen_stack]
        assert len(app.screen_stack) == 2, stack
        assert isinstance(app.screen, HelpScreen), stack


async def test_help_twice_is_one_help(tmp_path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        app.action_help()
        app.action_help()
        await pilot.pause(0.1)
        assert len(app.screen_stack) == 2


async def test_ctrl_c_hint_is_formatted_not_markup_text(tmp_path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+c")
        await pilot.pause(0.1)
        hint = list(app._notifications)[-1]
        shown = Text.from_markup(hint.message).plain if hint.markup else hint.message
        assert "quit" in shown and "[b]" not in shown and "[/b]" not in shown, shown


async def test_backend_text_in_a_toast_stays_literal(tmp_path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        app.notify("alertmanager: [bold red]PWNED[/] \x1b]52;c;eA==\x07")
        await pilot.pause(0.1)
        toast = list(app._notifications)[-1]
        assert toast.markup is False
        assert "[bold red]PWNED[/]" in toast.message and "\x1b" not in toast.message


async def test_enter_and_help_as_keys(tmp_path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        app.alerts_pane.table.focus()
        await pilot.press("enter", "question_mark")
        await pilot.pause(0.2)
        assert len(app.screen_stack) <= 2, [type(x).__name__ for x in app.screen_stack]
