"""Eval screen states: compact YAML -> Snapshot + the findings a principal SRE would name.

One file per case. Keys: name, description, question (optional), alerts, pods, nodes, workloads, slos,
silences, sources, expect, expect_not. Pods are written like `kubectl get pods` rows:

    pods:
      - {ns: shop, name: checkout-api-7d9f-x2x, owner: ReplicaSet/checkout-api-7d9f, status: CrashLoopBackOff,
         restarts: 12, last: OOMKilled, exit: 137, limit: 512Mi, node: node-3, count: 3}

`count: N` expands to N pods (names suffixed -0..-N-1). `status: Pending` with `unschedulable: MESSAGE`
gets a PodScheduled=False condition. SLO `status` is computed from `burn` when absent. An expectation
matches a finding when its kind equals (or is one of) `kind` and `subject` is a substring of the
finding's subject, case-insensitive. Used by tests/unit/test_eval_offline.py and by live-API scripts.
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
    ContainerState,
    Finding,
    Matcher,
    Node,
    Pod,
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
class EvalCase:
    name: str
    path: Path
    snapshot: Snapshot
    expect: tuple[Expect, ...]
    expect_not: tuple[Expect, ...] = ()
    question: str | None = None
    description: str = ""


def _ago(value: Any) -> datetime:
    """'15m' / '2h' / '3d' ago from NOW."""
    text = str(value or "1h")
    unit = {"s": 1, "m": 60, "h": 3600, "d": 86400}[text[-1]]
    return NOW - timedelta(seconds=float(text[:-1]) * unit)


def _alert(d: dict) -> Alert:
    labels = {"alertname": d["name"], "severity": d.get("severity", "warning"), **d.get("labels", {})}
    fp = hashlib.sha256(repr(sorted(labels.items())).encode()).hexdigest()[:16]
    silenced_by = tuple(d.get("silenced_by", ()))
    state = d.get("state", "silenced" if silenced_by else "firing")
    ann = {"summary": d.get("summary", "")} if d.get("summary") else {}
    return Alert(fp, d["name"], labels["severity"], state, labels, ann, _ago(d.get("since", "30m")),
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
    )
    conds: tuple[tuple[str, str, str, str], ...] = ()
    if d.get("unschedulable"):
        conds = (("PodScheduled", "False", "Unschedulable", d["unschedulable"]),)
    return Pod(d["ns"], name, phase, int(running), 1, c.restarts, status, d.get("node", ""),
               _ago(d.get("age", "2d")), "eval", {"app": app, **d.get("labels", {})}, (c,),
               owner_kind, owner_name, conds)


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


def _expects(items: list | None) -> tuple[Expect, ...]:
    out = []
    for e in items or []:
        kinds = e["kind"] if isinstance(e["kind"], list) else [e["kind"]]
        out.append(Expect(tuple(kinds), str(e.get("subject", ""))))
    return tuple(out)


def load_case(path: Path) -> EvalCase:
    d = yaml.safe_load(path.read_text())
    snap = Snapshot(
        taken_at=NOW,
        alerts=tuple(_alert(a) for a in d.get("alerts") or []),
        silences=tuple(_silence(s) for s in d.get("silences") or []),
        pods=tuple(p for spec in d.get("pods") or [] for p in _pods(spec)),
        nodes=tuple(Node(n["name"], n.get("ready", True), tuple(n.get("pressure", ()))) for n in d.get("nodes") or []),
        workloads=tuple(Workload(w.get("kind", "Deployment"), w["ns"], w["name"], w["desired"], w["ready"],
                                 w.get("updated", 0)) for w in d.get("workloads") or []),
        slos=tuple(_slo(s) for s in d.get("slos") or []),
        sources=_sources(d.get("sources")),
        contexts=("eval",),
    )
    return EvalCase(d["name"], path, snap, _expects(d.get("expect")), _expects(d.get("expect_not")),
                    d.get("question"), d.get("description", ""))


def load_cases(folder: Path = EVAL_DIR) -> list[EvalCase]:
    return [load_case(p) for p in sorted(folder.glob("*.yaml"))]


def score(findings: list[Finding], case: EvalCase) -> tuple[list[Expect], list[Expect], list[Expect]]:
    """(hit, missed, false alarms) of one case's expectations against some findings."""
    hit = [e for e in case.expect if any(e.matches(f) for f in findings)]
    missed = [e for e in case.expect if e not in hit]
    false = [e for e in case.expect_not if any(e.matches(f) for f in findings)]
    return hit, missed, false
