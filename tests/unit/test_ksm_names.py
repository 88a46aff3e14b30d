"""The fleet source reads only series kube-state-metrics really exports (its own docs, tests/data/ksm/),
and the test fleet writes only those: a renamed or invented metric fails here, not in production."""

from __future__ import annotations

import re
from pathlib import Path

from cockpit.sources import fleet, ksm_parse
from tests.support import ksm

DOCS = Path(__file__).parent.parent / "data" / "ksm"


def documented() -> set[str]:
    names: set[str] = set()
    for doc in DOCS.glob("*.md"):
        names |= set(re.findall(r"^\|\s*(kube_[a-z_]+)\s*\|", doc.read_text(), re.MULTILINE))
    return names


def test_the_docs_copy_holds_the_metric_tables():
    names = documented()
    assert {"kube_pod_info", "kube_node_status_condition", "kube_deployment_spec_replicas"} <= names
    assert len(names) > 100


def test_every_series_the_fleet_source_reads_is_documented():
    wanted = set(ksm_parse.POD_DETAIL_METRICS)
    wanted |= {s for _label, *series in ksm_parse.WORKLOAD_SERIES.values() for s in series}
    queries = fleet.problem_query("cluster") + fleet.workload_gap_query("cluster")
    wanted |= set(re.findall(r"\bkube_[a-z_]+", queries))
    wanted |= {"kube_node_info", "kube_node_spec_unschedulable"}
    missing = wanted - documented()
    assert not missing, f"not exported by kube-state-metrics: {sorted(missing)}"


def test_the_generated_fleet_writes_only_documented_series():
    f = ksm.generate(6, 40)
    ksm.plant(f)
    written = {line.split("{", 1)[0] for line in ksm.exposition(f)}
    assert written - documented() == set()
