"""A DataTable updated by diffing rows on stable keys: no clear()+refill, the cursor stays on its row."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

# TwoWayDict is how DataTable stores row order; we set it directly to apply our own order in one step.
from textual._two_way_dict import TwoWayDict
from textual.binding import Binding
from textual.widgets import DataTable
from textual.widgets._data_table import RowKey
from textual.widgets.data_table import CellDoesNotExist

Cell = str | Text
Row = tuple[str, Sequence[Cell]]  # (stable key, cells)


class KeyedTable(DataTable):
    """Rows carry stable keys; `apply_rows` diffs against what is shown."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "scroll_top", "Top", show=False),
        Binding("G", "scroll_bottom", "Bottom", show=False),
        Binding("home", "scroll_top", "Top", show=False),
        Binding("end", "scroll_bottom", "Bottom", show=False),
    ]

    def __init__(self, columns: Sequence[tuple[str, str]], **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self._columns_spec = list(columns)
        self._column_keys = [key for key, _ in columns]
        self._shown: dict[str, tuple[Cell, ...]] = {}
        self._order: list[str] = []

    def on_mount(self) -> None:
        for key, label in self._columns_spec:  # columns need the app's console to measure labels
            self.add_column(label, key=key)

    @property
    def selected_key(self) -> str | None:
        if not self._order or self.cursor_row < 0 or self.cursor_row >= len(self._order):
            return None
        return self._order[self.cursor_row]

    @property
    def keys(self) -> list[str]:
        return list(self._order)

    def action_scroll_top(self) -> None:
        self.move_cursor(row=0)

    def action_scroll_bottom(self) -> None:
        self.move_cursor(row=max(0, self.row_count - 1))

    def select_key(self, key: str) -> bool:
        try:
            index = self._order.index(key)
        except ValueError:
            return False
        self.move_cursor(row=index, scroll=True)
        return True

    def apply_rows(self, rows: Sequence[Row]) -> None:
        """Make the table show `rows` in this order, touching only what changed."""
        selected = self.selected_key
        wanted = {key: tuple(cells) for key, cells in rows}
        for key in [k for k in self._shown if k not in wanted]:
            self.remove_row(key)
            del self._shown[key]
        for key, cells in wanted.items():
            old = self._shown.get(key)
            if old is None:
                self.add_row(*cells, key=key)
            elif old != cells:
                for col, (a, b) in zip(self._column_keys, zip(old, cells, strict=False), strict=False):
                    if a != b:
                        try:
                            self.update_cell(key, col, b)
                        except CellDoesNotExist:  # pragma: no cover
                            pass
            self._shown[key] = cells
        order = [key for key, _ in rows]
        if order != self._order:
            self._apply_order(order)
        self._order = order
        if selected is not None and selected in wanted:
            index = order.index(selected)
            if index != self.cursor_row:
                self.move_cursor(row=index, scroll=False)

    def _apply_order(self, order: list[str]) -> None:
        # DataTable.sort() cannot see row keys; this is what it does, with our own order.
        self._row_locations = TwoWayDict({RowKey(k): i for i, k in enumerate(order)})
        self._update_count += 1
        self.refresh()
