"""What is wrong with one pod, and what is noise: the per-row judgement incidents are built from.

Noise is not a problem: finished Jobs, old restarts of pods that are healthy now, pods still starting
(younger than a minute), pods being deleted. A problem carries a kind, the resource it lacks (for
Pending and evicted pods) and one line of detail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from cockpit.analysis.sanitize import clip
from cockpit.model import ContainerState, Pod

PULL_REASONS = frozenset({"ImagePullBackOff", "ErrImagePull", "InvalidImageName", "ErrImageNeverPull"})
CONFIG_REASONS = frozenset({"CreateContainerConfigError", "CreateContainerError", "RunContainerError"})
STARTING_S = 60  # a pod younger than this is starting, not failing ...
DEFINITE = frozenset({"crashloop", "oom", "config"})  # ... unless it crashed or cannot start (a pull may retry)
NOT_READY_AFTER_S = 300  # readiness may take a while (JVMs, caches): failing only after this
RECENT_RESTART_S = 600  # a ready pod that restarted within this may be flapping; older restarts are history
FLAPPING_RESTARTS = 3  # ... when it restarted this often (or was OOMKilled: its limit is too small)
PENDING_AFTER_S = 300  # Pending without a scheduling verdict (image pulls, volumes) for this long
# Worst first: the kind a pod with several problems is filed under.
KINDS = ("crashloop", "oom", "image-pull", "config", "evicted", "unschedulable", "failed", "stuck",
         "not-ready", "restarting", "unknown")
# Scheduler / eviction words -> the resource they lack.
_INSUFFICIENT = re.compile(r"Insufficient ([\w./-]+)")
_TAINTS = {"memory-pressure": "memory", "disk-pressure": "ephemeral-storage", "pid-pressure": "pids"}
_LOW_ON = re.compile(r"low on resource: ([\w./-]+)")
PRESSURE_RESOURCE = {"MemoryPressure": "memory", "DiskPressure": "ephemeral-storage", "PIDPressure": "pids"}


@dataclass(frozen=True, slots=True)
class Problem:
    kind: str  # one of KINDS
    detail: str  # one line, sanitized: "container api: 14 restarts, last OOMKilled (exit 137)"
    resource: str = ""  # memory | cpu | ephemeral-storage | pids | ... (unschedulable, evicted)
    container: ContainerState | None = None


def lacked_resource(text: str) -> str:
    """The resource a scheduler or eviction message says is short ("" when it says none)."""
    if m := _INSUFFICIENT.search(text):
        return m.group(1).rstrip(".,")
    if m := _LOW_ON.search(text):
        return m.group(1).rstrip(".,")
    if "Too many pods" in text:
        return "pods"
    return next((res for taint, res in _TAINTS.items() if f"node.kubernetes.io/{taint}" in text), "")


def _container_problem(c: ContainerState) -> Problem | None:
    if c.reason == "CrashLoopBackOff":
        code = f" (exit {c.last_exit_code})" if c.last_exit_code is not None else ""
        kind = "oom" if c.last_reason == "OOMKilled" else "crashloop"
        return Problem(kind, f"container {c.name}: CrashLoopBackOff, {c.restarts} restarts, last "
                             f"{c.last_reason or 'termination'}{code}", container=c)
    if c.reason == "OOMKilled":
        return Problem("oom", f"container {c.name}: OOMKilled, {c.restarts} restarts", container=c)
    if c.reason in PULL_REASONS:
        return Problem("image-pull", clip(f"container {c.name}: {c.reason} {c.image}", 200), container=c)
    if c.reason in CONFIG_REASONS:
        text = f"container {c.name}: {c.reason}: {c.message}".rstrip(": ")
        return Problem("config", clip(text, 200), container=c)
    return None


def _worst(problems: list[Problem]) -> Problem | None:
    return min(problems, key=lambda p: KINDS.index(p.kind)) if problems else None


def _age(pod: Pod, now: datetime) -> float:
    return pod.age_s(now) if pod.created_at is not None else float("inf")


def pod_problem(pod: Pod, now: datetime) -> Problem | None:
    """The pod's worst problem, or None when it is healthy or noise."""
    last = pod.last_restart_at
    if pod.phase == "Running" and pod.total and pod.ready >= pod.total and pod.reason == "Running" and (
            last is None or (now - last).total_seconds() >= RECENT_RESTART_S):
        return None  # the common case first: this runs for every one of 10k pods
    if pod.phase == "Succeeded" or pod.reason in ("Completed", "Terminating"):
        return None
    age = _age(pod, now)
    if age < STARTING_S:  # starting: give it a minute, unless it already failed for good
        early = _worst([p for c in pod.containers if (p := _container_problem(c)) is not None])
        return early if early is not None and early.kind in DEFINITE else None
    if pod.phase == "Failed":
        if pod.owner_kind == "Job":
            return None  # the Job's own retries and status say more; old failed attempts linger as noise
        if pod.reason == "Evicted":
            return Problem("evicted", clip(f"Evicted: {pod.message}".rstrip(": "), 200),
                           lacked_resource(pod.message))
        return Problem("failed", clip(pod.reason or "Failed", 200))
    found = [p for c in pod.containers if (p := _container_problem(c)) is not None]
    if not pod.containers:  # compact inputs (eval set, tables) carry only the status column
        bare = ContainerState(name="", reason=pod.reason.split(" ")[0], restarts=pod.restarts)
        found += [p for p in [_container_problem(bare)] if p is not None]
    if worst := _worst(found):
        return worst
    if pod.phase == "Pending":
        for ctype, status, reason, message in pod.conditions:
            if ctype == "PodScheduled" and status == "False":
                text = message or reason or "not scheduled"
                return Problem("unschedulable", clip(text.split(" preemption:")[0], 200), lacked_resource(text))
        if age > PENDING_AFTER_S:
            return Problem("stuck", clip(f"Pending for {int(age // 60)}m: {pod.reason}", 200))
        return None
    if pod.phase == "Unknown":
        return Problem("unknown", "phase Unknown: its node stopped reporting")
    if pod.phase == "Running" and pod.ready < pod.total and age > NOT_READY_AFTER_S:
        waiting = [c.name for c in pod.containers if not c.init and not c.ready]
        return Problem("not-ready", f"readiness failing in {', '.join(waiting) or 'a container'}")
    if last is not None and (now - last).total_seconds() < RECENT_RESTART_S and pod.restarts:
        why = next((c.last_reason for c in pod.containers if c.last_reason), "")
        if why != "OOMKilled" and pod.restarts < FLAPPING_RESTARTS:
            return None  # one restart of a pod that is healthy again: history, not an incident
        kind = "oom" if why == "OOMKilled" else "restarting"
        return Problem(kind, f"{pod.restarts} restarts, the last {int((now - last).total_seconds() // 60)}m ago"
                             + (f" ({why})" if why else ""))
    return None
