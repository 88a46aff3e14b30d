"""HTTP plumbing shared by the Prometheus and Alertmanager sources: auth, TLS, timeouts, and one
clear SourceError line for every way a request can fail (the Hub shows it as the source's health)."""

from __future__ import annotations

import re
import ssl
from collections.abc import Generator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from cockpit.config import HttpAuth
from cockpit.sources.base import SourceError

MAX_DETAIL = 200  # characters of a backend's error body kept in the one-line message
# An annotation longer than this is someone's mistake or an attack; 1,000 alerts must not hold gigabytes.
MAX_ANNOTATION = 16_384


class TokenFileAuth(httpx.Auth):
    """Bearer token read from a file on every request: projected service-account tokens rotate."""

    def __init__(self, path: str) -> None:
        self.path = Path(path).expanduser()

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {read_token(self.path)}"
        yield request


def read_token(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError as exc:
        raise SourceError(f"bearer token file {path}: {exc.strerror or exc}") from None


def auth_headers(auth: HttpAuth) -> dict[str, str]:
    """Extra headers plus a static bearer token (the token file is read per request instead)."""
    headers = dict(auth.headers)
    if auth.bearer_token:
        headers["Authorization"] = f"Bearer {auth.bearer_token}"
    elif auth.bearer_token_file:
        headers["Authorization"] = f"Bearer {read_token(Path(auth.bearer_token_file).expanduser())}"
    return headers


def tls_verify(auth: HttpAuth) -> bool | str:
    if auth.insecure is True:  # never truthiness: a stray "false" string keeps TLS on
        return False
    return str(Path(auth.ca_file).expanduser()) if auth.ca_file else True


def make_client(auth: HttpAuth, base_url: str) -> httpx.Client:
    """An httpx client for one backend; every request has `auth.timeout_s` as its timeout."""
    headers = dict(auth.headers)
    client_auth: httpx.Auth | None = None
    if auth.bearer_token:
        headers["Authorization"] = f"Bearer {auth.bearer_token}"
    elif auth.bearer_token_file:
        client_auth = TokenFileAuth(auth.bearer_token_file)
    elif auth.username:
        client_auth = httpx.BasicAuth(auth.username, auth.password)
    verify: bool | ssl.SSLContext | str = tls_verify(auth)
    if isinstance(verify, str):
        if not Path(verify).is_file():
            raise SourceError(f"{base_url}: CA file {verify} not found")
        verify = ssl.create_default_context(cafile=verify)
    return httpx.Client(
        base_url=base_url.rstrip("/"),
        headers=headers,
        auth=client_auth,
        verify=verify,
        timeout=httpx.Timeout(auth.timeout_s),
        follow_redirects=True,
    )


def one_line(text: str, limit: int = MAX_DETAIL) -> str:
    """A backend's error text squeezed to one bounded line (it is shown in a status bar)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "…"


def error_detail(response: httpx.Response) -> str:
    """What the backend said about the error: Prometheus' {"error": ...}, Alertmanager's JSON string
    or {"message": ...}, or plain text."""
    if "html" in response.headers.get("content-type", ""):
        return ""  # a proxy's error page: the status line says it all
    try:
        body = response.json()
    except ValueError:
        return one_line(response.text)
    if isinstance(body, dict):
        return one_line(str(body.get("error") or body.get("message") or ""))
    return one_line(str(body)) if isinstance(body, str) else ""


def connect_reason(text: str) -> str:
    """The OS reason ("[Errno 111] Connection refused") out of a client library's nested error text."""
    m = re.search(r"\[Errno -?\d+\] [^'\")]+", text)
    if m:
        return m.group().strip()
    m = re.search(r"CERTIFICATE_VERIFY_FAILED[^'\")]*", text)
    return "TLS: " + m.group().strip() if m else one_line(text)


def http_error(backend: str, exc: httpx.HTTPError, timeout_s: float) -> SourceError:
    if isinstance(exc, httpx.TimeoutException):
        return SourceError(f"{backend}: timed out after {timeout_s:g}s")
    if isinstance(exc, httpx.ConnectError):
        return SourceError(f"{backend}: cannot connect ({connect_reason(str(exc) or type(exc).__name__)})")
    return SourceError(f"{backend}: {type(exc).__name__}: {one_line(str(exc))}")


def status_error(backend: str, response: httpx.Response) -> SourceError:
    detail = error_detail(response)
    status = f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
    return SourceError(f"{backend}: {status}" + (f": {detail}" if detail else ""))


def request_json(
    client: httpx.Client, backend: str, method: str, path: str, **kwargs: Any
) -> Any:
    """Send one request and return its JSON body, or raise SourceError with one clear line."""
    timeout_s = client.timeout.read or 0.0
    try:
        response = client.request(method, path, **kwargs)
    except httpx.HTTPError as exc:
        raise http_error(backend, exc, timeout_s) from None
    if response.status_code >= 400:
        raise status_error(backend, response)
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        raise SourceError(f"{backend}: invalid JSON in response to {method} {path}") from None


def parse_time(value: Any) -> datetime | None:
    """RFC 3339 from Go (nanoseconds, "Z"); Go's zero time and garbage mean "unknown"."""
    if not isinstance(value, str) or not value or value.startswith("0001-01-01"):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def str_map(value: Any, limit: int | None = None) -> dict[str, str]:
    """Labels/annotations as str -> str whatever the backend sent (hostile input is not trusted);
    `limit` bounds each value (annotations only: labels are the alert's identity)."""
    if not isinstance(value, dict):
        return {}
    out = {str(k): v if isinstance(v, str) else str(v) for k, v in value.items()}
    if limit is not None:
        out = {k: v if len(v) <= limit else v[:limit] + f"… [{len(v) - limit} more chars dropped]"
               for k, v in out.items()}
    return out
