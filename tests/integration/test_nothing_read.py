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
