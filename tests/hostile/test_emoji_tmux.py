"""Columns stay straight in Debian's tmux (issue 22): emoji in an alert summary and in Marcus's answer.

tmux 3.3a measures what it is sent code point by code point with the C library's wcwidth; Rich measures
grapheme clusters. The app runs in a real tmux at 120x40 and 80x24; from `tmux capture-pane -p -N`
every screen line must be exactly the terminal's width and every pane's side borders must stay in the
columns of its corners, on the main screen (alerts table), with Marcus's answer and on the details screen.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

_libc = ctypes.CDLL(ctypes.util.find_library("c"))
_libc.newlocale.restype = ctypes.c_void_p
_libc.newlocale.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p]
_libc.uselocale.restype = ctypes.c_void_p
_libc.uselocale.argtypes = [ctypes.c_void_p]
_libc.wcwidth.argtypes = [ctypes.c_wchar]
_UTF8 = _libc.newlocale(1, b"C.UTF-8", None)


def tmux_width(ch: str) -> int:
    """A character's width as tmux 3.3a places it: wcwidth, and 1 where wcwidth does not know it."""
    old = _libc.uselocale(_UTF8)
    try:
        w = _libc.wcwidth(ch)
    finally:
        _libc.uselocale(old)
    return 1 if w < 0 else w


def cells(line: str) -> list[str]:
    """The screen cells of one captured line (a wide character fills its cell and a padding cell)."""
    out: list[str] = []
    for ch in line:
        w = tmux_width(ch)
        if w == 0 and out:
            out[-1] += ch
        else:
            out.append(ch)
            out.extend([""] * (w - 1))
    return out


VERTICAL = set("│┃║▏▕▎▍▌▋▊▉█▐")


def boxes(grid: list[list[str]]) -> list[tuple[int, int, int, int]]:
    """(top, left, bottom, right) of every rounded/square box drawn on the screen."""
    found = []
    for top, row in enumerate(grid):
        for left, ch in enumerate(row):
            if ch not in ("╭", "┌"):
                continue
            right = next((c for c in range(left + 1, len(row)) if row[c] in ("╮", "┐")), None)
            bottom = next((r for r in range(top + 1, len(grid)) if grid[r][left] in ("╰", "└")), None)
            if right is not None and bottom is not None:
                found.append((top, left, bottom, right))
    return found


def check_screen(text: str, cols: int, rows: int, what: str, frames: bool = True) -> list[tuple[int, int, int, int]]:
    lines = text.split("\n")[:rows]
    assert len(lines) == rows, f"{what}: {len(lines)} lines"
    grid = [cells(line) for line in lines]
    for i, row in enumerate(grid):
        assert len(row) == cols, f"{what}: line {i} is {len(row)} cells wide, not {cols}:\n{lines[i]}"
    found = boxes(grid)
    assert found or not frames, f"{what}: no pane frames found\n{text}"
    for top, left, bottom, right in found:
        for r in range(top + 1, bottom):
            assert grid[r][left] in VERTICAL and grid[r][right] in VERTICAL, (
                f"{what}: the frame from line {top} col {left}..{right} is broken on line {r}:\n{lines[r]}")
        assert grid[bottom][right] in ("╯", "┘"), f"{what}: bottom-right corner of box at {top},{left} moved"
    return found


class Tmux:
    def __init__(self, cols: int, rows: int) -> None:
        self.socket = f"cockpit-emoji-{uuid.uuid4().hex[:8]}"
        self.cols, self.rows = cols, rows
        env = {k: v for k, v in os.environ.items() if not k.startswith(("COCKPIT_", "TMUX"))}
        env.pop("ANTHROPIC_API_KEY", None)
        env["LANG"] = "C.UTF-8"
        cmd = f"cd {ROOT} && exec {sys.executable} -m tests.hostile.emoji_app"
        subprocess.run(self.tmux("new-session", "-d", "-x", str(cols), "-y", str(rows), "-s", "t", cmd),
                       check=True, env=env)

    def tmux(self, *args: str) -> list[str]:
        return ["tmux", "-L", self.socket, "-f", "/dev/null", *args]

    def capture(self) -> str:
        return subprocess.run(self.tmux("capture-pane", "-p", "-N", "-t", "t"), check=True,
                              capture_output=True, text=True).stdout

    def wait_for(self, needle: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.capture()
            if needle in screen:
                time.sleep(0.7)  # let the frame settle
                return self.capture()
            time.sleep(0.3)
        raise AssertionError(f"{needle!r} never appeared:\n{self.capture()}")

    def keys(self, *keys: str, literal: bool = False) -> None:
        subprocess.run(self.tmux("send-keys", "-t", "t", *(["-l"] if literal else []), *keys), check=True)

    def close(self) -> None:
        subprocess.run(self.tmux("kill-server"), capture_output=True)


@pytest.mark.parametrize("cols, rows", [(120, 40), (80, 24)])
def test_frames_stay_straight_with_emoji(cols: int, rows: int) -> None:
    term = Tmux(cols, rows)
    try:
        term.wait_for("Emoji4", timeout=40)
        term.wait_for("cart-7d9", timeout=30)
        main = term.capture()
        assert "支付服" in main  # the CJK text is kept as written
        check_screen(main, cols, rows, "main screen")

        term.keys("a")
        time.sleep(1)
        for part in ("what about", " ⚠️ 👍🏽", " 👨‍💻 🇩🇪", " 1️⃣ 日本語 🫎?"):
            term.keys(part, literal=True)
            time.sleep(0.3)
        term.keys("Enter")
        term.wait_for("you: what about", timeout=20)  # the ask box's echo
        # the streamed answer, one code point per delta; at 80x24 its end is below the panel's fold
        answered = term.wait_for("done.", timeout=30) if rows >= 40 else (time.sleep(5), term.capture())[1]
        assert "Marcus" in answered
        check_screen(answered, cols, rows, "Marcus answer")

        term.keys("Escape")
        time.sleep(0.8)  # an escape right before a key would read as alt+key
        term.keys("1")
        time.sleep(0.5)
        term.keys("Enter")
        details = term.wait_for("fingerprint fp0", timeout=15)
        assert "second line" in details and "日本語" in details
        check_screen(details, cols, rows, "alert details", frames=False)  # a full screen: its footer
        footer = [c for c in cells(details.split("\n")[rows - 1])]
        assert footer.index("▏") == cells(main.split("\n")[rows - 1]).index("▏")  # stays in its column
    finally:
        term.close()
