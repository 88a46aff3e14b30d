"""Sloth CRDs, OpenSLO v1alpha and Pyrra specs as written by hand: what they read as, and the one-line
error each mistake gets (file, line, SLO, field). The upstream example corpus is the integration table
(tests/integration/test_slo_upstream.py); these are the shapes it does not cover."""

from __future__ import annotations

from pathlib import Path

import pytest

from cockpit.config import ConfigError
from cockpit.model import SLOStatus
from cockpit.slo.spec import load_specs, merge_specs
from cockpit.sources.base import SourceError
from cockpit.sources.hub import Hub
from cockpit.sources.slo_catalog import SLOCatalog

CRD = """\
apiVersion: sloth.slok.dev/v1
kind: PrometheusServiceLevel
metadata: {name: a, namespace: shop}
spec:
  service: checkout
  slos:
    - name: availability
      objective: 99.5
      sli:
        events:
          errorQuery: sum(rate(req_total{code=~"5.."}[{{.window}}]))
          totalQuery: sum(rate(req_total[{{.window}}]))
---
apiVersion: sloth.slok.dev/v1
kind: PrometheusServiceLevel
metadata: {name: b}
spec:
  service: search
  slos:
    - name: ratio
      objective: 99
      sli:
        raw:
          errorRatioQuery: avg_over_time(search_errors:ratio[{{.window}}])
---
apiVersion: v1
kind: ConfigMap
metadata: {name: unrelated}
"""

ALPHA = """\
apiVersion: openslo/v1alpha
kind: SLO
metadata: {name: api}
spec:
  service: api
  timeWindows: [{count: 4, unit: Week}]
  objectives:
    - ratioMetrics:
        bad: {source: prometheus, queryType: promql, query: 'sum(rate(e_total[{{.window}}]))'}
        total: {source: prometheus, queryType: promql, query: 'sum(rate(r_total[{{.window}}]))'}
      target: 0.99
"""

PYRRA = """\
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata: {name: api-errors, namespace: web}
spec:
  target: "99.9"
  window: 2w
  indicator:
    ratio:
      errors: {metric: 'http_requests_total{job="api",code=~"5.."}'}
      total: {metric: 'http_requests_total{job="api"}'}
      grouping: [route]
"""


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_sloth_crd_multi_document_camel_case_and_other_kinds_skipped(tmp_path):
    a, b = load_specs([write(tmp_path, CRD)])
    assert (a.service, a.name, a.objective, a.tool) == ("checkout", "availability", 0.995, "sloth")
    assert a.error_ratio_query("5m") == '(sum(rate(req_total{code=~"5.."}[5m])))\n/\n(sum(rate(req_total[5m])))'
    assert b.error_ratio_query("1h") == "avg_over_time(search_errors:ratio[1h])"


def test_sloth_crd_errors_name_the_camel_case_field(tmp_path):
    text = CRD.replace("          totalQuery: sum(rate(req_total[{{.window}}]))\n", "")
    with pytest.raises(ConfigError, match=r"s\.yaml: slo 'availability': field 'sli\.events\.totalQuery': missing"):
        load_specs([write(tmp_path, text)])
    text = CRD.replace("        raw:\n          errorRatioQuery: avg_over_time(search_errors:ratio[{{.window}}])\n",
                       "        plugin: {id: sloth-common/availability}\n")
    with pytest.raises(ConfigError, match=r"s\.yaml:\d+: slo 'ratio': field 'sli\.plugin': SLI plugin "
                                          r"'sloth-common/availability' is not supported"):
        load_specs([write(tmp_path, text)])


def test_a_file_of_non_slo_kinds_is_named_and_a_directory_skips_it(tmp_path):
    windows = "apiVersion: sloth.slok.dev/v1\nkind: AlertWindows\nspec: {sloPeriod: 7d}\n"
    service = "apiVersion: openslo/v1\nkind: Service\nmetadata: {name: web}\n"
    with pytest.raises(ConfigError, match=r"w\.yaml: not an SLO spec: AlertWindows$"):
        load_specs([write(tmp_path, windows, "w.yaml")])
    with pytest.raises(ConfigError, match=r"svc\.yaml: not an SLO spec: Service$"):
        load_specs([write(tmp_path, service, "svc.yaml")])
    write(tmp_path, PYRRA, "p.yaml")
    assert [s.name for s in load_specs([str(tmp_path)])] == ["api-errors"]


def test_openslo_v1alpha_bad_over_total_and_time_windows(tmp_path):
    [s] = load_specs([write(tmp_path, ALPHA)])
    assert (s.name, s.objective, s.period) == ("api-0", 0.99, "28d")  # Sloth's `<name>-<index>`
    assert s.error_ratio_query("5m") == "(sum(rate(e_total[5m])))\n/\n(sum(rate(r_total[5m])))"
    with pytest.raises(ConfigError, match=r"s\.yaml:\d+: slo 'api': field 'spec\.objectives\[0\]\.ratioMetrics"
                                          r"\.total\.queryType': query type 'graphite' is not promql"):
        load_specs([write(tmp_path, ALPHA.replace("queryType: promql, query: 'sum(rate(r_",
                                                  "queryType: graphite, query: 'sum(rate(r_"))])
    with pytest.raises(ConfigError, match=r"slo 'api': field 'spec\.timeWindows\[0\]': expected a positive count"):
        load_specs([write(tmp_path, ALPHA.replace("unit: Week", "unit: Fortnight"))])


def test_pyrra_ratio_with_grouping(tmp_path):
    [s] = load_specs([write(tmp_path, PYRRA)])
    assert (s.service, s.name, s.objective, s.period, s.tool) == ("web", "api-errors", 0.999, "14d", "pyrra")
    assert s.pyrra_metric == "http_requests" and s.labels["namespace"] == "web"
    assert s.error_ratio_query("1h") == (
        '(sum by (route) (rate(http_requests_total{job="api",code=~"5.."}[1h])))\n/\n'
        '(sum by (route) (rate(http_requests_total{job="api"}[1h])))')


@pytest.mark.parametrize(("old", "new", "message"), [
    ('target: "99.9"', 'target: "high"', r"field 'spec\.target': must be a percentage between 0 and 100"),
    ("window: 2w", "window: two weeks", r"field 'spec\.window': expected a duration like 28d or 4w"),
    ("metric: 'http_requests_total{job=\"api\"}'", "metric: 'sum(rate(x[5m]))'",
     r"field 'spec\.indicator\.ratio\.total\.metric': expected a vector selector"),
    ("grouping: [route]", "grouping: [1]", r"field 'spec\.indicator\.ratio\.grouping': expected a list of label names"),
    ("    ratio:\n", "    ratios:\n", r"field 'spec\.indicator': needs exactly one of ratio, latency, bool_gauge"),
])
def test_pyrra_mistakes_name_file_line_slo_and_field(tmp_path, old, new, message):
    assert old in PYRRA
    with pytest.raises(ConfigError, match=r"s\.yaml:\d+: slo 'api-errors': " + message):
        load_specs([write(tmp_path, PYRRA.replace(old, new))])


def test_merge_keeps_the_first_and_reports_the_duplicate_once(tmp_path):
    [a] = load_specs([write(tmp_path, PYRRA, "a.yaml")])
    [b] = load_specs([write(tmp_path, PYRRA, "b.yaml")])
    merged, notes = merge_specs([a], [b], [b])
    assert merged == [a]
    assert len(notes) == 2 and notes[0].startswith("slo web/api-errors: defined in ") and "a.yaml and " in notes[0]


class FlakyProm:
    """Answers every query with one series at 0.002 until `down`, then fails like a dead server."""

    def __init__(self) -> None:
        self.down = False

    def query(self, promql, at=None):
        if self.down:
            raise SourceError("prometheus http://p: connection refused")
        return [] if promql.startswith("group by") else [({}, 0.002)]

    def query_range(self, promql, start, end, step):
        return []


def test_prometheus_failing_keeps_every_slo_as_unknown_with_its_last_numbers(tmp_path):
    specs = load_specs([write(tmp_path, CRD), write(tmp_path, PYRRA, "p.yaml")])
    prom = FlakyProm()
    hub = Hub(slo_sources=[SLOCatalog(specs, prom)])
    first = {s.key: s for s in hub.refresh_slos().slos}
    assert first[("web", "api-errors")].burn_rates["1h"] == pytest.approx(2.0)
    prom.down = True
    result = hub.refresh_slos()
    rows = {s.key: s for s in result.slos}
    assert set(rows) == {s.key for s in specs}
    assert {s.status for s in rows.values()} == {"unknown"}
    assert rows[("web", "api-errors")].burn_rates["1h"] == pytest.approx(2.0)  # last read, marked unknown
    assert rows[("web", "api-errors")].error == result.health["slo"].error == "prometheus http://p: connection refused"
    assert not result.health["slo"].ok


def test_unknown_without_any_reading_lists_the_spec_alone(tmp_path):
    specs = load_specs([write(tmp_path, PYRRA)])
    prom = FlakyProm()
    prom.down = True
    [row] = Hub(slo_sources=[SLOCatalog(specs, prom)]).refresh_slos().slos
    assert isinstance(row, SLOStatus)
    assert (row.service, row.name, row.status, row.objective, row.budget_remaining) == (
        "web", "api-errors", "unknown", 0.999, None)


def test_marcus_context_lists_unknown_slos_with_the_reason(tmp_path):
    from datetime import UTC, datetime

    from cockpit.advisor.base import ScreenState
    from cockpit.advisor.context import build_context
    from cockpit.model import Snapshot, SourceHealth

    specs = load_specs([write(tmp_path, PYRRA)])
    prom = FlakyProm()
    prom.down = True
    hub = Hub(slo_sources=[SLOCatalog(specs, prom)])
    result = hub.refresh_slos()
    snap = Snapshot(taken_at=datetime(2026, 12, 3, tzinfo=UTC), slos=result.slos,
                    sources={"slo": SourceHealth("slo", "slo", ok=False, error=result.health["slo"].error)})
    text = build_context(ScreenState(snapshot=snap, visible_slos=snap.slos), budget_tokens=3000)
    line = next(ln for ln in text.splitlines() if "web/api-errors" in ln)
    assert "status unknown" in line and "connection refused" in line


V1_RAW = """\
apiVersion: openslo/v1
kind: SLO
metadata: {name: uptime}
spec:
  service: web
  budgetingMethod: Occurrences
  indicator:
    metadata: {name: uptime}
    spec:
      ratioMetric:
        rawType: success
        raw:
          metricSource:
            type: Prometheus
            spec: {query: 'avg_over_time(up{job="web"}[{{.window}}])'}
  objectives: [{target: 0.99}]
"""


def test_openslo_v1_raw_ratio_and_a_selector_with_brackets_in_a_regex(tmp_path):
    [s] = load_specs([write(tmp_path, V1_RAW)])
    assert s.error_ratio_query("1h") == '1 - (avg_over_time(up{job="web"}[1h]))'
    with pytest.raises(ConfigError, match=r"slo 'uptime': field 'spec\.indicator\.spec\.ratioMetric\.rawType': "
                                          r"must be 'success' or 'failure'"):
        load_specs([write(tmp_path, V1_RAW.replace("rawType: success", "rawType: good"))])
    [p] = load_specs([write(tmp_path, PYRRA.replace('code=~"5.."', 'code=~"5[0-9]{2}"'))])
    assert 'code=~"5[0-9]{2}"' in p.error_ratio_query("5m")


def test_a_hung_cluster_listing_never_holds_up_the_slos(tmp_path):
    import threading
    import time

    files = load_specs([write(tmp_path, CRD)])
    [cluster_spec] = load_specs([write(tmp_path, PYRRA, "p.yaml")])
    release = threading.Event()

    def hung_lister():
        release.wait(10)  # an API server that does not answer
        return [cluster_spec], []

    catalog = SLOCatalog(files, FlakyProm(), [hung_lister], cluster_ttl_s=0, first_wait_s=0.2)
    started = time.monotonic()
    first = catalog.fetch_slos()
    assert time.monotonic() - started < 2
    assert {s.key for s in first} == {s.key for s in files}  # the files' SLOs, computed meanwhile
    release.set()
    assert catalog.wait_listed(5)
    assert cluster_spec.key in {s.key for s in catalog.fetch_slos()}


def test_a_failing_lister_is_a_note(tmp_path):
    def broken():
        raise RuntimeError("kubeconfig vanished")

    catalog = SLOCatalog(load_specs([write(tmp_path, PYRRA)]), FlakyProm(), [broken])
    assert [s.name for s in catalog.fetch_slos()] == ["api-errors"]
    assert catalog.note() == "RuntimeError: kubeconfig vanished"


def test_pyrra_period_query_reads_its_increase_rules(tmp_path):
    [s] = load_specs([write(tmp_path, PYRRA.replace('job="api"', 'job="api",slo="legacy"'))])
    assert s.pyrra_period_metric == "http_requests:increase2w"  # 14d as Pyrra names it
    # Pyrra's rules set `slo` to the objective's name: a label of that name on the metric is replaced
    assert s.pyrra_period_query == (
        '(sum by (route) (http_requests:increase2w{job="api", code=~"5..", slo="api-errors"}))\n/\n'
        '(sum by (route) (http_requests:increase2w{job="api", slo="api-errors"}))')
