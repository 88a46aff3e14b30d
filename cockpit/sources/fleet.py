"""The fleet (--pods-from prometheus): pods, nodes and workloads of many clusters from the
kube-state-metrics series in one Prometheus-compatible store (Prometheus, Thanos, Mimir, VictoriaMetrics).

Problem-first, so 100,000 pods cost a handful of queries: which pods are wrong is asked server-side,
those pods (and the healthy pods of a cluster the user filtered to) are fetched in full, and everything
else arrives as counts per cluster and namespace. A cluster whose kube-state-metrics stopped reporting
is stale, never shown as healthy. Logs and describe use the kube context mapped to the cluster.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from cockpit.model import ClusterSummary, Event, Node, Pod, PodDescription, Workload
from cockpit.sources.base import ClusterSource, SourceError
from cockpit.sources.ksm_parse import (
    METRICS_CANNOT_TELL,
    POD_DETAIL_METRICS,
    WORKLOAD_SERIES,
    PodKey,
    Sample,
    parse_nodes,
    parse_pods,
    parse_workloads,
    summarize,
)
from cockpit.sources.prometheus import PrometheusSource

MAX_QUERY_CHARS = 12_000  # VictoriaMetrics refuses queries over 16 KiB by default (-search.maxQueryLen)
MAX_FOCUS_PODS = 5_000  # healthy rows of one filtered cluster (namespace) fetched in full
KNOWN_WINDOW = "1h"  # a cluster that reported within this window and not since is stale, not gone


def problem_query(c: str) -> str:
    """(cluster, namespace, pod) of every pod worth a row: not ready (Pending, Failed and crash-looping
    pods are not ready either), waiting, terminated within the hour (a restart), evicted or lost,
    unschedulable, being deleted. Finished pods are not problems.

    Only the readiness part reads a series per pod; the others exist only while their state is set
    (kube-state-metrics emits a waiting reason, a last termination, a status reason only when there is
    one), so 100,000 healthy pods cost one pass over kube_pod_status_ready, not one per signal."""
    by = f"{c}, namespace, pod"
    parts = (
        # not ready, unless finished (a completion time exists only for pods whose containers all ended;
        # those that ended badly come back through the terminated reason below)
        f'(kube_pod_status_ready{{condition="true"}} == 0) unless on({by}) kube_pod_completion_time',
        'kube_pod_container_status_terminated_reason{reason!="Completed"} > 0',
        "kube_pod_container_status_waiting_reason > 0",
        "kube_pod_container_status_last_terminated_timestamp > time() - 3600",
        "kube_pod_status_reason > 0",
        "kube_pod_status_unschedulable > 0",
        "kube_pod_deletion_timestamp",
    )
    return " or ".join(f"group by ({by}) ({p})" for p in parts)


def workload_gap_query(c: str) -> str:
    """Workloads with fewer ready (available) replicas than desired; one series per workload."""
    parts = []
    for label, desired, ready, _updated, available in WORKLOAD_SERIES.values():
        short = available if label == "deployment" else ready
        parts.append(f"group by ({c}, namespace, {label}) ({desired} > on({c}, namespace, {label}) {short})")
    return " or ".join(parts)


def name_regex(names: Iterable[str]) -> str:
    """A PromQL string literal body matching exactly these label values (RE2, anchored by PromQL)."""
    return "|".join(re.escape(n).replace("\\", "\\\\").replace('"', '\\"') for n in sorted(set(names)))


def _quoted(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def batches(names: Sequence[str], budget: int = MAX_QUERY_CHARS) -> list[list[str]]:
    """Split label values so each query stays under the store's query-length limit."""
    out: list[list[str]] = [[]]
    size = 0
    for n in sorted(set(names)):
        if out[-1] and size + len(n) + 3 > budget:
            out.append([])
            size = 0
        out[-1].append(n)
        size += len(n) + 3
    return [b for b in out if b]


@dataclass
class FleetState:
    pods: list[Pod] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    workloads: list[Workload] = field(default_factory=list)
    summaries: list[ClusterSummary] = field(default_factory=list)
    queries: list[tuple[str, float]] = field(default_factory=list)  # (first 80 chars, seconds)


class FleetSource:
    """A ClusterSource for every cluster behind one store; pod.context and pod.cluster are the cluster."""

    kind = "fleet"

    def __init__(
        self,
        prom: PrometheusSource,
        cluster_label: str = "cluster",
        cluster_contexts: Mapping[str, str] | None = None,
        kube: Callable[[str], ClusterSource | None] | None = None,
        scrape_interval_s: float = 30.0,
    ) -> None:
        if not re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]*", cluster_label):
            raise SourceError(f"--cluster-label {cluster_label!r} is not a Prometheus label name")
        self.prom = prom
        self.label = cluster_label
        self.name = f"fleet {prom.url}"
        self.cluster_contexts = dict(cluster_contexts or {})
        self._kube = kube  # context name -> ClusterSource (None when the kubeconfig has no such context)
        self.scrape_interval_s = scrape_interval_s
        self._focus: tuple[str, str] | None = None
        self._state = FleetState()
        self._known: set[str] = set()
        self._last_summary: dict[str, ClusterSummary] = {}
        self._lock = threading.Lock()
        self._prefetch: threading.Thread | None = None
        self._prefetch_taken = False
        self._prefetched: FleetState | None = None
        self._prefetch_error: Exception | None = None

    # -- what the UI asks for -------------------------------------------------------------------
    def set_focus(self, cluster: str, namespace: str = "") -> None:
        """Fetch the healthy rows of this cluster (and namespace) too, from the next refresh on."""
        self._focus = (cluster, namespace) if cluster else None

    def summaries(self) -> list[ClusterSummary]:
        with self._lock:
            return list(self._state.summaries)

    def last_queries(self) -> list[tuple[str, float]]:
        with self._lock:
            return list(self._state.queries)

    def start_watch(self) -> None:
        """Start the first refresh now, in its own thread, so it overlaps the UI's imports and mount
        (as the kube watch's first list does); the first list_pods() takes its result."""
        if self._prefetch is None:
            self._prefetch = threading.Thread(target=self._first, name="fleet-prefetch", daemon=True)
            self._prefetch.start()

    def _first(self) -> None:
        try:
            self._prefetched = self.refresh()
        except Exception as exc:  # handed to the first list_pods(), which the Hub reports as health
            self._prefetch_error = exc

    # -- ClusterSource ------------------------------------------------------------------------------
    def list_pods(self) -> list[Pod]:
        thread = self._prefetch
        if thread is not None and not self._prefetch_taken:
            self._prefetch_taken = True
            thread.join()
            if self._prefetch_error is not None:
                raise self._prefetch_error
            if self._prefetched is not None:
                return self._prefetched.pods
        return self.refresh().pods

    def list_nodes(self) -> list[Node]:
        with self._lock:
            return list(self._state.nodes)

    def list_workloads(self) -> list[Workload]:
        with self._lock:
            return list(self._state.workloads)

    def list_events(self, namespace: str | None = None, name: str | None = None) -> list[Event]:
        return []  # kube-state-metrics exports no events

    def pod_logs(self, namespace: str, name: str, container: str | None = None, previous: bool = False,
                 tail: int = 500) -> str:
        raise SourceError("pick a fleet pod's cluster first (logs go through its kube context)")

    def describe_pod(self, namespace: str, name: str) -> PodDescription:
        raise SourceError("pick a fleet pod's cluster first (describe goes through its kube context)")

    def for_cluster(self, cluster: str) -> ClusterSource:
        """Drill-down for one cluster: its kube context when mapped (cluster_contexts, or a context of
        the same name), else what the metrics know."""
        return ClusterDrill(self, cluster)

    def context_for(self, cluster: str) -> ClusterSource | None:
        ctx = self.cluster_contexts.get(cluster, cluster)
        return self._kube(ctx) if self._kube is not None else None

    def check(self) -> str:
        """`cockpit check`: per-cluster freshness. A cluster whose kube-state-metrics stopped reporting
        fails the check (the fleet view is blind there), named with what to look at."""
        state = self.refresh()
        if not state.summaries:
            raise SourceError(f"no kube-state-metrics series (kube_node_info by {self.label!r}) in the last "
                              f"{KNOWN_WINDOW}: is kube-state-metrics scraped into this store, with that label?")
        stale = [s.cluster for s in state.summaries if s.stale]
        fresh = [s for s in state.summaries if not s.stale]
        lines = [f"{len(fresh)} of {len(state.summaries)} clusters reporting, {sum(s.pods for s in fresh)} pods, "
                 f"{sum(s.problems for s in fresh)} problems"]
        lines += [f"  {s.cluster}: fresh, {s.pods} pods, {s.problems} problems, "
                  f"{s.nodes_not_ready}/{s.nodes} nodes not ready" for s in fresh]
        if stale:  # one line (errors are one line): the stale clusters first, they are the news
            window = round(2 * self.scrape_interval_s)
            raise SourceError(f"stale, no kube-state-metrics sample in {window}s: {', '.join(stale)}; {lines[0]}")
        return "\n".join(lines)

    # -- the refresh -------------------------------------------------------------------------------
    def _q(self, promql: str, log: list[tuple[str, float]]) -> list[Sample]:
        t0 = time.perf_counter()
        try:
            return self.prom.query_post(promql)
        finally:
            log.append((promql[:80], time.perf_counter() - t0))

    def refresh(self) -> FleetState:
        c = self.label
        log: list[tuple[str, float]] = []
        fresh_window = f"{max(1, round(2 * self.scrape_interval_s))}s"
        first = {
            "problems": problem_query(c),
            "nodes": '{__name__=~"kube_node_status_condition|kube_node_spec_unschedulable"} > 0',
            "gaps": workload_gap_query(c),
            "pod_counts": f"count by ({c}, namespace) (kube_pod_info)",
            "fresh": f"count by ({c}) (count_over_time(kube_node_info[{fresh_window}]))",
            "known": f"count by ({c}) (last_over_time(kube_node_info[{KNOWN_WINDOW}]))",
        }
        focus = self._focus
        if focus is not None:
            sel = f'{c}="{_quoted(focus[0])}"' + (f', namespace="{_quoted(focus[1])}"' if focus[1] else "")
            first["focus"] = f"topk({MAX_FOCUS_PODS}, group by ({c}, namespace, pod) (kube_pod_info{{{sel}}}))"
        with ThreadPoolExecutor(max_workers=4) as pool:
            futures = {k: pool.submit(self._q, q, log) for k, q in first.items()}
            # the problem rows are what the screen waits for: their details go out as soon as they are known
            keys = {self._key(lb) for lb, _ in futures["problems"].result()}
            problem_keys = set(keys)
            if "focus" in futures:
                keys |= {self._key(lb) for lb, _ in futures["focus"].result()}
            details = self._details(POD_DETAIL_METRICS, "pod", [(k[0], k[2]) for k in keys], log)
            got = {k: f.result() for k, f in futures.items()}
        pods = parse_pods(details, c, keys)
        pods = [p for p in pods if (p.cluster, p.namespace, p.name) in keys]
        gap_names = {lb.get(label, "") for lb, _ in got["gaps"] for label, *_ in WORKLOAD_SERIES.values()}
        workloads = self._workloads(gap_names - {""}, got["gaps"], log)
        nodes = parse_nodes(((lb, v) for lb, v in got["nodes"] if "condition" in lb),
                            ((lb, v) for lb, v in got["nodes"] if "condition" not in lb), c)
        # Fresh: node samples within two scrape intervals and pods in the instant view (Prometheus drops
        # ended series from instant queries at once, before the window empties).
        counted = {lb.get(c, "") for lb, _ in got["pod_counts"]}
        fresh = {lb.get(c, ""): True for lb, v in got["fresh"] if v > 0 and lb.get(c, "") in counted}
        self._known |= {lb.get(c, "") for lb, _ in got["known"]} | set(fresh)
        contexts = {cl: self.cluster_contexts.get(cl, "") for cl in self._known}
        problems = [p for p in pods if (p.cluster, p.namespace, p.name) in problem_keys]
        summaries = summarize(self._known, got["pod_counts"], problems, nodes, got["fresh"], fresh, contexts, c)
        summaries = [self._keep_last(s) for s in summaries]
        state = FleetState(pods, nodes, workloads, sorted(summaries, key=summary_rank), log)
        with self._lock:
            self._state = state
        return state

    def _keep_last(self, s: ClusterSummary) -> ClusterSummary:
        """A stale cluster keeps its last known counts (marked stale) instead of dropping to zero."""
        if s.stale and s.cluster in self._last_summary:
            last = self._last_summary[s.cluster]
            return replace(last, stale=True)
        if not s.stale:
            self._last_summary[s.cluster] = s
        return s

    def _key(self, lb: Mapping[str, str]) -> PodKey:
        return (lb.get(self.label, ""), lb.get("namespace", ""), lb.get("pod", ""))

    def _details(self, metrics: Sequence[str], label: str, keys: Iterable[tuple[str, str]],
                 log: list[tuple[str, float]]) -> list[tuple[str, Sample]]:
        """Every series of `metrics` whose (cluster, `label`) is one of `keys`, in as few queries as fit.

        One selector per cluster: the same pod or deployment name often exists in every cluster (a
        StatefulSet's pods, a ReplicaSet hash of identical manifests) and must not be fetched 50 times."""
        by_cluster: dict[str, set[str]] = {}
        for cluster, name in keys:
            by_cluster.setdefault(cluster, set()).add(name)
        if not by_cluster:
            return []
        wanted = "|".join(metrics)
        selectors = [f'{{__name__=~"{wanted}", {self.label}="{_quoted(cluster)}", {label}=~"{name_regex(b)}"}}'
                     for cluster, names in sorted(by_cluster.items()) for b in batches(sorted(names))]
        queries: list[list[str]] = [[]]  # selectors joined with `or`, each query under the length limit
        size = 0
        for sel in selectors:
            if queries[-1] and size + len(sel) > MAX_QUERY_CHARS:
                queries.append([])
                size = 0
            queries[-1].append(sel)
            size += len(sel) + 4
        with ThreadPoolExecutor(max_workers=min(4, len(queries))) as pool:
            results = list(pool.map(lambda q: self._q(" or ".join(q), log), queries))
        return [(lb.pop("__name__", ""), (lb, v)) for rows in results for lb, v in rows]

    def _workloads(self, names: set[str], gaps: list[Sample], log: list[tuple[str, float]]) -> list[Workload]:
        metrics = [s for _label, *series in WORKLOAD_SERIES.values() for s in series]
        gap_keys = {(lb.get(self.label, ""), lb.get("namespace", ""), name)
                    for lb, _ in gaps for label, *_ in WORKLOAD_SERIES.values() if (name := lb.get(label))}
        rows = []
        for label, *_ in WORKLOAD_SERIES.values():
            mine = {(lb.get(self.label, ""), lb[label]) for lb, _ in gaps if lb.get(label) in names}
            found = self._details(metrics, label, mine, log)
            rows += [(n, (lb, v)) for n, (lb, v) in found
                     if (lb.get(self.label, ""), lb.get("namespace", ""), lb.get(label, "")) in gap_keys]
        return [w for w in parse_workloads(rows, self.label) if w.gap > 0]


def summary_rank(s: ClusterSummary) -> tuple[int, int, int, str]:
    """Worst first: stale clusters (nobody knows), then most NotReady nodes, then most problems."""
    return (0 if s.stale else 1, -s.nodes_not_ready, -s.problems, s.cluster)


class ClusterDrill:
    """Logs and describe of one fleet cluster: through its kube context when it has one; otherwise
    describe shows what the metrics know and logs say why they cannot be read."""

    def __init__(self, fleet: FleetSource, cluster: str) -> None:
        self.fleet = fleet
        self.name = cluster

    def _kube(self) -> ClusterSource | None:
        return self.fleet.context_for(self.name)

    def list_pods(self) -> list[Pod]:
        return [p for p in self.fleet._state.pods if p.cluster == self.name]

    def list_nodes(self) -> list[Node]:
        return [n for n in self.fleet._state.nodes if n.cluster == self.name]

    def list_workloads(self) -> list[Workload]:
        return [w for w in self.fleet._state.workloads if w.cluster == self.name]

    def list_events(self, namespace: str | None = None, name: str | None = None) -> list[Event]:
        kube = self._kube()
        return kube.list_events(namespace, name) if kube is not None else []

    def _no_context(self) -> str:
        return (f"cluster {self.name} has no kube context: add `cluster_contexts: {{{self.name}: CONTEXT}}` "
                f"to the config (or a kubeconfig context named {self.name})")

    def pod_logs(self, namespace: str, name: str, container: str | None = None, previous: bool = False,
                 tail: int = 500) -> str:
        kube = self._kube()
        if kube is None:
            raise SourceError(f"logs need the API server: {self._no_context()}")
        return kube.pod_logs(namespace, name, container=container, previous=previous, tail=tail)

    def describe_pod(self, namespace: str, name: str) -> PodDescription:
        kube = self._kube()
        if kube is not None:
            return kube.describe_pod(namespace, name)
        state = self.fleet._state
        pod = next((p for p in state.pods if (p.cluster, p.namespace, p.name) == (self.name, namespace, name)), None)
        if pod is None:
            raise SourceError(f"pod {namespace}/{name} is not in the metrics of cluster {self.name}")
        node = next((n for n in state.nodes if n.cluster == self.name and n.name == pod.node), None)
        note = Event(namespace, "Pod", name, "Normal", "MetricsOnly", f"{METRICS_CANNOT_TELL}. {self._no_context()}",
                     context=self.name)
        owner = (f"{pod.owner_kind}/{pod.owner_name}",) if pod.owner_kind else ()
        return PodDescription(pod=pod, owner_chain=owner, node=node or Node(pod.node, cluster=self.name),
                              events=(note,))
