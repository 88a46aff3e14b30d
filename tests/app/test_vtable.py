"""VirtualTable repaints only the lines that changed: what is on screen must still be exactly what a
full repaint shows, after rows change, move, appear and vanish, and after cursor moves."""

from __future__ import annotations

import random

from rich.text import Text
from textual.app import App, ComposeResult

from cockpit.ui.vtable import VirtualTable

COLUMNS = (("name", "Name", 12), ("state", "State", 10), ("n", "N", 6))


def rows(states: dict[str, tuple[str, int]]) -> list[tuple[str, tuple]]:
    return [(k, (k, *v)) for k, v in sorted(states.items(), key=lambda kv: (kv[1][0], kv[0]))]


class TableApp(App):
    def compose(self) -> ComposeResult:
        yield VirtualTable(COLUMNS, lambda item: [Text(str(c)) for c in item])


def on_screen(table: VirtualTable) -> list[str]:
    """The table's lines as the compositor gets them: through Textual's line cache, so a line that
    should have been repainted and was not shows up stale here."""
    return [strip.text for strip in table.render_lines(table.size.region)]


async def full_repaint(pilot, table: VirtualTable) -> list[str]:
    table.refresh()
    await pilot.pause()
    return on_screen(table)


async def test_partial_repaints_match_a_full_repaint() -> None:
    rng = random.Random(7)
    states = {f"pod-{i:03d}": ("Running", 0) for i in range(200)}
    app = TableApp()
    async with app.run_test(size=(40, 12)) as pilot:
        table = app.query_one(VirtualTable)
        table.focus()
        table.set_items(rows(states))
        await pilot.pause()
        for step in range(40):
            for key in rng.sample(sorted(states), 5):  # some rows change, and change rank
                states[key] = (rng.choice(["Running", "CrashLoop", "Pending"]), rng.randint(0, 99))
            if step % 7 == 0:
                states.pop(rng.choice(sorted(states)))
                states[f"new-{step:03d}"] = ("Pending", step)
            table.set_items(rows(states))
            await pilot.press(rng.choice(["down", "down", "up", "j", "pagedown", "g"]))
            await pilot.pause()
            shown = on_screen(table)
            assert shown == await full_repaint(pilot, table), f"stale lines after step {step}"
        assert any("pod-" in line for line in shown)



class FlexNameApp(App):
    def compose(self) -> ComposeResult:
        yield VirtualTable(COLUMNS, lambda item: [Text(str(c)) for c in item], flex="name")


async def test_last_column_is_not_clipped_by_the_scrollbar() -> None:
    """With more rows than lines a vertical scrollbar appears: the columns fit beside it, so the
    last column's longest value is shown whole (QA: Pods `Restarts` showed `4 (1m32s`)."""
    app = FlexNameApp()
    async with app.run_test(size=(22, 8)) as pilot:  # 6 + 1 + 7 + 1 + 6 = 21 cells: one spare
        table = app.query_one(VirtualTable)
        table.set_items([(f"pod-{i:02d}", (f"pod-{i:02d}", "Running", "4 (1m)")) for i in range(30)])
        await pilot.pause()
        assert table.show_vertical_scrollbar
        lines = [strip.text for strip in app.screen._compositor.render_strips()]  # what the terminal gets
        assert any("4 (1m)" in line for line in lines), lines
