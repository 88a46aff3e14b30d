"""Eval screen states: compact YAML -> Snapshot + the findings a principal SRE would name.

One file per case. Keys: name, description, question (optional), alerts, pods, nodes, workloads, slos,
silences, sources, revisions, changes, events, causes, expect, expect_not. Pods are written like
`kubectl get pods` rows:

    pods:
      - {ns: shop, name: checkout-api-7d9f-x2x, owner: ReplicaSet/checkout-api-7d9f, status: CrashLoopBackOff,
         restarts: 12, last: OOMKilled, exit: 137, limit: 512Mi, node: node-3, count: 3}

`count: N` expands to N pods (names suffixed -0..-N-1). `status: Pending` with `unschedulable: MESSAGE`
gets a PodScheduled=False condition. SLO `status` is computed from `burn` when absent. An expectation
matches a finding when its kind equals (or is one of) `kind` and `subject` is a substring of the
finding's subject, case-insensitive. Used by tests/unit/test_eval_offline.py and by live-API scripts.

`causes` is what a principal SRE would name in an answer (see tests/eval/score.py): each cause has an
`id`, `names` (any one of them in an answer names the cause) and optionally `words` (a regex one line
naming it must match too) and `members` (other names that belong to it: naming them is not noise).
`healthy` lists names that must not be called a problem. Nodes take `ready: false|unknown`, `since`,
`pressure`, `allocatable`; `revisions` are ReplicaSets ({workload: Deployment/ns/name, name, revision,
image, age, desired, ready, configmaps: "a,b" the template reads}); `changes` are source-reported
changes (a ConfigMap edit: details {namespace, name}).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from cockpit.model import (
    Alert,
    Change,
    ContainerState,
    Event,
    Finding,
    Matcher,
    Node,
    Pod,
    Revision,
    Silence,
    SLOStatus,
    Snapshot,
    SourceHealth,
    Workload,
)

EVAL_DIR = Path(__file__).parent
NOW = datetime(2026, 11, 26, 3, 14, tzinfo=UTC)
WAITING = {"CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError",
           "CreateContainerError", "ContainerCreating", "InvalidImageName"}


@dataclass(frozen=True)
class Expect:
    kinds: tuple[str, ...]
    subject: str

    def matches(self, f: Finding) -> bool:
        return f.kind in self.kinds and self.subject.lower() in f.subject.lower()

    def __str__(self) -> str:
        return f"{'|'.join(self.kinds)} ~ {self.subject!r}"


@dataclass(frozen=True)
class Cause:
    id: str
    names: tuple[str, ...]
    words: str = ""  # a regex a line naming the cause must match too ("" = any)
    members: tuple[str, ...] = ()


@dataclass(frozen=True)
class EvalCase:
    name: str
    path: Path
    snapshot: Snapshot
    expect: tuple[Expect, ...]
    expect_not: tuple[Expect, ...] = ()
    question: str | None = None
    description: str = ""
    causes: tuple[Cause, ...] = ()
    healthy: tuple[str, ...] = ()
    select: str = ""  # a row the user has selected: "pod NAME" | "alert NAME" | "slo SERVICE/NAME"


def _ago(value: Any) -> datetime:
    """'15m' / '2h' / '3d' ago from NOW."""
    text = str(value or "1h")
    unit = {"s": 1, "m": 60, "h": 3600, "d": 86400}[text[-1]]
    return NOW - timedelta(seconds=float(text[:-1]) * unit)


def _alerts(d: dict) -> list[Alert]:
    """`count: N` makes N alerts, `{i}` in a label value numbered 0..N-1 (an alert storm)."""
    n = int(d.get("count", 1))
    if n == 1:
        return [_alert(d)]
    return [_alert({**d, "labels": {k: str(v).replace("{i}", str(i)) for k, v in d.get("labels", {}).items()}})
            for i in range(n)]


def _alert(d: dict) -> Alert:
    labels = {"alertname": d["name"], "severity": d.get("severity", "warning"), **d.get("labels", {})}
    fp = hashlib.sha256(repr(sorted(labels.items())).encode()).hexdigest()[:16]
    silenced_by = tuple(d.get("silenced_by", ()))
    state = d.get("state", "silenced" if silenced_by else "firing")
    ann = {"summary": d.get("summary", "")} if d.get("summary") else {}
    # an alert fires after what it watches broke (its `for:`), so by default 5 minutes ago
    return Alert(fp, d["name"], labels["severity"], state, labels, ann, _ago(d.get("since", "5m")),
                 silenced_by=silenced_by, source="eval")


def _pods(d: dict) -> list[Pod]:
    n = int(d.get("count", 1))
    names = [d["name"]] if n == 1 else [f"{d['name']}-{i}" for i in range(n)]
    return [_pod(d, name) for name in names]


def _pod(d: dict, name: str) -> Pod:
    status = d.get("status", "Running")
    phase = d.get("phase") or ("Pending" if status in ("Pending", "ImagePullBackOff", "ErrImagePull",
                                                        "ContainerCreating", "CreateContainerConfigError")
                               else "Failed" if status in ("Failed", "Evicted") else "Running")
    running = status == "Running"
    owner_kind, _, owner_name = str(d.get("owner", "")).partition("/")
    app = d.get("app") or (owner_name.rsplit("-", 1)[0] if owner_kind == "ReplicaSet" else owner_name or name)
    c = ContainerState(
        d.get("container", app), d.get("image", f"registry.example.com/{app}:latest"), ready=running,
        restarts=int(d.get("restarts", 0)), state="running" if running else "waiting",
        reason=status if status in WAITING or running else "", message=d.get("message", ""),
        last_reason=d.get("last", ""), last_exit_code=d.get("exit"), memory_limit=str(d.get("limit", "")),
        memory_request=str(d.get("request", "")), cpu_request=str(d.get("cpu", "")),
    )
    conds: tuple[tuple[str, str, str, str], ...] = ()
    if d.get("unschedulable"):
        conds = (("PodScheduled", "False", "Unschedulable", d["unschedulable"]),)
    labels = {"app": app, **d.get("labels", {})}
    if owner_kind == "ReplicaSet" and "-" in owner_name:
        labels.setdefault("pod-template-hash", owner_name.rsplit("-", 1)[1])
    ready = int(d["ready"]) if "ready" in d else int(running)
    restarted = _ago(d["restarted"]) if d.get("restarted") else None
    return Pod(d["ns"], name, phase, ready=ready, total=1, restarts=c.restarts, reason=status, node=d.get("node", ""),
               created_at=_ago(d.get("age", "2d")), context="eval", labels=labels, containers=(c,),
               owner_kind=owner_kind, owner_name=owner_name, conditions=conds, last_restart_at=restarted,
               message=d.get("pod_message", ""))


def _slo(d: dict) -> SLOStatus:
    from cockpit.sources.demo import slo_status  # the Workbook table, same as the real SLO source

    burn = {k: (None if v is None else float(v)) for k, v in (d.get("burn") or {}).items()}
    objective = float(d.get("objective", 0.999))
    status = d.get("status") or slo_status(burn)
    return SLOStatus(d["service"], d["name"], objective, "30d", {k: v and v * (1 - objective) for k, v in burn.items()},
                     burn, d.get("budget"), status, d.get("exhaustion_s"), namespace=d.get("ns", ""),
                     error=d.get("error", ""))


def _silence(d: dict) -> Silence:
    matchers = []
    for text in d.get("matchers", []):
        name, _, value = text.partition("=")
        matchers.append(Matcher(name, value.strip('"')))
    return Silence(d["id"], tuple(matchers), _ago("1h"), NOW + timedelta(minutes=int(d.get("ends_in_m", 60))),
                   d.get("created_by", "oncall"), d.get("comment", ""))


def _sources(d: dict) -> dict[str, SourceHealth]:
    out = {}
    for name, text in (d or {}).items():
        kind = next((k for k in ("alertmanager", "prometheus", "kubernetes") if k in name), "slo")
        ok = text == "ok"
        out[name] = SourceHealth(name, kind, ok, "" if ok else str(text), NOW - timedelta(minutes=4), NOW)
    return out


def _node(n: dict) -> Node:
    ready = n.get("ready", True)
    status = "True" if ready is True else "Unknown" if str(ready).lower() == "unknown" else "False"
    since = _ago(n.get("since", "3d" if status == "True" else "12m"))
    ready_since = since if status != "True" else _ago("3d")  # `since` dates the flip: NotReady or pressure
    conds = [("Ready", status, "" if status == "True" else "KubeletStopped", ready_since)]
    conds += [(p, "True", "", _ago(n.get("since", "20m"))) for p in n.get("pressure", ())]
    return Node(n["name"], ready=status == "True", pressure=tuple(n.get("pressure", ())), context="eval",
                conditions=tuple(conds), unschedulable=bool(n.get("cordoned")),
                allocatable={k: str(v) for k, v in (n.get("allocatable") or {}).items()})


def _revision(r: dict) -> Revision:
    kind, ns, owner = r["workload"].split("/")
    name = r["name"]
    container = r.get("container", owner)
    return Revision("ReplicaSet", ns, name, kind, owner, revision=int(r["revision"]),
                    created_at=_ago(r.get("age", "3d")), images=((container, r["image"]),),
                    template={f"image/{container}": r["image"], **({"configmaps": r["configmaps"]}
                                                                    if r.get("configmaps") else {})},
                    desired=int(r.get("desired", 0)),
                    ready=int(r.get("ready", 0)), hash=name.rsplit("-", 1)[1], context="eval")


def _change(c: dict) -> Change:
    return Change(_ago(c.get("ago", "10m")), c["kind"], c["subject"], c["summary"], refs=tuple(c.get("refs", ())),
                  details={k: str(v) for k, v in (c.get("details") or {}).items()}, context="eval")


def _event(e: dict) -> Event:
    return Event(e["ns"], e.get("kind", "Pod"), e["name"], e.get("type", "Warning"), e["reason"], e["message"],
                 count=int(e.get("count", 1)), first_seen=_ago(e.get("ago", "10m")),
                 last_seen=_ago(e.get("ago", "10m")), context="eval")


def _causes(items: list | None) -> tuple[Cause, ...]:
    return tuple(Cause(str(c["id"]), tuple(str(n) for n in c["names"]), str(c.get("words", "")),
                       tuple(str(m) for m in c.get("members", ()))) for c in items or [])


def _expects(items: list | None) -> tuple[Expect, ...]:
    out = []
    for e in items or []:
        kinds = e["kind"] if isinstance(e["kind"], list) else [e["kind"]]
        out.append(Expect(tuple(kinds), str(e.get("subject", ""))))
    return tuple(out)


def load_case(path: Path) -> EvalCase:
    """One screen state, with its changes and incidents computed as the cockpit computes them."""
    d = yaml.safe_load(path.read_text())
    snap = _snapshot(d)
    return EvalCase(d["name"], path, snap, _expects(d.get("expect")), _expects(d.get("expect_not")),
                    d.get("question"), d.get("description", ""), _causes(d.get("causes")),
                    tuple(str(h) for h in d.get("healthy") or ()), str(d.get("select", "")))


def _snapshot(d: dict) -> Snapshot:
    snap = Snapshot(
        taken_at=NOW,
        alerts=tuple(x for a in d.get("alerts") or [] for x in _alerts(a)),
        silences=tuple(_silence(s) for s in d.get("silences") or []),
        pods=tuple(p for spec in d.get("pods") or [] for p in _pods(spec)),
        nodes=tuple(_node(n) for n in d.get("nodes") or []),
        workloads=tuple(Workload(w.get("kind", "Deployment"), w["ns"], w["name"], w["desired"], w["ready"],
                                 updated=w.get("updated", 0), context="eval") for w in d.get("workloads") or []),
        slos=tuple(_slo(s) for s in d.get("slos") or []),
        events=tuple(_event(e) for e in d.get("events") or []),
        sources=_sources(d.get("sources")),
        contexts=("eval",),
        revisions=tuple(_revision(r) for r in d.get("revisions") or []),
        changes=tuple(_change(c) for c in d.get("changes") or []),
    )
    return with_incidents(snap)


def with_incidents(snap: Snapshot) -> Snapshot:
    """Findings, changes and incidents attached, as the cockpit's worker attaches them."""
    from dataclasses import replace

    from cockpit.analysis.analyzers import analyze
    from cockpit.analysis.changes import build_changes
    from cockpit.analysis.incidents import build_incidents

    changes = build_changes(snap)
    snap = replace(snap, changes=changes)
    return replace(snap, incidents=build_incidents(snap, changes), findings=tuple(analyze(snap)))


def load_cases(folder: Path = EVAL_DIR) -> list[EvalCase]:
    return [load_case(p) for p in sorted(folder.glob("*.yaml"))]


def score(findings: list[Finding], case: EvalCase) -> tuple[list[Expect], list[Expect], list[Expect]]:
    """(hit, missed, false alarms) of one case's expectations against some findings."""
    hit = [e for e in case.expect if any(e.matches(f) for f in findings)]
    missed = [e for e in case.expect if e not in hit]
    false = [e for e in case.expect_not if any(e.matches(f) for f in findings)]
    return hit, missed, false
