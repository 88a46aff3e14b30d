"""Incidents, pure: what belongs together, ranking, noise, stable ids, and membership as a partition."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cockpit.analysis.changes import build_changes
from cockpit.analysis.incidents import build_incidents, incident_of, index_incidents, with_incidents
from cockpit.model import Alert, Change, ContainerState, Node, Pod, Revision, SLOStatus, Snapshot, Workload
from cockpit.sources.demo import DemoWorld, demo_hub

NOW = datetime(2026, 12, 1, 3, 30, tzinfo=UTC)


def ago(s: float) -> datetime:
    return NOW - timedelta(seconds=s)


def pod(ns: str, name: str, *, reason: str = "Running", phase: str = "Running", ready: int = 1, node: str = "n1",
        owner: tuple[str, str] = ("ReplicaSet", ""), age: float = 86400, restarts: int = 0,
        last_restart: float | None = None, app: str = "", hash_: str = "", last: str = "", image: str = "img:1",
        conditions: tuple = (), message: str = "") -> Pod:
    kind, rs = owner
    app = app or name.rsplit("-", 2)[0]
    hash_ = hash_ or (rs.rsplit("-", 1)[-1] if kind == "ReplicaSet" and rs else "")
    waiting = reason in ("CrashLoopBackOff", "ImagePullBackOff", "CreateContainerConfigError")
    c = ContainerState("app", image, ready=bool(ready), restarts=restarts, state="waiting" if waiting else "running",
                       reason=reason if waiting else "", last_reason=last, last_exit_code=1 if last == "Error" else
                       137 if last == "OOMKilled" else None,
                       last_finished_at=ago(last_restart) if last_restart is not None else None, memory_limit="512Mi")
    labels = {"app": app, **({"pod-template-hash": hash_} if hash_ else {})}
    return Pod(ns, name, phase, ready, 1, restarts, reason, node, ago(age), "ctx", labels, (c,), kind,
               rs or (f"{app}-{hash_}" if kind == "ReplicaSet" else app), conditions,
               ago(last_restart) if last_restart is not None else None, message=message)


def crashing(ns: str, app: str, hash_: str, i: int, **kw) -> Pod:
    return pod(ns, f"{app}-{hash_}-{i:05d}", reason="CrashLoopBackOff", ready=0, restarts=5, last_restart=40,
               last="Error", owner=("ReplicaSet", f"{app}-{hash_}"), **kw)


def slo(service: str, status: str, burn: float, ns: str = "", objective: float = 0.999) -> SLOStatus:
    return SLOStatus(service, "availability", objective, burn_rates={"1h": burn, "5m": burn}, status=status,
                     budget_remaining=0.5, exhaustion_s=3600 * 10, namespace=ns)


def alert(name: str, severity: str = "warning", state: str = "firing", **labels: str) -> Alert:
    lb = {"alertname": name, "severity": severity, **labels}
    return Alert(f"fp-{name}-{'-'.join(sorted(labels.values()))}", name, severity, state, lb, {"summary": name},
                 ago(300), silenced_by=("s1",) if state == "silenced" else ())


def snap(**kw) -> Snapshot:
    s = Snapshot(taken_at=NOW, contexts=("ctx",), **kw)
    return with_incidents(s)


# -- the demo: one rollout incident with its alerts and SLOs, and two unrelated ones ----------------
@pytest.fixture(scope="module")
def demo() -> Snapshot:
    return demo_hub(DemoWorld(frozen=True)).snapshot()


def test_demo_rollout_is_the_cause_of_the_crash_loop_and_the_burn(demo: Snapshot) -> None:
    first = demo.incidents[0]
    assert first.kind == "rollout" and first.cause_kind == "hypothesis"
    assert "checkout-api:v2.13.2 → registry.example.com/shop/checkout-api:v2.14.0" in first.cause
    assert first.impact.slos[0].slo == "checkout/availability" and first.impact.slos[0].status == "page"
    assert "kubectl rollout undo deployment/checkout-api -n shop" in first.next_step
    assert len(demo.incidents) >= 2 and all(i.kind != "rollout" for i in demo.incidents[1:])


def test_demo_alerts_join_what_they_name(demo: Snapshot) -> None:
    by_name = {a.name: a for a in demo.alerts}
    rollout = demo.incidents[0]
    for name in ("KubePodCrashLooping", "CheckoutErrorBudgetBurn", "KubeDeploymentReplicasMismatch"):
        assert by_name[name].fingerprint in rollout.members.alerts
    assert {"checkout/availability", "checkout/latency"} == set(rollout.members.slos)
    assert incident_of(demo.incidents, f"alert:{by_name['Watchdog'].fingerprint}") is None
    node = incident_of(demo.incidents, "node:node-3")
    assert node is not None and by_name["NodeMemoryHighUtilization"].fingerprint in node.members.alerts


def test_index_maps_members_to_pane_keys(demo: Snapshot) -> None:
    index = index_incidents(demo)
    crash = next(p for p in demo.pods if p.reason == "CrashLoopBackOff")
    inc = index.of(index.key_of_pod(crash))
    assert inc is demo.incidents[0] or inc == demo.incidents[0]
    assert crash.key in index.pods[inc.id] and ("checkout", "availability") in index.slos[inc.id]


# -- rule 4: SLOs -----------------------------------------------------------------------------------
def test_a_burning_slo_joins_the_incident_of_the_workload_serving_it() -> None:
    s = snap(pods=tuple(crashing("shop", "cart", "5d6f7", i) for i in range(2)),
             slos=(slo("cart", "page", 20.0, "shop"), slo("search", "ok", 0.1)))
    [inc] = s.incidents
    assert inc.members.slos == ("cart/availability",) and inc.impact.slos[0].burn_rate == 20.0
    assert inc.impact.slos[0].budget_minutes_per_hour == pytest.approx(20 * 0.001 * 60)


def test_a_burning_slo_with_healthy_pods_stands_alone_as_a_hypothesis() -> None:
    healthy = tuple(pod("shop", f"checkout-7f8d9-{i:05d}", owner=("ReplicaSet", "checkout-7f8d9")) for i in range(3))
    s = snap(pods=healthy, slos=(slo("checkout", "page", 16.0, "shop"),))
    [inc] = s.incidents
    assert inc.kind == "slo" and inc.cause_kind == "hypothesis" and "dependency" in inc.cause
    assert inc.members.pods == () and inc.severity == "critical"


def test_impact_outranks_severity() -> None:
    """A warning that burns a page-level SLO ranks above a critical on a batch job."""
    batch = tuple(crashing("batch", "reindex", "1a2b3", i) for i in range(4))
    web = (pod("web", "front-9c8d7-00001", reason="NotReady", ready=0, owner=("ReplicaSet", "front-9c8d7"), age=3600),)
    s = snap(pods=batch + web, slos=(slo("front", "page", 15.0, "web"),),
             alerts=(alert("ReindexFailing", "critical", namespace="batch", app="reindex"),))
    assert [i.members.pods[0].split("/")[0] for i in s.incidents] == ["web", "batch"]
    assert s.incidents[0].severity == "critical" and s.incidents[0].rank == 1  # a page SLO makes it critical


# -- rules 1 and 3 with changes -------------------------------------------------------------------
def test_rollout_diff_and_other_template_parts() -> None:
    old = Revision("ReplicaSet", "shop", "api-5d8f7", "Deployment", "api", 3, ago(86400), (("app", "api:1.0"),),
                   {"image of app": "api:1.0", "env of app": "aaa"}, 1, 1, "5d8f7", "ctx")
    new = replace(old, name="api-7c9d5", revision=4, created_at=ago(600), images=(("app", "api:1.1"),),
                  template={"image of app": "api:1.1", "env of app": "bbb"}, desired=2, ready=0, hash="7c9d5")
    pods = tuple(crashing("shop", "api", "7c9d5", i) for i in range(2))
    s = snap(pods=pods, revisions=(old, new), workloads=(Workload("Deployment", "shop", "api", 2, 1, 2, 1, "ctx"),))
    [inc] = s.incidents
    assert "api:1.0 → api:1.1" in inc.cause and "still serves 1/1" in inc.cause
    rollout = next(c for c in s.changes if c.kind == "rollout")
    assert rollout.details["template"] == "env of app"
    # only the old template's pods failing: the rollout is not the suspect
    olds = tuple(crashing("shop", "api", "5d8f7", i) for i in range(2))
    [inc2] = snap(pods=olds, revisions=(old, new)).incidents
    assert inc2.kind == "workload" and "rollout" not in inc2.cause


def test_a_cordoned_node_and_a_node_flip_are_changes() -> None:
    nodes = (Node("n1", conditions=(("Ready", "True", "KubeletReady", ago(86400 * 9)),)),
             Node("n2", ready=False, conditions=(("Ready", "False", "KubeletNotReady", ago(300)),), unschedulable=True))
    s = snap(nodes=nodes)
    kinds = {(c.kind, c.subject) for c in s.changes}
    assert ("node", "node n2") in kinds and ("cordon", "node n2") in kinds and ("node", "node n1") not in kinds
    [inc] = s.incidents
    assert inc.kind == "node-down" and "n2 NotReady since 03:25, 0 pods" in inc.cause


def test_slo_status_changes_are_seen_between_snapshots() -> None:
    before = snap(slos=(slo("cart", "ok", 0.5),))
    after = with_incidents(Snapshot(taken_at=NOW + timedelta(seconds=30), slos=(slo("cart", "page", 20.0),)), before)
    [c] = [c for c in after.changes if c.kind == "slo"]
    assert c.summary == "status ok → page"
    later = with_incidents(Snapshot(taken_at=NOW + timedelta(seconds=60), slos=(slo("cart", "page", 21.0),)), after)
    assert [c.summary for c in later.changes if c.kind == "slo"] == ["status ok → page"]  # remembered


# -- noise ------------------------------------------------------------------------------------------
def test_noise_is_not_an_incident() -> None:
    pods = (
        pod("batch", "job-1-abcde", phase="Succeeded", reason="Completed", ready=0, owner=("Job", "job-1")),
        pod("batch", "job-0-zzzzz", phase="Failed", reason="Error", ready=0, owner=("Job", "job-0")),
        pod("shop", "cart-5f6g7-00001", restarts=9, last_restart=7200, last="OOMKilled",
            owner=("ReplicaSet", "cart-5f6g7")),
        pod("shop", "cart-5f6g7-00002", reason="ImagePullBackOff", phase="Pending", ready=0, age=30,
            owner=("ReplicaSet", "cart-5f6g7")),  # started 30 s ago, first pull failed: give it a minute
        pod("shop", "cart-5f6g7-00006", reason="NotReady", ready=0, age=20, owner=("ReplicaSet", "cart-5f6g7")),
        pod("shop", "cart-5f6g7-00003", reason="Terminating", owner=("ReplicaSet", "cart-5f6g7")),
        pod("shop", "cart-5f6g7-00004", reason="NotReady", ready=0, age=120, owner=("ReplicaSet", "cart-5f6g7")),
        pod("shop", "cart-5f6g7-00005", restarts=1, last_restart=180, last="Error",
            owner=("ReplicaSet", "cart-5f6g7")),  # restarted once, healthy again
    )
    alerts = (alert("NoisyCron", state="silenced", namespace="batch"), alert("Watchdog", "none"),
              alert("InfoOnly", "info", namespace="shop"), alert("SlowPending", state="pending", namespace="shop"))
    assert snap(pods=pods, alerts=alerts).incidents == ()


# -- ids, partition, evidence ---------------------------------------------------------------------
def test_evidence_and_incident_ids_survive_a_refresh_whose_numbers_changed() -> None:
    first = snap(pods=tuple(crashing("shop", "api", "7c9d5", i) for i in range(3)))
    again = Snapshot(taken_at=NOW + timedelta(minutes=2), contexts=("ctx",),
                     pods=tuple(replace(crashing("shop", "api", "7c9d5", i), restarts=9) for i in range(2)))
    second = with_incidents(again, first)
    assert second.incidents[0].id == first.incidents[0].id
    ids = {e.id for e in first.incidents[0].evidence}
    assert {e.id for e in second.incidents[0].evidence} <= ids


_WORKLOADS = ("api", "cart", "web", "search")


@st.composite
def clusters(draw: st.DrawFn) -> tuple[list[Pod], list[Node], list[Alert], list[SLOStatus]]:
    nodes = [Node(f"n{i}", ready=draw(st.booleans()) or i == 0,
                  pressure=("MemoryPressure",) if draw(st.booleans()) else ()) for i in range(3)]
    pods = []
    for i in range(draw(st.integers(0, 25))):
        app = draw(st.sampled_from(_WORKLOADS))
        kind = draw(st.sampled_from(["ok", "crash", "pending", "evicted", "pull", "young"]))
        node = draw(st.sampled_from([n.name for n in nodes]))
        name = f"{app}-a1b2c-{i:05d}"
        owner = ("ReplicaSet", f"{app}-a1b2c")
        if kind == "crash":
            p = crashing("shop", app, "a1b2c", i, node=node)
        elif kind == "pending":
            p = pod("shop", name, phase="Pending", reason="Pending", ready=0, node="", owner=owner, conditions=(
                ("PodScheduled", "False", "Unschedulable", "0/3 nodes are available: 3 Insufficient memory."),))
        elif kind == "evicted":
            p = pod("shop", name, phase="Failed", reason="Evicted", ready=0, node=node, owner=owner,
                    message="The node was low on resource: memory.")
        elif kind == "pull":
            p = pod("shop", name, reason="ImagePullBackOff", phase="Pending", ready=0, node=node, owner=owner)
        else:
            p = pod("shop", name, node=node, owner=owner, age=20 if kind == "young" else 86400)
        pods.append(p)
    alerts = [alert(f"A{i}", draw(st.sampled_from(["critical", "warning"])), namespace="shop",
                    **{draw(st.sampled_from(["app", "pod", "node"])): draw(st.sampled_from(
                        [*_WORKLOADS, *(p.name for p in pods[:3]), "n1", "n2"]))})
              for i in range(draw(st.integers(0, 6)))]
    slos = [slo(a, draw(st.sampled_from(["ok", "ticket", "page"])), 10.0, "shop") for a in _WORKLOADS[:2]]
    return pods, nodes, alerts, slos


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(clusters(), st.integers(0, 3))
def test_membership_is_a_partition_and_ids_hold_when_unrelated_rows_change(world, extra: int) -> None:
    pods, nodes, alerts, slos = world
    s1 = snap(pods=tuple(pods), nodes=tuple(nodes), alerts=tuple(alerts), slos=tuple(slos))
    seen: set[str] = set()
    for inc in s1.incidents:
        keys = inc.members.keys()
        assert not keys & seen, "a row in two incidents"
        seen |= keys
    # unrelated rows change: healthy pods come and go in another namespace, a quiet SLO moves
    noise = tuple(pod("other", f"calm-9z8y7-{i:05d}", owner=("ReplicaSet", "calm-9z8y7")) for i in range(extra))
    s2 = with_incidents(Snapshot(taken_at=NOW + timedelta(seconds=20), contexts=("ctx",), pods=tuple(pods) + noise,
                                 nodes=tuple(nodes), alerts=tuple(alerts),
                                 slos=(*slos, slo("other", "ok", 0.2, "other"))), s1)
    assert [(i.id, i.members) for i in s2.incidents] == [(i.id, i.members) for i in s1.incidents]


def test_changes_are_newest_first_and_windowed() -> None:
    pods = (crashing("shop", "api", "7c9d5", 0), pod("shop", "old-1a2b3-00001", restarts=1, last_restart=3 * 3600,
                                                     last="Error", owner=("ReplicaSet", "old-1a2b3")))
    changes = build_changes(Snapshot(taken_at=NOW, pods=pods), window_s=7200)
    assert [c.subject for c in changes if c.kind == "restart"] == ["pod shop/api-7c9d5-00000"]
    assert list(changes) == sorted(changes, key=lambda c: c.at, reverse=True)
    assert build_incidents(Snapshot(taken_at=NOW, pods=pods), changes)[0].members.pods == ("shop/api-7c9d5-00000",)


def test_a_stalled_rollout_with_no_failing_pod_is_an_incident_and_a_paused_one_a_change() -> None:
    stalled = Workload("Deployment", "shop", "api", 3, 1, 1, 1, "ctx", conditions=(
        ("Progressing", "False", "ProgressDeadlineExceeded", 'ReplicaSet "api-7c9d5" has timed out progressing.',
         ago(400)),))
    paused = Workload("Deployment", "shop", "web", 2, 2, 2, 2, "ctx", paused=True)
    s = snap(workloads=(stalled, paused))
    [inc] = s.incidents
    assert inc.members.workloads == ("deployment/shop/api",) and "ProgressDeadlineExceeded" in inc.cause
    kinds = {(c.kind, c.subject) for c in s.changes}
    assert ("rollout-stalled", "deployment shop/api") in kinds and ("rollout-paused", "deployment shop/web") in kinds


def test_pods_evicted_for_disk_join_the_nodes_disk_pressure() -> None:
    node = Node("n4", pressure=("DiskPressure",), context="ctx", conditions=(("Ready", "True", "", ago(86400)),
                                                               ("DiskPressure", "True", "", ago(600))))
    evicted = tuple(pod("shop", f"cart-5f6g7-{i:05d}", phase="Failed", reason="Evicted", ready=0, node="n4",
                        owner=("ReplicaSet", "cart-5f6g7"),
                        message="The node was low on resource: ephemeral-storage. Threshold quantity: 10%.")
                    for i in range(3))
    [inc] = snap(nodes=(node,), pods=evicted).incidents
    assert inc.kind == "node-pressure" and inc.members.nodes == ("n4",) and len(inc.members.pods) == 3
    assert "3 pods evicted for ephemeral-storage" in inc.cause and "DiskPressure" in inc.cause
    assert "kubectl cordon n4" in inc.next_step


def test_several_contexts_keep_their_rows_apart() -> None:
    """Same names in two clusters: members carry their context; a node down in one claims nothing in the other."""
    a = tuple(replace(crashing("shop", "api", "7c9d5", i, node="n1"), context="eu") for i in range(2))
    b = tuple(replace(crashing("shop", "api", "7c9d5", i, node="n1"), context="us") for i in range(2))
    down = Node("n1", ready=False, context="eu", conditions=(("Ready", "Unknown", "", ago(120)),))
    s = with_incidents(Snapshot(taken_at=NOW, contexts=("eu", "us"), pods=a + b, nodes=(down,)))
    kinds = sorted((i.kind, i.members.pods) for i in s.incidents)
    assert kinds == [("node-down", ("eu:shop/api-7c9d5-00000", "eu:shop/api-7c9d5-00001")),
                     ("workload", ("us:shop/api-7c9d5-00000", "us:shop/api-7c9d5-00001"))]
    assert next(i for i in s.incidents if i.kind == "node-down").members.nodes == ("eu:n1",)


def test_a_healthy_pod_that_keeps_restarting_or_was_oomkilled_is_a_problem() -> None:
    flapping = pod("shop", "cart-5f6g7-00001", restarts=6, last_restart=120, last="Error",
                   owner=("ReplicaSet", "cart-5f6g7"))
    oom = pod("shop", "api-1a2b3-00001", restarts=1, last_restart=120, last="OOMKilled",
              owner=("ReplicaSet", "api-1a2b3"))
    titles = sorted(i.title for i in snap(pods=(flapping, oom)).incidents)
    assert titles == ["api OOMKilled", "cart restarting"]


def test_a_young_pod_that_already_crashed_is_not_starting() -> None:
    young = pod("shop", "api-1a2b3-00001", reason="CrashLoopBackOff", ready=0, age=40, restarts=2, last_restart=5,
                last="Error", owner=("ReplicaSet", "api-1a2b3"))
    [inc] = snap(pods=(young,)).incidents
    assert inc.members.pods == ("shop/api-1a2b3-00001",)


def test_old_evictions_of_a_workload_that_is_whole_again_are_history() -> None:
    evicted = pod("shop", "cart-5f6g7-old01", phase="Failed", reason="Evicted", ready=0, node="n2",
                  owner=("ReplicaSet", "cart-5f6g7"), message="The node was low on resource: memory.")
    whole = Workload("Deployment", "shop", "cart", 3, 3, 3, 3, "ctx")
    calm = Node("n2", context="ctx", conditions=(("Ready", "True", "", ago(86400)),))
    assert snap(pods=(evicted,), workloads=(whole,), nodes=(calm,)).incidents == ()
    short = replace(whole, ready=2)  # not whole yet: the eviction still costs a replica
    [inc] = snap(pods=(evicted,), workloads=(short,), nodes=(calm,)).incidents
    assert inc.members.pods == ("shop/cart-5f6g7-old01",)


# -- QA round: evidence ids, wording, first steps ---------------------------------------------------
def test_two_changes_of_one_node_at_the_same_time_get_distinct_evidence_ids() -> None:
    at = ago(300)
    node = Node("n5", pressure=("MemoryPressure", "DiskPressure"), context="ctx",
                conditions=(("Ready", "True", "", ago(86400)), ("MemoryPressure", "True", "", at),
                            ("DiskPressure", "True", "", at)))
    pending = pod("shop", "cart-5f6g7-00001", phase="Pending", reason="Pending", ready=0, node="",
                  owner=("ReplicaSet", "cart-5f6g7"),
                  conditions=(("PodScheduled", "False", "Unschedulable", "0/1 nodes: 1 Insufficient memory."),))
    for inc in snap(nodes=(node,), pods=(pending,)).incidents:
        ids = [e.id for e in inc.evidence]
        assert len(ids) == len(set(ids)), ids


def test_capacity_cause_names_the_pending_workloads_and_plurals_read() -> None:
    node = Node("n6", pressure=("MemoryPressure",), context="ctx",
                conditions=(("Ready", "True", "", ago(86400)), ("MemoryPressure", "True", "", ago(600))))
    why = (("PodScheduled", "False", "Unschedulable", "0/3 nodes are available: 3 Insufficient memory."),)
    pending = tuple(pod("shop", f"{app}-5f6g7-{i:05d}", phase="Pending", reason="Pending", ready=0, node="",
                        owner=("ReplicaSet", f"{app}-5f6g7"), conditions=why)
                    for app, n in (("cart", 2), ("search", 1)) for i in range(n))
    [inc] = snap(nodes=(node,), pods=pending,
                 slos=(slo("cart", "page", 20.0, "shop"), slo("search", "page", 15.0, "shop"))).incidents
    assert "Pods: 2 of cart, 1 of search" in inc.cause
    assert inc.impact.text.endswith("+1 more SLO"), inc.impact.text


def test_no_first_step_keeps_a_pod_placeholder() -> None:
    pods = tuple(crashing("shop", "api", "7c9d5", i) for i in range(2))
    pending = pod("shop", "cart-5f6g7-00001", phase="Pending", reason="Pending", ready=0, node="", age=900,
                  owner=("ReplicaSet", "cart-5f6g7"),
                  conditions=(("PodScheduled", "False", "Unschedulable", "0/1 nodes: node affinity mismatch."),))
    for inc in snap(pods=(*pods, pending)).incidents:
        assert "<pod>" not in inc.next_step, inc.next_step
        assert any(p.rsplit("/", 1)[-1] in inc.next_step for p in inc.members.pods), inc.next_step


def test_after_a_configmap_edit_the_step_restores_the_configmap_not_the_template() -> None:
    rev = Revision("ReplicaSet", "shop", "api-5d8f7", "Deployment", "api", 3, ago(86400 * 5), (("app", "api:1.0"),),
                   {"image of app": "api:1.0", "configmaps": "api-config"}, 2, 0, "5d8f7", "ctx")
    edit = Change(ago(400), "configmap", "configmap shop/api-config", "configmap shop/api-config changed",
                  ("configmap:shop/api-config",), {"namespace": "shop", "name": "api-config"}, "ctx")
    pods = tuple(crashing("shop", "api", "5d8f7", i) for i in range(2))
    [inc] = snap(pods=pods, revisions=(rev,), changes=(edit,)).incidents
    assert inc.cause_kind == "hypothesis" and "api-config" in inc.cause
    assert "rollout undo" not in inc.next_step, inc.next_step
    assert "restore configmap shop/api-config to its last known good data" in inc.next_step.lower()
    assert "kubectl rollout restart deployment/api -n shop" in inc.next_step
    assert inc.title.endswith("after configmap shop/api-config changed")  # the suspect, in one line


# -- a rollback is a change; a burning SLO with healthy pods cites the rollout on its path ----------
def _rs(name: str, revision: int, created: float, image: str, ready: int) -> Revision:
    return Revision("ReplicaSet", "shop", name, "Deployment", "cart", revision, ago(created), (("app", image),),
                    {"image of app": image}, ready, ready, name.rsplit("-", 1)[-1], "ctx")


def test_an_old_replicaset_made_current_again_is_a_rollback_with_its_time() -> None:
    from cockpit.model import Event

    old = _rs("cart-5d8f7", 9, 86400 * 5, "cart:1.8.0", 3)  # revision bumped by kubectl rollout undo
    bad = _rs("cart-7c9d5", 8, 900, "cart:1.9.0", 0)
    up = Event("shop", "Deployment", "cart", "Normal", "ScalingReplicaSet", "Scaled up replica set cart-5d8f7 to 3",
               1, ago(300), ago(300), "deployment-controller", "ctx")
    s = snap(revisions=(old, bad), events=(up,), workloads=(Workload("Deployment", "shop", "cart", 3, 3, 3, 3, "ctx"),))
    rollouts = [c for c in s.changes if c.kind == "rollout"]
    back = next(c for c in rollouts if c.details.get("rollback") == "true")
    assert back.at == ago(300) and "rollback to revision 9" in back.summary
    assert "cart:1.9.0 → cart:1.8.0" in back.summary
    undone = next(c for c in rollouts if c is not back)
    assert undone.at == ago(900) and "cart:1.8.0 → cart:1.9.0" in undone.summary


def test_a_burning_slo_whose_workload_rolled_out_cites_the_rollout() -> None:
    old = _rs("cart-5d8f7", 3, 86400 * 5, "cart:1.8.0", 0)
    new = _rs("cart-7c9d5", 4, 600, "cart:1.9.0", 3)
    healthy = tuple(pod("shop", f"cart-7c9d5-{i:05d}", owner=("ReplicaSet", "cart-7c9d5"), age=500) for i in range(3))
    s = snap(pods=healthy, revisions=(old, new), slos=(slo("cart", "page", 16.0, "shop"),),
             workloads=(Workload("Deployment", "shop", "cart", 3, 3, 3, 3, "ctx"),))
    [inc] = s.incidents
    assert inc.cause_kind == "hypothesis" and "rolled out cart:1.8.0 → cart:1.9.0" in inc.cause
    assert "kubectl rollout undo deployment/cart -n shop" in inc.next_step
    assert inc.changes and inc.changes[0].kind == "rollout" and inc.members.workloads == ("deployment/shop/cart",)


def test_demo_recovery_cites_the_rollback_and_the_rollout_it_undid() -> None:
    s = demo_hub(DemoWorld(start_s=400, frozen=True)).snapshot()  # rolled back at 330 s, SLO still burning
    back = next(c for c in s.changes if c.kind == "rollout" and c.details.get("rollback") == "true")
    assert "checkout-api:v2.14.0 → registry.example.com/shop/checkout-api:v2.13.2" in back.summary
    burn = next(i for i in s.incidents if "checkout/availability" in i.members.slos)
    assert "rolled back at" in burn.cause and "a change outside the cluster" not in burn.cause
    assert {c.kind for c in burn.changes} >= {"rollout"} and "5m burn is down" in burn.cause


def test_the_rollout_cited_for_a_burn_may_be_of_a_workload_named_otherwise_whose_pods_serve_it() -> None:
    old = replace(_rs("web-5d8f7", 3, 86400 * 5, "web:7.0", 0), owner_name="storefront-web")
    new = replace(_rs("web-7c9d5", 4, 600, "web:7.1", 3), owner_name="storefront-web")
    healthy = tuple(replace(pod("shop", f"storefront-web-7c9d5-{i:05d}", owner=("ReplicaSet", "storefront-web-7c9d5"),
                                age=500), labels={"app": "cart", "pod-template-hash": "7c9d5"}) for i in range(2))
    s = snap(pods=healthy, revisions=(old, new), slos=(slo("cart", "page", 16.0, "shop"),))
    [inc] = s.incidents
    assert "deployment shop/storefront-web rolled out web:7.0 → web:7.1" in inc.cause
