"""Keys that arrive together (typed ahead, or batched by a slow SSH link) act on the pane the first one chose."""

from __future__ import annotations

from textual import events

from .conftest import settle


async def test_a_jump_then_a_move_in_one_burst_moves_in_the_new_pane(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("3")
        slo_cursor = app.slos_pane.table.cursor
        for key in ("2", "j"):  # both queued before either is handled, as tmux send-keys or a pasted burst does
            app.post_message(events.Key(key, key))
        await pilot.pause()
        await pilot.pause()
        assert app.focused_pane_name() == "pods"
        assert app.pods_pane.table.cursor == 1, "j went to the pane that had the focus before 2"
        assert app.slos_pane.table.cursor == slo_cursor
