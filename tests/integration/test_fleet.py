"""The fleet (--pods-from prometheus) on real stores: VictoriaMetrics (series imported through its API)
and Prometheus (scraping a kube-state-metrics-format exporter), with problems planted in known clusters.
The pods, nodes, workloads, per-cluster summary, staleness and drill-down must find exactly those."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cockpit.model import Pod
from cockpit.sources.base import SourceError
from cockpit.sources.fleet import FleetSource
from cockpit.sources.prometheus import PrometheusSource
from tests.fakekube import fixtures as fx
from tests.fakekube.server import FakeKube
from tests.support import ksm
from tests.support.promstack import start_exporter, start_prometheus, start_victoria_metrics, wait_for

pytestmark = pytest.mark.integration

CLUSTERS, PODS = 7, 60


@pytest.fixture(scope="module")
def planted_fleet() -> tuple[ksm.Fleet, dict[str, str]]:
    fleet = ksm.generate(CLUSTERS, PODS)
    return fleet, ksm.plant(fleet)


@pytest.fixture(scope="module")
def victoria(tmp_path_factory: pytest.TempPathFactory, planted_fleet) -> Iterator[str]:
    fleet, _ = planted_fleet
    vm = start_victoria_metrics(tmp_path_factory.mktemp("vm"))
    try:
        ksm.import_into_victoria(vm.url, fleet)
        ksm.wait_until_queryable(vm.url, fleet)
        yield vm.url
    finally:
        vm.stop()


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory, planted_fleet) -> Iterator[tuple[str, dict]]:
    """A Prometheus scraping the fleet every second; `served["fleet"]` is what the next scrape shows."""
    fleet, _ = planted_fleet
    served = {"fleet": fleet}
    url, stop = start_exporter(lambda: "\n".join(ksm.exposition(served["fleet"])) + "\n")
    prom = start_prometheus(tmp_path_factory.mktemp("prom-fleet"), [url])
    try:
        src = PrometheusSource(prom.url)
        wait_for(lambda: src.query("count(kube_pod_info)")[0][1] >= len(fleet.pods), timeout=30,
                 what="the first scrape of the fleet")
        yield prom.url, served
    finally:
        prom.stop()
        stop()


@pytest.fixture(params=["victoria-metrics", "prometheus"])
def store(request: pytest.FixtureRequest) -> str:
    if request.param == "victoria-metrics":
        return request.getfixturevalue("victoria")
    return request.getfixturevalue("prometheus")[0]


def rows(pods: list[Pod]) -> dict[str, Pod]:
    return {f"{p.cluster}/{p.namespace}/{p.name}": p for p in pods}


def expected_problem_keys(fleet: ksm.Fleet) -> set[str]:
    """What an SRE counts as a problem row: not Running-and-ready, or waiting, or evicted. Finished
    Job pods are not problems."""
    return {f"{p.cluster}/{p.namespace}/{p.name}" for p in fleet.pods
            if p.phase != "Succeeded" and (p.phase != "Running" or not p.ready or p.waiting or p.restarts)}


def test_the_planted_problems_and_only_those(store: str, planted_fleet) -> None:
    fleet, planted = planted_fleet
    src = FleetSource(PrometheusSource(store), scrape_interval_s=30)
    pods = rows(src.list_pods())
    assert set(pods) == expected_problem_keys(fleet)
    assert pods[planted["crashloop"]].reason == "CrashLoopBackOff (OOMKilled, exit 137)"
    assert pods[planted["crashloop"]].restarts == 7
    assert pods[planted["crashloop"]].containers[0].memory_limit == "512Mi"
    assert pods[planted["imagepull"]].reason == "ImagePullBackOff"
    assert pods[planted["pending"]].reason == "Pending: unschedulable"
    assert pods[planted["evicted"]].reason == "Evicted"
    assert pods[planted["job-failed"]].reason == "Error"
    assert not any(p.phase == "Succeeded" for p in pods.values())
    down_cluster, down_node = planted["node-down"].split("/")
    on_down = [p for p in pods.values() if p.node == down_node]
    assert on_down and all(p.cluster == down_cluster and p.reason == "NotReady" for p in on_down)
    owner = pods[planted["crashloop"]]
    assert (owner.owner_kind, owner.owner_name) == ("ReplicaSet", "svc-000-7d9f6c5b8")


def test_nodes_and_workloads_with_problems(store: str, planted_fleet) -> None:
    _, planted = planted_fleet
    src = FleetSource(PrometheusSource(store))
    src.list_pods()
    nodes = {f"{n.cluster}/{n.name}": n for n in src.list_nodes()}
    down = nodes[planted["node-down"]]
    assert not down.ready and down.status == "Unknown"
    assert nodes[planted["memory-pressure"]].pressure == ("MemoryPressure",)
    assert sum(not n.ready for n in nodes.values()) == 1
    [gap] = src.list_workloads()
    assert f"{gap.cluster}/{gap.namespace}/{gap.name}" == planted["gap"] and (gap.desired, gap.ready) == (10, 9)


def test_summary_counts_every_cluster_worst_first(store: str, planted_fleet) -> None:
    fleet, planted = planted_fleet
    src = FleetSource(PrometheusSource(store))
    src.list_pods()
    summary = src.summaries()
    assert [s.cluster for s in summary][0] == planted["node-down"].split("/")[0]  # a NotReady node first
    assert {s.cluster for s in summary} == set(fleet.clusters())
    assert sum(s.pods for s in summary) == len(fleet.pods)
    problems = expected_problem_keys(fleet)
    for s in summary:
        assert s.problems == sum(k.startswith(s.cluster + "/") for k in problems)
        assert not s.stale


def test_a_filtered_cluster_gets_its_healthy_rows(victoria: str, planted_fleet) -> None:
    fleet, planted = planted_fleet
    src = FleetSource(PrometheusSource(victoria))
    cluster = planted["imagepull"].split("/")[0]
    src.set_focus(cluster, "search")
    pods = rows(src.list_pods())
    want = {f"{p.cluster}/{p.namespace}/{p.name}" for p in fleet.pods if p.cluster == cluster and p.namespace == "search"}
    assert want <= set(pods)
    assert set(pods) - want == expected_problem_keys(fleet) - want
    assert {pods[k].reason for k in want} <= {"Running", "Completed"}


def test_a_cluster_that_stopped_reporting_is_stale(tmp_path: Path, planted_fleet) -> None:
    """VictoriaMetrics: one cluster's last samples are 3 minutes old (two scrape intervals of 30 s
    ago is the limit): it is listed stale, with its last counts, never as healthy."""
    fleet, _ = planted_fleet
    vm = start_victoria_metrics(tmp_path / "vm")
    try:
        quiet = fleet.clusters()[0]
        ksm.import_into_victoria(vm.url, fleet.only(quiet), at=time.time() - 180)
        ksm.import_into_victoria(vm.url, fleet.without(quiet))
        ksm.wait_until_queryable(vm.url, fleet)
        src = FleetSource(PrometheusSource(vm.url), scrape_interval_s=30)
        src.list_pods()
        by = {s.cluster: s for s in src.summaries()}
        assert by[quiet].stale and by[quiet].pods == PODS
        assert not any(s.stale for c, s in by.items() if c != quiet)
        assert src.summaries()[0].cluster == quiet  # nobody knows what it is doing: listed first
        with pytest.raises(SourceError, match=f"stale, no kube-state-metrics sample in 60s: {quiet};"):
            src.check()
    finally:
        vm.stop()


def test_prometheus_marks_a_cluster_stale_when_its_series_stop(prometheus, planted_fleet) -> None:
    url, served = prometheus
    fleet, _ = planted_fleet
    gone = fleet.clusters()[-1]
    src = FleetSource(PrometheusSource(url), scrape_interval_s=1)
    src.list_pods()
    assert not {s.cluster: s for s in src.summaries()}[gone].stale
    served["fleet"] = fleet.without(gone)
    try:
        wait_for(lambda: (src.list_pods(), {s.cluster: s for s in src.summaries()}[gone].stale)[1], timeout=20,
                 what=f"{gone} stale")
        last = {s.cluster: s for s in src.summaries()}[gone]
        assert last.pods == PODS  # its last known counts, marked stale
    finally:
        served["fleet"] = fleet


def test_drill_down_uses_the_mapped_context_or_says_what_metrics_know(victoria: str, planted_fleet,
                                                                        tmp_path: Path) -> None:
    fleet, planted = planted_fleet
    cluster, ns, name = planted["crashloop"].split("/")
    with FakeKube(tokens={"token-admin": "admin"}) as fake:
        fake.load({"pods": [fx.pod(ns, name, "Running", [fx.running("app", "registry.example/app:1.0")])]})
        fake.set_log(ns, name, "app", "panic: out of memory\n")
        kubeconfig = fake.kubeconfig(tmp_path / "config", {"eu-admin": ("token-admin", "")})
        from cockpit.sources.kubernetes import load_clusters

        def kube(context: str):
            return load_clusters(str(kubeconfig), [context])[0] if context == "eu-admin" else None

        mapped = FleetSource(PrometheusSource(victoria), cluster_contexts={cluster: "eu-admin"}, kube=kube)
        mapped.list_pods()
        assert mapped.for_cluster(cluster).pod_logs(ns, name) == "panic: out of memory\n"

        other_cluster, ons, oname = planted["imagepull"].split("/")
        with pytest.raises(SourceError, match=f"cluster {other_cluster} has no kube context.*cluster_contexts"):
            mapped.for_cluster(other_cluster).pod_logs(ons, oname)
        described = mapped.for_cluster(other_cluster).describe_pod(ons, oname)
        assert described.pod.reason == "ImagePullBackOff"
        assert "no events, logs" in described.events[0].message


async def test_the_pods_pane_and_the_cluster_view_speak_fleet(victoria: str, planted_fleet) -> None:
    """The TUI on the fleet: a Cluster column, `Pods N · M problems · K clusters`, `:clusters` worst
    first, enter there filters Pods to that cluster and brings its healthy rows; `cluster=` filters."""
    from cockpit.config import Config
    from cockpit.sources.factory import build_hub
    from cockpit.ui.app import CockpitApp
    from cockpit.ui.screens.clusters import ClustersScreen
    from tests.integration.test_ui_pods import wait_until

    fleet, planted = planted_fleet
    config = Config(prometheus=victoria, pods_from="prometheus", pods_interval_s=60)
    hub, clock = build_hub(config)
    app = CockpitApp(hub, config, clock=clock, live=False)
    problems = expected_problem_keys(fleet)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_until(pilot, lambda: len(app.pods_pane.shown) == len(problems), timeout=20)
        title = app.pods_pane.title_plain
        assert f"Pods {len(fleet.pods)} · {len(problems)} problems · {CLUSTERS} clusters" in title
        assert "Cluster" in [c[1] for c in app.pods_pane.table.columns]
        await pilot.press("colon")
        for ch in "clusters":
            await pilot.press(ch)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ClustersScreen))
        screen = app.screen
        assert screen.table._keys[0] == planted["node-down"].split("/")[0]  # worst first
        target = planted["imagepull"].split("/")[0]
        screen.table.select_key(target)
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, ClustersScreen))
        assert app.pods_pane.filter_text == f"cluster={target}"
        healthy = [p for p in fleet.pods if p.cluster == target]
        await wait_until(pilot, lambda: len(app.pods_pane.shown) == len(healthy), timeout=20)
        assert {p.cluster for p in app.pods_pane.shown} == {target}


def test_check_and_snapshot_report_the_fleet(victoria: str, planted_fleet, capsys) -> None:
    """`cockpit check` lists each cluster's freshness; `snapshot` pods carry their cluster."""
    import json

    from cockpit.cli import main

    fleet, planted = planted_fleet
    assert main(["check", "--prometheus", victoria, "--pods-from", "prometheus"]) == 0
    out = capsys.readouterr().out
    assert f"{CLUSTERS} of {CLUSTERS} clusters reporting, {len(fleet.pods)} pods" in out
    assert all(f"  {c}: fresh" in out for c in fleet.clusters())
    assert main(["snapshot", "--prometheus", victoria, "--pods-from", "prometheus"]) == 0
    snap = json.loads(capsys.readouterr().out)
    crash_cluster = planted["crashloop"].split("/")[0]
    assert {p["cluster"] for p in snap["pods"] if p["name"] == planted["crashloop"].split("/")[2]} >= {crash_cluster}
    assert {c["cluster"] for c in snap["clusters"]} == set(fleet.clusters())
    assert main(["check", "--prometheus", victoria, "--pods-from", "prometheus", "--cluster-label", "bad-label"]) != 0


def test_incidents_work_on_fleet_pods_cluster_by_cluster(victoria: str, planted_fleet) -> None:
    """A node NotReady in one cluster is one incident in that cluster holding exactly its pods there;
    the crash-looping pod of another cluster is its own incident; names carry their cluster."""
    from cockpit.config import Config
    from cockpit.sources.factory import build_hub

    fleet, planted = planted_fleet
    hub, _ = build_hub(Config(prometheus=victoria, pods_from="prometheus"))
    snap = hub.snapshot()
    down_cluster, down_node = planted["node-down"].split("/")
    [node_incident] = [i for i in snap.incidents if i.kind == "node-down"]
    assert node_incident.members.nodes == (f"{down_cluster}:{down_node}",)
    on_node = {f"{p.cluster}:{p.namespace}/{p.name}" for p in fleet.pods if p.node == down_node}
    assert set(node_incident.members.pods) == on_node
    crash_cluster, ns, name = planted["crashloop"].split("/")
    crash = [i for i in snap.incidents if f"{crash_cluster}:{ns}/{name}" in i.members.pods]
    assert len(crash) == 1 and crash[0] is not node_incident
    every = [m for i in snap.incidents for m in i.members.pods]
    assert len(every) == len(set(every))  # a pod belongs to one incident
