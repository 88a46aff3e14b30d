"""`cockpit serve`: the same cockpit in a browser (textual-serve), one app process per session, locked.

Each browser session gets its own `python -m cockpit ...` process with the same source flags (sessions
share nothing but the config), read-only unless --allow-actions. Loopback by default; any other host
requires a token (given, or generated and printed once). The token is taken from `?token=` once, moved
into an HttpOnly cookie and off the address bar; it is never logged and never put in the page. Requests
without it get 401 and no terminal. A loopback server without a token only answers to a loopback Host
(a DNS-rebinding page cannot reach it), and the websocket only to its own origin.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import ipaddress
import logging
import os
import re
import secrets
import shlex
import signal
import sys
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode, urlsplit

from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

log = logging.getLogger("cockpit.serve")
COOKIE = "cockpit_token"
TOKEN_ENV = "COCKPIT_SERVE_TOKEN"
SESSION_ENV = "COCKPIT_SESSION"  # the audit log records it next to the user
DEFAULT_MAX_SESSIONS = 8
# serve's own flags: the rest of the command line is passed to each session's cockpit
_VALUE_FLAGS = ("--host", "--port", "--token", "--max-sessions")
_BARE_FLAGS = ("--allow-actions",)
_HOST_RE = re.compile(r"^[A-Za-z0-9.\-]+(:\d+)?$|^\[[0-9A-Fa-f:.]+\](:\d+)?$")
_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")


def is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def session_argv(argv: Sequence[str], allow_actions: bool) -> list[str]:
    """The command line each session's cockpit runs: the serve command line minus serve's own flags."""
    out: list[str] = []
    skip = False
    dropped_command = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg == "serve" and not dropped_command:
            dropped_command = True
            continue
        if arg in _VALUE_FLAGS:
            skip = True
            continue
        if arg in _BARE_FLAGS or arg.startswith(tuple(f + "=" for f in _VALUE_FLAGS)):
            continue
        out.append(arg)
    if not allow_actions and "--readonly" not in out:
        out.append("--readonly")
    return out


def _die_with_parent() -> None:
    """In the session's process before exec (Linux): SIGTERM when the server goes, however it goes."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Session(AppService):
    """One browser session's cockpit process; stopped for sure (quit, then terminate, then kill)."""

    def __init__(self, command: str, *, remote: str, **kw: Any) -> None:
        super().__init__(command, **kw)
        self.remote = remote

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        env = super()._build_environment(width=width, height=height)
        env.pop(TOKEN_ENV, None)  # a session has no business with the server's token
        env[SESSION_ENV] = f"web {self.remote}"
        # the page's xterm.js measures with Unicode 11 tables: Rich (and so the width rule) does the same
        env["UNICODE_VERSION"] = "11.0.0"
        return env

    async def _open_app_process(self, width: int = 80, height: int = 24) -> asyncio.subprocess.Process:
        # as textual-serve does, plus: the session dies with the server even if the server is SIGKILLed
        self._process = process = await asyncio.create_subprocess_shell(
            self.command, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=self._build_environment(width=width, height=height),
            preexec_fn=_die_with_parent)
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def stop(self) -> None:
        with contextlib.suppress(Exception, asyncio.TimeoutError):
            await asyncio.wait_for(super().stop(), 5)
        process = self._process
        if process is None or process.returncode is not None:
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(sig)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(process.wait(), 3)
                return


class CockpitServer(Server):
    def __init__(self, argv: Sequence[str], *, host: str = "127.0.0.1", port: int = 8000, token: str | None = None,
                 allow_actions: bool = False, max_sessions: int = DEFAULT_MAX_SESSIONS) -> None:
        child = session_argv(argv, allow_actions)
        command = "exec " + shlex.join([sys.executable, "-m", "cockpit", *child])
        super().__init__(command, host=host, port=port, title="cockpit")
        self.token = token
        self.allow_actions = allow_actions
        self.max_sessions = max_sessions
        self.sessions: set[Session] = set()
        self.reserved = 0  # slots taken by sessions still starting

    # -- the guard on every request ------------------------------------------------------------------
    @web.middleware
    async def guard(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if not _HOST_RE.match(request.host or ""):
            return web.Response(status=400, text="400: bad Host header\n")
        if self.token is None:
            hostname = request.host.rsplit(":", 1)[0] if not request.host.startswith("[") else \
                request.host.split("]")[0] + "]"
            if not is_loopback(hostname):
                return web.Response(status=403, text="403: this cockpit answers on loopback only\n")
        else:
            given = request.query.get("token") or request.cookies.get(COOKIE) or ""
            auth = request.headers.get("Authorization", "")
            if not given and auth.startswith("Bearer "):
                given = auth[7:]
            if not hmac.compare_digest(given.encode(), self.token.encode()):
                log.info("refused %s %s from %s: no valid token", request.method, request.path, request.remote)
                return web.Response(status=401, text="401: this cockpit needs its token (open the address "
                                                      "printed when it started, with ?token=...)\n",
                                    headers={"WWW-Authenticate": 'Bearer realm="cockpit"'})
            if "token" in request.query:  # into a cookie, off the address bar and the browser history
                rest = {k: v for k, v in request.query.items() if k != "token"}
                response = web.HTTPSeeOther(request.path + ("?" + urlencode(rest) if rest else ""))
                response.set_cookie(COOKIE, self.token, httponly=True, samesite="Strict", path="/")
                return response
        if request.path == "/ws":
            origin = request.headers.get("Origin", "")
            if origin and urlsplit(origin).netloc != request.host:
                return web.Response(status=403, text="403: cross-origin websocket refused\n")
        return await handler(request)

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self.guard)
        return app

    # -- pages and sessions --------------------------------------------------------------------------
    def _full(self) -> web.Response | None:
        if len(self.sessions) + self.reserved < self.max_sessions:
            return None
        return web.Response(status=503, text=f"503: all {self.max_sessions} cockpit sessions are in use; "
                                             "please try again when someone closes theirs\n")

    async def handle_index(self, request: web.Request) -> Any:
        if (full := self._full()) is not None:
            return full
        self.public_url = f"{request.scheme}://{request.host}"  # the page's websocket goes where it came from
        return await super().handle_index(request)

    # A full server answers 503 instead of upgrading: a plain response where Textual types a websocket.
    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:  # type: ignore[override]
        if (full := self._full()) is not None:
            return full
        self.reserved += 1
        websocket = web.WebSocketResponse(heartbeat=15)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        remote = request.remote or "unknown"
        session: Session | None = None
        try:
            await websocket.prepare(request)
            session = Session(self.command, remote=remote, write_bytes=websocket.send_bytes,
                              write_str=websocket.send_str, close=websocket.close,
                              download_manager=self.download_manager)
            self.sessions.add(session)
            self.reserved -= 1
            log.info("session from %s started (%s; %d of %d)", remote, self.mode, len(self.sessions),
                     self.max_sessions)
            await session.start(width, height)
            await self._process_messages(websocket, session)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as exc:  # one session's failure is logged, the server goes on
            log.warning("session from %s failed: %s", remote, exc)
        finally:
            if session is None:
                self.reserved -= 1
            else:
                await session.stop()
                self.sessions.discard(session)
                log.info("session from %s ended", remote)
        return websocket

    async def on_shutdown(self, app: web.Application) -> None:
        await asyncio.gather(*(s.stop() for s in list(self.sessions)), return_exceptions=True)

    async def on_startup(self, app: web.Application) -> None:
        pass  # the start line is printed once the socket is bound (see run)

    @property
    def mode(self) -> str:
        return "actions allowed" if self.allow_actions else "read-only"

    # -- running -------------------------------------------------------------------------------------
    def initialize_logging(self) -> None:
        logging.basicConfig(level=logging.INFO, format="cockpit serve: %(message)s", stream=sys.stderr)
        logging.getLogger("aiohttp.access").setLevel(logging.WARNING)  # request lines carry ?token=

    async def run(self) -> None:
        app = await self._make_app()
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=5)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            raise ServeError(f"cannot listen on {self.host}:{self.port}: {exc.strerror or exc}") from None
        sockets = getattr(site._server, "sockets", None)  # asyncio.Server has them; AbstractServer says not
        port = sockets[0].getsockname()[1] if sockets else self.port
        host = f"[{self.host}]" if ":" in self.host else self.host
        print(f"serving on http://{host}:{port} ({self.mode})", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await stop.wait()
        finally:
            print("cockpit serve: stopping", file=sys.stderr, flush=True)
            await runner.cleanup()  # on_shutdown stops every session's process

    def serve(self, debug: bool = False) -> None:
        self.initialize_logging()
        asyncio.run(self.run())


class ServeError(Exception):
    """A one-line reason `cockpit serve` cannot run (exit 2)."""


def cmd_serve(argv: Sequence[str], host: str, port: int, token: str | None, allow_actions: bool,
              max_sessions: int) -> int:
    """Run the server until ctrl+c or SIGTERM; a bad flag is one line and exit 2."""
    token = token or os.environ.get(TOKEN_ENV) or None
    if not 0 <= port <= 65535:
        print(f"cockpit: error: --port {port}: expected 0-65535", file=sys.stderr)
        return 2
    if max_sessions < 1:
        print(f"cockpit: error: --max-sessions {max_sessions}: expected a whole number >= 1", file=sys.stderr)
        return 2
    if token is None and not is_loopback(host):
        token = secrets.token_urlsafe(24)
        shown = f"[{host}]" if ":" in host else host
        print(f"token (printed once): {token}\nopen http://{shown}:{port}/?token={token}", flush=True)
    server = CockpitServer(argv, host=host, port=port, token=token, allow_actions=allow_actions,
                           max_sessions=max_sessions)
    try:
        server.serve()
    except ServeError as exc:
        print(f"cockpit: error: {exc}", file=sys.stderr)
        return 2
    return 0
