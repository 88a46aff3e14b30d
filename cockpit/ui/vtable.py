"""A virtual table: rows are rendered only when they are on screen.

DataTable builds and measures every cell of every row: with 10,000 pods that is seconds per refresh.
Here the pane hands over its ordered (key, item) pairs; a row is turned into cells only when it is
scrolled into view, and cached until its item changes. The cursor follows its key across updates.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from cockpit.glyphs import G

_CUT = G.ellipsis if len(G.ellipsis) == 1 else "~"  # one cell marks a cut in the middle

Cells = Sequence[Text]
RenderRow = Callable[[Any], Cells]

HEADER_STYLE = Style(bold=True, color="bright_white", bgcolor="grey23")
CURSOR_FOCUSED = Style(bgcolor="dodger_blue3", color="white", bold=True)
CURSOR_BLURRED = Style(bgcolor="grey30")
CURSOR_PLAIN_FOCUSED = Style(reverse=True, bold=True)
CURSOR_PLAIN_BLURRED = Style(reverse=True)
SAMPLE_ROWS = 300  # rows measured to size the columns


class Rows:
    """Ordered (key, item) rows, buildable off the event loop: for 10k rows the comprehensions cost
    milliseconds that a keypress would otherwise wait behind."""

    __slots__ = ("keys", "items")

    def __init__(self, keys: list[str], items: dict[str, Any]) -> None:
        self.keys = keys
        self.items = items

    @classmethod
    def of(cls, pairs: Sequence[tuple[str, Any]]) -> Rows:
        return cls([k for k, _ in pairs], dict(pairs))

    def find(self, key: str) -> int | None:
        """Position of a key: list.index runs in C, cheaper than keeping a 10k-entry index dict."""
        return self.keys.index(key) if key in self.items else None


class VirtualTable(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    VirtualTable { height: 1fr; scrollbar-size-vertical: 1; scrollbar-size-horizontal: 0; }
    """
    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup,ctrl+b", "page(-1)", "Page up", show=False),
        Binding("pagedown,ctrl+f", "page(1)", "Page down", show=False),
        Binding("home,g", "first", "Top", show=False),
        Binding("end,G", "last", "Bottom", show=False),
        Binding("enter", "select", "Open", show=False),
    ]

    class RowHighlighted(Message):
        def __init__(self, table: VirtualTable, key: str | None) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> VirtualTable:
            return self.table

    class RowSelected(RowHighlighted):
        pass

    def __init__(self, columns: Sequence[tuple], render_row: RenderRow | None = None,
                 flex: str = "", middle: tuple[str, ...] = (), flex_keep: int = 12, **kwargs: Any) -> None:
        """columns: (key, label, max width[, drop priority[, floor]]); `flex` names the column that takes the
        spare width. When the widget is too narrow, columns with the lowest priority are hidden first,
        while the flex column would be cut below `flex_keep` cells.
        A column with a floor may be narrowed to it before any column is hidden (an incident's title
        is cut rather than its member counts hidden). Columns in `middle` are shortened in the middle
        (pod names keep their unique suffix)."""
        super().__init__(**kwargs)
        self.columns = [(c[0], c[1], c[2]) for c in columns]
        self.priority = [c[3] if len(c) > 3 else 99 for c in columns]
        self.floor = [c[4] if len(c) > 4 else c[2] for c in columns]
        self.middle = [c[0] in middle for c in columns]
        self.flex = flex or self.columns[-1][0]
        self.flex_keep = flex_keep
        self.render_row = render_row or (lambda item: item)
        self._keys: list[str] = []
        self._items: dict[str, Any] = {}
        self._rows = Rows([], {})
        self._cache: dict[str, tuple[Any, Cells]] = {}
        self._widths: list[int] = [len(label) for _, label, _ in self.columns]
        self.cursor = 0
        self._measured_at = 0.0
        self._widths_memo: tuple = (None, [])
        self._strips: dict[str, tuple] = {}  # key -> (cells, widths, style, strip)
        self._measured_count = -1

    # -- data --------------------------------------------------------------------------------------
    @property
    def keys(self) -> list[str]:
        return self._keys

    @property
    def row_count(self) -> int:
        return len(self._keys)

    @property
    def selected_key(self) -> str | None:
        return self._keys[self.cursor] if 0 <= self.cursor < len(self._keys) else None

    def item(self, key: str) -> Any:
        return self._items.get(key)

    def set_items(self, items: Sequence[tuple[str, Any]] | Rows) -> None:
        """Show these rows in this order. Rows whose item is unchanged keep their rendered cells, and
        only the on-screen lines that changed are repainted."""
        selected = self.selected_key
        old_keys, old_items, old_cursor, old_widths = self._keys, self._items, self.cursor, self._widths
        rows = items if isinstance(items, Rows) else Rows.of(items)
        self._rows, self._keys, self._items = rows, rows.keys, rows.items
        if len(self._cache) > 4 * max(len(self._keys), 1000):
            self._cache = {k: v for k, v in self._cache.items() if k in self._items}
        if len(self._strips) > 2000:  # strips are only kept for rows that were on screen
            self._strips = {}
        at = rows.find(selected) if selected is not None else None
        if at is not None:
            self.cursor = at
        else:
            self.cursor = min(self.cursor, max(0, len(self._keys) - 1))
        now = time.monotonic()
        if len(self._keys) != self._measured_count or now - self._measured_at > 1.0:
            self._measure()  # at most once a second while rows churn: it renders a sample of rows
            self._measured_at, self._measured_count = now, len(self._keys)
        size = Size(self.size.width, len(self._keys) + 1)
        if size != self.virtual_size or self._widths != old_widths:
            self.virtual_size = size  # a new virtual size relayouts: only when the row count changed
            self.refresh()
        else:
            self._refresh_rows(self._changed_rows(old_keys, old_items), old_cursor, self.cursor)
        if selected != self.selected_key:
            self.post_message(self.RowHighlighted(self, self.selected_key))

    def _changed_rows(self, old_keys: list[str], old_items: dict[str, Any]) -> list[int]:
        """On-screen rows whose key or item differs from before."""
        top = int(self.scroll_offset.y)
        out = []
        for i in range(top, min(len(self._keys), top + max(0, self.size.height - 1))):
            key = self._keys[i]
            before, now = old_items.get(key), self._items[key]
            if i >= len(old_keys) or old_keys[i] != key or (before is not now and before != now):
                out.append(i)
        return out

    def _refresh_rows(self, *rows: int | list[int]) -> None:
        """Repaint just these rows (indexes into the keys) where on screen: with a 10k-row table a
        full repaint on every watch update or cursor move costs tens of ms of compositing."""
        top, body = int(self.scroll_offset.y), self.size.height - 1
        wanted = {i for r in rows for i in (r if isinstance(r, list) else (r,))}
        regions = [Region(0, i - top + 1, self.size.width, 1) for i in wanted if top <= i < top + body]
        if regions:
            self.refresh(*regions)

    def _cells(self, key: str) -> Cells:
        item = self._items[key]
        cached = self._cache.get(key)
        if cached is not None and (cached[0] is item or cached[0] == item):
            return cached[1]
        cells = self.render_row(item)
        self._cache[key] = (item, cells)
        return cells

    def _measure(self) -> None:
        """Column widths from the header and a sample of rows (the first ones: problems come first)."""
        widths = [len(label) for _, label, _ in self.columns]
        sample = self._keys[:SAMPLE_ROWS]
        top = int(self.scroll_offset.y)
        sample += self._keys[top: top + 60]
        for key in sample:
            for i, cell in enumerate(self._cells(key)):
                if i < len(widths):
                    widths[i] = max(widths[i], cell.cell_len)
        # Widths only grow: a filter showing a few narrow rows must not change which columns fit
        # (same data, same columns), and rows that come and go must not make the table jitter.
        self._widths = [max(old, min(w, limit))
                        for old, w, (_, _, limit) in zip(self._widths, widths, self.columns, strict=True)]

    def _layout_widths(self) -> list[int]:
        """Fit the columns into the widget: the least important columns are hidden (width 0) while
        the flex column would be cut below its values (up to flex_keep cells: a pod's whole
        `CrashLoopBackOff` beats a Namespace column), then the flex column shrinks, then the widest."""
        widths = list(self._widths)
        flex = next((i for i, (k, _, _) in enumerate(self.columns) if k == self.flex), len(widths) - 1)

        def available() -> int:
            return self._content_width() - (sum(1 for w in widths if w) - 1)

        keep = min(widths[flex], self.flex_keep)
        floors = [min(w, f) for w, f in zip(widths, self.floor, strict=True)]

        def needed(sizes: list[int]) -> int:
            return sum(w for i, w in enumerate(sizes) if i != flex and widths[i]) + keep

        droppable = sorted((p, i) for i, p in enumerate(self.priority) if p < 99)
        while needed(floors) > available() and droppable:
            widths[droppable.pop(0)[1]] = 0
        while needed(widths) > available():  # narrow the columns that may be narrowed, widest first
            narrowable = [i for i, w in enumerate(widths) if i != flex and w > floors[i]]
            if not narrowable:
                break
            widths[max(narrowable, key=lambda i: widths[i])] -= 1
        spare = available() - sum(widths)
        if spare >= 0:
            widths[flex] += spare
            return widths
        widths[flex] = max(min(widths[flex], self.flex_keep), widths[flex] + spare)
        while sum(widths) > available() and max(widths) > 4:
            i = widths.index(max(widths))
            widths[i] -= 1
        return widths

    # -- rendering ---------------------------------------------------------------------------------
    def _line(self, cells: Sequence[Text], widths: list[int], style: Style | None = None) -> list[Segment]:
        line = Text(no_wrap=True, end="")
        first = True
        for cell, width, middle in zip(cells, widths, self.middle, strict=False):
            if not width:
                continue
            if not first:
                line.append(" ")
            first = False
            if middle and cell.cell_len > width > 3:
                head = (width - 1) // 2
                piece = Text(cell.plain[:head] + _CUT + cell.plain[-(width - 1 - head):], style=cell.style)
            else:
                piece = cell.copy()
            piece.truncate(width, overflow="ellipsis", pad=True)
            line.append_text(piece)
        if style is not None:
            line.stylize(style)
        return list(line.render(self.app.console, end=""))

    def _content_width(self) -> int:
        """Width beside the vertical scrollbar (size.width includes it: the last column was cut)."""
        return self.scrollable_content_region.width

    def _widths_now(self) -> list[int]:
        memo_key = (self._content_width(), tuple(self._widths))
        if self._widths_memo[0] != memo_key:
            self._widths_memo = (memo_key, self._layout_widths())
        return self._widths_memo[1]

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        widths = self._widths_now()
        if y == 0:
            header = [Text(label) for _, label, _ in self.columns]
            return Strip(self._line(header, widths, HEADER_STYLE)).crop_extend(0, width, HEADER_STYLE)
        index = int(self.scroll_offset.y) + y - 1
        if index >= len(self._keys):
            return Strip.blank(width, self.rich_style)
        style = None
        if index == self.cursor:
            if self.app.no_color:  # NO_COLOR: the cursor must not be a background colour alone
                style = CURSOR_PLAIN_FOCUSED if self.has_focus else CURSOR_PLAIN_BLURRED
            else:
                style = CURSOR_FOCUSED if self.has_focus else CURSOR_BLURRED
        key = self._keys[index]
        cells = self._cells(key)
        # Rows move as others change rank: a row keeps its rendered strip while its cells,
        # the column widths and its cursor style are the same.
        cached = self._strips.get(key)
        if cached is not None and cached[0] is cells and cached[1] is widths and cached[2] is style:
            return cached[3]
        strip = Strip(self._line(cells, widths, style)).crop_extend(0, width, style or self.rich_style)
        self._strips[key] = (cells, widths, style, strip)
        return strip

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, len(self._keys) + 1)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- cursor ------------------------------------------------------------------------------------
    def move_cursor(self, row: int) -> None:
        if not self._keys:
            return
        row = max(0, min(row, len(self._keys) - 1))
        old, top = self.cursor, self.scroll_offset.y
        changed = row != old
        self.cursor = row
        self._scroll_to_cursor()
        if self.scroll_offset.y != top:
            self.refresh()
        else:
            self._refresh_rows(old, row)
        if changed:
            self.post_message(self.RowHighlighted(self, self.selected_key))

    def select_key(self, key: str) -> bool:
        at = self._rows.find(key)
        if at is None:
            return False
        self.move_cursor(at)
        return True

    def _scroll_to_cursor(self) -> None:
        body = max(1, self.size.height - 1)  # the header line is not scrolled
        top = int(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + body:
            self.scroll_to(y=self.cursor - body + 1, animate=False)

    def action_cursor(self, step: int) -> None:
        self.move_cursor(self.cursor + step)

    def action_page(self, direction: int) -> None:
        self.move_cursor(self.cursor + direction * max(1, self.size.height - 2))

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(len(self._keys) - 1)

    def action_select(self) -> None:
        if self.selected_key is not None:
            self.post_message(self.RowSelected(self, self.selected_key))

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1:
            self.move_cursor(int(self.scroll_offset.y) + event.y - 1)
