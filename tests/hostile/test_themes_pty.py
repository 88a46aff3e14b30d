"""Themes and NO_COLOR on a real pty: `cockpit demo` as a 16-colour terminal (TERM=xterm) sees it.

Asserted on the bytes the app writes: NO_COLOR leaves no colour at all (and the row cursor is reverse
video, severities and status are words); the `ansi` theme and a light theme on TERM=xterm use only
the 16 palette colours; the layout holds at 80x24 and 120x40 (rebuilt with pyte).
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path

import pyte
import pytest

ROOT = Path(__file__).parents[2]
SGR = re.compile(rb"\x1b\[([0-9;:]*)m")
PALETTE_16 = {*range(30, 38), 39, *range(40, 48), 49, *range(90, 98), *range(100, 108)}


def run_demo(cols: int, rows: int, env_extra: dict[str, str], *flags: str, seconds: float = 9) -> bytes:
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(ROOT)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("COCKPIT_", "ANTHROPIC_", "COLORTERM", "NO_COLOR", "TEXTUAL", "LC_"))}
        env.setdefault("LANG", "C.UTF-8")
        env.update({"COLUMNS": str(cols), "LINES": str(rows), "HOME": tempfile.mkdtemp(prefix="cockpit-theme-home-"), **env_extra})
        os.execvpe(sys.executable, [sys.executable, "-m", "cockpit", "demo", *flags], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    out = bytearray()
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            r, _, _ = select.select([fd], [], [], 0.05)
            if r:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)
    return bytes(out)


def colour_params(out: bytes) -> set[str]:
    """Every SGR parameter that sets a colour (a 38/48 extended colour is reported as such)."""
    found: set[str] = set()
    for m in SGR.finditer(out):
        params = [p for p in re.split(rb"[;:]", m.group(1)) if p]
        i = 0
        while i < len(params):
            p = int(params[i])
            if p in (38, 48, 58):
                found.add(f"{p};{params[i + 1].decode() if i + 1 < len(params) else ''}")
                i += 3 if i + 1 < len(params) and params[i + 1] == b"5" else 5
                continue
            if 30 <= p <= 49 or 90 <= p <= 107:
                found.add(str(p))
            i += 1
    return found


def screen(out: bytes, cols: int, rows: int) -> list[str]:
    s = pyte.Screen(cols, rows)
    pyte.ByteStream(s).feed(out)
    return s.display


@pytest.mark.parametrize("cols, rows", [(80, 24), (120, 40)])
def test_no_color_means_no_colour_and_still_readable(cols: int, rows: int) -> None:
    out = run_demo(cols, rows, {"TERM": "xterm-256color", "NO_COLOR": "1"})
    colours = {c for c in colour_params(out) if c not in ("39", "49")}  # default fg/bg are no colour
    assert not colours, f"colours under NO_COLOR: {sorted(colours)[:10]}"
    lines = screen(out, cols, rows)
    text = "\n".join(lines)
    assert "critical" in text and ("CrashLoopBackOff" in text or rows < 40)  # severity, status: words
    assert re.search(rb"\x1b\[[0-9;]*\b7\b[0-9;]*m", out), "no reverse video: the cursor would be invisible"
    assert all(len(line) == cols for line in lines) and "Alerts" in text and "Pods" in text


@pytest.mark.parametrize("theme", ["ansi", "textual-light", "textual-dark"])
@pytest.mark.parametrize("cols, rows", [(80, 24), (120, 40)])
def test_sixteen_colour_terminal_gets_only_palette_colours(theme: str, cols: int, rows: int) -> None:
    out = run_demo(cols, rows, {"TERM": "xterm"}, "--theme", theme)
    colours = colour_params(out)
    assert colours, "no colours at all"
    extended = sorted(c for c in colours if ";" in c)
    assert not extended, f"{theme}: 256/true colours sent to a 16-colour terminal: {extended[:8]}"
    assert {int(c) for c in colours} <= PALETTE_16
    text = "\n".join(screen(out, cols, rows))
    assert "Alerts" in text and "Marcus" in text and "critical" in text


def test_unknown_theme_is_one_line_and_exit_2() -> None:
    import subprocess

    r = subprocess.run([sys.executable, "-m", "cockpit", "demo", "--theme", "no-such-theme"], cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "no-such-theme" in r.stderr


@pytest.mark.parametrize("cols, rows", [(80, 24), (120, 40)])
def test_c_locale_draws_ascii_only_with_straight_frames(cols: int, rows: int) -> None:
    """LANG=C on an old jump host: no byte a non-UTF-8 terminal would garble, frames of + - |."""
    out = run_demo(cols, rows, {"TERM": "xterm", "LANG": "C"})
    first = out.find(b"Alerts")
    assert first > 0
    bad = sorted({chr(b) for b in out[first:] if b >= 0x80})
    assert not bad, f"non-ASCII bytes under LANG=C: {bad[:10]}"
    lines = screen(out, cols, rows)
    assert all(len(line) == cols for line in lines)
    frames = [line for line in lines if re.match(r"^\+-.*-\+$", line.rstrip())]
    assert frames, "\n".join(lines)
