"""SLOs kept in the cluster: Sloth PrometheusServiceLevel and Pyrra ServiceLevelObjective objects listed
by the real `kubernetes` client from the fake apiserver (CRD installed, absent, RBAC-forbidden), merged
with files, and every one still listed, status unknown, while Prometheus is down."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from cockpit.config import Config
from cockpit.slo.spec import load_specs
from cockpit.sources.factory import build_hub
from cockpit.sources.kube_slos import cluster_slos, lister
from cockpit.sources.kubernetes import KubeCluster, load_clusters
from cockpit.sources.slo_catalog import SLOCatalog
from tests.fakekube import FakeKube
from tests.fakekube.fixtures import scenario
from tests.support.promstack import free_port

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
UPSTREAM = ROOT / "tests" / "data" / "slo" / "upstream"
SLOTH_FILES = ("sloth/examples/k8s-getting-started.yml", "sloth/examples/k8s-multifile.yml",
               "sloth/examples/k8s-home-wifi.yml")
PYRRA_FILES = ("pyrra/examples/thanos-grpc.yaml", "pyrra/examples/prometheus-probe-success.yaml",
               "pyrra/examples/kubernetes/manifests/slos/slo-apiserver-read-cluster-latency.yaml")
RESOURCE = {"PrometheusServiceLevel": "prometheusservicelevels", "ServiceLevelObjective": "servicelevelobjectives"}
TOKENS = {"token-admin": "admin", "token-alice": "alice"}


def objects(files: tuple[str, ...]) -> list[dict]:
    """The upstream files' documents as the cluster would hold them (kubectl apply puts a namespace-less
    object into "default")."""
    out = []
    for f in files:
        for doc in yaml.safe_load_all((UPSTREAM / f).read_text()):
            doc["metadata"].setdefault("namespace", "default")
            out.append(doc)
    return out


@pytest.fixture
def fake() -> Iterator[FakeKube]:
    with FakeKube(tokens=TOKENS) as fk:
        fk.load(scenario())
        yield fk


@pytest.fixture
def kubeconfig(fake: FakeKube, tmp_path: Path) -> Path:
    return fake.kubeconfig(tmp_path / "config", {"admin": ("token-admin", ""), "alice": ("token-alice", "")})


def context(kubeconfig: Path, name: str = "admin", namespace: str = "") -> KubeCluster:
    [c] = load_clusters(str(kubeconfig), [name], namespace)
    return c


def install(fake: FakeKube, files: tuple[str, ...]) -> list[dict]:
    docs = objects(files)
    for resource in {RESOURCE[d["kind"]] for d in docs}:
        fake.install_crd(resource)
    for d in docs:
        fake.apply(RESOURCE[d["kind"]], d)
    return docs


def test_absent_crds_are_silently_absent(fake: FakeKube, kubeconfig: Path) -> None:
    cluster = context(kubeconfig)
    assert cluster_slos(cluster) == ([], [])
    asked = [p for _, p in fake.requests if p.startswith("/apis/")]
    assert any(p.startswith("/apis/sloth.slok.dev/v1/prometheusservicelevels") for p in asked)
    assert any(p.startswith("/apis/pyrra.dev/v1alpha1/servicelevelobjectives") for p in asked)
    assert cluster.list_pods()  # the context itself is fine


def test_cluster_objects_read_like_the_same_files(fake: FakeKube, kubeconfig: Path) -> None:
    install(fake, SLOTH_FILES + PYRRA_FILES)
    specs, notes = cluster_slos(context(kubeconfig))
    assert notes == []
    from_files = load_specs([str(UPSTREAM / f) for f in SLOTH_FILES[:1] + SLOTH_FILES[2:] + PYRRA_FILES])
    from_files += [s for s in load_specs([str(UPSTREAM / SLOTH_FILES[1])])]  # same keys as getting-started
    want = {(s.service, s.name, s.objective, s.error_ratio_query("1h")) for s in from_files}
    got = {(s.service, s.name, s.objective, s.error_ratio_query("1h")) for s in specs}
    assert got == want
    sources = {s.key: s.source_file for s in specs}
    assert sources[("monitoring", "thanos-store")] == "cluster admin: ServiceLevelObjective monitoring/thanos-store"
    assert sources[("home-wifi", "good-wifi-client-satisfaction")] == (
        "cluster admin: PrometheusServiceLevel monitoring/sloth-slo-home-wifi")
    pyrra = {s.name: s for s in specs if s.tool == "pyrra"}
    assert pyrra["prometheus-blackbox-probe-success"].service == "default"  # no namespace: kubectl's default
    assert pyrra["thanos-store"].pyrra_metric == "grpc_server_handled"


def test_forbidden_list_is_a_note_and_never_fails_the_pods(fake: FakeKube, kubeconfig: Path) -> None:
    install(fake, SLOTH_FILES + PYRRA_FILES)
    fake.forbid("servicelevelobjectives", user="alice")
    alice = context(kubeconfig, "alice")
    specs, notes = cluster_slos(alice)
    assert {s.tool for s in specs} == {"sloth"}  # the Sloth objects still count
    [note] = notes
    assert note.startswith("ServiceLevelObjective: ") and "forbidden" in note and "alice" in note
    assert "servicelevelobjectives.pyrra.dev" in note
    config = Config(prometheus=f"http://127.0.0.1:{free_port()}", kubeconfig=str(kubeconfig), contexts=("alice",))
    hub, _ = build_hub(config)
    pods = hub.refresh_pods()
    assert pods.pods and pods.health["alice"].ok and not pods.health["alice"].error
    slos = hub.refresh_slos()
    # Prometheus is down: every known SLO is listed, status unknown, with the reason
    assert {s.key for s in slos.slos} == {s.key for s in specs}
    assert {s.status for s in slos.slos} == {"unknown"}
    assert all(s.error == slos.health["slo"].error for s in slos.slos)


def test_forbidden_at_cluster_scope_reads_the_namespace_it_may(fake: FakeKube, kubeconfig: Path) -> None:
    install(fake, PYRRA_FILES)
    fake.forbid("servicelevelobjectives", "default", user="alice")  # denied in default, so cluster-wide too
    specs, notes = cluster_slos(context(kubeconfig, "alice", namespace="monitoring"))
    assert notes == []
    assert {s.name for s in specs} == {"thanos-store", "apiserver-read-cluster-latency"}


def test_files_and_cluster_merge_and_a_duplicate_is_reported_once(fake: FakeKube, kubeconfig: Path) -> None:
    install(fake, SLOTH_FILES[:1] + PYRRA_FILES[:1])
    files = load_specs([str(UPSTREAM / SLOTH_FILES[0]), str(UPSTREAM / "pyrra/examples/nginx.yaml")])
    catalog = SLOCatalog(files, prom=None, listers=[lister(context(kubeconfig))])
    merged = catalog.refresh_specs()
    assert sorted(s.key for s in merged) == [("monitoring", "nginx-api-errors"), ("monitoring", "nginx-api-latency"),
                                            ("monitoring", "thanos-store"), ("myservice", "requests-availability")]
    [dupe] = catalog.notes
    assert dupe.startswith("slo myservice/requests-availability: defined in ")
    assert "k8s-getting-started.yml and cluster admin: PrometheusServiceLevel" in dupe
    assert catalog.note() == dupe
    fake.delete("servicelevelobjectives", "monitoring", "thanos-store")
    catalog.cluster_ttl_s = 0  # the cluster is listed again (in the background): a deleted object is gone
    catalog.refresh_specs()
    assert catalog.wait_listed(10)
    assert ("monitoring", "thanos-store") not in {s.key for s in catalog.refresh_specs()}


def test_an_unreadable_object_is_a_note_naming_it_and_the_rest_stay(fake: FakeKube, kubeconfig: Path) -> None:
    docs = install(fake, PYRRA_FILES[:1])
    bad = json.loads(json.dumps(docs[0]))
    bad["metadata"]["name"] = "broken\x1b[31m"
    bad["spec"]["target"] = "lots"
    fake.apply("servicelevelobjectives", bad)
    specs, [note] = cluster_slos(context(kubeconfig))
    assert [s.name for s in specs] == ["thanos-store"]
    assert "field 'spec.target'" in note and "cluster admin: ServiceLevelObjective monitoring/broken" in note
    assert "\x1b" not in note  # cluster text is hostile


def test_slos_from_cluster_off_lists_none(fake: FakeKube, kubeconfig: Path) -> None:
    install(fake, PYRRA_FILES)
    on, _ = build_hub(Config(prometheus="http://127.0.0.1:9", kubeconfig=str(kubeconfig), contexts=("admin",)))
    off, _ = build_hub(Config(prometheus="http://127.0.0.1:9", kubeconfig=str(kubeconfig), contexts=("admin",),
                              slos_from_cluster=False))
    assert len(on.slo_sources) == 1 and off.slo_sources == []


def test_snapshot_json_lists_cluster_slos_as_unknown_when_prometheus_is_down(
        fake: FakeKube, kubeconfig: Path, tmp_path: Path) -> None:
    install(fake, PYRRA_FILES[:1] + SLOTH_FILES[:1])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COCKPIT_", "ANTHROPIC_", "KUBECONFIG"))}
    env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / ".config"), XDG_STATE_HOME=str(tmp_path / ".state"))
    proc = subprocess.run([sys.executable, "-m", "cockpit", "snapshot", "--format", "json", "--kubeconfig",
                           str(kubeconfig), "--context", "admin", "--prometheus", f"http://127.0.0.1:{free_port()}"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    data = json.loads(proc.stdout)
    rows = {(s["service"], s["name"]): s for s in data["slos"]}
    assert set(rows) == {("monitoring", "thanos-store"), ("myservice", "requests-availability")}, proc.stderr
    assert {s["status"] for s in rows.values()} == {"unknown"}
    assert all("refused" in s["error"] or "connect" in s["error"] for s in rows.values()), rows


def test_check_says_where_the_slos_come_from_and_the_notes(fake: FakeKube, kubeconfig: Path, prometheus) -> None:
    install(fake, PYRRA_FILES)
    fake.forbid("prometheusservicelevels", user="alice")
    fake.install_crd("prometheusservicelevels")
    files = load_specs([str(UPSTREAM / "sloth/examples/getting-started.yml")])
    from cockpit.config import HttpAuth
    from cockpit.sources.prometheus import PrometheusSource

    catalog = SLOCatalog(files, PrometheusSource(prometheus.url, HttpAuth(timeout_s=10)),
                         [lister(context(kubeconfig, "alice"))])
    text = catalog.check()
    assert text.startswith("4 SLOs (1 from files, 3 from clusters); note: PrometheusServiceLevel: ")
    assert "forbidden" in text


def test_forbidden_note_rides_on_a_healthy_slo_line(fake: FakeKube, kubeconfig: Path, prometheus) -> None:
    install(fake, SLOTH_FILES[:1] + PYRRA_FILES[:1])
    fake.forbid("servicelevelobjectives", user="alice")
    hub, _ = build_hub(Config(prometheus=prometheus.url, kubeconfig=str(kubeconfig), contexts=("alice",)))
    result = hub.refresh_slos()
    health = result.health["slo"]
    assert health.ok and health.text == "ok"  # not a failure ...
    assert health.error.startswith("ServiceLevelObjective: ") and "forbidden" in health.error  # ... but said
    assert [s.name for s in result.slos] == ["requests-availability"]  # what may be read is computed
    assert hub.refresh_pods().health["alice"].ok
