"""The public example specs of Sloth, OpenSLO and Pyrra (tests/data/slo/upstream, see SOURCE.md), as a
table: every file is either accepted, its SLOs evaluated on the session's real Prometheus with exact
error ratios, or refused with the one-line reason a user gets.

The metrics the accepted SLOs read are made up from their own selectors: for every selector one series
matching it and, per matcher, one series violating just that matcher (the "total but not error" and
"other job" series a real target has), each a counter growing at its own fixed rate. The expected ratio
is computed here from those rates with Python's own matcher evaluation, so Prometheus and cockpit are
checked against an independent reckoning, not against themselves.
"""

from __future__ import annotations

import math
import re
import time
import zlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from cockpit.config import ConfigError, HttpAuth
from cockpit.model import BURN_WINDOWS
from cockpit.slo.pyrra import pyrra_duration
from cockpit.slo.spec import WINDOW_RE, SLOSpec, load_specs
from cockpit.sources.hub import Hub
from cockpit.sources.prometheus import PrometheusSource
from cockpit.sources.slo_catalog import SLOCatalog
from cockpit.sources.slo_engine import SLOEngine
from tests.support.promstack import start_exporter, wait_for

pytestmark = pytest.mark.integration

UPSTREAM = Path(__file__).resolve().parents[1] / "data" / "slo" / "upstream"
OFFSET = 1_000_000.0  # counters never start at 0, so rate() does not clamp its extrapolation

ACCEPTED = "accepted"
# file -> (accepted, number of SLOs) | (refused, the reason's text after "file[:line]: ")
CORPUS: dict[str, tuple[str, int | str]] = {
    "openslo/examples/budgeting-method/occurences-slo.yaml":
        ("refused", "slo 'search-slo': field 'spec.indicator.spec.ratioMetric': only ratio SLIs are supported "
                    "(found: thresholdMetric)"),
    "openslo/examples/budgeting-method/ratio-timeslices.yaml":
        ("refused", "slo 'main-page': field 'spec.budgetingMethod': 'RatioTimeslices' budgeting is not supported"),
    "openslo/examples/budgeting-method/timeslices-slo.yaml":
        ("refused", "slo 'service-availability': field 'spec.budgetingMethod': 'Timeslices' budgeting is not supported"),
    "openslo/examples/treat-low-traffic-as-equally-important/timeslices-slo.yaml":
        ("refused", "slo 'service-availability': field 'spec.budgetingMethod': 'Timeslices' budgeting is not supported"),
    "pyrra/examples/caddy-response-latency.yaml": (ACCEPTED, 1),
    "pyrra/examples/docker-compose/pyrra/prometheus-http.yaml": (ACCEPTED, 1),
    "pyrra/examples/mimir/example-slo.yaml": (ACCEPTED, 1),
    "pyrra/examples/nginx.yaml": (ACCEPTED, 2),
    "pyrra/examples/parca-grpc-queryrange-errors.yaml": (ACCEPTED, 1),
    "pyrra/examples/prometheus-http.yaml": (ACCEPTED, 1),
    "pyrra/examples/prometheus-operator.yaml": (ACCEPTED, 1),
    "pyrra/examples/prometheus-probe-success.yaml": (ACCEPTED, 1),
    "pyrra/examples/pyrra-connect-errors.yaml": (ACCEPTED, 1),
    "pyrra/examples/pyrra-connect-latency.yaml":
        ("refused", "slo 'pyrra-connect-latency': field 'spec.indicator.latencyNative': native-histogram SLIs are "
                    "not supported"),
    "pyrra/examples/pyrra-filesystem-errors.yaml": (ACCEPTED, 1),
    "pyrra/examples/pyrra-kubernetes-errors.yaml": (ACCEPTED, 1),
    "pyrra/examples/thanos-grpc.yaml": (ACCEPTED, 1),
    "pyrra/examples/thanos-http.yaml": (ACCEPTED, 1),
    **{f"pyrra/examples/kubernetes/manifests/slos/slo-{name}.yaml": (ACCEPTED, 1) for name in (
        "apiserver-read-cluster-latency", "apiserver-read-namespace-latency", "apiserver-read-resource-latency",
        "apiserver-read-response-errors", "apiserver-write-response-errors", "coredns-response-errors",
        "kubelet-request-errors", "kubelet-runtime-errors", "prometheus-notification-errors",
        "prometheus-operator-http-errors", "prometheus-operator-reconcile-errors", "prometheus-query-errors",
        "prometheus-rule-evaluation-failures", "prometheus-sd-kubernetes-errors")},
    "sloth/examples/contrib-denominator-corrected.yaml": (ACCEPTED, 1),
    "sloth/examples/contrib-slo-plugins.yml": (ACCEPTED, 2),
    "sloth/examples/getting-started.yml": (ACCEPTED, 1),
    "sloth/examples/home-wifi.yml": (ACCEPTED, 2),
    "sloth/examples/k8s-getting-started.yml": (ACCEPTED, 1),
    "sloth/examples/k8s-home-wifi.yml": (ACCEPTED, 2),
    "sloth/examples/k8s-multifile.yml": (ACCEPTED, 2),
    "sloth/examples/kubernetes-apiserver.yml": (ACCEPTED, 2),
    "sloth/examples/multifile.yml": (ACCEPTED, 2),
    "sloth/examples/no-alerts.yml": (ACCEPTED, 1),
    "sloth/examples/openslo-getting-started.yml": (ACCEPTED, 1),
    "sloth/examples/openslo-kubernetes-apiserver.yml": (ACCEPTED, 3),
    "sloth/examples/plugin-getting-started.yml":
        ("refused", "slo 'requests-availability': field 'sli.plugin': SLI plugin 'getting_started_availability' "
                    "is not supported"),
    "sloth/examples/plugin-k8s-getting-started.yml":
        ("refused", "slo 'requests-availability': field 'sli.plugin': SLI plugin 'getting_started_availability' "
                    "is not supported"),
    "sloth/examples/raw-home-wifi.yml": (ACCEPTED, 1),
    "sloth/examples/slo-plugin-getting-started.yml": (ACCEPTED, 1),
    "sloth/examples/slo-plugin-k8s-getting-started.yml": (ACCEPTED, 1),
    # MetricsQL (histogram_share, vector(1)[w]): read fine, and Prometheus refuses the queries
    "sloth/examples/victoria-metrics.yml": (ACCEPTED, 2),
    "sloth/examples/windows/7d.yaml": ("refused", "not an SLO spec: AlertWindows"),
    "sloth/examples/windows/custom-30d.yaml": ("refused", "not an SLO spec: AlertWindows"),
}
PROMETHEUS_REFUSES = {"sloth/examples/victoria-metrics.yml": "parse error"}

# Gauges the home-wifi SLIs read (satisfaction per client) and Pyrra's probe_success bool gauge.
WIFI = {"a": 0.4, "b": 0.6, "c": 0.9}
PROBES = {"shop": 1.0, "blog": 0.0}
# SLIs that are not one selector per side: their expected error ratio, from the rates (r) of selectors.
CUSTOM: dict[tuple[str, str], Callable[[Callable[[str], float]], float]] = {
    ("home-wifi", "good-wifi-client-satisfaction"): lambda r: sum(v < 0.75 for v in WIFI.values()) / len(WIFI),
    ("home-wifi", "risk-wifi-client-satisfaction"): lambda r: sum(v < 0.5 for v in WIFI.values()) / len(WIFI),
    ("home-wifi", "wifi-client-satisfaction"): lambda r: 1 - sum(WIFI.values()) / len(WIFI),
    # grouped by target: the worst probe counts, and one never succeeds
    ("default", "prometheus-blackbox-probe-success"): lambda r: max(1 - v for v in PROBES.values()),
    ("k8s-apiserver", "requests-latency"): lambda r: (
        r('apiserver_request_duration_seconds_count{verb!="WATCH"}')
        - r('apiserver_request_duration_seconds_bucket{le="0.4",verb!="WATCH"}')
    ) / r('apiserver_request_duration_seconds_count{verb!="WATCH"}'),
}


# ------------------------------------------------------------------ selectors, series, the oracle

_SEL = r"[a-zA-Z_:][a-zA-Z0-9_:]*\s*(?:\{[^{}]*\})?"
_SIDE = re.compile(rf"^\s*sum\s*(?:by\s*\(([^)]*)\))?\s*\(\s*(?:rate|increase)\(\s*({_SEL})\s*\[\{{\{{\s*\.window\s*\}}\}}\]\s*\)\s*\)\s*$",
                   re.S)
_IN_RATE = re.compile(rf"(?:rate|increase)\(\s*({_SEL})\s*\[")
_SUBQUERY = re.compile(r"\[5m:\]")
_MATCHER = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"')

Matcher = tuple[str, str, str]  # (label, op, value)


def parse_selector(text: str) -> tuple[str, list[Matcher]]:
    name, _, rest = text.strip().partition("{")
    return name.strip(), [(m[0], m[1], m[2]) for m in _MATCHER.findall(rest)]


def matches(labels: dict[str, str], name: str, matchers: list[Matcher]) -> bool:
    if labels["__name__"] != name:
        return False
    for label, op, value in matchers:
        got = labels.get(label, "")
        ok = {"=": got == value, "!=": got != value, "=~": re.fullmatch(value, got) is not None,
              "!~": re.fullmatch(value, got) is None}[op]
        if not ok:
            return False
    return True


def satisfying(op: str, value: str) -> str:
    """A label value the matcher accepts (for a regex: its first alternative, spelled out)."""
    if op == "=":
        return value
    if op == "!=":
        return value + "-other" if value else "x"
    if op == "!~":
        return "zz" if re.fullmatch(value, "zz") is None else "zz-other"
    first = value.strip()
    while first.startswith("(") and first.endswith(")"):
        first = first[1:-1]
    first = first.split("|")[0].replace(".*", "").replace(".+", "x").replace(".", "0")
    assert re.fullmatch(value, first), (value, first)
    return first


def violating(op: str, value: str) -> str | None:
    if op == "=":
        return value + "-other"
    if op == "!=":
        return value
    if op == "=~":
        return "zz" if re.fullmatch(value, "zz") is None else None
    return satisfying("=~", value)


def series_for(selector: str) -> list[dict[str, str]]:
    """One series matching the selector, and one per matcher violating just that matcher."""
    name, ms = parse_selector(selector)
    good = {label: satisfying(op, value) for label, op, value in ms}
    out = [good]
    for label, op, value in ms:
        bad = violating(op, value)
        if bad is not None:
            out.append({**good, label: bad})
    # every series names its job (scraped with honor_labels), so Prometheus and these matchers see one label set
    return [{"__name__": name, "job": "upstream", **{k: v for k, v in s.items() if v}} for s in out]


def rate_of(labels: dict[str, str]) -> float:
    """A fixed rate per series; histogram buckets slower than counts, so latency ratios stay sane."""
    key = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
    spread = zlib.crc32(key.encode()) % 50
    return 1.0 + spread / 10 if labels["__name__"].endswith("_bucket") else 20.0 + spread


def render_labels(labels: dict[str, str]) -> str:
    esc = {k: v.replace("\\", "\\\\").replace('"', '\\"') for k, v in labels.items() if k != "__name__"}
    return labels["__name__"] + "{" + ",".join(f'{k}="{v}"' for k, v in sorted(esc.items())) + "}"


class World:
    """The series every accepted SLO reads: counters at fixed rates, and the gauges above."""

    def __init__(self, specs: list[SLOSpec]) -> None:
        self.counters: dict[str, tuple[dict[str, str], float]] = {}
        for spec in specs:
            for q in (spec.error_query, spec.good_query, spec.total_query, spec.raw_query):
                for sel in _IN_RATE.findall(q):
                    for labels in series_for(sel):
                        self.counters.setdefault(render_labels(labels), (labels, rate_of(labels)))
        self.gauges = {f'unifipoller_client_satisfaction_ratio{{job="upstream",name="{c}"}}': v for c, v in WIFI.items()}
        self.gauges |= {f'probe_success{{target="{t}"}}': v for t, v in PROBES.items()}
        self.t0 = time.time()

    def render(self) -> str:
        dt = time.time() - self.t0
        lines = [f"{text} {OFFSET + rate * dt!r}" for text, (_, rate) in self.counters.items()]
        lines += [f"{text} {value!r}" for text, value in self.gauges.items()]
        return "\n".join(lines) + "\n"

    def rate(self, selector: str, by: tuple[str, ...] = ()) -> dict[tuple[str, ...], float]:
        """sum by (by) (rate(selector)) as Prometheus should answer it, group -> rate."""
        name, ms = parse_selector(selector)
        out: dict[tuple[str, ...], float] = {}
        for labels, rate in self.counters.values():
            if matches(labels, name, ms):
                key = tuple(labels.get(b, "") for b in by)
                out[key] = out.get(key, 0.0) + rate
        return out

    def total(self, selector: str) -> float:
        return sum(self.rate(selector).values())

    def expected(self, spec: SLOSpec) -> float:
        custom = CUSTOM.get(spec.key)
        if custom is not None:
            return custom(self.total)
        num_q = spec.error_query or spec.good_query
        num, den = _SIDE.match(num_q), _SIDE.match(spec.total_query)
        assert num and den and not spec.raw_query, f"{spec.key}: not one selector per side; add it to CUSTOM"
        by = tuple(sorted(b.strip() for b in (num.group(1) or "").split(",") if b.strip()))
        n, d = self.rate(num.group(2), by), self.rate(den.group(2), by)
        groups = [g for g in n if g in d]  # `/` keeps the groups both sides have
        assert groups, spec.key
        ratios = [n[g] / d[g] if spec.error_query else 1 - n[g] / d[g] for g in groups]
        return max(ratios)  # several series: the worst counts


# ------------------------------------------------------------------ fixtures


def accepted_specs() -> dict[str, list[SLOSpec]]:
    return {f: load_specs([str(UPSTREAM / f)]) for f, (verdict, _) in CORPUS.items() if verdict == ACCEPTED}


def add_to_prometheus(prom, targets: list[str] = (), rule_files: list[Path] = ()) -> None:
    """Scrape one more target / evaluate more rules on the shared session Prometheus (config + reload)."""
    path = prom.workdir / "prometheus.yml"
    config = yaml.safe_load(path.read_text())
    for i, target in enumerate(targets):
        parts = urlsplit(target)
        config["scrape_configs"].append({"job_name": f"upstream-{len(config['scrape_configs'])}-{i}",
                                         "metrics_path": parts.path or "/metrics", "honor_labels": True,
                                         "static_configs": [{"targets": [parts.netloc]}]})
    config["rule_files"] = [*(config.get("rule_files") or []), *map(str, rule_files)]
    path.write_text(yaml.safe_dump(config))
    prom.reload()


@pytest.fixture(scope="module")
def upstream(prometheus, tmp_path_factory):
    specs = accepted_specs()
    world = World([s for group in specs.values() for s in group])
    url, stop = start_exporter(world.render)
    add_to_prometheus(prometheus, [url])
    client = PrometheusSource(prometheus.url, HttpAuth(timeout_s=10))
    probe = next(iter(world.counters))
    # two scrapes of every series: rate() has its two samples
    wait_for(lambda: client.query(f"count_over_time({probe}[1m])") and
             client.query(f"count_over_time({probe}[1m])")[0][1] >= 3, timeout=30, what="upstream series scraped")
    yield {"prom": client, "specs": specs, "world": world, "proc": prometheus, "tmp": tmp_path_factory.mktemp("up")}
    stop()


# ------------------------------------------------------------------ the table


def test_the_table_covers_every_file_of_the_corpus():
    on_disk = {str(p.relative_to(UPSTREAM)) for p in UPSTREAM.rglob("*.y*ml")}
    assert on_disk == set(CORPUS)


@pytest.mark.parametrize("name", sorted(n for n, (v, _) in CORPUS.items() if v != ACCEPTED))
def test_refused_with_the_reason_and_the_file(name):
    path = UPSTREAM / name
    with pytest.raises(ConfigError) as err:
        load_specs([str(path)])
    text = str(err.value)
    assert "\n" not in text
    assert re.match(rf"{re.escape(str(path))}(:\d+)?: ", text), text
    assert CORPUS[name][1] in text, text


@pytest.mark.parametrize("name", sorted(n for n, (v, _) in CORPUS.items() if v == ACCEPTED))
def test_accepted_and_evaluated_exactly(upstream, name):
    specs = upstream["specs"][name]
    assert len(specs) == CORPUS[name][1]
    # A subquery `[w:]` steps at the evaluation interval: 1 s in this Prometheus, so `[30d:]` would be
    # 2.6M steps (43,200 at the usual 1m). Those SLOs are checked with a 3d period here.
    specs = [replace(s, period="3d") if _SUBQUERY.search(s.error_ratio_query("5m")) else s for s in specs]
    engine = SLOEngine(specs, upstream["prom"])
    if name in PROMETHEUS_REFUSES:  # every query refused: the SLOs stay listed, status unknown, with why
        hub = Hub(slo_sources=[SLOCatalog(specs, upstream["prom"])])
        rows = hub.refresh_slos().slos
        assert {s.key for s in rows} == {s.key for s in specs}
        assert all(s.status == "unknown" and PROMETHEUS_REFUSES[name] in s.error for s in rows), rows
        return
    statuses = {s.key: s for s in engine.fetch_slos()}
    for spec in specs:
        st = statuses[spec.key]
        want = upstream["world"].expected(spec)
        assert not st.error, (spec.key, st.error)
        for window in (*BURN_WINDOWS, spec.period):
            assert st.error_ratios[window] == pytest.approx(want, rel=1e-6, abs=1e-12), (spec.key, window)
            assert "{{" not in st.queries[window] and f"[{window}" in st.queries[window]
        burn = want / (1 - spec.objective)
        assert st.burn_rates["1h"] == pytest.approx(burn, rel=1e-6, abs=1e-9)
        assert st.budget_remaining == pytest.approx(1 - burn, rel=1e-6, abs=1e-9)


def test_every_accepted_slo_has_nonzero_and_partial_error_somewhere(upstream):
    """The made-up traffic is not all-good or all-bad: the oracle is not vacuous."""
    values = [upstream["world"].expected(s) for f, group in upstream["specs"].items() for s in group
              if f not in PROMETHEUS_REFUSES]
    assert sum(0 < v < 1 for v in values) >= len(values) * 0.8
    assert all(math.isfinite(v) for v in values)


# ------------------------------------------------------------------ Pyrra's recording rules


def _increase_name(metric: str, window: str) -> str:
    for suffix in ("_total", "_count", "_bucket"):
        metric = metric.removesuffix(suffix)
    return f"{metric}:increase{window}"


def pyrra_rules(specs: list[SLOSpec], windows: tuple[str, ...]) -> dict:
    """The rules Pyrra generates: `<metric>:burnrate<w>` = the error ratio, labelled slo=name, and for the
    whole window the increases of its counters (`<metric>:increase4w`), or `:count` / `:sum` of a bool
    gauge. (Pyrra sums those by the labels its queries need; keeping every label reads the same.)"""
    groups = []
    for s in specs:
        rules = [{"record": f"{s.pyrra_metric}:burnrate{w}", "expr": s.error_ratio_query(w),
                  "labels": {"slo": s.name}} for w in windows]
        window = pyrra_duration(s.period)
        if s.raw_query:  # bool_gauge
            sel = s.pyrra_period_metric.rpartition(":")[0]
            rules += [{"record": f"{sel}:{fn}{window}", "expr": f"{fn}_over_time({sel}[{s.period}])",
                       "labels": {"slo": s.name}} for fn in ("count", "sum")]
        else:
            for q in (s.error_query or s.good_query, s.total_query):
                sel = _SIDE.match(q).group(2)
                rules.append({"record": _increase_name(parse_selector(sel)[0], window),
                              "expr": f"increase({sel}[{s.period}])", "labels": {"slo": s.name}})
        groups.append({"name": f"{s.name}-burnrates", "interval": "1s", "rules": rules})
    return {"groups": groups}


def test_pyrra_recording_rules_are_used_when_present_and_agree(upstream):
    specs = [*upstream["specs"]["pyrra/examples/thanos-http.yaml"], *upstream["specs"]["pyrra/examples/nginx.yaml"]]
    assert {s.period for s in specs} == {"28d"}  # Pyrra's windows for 4w/28d are 5m 30m 1h 2h 6h 1d 4d
    windows = ("5m", "30m", "1h", "2h", "6h", "1d", "4d")
    rules = upstream["tmp"] / "pyrra-rules.yml"
    rules.write_text(yaml.safe_dump(pyrra_rules(specs, windows), sort_keys=False))
    add_to_prometheus(upstream["proc"], rule_files=[rules])
    engine = SLOEngine(specs, upstream["prom"])
    wait_for(lambda: engine.fetch_slos() and engine.stats.recorded_slos == len(specs), timeout=30,
             what="Pyrra rules evaluated")
    fresh = SLOEngine(specs, upstream["prom"])
    statuses = {s.key: s for s in fresh.fetch_slos()}
    # Sloth and Pyrra detection, one batched query per recorded window for all SLOs; per SLO 3d raw and
    # the period from Pyrra's increase rules
    assert fresh.stats.queries == 2 + 6 + 2 * len(specs)
    for spec in specs:
        st = statuses[spec.key]
        assert st.queries["5m"] == f'{spec.pyrra_metric}:burnrate5m{{slo="{spec.name}"}}'
        assert WINDOW_RE.sub("3d", spec.error_ratio_query("3d")) == st.queries["3d"]  # no 3d rule: raw
        assert st.queries["28d"] == spec.pyrra_period_query and ":increase4w{" in st.queries["28d"]
        want = upstream["world"].expected(spec)
        for window in (*BURN_WINDOWS, spec.period):
            assert st.error_ratios[window] == pytest.approx(want, rel=1e-6), (spec.key, window)


def test_prometheus_down_keeps_every_slo_listed_as_unknown():
    from tests.support.promstack import free_port

    specs = [s for f in ("sloth/examples/getting-started.yml", "pyrra/examples/thanos-grpc.yaml")
             for s in load_specs([str(UPSTREAM / f)])]
    down = PrometheusSource(f"http://127.0.0.1:{free_port()}", HttpAuth(timeout_s=2))
    hub = Hub(slo_sources=[SLOCatalog(specs, down)])
    result = hub.refresh_slos()
    assert [(s.service, s.name, s.status) for s in result.slos] == [
        ("myservice", "requests-availability", "unknown"), ("monitoring", "thanos-store", "unknown")]
    health = result.health["slo"]
    assert not health.ok
    assert all(s.error == health.error and s.error for s in result.slos)



def test_pyrra_bool_gauge_period_from_its_count_and_sum_rules(upstream):
    [spec] = upstream["specs"]["pyrra/examples/prometheus-probe-success.yaml"]
    assert (spec.period, spec.pyrra_period_metric) == ("7d", "probe_success:count1w")
    rules = upstream["tmp"] / "pyrra-probe-rules.yml"
    rules.write_text(yaml.safe_dump(pyrra_rules([spec], ("5m",)), sort_keys=False))
    add_to_prometheus(upstream["proc"], rule_files=[rules])
    engine = SLOEngine([spec], upstream["prom"])
    wait_for(lambda: engine.fetch_slos()[0].queries["7d"] == spec.pyrra_period_query, timeout=30,
             what="Pyrra count/sum rules evaluated")
    [st] = engine.fetch_slos()
    assert st.queries["5m"] == 'probe_success:burnrate5m{slo="prometheus-blackbox-probe-success"}'
    assert st.error_ratios["7d"] == pytest.approx(upstream["world"].expected(spec))  # one probe never succeeds
