"""Alertmanager API v2: alerts (active, silenced and inhibited), silences, and silence actions.

Every action reads its result back from Alertmanager, so the UI only says "done" for what the
backend actually holds.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from cockpit.config import HttpAuth
from cockpit.model import Alert, Matcher, Silence, SilenceRequest, utcnow
from cockpit.sources.base import SourceError
from cockpit.sources.http import MAX_ANNOTATION, make_client, parse_time, request_json, str_map


def alert_state(status: dict[str, Any]) -> str:
    """v2 says active | suppressed | unprocessed; suppressed is split by what suppresses it."""
    state = status.get("state")
    if state == "suppressed":
        if status.get("silencedBy"):
            return "silenced"
        if status.get("inhibitedBy"):
            return "inhibited"
        return "silenced"
    return "firing"  # active, and unprocessed (received, not yet routed) is firing too


def alert_from_api(raw: dict[str, Any], source: str) -> Alert:
    labels = str_map(raw.get("labels"))
    raw_status = raw.get("status")
    status: dict[str, Any] = raw_status if isinstance(raw_status, dict) else {}
    return Alert(
        fingerprint=str(raw.get("fingerprint", "")),
        name=labels.get("alertname", ""),
        severity=labels.get("severity", "none").lower(),
        state=alert_state(status),
        labels=labels,
        annotations=str_map(raw.get("annotations"), MAX_ANNOTATION),
        starts_at=parse_time(raw.get("startsAt")),
        generator_url=str(raw.get("generatorURL", "") or ""),
        silenced_by=tuple(str(s) for s in status.get("silencedBy") or ()),
        inhibited_by=tuple(str(s) for s in status.get("inhibitedBy") or ()),
        source=source,
    )


def matcher_from_api(raw: dict[str, Any]) -> Matcher:
    return Matcher(
        name=str(raw.get("name", "")),
        value=str(raw.get("value", "")),
        is_regex=bool(raw.get("isRegex", False)),
        is_equal=bool(raw.get("isEqual", True)),  # absent in old (< 0.22) servers: equality
    )


def matcher_to_api(m: Matcher) -> dict[str, Any]:
    return {"name": m.name, "value": m.value, "isRegex": m.is_regex, "isEqual": m.is_equal}


def silence_from_api(raw: dict[str, Any], source: str) -> Silence:
    raw_status = raw.get("status")
    status: dict[str, Any] = raw_status if isinstance(raw_status, dict) else {}
    now = utcnow()
    return Silence(
        id=str(raw.get("id", "")),
        matchers=tuple(matcher_from_api(m) for m in raw.get("matchers") or () if isinstance(m, dict)),
        starts_at=parse_time(raw.get("startsAt")) or now,
        ends_at=parse_time(raw.get("endsAt")) or now,
        created_by=str(raw.get("createdBy", "")),
        comment=str(raw.get("comment", "")),
        state=str(status.get("state", "active")),
        source=source,
    )


class AlertmanagerSource:
    kind = "alertmanager"

    def __init__(self, url: str, auth: HttpAuth | None = None) -> None:
        self.url = url.rstrip("/")
        self.auth = auth or HttpAuth()
        self.name = f"alertmanager {self.url}"
        self._client = make_client(self.auth, self.url)

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        return request_json(self._client, self.name, method, path, **kwargs)

    def _list(self, path: str, **kwargs: Any) -> list[dict[str, Any]]:
        body = self._request("GET", path, **kwargs)
        if not isinstance(body, list):
            raise SourceError(f"{self.name}: {path} did not return a list")
        return [x for x in body if isinstance(x, dict)]

    def fetch_alerts(self) -> list[Alert]:
        params = {"active": "true", "silenced": "true", "inhibited": "true", "unprocessed": "true"}
        return [alert_from_api(a, self.name) for a in self._list("/api/v2/alerts", params=params)]

    def fetch_silences(self) -> list[Silence]:
        return [silence_from_api(s, self.name) for s in self._list("/api/v2/silences")]

    def get_silence(self, silence_id: str) -> Silence:
        body = self._request("GET", f"/api/v2/silence/{silence_id}")
        if not isinstance(body, dict):
            raise SourceError(f"{self.name}: silence {silence_id} not readable")
        return silence_from_api(body, self.name)

    def create_silence(self, request: SilenceRequest) -> Silence:
        if not request.matchers:
            raise SourceError(f"{self.name}: a silence needs at least one matcher")
        start = utcnow()
        payload = {
            "matchers": [matcher_to_api(m) for m in request.matchers],
            "startsAt": start.isoformat(),
            "endsAt": (start + timedelta(seconds=request.duration_s)).isoformat(),
            "createdBy": request.created_by,
            "comment": request.comment,
        }
        body = self._request("POST", "/api/v2/silences", json=payload)
        silence_id = body.get("silenceID") if isinstance(body, dict) else None
        if not silence_id:
            raise SourceError(f"{self.name}: silence created but no id returned")
        return self.get_silence(str(silence_id))

    def update_silence(self, silence: Silence, ends_at: datetime) -> Silence:
        """A new end for a live silence, read back. Alertmanager edits it in place when only the end
        moves; otherwise it expires the old one and answers with a new id, which is what we read."""
        payload = {
            "id": silence.id,
            "matchers": [matcher_to_api(m) for m in silence.matchers],
            "startsAt": silence.starts_at.isoformat(),
            "endsAt": ends_at.isoformat(),
            "createdBy": silence.created_by,
            "comment": silence.comment,
        }
        body = self._request("POST", "/api/v2/silences", json=payload)
        silence_id = body.get("silenceID") if isinstance(body, dict) else None
        return self.get_silence(str(silence_id or silence.id))

    def expire_silence(self, silence_id: str) -> Silence:
        self._request("DELETE", f"/api/v2/silence/{silence_id}")
        return self.get_silence(silence_id)

    def post_alerts(self, alerts: list[dict[str, Any]]) -> None:
        """Push alerts in API v2 form (labels, annotations, startsAt...); used by tests and the bench."""
        self._request("POST", "/api/v2/alerts", json=alerts)

    def check(self) -> str:
        """One line for `cockpit check` (printed after the source name): version, cluster state."""
        body = self._request("GET", "/api/v2/status")
        if not isinstance(body, dict):
            raise SourceError(f"{self.name}: /api/v2/status did not return an object")
        version = (body.get("versionInfo") or {}).get("version", "?")
        cluster = body.get("cluster") or {}
        peers = len(cluster.get("peers") or ())
        gossip = f"cluster {cluster.get('status')}, {peers} peers" if cluster.get("status") != "disabled" else "no cluster"
        return f"ok, Alertmanager {version}, {gossip}"

    def close(self) -> None:
        self._client.close()
