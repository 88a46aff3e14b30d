"""Sloth and OpenSLO specs as users write them, and the errors a broken spec gets."""

from __future__ import annotations

from pathlib import Path

import pytest

from cockpit.config import ConfigError
from cockpit.slo.spec import duration_s, load_specs

DATA = Path(__file__).resolve().parents[1] / "data" / "slo"


def by_name(specs):
    return {s.name: s for s in specs}


def test_sloth_events_spec_reads_service_objective_labels_alerts():
    specs = by_name(load_specs([str(DATA / "sloth-getting-started.yml")]))
    avail = specs["requests-availability"]
    assert avail.service == "myservice"
    assert avail.objective == 0.999
    assert avail.period == "30d"
    assert avail.alert_names == ("MyServiceHighErrorRate",)
    assert avail.labels == {"owner": "myteam", "repo": "myorg/myservice", "tier": "2"}
    assert avail.source_file.endswith("sloth-getting-started.yml")
    q = avail.error_ratio_query("1h")
    assert "{{" not in q and '[1h]' in q
    assert q.startswith('(sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[1h])))')
    # SLO labels add to the service labels; `{{ .window }}` with spaces is substituted too.
    lat = specs["requests-latency"]
    assert lat.objective == 0.99 and lat.labels["category"] == "latency" and lat.labels["owner"] == "myteam"
    assert "[6h]" in lat.error_ratio_query("6h") and "window" not in lat.error_ratio_query("6h")


def test_sloth_raw_and_kubernetes_crd_forms():
    specs = by_name(load_specs([str(DATA / "sloth-raw-wifi.yml"), str(DATA / "sloth-k8s.yaml")]))
    wifi = specs["wifi-client-satisfaction"]
    assert wifi.objective == 0.95
    assert wifi.error_ratio_query("3d").startswith("1 - (")
    assert "[3d]" in wifi.error_ratio_query("3d")
    checkout = specs["availability"]
    assert (checkout.service, checkout.objective, checkout.labels["namespace"]) == ("checkout", 0.995, "shop")


def test_openslo_multi_document_with_indicator_ref_and_inline_indicator():
    specs = by_name(load_specs([str(DATA / "openslo-web-shop.yaml")]))
    assert set(specs) == {"main-page", "search-errors"}  # the Service and SLI documents are not SLOs
    main = specs["main-page"]
    assert (main.service, main.objective, main.period) == ("web-shop", 0.999, "28d")
    assert main.alert_names == ("main-page-burn",)
    assert main.labels == {"team": "storefront,web"}
    # good/total becomes an error ratio: 1 - good/total
    assert main.error_ratio_query("5m") == (
        '1 - ((sum(rate(http_requests_total{handler="/",code!~"5.."}[5m])))\n/\n'
        '(sum(rate(http_requests_total{handler="/"}[5m]))))'
    )
    search = specs["search-errors"]
    assert (search.objective, search.period) == (0.995, "28d")  # targetPercent 99.5, 4w
    # bare counter selectors with counter: true get a rate over the window
    assert search.error_ratio_query("2h") == (
        '(sum(rate(search_requests_total{code=~"5.."}[2h])))\n/\n(sum(rate(search_requests_total[2h])))'
    )


def test_directory_loads_every_yaml_and_refs_resolve_across_files(tmp_path):
    (tmp_path / "sub").mkdir()
    text = (DATA / "openslo-web-shop.yaml").read_text()
    sli_doc, slo_doc = text.split("---\n")[1], text.split("---\n")[2]
    (tmp_path / "slis.yaml").write_text(sli_doc)
    (tmp_path / "sub" / "slos.yml").write_text(slo_doc)
    (tmp_path / "notes.txt").write_text("not yaml: [")
    specs = load_specs([str(tmp_path)])
    assert [s.name for s in specs] == ["main-page"]
    assert specs[0].source_file.endswith("slos.yml")


def test_duplicate_slo_across_files_names_both(tmp_path):
    a = tmp_path / "a.yml"
    a.write_text((DATA / "sloth-k8s.yaml").read_text())
    b = tmp_path / "b.yml"
    b.write_text((DATA / "sloth-k8s.yaml").read_text())
    with pytest.raises(ConfigError, match=r"b\.yml: slo 'availability' of service 'checkout' is also defined in .*a\.yml"):
        load_specs([str(tmp_path)])


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("objective-out-of-range.yml", r"objective-out-of-range\.yml:5: slo 'availability': field 'objective': "
                                       r"is a percentage: did you mean 99\.9\?"),
        ("missing-window.yml", r"missing-window\.yml:8: slo 'availability': field 'sli\.events\.error_query': "
                               r"query must contain \{\{\.window\}\}"),
        ("no-sli.yml", r"no-sli\.yml:6: slo 'availability': field 'sli': needs 'events'"),
        ("unknown-ref.yaml", r"unknown-ref\.yaml:7: slo 'checkout': field 'spec\.indicatorRef': no SLI named "
                             r"'does-not-exist'"),
        ("threshold.yaml", r"threshold\.yaml:11: slo 'search-latency': field 'spec\.indicator\.spec\.ratioMetric': "
                           r"only ratio SLIs are supported \(found: thresholdMetric\)"),
        ("bad-yaml.yml", r"bad-yaml\.yml:6: invalid YAML"),
        ("not-a-spec.yml", r"not-a-spec\.yml:1: document 1: unsupported spec \('v1'\)"),
        ("bad-duration.yaml", r"bad-duration\.yaml:22: slo 'checkout': field 'spec\.timeWindow\[0\]\.duration': "
                              r"expected a duration like 28d"),
    ],
)
def test_broken_specs_name_file_line_slo_and_field(name, message):
    with pytest.raises(ConfigError, match=message):
        load_specs([str(DATA / "broken" / name)])


def test_objective_of_100_percent_is_refused(tmp_path):
    text = (DATA / "broken" / "objective-out-of-range.yml").read_text().replace("objective: 0.999", "objective: 99.9")
    f = tmp_path / "s.yml"
    f.write_text(text)
    with pytest.raises(ConfigError, match=r"s\.yml:11: slo 'too-much': field 'objective': must be a percentage between"):
        load_specs([str(f)])


def test_missing_field_and_wrong_types(tmp_path):
    f = tmp_path / "s.yml"
    f.write_text('version: "prometheus/v1"\nservice: api\nslos:\n  - name: x\n    objective: "high"\n')
    with pytest.raises(ConfigError, match=r"s\.yml:5: slo 'x': field 'objective': expected a number, got 'high'"):
        load_specs([str(f)])
    f.write_text('version: "prometheus/v1"\nslos: []\n')
    with pytest.raises(ConfigError, match=r"s\.yml: field 'service': missing"):
        load_specs([str(f)])
    with pytest.raises(ConfigError, match=r"nope\.yml: SLO spec file not found"):
        load_specs([str(tmp_path / "nope.yml")])


def test_durations():
    assert duration_s("5m") == 300
    assert duration_s("28d") == 28 * 86400
    assert duration_s("4w") == 28 * 86400
    assert duration_s("1M") == 30 * 86400
