"""The Kubernetes source with the real `kubernetes` client (and kubectl) against the TLS fake apiserver."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from cockpit.model import Pod
from cockpit.sources.base import ClusterSource, SourceError
from cockpit.sources.hub import Hub
from cockpit.sources.kubernetes import KubeCluster, load_clusters
from tests.fakekube import FakeKube
from tests.fakekube import fixtures as fx
from tests.fakekube.fixtures import CRASH_LOG, PREVIOUS_LOG, scenario, seeded_pods
from tests.fakekube.tls import make_cert

pytestmark = pytest.mark.integration

CRASH = "checkout-api-7d9f8b6c5d-x2x9k"
TOKENS = {"token-admin": "admin", "token-alice": "alice"}


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeKube]:
    with FakeKube(tokens=TOKENS, bookmark_interval=0.5) as fk:
        fk.load(scenario())
        fk.set_log("shop", CRASH, "app", CRASH_LOG)
        fk.set_log("shop", CRASH, "app", PREVIOUS_LOG, previous=True)
        yield fk


@pytest.fixture(scope="module")
def kubeconfig(fake: FakeKube, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("kube") / "config"
    return fake.kubeconfig(path, {"admin": ("token-admin", ""), "alice": ("token-alice", "shop")})


@pytest.fixture
def cluster(kubeconfig: Path, fake: FakeKube) -> Iterator[KubeCluster]:
    [c] = load_clusters(str(kubeconfig))
    yield c
    c.close()
    fake.forbidden.clear()
    fake.fail_with = fake.garbage = None


def by_name(pods: list[Pod]) -> dict[str, Pod]:
    return {p.name: p for p in pods}


def wait_until(cluster: KubeCluster, check: Callable[[dict[str, Pod]], bool], timeout: float = 10) -> bool:
    """Follow wait_for_change until the cached pods satisfy `check`, as the UI's worker would."""
    deadline = time.monotonic() + timeout
    while not check(by_name(cluster.list_pods())):
        if time.monotonic() > deadline:
            return False
        cluster.wait_for_change(0.5)
    return True


def test_fixtures_are_valid_for_the_clients_own_models(fake: FakeKube, cluster: KubeCluster) -> None:
    """Every fixture object, fetched over the wire, loads into the client's typed models."""
    from kubernetes import client

    api = cluster._api_client()
    core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
    pods = core.list_pod_for_all_namespaces(_request_timeout=10).items
    assert len(pods) == len(scenario()["pods"])
    crash = next(p for p in pods if p.metadata.name == CRASH)
    assert crash.status.container_statuses[0].last_state.terminated.reason == "OOMKilled"
    assert crash.metadata.owner_references[0].kind == "ReplicaSet"
    assert len(core.list_node().items) == 3
    events = core.list_event_for_all_namespaces().items
    assert any(e.event_time is not None and e.first_timestamp is None for e in events)
    assert len(core.list_namespace().items) == 3
    assert apps.read_namespaced_deployment("checkout-api", "shop").status.ready_replicas == 1
    assert len(apps.list_replica_set_for_all_namespaces().items) == 2
    assert apps.list_stateful_set_for_all_namespaces().items[0].spec.service_name == "prometheus"
    assert apps.list_daemon_set_for_all_namespaces().items[0].status.number_ready == 2
    for obj in seeded_pods(60):  # the bench's generator too
        pod = api.deserialize(json.dumps(obj), "V1Pod", "application/json")
        assert pod.spec.containers and pod.metadata.owner_references


def test_kubectl_agrees_with_our_pod_count(fake: FakeKube, kubeconfig: Path, cluster: KubeCluster,
                                          tmp_path: Path) -> None:
    def kubectl(*args: str) -> dict:
        out = subprocess.run(["kubectl", "--kubeconfig", str(kubeconfig), "--cache-dir", str(tmp_path),
                              "--context", "admin", *args, "-o", "json"],
                             capture_output=True, text=True, timeout=60, check=True)
        return json.loads(out.stdout)

    every = kubectl("get", "pods", "-A", "--chunk-size=4")["items"]
    assert len(every) == len(cluster.list_pods()) == 13
    assert len(kubectl("get", "pods", "-n", "shop", "-l", "app=checkout-api")["items"]) == 3
    pending = kubectl("get", "pods", "-A", "--field-selector", "status.phase=Pending")["items"]
    assert len(pending) == sum(p.phase == "Pending" for p in cluster.list_pods()) == 3


def test_kubectl_watch_sees_the_fakes_events(fake: FakeKube, kubeconfig: Path, tmp_path: Path) -> None:
    """The fake's watch (selector, ADDED/MODIFIED/DELETED) satisfies kubectl too, not just our code."""
    proc = subprocess.Popen(["kubectl", "--kubeconfig", str(kubeconfig), "--cache-dir", str(tmp_path), "--context",
                             "admin", "get", "pods", "-n", "shop", "-l", "app=canary", "-w", "-o", "name",
                             "--output-watch-events"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while not any("canary" in w for w in fake.open_watches) and time.monotonic() < deadline:
            time.sleep(0.05)
        canary = copy.deepcopy(fake.store.objects["pods"][("shop", "cart-7f6d-readyno")])
        canary["metadata"].update(name="canary-1", labels={"app": "canary"})
        fake.apply("pods", canary)
        fake.apply("pods", canary)
        fake.delete("pods", "shop", "canary-1")
        time.sleep(1)
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=10)
    assert out.split() == ["pod/canary-1"] * 3, err
    assert fake.store.objects["pods"].get(("shop", "canary-1")) is None


def test_problem_pods_say_why(cluster: KubeCluster) -> None:
    pods = by_name(cluster.list_pods())
    assert pods[CRASH].reason == "CrashLoopBackOff (OOMKilled, exit 137)"
    assert pods[CRASH].restarts == 14 and pods[CRASH].ready_text == "0/1"
    assert pods[CRASH].containers[0].memory_limit == "256Mi"
    assert pods["payments-worker-5c4d-qq7x1"].reason == "CrashLoopBackOff (Error, exit 1)"
    assert pods["frontend-6b8c-zz2p4"].reason == "ImagePullBackOff"
    assert pods["checkout-api-7d9f8b6c5d-pend1"].reason == (
        "Pending: 0/3 nodes are available: 3 Insufficient memory")
    assert pods["db-migrate-29131-kx8q2"].reason == "Completed"
    assert pods["cart-7f6d-old11"].reason == "Terminating"
    assert pods["cart-7f6d-readyno"].reason == "NotReady"
    assert pods["search-5d5d-evict"].reason == "Evicted"
    assert pods["coredns-5d78c9869d-aaaaa"].reason == "Running"
    assert pods[CRASH].owner_kind == "ReplicaSet" and pods[CRASH].context == "admin"


def test_lists_page_with_limit_and_continue(fake: FakeKube, kubeconfig: Path) -> None:
    [c] = load_clusters(str(kubeconfig))
    c.page_size = 4
    before = len(fake.requests)
    try:
        assert len(c.list_pods()) == 13
    finally:
        c.close()
    pages = [p for _, p in fake.requests[before:] if p.startswith("/api/v1/pods?")]
    assert len(pages) == 4 and sum("continue=" in p for p in pages) == 3
    fake.expire_next_continue = True  # 410 on page 2: the list starts over, no duplicates, none lost
    [c] = load_clusters(str(kubeconfig))
    c.page_size = 4
    try:
        assert sorted(p.name for p in c.list_pods()) == sorted(p["metadata"]["name"] for p in scenario()["pods"])
        assert not fake.expire_next_continue  # the 410 was served
    finally:
        c.close()


def test_namespace_limits_the_scope(kubeconfig: Path) -> None:
    [c] = load_clusters(str(kubeconfig), namespace="kube-system")
    try:
        assert {p.namespace for p in c.list_pods()} == {"kube-system"}
        assert {w.name for w in c.list_workloads()} == {"coredns", "kube-proxy"}
    finally:
        c.close()


def test_watch_delivers_modified_added_deleted(fake: FakeKube, cluster: KubeCluster) -> None:
    assert cluster.wait_for_change(10)  # the initial list
    assert not cluster.wait_for_change(0.3)  # bookmarks alone are not changes
    pod = copy.deepcopy(fake.store.objects["pods"][("shop", "cart-7f6d-readyno")])
    pod["status"]["containerStatuses"][0]["ready"] = True
    threading.Timer(0.2, fake.apply, ("pods", pod)).start()
    assert cluster.wait_for_change(10)
    assert by_name(cluster.list_pods())["cart-7f6d-readyno"].reason == "Running"
    new = copy.deepcopy(pod)
    new["metadata"]["name"] = "cart-7f6d-new01"
    fake.apply("pods", new)
    assert cluster.wait_for_change(10)
    assert "cart-7f6d-new01" in by_name(cluster.list_pods())
    fake.delete("pods", "shop", "cart-7f6d-new01")
    pod["status"]["containerStatuses"][0]["ready"] = False
    fake.apply("pods", pod)
    assert wait_until(cluster, lambda pods: "cart-7f6d-new01" not in pods
                      and pods["cart-7f6d-readyno"].reason == "NotReady")


def test_410_gone_relists_and_keeps_following(fake: FakeKube, cluster: KubeCluster) -> None:
    assert cluster.wait_for_change(10)
    watch = cluster._watch
    assert watch is not None and watch.relists == 1
    pod = copy.deepcopy(fake.store.objects["pods"][("monitoring", "prometheus-0")])
    pod["status"]["containerStatuses"][0]["restartCount"] = 2
    fake.apply("pods", pod)
    # etcd compaction past the cache's resourceVersion: an open watch gets ERROR 410, a new one too
    fake.store.expire_watches()
    assert wait_until(cluster, lambda pods: pods["prometheus-0"].restarts == 2)
    assert watch.relists == 2 and watch.error is None


def test_watch_that_times_out_resumes_without_relisting(fake: FakeKube, cluster: KubeCluster) -> None:
    cluster.watch_timeout_s = (1, 1)
    assert cluster.wait_for_change(10)
    before = len(fake.requests)
    time.sleep(2.5)  # two or three watches end and are re-opened from the bookmarked resourceVersion
    pod = copy.deepcopy(fake.store.objects["pods"][("kube-system", "coredns-5d78c9869d-aaaaa")])
    pod["metadata"]["labels"]["rollout"] = "2"
    fake.apply("pods", pod)
    assert wait_until(cluster, lambda pods: pods["coredns-5d78c9869d-aaaaa"].labels.get("rollout") == "2")
    watches = [p for _, p in fake.requests[before:] if "watch=true" in p]
    assert len(watches) >= 2 and cluster._watch is not None and cluster._watch.relists == 1


def test_dropped_watch_connection_resumes_quietly(fake: FakeKube, cluster: KubeCluster) -> None:
    mark = len(fake.requests)  # this test's cluster only: an earlier test's watch may still be listed open
    assert cluster.wait_for_change(10)
    deadline = time.monotonic() + 10

    def mine_open() -> bool:
        return any("watch=true" in p and p in fake.open_watches for _, p in fake.requests[mark:])

    while not mine_open() and time.monotonic() < deadline:
        time.sleep(0.05)
    before = len(fake.requests)
    fake.store.cut_watches()  # an idle timeout on a load balancer, say
    while not any("watch=true" in p for _, p in fake.requests[before:]) and time.monotonic() < deadline:
        time.sleep(0.05)  # the client re-opens the watch by itself
    pod = copy.deepcopy(fake.store.objects["pods"][("kube-system", "coredns-5d78c9869d-aaaaa")])
    pod["metadata"]["labels"]["rollout"] = "3"
    fake.apply("pods", pod)
    assert wait_until(cluster, lambda pods: pods["coredns-5d78c9869d-aaaaa"].labels.get("rollout") == "3")
    resumed = [p for _, p in fake.requests[before:] if "watch=true" in p]
    assert resumed and "resourceVersion=0" not in resumed[0]  # from where it was, not from scratch
    assert cluster._watch is not None and cluster._watch.relists == 1 and cluster._watch.error is None


def test_watch_failure_marks_stale_and_recovers(fake: FakeKube, cluster: KubeCluster) -> None:
    hub = Hub(clusters=[cluster])
    assert cluster.wait_for_change(10)
    assert hub.refresh_pods().health["admin"].ok
    fake.fail_with = (503, "ServiceUnavailable")
    fake.store.expire_watches()
    assert cluster.wait_for_change(10)  # the failure is a change the UI must see
    with pytest.raises(SourceError, match="HTTP 503"):
        cluster.list_pods()
    result = hub.refresh_pods()
    assert not result.health["admin"].ok and "503" in result.health["admin"].error
    assert len(result.pods) == 13  # last good data kept
    fake.fail_with = None
    deadline = time.monotonic() + 15
    while not hub.refresh_pods().health["admin"].ok and time.monotonic() < deadline:
        cluster.wait_for_change(1)
    assert hub.refresh_pods().health["admin"].ok


def test_forbidden_namespace_names_what_and_who(fake: FakeKube, kubeconfig: Path) -> None:
    fake.forbid("pods", "kube-system", user="alice")
    clusters = {n: load_clusters(str(kubeconfig), ["alice"], namespace=n)[0] for n in ("kube-system", "shop", "")}
    try:
        with pytest.raises(SourceError) as err:
            clusters["kube-system"].list_pods()
        assert "forbidden: list pods in namespace kube-system (user alice)" in str(err.value)
        with pytest.raises(SourceError, match=r"forbidden: list pods in all namespaces \(user alice\); pass --namespace"):
            clusters[""].list_pods()
        assert len(clusters["shop"].list_pods()) == 10
        admin = load_clusters(str(kubeconfig), ["admin"], namespace="kube-system")[0]
        assert len(admin.list_pods()) == 2  # the rule is alice's only
        admin.close()
    finally:
        for c in clusters.values():
            c.close()
        fake.forbidden.clear()


def test_watch_forbidden_falls_back_to_polling(fake: FakeKube, kubeconfig: Path) -> None:
    fake.forbid("pods", user="alice", verb="watch")
    [c] = load_clusters(str(kubeconfig), ["alice"])
    c.poll_interval_s = 0.3
    try:
        assert c.wait_for_change(10)
        pod = copy.deepcopy(fake.store.objects["pods"][("kube-system", "kube-proxy-n1x2y")])
        pod["status"]["containerStatuses"][0]["restartCount"] = 5
        fake.apply("pods", pod)
        assert wait_until(c, lambda pods: pods["kube-proxy-n1x2y"].restarts == 5)
        assert c._watch is not None and c._watch.polling and c._watch.error is None
    finally:
        c.close()
        fake.forbidden.clear()


def test_401_says_credentials_and_exec_plugin(fake: FakeKube, tmp_path: Path) -> None:
    bad = fake.kubeconfig(tmp_path / "bad", {"bad": ("wrong-token", "")})
    [c] = load_clusters(str(bad))
    with pytest.raises(SourceError, match="credentials rejected .*HTTP 401.*token or client certificate"):
        c.list_pods()
    fake.kubeconfig(bad, {"bad": ("token-admin", "")})  # the user fixes the kubeconfig: no restart needed
    assert len(c.list_pods()) == 13
    c.close()
    # An exec credential plugin (as EKS/GKE use): the good one works, the stale one gets the hint.
    for token, ok in (("token-alice", True), ("expired", False)):
        plugin = tmp_path / f"get-token-{ok}"
        cred = {"apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential",
                "status": {"token": token}}
        plugin.write_text(f"#!/bin/sh\necho '{json.dumps(cred)}'\n")
        plugin.chmod(0o755)
        cfg = yaml.safe_load(bad.read_text())
        cfg["users"][0]["user"] = {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1",
                                            "command": str(plugin), "interactiveMode": "Never"}}
        path = tmp_path / f"exec-{ok}"
        path.write_text(yaml.safe_dump(cfg))
        [c] = load_clusters(str(path))
        try:
            if ok:
                assert len(c.list_pods()) == 13
            else:
                with pytest.raises(SourceError, match=f"credentials rejected.*exec plugin '{plugin}'"):
                    c.list_pods()
        finally:
            c.close()


def test_logs_come_back_raw_for_the_ui_to_sanitize(cluster: KubeCluster, kubeconfig: Path) -> None:
    prev = cluster.pod_logs("shop", CRASH, previous=True)
    kubectl = subprocess.run(["kubectl", "--kubeconfig", str(kubeconfig), "--context", "admin", "logs", "-n", "shop",
                              CRASH, "--previous"], capture_output=True, timeout=60, check=True).stdout
    assert kubectl == PREVIOUS_LOG and prev == PREVIOUS_LOG.decode(errors="replace")
    assert "\x1b]0;pwned\x07" in prev and "[bold]not markup[/bold]" in prev
    assert "\ufffd" in prev  # invalid UTF-8 bytes do not break decoding
    assert cluster.pod_logs("shop", CRASH, container="app", tail=1) == "loading catalog cache (2.1 GiB)\n"
    with pytest.raises(SourceError, match="HTTP 400.*previous terminated container"):
        cluster.pod_logs("kube-system", "coredns-5d78c9869d-aaaaa", previous=True)
    with pytest.raises(SourceError, match="pods nope not found"):
        cluster.pod_logs("shop", "nope")


def test_logs_pick_the_default_container_like_kubectl(fake: FakeKube, cluster: KubeCluster) -> None:
    two = fx.pod("sandbox", "meshed-1", "Running", [fx.running("app", "a:1"), fx.running("istio-proxy", "p:1")])
    fake.apply("pods", two)
    fake.set_log("sandbox", "meshed-1", "app", "app says hi\n")
    fake.set_log("sandbox", "meshed-1", "istio-proxy", "envoy ready\n")
    try:
        assert cluster.pod_logs("sandbox", "meshed-1") == "app says hi\n"  # the first container
        two["metadata"]["annotations"] = {"kubectl.kubernetes.io/default-container": "istio-proxy"}
        fake.apply("pods", two)
        assert cluster.pod_logs("sandbox", "meshed-1") == "envoy ready\n"
        assert cluster.pod_logs("sandbox", "meshed-1", container="app") == "app says hi\n"
    finally:
        fake.delete("pods", "sandbox", "meshed-1")


def test_describe_follows_owners_node_and_events(cluster: KubeCluster) -> None:
    d = cluster.describe_pod("shop", "checkout-api-7d9f8b6c5d-abcde")
    assert d.owner_chain == ("ReplicaSet/checkout-api-7d9f8b6c5d", "Deployment/checkout-api")
    assert d.workload is not None and d.workload.gap == 2
    assert d.node is not None and d.node.pressure == ("MemoryPressure",)
    assert d.probes["app/liveness"].startswith("http-get http://:8080/healthz delay=10s")
    crash = cluster.describe_pod("shop", CRASH)
    assert [e.reason for e in crash.events] == ["Pulled", "BackOff"] or {e.reason for e in crash.events} == {
        "Pulled", "BackOff"}
    assert crash.pod.containers[0].last_reason == "OOMKilled"
    pend = cluster.describe_pod("shop", "checkout-api-7d9f8b6c5d-pend1")
    [ev] = pend.events  # written via events.k8s.io: null eventTime-era fields, a series
    assert ev.reason == "FailedScheduling" and ev.count == 42 and ev.last_seen is not None
    assert pend.node is None
    sts = cluster.describe_pod("monitoring", "prometheus-0")
    assert sts.owner_chain == ("StatefulSet/prometheus",) and sts.workload is not None


def test_nodes_workloads_events(cluster: KubeCluster) -> None:
    nodes = {n.name: n for n in cluster.list_nodes()}
    assert not nodes["node-c"].ready and nodes["node-b"].pressure == ("MemoryPressure",)
    gaps = {w.name: w.gap for w in cluster.list_workloads()}
    assert gaps == {"checkout-api": 2, "frontend": 1, "coredns": 0, "prometheus": 0, "kube-proxy": 1}
    events = cluster.list_events()
    assert len(events) == 5 and all(e.last_seen is not None for e in events)
    assert [e.reason for e in cluster.list_events("shop", "frontend-6b8c-zz2p4")] == ["Failed"]


def test_two_contexts_from_a_kubeconfig_path_list(fake: FakeKube, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeKube(tokens={"t2": "bob"}) as other:
        other.load({"pods": seeded_pods(7)})
        first = fake.kubeconfig(tmp_path / "one", {"prod": ("token-admin", "")})
        second = other.kubeconfig(tmp_path / "two", {"staging": ("t2", "")})
        monkeypatch.setenv("KUBECONFIG", f"{first}:{second}")
        assert [c.name for c in load_clusters()] == ["prod"]  # the current context by default
        clusters = load_clusters(contexts=["prod", "staging"])
        try:
            assert all(isinstance(c, ClusterSource) for c in clusters)
            result = Hub(clusters=list(clusters)).refresh_pods()
            assert {ctx: sum(p.context == ctx for p in result.pods) for ctx in ("prod", "staging")} == {
                "prod": 13, "staging": 7}
            assert "staging: " in clusters[1].check() or "server v1.31" in clusters[1].check()
        finally:
            for c in clusters:
                c.close()
        with pytest.raises(SourceError, match=r"no context 'qa' .*known: prod, staging"):
            load_clusters(contexts=["qa"])


def test_in_cluster_service_account(fake: FakeKube, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Running as a pod: no kubeconfig, the service account's token and CA, KUBERNETES_SERVICE_*."""
    import cockpit.sources.kubernetes as kube

    (tmp_path / "token").write_text("token-alice")
    (tmp_path / "ca.crt").write_bytes(fake.ca_file.read_bytes())
    monkeypatch.setattr(kube, "SERVICE_ACCOUNT_DIR", tmp_path)
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "absent"))
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", str(fake.port))
    [c] = load_clusters(namespace="shop")
    try:
        assert c.name == "in-cluster" and len(c.list_pods()) == 10
    finally:
        c.close()


def test_unreachable_and_check(kubeconfig: Path, tmp_path: Path) -> None:
    [c] = load_clusters(str(kubeconfig))
    assert "server v1.31.4-fakekube, pods readable in all namespaces" in c.check()
    c.close()
    cfg = yaml.safe_load(kubeconfig.read_text())
    cfg["clusters"][0]["cluster"]["server"] = "https://127.0.0.1:9"  # nothing listens there
    down = tmp_path / "down"
    down.write_text(yaml.safe_dump(cfg))
    [c] = load_clusters(str(down))
    with pytest.raises(SourceError, match=r"kubernetes admin \(https://127.0.0.1:9\): connection refused"):
        c.list_pods()
    c.close()
    with pytest.raises(SourceError, match="no kubeconfig at"):
        load_clusters(str(tmp_path / "missing"))
    (tmp_path / "broken").write_text("contexts: [\n")
    with pytest.raises(SourceError, match="cannot read kubeconfig .*broken"):
        load_clusters(str(tmp_path / "broken"))


def test_loading_clusters_keeps_the_client_library_off_start_up(kubeconfig: Path) -> None:
    code = ("import sys; from cockpit.sources.kubernetes import load_clusters; "
            f"cs = load_clusters({str(kubeconfig)!r}, ['admin', 'alice']); "
            "print(len(cs), any(m.startswith('kubernetes') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.split() == ["2", "False"]


def test_wrong_ca_and_garbage_answers(fake: FakeKube, kubeconfig: Path, tmp_path: Path) -> None:
    cfg = yaml.safe_load(kubeconfig.read_text())
    cfg["clusters"][0]["cluster"]["certificate-authority"] = str(make_cert(tmp_path)[0])  # someone else's CA
    mitm = tmp_path / "mitm"
    mitm.write_text(yaml.safe_dump(cfg))
    [c] = load_clusters(str(mitm))
    with pytest.raises(SourceError, match="CERTIFICATE_VERIFY_FAILED"):
        c.list_pods()
    c.close()
    fake.garbage = b"<html>Please log in to the hotel wifi</html>"
    [c] = load_clusters(str(kubeconfig))
    try:
        with pytest.raises(SourceError, match=r"unreadable answer to list pods"):
            c.list_pods()
    finally:
        fake.garbage = None
        c.close()


def test_only_reads(fake: FakeKube) -> None:
    """Nothing cockpit did in this module changed the cluster."""
    assert fake.requests and {m for m, _ in fake.requests} == {"GET"}
