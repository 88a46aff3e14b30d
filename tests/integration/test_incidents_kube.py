"""Incidents from real parts: the kubernetes client against the fake apiserver, a real Alertmanager.

One scenario per rule of cockpit.analysis.incidents, each a cluster an SRE would recognise, plus a calm
cluster full of noise that must yield no incident. Everything goes through Hub.snapshot(), as
`cockpit snapshot` does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from cockpit.incident_export import incidents_markdown, snapshot_parts
from cockpit.model import Incident, Snapshot
from cockpit.sources.alertmanager import AlertmanagerSource
from cockpit.sources.hub import Hub
from cockpit.sources.kubernetes import load_clusters
from tests.fakekube import FakeKube
from tests.fakekube import fixtures as fx
from tests.fakekube import scenarios as sc
from tests.support.promstack import Proc, start_alertmanager

pytestmark = pytest.mark.integration
ESCAPES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]")


@pytest.fixture(scope="module")
def am(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proc]:
    proc = start_alertmanager(tmp_path_factory.mktemp("am-incidents"))
    yield proc
    proc.stop()


@pytest.fixture
def world(tmp_path: Path, am: Proc) -> Iterator[tuple[FakeKube, Hub]]:
    with FakeKube() as fk:
        [cluster] = load_clusters(str(fk.kubeconfig(tmp_path / "config")))
        source = AlertmanagerSource(am.url)
        hub = Hub(clusters=[cluster], alert_sources=[source], silence_backends=[source])
        yield fk, hub
        cluster.close()
    _resolve_all(am)


def _post(am: Proc, *alerts: dict[str, object]) -> None:
    now = datetime.now(UTC)
    body = [{"labels": a["labels"], "annotations": a.get("annotations", {}),
             "startsAt": (now - timedelta(minutes=5)).isoformat(), "endsAt": (now + timedelta(minutes=10)).isoformat()}
            for a in alerts]
    httpx.post(am.url + "/api/v2/alerts", json=body, timeout=5).raise_for_status()


def _resolve_all(am: Proc) -> None:
    """End every alert this module posted, so the next scenario starts from a quiet Alertmanager."""
    past = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    alerts = httpx.get(am.url + "/api/v2/alerts", timeout=5).json()
    body = [{"labels": a["labels"], "startsAt": a["startsAt"], "endsAt": past} for a in alerts]
    if body:
        httpx.post(am.url + "/api/v2/alerts", json=body, timeout=5).raise_for_status()
    for s in httpx.get(am.url + "/api/v2/silences", timeout=5).json():
        if s["status"]["state"] == "active":
            httpx.delete(f"{am.url}/api/v2/silence/{s['id']}", timeout=5)


def _snap(hub: Hub) -> Snapshot:
    return hub.snapshot()


def _only(snap: Snapshot) -> Incident:
    assert len(snap.incidents) == 1, [(i.kind, i.title) for i in snap.incidents]
    return snap.incidents[0]


def _partition(snap: Snapshot) -> None:
    seen: dict[str, str] = {}
    for i in snap.incidents:
        for key in i.members.keys():
            assert key not in seen, f"{key} in {seen[key]} and {i.id}"
            seen[key] = i.id


# -- rule 1 -----------------------------------------------------------------------------------------
def test_pods_on_a_node_that_stopped_reporting_are_that_nodes_incident(world: tuple[FakeKube, Hub]) -> None:
    fk, hub = world
    img = "registry.example.com/web:3.1"
    on_down = [sc.deploy_pod("shop", "web", "6d4f8c7b9", f"w{i}", fx.running("app", img, ready=i % 2 == 0),
                             node_name="worker-7", created_ago=86400) for i in range(6)]
    on_down += [sc.deploy_pod("shop", "cart", "77c5d9f8b", f"c{i}", fx.running("app", img, ready=False),
                              node_name="worker-7", created_ago=86400) for i in range(3)]
    fk.load({"nodes": [sc.node("worker-7", "Unknown", since_ago=240), sc.node("worker-1"), sc.node("worker-2")],
             "pods": on_down + sc.healthy("shop", "web", 3, "worker-1", "6d4f8c7b9"),
             "deployments": [sc.deployment("shop", "web", 9, 5, img), sc.deployment("shop", "cart", 3, 0, img)]})
    snap = _snap(hub)
    inc = _only(snap)
    assert inc.kind == "node-down" and inc.members.nodes == ("worker-7",)
    assert len(inc.members.pods) == 9 and all(p.split("/")[1].startswith(("web-", "cart-")) for p in inc.members.pods)
    assert inc.cause_kind == "observed"
    since = (datetime.now(UTC) - timedelta(seconds=240)).strftime("%H:%M")
    assert f"worker-7 Unknown since {since}, 9 pods on it unreachable" in inc.cause
    assert not any("readiness" in e.text for e in inc.evidence)  # not explained by their own readiness
    assert "kubectl cordon worker-7" in inc.next_step
    assert any(c.kind == "node" and c.subject == "node worker-7" for c in inc.changes)
    # the workloads missing replicas because of it join it, not an incident of their own
    assert set(inc.members.workloads) == {"deployment/shop/web", "deployment/shop/cart"}


# -- rule 2 -----------------------------------------------------------------------------------------
def test_pending_for_memory_and_nodes_under_memory_pressure_are_one_capacity_incident(
        world: tuple[FakeKube, Hub]) -> None:
    fk, hub = world
    img = "registry.example.com/api:2.0"
    pending = [sc.pending_for("shop", f"api-5b6c7d8e9-p{i}", "api", "5b6c7d8e9") for i in range(3)]
    pending.append(sc.pending_for("batch", "reindex-6a7b8c9d0-p0", "reindex", "6a7b8c9d0"))
    pull = sc.deploy_pod("web", "front", "8f9a0b1c2", "x1", fx.waiting(
        "app", "web/front:9.9-typo", "ImagePullBackOff", 'Back-off pulling image "web/front:9.9-typo"'))
    fk.load({"nodes": [sc.node("n1", pressure=("MemoryPressure",), since_ago=900),
                       sc.node("n2", pressure=("MemoryPressure",), since_ago=600), sc.node("n3")],
             "pods": [*pending, pull, *sc.healthy("shop", "api", 2, "n3", "5b6c7d8e9")],
             "deployments": [sc.deployment("shop", "api", 5, 2, img), sc.deployment("web", "front", 1, 0, img)]})
    snap = _snap(hub)
    _partition(snap)
    assert len(snap.incidents) == 2
    cap = next(i for i in snap.incidents if i.kind == "capacity")
    assert set(cap.members.nodes) == {"n1", "n2"}
    assert len(cap.members.pods) == 4  # across namespaces and workloads: one shortage
    assert "4 pods Pending for memory" in cap.cause and "MemoryPressure" in cap.cause
    assert "free memory" in cap.next_step
    other = next(i for i in snap.incidents if i is not cap)
    assert other.members.pods == ("web/front-8f9a0b1c2-x1",) and "pull" in other.title


# -- rule 3 -----------------------------------------------------------------------------------------
def _rollout(fk: FakeKube, *, old_ready: int = 1) -> None:
    old, new = "registry.example.com/catalog-api:2.3.1", "registry.example.com/catalog-api:2.4.0"
    pods = [sc.deploy_pod("shop", "catalog-api", "7c9d5b6f4", f"n{i}", sc.crashing(new, 4 + i), created_ago=540,
                          finished_ago=20 + i) for i in range(3)]
    pods += [sc.deploy_pod("shop", "catalog-api", "5d8f7a6b3", f"o{i}", fx.running("app", old), created_ago=86400 * 3)
             for i in range(old_ready)]
    fk.load({"nodes": [sc.node("node-a"), sc.node("node-b")],
             "pods": pods,
             "deployments": [sc.deployment("shop", "catalog-api", 3, old_ready, new, updated=3, conditions=[
                 sc.progressing("True", "ReplicaSetUpdated", 'ReplicaSet "catalog-api-7c9d5b6f4" is progressing.',
                                600)])],
             "replicasets": [sc.replicaset("shop", "catalog-api", "5d8f7a6b3", old, 4, 86400 * 3, old_ready, old_ready),
                             sc.replicaset("shop", "catalog-api", "7c9d5b6f4", new, 5, 600, 3, 0),
                             sc.replicaset("shop", "catalog-api", "4c7e6f5a2", "registry.example.com/catalog-api:2.2.0",
                                           3, 86400 * 9, 0, 0)]})


def test_crash_loop_after_a_rollout_names_the_rollout_and_both_images(world: tuple[FakeKube, Hub]) -> None:
    fk, hub = world
    _rollout(fk)
    snap = _snap(hub)
    inc = _only(snap)
    assert inc.kind == "rollout" and inc.cause_kind == "hypothesis"
    at = (datetime.now(UTC) - timedelta(seconds=600)).strftime("%H:%M")
    assert ("rollout of deployment shop/catalog-api registry.example.com/catalog-api:2.3.1 → "
            f"registry.example.com/catalog-api:2.4.0 at {at}") in inc.cause
    assert "exit 1" in inc.cause and "still serves 1/1" in inc.cause
    assert inc.next_step.startswith("roll back to registry.example.com/catalog-api:2.3.1: "
                                    "kubectl rollout undo deployment/catalog-api -n shop")
    assert inc.members.workloads == ("deployment/shop/catalog-api",)
    assert len(inc.members.pods) == 3  # the old pod still serving is healthy: not a member
    rollout = inc.changes[0]
    assert rollout.kind == "rollout" and "2.3.1 → registry.example.com/catalog-api:2.4.0" in rollout.summary
    assert any(e.kind == "change" for e in inc.evidence)
    # the change is in the snapshot's list, and the revision before last (2.2.0) is no rollout of this window
    assert [c.subject for c in snap.changes if c.kind == "rollout"] == ["deployment shop/catalog-api"]
    assert not any(r.kind == "ReplicaSet" and r.name.endswith("4c7e6f5a2") for r in snap.revisions)


def test_statefulset_rollout_from_controller_revisions(world: tuple[FakeKube, Hub]) -> None:
    fk, hub = world
    old, new = "registry.example.com/ledger:5.0.2", "registry.example.com/ledger:5.1.0"
    crash = sc.pod("pay", "ledger-2", "Running", [sc.crashing(new, 6, container="ledger")],
                   owner=("StatefulSet", "ledger"), labels={"app": "ledger", "controller-revision-hash": "ledger-86c9d7"},
                   created_ago=400, finished_ago=15)
    ok = [sc.pod("pay", f"ledger-{i}", "Running", [fx.running("ledger", old)], owner=("StatefulSet", "ledger"),
                 labels={"app": "ledger", "controller-revision-hash": "ledger-5f7b8c"}, created_ago=86400)
          for i in range(2)]
    fk.load({"nodes": [sc.node("node-a")], "pods": [crash, *ok],
             "statefulsets": [sc.statefulset("pay", "ledger", 3, 2, new, "ledger-5f7b8c", "ledger-86c9d7")],
             "controllerrevisions": [sc.controller_revision("pay", "ledger", "ledger-5f7b8c", 1, old, 86400 * 20),
                                     sc.controller_revision("pay", "ledger", "ledger-86c9d7", 2, new, 420)]})
    inc = _only(_snap(hub))
    assert inc.kind == "rollout"
    assert "ledger:5.0.2 → registry.example.com/ledger:5.1.0" in inc.cause
    assert "kubectl rollout undo statefulset/ledger -n pay" in inc.next_step


def test_config_change_before_a_crash_loop_is_named_and_no_secret_is_read(world: tuple[FakeKube, Hub]) -> None:
    fk, hub = world
    img = "registry.example.com/orders:7.1"
    pods = [sc.deploy_pod("shop", "orders", "6b5c4d3e2", f"x{i}", sc.crashing(img, 3), created_ago=86400,
                          finished_ago=30) for i in range(2)]
    fk.load({"nodes": [sc.node("node-a")], "pods": pods,
             "deployments": [sc.deployment("shop", "orders", 2, 0, img, configmap="orders-config")],
             "replicasets": [sc.replicaset("shop", "orders", "6b5c4d3e2", img, 3, 86400 * 2, 2, 0,
                                           configmap="orders-config")],
             "configmaps": [sc.configmap("shop", "orders-config", {"db_url": "postgres://orders:hunter2@db/orders"},
                                         edited_ago=300),
                            sc.configmap("shop", "unrelated-config", {"x": "y"}, edited_ago=200)]})
    snap = _snap(hub)
    inc = _only(snap)
    assert inc.cause_kind == "hypothesis"
    assert "configmap shop/orders-config, which its pods read, changed at" in inc.cause
    assert "unrelated-config" not in inc.cause  # edited too, but no pod of orders reads it
    assert any(c.kind == "configmap" and "kubectl-edit" in c.summary for c in inc.changes)
    assert "hunter2" not in json.dumps(snapshot_parts(snap))
    paths = [p for _, p in fk.requests]
    assert any("/configmaps" in p for p in paths) and not any("secrets" in p for p in paths)


# -- rule 5 (alerts) --------------------------------------------------------------------------------
def test_alerts_join_the_incident_of_what_they_name_silenced_and_info_alerts_do_not(
        world: tuple[FakeKube, Hub], am: Proc) -> None:
    fk, hub = world
    _rollout(fk)
    fk.apply("nodes", sc.node("node-c", "False", since_ago=120))
    crashing_pod = "catalog-api-7c9d5b6f4-n0"
    _post(am,
          {"labels": {"alertname": "KubePodCrashLooping", "severity": "critical", "namespace": "shop",
                      "pod": crashing_pod}},
          {"labels": {"alertname": "KubeDeploymentReplicasMismatch", "severity": "warning", "namespace": "shop",
                      "deployment": "catalog-api"}},
          {"labels": {"alertname": "KubeNodeNotReady", "severity": "warning", "node": "node-c"}},
          {"labels": {"alertname": "DiskAlmostFull", "severity": "warning", "namespace": "infra",
                      "instance": "db-1:9100"}, "annotations": {"summary": "disk nearly full"}},
          {"labels": {"alertname": "Watchdog", "severity": "none"}},
          {"labels": {"alertname": "NoisyCronFailed", "severity": "warning", "namespace": "batch"}})
    silence = {"matchers": [{"name": "alertname", "value": "NoisyCronFailed", "isRegex": False, "isEqual": True}],
               "startsAt": datetime.now(UTC).isoformat(),
               "endsAt": (datetime.now(UTC) + timedelta(hours=1)).isoformat(), "createdBy": "test", "comment": "known"}
    httpx.post(am.url + "/api/v2/silences", json=silence, timeout=5).raise_for_status()
    snap = _snap(hub)
    _partition(snap)
    by_alert = {a.name: a.fingerprint for a in snap.alerts}
    rollout = next(i for i in snap.incidents if i.kind == "rollout")
    assert {by_alert["KubePodCrashLooping"], by_alert["KubeDeploymentReplicasMismatch"]} == set(rollout.members.alerts)
    node = next(i for i in snap.incidents if i.kind == "node-down")
    assert node.members.alerts == (by_alert["KubeNodeNotReady"],)
    loose = next(i for i in snap.incidents if i.kind == "alerts")
    assert loose.members.alerts == (by_alert["DiskAlmostFull"],) and "disk nearly full" in loose.cause
    members = {k for i in snap.incidents for k in i.members.keys()}
    assert f"alert:{by_alert['Watchdog']}" not in members and f"alert:{by_alert['NoisyCronFailed']}" not in members
    assert len(snap.incidents) == 3
    # silences created in the window are changes
    assert any(c.kind == "silence" and "NoisyCronFailed" in c.summary for c in snap.changes)


# -- noise ------------------------------------------------------------------------------------------
def test_a_calm_cluster_full_of_noise_has_no_incident(world: tuple[FakeKube, Hub], am: Proc) -> None:
    fk, hub = world
    img = "registry.example.com/app:1.0"
    job = [sc.pod("batch", f"nightly-2915{i}-abcde", "Succeeded", [fx.terminated("job", img, "Completed", 0)],
                  owner=("Job", f"nightly-2915{i}"), labels={"job-name": f"nightly-2915{i}"}, created_ago=3600 * (i + 1),
                  conds=fx.conditions(False)) for i in range(3)]
    failed_job = sc.pod("batch", "nightly-29140-zzzzz", "Failed", [fx.terminated("job", img, "Error", 1)],
                        owner=("Job", "nightly-29140"), labels={"job-name": "nightly-29140"}, created_ago=5 * 3600,
                        conds=fx.conditions(False))
    restarted_long_ago = sc.deploy_pod("shop", "cart", "9a8b7c6d5", "old", fx.running("app", img, restarts=7),
                                       created_ago=86400 * 5)
    restarted_long_ago["status"]["containerStatuses"][0]["lastState"] = {"terminated": {
        "reason": "OOMKilled", "exitCode": 137, "startedAt": sc.iso(7300), "finishedAt": sc.iso(7200)}}
    starting = sc.deploy_pod("shop", "cart", "9a8b7c6d5", "new", fx.waiting("app", img, "ContainerCreating"),
                             phase="Pending", created_ago=20)
    terminating = sc.deploy_pod("shop", "cart", "9a8b7c6d5", "bye", fx.running("app", img), created_ago=86400,
                                deletionTimestamp=sc.iso(-20), deletionGracePeriodSeconds=30)
    fk.load({"nodes": [sc.node("node-a"), sc.node("node-b"), sc.node("node-c", unschedulable=True, since_ago=600)],
             "pods": [*job, failed_job, restarted_long_ago, starting, terminating, *sc.healthy("shop", "web", 5)],
             "deployments": [sc.deployment("shop", "cart", 3, 3, img), sc.deployment("shop", "web", 5, 5, img)],
             "replicasets": [sc.replicaset("shop", "cart", "1a2b3c4d5", "registry.example.com/app:0.9", 1, 86400 * 9, 0, 0),
                             sc.replicaset("shop", "cart", "9a8b7c6d5", img, 2, 5 * 3600, 3, 3)],
             "events": [sc.warning("shop", "cart.1", ("Pod", "cart-9a8b7c6d5-old"), "BackOff", "old news", ago=7000)]})
    _post(am, {"labels": {"alertname": "Watchdog", "severity": "none"}})
    snap = _snap(hub)
    assert snap.incidents == ()
    assert incidents_markdown(snap)[2].startswith("- none")
    # a cordon (maintenance) is a change with the taint's time, not a problem
    at = (datetime.now(UTC) - timedelta(seconds=600)).strftime("%H:%M")
    assert [c.summary for c in snap.changes if c.kind == "cordon"] == [f"cordoned (unschedulable) at {at}"]


# -- hostile text -----------------------------------------------------------------------------------
def test_hostile_text_in_changes_and_evidence_stays_inert(world: tuple[FakeKube, Hub], am: Proc) -> None:
    fk, hub = world
    img = "registry.example.com/api:1"
    evil = "\x1b]0;pwned\x07[bold red]x[/] \u202eevil\x1b[2J"
    pods = [sc.deploy_pod("shop", "api", "6b5c4d3e2", "x1", sc.crashing(img, 3), created_ago=86400, finished_ago=30)]
    pods[0]["status"]["containerStatuses"][0]["state"]["waiting"]["message"] = evil
    fk.load({"nodes": [sc.node("node-a")], "pods": pods,
             "deployments": [sc.deployment("shop", "api", 1, 0, img, configmap="api-config")],
             "replicasets": [sc.replicaset("shop", "api", "6b5c4d3e2", img, 3, 86400 * 2, 1, 0, configmap="api-config")],
             "configmaps": [sc.configmap("shop", "api-config", {"k": "v"}, edited_ago=200, manager=evil)],
             "events": [sc.warning("shop", "api.1", ("Pod", "api-6b5c4d3e2-x1"), "BackOff", evil)]})
    _post(am, {"labels": {"alertname": "ApiDown", "severity": "critical", "namespace": "shop", "pod": "api-6b5c4d3e2-x1"},
               "annotations": {"summary": evil}})
    snap = _snap(hub)
    text = json.dumps(snapshot_parts(snap), ensure_ascii=False) + "\n".join(incidents_markdown(snap))
    assert "pwned" in text or "evil" in text  # the text is shown ...
    assert not ESCAPES.search(text.replace("\n", ""))  # ... with nothing a terminal would act on
    inc = _only(snap)
    assert any("evil" in e.text for e in inc.evidence) and any("[bold red]" in c.summary for c in inc.changes)


# -- the fixtures are what a real apiserver serves ---------------------------------------------------
def test_scenario_objects_read_back_through_the_clients_typed_models(world: tuple[FakeKube, Hub]) -> None:
    from kubernetes import client, config

    fk, hub = world
    _rollout(fk)
    fk.load({"controllerrevisions": [sc.controller_revision("pay", "ledger", "ledger-86c9d7", 2, "l:5.1", 60)],
             "statefulsets": [sc.statefulset("pay", "ledger", 3, 2, "l:5.1", "ledger-5f7b8c", "ledger-86c9d7")],
             "configmaps": [sc.configmap("shop", "cfg", {"a": "b"}, edited_ago=60)],
             "events": [fx.event("shop", "e.2", ("Pod", "catalog-api-7c9d5b6f4-n1"), "Warning", "FailedScheduling",
                                 "0/3 nodes", None, legacy=False)]})
    cfg = client.Configuration()
    config.load_kube_config(config_file=hub.clusters[0].kubeconfig, client_configuration=cfg, persist_config=False)
    api = client.ApiClient(cfg)
    apps, core, events = client.AppsV1Api(api), client.CoreV1Api(api), client.EventsV1Api(api)
    rs = {r.metadata.name: r for r in apps.list_replica_set_for_all_namespaces().items}
    assert rs["catalog-api-7c9d5b6f4"].metadata.annotations["deployment.kubernetes.io/revision"] == "5"
    assert rs["catalog-api-7c9d5b6f4"].spec.template.spec.containers[0].image.endswith(":2.4.0")
    [cr] = apps.list_controller_revision_for_all_namespaces().items
    assert cr.revision == 2 and cr.metadata.owner_references[0].kind == "StatefulSet"
    [cm] = core.list_config_map_for_all_namespaces().items
    assert cm.metadata.managed_fields[-1].manager == "kubectl-edit" and cm.metadata.managed_fields[-1].time
    [ev] = events.list_event_for_all_namespaces(field_selector="type=Warning").items
    assert ev.regarding.name == "catalog-api-7c9d5b6f4-n1" and ev.series.count == 42 and ev.event_time
    dep = apps.read_namespaced_deployment("catalog-api", "shop")
    assert dep.status.conditions[0].type == "Progressing"
    nodes = core.list_node().items
    assert all(c.last_transition_time for n in nodes for c in n.status.conditions)
    # metadata-only lists: what cockpit asks for ConfigMaps (their data never leaves the apiserver)
    from cockpit.sources.kube_changes import METADATA_ACCEPT
    from cockpit.sources.kubernetes import _send

    body = json.loads(_send(api, "/api/v1/configmaps", [], (5, 30), METADATA_ACCEPT).data)
    assert body["kind"] == "PartialObjectMetadataList" and "data" not in body["items"][0]
    api.close()


# -- a rollback: the old ReplicaSet current again under a bumped revision ---------------------------
def test_a_rollback_is_a_change_dated_by_the_controller_with_the_rollout_it_undid(world: tuple[FakeKube, Hub]) -> None:
    """kubectl rollout undo: the old ReplicaSet (days old) takes revision 6, the undone one (10 min old)
    keeps 5; the deployment controller's ScalingReplicaSet event dates the rollback."""
    fk, hub = world
    old, new = "registry.example.com/catalog-api:2.3.1", "registry.example.com/catalog-api:2.4.0"
    pods = [sc.deploy_pod("shop", "catalog-api", "5d8f7a6b3", f"o{i}", fx.running("app", old), created_ago=240)
            for i in range(3)]
    scaled = {"metadata": {"name": "catalog-api.rollback", "namespace": "shop", "creationTimestamp": sc.iso(300)},
              "involvedObject": {"kind": "Deployment", "name": "catalog-api", "namespace": "shop", "apiVersion": "apps/v1"},
              "type": "Normal", "reason": "ScalingReplicaSet",
              "message": "Scaled up replica set catalog-api-5d8f7a6b3 to 3 from 1", "count": 1,
              "firstTimestamp": sc.iso(300), "lastTimestamp": sc.iso(300), "eventTime": None,
              "source": {"component": "deployment-controller"}}
    fk.load({"nodes": [sc.node("node-a")], "pods": pods, "events": [scaled],
             "deployments": [sc.deployment("shop", "catalog-api", 3, 3, old)],
             "replicasets": [sc.replicaset("shop", "catalog-api", "5d8f7a6b3", old, 6, 86400 * 3, 3, 3),
                             sc.replicaset("shop", "catalog-api", "7c9d5b6f4", new, 5, 600, 0, 0)]})
    snap = _snap(hub)
    rollouts = [c for c in snap.changes if c.kind == "rollout"]
    back = next(c for c in rollouts if c.details.get("rollback") == "true")
    assert abs((back.at - (datetime.now(UTC) - timedelta(seconds=300))).total_seconds()) < 5
    assert "rollback to revision 6" in back.summary and "catalog-api:2.4.0 → registry.example.com/catalog-api:2.3.1" \
        in back.summary
    undone = next(c for c in rollouts if c is not back)
    assert "revision 5" in undone.summary and "2.3.1 → registry.example.com/catalog-api:2.4.0" in undone.summary
    assert snap.incidents == ()  # rolled back and healthy: a change, not a problem
