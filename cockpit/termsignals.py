"""Run the TUI so that leaving it is immediate: on `q`, on SIGTERM and on SIGHUP.

Signals: without handlers either one kills the process on the spot and leaves the terminal on the
alternate screen, in raw mode, with mouse reporting on and the cursor hidden. The handler asks the
app to exit from its own event loop; if that has not finished within GRACE_S (a stuck loop, a tty
that hung up under us) the terminal is restored by hand and the process exits anyway.

Workers: Textual runs thread workers in the loop's default executor, and asyncio.run() joins that
executor on the way out (as does the interpreter, for every ThreadPoolExecutor): a worker blocked
in a slow backend's query held the closed screen for its whole timeout. Here the loop's executor
starts daemon threads that nobody joins, and with exit_process the process ends as soon as the
screen is closed: threads other code started (a source's own pool, blocked in a query) are not
joined by the interpreter either. In-flight I/O is abandoned, never waited on.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
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


class DaemonExecutor(concurrent.futures.ThreadPoolExecutor):  # asyncio accepts only this class
    """One daemon thread per job, never joined: what is still running at exit is dropped. None of
    the pool's own threads is ever started (submit is replaced), so the interpreter joins nothing."""

    def __init__(self) -> None:
        super().__init__(max_workers=1)
        self._closed = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> concurrent.futures.Future:
        if self._closed:
            raise RuntimeError("executor shut down")
        future: concurrent.futures.Future = concurrent.futures.Future()

        def job() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as exc:  # handed to the awaiting side
                future.set_exception(exc)

        threading.Thread(target=job, daemon=True, name=f"worker-{getattr(fn, '__name__', 'job')}").start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._closed = True  # nothing to join, by design


def run(app: Any, cleanup: Callable[[], object] | None = None, exit_process: bool = False) -> int:
    """app.run() with SIGTERM/SIGHUP handled; the exit status (128 + signal after a signal).
    exit_process: then end the process with that status at once (cleanup, logs and stdio flushed)."""
    saved = _tty_mode()
    state: dict[str, int] = {}
    previous = {sig: signal.getsignal(sig) for sig in SIGNALS}

    def force(code: int) -> None:
        """The app did not get out in time: put the terminal back ourselves and go."""
        restore_terminal(saved)
        if cleanup is not None:
            try:
                cleanup()
            except Exception:  # exiting anyway
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

    loop = asyncio.new_event_loop()
    loop.set_default_executor(DaemonExecutor())
    for sig in SIGNALS:
        signal.signal(sig, on_signal)
    try:
        app.run(loop=loop)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _close(loop)
    code = state.get("code", int(getattr(app, "return_code", 0) or 0))
    if exit_process:
        leave(code, cleanup)
    return code


def leave(code: int, cleanup: Callable[[], object] | None) -> None:
    """Exit now: what atexit would have done that matters, then no joining of blocked threads."""
    import logging

    try:
        if cleanup is not None:
            cleanup()
        logging.shutdown()
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    finally:
        os._exit(code)


def _close(loop: asyncio.AbstractEventLoop) -> None:
    """asyncio.run()'s clean-up without shutdown_default_executor(): abandoned workers are not waited for."""
    try:
        tasks = asyncio.all_tasks(loop)
        for task in tasks:
            task.cancel()
        if tasks:
            loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        loop.close()


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
