"""Backends that cannot be read, as a user meets them: a dead kubeconfig, a dead Prometheus and
Alertmanager. Nothing read must never be summarised as "all clear" or as "0 SLOs, fine"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from cockpit.cli import main
from tests.support.promstack import free_port

pytestmark = pytest.mark.integration


def dead_kubeconfig(path: Path) -> Path:
    """A kubeconfig whose apiserver port has nothing listening (a cluster that went away)."""
    server = f"https://127.0.0.1:{free_port()}"
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": "gone", "cluster": {"server": server, "insecure-skip-tls-verify": True}}],
        "users": [{"name": "admin", "user": {"token": "t"}}],
        "contexts": [{"name": "gone", "context": {"cluster": "gone", "user": "admin"}}],
        "current-context": "gone",
    }))
    return path


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args)
    return code, capsys.readouterr().out


def test_zero_incidents_with_unreadable_pods_is_none_found_not_all_clear(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    kube = ["--kubeconfig", str(dead_kubeconfig(tmp_path / "kubeconfig"))]
    _, text = run(["snapshot", *kube, "--format", "markdown"], capsys)
    section = text.split("## Incidents", 1)[1].split("\n## ", 1)[0]
    assert "nothing on screen needs a response" not in section
    assert "none found; pods could not be read" in section
    _, out = run(["snapshot", *kube, "--format", "json"], capsys)
    data = json.loads(out)
    assert data["incidents"] == []
    assert data["incidents_coverage"]["state"] == "partial"
    assert data["incidents_coverage"]["note"].startswith("none found; pods could not be read")


def test_handover_with_unreadable_pods_says_what_was_not_read(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    kube = ["--kubeconfig", str(dead_kubeconfig(tmp_path / "kubeconfig"))]
    _, text = run(["handover", *kube, "--since", "1h", "--format", "markdown"], capsys)
    section = text.split("## Incidents", 1)[1].split("\n## ", 1)[0]
    assert "none found; pods could not be read" in section and "none in the journal" not in section


def everything_dead(tmp_path: Path) -> list[str]:
    """Alertmanager, the cluster and Prometheus all configured, none listening; no --slo."""
    return ["--alertmanager", f"http://127.0.0.1:{free_port()}", "--prometheus", f"http://127.0.0.1:{free_port()}",
            "--kubeconfig", str(dead_kubeconfig(tmp_path / "kubeconfig"))]


def test_slos_of_unlisted_clusters_are_unknown_and_a_dead_prometheus_is_named(tmp_path: Path, capsys,
                                                                              monkeypatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    flags = everything_dead(tmp_path)
    prom = flags[flags.index("--prometheus") + 1]
    code, out = run(["check", *flags], capsys)
    assert code == 1
    slo_line = next(line for line in out.splitlines() if line.lstrip("✔✖ ").startswith("slo"))
    assert slo_line.startswith("✖") and "0 SLOs" not in slo_line and "could not be listed" in slo_line
    _, text = run(["snapshot", *flags, "--format", "markdown"], capsys)
    assert "## SLOs unknown" in text and "## SLOs 0" not in text
    assert "No SLOs in the given specs" not in text
    sources = text.split("## Sources", 1)[1].split("\n## ", 1)[0]
    assert f"prometheus {prom}" in sources and "cannot connect" in sources.split(f"prometheus {prom}", 1)[1].split("\n")[0]
    data = json.loads(run(["snapshot", *flags, "--format", "json"], capsys)[1])
    assert "slos" in data["unknown"] and f"prometheus {prom}" in data["sources"]
    assert data["sources"][f"prometheus {prom}"] != "ok"
