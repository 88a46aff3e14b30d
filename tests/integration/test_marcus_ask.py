"""`cockpit ask` as a new user runs it: the real CLI in a child process, the kubernetes client against the
fake apiserver, no API key (offline Marcus) or the real SDK against the fake Messages API."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakeanthropic import FakeAnthropic, Reply
from tests.fakekube import FakeKube
from tests.fakekube import fixtures as fx
from tests.fakekube import scenarios as sc

pytestmark = pytest.mark.integration
QUESTION = "What needs my attention right now, and what would you do first?"


def _four_unrelated() -> dict:
    """A crash-looping OOM-killed API, an image that cannot be pulled, a pod Pending for memory, a node
    under MemoryPressure: the cluster from the issue."""
    oom = [sc.deploy_pod("orders", "orders-api", "6c7d8f9a1", f"o{i}",
                         sc.crashing("registry.example.com/orders-api:4.2", 9, "OOMKilled", 137),
                         node_name="node-1", created_ago=7200) for i in range(2)]
    pull = sc.deploy_pod("media", "thumbnailer", "4e5f6a7b8", "t0",
                         fx.waiting("app", "registry.example.com/thumbnailer:1.9.O", "ImagePullBackOff",
                                    "Back-off pulling image \"registry.example.com/thumbnailer:1.9.O\""),
                         phase="Pending", node_name="node-1", created_ago=1800)
    pending = sc.pending_for("analytics", "report-builder-8a9b0c1d2-p0", "report-builder", "8a9b0c1d2")
    img = "registry.example.com/frontend:2.0"
    return {"nodes": [sc.node("node-1"), sc.node("node-6", pressure=("MemoryPressure",), since_ago=900)],
            "pods": [*oom, pull, pending, *sc.healthy("web", "frontend", 3, "node-6")],
            "deployments": [sc.deployment("orders", "orders-api", 2, 0, "registry.example.com/orders-api:4.2"),
                            sc.deployment("web", "frontend", 3, 3, img)]}


@pytest.fixture
def kubeconfig(tmp_path: Path) -> Iterator[tuple[FakeKube, Path]]:
    with FakeKube() as fk:
        yield fk, fk.kubeconfig(tmp_path / "config")


def ask(kubeconfig: Path, home: Path, *, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "COCKPIT_"))}
    base.update({"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"), "KUBECONFIG": str(kubeconfig)})
    return subprocess.run([sys.executable, "-m", "cockpit", "ask", QUESTION], capture_output=True, text=True,
                          timeout=120, env={**base, **(env or {})})


def test_no_key_four_unrelated_problems_are_all_named(kubeconfig, tmp_path: Path) -> None:  # noqa: ANN001
    fk, path = kubeconfig
    fk.load(_four_unrelated())
    out = ask(path, tmp_path)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    for name, word in (("orders-api", "OOMKilled"), ("thumbnailer", "pull"), ("report-builder", "memory"),
                       ("node-6", "MemoryPressure")):
        assert any(name in ln and word in ln for ln in lines), (name, out.stdout)
    assert "(not on screen)" not in out.stdout
    assert "No alert or SLO source is configured: I see no firing alerts or silences; no SLO" in out.stdout
    assert "alerts not configured" in lines[0]  # "0 alerts" is not "no Alertmanager"
    assert len([ln for ln in lines if ln.strip()]) == len({ln.strip() for ln in lines if ln.strip()})


def test_claude_naming_what_is_not_there_is_marked_in_ask_output(kubeconfig, tmp_path: Path) -> None:  # noqa: ANN001
    fk, path = kubeconfig
    fk.load(_four_unrelated())
    fake = FakeAnthropic().start()
    try:
        fake.queue(Reply.text("observed: orders-api-6c7d8f9a1-o0 is OOMKilled [pod-1]; ",
                              "hypothesis: node node-404 is the noisy neighbour."))
        out = ask(path, tmp_path, env={"ANTHROPIC_API_KEY": "sk-ant-test-key-not-real-000000",
                                       "ANTHROPIC_BASE_URL": fake.url})
        request = fake.requests[0]
    finally:
        fake.stop()
    assert out.returncode == 0, out.stderr
    assert "node node-404 (not on screen) is the noisy neighbour." in out.stdout
    assert "orders-api-6c7d8f9a1-o0 is OOMKilled" in out.stdout and "o0 (not on screen)" not in out.stdout
    assert "is OOMKilled [pod-1] (not on screen);" in out.stdout  # an invented evidence id is caught too
    assert "2 names not on screen (pod-1, node-404)" in out.stderr  # the usage line counts them
    context = request["messages"][0]["content"][0]["text"]
    assert "alerts: not configured" in context and "<incidents>" in context and "node node-6 Ready" in context
