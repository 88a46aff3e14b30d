"""SLOs in incidents, from a real Prometheus: a burning SLO joins the incident of the workload serving
it (with its burn as the impact, ranked first), and an SLO burning while its pods are healthy stands
alone as a hypothesis (a dependency). Pods come from the fake apiserver through the real client."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from cockpit.config import HttpAuth
from cockpit.model import Snapshot
from cockpit.slo.spec import load_specs
from cockpit.sources.hub import Hub
from cockpit.sources.kubernetes import load_clusters
from cockpit.sources.prometheus import PrometheusSource
from cockpit.sources.slo_engine import SLOEngine
from tests.fakekube import FakeKube
from tests.fakekube import fixtures as fx
from tests.fakekube import scenarios as sc
from tests.support.promstack import start_exporter, start_prometheus

pytestmark = pytest.mark.integration
if not shutil.which("prometheus"):
    pytest.skip("needs the prometheus binary", allow_module_level=True)

RATIOS = {"catalog-api": 0.03, "checkout": 0.025, "search": 0.0002}  # burn 30, 25 and 0.2 at 99.9 %
OFFSET = 1_000_000.0


def metrics(t0: float) -> str:
    dt = time.time() - t0
    lines = ["# TYPE http_requests_total counter"]
    for svc, ratio in RATIOS.items():
        lines.append(f'http_requests_total{{service="{svc}",code="500"}} {OFFSET + 100 * ratio * dt!r}')
        lines.append(f'http_requests_total{{service="{svc}",code="200"}} {OFFSET + 100 * (1 - ratio) * dt!r}')
    return "\n".join(lines) + "\n"


def spec(path: Path, service: str) -> Path:
    path.write_text(yaml.safe_dump({"version": "prometheus/v1", "service": service, "slos": [{
        "name": "availability", "objective": 99.9,
        "sli": {"events": {
            "error_query": f'sum(rate(http_requests_total{{service="{service}",code="500"}}[{{{{.window}}}}]))',
            "total_query": f'sum(rate(http_requests_total{{service="{service}"}}[{{{{.window}}}}]))'}},
        "alerting": {"name": f"{service}-burn"}}]}))
    return path


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SLOEngine]:
    tmp = tmp_path_factory.mktemp("incidents-slo")
    t0 = time.time()
    url, stop = start_exporter(lambda: metrics(t0))
    prom = start_prometheus(tmp, scrape_targets=[url])
    specs = load_specs([str(spec(tmp / f"{s}.yml", s)) for s in RATIOS])
    eng = SLOEngine(specs, PrometheusSource(prom.url, HttpAuth(timeout_s=10)))
    deadline = time.monotonic() + 40
    while {s.service: s.status for s in eng.fetch_slos()} != {"catalog-api": "page", "checkout": "page",
                                                               "search": "ok"}:
        assert time.monotonic() < deadline, [(s.service, s.burn_rates, s.error) for s in eng.fetch_slos()]
        time.sleep(0.5)
    yield eng
    prom.stop()
    stop()


def _snapshot(tmp_path: Path, engine: SLOEngine, objects: dict) -> Snapshot:
    with FakeKube() as fk:
        fk.load(objects)
        [cluster] = load_clusters(str(fk.kubeconfig(tmp_path / "config")))
        try:
            return Hub(clusters=[cluster], slo_sources=[engine]).snapshot()
        finally:
            cluster.close()


def test_burning_slos_join_their_workload_or_stand_alone(tmp_path: Path, engine: SLOEngine) -> None:
    img = "registry.example.com/catalog-api:4.1"
    crashing = [sc.deploy_pod("shop", "catalog-api", "6f5e4d3c2", f"c{i}", sc.crashing(img, 5), created_ago=86400,
                              finished_ago=25) for i in range(3)]
    healthy = [sc.deploy_pod("shop", "checkout", "5a4b3c2d1", f"h{i}", fx.running("app", "checkout:2"),
                             created_ago=86400) for i in range(2)]
    batch = [sc.deploy_pod("batch", "reindex", "4e3d2c1b0", f"b{i}", sc.crashing("reindex:1", 9, "OOMKilled", 137),
                           created_ago=86400, finished_ago=40) for i in range(4)]
    snap = _snapshot(tmp_path, engine, {
        "nodes": [sc.node("node-a")], "pods": [*crashing, *healthy, *batch, *sc.healthy("shop", "search", 2)],
        "deployments": [sc.deployment("shop", "catalog-api", 3, 0, img), sc.deployment("shop", "checkout", 2, 2, img),
                        sc.deployment("batch", "reindex", 4, 0, "reindex:1")]})
    by_kind = {i.kind: i for i in snap.incidents}
    catalog = next(i for i in snap.incidents if "deployment/shop/catalog-api" in i.members.workloads)
    assert catalog.members.slos == ("catalog-api/availability",)
    burn = catalog.impact.slos[0]
    assert burn.status == "page" and 25 < (burn.burn_rate or 0) < 35
    assert burn.budget_minutes_per_hour == pytest.approx(burn.burn_rate * 0.001 * 60)
    alone = by_kind["slo"]
    assert alone.members.slos == ("checkout/availability",) and alone.members.pods == ()
    assert alone.cause_kind == "hypothesis" and "healthy" in alone.cause
    assert "search/availability" not in {s for i in snap.incidents for s in i.members.slos}  # ok: no impact
    # users first: both burning incidents outrank the batch job's critical OOM loop
    batch_inc = next(i for i in snap.incidents if "deployment/batch/reindex" in i.members.workloads)
    assert batch_inc.severity == "critical" and batch_inc.rank == len(snap.incidents) == 3
