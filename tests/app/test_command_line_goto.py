""":pods, :slo, :marcus and :alerts on the command line move to that pane (DESIGN's fixed `:pods`), at both sizes."""

from __future__ import annotations

import pytest

from .conftest import settle


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_command_line_jumps_to_the_named_pane(app_factory, size):
    app = app_factory()
    async with app.run_test(size=size) as pilot:
        await settle(pilot, app)
        assert app.focused_pane_name() == "alerts"
        for command, pane in (("pods", "pods"), ("slo", "slos"), ("marcus", "marcus"), ("alerts", "alerts")):
            await pilot.press("colon", *command, "enter")
            await pilot.pause()
            assert app.focused_pane_name() == pane, f":{command}"
            assert app.panes[pane].display
        await pilot.press("2", "colon", *"nosuch", "enter")  # a mistake leaves you where you were
        await pilot.pause()
        assert app.focused_pane_name() == "pods"
        await pilot.press("3", "colon", *"po", "escape")  # escape backs out to the pane `:` was typed in
        await pilot.pause()
        assert app.focused_pane_name() == "slos" and not app.main.cmdline.display
