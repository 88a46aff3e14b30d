"""cockpit's own glyphs (marks, arrows, bars, spinner), one place: safe widths, ASCII under a non-UTF-8 locale.

Every glyph here is one cell wide under both Rich's `cell_len` and the C library's `wcwidth`, and none
is East Asian Ambiguous (a CJK terminal would draw those two cells wide and crook the frames). Under a
locale that is not UTF-8 (`LANG=C` on an old jump host) the ASCII set is used instead. The middle dot
separator is the one exception: it is part of the pane-title contract (`Pods 10000 · 213 problems`) and
no wider than the box-drawing borders Textual itself draws.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Glyphs:
    ok: str
    bad: str
    warn: str
    tool: str
    arrow: str
    up: str
    down: str
    expanded: str
    collapsed: str
    bar_full: str
    bar_empty: str
    times: str
    newline: str
    ellipsis: str
    swap: str
    vbar: str
    sep: str
    spinner: tuple[str, ...]
    ascii_only: bool = False  # the terminal shows ASCII only: data text is transliterated too


UNICODE = Glyphs(ok="✔", bad="✖", warn="⚠", tool="⚙", arrow="➔", up="⬆", down="⬇", expanded="▾",
                 collapsed="▸", bar_full="▰", bar_empty="▱", times="✕", newline="⏎", ellipsis="⋯",
                 swap="⇄", vbar="❘", sep="·", spinner=("⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"))
ASCII = Glyphs(ok="+", bad="x", warn="!", tool="*", arrow="->", up="^", down="v", expanded="v",
               collapsed=">", bar_full="#", bar_empty="-", times="x", newline="\\n", ellipsis="...",
               swap="<>", vbar="|", sep="|", spinner=("|", "/", "-", "\\"), ascii_only=True)


def locale_is_utf8(env: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    """True when the user's locale (LC_ALL > LC_CTYPE > LANG) names UTF-8.

    Python coerces a C locale to C.UTF-8 by setting LC_CTYPE itself (PEP 538), so an LC_CTYPE of
    exactly C.UTF-8 next to a C/POSIX/unset LANG is read as the coerced C locale it came from.
    """
    lc_all, lc_ctype, lang = env.get("LC_ALL", ""), env.get("LC_CTYPE", ""), env.get("LANG", "")
    if lc_all:
        name = lc_all
    elif lc_ctype and not (lc_ctype == "C.UTF-8" and lang in ("", "C", "POSIX")):
        name = lc_ctype
    else:
        name = lang
    return "utf-8" in name.lower() or "utf8" in name.lower()


G: Glyphs = UNICODE if locale_is_utf8() else ASCII


def _ascii_char(cp: int) -> str:
    """One character as the same number of ASCII cells: frames stay frames, the rest becomes '?'."""
    import unicodedata

    from rich.cells import get_character_cell_size

    ch = chr(cp)
    if cp < 0x80:
        return ch
    name = unicodedata.name(ch, "")
    if name.startswith("BOX DRAWINGS"):
        horizontal, vertical = "HORIZONTAL" in name, "VERTICAL" in name
        return "-" if horizontal and not vertical else "|" if vertical and not horizontal else "+"
    if "BLOCK" in name or name.endswith("SHADE"):
        return "|" if ("LEFT" in name or "RIGHT" in name) else "-" if ("UPPER" in name or "LOWER" in name) \
            and "HALF" not in name else "#"
    simple = {"·": ".", "…": "~", "⋯": "~", "—": "-", "–": "-", "‘": "'", "’": "'", "“": '"', "”": '"'}
    if ch in simple:
        return simple[ch]
    return "?" * get_character_cell_size(ch)


class _AsciiTable(dict[int, str]):
    def __missing__(self, cp: int) -> str:
        if len(self) >= 65536:  # hostile text could name every code point: keep the cache bounded
            self.clear()
        out = self[cp] = _ascii_char(cp)
        return out


_ASCII_TABLE = _AsciiTable()


def to_ascii(text: str) -> str:
    """What a terminal that shows ASCII only can draw, cell for cell (the last line of defence under LANG=C)."""
    return text if text.isascii() else text.translate(_ASCII_TABLE)
