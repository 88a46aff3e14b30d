"""Kubernetes JSON -> model: what the status column says and why."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from cockpit.sources.kube_parse import parse_event, parse_node, parse_pod, parse_workload, probe_text, ts
from tests.fakekube import fixtures as fx

IMG = "shop/app:1"


def pods() -> dict[str, dict]:
    return {p["metadata"]["name"]: p for p in fx.scenario_pods()}


@pytest.mark.parametrize(("name", "reason"), [
    ("checkout-api-7d9f8b6c5d-x2x9k", "CrashLoopBackOff (OOMKilled, exit 137)"),
    ("payments-worker-5c4d-qq7x1", "CrashLoopBackOff (Error, exit 1)"),
    ("frontend-6b8c-zz2p4", "ImagePullBackOff"),
    ("checkout-api-7d9f8b6c5d-pend1", "Pending: 0/3 nodes are available: 3 Insufficient memory"),
    ("db-migrate-29131-kx8q2", "Completed"),
    ("cart-7f6d-old11", "Terminating"),
    ("cart-7f6d-readyno", "NotReady"),
    ("search-5d5d-evict", "Evicted"),
    ("mailer-6c6c-init1", "Init:CrashLoopBackOff (Error, exit 2)"),
    ("prometheus-0", "Running"),
])
def test_reason_says_what_is_wrong(name: str, reason: str) -> None:
    assert parse_pod(pods()[name]).reason == reason


def test_counts_owner_and_resources() -> None:
    crash = parse_pod(pods()["checkout-api-7d9f8b6c5d-x2x9k"], "prod")
    assert (crash.ready, crash.total, crash.restarts, crash.node) == (0, 1, 14, "node-a")
    assert (crash.owner_kind, crash.owner_name) == ("ReplicaSet", "checkout-api-7d9f8b6c5d")
    c = crash.containers[0]
    assert (c.last_reason, c.last_exit_code, c.memory_limit, c.state) == ("OOMKilled", 137, "256Mi", "waiting")
    assert crash.last_restart_at == datetime(2026, 11, 26, 11, 58, tzinfo=UTC)
    assert crash.context == "prod" and crash.key == ("prod", "shop", "checkout-api-7d9f8b6c5d-x2x9k")
    pending = parse_pod(pods()["checkout-api-7d9f8b6c5d-pend1"])
    assert pending.ready_text == "0/1" and pending.node == ""  # unstarted containers still count
    sidecar = parse_pod(fx.pod("ns", "two", "Running", [fx.running("a", IMG), fx.running("b", IMG, ready=False)]))
    assert sidecar.ready_text == "1/2" and sidecar.reason == "NotReady"


def test_kubectl_like_edge_cases() -> None:
    creating = fx.pod("ns", "p", "Pending", [fx.waiting("app", IMG, "ContainerCreating")])
    assert parse_pod(creating).reason == "ContainerCreating"
    init = fx.pod("ns", "p", "Pending", [fx.waiting("app", IMG, "PodInitializing")],
                  init=[fx.waiting("a", IMG, "PodInitializing")])
    assert parse_pod(init).reason == "Init:0/1"
    failed = fx.pod("ns", "p", "Failed", [fx.terminated("app", IMG, "", 3)])
    assert parse_pod(failed).reason == "ExitCode:3"
    lost = fx.pod("ns", "p", "Running", [fx.running("app", IMG)], reason="NodeLost", deletionTimestamp=fx.T1)
    assert parse_pod(lost).reason == "Unknown"
    huge = fx.pod("ns", "p", "Pending", [], node="", unstarted=("app", IMG),
                  conds=fx.conditions(False, False, "0/5000 nodes are available: " + "x" * 10_000))
    assert len(parse_pod(huge).reason) < 400


def test_tolerates_missing_fields() -> None:
    bare = parse_pod({"metadata": {"name": "x", "namespace": "y"}})
    assert (bare.phase, bare.reason, bare.total, bare.created_at) == ("Unknown", "Unknown", 0, None)
    p = copy.deepcopy(pods()["prometheus-0"])
    p["status"]["containerStatuses"][0]["state"] = {}
    assert parse_pod(p).containers[0].state == "waiting"


def test_events_of_both_apis() -> None:
    legacy = parse_event(fx.event("shop", "e1", ("Pod", "p"), "Warning", "BackOff", "m", 57))
    assert (legacy.count, legacy.source, legacy.last_seen) == (57, "kubelet", ts(fx.T1))
    new = parse_event(fx.event("shop", "e2", ("Pod", "p"), "Warning", "FailedScheduling", "m", None, legacy=False))
    assert new.count == 42 and new.source == "default-scheduler"
    assert new.last_seen == datetime(2026, 11, 26, 11, 59, 30, tzinfo=UTC)
    assert new.first_seen == datetime(2026, 11, 26, 11, 59, 0, 123456, tzinfo=UTC)
    nothing = fx.event("shop", "e3", ("Pod", "p"), "Normal", "Scheduled", "m", None, legacy=False)
    nothing.update(eventTime=None, series=None)
    assert parse_event(nothing).last_seen == ts(fx.T0)  # falls back to the object's creation


def test_nodes_and_workloads() -> None:
    assert parse_node(fx.node("n", pressure=("MemoryPressure", "DiskPressure"))).pressure == (
        "MemoryPressure", "DiskPressure")
    assert not parse_node(fx.node("n", ready=False)).ready
    assert parse_workload(fx.deployment("shop", "d", 3, 1), "Deployment").gap == 2
    assert parse_workload(fx.daemonset("ks", "ds", 3, 2), "DaemonSet").gap == 1
    unset = fx.deployment("shop", "d", 2, 2)
    del unset["spec"]["replicas"]
    del unset["status"]["readyReplicas"]
    assert (parse_workload(unset, "Deployment").desired, parse_workload(unset, "Deployment").ready) == (2, 0)


def test_probe_text_like_kubectl_describe() -> None:
    assert probe_text({"exec": {"command": ["cat", "/tmp/ok"]}, "periodSeconds": 5}) == (
        "exec cat /tmp/ok delay=0s timeout=1s period=5s #success=1 #failure=3")
    assert probe_text({"grpc": {"port": 9090}}).startswith("grpc <pod>:9090 delay=0s")
