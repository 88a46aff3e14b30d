"""A fault-injecting TCP proxy in front of a real server (Prometheus, Alertmanager, fakekube, fake API).

`forward` pipes bytes both ways (TLS passes through untouched). The other modes decide per new
connection: `refuse` closes the listening socket (connection refused), `hang` accepts and never
answers, `delay` waits 5 s before piping, `500`/`401`/`403`/`garbage` read the request and answer
with that status (or a 200 with bytes no client can parse). For a TLS upstream the canned answers are
sent over TLS with the upstream's own certificate, so the client sees an HTTP error, not a TLS one.
Changing the mode drops every open connection, as a dying server or a load balancer would.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from pathlib import Path

MODES = ("forward", "refuse", "hang", "delay", "500", "401", "403", "garbage")
DELAY_S = 5.0
REASONS = {"500": "Internal Server Error", "401": "Unauthorized", "403": "Forbidden"}
GARBAGE = b"\x00\xff\xfe<html>captive portal \x1b]0;x\x07 not json {{{"


class FaultProxy:
    def __init__(self, upstream_port: int, tls: tuple[Path, Path] | None = None) -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.mode = "forward"
        self.ctx: ssl.SSLContext | None = None
        if tls:
            self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.ctx.load_cert_chain(*tls)
        self._socks: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._listener: socket.socket | None = None
        self.port = 0
        self._listen()

    @property
    def url(self) -> str:
        return f"{'https' if self.ctx else 'http'}://127.0.0.1:{self.port}"

    # -- control ------------------------------------------------------------------------------
    def set(self, mode: str) -> None:
        assert mode in MODES, mode
        self.mode = mode
        self.drop_all()
        if mode == "refuse":
            self._unlisten()
        elif self._listener is None:
            self._listen()

    def drop_all(self) -> None:
        with self._lock:
            socks, self._socks = list(self._socks), set()
        for s in socks:
            _close(s)

    def close(self) -> None:
        self._closed = True
        self._unlisten()
        self.drop_all()

    # -- listening ----------------------------------------------------------------------------
    def _listen(self) -> None:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(64)
        sock.settimeout(0.1)
        self.port = sock.getsockname()[1]
        self._listener = sock
        threading.Thread(target=self._accept, args=(sock,), daemon=True).start()

    def _unlisten(self) -> None:
        sock, self._listener = self._listener, None
        if sock is not None:
            sock.close()

    def _accept(self, sock: socket.socket) -> None:
        while self._listener is sock and not self._closed:
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(None)
            self._track(conn)
            threading.Thread(target=self._serve, args=(conn, self.mode), daemon=True).start()

    def _track(self, s: socket.socket) -> None:
        with self._lock:
            self._socks.add(s)

    # -- one connection -----------------------------------------------------------------------
    def _serve(self, conn: socket.socket, mode: str) -> None:
        try:
            if mode == "hang":
                while conn.recv(65536):
                    pass
            elif mode in ("forward", "delay"):
                if mode == "delay":
                    time.sleep(DELAY_S)
                self._pipe(conn)
            else:
                self._answer(conn, mode)
        except (OSError, ssl.SSLError):
            pass
        finally:
            _close(conn)

    def _pipe(self, conn: socket.socket) -> None:
        up = socket.create_connection(self.upstream, timeout=5)
        up.settimeout(None)
        self._track(up)
        t = threading.Thread(target=_copy, args=(up, conn), daemon=True)
        t.start()
        _copy(conn, up)
        t.join(timeout=60)
        _close(up)

    def _answer(self, conn: socket.socket, mode: str) -> None:
        if self.ctx is not None:
            conn = self.ctx.wrap_socket(conn, server_side=True)
            self._track(conn)
        data = b""
        while b"\r\n\r\n" not in data and len(data) < 1 << 20:
            chunk = conn.recv(65536)
            if not chunk:
                return
            data += chunk
        if mode == "garbage":
            head, body = "200 OK", GARBAGE
            ctype = "application/json"
        else:
            head = f"{mode} {REASONS[mode]}"
            body = f'{{"status":"error","message":"proxy says {mode}"}}'.encode()
            ctype = "application/json"
        conn.sendall(f"HTTP/1.1 {head}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
                     f"Connection: close\r\n\r\n".encode() + body)


def _copy(src: socket.socket, dst: socket.socket) -> None:
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def _close(s: socket.socket) -> None:
    try:
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    s.close()
