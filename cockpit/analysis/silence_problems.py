"""Silence hygiene: what is wrong with a silence, by the rules an SRE checks before trusting one.

Problems (names are a contract of `cockpit silences --format json`):
  matches-nothing  no current alert is matched by it (it quietly stopped working, or never did)
  expires-soon     ends within `expires_soon_s` (default 2 h) and was made for longer than that, or ends
                   within 15 min: someone gets paged when it lapses. A silence made short on purpose
                   (the dialog's 1 h) lapses when its author planned; it is flagged only near its end.
  broad            no alertname matcher, a catch-all regex like `.*`, or more than 20 alerts matched
  volatile-labels  matches on labels that change when a pod is rescheduled (pod, instance, hash, …)
  no-comment       empty comment, or a bare "ACK" that names no owner
  long             lasts more than 7 days
  hides-page       silences an alert tied to an SLO that is burning at page level
Pure: silences, alerts and SLOs in, findings out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from cockpit.analysis.correlate import alert_hits_slo
from cockpit.analysis.matchers import BROAD_ALERT_COUNT, VOLATILE_LABELS, matcher_matches, matches
from cockpit.model import Alert, Matcher, Silence, SLOStatus
from cockpit.slo.spec import duration_s

EXPIRES_SOON_S = 2 * 3600
LAPSE_IMMINENT_S = 15 * 60  # any silence this close to its end gets flagged, however short it was made
LONG_S = 7 * 86400
PROBLEMS = ("matches-nothing", "expires-soon", "broad", "volatile-labels", "no-comment", "long", "hides-page")

# Labels whose value belongs to one pod incarnation or one scrape target: a reschedule changes them,
# and a silence made from them stops matching (Nagstamon PR #1244).
RESCHEDULE_LABELS = frozenset({
    "pod", "pod_name", "exported_pod", "kubernetes_pod_name", "instance", "pod_ip", "pod-ip", "host_ip",
    "ip", "pod-template-hash", "pod_template_hash", "controller-revision-hash", "controller_revision_hash",
    "container_id", "uid", "pod_uid", "replicaset", "job_name", "image_id",
}) | VOLATILE_LABELS
# A generated pod name ("checkout-api-7d9f8c6b5-x2x4z"; "web-0" is stable), an IP or a UUID. Kubernetes
# writes name suffixes and template hashes in an alphabet without vowels, so real words do not match.
_K = "[bcdfghjklmnpqrstvwxz2456789]"
_GENERATED = re.compile(
    rf".+-(?:{_K}{{6,10}}-)?{_K}{{5}}|\d{{1,3}}(?:\.\d{{1,3}}){{3}}(?::\d+)?|[0-9a-f]{{8}}-[0-9a-f]{{4}}-[0-9a-f-]{{27}}"
)
_BARE_ACK = re.compile(r"^\s*(?:ack(?:ed|nowledged)?|silenced?|muted?|wip|todo|test)?[\s.!:;,\-]*$", re.IGNORECASE)
# Strings no deliberate matcher value would cover: a regex matching two of them catches everything.
_PROBES = ("cockpit-probe-9q", "ZZ.other value/7", "")


@dataclass(frozen=True, slots=True)
class SilenceCheck:
    silence: Silence
    problems: tuple[str, ...]
    matched: tuple[Alert, ...]  # current alerts it matches
    details: dict[str, str]  # problem -> one line saying why


def catch_all(m: Matcher) -> bool:
    """A regex that matches (nearly) any value, like `.*`, `.+` or `(?:.*)`."""
    if not m.is_regex or not m.is_equal:
        return False
    return sum(matcher_matches(m, {m.name: p}) for p in _PROBES) >= 2


def volatile(m: Matcher) -> bool:
    if not m.is_equal or catch_all(m):
        return False
    if m.name in RESCHEDULE_LABELS:
        return True
    return not m.is_regex and bool(_GENERATED.fullmatch(m.value))


def has_alertname(matchers: Sequence[Matcher]) -> bool:
    return any(m.name == "alertname" and m.is_equal and not catch_all(m) for m in matchers)


def page_slos(alerts: Iterable[Alert], slos: Iterable[SLOStatus]) -> list[tuple[Alert, SLOStatus]]:
    paging = [s for s in slos if s.status == "page"]
    return [(a, s) for a in alerts for s in paging if alert_hits_slo(a, s)]


def expires_soon(silence: Silence, left_s: float, threshold_s: float = EXPIRES_SOON_S) -> bool:
    """About to surprise someone: it ends within the threshold though it was made to last longer, or
    it ends within 15 min whatever its length."""
    length = (silence.ends_at - silence.starts_at).total_seconds()
    return left_s <= min(LAPSE_IMMINENT_S, threshold_s) or (left_s <= threshold_s and length > threshold_s)


def check_silence(silence: Silence, alerts: Sequence[Alert], slos: Sequence[SLOStatus], now: datetime,
                  expires_soon_s: float = EXPIRES_SOON_S) -> SilenceCheck:
    """Every problem of one silence, with a short reason each."""
    ms = list(silence.matchers)
    hit = tuple(a for a in alerts if silence.id in a.silenced_by or matches(ms, a.labels))
    why: dict[str, str] = {}
    if not hit:
        why["matches-nothing"] = "no current alert matches it"
    left = (silence.ends_at - now).total_seconds()
    if silence.state != "expired" and expires_soon(silence, left, expires_soon_s):
        why["expires-soon"] = f"ends in {_dur(left)}"
    broad = []
    if not has_alertname(ms):
        broad.append("no alertname matcher")
    broad += [f"{m.name}=~{m.value!r} matches anything" for m in ms if catch_all(m)]
    if len(hit) > BROAD_ALERT_COUNT:
        broad.append(f"matches {len(hit)} alerts")
    if broad:
        why["broad"] = "; ".join(broad)
    vol = [m.name for m in ms if volatile(m)]
    if vol:
        why["volatile-labels"] = f"matches on {', '.join(sorted(set(vol)))}, which change when a pod is rescheduled"
    if _BARE_ACK.fullmatch(silence.comment or ""):
        why["no-comment"] = "no comment" if not silence.comment.strip() else f"comment {silence.comment.strip()!r} names no owner or reason"
    length = (silence.ends_at - silence.starts_at).total_seconds()
    if length > LONG_S:
        why["long"] = f"lasts {_dur(length)}"
    hidden = page_slos(hit, slos)
    if hidden:
        a, s = hidden[0]
        why["hides-page"] = f"hides {a.name}, tied to SLO {s.service}/{s.name} burning at page level"
    return SilenceCheck(silence, tuple(p for p in PROBLEMS if p in why), hit, why)


def check_silences(silences: Iterable[Silence], alerts: Sequence[Alert], slos: Sequence[SLOStatus], now: datetime,
                   expires_soon_s: float = EXPIRES_SOON_S) -> list[SilenceCheck]:
    """Active and pending silences, soonest expiry first, each with its problems."""
    live = sorted((s for s in silences if s.state in ("active", "pending")), key=lambda s: (s.ends_at, s.id))
    return [check_silence(s, alerts, slos, now, expires_soon_s) for s in live]


def projected_budget(slo: SLOStatus, seconds: float) -> float | None:
    """Budget remaining after `seconds` more at the current 1h burn (what a silence of that length
    lets burn unseen); None without data."""
    burn = slo.burn_rates.get("1h")
    try:
        period = duration_s(slo.period)
    except ValueError:
        return None
    if slo.budget_remaining is None or burn is None:
        return None
    return slo.budget_remaining - burn * seconds / period


def _dur(seconds: float) -> str:
    from cockpit.analysis.duration import format_duration

    return format_duration(max(0.0, seconds)) if seconds >= 1 else "0s"


def prospective(matchers: Sequence[Matcher], seconds: float, comment: str, created_by: str, now: datetime) -> Silence:
    """The silence a dialog is about to create, so it can be checked before anyone confirms it."""
    from datetime import timedelta

    return Silence("", tuple(matchers), now, now + timedelta(seconds=seconds), created_by, comment, state="active")


def budget_at_end(alert: Alert, slos: Iterable[SLOStatus], seconds: float) -> list[tuple[SLOStatus, float | None]]:
    """The SLOs tied to an alert, with the budget left once a silence of `seconds` ends at today's burn."""
    return [(s, projected_budget(s, seconds)) for s in slos if alert_hits_slo(alert, s)]
