"""Acks: short silences with an owner. Which silence is an ack, who owns it, and what it targets.

An ack is an Alertmanager silence whose comment starts with "ACK"; cockpit writes "ACK by OWNER: …",
so the owner survives in Alertmanager even when the journal is gone. Pure functions over the model.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime

from cockpit.analysis.duration import format_duration
from cockpit.analysis.matchers import matches, silence_matchers
from cockpit.model import Alert, Matcher, Silence

_ACK = re.compile(r"^\s*ack(?:ed|nowledged)?\b", re.IGNORECASE)
_OWNER = re.compile(r"^\s*ack(?:ed|nowledged)?\s+(?:by\s+)?([^\s:,;]+)", re.IGNORECASE)


def is_ack(silence: Silence) -> bool:
    return bool(_ACK.match(silence.comment))


def ack_comment(owner: str, alert: Alert) -> str:
    return f"ACK by {owner}: {alert.name} acknowledged from cockpit"


def short_owner(who: str) -> str:
    """"alice@host-3" -> "alice": the row has room for a name, not a host."""
    return who.split("@", 1)[0] or who


def ack_owner(silence: Silence) -> str:
    """The owner named in the comment ("ACK by alice: …"), else the silence's creator."""
    m = _OWNER.match(silence.comment)
    named = m.group(1) if m else ""
    return short_owner(named if named and named.lower() not in ("by", "from") else silence.created_by)


def ack_matchers(alert: Alert) -> tuple[Matcher, ...]:
    """The selected alert and only it: every identifying label (volatile ones like $value left out),
    never just alertname — an alert without a namespace would otherwise ack every alert of its name."""
    return tuple(silence_matchers(alert, "exact"))


def caught(matchers: Sequence[Matcher], alerts: Iterable[Alert]) -> list[Alert]:
    return [a for a in alerts if matches(matchers, a.labels)]


def ack_for(alert: Alert, silences: Iterable[Silence]) -> Silence | None:
    """The live ack silencing this alert (the latest ending one), if any."""
    ids = set(alert.silenced_by)
    live = [s for s in silences if s.state in ("active", "pending") and is_ack(s)
            and (s.id in ids or (not ids and matches(s.matchers, alert.labels)))]
    return max(live, key=lambda s: s.ends_at, default=None)


def ack_label(alert: Alert, silences: Iterable[Silence], now: datetime) -> str:
    """"ack alice 12m" for a row; "" when the alert is not acked."""
    s = ack_for(alert, silences)
    if s is None:
        return ""
    age_s = (now - s.starts_at).total_seconds()
    return f"ack {ack_owner(s)} {format_duration(age_s) if age_s >= 1 else 'now'}"


def ack_labels(alerts: Iterable[Alert], silences: Sequence[Silence], now: datetime) -> dict[str, str]:
    """fingerprint -> "ack alice 12m" for every acked alert (the alerts pane's state cell)."""
    acks = [s for s in silences if is_ack(s) and s.state in ("active", "pending")]
    if not acks:
        return {}
    return {a.fingerprint: label for a in alerts if a.silenced and (label := ack_label(a, acks, now))}
