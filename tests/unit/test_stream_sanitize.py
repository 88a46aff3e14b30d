"""Streamed text is sanitized across chunk boundaries: however an escape sequence is split, the
result is what sanitizing the whole answer gives (the unit), and `cockpit ask` on the real SDK
against the fake Messages API prints no fragment of one (the CLI)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cockpit.analysis.sanitize import sanitize
from cockpit.analysis.stream_sanitize import StreamSanitizer

ROOT = Path(__file__).parents[2]
HOSTILE = ("Marcus: \x1b]8;;http://evil.example\x07click\x1b]8;;\x07 \x1b[31mred\x1b[0m \x9b2J"
           " \x1b]52;c;cGF5bG9hZA==\x1b\\copied \x1bPdcs-payload\x1b\\ ok\r\n\u202eevil\u202c\ttab \x1b7done")


def streamed(parts: list[str], for_terminal: bool) -> str:
    s = StreamSanitizer(for_terminal=for_terminal)
    return "".join(s.feed(p) for p in parts) + s.flush()


@pytest.mark.parametrize("for_terminal", [False, True])
def test_every_two_way_split_equals_sanitizing_the_whole(for_terminal: bool) -> None:
    whole = sanitize(HOSTILE, limit=None, for_terminal=for_terminal)
    for cut in range(len(HOSTILE) + 1):
        assert streamed([HOSTILE[:cut], HOSTILE[cut:]], for_terminal) == whole, cut


def test_one_character_at_a_time() -> None:
    assert streamed(list(HOSTILE), False) == sanitize(HOSTILE, limit=None, for_terminal=False)


def test_an_endless_osc_is_not_held_forever() -> None:
    s = StreamSanitizer(for_terminal=False)
    out = s.feed("before \x1b]8;;" + "x" * 10_000) + s.feed(" after")
    assert out.startswith("before ") and "x" not in out


@pytest.mark.integration
def test_cockpit_ask_prints_no_fragment_of_a_split_escape(tmp_path: Path) -> None:
    from tests.fakeanthropic import FakeAnthropic, Reply

    parts = ["Marcus here. \x1b]8;;http://evil", ".example\x07click\x1b]8;;\x07 and \x1b[3", "1mred\x1b", "[0m done"]
    fake = FakeAnthropic().start()
    try:
        fake.queue(Reply.text(*parts))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("COCKPIT_", "ANTHROPIC_", "KUBECONFIG"))}
        env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "cfg"), XDG_STATE_HOME=str(tmp_path / "st"),
                   ANTHROPIC_BASE_URL=fake.url, ANTHROPIC_API_KEY="sk-ant-test")
        proc = subprocess.run([sys.executable, "-m", "cockpit", "ask", "--demo", "what is burning?"], cwd=ROOT,
                              env=env, capture_output=True, timeout=90)
    finally:
        fake.stop()
    out = proc.stdout.decode()
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Marcus here. click and red done" in out, out
    assert "evil" not in out and ".example" not in out and "[3" not in out and "1m" not in out and "[0m" not in out, out
    assert "\x1b" not in out and "\\x07" not in out and "\\x1b" not in out, out
