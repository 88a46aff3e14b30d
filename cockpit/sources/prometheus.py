"""Prometheus (or Thanos, Mimir, VictoriaMetrics): alerts, rules and PromQL.

Alerts and rules go through httpx (prometheus-api-client has no call for either); PromQL goes
through prometheus-api-client's PrometheusConnect, with our timeout, auth and TLS settings and its
retries turned off (by default it retries 5xx three times with back-off, which would stall a
refresh for seconds on a failing backend).
"""

from __future__ import annotations

import ast
import json
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

from cockpit.config import HttpAuth
from cockpit.model import Alert
from cockpit.sources.base import LAZY_IMPORTS, SourceError
from cockpit.sources.http import (
    MAX_ANNOTATION,
    auth_headers,
    connect_reason,
    make_client,
    one_line,
    parse_time,
    request_json,
    str_map,
    tls_verify,
)

FNV_OFFSET = 14695981039346656037
FNV_PRIME = 1099511628211
SEPARATOR = 0xFF

Sample = tuple[dict[str, str], float]
Series = tuple[dict[str, str], list[tuple[float, float]]]


def fingerprint(labels: dict[str, str]) -> str:
    """Alertmanager's alert fingerprint (Prometheus model.LabelSet.Fingerprint: FNV-1a 64 over sorted
    name, 0xff, value, 0xff), so an alert read from Prometheus and from Alertmanager has one key."""
    h = FNV_OFFSET
    for name in sorted(labels):
        for part in (name, labels[name]):
            for byte in part.encode():
                h = ((h ^ byte) * FNV_PRIME) & 0xFFFFFFFFFFFFFFFF
            h = ((h ^ SEPARATOR) * FNV_PRIME) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


@dataclass(frozen=True, slots=True)
class Rule:
    """One alerting or recording rule as Prometheus evaluates it."""

    group: str
    name: str
    kind: str  # alerting | recording
    query: str
    health: str = "unknown"  # ok | err | unknown
    last_error: str = ""
    state: str = ""  # alerting rules: inactive | pending | firing
    duration_s: float = 0.0  # the rule's `for`
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    file: str = ""
    interval_s: float = 0.0  # the group's evaluation interval


def alert_from_api(raw: dict[str, Any], source: str) -> Alert:
    labels = str_map(raw.get("labels"))
    state = str(raw.get("state")) if raw.get("state") in ("firing", "pending") else "firing"
    return Alert(
        fingerprint=fingerprint(labels),
        name=labels.get("alertname", ""),
        severity=labels.get("severity", "none").lower(),
        state=state,
        labels=labels,
        annotations=str_map(raw.get("annotations"), MAX_ANNOTATION),
        starts_at=parse_time(raw.get("activeAt")),
        source=source,
    )


def rule_from_api(raw: dict[str, Any], group: dict[str, Any]) -> Rule:
    return Rule(
        group=str(group.get("name", "")),
        name=str(raw.get("name", "")),
        kind=str(raw.get("type", "")),
        query=str(raw.get("query", "")),
        health=str(raw.get("health", "unknown")),
        last_error=str(raw.get("lastError", "") or ""),
        state=str(raw.get("state", "")),
        duration_s=float(raw.get("duration", 0) or 0),
        labels=str_map(raw.get("labels")),
        annotations=str_map(raw.get("annotations"), MAX_ANNOTATION),
        file=str(group.get("file", "")),
        interval_s=float(group.get("interval", 0) or 0),
    )


def sample_value(value: Any) -> float:
    """Prometheus sends sample values as strings: "NaN", "+Inf" included; float() reads them all."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


class PrometheusSource:
    kind = "prometheus"

    def __init__(self, url: str, auth: HttpAuth | None = None) -> None:
        self.url = url.rstrip("/")
        self.auth = auth or HttpAuth()
        self.name = f"prometheus {self.url}"
        self._client = make_client(self.auth, self.url)
        self._connect: Any = None  # PrometheusConnect, created on first PromQL query

    # -- alerts and rules (httpx) ---------------------------------------------------------------
    def _data(self, path: str, params: dict[str, Any] | None = None, form: dict[str, str] | None = None) -> Any:
        if form is not None:
            body = request_json(self._client, self.name, "POST", path, data=form)
        else:
            body = request_json(self._client, self.name, "GET", path, params=params)
        if not isinstance(body, dict) or body.get("status") != "success":
            error = body.get("error") if isinstance(body, dict) else ""
            raise SourceError(f"{self.name}: unexpected response to {path}" + (f": {one_line(error)}" if error else ""))
        return body.get("data")

    def fetch_alerts(self) -> list[Alert]:
        data = self._data("/api/v1/alerts")
        raw = data.get("alerts") if isinstance(data, dict) else None
        if not isinstance(raw, list):
            raise SourceError(f"{self.name}: /api/v1/alerts has no alerts list")
        return [alert_from_api(a, self.name) for a in raw if isinstance(a, dict)]

    def rules(self, kind: str | None = None) -> list[Rule]:
        """Every rule Prometheus evaluates; `kind` "alert" or "record" narrows it server-side."""
        data = self._data("/api/v1/rules", {"type": kind} if kind else None)
        groups = data.get("groups") if isinstance(data, dict) else None
        if not isinstance(groups, list):
            raise SourceError(f"{self.name}: /api/v1/rules has no groups list")
        return [
            rule_from_api(r, g)
            for g in groups if isinstance(g, dict)
            for r in g.get("rules") or [] if isinstance(r, dict)
        ]

    def check(self) -> str:
        """One line for `cockpit check` (which prints the source name before it): reachable, version."""
        info = self._data("/api/v1/status/buildinfo")
        version = info.get("version", "?") if isinstance(info, dict) else "?"
        return f"ok, Prometheus {version}"

    # -- PromQL (prometheus-api-client) ---------------------------------------------------------
    def _prom(self) -> Any:
        if self._connect is None:
            # Imported here: it pulls in requests (and on some versions pandas); keep it off start-up.
            with LAZY_IMPORTS:
                import requests
                from prometheus_api_client import PrometheusConnect
                from urllib3.util.retry import Retry

            session = requests.Session()
            session.verify = tls_verify(self.auth)
            self._connect = PrometheusConnect(
                url=self.url,
                headers=auth_headers(self.auth),
                auth=(self.auth.username, self.auth.password) if self.auth.username else None,
                session=session,
                retry=Retry(total=0, raise_on_status=False),
                timeout=self.auth.timeout_s,
            )
        elif self.auth.bearer_token_file:
            self._connect.headers = auth_headers(self.auth)  # the token may have rotated
        return self._connect

    def _promql(self, call: str, promql: str, **kwargs: Any) -> Any:
        prom = self._prom()
        import requests
        from prometheus_api_client import PrometheusApiClientException
        from urllib3.exceptions import ReadTimeoutError

        try:
            return getattr(prom, call)(promql, **kwargs)
        except PrometheusApiClientException as exc:
            raise SourceError(f"{self.name}: {api_client_error(str(exc))}") from None
        except requests.Timeout:
            raise SourceError(f"{self.name}: timed out after {self.auth.timeout_s:g}s") from None
        except requests.ConnectionError as exc:
            # With retries off, urllib3 wraps a read timeout in MaxRetryError -> ConnectionError.
            reason = getattr(exc.args[0] if exc.args else None, "reason", None)
            if isinstance(reason, ReadTimeoutError):
                raise SourceError(f"{self.name}: timed out after {self.auth.timeout_s:g}s") from None
            raise SourceError(f"{self.name}: cannot connect ({connect_reason(str(exc))})") from None
        except (ValueError, KeyError, TypeError):
            raise SourceError(f"{self.name}: invalid JSON in response to the query") from None
        except requests.RequestException as exc:
            raise SourceError(f"{self.name}: {type(exc).__name__}: {one_line(str(exc))}") from None

    def query(self, promql: str, at: float | None = None) -> list[Sample]:
        """An instant query: one (labels, value) per series; a scalar is one tuple with no labels."""
        params = {"time": f"{at:.3f}"} if at is not None else None
        result = self._promql("custom_query", promql, params=params)
        if isinstance(result, list) and len(result) == 2 and not isinstance(result[0], dict):
            return [({}, sample_value(result[1]))]  # scalar (or string) result: [ts, "value"]
        if not isinstance(result, list):
            raise SourceError(f"{self.name}: unexpected query result")
        out: list[Sample] = []
        for row in result:
            if not isinstance(row, dict) or "value" not in row:
                raise SourceError(f"{self.name}: {promql!r} is a range vector; use query_range")
            out.append((str_map(row.get("metric")), sample_value(row["value"][1])))
        return out

    def query_post(self, promql: str, at: float | None = None) -> list[Sample]:
        """An instant query sent as a form POST through httpx: fleet queries can be long (pod names),
        and VictoriaMetrics and proxies cap GET URLs. Vector results only."""
        form = {"query": promql, **({"time": f"{at:.3f}"} if at is not None else {})}
        data = self._data("/api/v1/query", form=form)
        result = data.get("result") if isinstance(data, dict) else None
        if not isinstance(result, list):
            raise SourceError(f"{self.name}: unexpected query result")
        return [(str_map(row.get("metric")), sample_value((row.get("value") or [0, "NaN"])[1]))
                for row in result if isinstance(row, dict)]

    def query_range(self, promql: str, start: float, end: float, step: float) -> list[Series]:
        result = self._promql(
            "custom_query_range",
            promql,
            start_time=datetime.fromtimestamp(start, UTC),
            end_time=datetime.fromtimestamp(end, UTC),
            step=f"{step:g}",
        )
        if not isinstance(result, list):
            raise SourceError(f"{self.name}: unexpected query_range result")
        return [
            (str_map(row.get("metric")), [(float(t), sample_value(v)) for t, v in row.get("values") or []])
            for row in result if isinstance(row, dict)
        ]

    def close(self) -> None:
        self._client.close()
        if self._connect is not None:
            self._connect.close()


def api_client_error(message: str) -> str:
    """prometheus-api-client says "HTTP Status Code 400 (b'{...json...}')": keep the status and the
    error Prometheus gave (e.g. a PromQL parse error), drop the bytes repr."""
    m = re.match(r"HTTP Status Code (\d+) \((.*)\)$", message, re.DOTALL)
    if not m:
        return one_line(message)
    code, raw = int(m.group(1)), m.group(2)
    try:
        text: Any = ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        text = raw
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    try:
        body = json.loads(text)
        text = str(body.get("error") or text) if isinstance(body, dict) else text
    except ValueError:
        pass
    if text.lstrip().startswith("<"):
        text = ""  # a proxy's HTML error page (the client hides the content type): the status says it
    try:
        status = f"HTTP {code} {HTTPStatus(code).phrase}"
    except ValueError:
        status = f"HTTP {code}"
    return status + (f": {one_line(text)}" if text.strip() else "")
