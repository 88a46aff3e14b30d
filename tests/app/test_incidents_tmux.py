"""As a person would: `cockpit demo` in a real tmux, `i` lists the incidents, `enter` shows the rollout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def start(tmp_path: Path, cols: int, rows: int) -> tuple[str, str]:
    sock, session = f"cockpit-{uuid.uuid4().hex[:8]}", "incidents"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COCKPIT_", "TMUX"))}
    env.pop("ANTHROPIC_API_KEY", None)
    env.update(LANG="C.UTF-8", HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "cfg"),
               XDG_STATE_HOME=str(tmp_path / "state"))
    subprocess.run(["tmux", "-L", sock, "-f", "/dev/null", "new-session", "-d", "-x", str(cols), "-y", str(rows),
                    "-s", session, f"cd {ROOT} && exec {sys.executable} -m cockpit demo"], check=True, env=env,
                   timeout=10)
    return sock, session


@pytest.fixture
def tmux(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    sock, session = start(tmp_path, *request.param)
    try:
        yield sock, session
    finally:
        subprocess.run(["tmux", "-L", sock, "kill-server"], capture_output=True, timeout=10)


def capture(sock: str, session: str) -> str:
    return subprocess.run(["tmux", "-L", sock, "capture-pane", "-p", "-t", session], capture_output=True,
                          text=True, timeout=10).stdout


def wait_for(sock: str, session: str, text: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = capture(sock, session)
        if text in screen:
            return screen
        time.sleep(0.3)
    raise AssertionError(f"{text!r} not on screen after {timeout}s:\n{screen}")


def keys(sock: str, session: str, *names: str) -> None:
    subprocess.run(["tmux", "-L", sock, "send-keys", "-t", session, *names], check=True, timeout=10)


@pytest.mark.parametrize("tmux", [(120, 40), (80, 24)], indirect=True, ids=["120x40", "80x24"])
def test_i_then_enter_shows_the_rollout_behind_the_crash_loop(tmux: tuple[str, str]) -> None:
    sock, session = tmux
    header = wait_for(sock, session, "incidents (i)").splitlines()[0]  # at 80 columns too
    assert "3 incidents (i)" in header
    keys(sock, session, "i")
    screen = wait_for(sock, session, "ranked by user impact")
    first = next(line for line in screen.splitlines() if line.startswith("1 "))
    assert "critical" in first and "checkout-api" in first
    keys(sock, session, "Enter")
    screen = " ".join(wait_for(sock, session, "first step: roll back").split())  # lines wrap at 80 columns
    assert "cause (hypothesis): rollout of deployment shop/checkout-api" in screen
    assert "kubectl rollout undo deployment/checkout-api -n shop" in screen
    keys(sock, session, "Tab")  # the text below the members: what changed, with the image diff
    keys(sock, session, "PageDown")
    screen = wait_for(sock, session, "- registry.example.com/shop/checkout-api:v2.13.2")
    assert "+ registry.example.com/shop/checkout-api:v2.14.0" in screen
    keys(sock, session, "Escape")
    keys(sock, session, "Escape")
    wait_for(sock, session, "Alerts")
    keys(sock, session, "q")
