"""A program in a real pty, as a user's terminal runs it: every byte it writes kept, a pyte screen
built from them, and the tty's mode readable after it exits (raw mode left behind shows here)."""

from __future__ import annotations

import fcntl
import os
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pyte

ROOT = Path(__file__).parents[2]


class PtyApp:
    def __init__(self, argv: Sequence[str], env: dict[str, str], cols: int = 120, rows: int = 40,
                 cwd: Path = ROOT) -> None:
        self.master, self.slave = os.openpty()
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.cooked = termios.tcgetattr(self.slave)
        self.proc = subprocess.Popen(
            list(argv), stdin=self.slave, stdout=self.slave, stderr=self.slave, cwd=cwd,
            env={**env, "TERM": "xterm-256color", "COLUMNS": str(cols), "LINES": str(rows)},
            start_new_session=True, preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
        self.out = bytearray()
        self.screen = pyte.Screen(cols, rows)
        self._stream = pyte.ByteStream(self.screen)

    def read(self, seconds: float, until: Callable[[PtyApp], bool] | None = None) -> bool:
        """Read for `seconds` or until `until(self)` holds (then True)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            r, _, _ = select.select([self.master], [], [], 0.05)
            if r:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    chunk = b""
                if chunk:
                    self.out += chunk
                    self._stream.feed(chunk)
            if until is not None and until(self):
                return True
            if not r and self.proc.poll() is not None:
                break
        return until is not None and until(self)

    @property
    def text(self) -> str:
        return "\n".join(self.screen.display)

    def key(self, data: bytes, settle: float = 0.5) -> None:
        os.write(self.master, data)
        self.read(settle)

    def wait_exit(self, timeout: float) -> int | None:
        """The exit status, or None if it is still running after `timeout` (output is drained meanwhile)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.read(0.2)
                return self.proc.returncode
            self.read(0.05)
        return None

    def tty_mode(self) -> list:
        return termios.tcgetattr(self.slave)

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(5)
        os.close(self.master)
        os.close(self.slave)


def cooked(mode: list) -> bool:
    """The line discipline a shell expects: canonical, echoing, signals on."""
    lflag = mode[3]
    return bool(lflag & termios.ICANON and lflag & termios.ECHO and lflag & termios.ISIG)


def processes_with(marker: str) -> list[int]:
    """Pids whose command line contains `marker` (an orphaned plugin shows here)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if marker in cmdline:
            pids.append(int(entry.name))
    return pids
