"""SIGTERM and SIGHUP end the TUI the way `q` does: terminal restored, workers stopped, promptly.

Without handlers either signal kills the process on the spot and leaves the terminal on the
alternate screen, in raw mode, with mouse reporting on and the cursor hidden. The handler asks the
app to exit from its own event loop; if that has not finished within GRACE_S (a stuck loop, a tty
that hung up under us) the terminal is restored by hand and the process exits anyway.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import termios
import threading
from collections.abc import Callable
from typing import Any

GRACE_S = 3.0
SIGNALS = (signal.SIGTERM, signal.SIGHUP)
# Leave the alternate screen; mouse, focus and bracketed-paste reporting off; cursor shown; autowrap on.
RESTORE = ("\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?1015l\x1b[?1004l\x1b[?2004l"
           "\x1b[?1049l\x1b[?25h\x1b[?7h\x1b[0m\r\n")


def run(app: Any, cleanup: Callable[[], None] | None = None) -> int:
    """app.run() with SIGTERM/SIGHUP handled; the exit status (128 + signal after a signal)."""
    saved = _tty_mode()
    state: dict[str, int] = {}
    previous = {sig: signal.getsignal(sig) for sig in SIGNALS}

    def force(code: int) -> None:
        """The app did not get out in time: put the terminal back ourselves and go."""
        restore_terminal(saved)
        if cleanup is not None:
            try:
                cleanup()
            except Exception:  # noqa: S110 - exiting anyway
                pass
        os._exit(code)

    def on_signal(signum: int, _frame: object) -> None:
        code = 128 + signum
        if "code" in state:  # a second signal: no more waiting
            force(state["code"])
        state["code"] = code
        timer = threading.Timer(GRACE_S, force, (code,))
        timer.daemon = True
        timer.start()
        try:
            loop = asyncio.get_running_loop()  # the handler runs on the main thread, inside the loop
        except RuntimeError:
            raise SystemExit(code) from None  # before the screen opened: nothing to restore
        loop.call_soon_threadsafe(app.exit, None, code)

    for sig in SIGNALS:
        signal.signal(sig, on_signal)
    try:
        app.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if "code" in state:
        return state["code"]
    return int(getattr(app, "return_code", 0) or 0)


def _tty_mode() -> list[Any] | None:
    try:
        return termios.tcgetattr(sys.stdin.fileno())
    except (OSError, ValueError, termios.error):
        return None


def restore_terminal(mode: list[Any] | None) -> None:
    """Best effort: the tty may be gone (SIGHUP from a dropped SSH session)."""
    try:
        fd = sys.__stdout__.fileno() if sys.__stdout__ is not None else 1
        os.write(fd, RESTORE.encode())
    except (OSError, ValueError):
        pass
    if mode is not None:
        try:
            termios.tcsetattr(sys.stdin.fileno(), termios.TCSANOW, mode)
        except (OSError, ValueError, termios.error):
            pass
