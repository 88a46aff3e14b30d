"""Which pods an on-call engineer reads first. Shared by the pods pane, reports and Marcus's context."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from cockpit.model import Pod

HEALTHY = 9
_START_FAILURES = ("ImagePullBackOff", "ErrImagePull", "CreateContainer", "InvalidImageName", "RunContainerError")
RECENT_RESTART_S = 3600


def pod_problem_rank(p: Pod, now: datetime | None = None) -> int:
    """0 = worst, 9 = healthy. `now` enables the 'restarted within the hour' rank."""
    r = p.reason
    recent = (now is not None and p.last_restart_at is not None
              and (now - p.last_restart_at).total_seconds() < RECENT_RESTART_S)
    if p.phase in ("Running", "Succeeded") and p.ready >= p.total and r in ("", "Running", "Completed") and not recent:
        return HEALTHY  # the common case first: this runs for every one of 10k pods
    if "CrashLoopBackOff" in r or "OOMKilled" in r:
        return 0
    if any(b in r for b in _START_FAILURES):
        return 1
    if p.phase == "Failed" or r.startswith(("Error", "Evicted")):
        return 2
    if p.phase == "Pending":
        return 3
    if p.phase == "Running" and p.ready < p.total:
        return 4
    if recent:
        return 5
    if p.phase == "Unknown" or r in ("Terminating", "NotReady", "Unknown"):
        return 6
    return HEALTHY


def is_problem(p: Pod, now: datetime | None = None) -> bool:
    return pod_problem_rank(p, now) < HEALTHY


def order_pods(pods: Iterable[Pod], now: datetime | None = None) -> list[tuple[int, Pod]]:
    """Problems first (worst, then most restarts), then the rest by namespace and name."""
    ranked = [(pod_problem_rank(p, now), p) for p in pods]
    ranked.sort(key=lambda rp: sort_key(rp[1], rp[0]))
    return ranked


def sort_key(p: Pod, rank: int) -> tuple[int, int, str, str]:
    """Worst rank first; among problems the most restarts; then namespace and name."""
    return (rank, -p.restarts if rank < HEALTHY else 0, p.namespace, p.name)
