"""When Marcus speaks unprompted: only on a meaningful change, debounced, under an hourly budget.

Pure: the caller passes the snapshots and (optionally) the time. A meaningful change is a new
incident (or one turned critical), a new critical alert, a new problem pod, or an SLO whose status
changed. Unchanged incidents and findings with the same persona and model are never sent twice
(cache by fingerprint), so a quiet screen costs nothing.
"""

from __future__ import annotations

import hashlib
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from cockpit.advisor.context import pod_rank
from cockpit.model import Snapshot


@dataclass(frozen=True, slots=True)
class Decision:
    speak: bool
    reason: str  # why (for the status line / debugging): "new critical alert X", "debounced", ...
    fingerprint: str = ""


def changes(old: Snapshot | None, new: Snapshot) -> list[str]:
    """What changed in a way an on-call engineer must hear about, most important first: a new incident
    (or one turned critical) before the rows that make it up."""
    before = {} if old is None else {i.id: i.severity for i in old.incidents}
    out = [f"new incident: {i.title}" if i.id not in before else f"incident now critical: {i.title}"
           for i in new.incidents if i.severity in ("critical", "warning")
           and (i.id not in before or (i.severity == "critical" and before[i.id] != "critical"))]
    old_crit = set() if old is None else {a.fingerprint for a in old.alerts if _critical(a)}
    out += [f"new critical alert {a.name}" for a in new.alerts if _critical(a) and a.fingerprint not in old_crit]
    old_bad = set() if old is None else {p.key for p in old.pods if pod_rank(p) < 9}
    new_bad = [p for p in new.pods if pod_rank(p) < 9 and p.key not in old_bad]
    if new_bad:
        out.append(f"{len(new_bad)} new problem pod{'s' if len(new_bad) > 1 else ''} ({new_bad[0].namespace}/{new_bad[0].name}"
                   + (", …)" if len(new_bad) > 1 else ")"))
    status = {} if old is None else {s.key: s.status for s in old.slos}
    for s in new.slos:
        was = status.get(s.key)
        # A status flip is news; a new (or first-seen) SLO only when it is already burning.
        if (was is not None and was != s.status) or (was is None and s.status in ("page", "ticket")):
            out.append(f"SLO {s.service}/{s.name} {was or 'new'} → {s.status}")
    return out


def _critical(a) -> bool:  # an Alert
    return a.severity.lower() in ("critical", "page") and a.state == "firing" and not a.silenced


def fingerprint(snapshot: Snapshot, persona: str, model: str) -> str:
    """Same incidents and findings + persona + model = same comment: nothing new to say."""
    h = hashlib.sha256(f"{persona}\0{model}".encode())
    for i in sorted(snapshot.incidents, key=lambda i: i.id):
        h.update(f"\0{i.id}|{i.severity}|{i.title}|{i.cause}".encode())
    for f in sorted(snapshot.findings, key=lambda f: (f.kind, f.subject)):
        h.update(f"\0{f.severity}|{f.kind}|{f.subject}|{f.summary}".encode())
    return h.hexdigest()[:16]


@dataclass
class CommentPolicy:
    min_interval_s: float = 20.0
    hourly_budget: int = 12
    clock: Callable[[], float] = time.monotonic
    _spoken: deque[float] = field(default_factory=deque)
    _seen: set[str] = field(default_factory=set)
    _pending: list[str] = field(default_factory=list)  # changes held back by the debounce

    def decide(self, old: Snapshot | None, new: Snapshot, persona: str = "", model: str = "",
               now: float | None = None) -> Decision:
        """Whether to comment on `new`; call record() when the comment was actually made."""
        now = self.clock() if now is None else now
        found = changes(old, new)
        self._pending += [c for c in found if c not in self._pending]
        if not self._pending:
            return Decision(False, "no meaningful change")
        fp = fingerprint(new, persona, model)
        if fp in self._seen:
            self._pending.clear()
            return Decision(False, "already commented on these findings", fp)
        while self._spoken and now - self._spoken[0] >= 3600:
            self._spoken.popleft()
        if self._spoken and now - self._spoken[-1] < self.min_interval_s:
            return Decision(False, "debounced", fp)  # the change stays pending for the next tick
        if len(self._spoken) >= self.hourly_budget:
            return Decision(False, f"hourly budget of {self.hourly_budget} comments spent", fp)
        return Decision(True, "; ".join(self._pending[:3]), fp)

    def record(self, decision: Decision, now: float | None = None) -> None:
        """The comment was made: count it against the budget and remember its fingerprint."""
        self._spoken.append(self.clock() if now is None else now)
        self._seen.add(decision.fingerprint)
        self._pending.clear()
