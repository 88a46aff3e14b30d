"""Hostile text through every pane, the alert details, the logs view, Marcus's answer and the snapshot,
asserted on the bytes the app writes to a real pty (and on a pyte screen built from them)."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pyte
import pytest

from tests.hostile.hostile_app import DATA, corpus

ROOT = Path(__file__).parents[2]
COLS, ROWS = 120, 40
MARKERS = json.loads((DATA / "corpus.json").read_text())["markers"]


class Term:
    """The app in a pty; every byte it writes is kept."""

    def __init__(self) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # child
            os.chdir(ROOT)
            env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(COLS), "LINES": str(ROWS)}
            env.pop("ANTHROPIC_API_KEY", None)
            os.execvpe(sys.executable, [sys.executable, "-m", "tests.hostile.hostile_app"], env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        self.out = bytearray()

    def read(self, seconds: float, until: bytes = b"") -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            r, _, _ = select.select([self.fd], [], [], 0.05)
            if r:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    return
                if not chunk:
                    return
                self.out += chunk
                if until and until in self.out:
                    return

    def key(self, data: bytes, settle: float) -> None:
        os.write(self.fd, data)
        self.read(settle)

    def close(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)
        os.close(self.fd)


@pytest.fixture(scope="module")
def session() -> bytes:
    """One run through every view: alerts, alert details, pods, logs, Marcus; then quit."""
    term = Term()
    try:
        term.read(25, until=b"Hostile")  # first frame with data
        term.read(3)
        steps = [(b"\r", 2), (b"\x1b", 1), (b"2", 1), (b"l", 3), (b"\x1b", 1), (b"d", 2), (b"\x1b", 1),
                 (b"c", 4), (b"1", 1)]
        for data, wait in steps:
            term.key(data, wait)
        screen_bytes = bytes(term.out)
        term.key(b"q", 2)
        return screen_bytes
    finally:
        term.close()


def osc_sequences(out: bytes) -> list[bytes]:
    return re.findall(rb"\x1b\](.*?)(?:\x07|\x1b\\)", out, re.S)


def test_the_app_ran_through_every_view(session: bytes) -> None:
    text = session.decode("utf-8", "replace")
    assert "Hostile" in text  # the alerts pane drew hostile rows
    assert "evil-" in text  # pods from fakekube
    assert "clipboard from log" in text  # the logs view
    assert "Marcus" in text


def test_no_osc_from_data_reaches_the_terminal(session: bytes) -> None:
    for payload in osc_sequences(session):
        assert not payload.startswith((b"52;", b"8;")), payload[:80]
        for marker in MARKERS:
            assert marker.encode() not in payload, payload[:80]


def test_no_screen_clear_or_c1_from_data(session: bytes) -> None:
    # Textual clears the screen once when it starts; data never adds one after the first frame.
    first_frame = session.find(b"Hostile")
    assert b"\x1b[2J" not in session[first_frame:]
    assert b"\x1b[3J" not in session[first_frame:]
    assert b"\x1b[?1049l" not in session[first_frame:]  # data cannot leave the alternate screen
    text = session.decode("utf-8", "replace")
    c1 = [ch for ch in text if 0x80 <= ord(ch) <= 0x9f]
    assert not c1, f"raw C1 controls reached the terminal: {c1[:5]}"
    assert "\u202e" not in text and "\u2066" not in text and "\u200b" not in text


def test_markup_is_shown_literally(session: bytes) -> None:
    assert "[bold red]PWNED[/]" in session.decode("utf-8", "replace")


def test_layout_holds(session: bytes) -> None:
    screen = pyte.Screen(COLS, ROWS)
    stream = pyte.ByteStream(screen)
    stream.feed(session)
    lines = screen.display
    assert lines[0].lstrip().startswith("cockpit"), lines[0]
    assert len(lines) == ROWS and all(len(line) == COLS for line in lines)
    # pane borders: the Alerts box's title is on a border line and its corners are where boxes start
    title_rows = [i for i, line in enumerate(lines) if "Alerts" in line]
    assert title_rows and title_rows[0] <= 3, lines[:4]
    top = lines[title_rows[0]]
    assert top.strip()[0] in "╭┌┏━─╔", top
    assert screen.title in ("", "cockpit") or "pwned" not in screen.title


def test_snapshot_markdown_is_clean(tmp_path: Path) -> None:
    """`cockpit snapshot --format markdown` as a subprocess on a config whose alerts are hostile."""
    import httpx

    from cockpit.model import utcnow
    from tests.support.promstack import start_alertmanager

    am = start_alertmanager(tmp_path / "am")
    try:
        c = corpus()
        ends = (utcnow().replace(microsecond=0) + __import__("datetime").timedelta(hours=1)).isoformat()
        alerts = [{"labels": {"alertname": f"Hostile{i}", "severity": "critical", "case": k},
                   "annotations": {"summary": v[:100_000], "description": c["long_annotation"]}, "endsAt": ends}
                  for i, (k, v) in enumerate(c.items()) if k != "huge_label"]
        alerts.append({"labels": {"alertname": "Huge", "huge": c["huge_label"]}, "endsAt": ends})
        httpx.post(am.url + "/api/v2/alerts", json=alerts, timeout=30).raise_for_status()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("COCKPIT_", "KUBECONFIG"))}
        env.update(HOME=str(tmp_path), ANTHROPIC_API_KEY="sk-ant-api03-PLANTED-snapshot-key")
        proc = subprocess.run([sys.executable, "-m", "cockpit", "snapshot", "--format", "markdown",
                               "--alertmanager", am.url],
                              capture_output=True, cwd=ROOT, env=env, timeout=60)
    finally:
        am.kill()
    out = proc.stdout
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert b"Hostile" in out
    assert b"\x1b" not in out, out[out.find(b"\x1b") - 40: out.find(b"\x1b") + 40]
    text = out.decode("utf-8")
    assert not [ch for ch in text if 0x80 <= ord(ch) <= 0x9f or ch in "\u202e\u2066\u200b\x07\x00"]
    assert len(out) < 2_000_000, "a 1 MB label must be bounded in the snapshot"
    assert b"PLANTED" not in out and b"PLANTED" not in proc.stderr
    assert b"Traceback" not in proc.stderr
