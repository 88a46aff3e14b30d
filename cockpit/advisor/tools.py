"""Read-only tools Marcus may call: PromQL, pod logs, events, describe, alerts, SLO status.

Nothing here can change anything: every tool reads through the Hub's sources or the latest
Snapshot. Results are capped, redacted and fenced as untrusted cluster data. ToolRunner enforces
the step limit and refuses a call identical to one already made in the same answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cockpit.advisor.context import alert_line, fence, pod_details, slo_details
from cockpit.advisor.redact import Redactor
from cockpit.analysis.matchers import matches, parse_matchers
from cockpit.analysis.sanitize import sanitize
from cockpit.model import Alert, Snapshot
from cockpit.sources.base import ClusterSource, PromQuery
from cockpit.sources.hub import Hub

MAX_RESULT_BYTES = 8192
MAX_STEPS = 6
MAX_LOG_TAIL = 200
MAX_RANGE_S = 24 * 3600
MAX_POINTS = 120


def _obj(props: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": list(required)}


_S = {"type": "string"}
_POD = {"namespace": {**_S, "description": "pod namespace"}, "name": {**_S, "description": "pod name"},
        "context": {**_S, "description": "kube context; empty for the first"}}

TOOL_DEFS: list[dict[str, Any]] = [
    {"name": "promql_query", "description": "Run an instant PromQL query against Prometheus (read-only).",
     "input_schema": _obj({"query": _S}, ("query",))},
    {"name": "promql_range", "description": "Run a PromQL range query over the last `minutes` (max 1440) "
     f"with at most {MAX_POINTS} points per series.",
     "input_schema": _obj({"query": _S, "minutes": {"type": "integer"}, "step_s": {"type": "integer"}}, ("query",))},
    {"name": "pod_logs", "description": f"Tail of a pod's logs (at most {MAX_LOG_TAIL} lines), optionally "
     "only lines containing `grep`, or the previous (crashed) container's logs.",
     "input_schema": _obj({**_POD, "container": _S, "tail": {"type": "integer"}, "grep": _S,
                           "previous": {"type": "boolean"}}, ("namespace", "name"))},
    {"name": "pod_events", "description": "Kubernetes events of one pod, newest first.",
     "input_schema": _obj(_POD, ("namespace", "name"))},
    {"name": "describe_pod", "description": "Pod details: containers, last termination, limits, owners, node, probes.",
     "input_schema": _obj(_POD, ("namespace", "name"))},
    {"name": "list_alerts", "description": "Alerts in the latest snapshot, optionally filtered by Alertmanager "
     'matchers such as {severity="critical", namespace=~"shop.*"}.',
     "input_schema": _obj({"matchers": _S})},
    {"name": "slo_status", "description": "SLO status, burn rates per window and error budget; optional service filter.",
     "input_schema": _obj({"service": _S})},
]


def describe_call(name: str, args: dict[str, Any]) -> str:
    """A one-line human label for the panel: `promql: rate(...)`, `logs shop/api --previous`."""
    if name.startswith("promql"):
        return f"promql: {args.get('query', '')}" + (f" [{args.get('minutes', 60)}m]" if name == "promql_range" else "")
    pod = f"{args.get('namespace', '')}/{args.get('name', '')}"
    if name == "pod_logs":
        extra = (" --previous" if args.get("previous") else "") + (f" | grep {args['grep']}" if args.get("grep") else "")
        return f"logs {pod}{extra}"
    if name in ("pod_events", "describe_pod"):
        return f"{'events' if name == 'pod_events' else 'describe'} {pod}"
    if name == "list_alerts":
        return f"alerts {args.get('matchers', '')}".strip()
    return f"slo {args.get('service', '')}".strip()


@dataclass
class ToolBackend:
    """What the tools read: the Hub (pods, logs, events), the latest Snapshot, an optional PromQuery."""

    hub: Hub | None = None
    prom: PromQuery | None = None
    snapshot: Snapshot | None = None
    redactor: Redactor = field(default_factory=Redactor)

    def __post_init__(self) -> None:
        if self.prom is None and self.hub is not None:
            self.prom = getattr(self.hub, "prometheus", None)

    # -- tools: each returns plain text (not yet capped/fenced) ---------------------------------
    def promql_query(self, query: str) -> str:
        if self.prom is None:
            return "no Prometheus configured: PromQL is unavailable"
        rows = self.prom.query(query)
        lines = [f"{_series(labels)} {value}" for labels, value in rows[:200]]
        return f"{len(rows)} series\n" + "\n".join(lines) if rows else "empty result (no series)"

    def promql_range(self, query: str, minutes: int = 60, step_s: int | None = None) -> str:
        if self.prom is None:
            return "no Prometheus configured: PromQL is unavailable"
        span = min(max(int(minutes), 1) * 60, MAX_RANGE_S)
        step = max(int(step_s or 0), span // MAX_POINTS, 1)
        end = datetime.now(UTC).timestamp()
        rows = self.prom.query_range(query, end - span, end, step)
        out = [f"{len(rows)} series over {span // 60}m, step {step}s"]
        for labels, points in rows[:20]:
            pts = list(points)[-MAX_POINTS:]
            out.append(_series(labels) + ": " + " ".join(_point(p) for p in pts))
        return "\n".join(out)

    def pod_logs(self, namespace: str, name: str, context: str = "", container: str | None = None,
                 tail: int = 100, grep: str = "", previous: bool = False) -> str:
        tail = min(max(int(tail), 1), MAX_LOG_TAIL)
        text = self._cluster(context).pod_logs(namespace, name, container or None, bool(previous),
                                                MAX_LOG_TAIL if grep else tail)
        lines = text.splitlines()
        if grep:
            lines = [ln for ln in lines if grep.lower() in ln.lower()]
        lines = lines[-tail:]
        return "\n".join(lines) if lines else "(no log lines" + (f" matching {grep!r})" if grep else ")")

    def pod_events(self, namespace: str, name: str, context: str = "") -> str:
        events = self._cluster(context).list_events(namespace, name)
        events = sorted(events, key=lambda e: e.last_seen or datetime.min.replace(tzinfo=UTC), reverse=True)
        return "\n".join(f"{e.type} {e.reason} x{e.count}: {e.message}" for e in events[:50]) or "(no events)"

    def describe_pod(self, namespace: str, name: str, context: str = "") -> str:
        d = self._cluster(context).describe_pod(namespace, name)
        now = self.snapshot.taken_at if self.snapshot else datetime.now(UTC)
        lines = [pod_details(d.pod, now)]
        if d.owner_chain:
            lines.append("owners: " + " -> ".join(d.owner_chain))
        if d.workload:
            w = d.workload
            lines.append(f"workload {w.kind}/{w.name}: desired {w.desired} ready {w.ready} updated {w.updated}")
        if d.node:
            lines.append(f"node {d.node.name}: ready={d.node.ready} pressure={','.join(d.node.pressure) or 'none'}")
        lines += [f"probe {k}: {v}" for k, v in d.probes.items()]
        lines += [f"event {e.type} {e.reason} x{e.count}: {e.message}" for e in d.events[:20]]
        return "\n".join(lines)

    def list_alerts(self, matchers: str = "") -> str:
        alerts = list(self.snapshot.alerts) if self.snapshot else []
        if matchers.strip():
            alerts = [a for a in alerts if _alert_matches(a, matchers)]
        return "\n".join(alert_line(a) for a in alerts[:100]) or "(no alerts match)"

    def slo_status(self, service: str = "") -> str:
        slos = list(self.snapshot.slos) if self.snapshot else []
        if service:
            slos = [s for s in slos if service.lower() in s.service.lower()]
        return "\n\n".join(slo_details(s) for s in slos[:30]) or "(no SLOs)"

    def _cluster(self, context: str) -> ClusterSource:
        if self.hub is None:
            raise LookupError("no Kubernetes cluster configured")
        return self.hub.cluster(context or "")

    # -- running one call ------------------------------------------------------------------------
    def run(self, name: str, args: dict[str, Any]) -> str:
        """Run a tool; the result is capped, redacted and fenced. Failures become text for the model."""
        fn = getattr(self, name, None) if name in TOOL_NAMES else None
        if fn is None:
            return f"unknown tool {name!r}; available: {', '.join(sorted(TOOL_NAMES))}"
        try:
            text = fn(**{k: v for k, v in args.items() if k in _params(name)})
        except Exception as exc:  # the model gets the error as the tool's answer, like a user would
            text = f"tool failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        return fence(self.redactor.redact(cap(sanitize(text, limit=None, for_terminal=False))))


TOOL_NAMES = frozenset(t["name"] for t in TOOL_DEFS)


def _params(name: str) -> set[str]:
    return {d["name"]: set(d["input_schema"]["properties"]) for d in TOOL_DEFS}[name]


def cap(text: str, limit: int = MAX_RESULT_BYTES) -> str:
    data = text.encode()
    if len(data) <= limit:
        return text
    kept = data[:limit].decode(errors="ignore")
    return kept + f"\n[… truncated: {len(data) - limit:,} more bytes not shown]"


def _series(labels: dict[str, str]) -> str:
    name = labels.get("__name__", "")
    rest = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()) if k != "__name__")
    return f"{name}{{{rest}}}"


def _point(p: Any) -> str:
    if isinstance(p, list | tuple) and len(p) == 2:
        return f"{float(p[0]):.0f}:{p[1]}"
    return str(p)


def _alert_matches(alert: Alert, text: str) -> bool:
    """Alertmanager matcher semantics over the alert's labels (alertname and severity included)."""
    labels = {**alert.labels, "alertname": alert.name, "severity": alert.severity}
    return matches(parse_matchers(text), labels)


@dataclass
class ToolRunner:
    """One answer's tool budget: at most MAX_STEPS calls, identical calls refused."""

    backend: ToolBackend
    max_steps: int = MAX_STEPS
    steps: int = 0
    seen: set[str] = field(default_factory=set)

    @property
    def exhausted(self) -> bool:
        return self.steps >= self.max_steps

    def run(self, name: str, args: dict[str, Any]) -> tuple[str, bool]:
        """(result text, is_error). Blocking: call it via asyncio.to_thread."""
        key = json.dumps([name, args], sort_keys=True)
        if key in self.seen:
            return ("refused: you already made this exact call in this answer; use its result "
                    "or try something different", True)
        if self.exhausted:
            return f"refused: the limit of {self.max_steps} tool calls is reached; answer now", True
        self.seen.add(key)
        self.steps += 1
        # Each result carries an evidence id the answer can cite, like the incidents' own ids.
        # The arguments stay out of the header: they can carry cluster text, which lives in fences only.
        return f"evidence id T{self.steps} ({name})\n{self.backend.run(name, args)}", False
