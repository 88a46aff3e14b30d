"""SIGTERM and SIGHUP (a dropped SSH session) end cockpit like `q`: the terminal leaves the alternate
screen, mouse reporting goes off, the cursor comes back, the tty is back in cooked mode, and the
process exits promptly. Asserted on a real pty, on the bytes written after the signal."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from tests.support.ptyterm import PtyApp, cooked


def start(tmp_path: Path) -> PtyApp:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COCKPIT_", "ANTHROPIC_", "KUBECONFIG"))}
    env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "cfg"), XDG_STATE_HOME=str(tmp_path / "state"))
    term = PtyApp([sys.executable, "-m", "cockpit", "demo"], env)
    assert term.read(40, until=lambda t: "Alerts" in t.text and "Pods" in t.text), t_text(term)
    term.read(1.5)  # past the first frames: workers and timers running
    return term


def t_text(term: PtyApp) -> str:
    return term.text[-2000:]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_signal_restores_the_terminal_and_exits_promptly(tmp_path: Path, sig: signal.Signals) -> None:
    term = start(tmp_path)
    try:
        assert not cooked(term.tty_mode()), "the app should have the tty in raw mode"
        before = len(term.out)
        started = time.monotonic()
        os.kill(term.proc.pid, sig)
        code = term.wait_exit(8)
        took = time.monotonic() - started
        after = bytes(term.out[before:])
        assert code is not None, "still running after the signal"
        assert took < 5, f"took {took:.1f}s"
        assert code == 128 + sig, code
        assert b"\x1b[?1049l" in after, "still on the alternate screen"
        assert b"\x1b[?1000l" in after or b"\x1b[?1003l" in after, "mouse reporting left on"
        assert b"\x1b[?25h" in after, "cursor left hidden"
        assert cooked(term.tty_mode()), "tty left in raw mode"
        assert b"Traceback" not in after
    finally:
        term.close()


def test_q_still_exits_cleanly(tmp_path: Path) -> None:
    term = start(tmp_path)
    try:
        term.key(b"q", 0)
        assert term.wait_exit(8) == 0
        assert cooked(term.tty_mode())
    finally:
        term.close()


def test_quit_does_not_wait_for_a_worker_stuck_on_a_slow_backend(tmp_path: Path) -> None:
    """An Alertmanager that accepts connections and never answers: the alerts worker is blocked in
    its query (30 s timeout) when `q` is pressed; the process must be gone at once anyway."""
    import socket

    hole = socket.socket()
    hole.bind(("127.0.0.1", 0))
    hole.listen(16)
    config = tmp_path / "config.yaml"
    config.write_text("alertmanager_auth:\n  timeout_s: 30\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COCKPIT_", "ANTHROPIC_", "KUBECONFIG"))}
    env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "cfg"), XDG_STATE_HOME=str(tmp_path / "state"))
    term = PtyApp([sys.executable, "-m", "cockpit", "--config", str(config), "--alertmanager",
                   f"http://127.0.0.1:{hole.getsockname()[1]}"], env)
    try:
        assert term.read(40, until=lambda t: "Alerts" in t.text and "Pods" in t.text), t_text(term)
        term.read(1.5)  # the alerts worker is now waiting on the silent backend
        started = time.monotonic()
        term.key(b"q", 0)
        code = term.wait_exit(15)
        took = time.monotonic() - started
        assert code == 0, t_text(term)
        assert took < 3, f"quit waited {took:.1f}s for a blocked worker"
        assert cooked(term.tty_mode())
    finally:
        term.close()
        hole.close()
