"""Turn kubernetes-client and urllib3 failures into one line a user can act on."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from cockpit.sources.base import SourceError

_USER = re.compile(r'User "([^"]*)"')


class GoneError(SourceError):
    """410 Gone / Expired: the resourceVersion or continue token is too old; relist."""


class ForbiddenError(SourceError):
    """403: RBAC denies this verb on this resource in this scope."""


class NotFoundError(SourceError):
    """404: no such object, or no such resource type (a CRD that is not installed)."""


@dataclass(frozen=True)
class Action:
    """What was being done, for the message: verb, resource, namespace ("" = all), object name."""

    verb: str
    resource: str
    namespace: str = ""
    name: str = ""

    def where(self) -> str:
        return f"in namespace {self.namespace}" if self.namespace else "in all namespaces"


def _status_message(body: object) -> str:
    try:
        status = json.loads(body) if isinstance(body, str | bytes) else {}
    except ValueError:
        status = {}
    if isinstance(status, dict) and status.get("message"):
        return str(status["message"])
    return str(body or "").strip()


def from_api_exception(exc: object, ctx: str, host: str, action: Action, exec_hint: str) -> SourceError:
    status = int(getattr(exc, "status", 0) or 0)
    message = _status_message(getattr(exc, "body", ""))
    prefix = f"kubernetes {ctx}"
    if status == 401:
        hint = (f"; the kubeconfig runs the exec plugin '{exec_hint}' for credentials: run it by hand "
                "and log in again" if exec_hint else "; check the token or client certificate in the kubeconfig")
        return SourceError(f"{prefix}: credentials rejected by {host} (HTTP 401){hint}")
    if status == 403:
        user = _USER.search(message)
        who = f" (user {user.group(1)})" if user else ""
        what = f"{action.verb} {action.resource}"
        if action.name:
            what += f" {action.name}"
        scope = "" if action.resource in ("nodes",) else f" {action.where()}"
        tip = "; pass --namespace to narrow the scope" if not action.namespace and scope else ""
        return ForbiddenError(f"{prefix}: forbidden: {what}{scope}{who}{tip}")
    if status == 404:
        name = f" {action.name}" if action.name else ""
        return NotFoundError(f"{prefix}: {action.resource}{name} not found{(' ' + action.where()) if action.namespace else ''}")
    if status == 410:
        return GoneError(f"{prefix}: {message or 'resource version too old'}")
    if status == 0:  # the client reports TLS failures this way
        reason = " ".join(str(getattr(exc, "reason", "") or exc).split())
        return SourceError(f"{prefix} ({host}): {reason[:300]}")
    reason = getattr(exc, "reason", "") or ""
    detail = f": {message[:300]}" if message else ""
    return SourceError(f"{prefix} ({host}): HTTP {status} {reason}{detail}")


_REPORTED_TIMEOUT = re.compile(r"(?:read|connect) timeout=([0-9.]+)")


def _timeout_used(inner: BaseException, default: float) -> float:
    """urllib3 names the limit it applied (the TLS handshake runs under the connect timeout)."""
    found = _REPORTED_TIMEOUT.search(str(inner))
    try:
        return float(found.group(1)) if found else default
    except ValueError:
        return default


def _waited(limit: float, elapsed: float | None) -> str:
    """Say so when the retry made the wait longer than the limit."""
    return f" ({elapsed:.0f}s in all, with the retry)" if elapsed is not None and elapsed > limit * 1.5 else ""


def from_transport(exc: BaseException, ctx: str, host: str, timeout: tuple[float, float] | float,
                   elapsed: float | None = None) -> SourceError:
    """urllib3 errors: refused, DNS, TLS, timeouts, broken connections. `timeout` is the (connect,
    read) the request used; the message states the limit that actually expired."""
    from urllib3 import exceptions as ux

    connect_s, read_s = timeout if isinstance(timeout, tuple) else (timeout, timeout)
    inner = getattr(exc, "reason", None) if isinstance(exc, ux.MaxRetryError) else exc
    if isinstance(inner, ux.NewConnectionError | ConnectionRefusedError):
        text = "connection refused" if "refused" in str(inner).lower() else f"cannot connect: {inner}"
    elif isinstance(inner, ux.ConnectTimeoutError):
        limit = _timeout_used(inner, connect_s)
        text = f"connect timed out after {limit:g}s{_waited(limit, elapsed)}"
    elif isinstance(inner, ux.ReadTimeoutError | TimeoutError):
        limit = _timeout_used(inner, read_s) if inner is not None else read_s
        text = f"no answer within {limit:g}s{_waited(limit, elapsed)}"
    elif isinstance(inner, ux.SSLError):
        text = f"TLS error: {inner}"
    elif isinstance(inner, ux.ProtocolError):
        text = "connection broken"
    else:
        text = f"{type(inner).__name__}: {inner}"
    return SourceError(f"kubernetes {ctx} ({host}): {' '.join(text.split())[:300]}")
