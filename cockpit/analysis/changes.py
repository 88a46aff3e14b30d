"""What changed recently: rollouts, scale, node conditions, cordons, restarts, warnings, alerts, silences, SLOs.

Pure: everything is derived from a Snapshot (the rows already listed and watched, the ReplicaSets and
ControllerRevisions, the changes a source reported itself) and, for what is only seen while running
(scale and SLO status changes), the previous Snapshot. Newest first, within the window.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from cockpit.analysis.sanitize import clip
from cockpit.model import Change, Event, Node, Pod, Revision, Snapshot, Workload

DEFAULT_WINDOW_S = 7200
MAX_PER_KIND = 200  # newest kept of each NOISY kind: a big cluster's restarts would bury the rollouts
NOISY = frozenset({"event", "restart", "alert"})
_KIND_ORDER = {"rollout": 0, "rollout-stalled": 1, "node": 2, "cordon": 3, "configmap": 4, "scale": 5,
               "rollout-paused": 6, "slo": 7, "alert": 8, "silence": 9, "event": 10, "restart": 11}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _t(text: object, limit: int = 160) -> str:
    return clip(text, limit)


def hhmm(at: datetime | None) -> str:
    return f"{at:%H:%M}" if at is not None else "?"


# -- refs: how a change names the rows it concerns (the same strings incidents use) -----------------
def pod_ref(pod: Pod, multi: bool) -> str:
    base = f"{pod.namespace}/{pod.name}"
    return f"{pod.context}:{base}" if multi and pod.context else base


def workload_ref(kind: str, namespace: str, name: str, context: str, multi: bool) -> str:
    base = f"{kind.lower()}/{namespace}/{name}"
    return f"{context}:{base}" if multi and context else base


def node_ref(name: str, context: str, multi: bool) -> str:
    return f"{context}:{name}" if multi and context else name


def is_multi(snapshot: Snapshot) -> bool:
    """Several contexts, or a fleet of clusters: names carry their context (cluster) prefix."""
    return len(set(snapshot.contexts)) > 1 or len(snapshot.clusters) > 1


# -- rollouts --------------------------------------------------------------------------------------
def _images(rev: Revision) -> str:
    return ", ".join(f"{c}={i}" if len(rev.images) > 1 else i for c, i in rev.images)


def image_diff(old: Revision, new: Revision) -> tuple[str, str]:
    """("app:2.3.1", "app:2.4.0") for the containers whose image changed (all containers if none did)."""
    before, after = dict(old.images), dict(new.images)
    changed = [c for c in after if before.get(c) != after[c]] or list(after)
    label = len(changed) > 1 or len(after) > 1

    def side(images: dict[str, str]) -> str:
        return ", ".join((f"{c}={images.get(c, '(none)')}" if label else images.get(c, "(none)")) for c in changed)

    return side(before), side(after)


def template_diff(old: Revision, new: Revision) -> list[str]:
    """The pod-template parts that differ besides images: "env of api", "resources of api", "volumes"."""
    keys = set(old.template) | set(new.template)
    return sorted(k for k in keys if not k.startswith("image") and old.template.get(k) != new.template.get(k))


def revisions_by_workload(revisions: Iterable[Revision]) -> dict[tuple[str, str], list[Revision]]:
    """(context, workload key) -> its revisions, oldest first."""
    out: dict[tuple[str, str], list[Revision]] = {}
    for r in revisions:
        out.setdefault((r.context, r.workload_key), []).append(r)
    for revs in out.values():
        revs.sort(key=lambda r: (r.revision, r.created_at or _EPOCH))
    return out


def _workloads(snapshot: Snapshot) -> dict[tuple[str, str], Workload]:
    return {(w.context, w.key): w for w in snapshot.workloads}


def rollout_change(new: Revision, old: Revision | None, workload: Workload | None, multi: bool,
                   rollback_at: datetime | None = None) -> Change | None:
    """`new` replaced `old`. With `rollback_at`, `new` is an older template made current again
    (kubectl rollout undo bumps its revision): a rollback at that time."""
    at = rollback_at or new.created_at
    if at is None or old is None:
        return None
    kind = new.owner_kind
    subject = f"{kind.lower()} {new.namespace}/{new.owner_name}"
    before, after = image_diff(old, new)
    others = template_diff(old, new)
    what = f"{before} → {after}" if before != after else ("pod template: " + ", ".join(others[:4]) if others
                                                          else "same template")
    counts = ""
    if new.kind == "ReplicaSet":
        counts = f"; new {new.name} {new.ready}/{new.desired} ready"
        counts += (f", old {old.name} still serves {old.ready}/{old.desired}" if old.ready
                   else f", old {old.name} scaled to 0")
    elif workload is not None:
        counts = f"; {workload.updated}/{workload.desired} updated, {workload.ready} ready"
    details = {"from": before, "to": after, "new": new.name, "old": old.name, "new_hash": new.hash,
               "old_hash": old.hash, "revision": str(new.revision), "template": ", ".join(others),
               "new_ready": str(new.ready), "new_desired": str(new.desired), "old_ready": str(old.ready),
               "old_desired": str(old.desired), "namespace": new.namespace, "name": new.owner_name,
               "workload_kind": kind, "rollback": "true" if rollback_at else ""}
    ref = "workload:" + workload_ref(kind, new.namespace, new.owner_name, new.context, multi)
    head = (f"rollback to revision {new.revision} at {hhmm(at)} ({new.name} serves again)" if rollback_at
            else f"revision {new.revision} at {hhmm(at)}")
    return Change(at, "rollout", _t(subject), _t(f"{head}: {what}{counts}", 400),
                  (ref,), {k: _t(v, 300) for k, v in details.items()}, new.context)


def is_rollback(change: Change) -> bool:
    return change.kind == "rollout" and change.details.get("rollback") == "true"


_Scaling = dict[tuple[str, str, str], list[Event]]


def _scaling_events(snapshot: Snapshot) -> _Scaling:
    """The deployment controller's ScalingReplicaSet events by (context, namespace, deployment)."""
    out: _Scaling = {}
    for e in snapshot.events:
        if e.reason == "ScalingReplicaSet":
            out.setdefault((e.context, e.namespace, e.involved_name), []).append(e)
    return out


def _rollback_at(snapshot: Snapshot, current: Revision, replaced: Revision, w: Workload | None,
                 seen: dict[tuple[str, str], datetime], multi: bool, scaling: _Scaling) -> datetime:
    """When `current` (an older template) became current again after `replaced`: the deployment
    controller's scale-up of it, else the workload's Progressing condition, else what a previous
    refresh saw, else no earlier than `replaced` was created (a lower bound: nothing dates it)."""
    floor = replaced.created_at or snapshot.taken_at
    times = [e.first_seen or e.last_seen for e in scaling.get((current.context, current.namespace,
                                                                current.owner_name), ())
             if f" {current.name} " in f" {e.message} " and "up" in e.message.lower()]
    after = sorted(t for t in times if t is not None and t >= floor)
    if after:
        return after[0]
    cond = next((c[4] for c in (w.conditions if w else ()) if c[0] == "Progressing" and c[4] is not None), None)
    if cond is not None and cond >= floor:
        return cond
    ref = "workload:" + workload_ref(current.owner_kind, current.namespace, current.owner_name, current.context, multi)
    return seen.get((ref, current.name), floor)


def _seen_rollbacks(previous: Snapshot | None) -> dict[tuple[str, str], datetime]:
    """(workload ref, ReplicaSet serving again) -> when a previous refresh dated that rollback."""
    return {(r, c.details.get("new", "")): c.at for c in (previous.changes if previous is not None else ())
            if is_rollback(c) for r in c.refs}


def rollout_changes(snapshot: Snapshot, since: datetime, multi: bool,
                    previous: Snapshot | None = None) -> list[Change]:
    workloads = _workloads(snapshot)
    scaling: _Scaling | None = None
    seen: dict[tuple[str, str], datetime] | None = None
    out = []
    for (ctx, key), revs in revisions_by_workload(snapshot.revisions).items():
        w = workloads.get((ctx, key))
        back: list[Change] = []
        if _rolled_back(revs):
            if scaling is None or seen is None:  # built once, only when something was rolled back
                scaling, seen = _scaling_events(snapshot), _seen_rollbacks(previous)
            back = _rollback(snapshot, revs, w, since, multi, seen, scaling)
        undone = revs[-2] if _rolled_back(revs) else None
        for old, new in zip(revs, revs[1:], strict=False):
            if new is undone or old is undone and new is revs[-1]:
                continue  # told by the rollback: what it undid, and the template serving again
            if new.created_at is not None and new.created_at >= since:
                c = rollout_change(new, old, w, multi)
                if c is not None:
                    out.append(c)
        out += back
    return out


def _rolled_back(revs: list[Revision]) -> bool:
    current, replaced = (revs[-1], revs[-2]) if len(revs) > 1 else (None, None)
    return (current is not None and replaced is not None and current.created_at is not None
            and replaced.created_at is not None and current.created_at < replaced.created_at)


def _rollback(snapshot: Snapshot, revs: list[Revision], w: Workload | None, since: datetime, multi: bool,
              seen: dict[tuple[str, str], datetime], scaling: _Scaling) -> list[Change]:
    """The newest revision older (by creation) than the one before it: an old template made current
    again, i.e. a rollback. The rollout it undid is a change too: its revision number was taken over."""
    if not _rolled_back(revs):
        return []
    current, replaced = revs[-1], revs[-2]
    out = []
    at = _rollback_at(snapshot, current, replaced, w, seen, multi, scaling)
    if at >= since and (c := rollout_change(current, replaced, w, multi, rollback_at=at)) is not None:
        out.append(c)
    if replaced.created_at and replaced.created_at >= since \
            and (c := rollout_change(replaced, current, None, multi)) is not None:
        out.append(c)  # the rollout that was undone, from the template that serves again
    return out


def latest_rollout(changes: Sequence[Change], ref: str) -> Change | None:
    """The newest rollout change of a workload ref ("workload:deployment/ns/name")."""
    return next((c for c in changes if c.kind == "rollout" and ref in c.refs), None)


# -- workloads: stalls, pauses, scale ---------------------------------------------------------------
def workload_changes(snapshot: Snapshot, previous: Snapshot | None, since: datetime, multi: bool) -> list[Change]:
    out = []
    before = _workloads(previous) if previous is not None else {}
    for w in snapshot.workloads:
        ref = "workload:" + workload_ref(w.kind, w.namespace, w.name, w.context, multi)
        subject = _t(f"{w.kind.lower()} {w.namespace}/{w.name}")
        for ctype, status, reason, message, at in w.conditions:
            stalled = (ctype == "Progressing" and status == "False") or reason == "ProgressDeadlineExceeded"
            if stalled or (ctype == "ReplicaFailure" and status == "True"):
                out.append(Change(at or snapshot.taken_at, "rollout-stalled", subject,
                                  _t(f"rollout stalled: {reason or ctype}: {message}".rstrip(": "), 300), (ref,),
                                  {"reason": _t(reason)}, w.context))
        if w.paused:
            at = next((c[4] for c in w.conditions if c[0] == "Progressing"), None) or snapshot.taken_at
            out.append(Change(at, "rollout-paused", subject, "rollout paused", (ref,), {}, w.context))
        old = before.get((w.context, w.key))
        if old is not None and old.desired != w.desired:
            out.append(Change(snapshot.taken_at, "scale", subject, f"scaled {old.desired} → {w.desired}", (ref,),
                              {"from": str(old.desired), "to": str(w.desired)}, w.context))
    for prev in (previous.changes if previous is not None else ()):
        if prev.kind == "scale" and prev.at >= since:
            out.append(prev)  # seen while running: only the previous snapshot remembers it
    return [c for c in out if c.at >= since or c.kind in ("rollout-stalled", "rollout-paused")]


def _scale_events(snapshot: Snapshot, since: datetime, multi: bool) -> list[Change]:
    """Deployment controller's ScalingReplicaSet and the HPA's SuccessfulRescale carry their times."""
    out = []
    for e in snapshot.events:
        if e.reason not in ("ScalingReplicaSet", "SuccessfulRescale") or (e.last_seen or since) < since:
            continue
        kind = {"HorizontalPodAutoscaler": "hpa"}.get(e.involved_kind, e.involved_kind.lower())
        ref = "workload:" + workload_ref(e.involved_kind, e.namespace, e.involved_name, e.context, multi)
        out.append(Change(e.last_seen or snapshot.taken_at, "scale", _t(f"{kind} {e.namespace}/{e.involved_name}"),
                          _t(e.message, 300), (ref,), {}, e.context))
    return out


# -- nodes -----------------------------------------------------------------------------------------
def _node_changes(nodes: Iterable[Node], previous: Snapshot | None, now: datetime, since: datetime,
                  multi: bool) -> list[Change]:
    out = []
    cordoned_before = {(n.context, n.name) for n in previous.nodes if n.unschedulable} if previous else None
    for n in nodes:
        ref = "node:" + node_ref(n.name, n.context, multi)
        for ctype, status, reason, at in n.conditions:
            if at is None or at < since:
                continue
            bad = (ctype == "Ready" and status != "True") or (ctype != "Ready" and status == "True")
            if ctype == "Ready":
                state = "Ready" if status == "True" else ("Unknown" if status == "Unknown" else "NotReady")
                text = f"{state} since {hhmm(at)}" + (f" ({reason})" if reason else "")
            else:
                text = f"{ctype} {'since' if bad else 'cleared at'} {hhmm(at)}"
            out.append(Change(at, "node", _t(f"node {n.name}"), _t(text, 300), (ref,),
                              {"condition": _t(ctype), "status": _t(status), "bad": str(bad).lower()}, n.context))
        if n.unschedulable and n.cordoned_at is not None:  # the taint says when
            if n.cordoned_at >= since:
                out.append(Change(n.cordoned_at, "cordon", _t(f"node {n.name}"),
                                  f"cordoned (unschedulable) at {hhmm(n.cordoned_at)}", (ref,), {}, n.context))
        elif n.unschedulable and (cordoned_before is None or (n.context, n.name) not in cordoned_before):
            at = now if cordoned_before is not None else None
            out.append(Change(at or now, "cordon", _t(f"node {n.name}"),
                              "cordoned (unschedulable)" + ("" if at else ", seen at start"), (ref,), {}, n.context))
    if previous is not None:
        out += [c for c in previous.changes if c.kind == "cordon" and c.at >= since
                and not any(o.key == c.key for o in out)]
    return out


# -- pods and events -------------------------------------------------------------------------------
def _restart_changes(pods: Iterable[Pod], since: datetime, multi: bool) -> list[Change]:
    out = []
    for p in pods:
        if p.last_restart_at is None or p.last_restart_at < since:
            continue
        for c in p.containers:
            if c.last_finished_at is None or c.last_finished_at < since:
                continue
            code = f" (exit {c.last_exit_code})" if c.last_exit_code is not None else ""
            out.append(Change(c.last_finished_at, "restart", _t(f"pod {p.namespace}/{p.name}"),
                              _t(f"container {c.name} terminated {c.last_reason or 'Unknown'}{code}, "
                                 f"{c.restarts} restarts", 300),
                              ("pod:" + pod_ref(p, multi),), {"reason": _t(c.last_reason)}, p.context))
    return out


def _event_ref(kind: str, namespace: str, name: str, context: str, multi: bool) -> str:
    if kind == "Pod":
        base = f"{namespace}/{name}"
        return "pod:" + (f"{context}:{base}" if multi and context else base)
    if kind == "Node":
        return "node:" + node_ref(name, context, multi)
    return "workload:" + workload_ref(kind, namespace, name, context, multi)


def _warning_events(snapshot: Snapshot, since: datetime, multi: bool) -> list[Change]:
    out = []
    for e in snapshot.events:
        at = e.last_seen or e.first_seen
        if e.type != "Warning" or at is None or at < since:
            continue
        count = f" ×{e.count}" if e.count > 1 else ""
        out.append(Change(at, "event", _t(f"{e.involved_kind.lower()} {e.namespace}/{e.involved_name}".replace(" /", " ")),
                          _t(f"{e.reason}{count}: {e.message}", 300),
                          (_event_ref(e.involved_kind, e.namespace, e.involved_name, e.context, multi),),
                          {"reason": _t(e.reason)}, e.context))
    return out


# -- alerts, silences, SLOs ------------------------------------------------------------------------
def _alert_changes(snapshot: Snapshot, since: datetime) -> list[Change]:
    out = []
    for a in snapshot.alerts:
        if a.starts_at is None or a.starts_at < since or a.state == "pending":
            continue
        where = "/".join(x for x in (a.namespace, a.service) if x)
        out.append(Change(a.starts_at, "alert", _t(f"alert {a.name}"),
                          _t(f"{a.severity} {a.name} started firing" + (f" ({where})" if where else "")
                             + (f": {a.summary}" if a.summary else ""), 300),
                          ("alert:" + a.fingerprint,), {"state": _t(a.state)}))
    return out


def _silence_changes(snapshot: Snapshot, since: datetime) -> list[Change]:
    out = []
    for s in snapshot.silences:
        what = ", ".join(str(m) for m in s.matchers)
        if s.starts_at >= since:
            out.append(Change(s.starts_at, "silence", _t(f"silence {s.id}"),
                              _t(f"created by {s.created_by}: {what}" + (f" ({s.comment})" if s.comment else ""), 300),
                              (), {"state": "created"}))
        if s.state == "expired" and since <= s.ends_at <= snapshot.taken_at:
            out.append(Change(s.ends_at, "silence", _t(f"silence {s.id}"), _t(f"expired: {what}", 300), (),
                              {"state": "expired"}))
    return out


def _slo_changes(snapshot: Snapshot, previous: Snapshot | None, since: datetime) -> list[Change]:
    if previous is None:
        return []
    before = {s.key: s.status for s in previous.slos}
    out = [c for c in previous.changes if c.kind == "slo" and c.at >= since]
    for s in snapshot.slos:
        old = before.get(s.key)
        if old is not None and old != s.status:
            out.append(Change(snapshot.taken_at, "slo", _t(f"slo {s.service}/{s.name}"), f"status {old} → {s.status}",
                              (f"slo:{s.service}/{s.name}",), {"from": old, "to": s.status}))
    return out


# -- all of it -------------------------------------------------------------------------------------
def _cap(changes: list[Change]) -> list[Change]:
    """Newest first, duplicates dropped; restarts, events and alert starts at most MAX_PER_KIND each (a
    big cluster has thousands), so rollouts, node flips and edits are never crowded out."""
    changes.sort(key=lambda c: (c.at, -_KIND_ORDER.get(c.kind, 99)), reverse=True)
    seen: set[tuple[str, str, str, str]] = set()
    per_kind: dict[str, int] = {}
    out = []
    for c in changes:
        key = (*c.key, c.summary)
        if key in seen:
            continue
        seen.add(key)
        n = per_kind.get(c.kind, 0)
        if c.kind in NOISY and n >= MAX_PER_KIND:
            continue
        per_kind[c.kind] = n + 1
        out.append(c)
    return out


def build_changes(snapshot: Snapshot, previous: Snapshot | None = None,
                  window_s: float = DEFAULT_WINDOW_S) -> tuple[Change, ...]:
    """Every change of the window, newest first. snapshot.changes holds what a source reported itself
    (ConfigMap edits, events.k8s.io warnings); they are kept and merged (calling this twice is harmless)."""
    now = snapshot.taken_at
    since = now - timedelta(seconds=window_s)
    multi = is_multi(snapshot)
    # what a source reported itself is cluster text too (a ConfigMap's manager name): sanitized here
    out = [replace(c, subject=_t(c.subject), summary=_t(c.summary, 300),
                   details={k: _t(v, 300) for k, v in c.details.items()})
           for c in snapshot.changes if c.at >= since or c.kind in ("rollout-stalled", "rollout-paused")]
    out += rollout_changes(snapshot, since, multi, previous)
    out += workload_changes(snapshot, previous, since, multi)
    out += _scale_events(snapshot, since, multi)
    out += _node_changes(snapshot.nodes, previous, now, since, multi)
    out += _restart_changes(snapshot.pods, since, multi)
    out += _warning_events(snapshot, since, multi)
    out += _alert_changes(snapshot, since)
    out += _silence_changes(snapshot, since)
    out += _slo_changes(snapshot, previous, since)
    return tuple(_cap(out))
