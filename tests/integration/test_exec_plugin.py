"""A kubeconfig exec credential plugin that is slow or hangs (an SSO login): the screen paints and
answers keys meanwhile, the pods pane says it waits for credentials, the plugin is killed with its
process group on timeout and on exit, and `cockpit check` reports it. Real client, fake API server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
import yaml

from cockpit.sources.base import SourceError
from cockpit.sources.kubernetes import load_clusters
from tests.fakekube import FakeKube
from tests.fakekube.fixtures import pod, running
from tests.support.ptyterm import ROOT, PtyApp, cooked, processes_with

CREDENTIAL = json.dumps({"apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential",
                         "status": {"token": "token-admin"}})


def exec_kubeconfig(fake: FakeKube, path: Path, command: str, args: list[str]) -> str:
    fake.kubeconfig(path)
    cfg = yaml.safe_load(path.read_text())
    cfg["users"][0]["user"] = {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1",
                                        "command": command, "args": args, "interactiveMode": "Never"}}
    path.write_text(yaml.safe_dump(cfg))
    return str(path)


def hanging() -> tuple[str, list[str], str]:
    """`sleep` with a unique duration, so the test can find the plugin process (or its orphan)."""
    marker = f"3600.{uuid.uuid4().int % 10**6:06d}"
    return "sleep", [marker], marker


def gone(marker: str, within: float = 3.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not processes_with(marker):
            return True
        time.sleep(0.1)
    return False


def clean_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COCKPIT_", "ANTHROPIC_", "KUBECONFIG"))}
    env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "cfg"), XDG_STATE_HOME=str(tmp_path / "state"))
    return env


@pytest.mark.integration
def test_the_screen_paints_and_answers_keys_while_the_plugin_hangs(tmp_path: Path) -> None:
    from cockpit.model import utcnow
    from tests.support.promstack import start_alertmanager

    command, args, marker = hanging()
    am = start_alertmanager(tmp_path / "am")
    term = None
    try:
        ends = (utcnow().replace(microsecond=0) + __import__("datetime").timedelta(hours=1)).isoformat()
        httpx.post(am.url + "/api/v2/alerts", timeout=10, json=[
            {"labels": {"alertname": "ExecProbeAlert", "severity": "critical"}, "endsAt": ends}]).raise_for_status()
        with FakeKube() as fake:
            fake.load({"pods": [pod("shop", "web-1", "Running", [running("web", "web:1")])]})
            kubeconfig = exec_kubeconfig(fake, tmp_path / "kubeconfig", command, args)
            config = tmp_path / "config.yaml"
            config.write_text("kube_exec_timeout_s: 120\n")
            term = PtyApp([sys.executable, "-m", "cockpit", "--config", str(config), "--kubeconfig", kubeconfig,
                           "--alertmanager", am.url], clean_env(tmp_path), cols=160, rows=40)
            assert term.read(30, until=lambda t: "ExecProbeAlert" in t.text), term.text
            assert term.read(15, until=lambda t: "waiting for credentials" in t.text), term.text
            assert "'sleep'" in term.text
            assert term.read(10, until=lambda t: bool(processes_with(marker))), "the plugin never started"
            term.key(b"?", 0.2)
            assert term.read(5, until=lambda t: "Help" in t.text or "help" in t.text), term.text
            term.key(b"\x1b", 0.5)
            started = time.monotonic()
            term.key(b"q", 0)
            assert term.wait_exit(10) == 0, term.text
            assert time.monotonic() - started < 6, "quit waited on the plugin"
            assert cooked(term.tty_mode())
            assert gone(marker), "the exec plugin outlived cockpit"
    finally:
        am.kill()
        if term is not None:
            term.close()
        for pid in processes_with(marker):
            os.kill(pid, 9)


@pytest.mark.integration
def test_a_hanging_plugin_times_out_and_its_process_group_is_killed(tmp_path: Path) -> None:
    command, args, marker = hanging()
    with FakeKube() as fake:
        cluster = load_clusters(exec_kubeconfig(fake, tmp_path / "kc", "sh", ["-c", f"sleep {args[0]}; echo x"]),
                                exec_timeout_s=2)[0]
        started = time.monotonic()
        with pytest.raises(SourceError) as e:
            cluster.check()
        assert 1.5 < time.monotonic() - started < 6
        assert "exec plugin 'sh' gave no credentials within 2s" in str(e.value)
        assert gone(marker), "the plugin's child (sleep) was left running"


@pytest.mark.integration
def test_a_slow_plugin_shows_waiting_then_the_pods(tmp_path: Path) -> None:
    with FakeKube() as fake:
        fake.load({"pods": [pod("shop", "web-1", "Running", [running("web", "web:1")])]})
        kubeconfig = exec_kubeconfig(fake, tmp_path / "kc", "sh", ["-c", f"sleep 2; echo '{CREDENTIAL}'"])
        cluster = load_clusters(kubeconfig, exec_timeout_s=30)[0]
        try:
            cluster.start_watch()
            time.sleep(0.3)
            started = time.monotonic()
            with pytest.raises(SourceError, match="waiting for credentials from the exec plugin 'sh'"):
                cluster.list_pods()
            assert time.monotonic() - started < 1.5, "a caller queued behind the plugin"
            started = time.monotonic()
            cluster.start_watch()  # what the screen's mount does: must not wait for the plugin
            cluster.list_nodes.__self__  # noqa: B018 - keeps the cluster referenced
            assert time.monotonic() - started < 0.5
            deadline = time.monotonic() + 15
            while True:
                try:
                    pods = cluster.list_pods()
                    break
                except SourceError:
                    assert time.monotonic() < deadline
                    time.sleep(0.2)
            assert [p.name for p in pods] == ["web-1"]
        finally:
            cluster.close()


@pytest.mark.integration
def test_check_reports_a_hanging_plugin(tmp_path: Path) -> None:
    command, args, marker = hanging()
    with FakeKube() as fake:
        kubeconfig = exec_kubeconfig(fake, tmp_path / "kc", command, args)
        config = tmp_path / "config.yaml"
        config.write_text("kube_exec_timeout_s: 2\n")
        started = time.monotonic()
        proc = subprocess.run([sys.executable, "-m", "cockpit", "check", "--config", str(config),
                               "--kubeconfig", kubeconfig], cwd=ROOT, env=clean_env(tmp_path),
                              capture_output=True, text=True, timeout=60)
    assert time.monotonic() - started < 20
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "gave no credentials within 2s" in proc.stdout, proc.stdout
    assert "Traceback" not in proc.stderr
    assert "gave no credentials" not in proc.stderr, "the client's own log line repeated it"
    assert gone(marker)


@pytest.mark.integration
def test_a_failing_plugin_is_named_with_its_stderr(tmp_path: Path) -> None:
    with FakeKube() as fake:
        kubeconfig = exec_kubeconfig(fake, tmp_path / "kc", "sh", ["-c", "echo 'token expired, run sso login' >&2; exit 3"])
        with pytest.raises(SourceError) as e:
            load_clusters(kubeconfig, exec_timeout_s=10)[0].check()
    assert "exec plugin 'sh' failed (exit 3): token expired, run sso login" in str(e.value)


@pytest.mark.integration
def test_the_plugin_never_gets_the_terminal(tmp_path: Path) -> None:
    """Run from a terminal (a pty), the plugin is still told it is not interactive and its stdin is
    not the tty: the screen is cockpit's, a prompt there would draw over it and eat keys."""
    probe = tmp_path / "probe"
    script = (f"echo \"$KUBERNETES_EXEC_INFO\" > {probe}; if [ -t 0 ]; then echo tty >> {probe}; fi; "
              f"echo '{CREDENTIAL}'")
    with FakeKube() as fake:
        kubeconfig = exec_kubeconfig(fake, tmp_path / "kc", "sh", ["-c", script])
        term = PtyApp([sys.executable, "-m", "cockpit", "check", "--kubeconfig", kubeconfig], clean_env(tmp_path))
        try:
            assert term.wait_exit(60) == 0, term.text
        finally:
            term.close()
    lines = probe.read_text().splitlines()
    assert json.loads(lines[0])["spec"]["interactive"] is False
    assert "tty" not in lines
