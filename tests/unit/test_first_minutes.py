"""Issue 19: what a new user meets in the first ten minutes: errors, URLs, unknown vs zero."""

from __future__ import annotations

import json
import socket

import pytest

from cockpit.cli import main
from cockpit.model import Alert
from cockpit.report import snapshot_markdown
from cockpit.sources.base import SourceError
from cockpit.sources.hub import Hub


@pytest.fixture
def dead_url() -> str:
    """A loopback port nobody listens on: connection refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture(autouse=True)
def no_user_config(tmp_path, monkeypatch):
    """Neither the user's config file, kubeconfig nor environment may leak into these runs."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("HOME", str(tmp_path))
    for var in ("COCKPIT_CONFIG", "COCKPIT_PROMETHEUS_URL", "COCKPIT_ALERTMANAGER_URL", "KUBECONFIG",
                "KUBERNETES_SERVICE_HOST", "ANTHROPIC_API_KEY"):
        monkeypatch.delenv(var, raising=False)


# -- 1. one prefix, once ---------------------------------------------------------------------------


def test_check_names_a_failing_source_once(dead_url, capsys):
    assert main(["check", "--prometheus", dead_url]) == 1
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("✖"))
    assert line.count(dead_url) == 1, line
    assert "cannot connect" in line


def test_snapshot_markdown_names_a_failing_source_once(dead_url, capsys):
    assert main(["snapshot", "--format", "markdown", "--prometheus", dead_url]) == 0
    out = capsys.readouterr().out
    for line in out.splitlines():
        assert line.count(dead_url) <= 1, line
    assert f"- prometheus {dead_url}: cannot connect" in out


def test_reason_keeps_the_host_a_kube_error_carried():
    from cockpit.sources.hub import source_reason

    text = "kubernetes prod (https://10.0.0.1:6443): connection refused"
    assert source_reason(text, "prod", "kubernetes") == "connection refused (https://10.0.0.1:6443)"
    assert source_reason("something else went wrong", "prod", "kubernetes") == "something else went wrong"


# -- 2. a URL that is not a URL ----------------------------------------------------------------------


@pytest.mark.parametrize(("argv", "named"), [
    (["--prometheus", "notaurl", "snapshot"], "--prometheus"),
    (["snapshot", "--prometheus", "localhost:9090"], "--prometheus"),
    (["check", "--alertmanager", "http://am:9093", "--alertmanager", "ftp://am:9093"], "--alertmanager"),
    (["snapshot", "--alertmanager", "http://am:99999"], "--alertmanager"),
    (["snapshot", "--prometheus", "http://"], "--prometheus"),
])
def test_a_url_flag_that_is_not_a_url_stops_at_start_up(argv, named, capsys):
    assert main(argv) == 2
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"cockpit: error: {named} "), err
    assert "Traceback" not in captured.err and captured.out == ""


def test_a_url_from_the_environment_is_checked_and_named(monkeypatch, capsys):
    monkeypatch.setenv("COCKPIT_ALERTMANAGER_URL", "http://am-0:9093,am-1:9093")
    assert main(["snapshot"]) == 2
    assert capsys.readouterr().err.startswith("cockpit: error: COCKPIT_ALERTMANAGER_URL 'am-1:9093'")


def test_good_urls_pass(dead_url):
    assert main(["snapshot", "--prometheus", dead_url, "--alertmanager", "https://am.example.com/sub/path"]) == 0


# -- 3. unknown is not zero ----------------------------------------------------------------------------


def test_markdown_says_unknown_and_not_configured_never_zero(dead_url, capsys):
    assert main(["snapshot", "--format", "markdown", "--prometheus", dead_url]) == 0
    out = capsys.readouterr().out
    assert "## Alerts 0" not in out and "## Pods 0" not in out and "## SLOs 0" not in out
    assert "## Alerts unknown · STALE (cannot connect" in out
    assert "## Pods · not configured" in out and "## SLOs · not configured" in out


def test_json_marks_unknown_lists_beside_the_data(dead_url, capsys):
    assert main(["snapshot", "--prometheus", dead_url]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["alerts"] == [] and data["stale"] == ["alerts"] and data["unknown"] == ["alerts"]
    assert sorted(data["not_configured"]) == ["pods", "slos"]
    assert data["coverage"]["alerts"]["state"] == "unknown"
    assert "cannot connect" in data["coverage"]["alerts"]["reason"]


class FlakySource:
    """An alert backend that answers once, then fails (a test double of a backend, not of cockpit)."""

    kind = "alertmanager"
    name = "alertmanager http://am:9093"

    def __init__(self) -> None:
        self.calls = 0

    def fetch_alerts(self) -> list[Alert]:
        self.calls += 1
        if self.calls > 1:
            raise SourceError(f"{self.name}: cannot connect (refused)")
        return [Alert("f1", "CheckoutDown", "critical", "firing", {"alertname": "CheckoutDown"})]


def test_data_that_went_stale_keeps_its_count_and_says_stale():
    src = FlakySource()
    hub = Hub(alert_sources=[src])
    hub.snapshot()
    snap = hub.snapshot()  # the second read fails: last data kept
    cov = hub.coverage(snap.sources)
    assert cov["alerts"].state == "stale" and cov["pods"].state == "not configured"
    text = snapshot_markdown(snap, cov)
    assert "## Alerts 1 · 1 critical · STALE (cannot connect (refused))" in text
    assert snap.sources[src.name].error == "cannot connect (refused)"  # the name is beside it, once


@pytest.mark.parametrize(("text", "where"), [
    ("alerts_interval_s: 10\nprometheus: prom.example:9090\n", ":2: key 'prometheus' is not a URL"),
    ("alertmanagers:\n  - http://am-0:9093\n  - am-1:9093\n", ":3: key 'alertmanagers[1]' is not a URL"),
    ("alertmanager: 'http://am 0:9093'\n", ":1: key 'alertmanager' is not a URL"),
])
def test_a_config_file_url_that_is_not_a_url_names_file_and_line(tmp_path, capsys, text, where):
    path = tmp_path / "config.yaml"
    path.write_text(text)
    assert main(["--config", str(path), "snapshot"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"cockpit: error: {path}{where}"), err


def test_slos_listed_from_their_specs_keep_their_count_when_prometheus_never_answered():
    from datetime import UTC, datetime

    from cockpit.model import SLOStatus, Snapshot
    from cockpit.sources.hub import Coverage

    slo = SLOStatus(service="shop", name="availability", objective=0.999, status="unknown")
    snap = Snapshot(taken_at=datetime(2026, 1, 1, tzinfo=UTC), slos=(slo,))
    text = snapshot_markdown(snap, {"slos": Coverage("unknown", "cannot connect")})
    assert "## SLOs 1 · STALE (cannot connect)" in text and "| unknown |" in text
    assert "-% " not in text
