"""One real Prometheus, two real Alertmanagers, one fakekube (two contexts) and the fake Messages API,
each behind its own FaultProxy, shared by every cell of the fault matrix. fakekube and the proxies run
in a separate process (tests/faults/host.py) so their threads do not compete with the app for the GIL."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import yaml

from cockpit.model import utcnow
from tests.fakeanthropic.server import FakeAnthropic
from tests.support.promstack import Proc, start_alertmanager, start_prometheus

SLO_SPEC = Path(__file__).parents[1] / "data" / "slo" / "sloth-getting-started.yml"
SOURCES = ("prometheus", "am0", "am1", "ctx-a", "ctx-b", "anthropic")


def post_alerts(url: str, alerts: list[dict]) -> None:
    httpx.post(url + "/api/v2/alerts", json=alerts, timeout=5).raise_for_status()


def fault_alerts() -> list[dict]:
    ends = (utcnow() + timedelta(hours=2)).isoformat()
    return [{"labels": {"alertname": f"FaultMatrix{i}", "severity": "warning", "namespace": "shop"},
             "annotations": {"summary": f"fault matrix alert {i}"}, "endsAt": ends} for i in range(3)]


class Host:
    """The fault host process (tests/faults/host.py): fakekube and the proxies, driven over stdin."""

    def __init__(self, upstreams: dict[str, int]) -> None:
        root = Path(__file__).parents[2]
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.faults.host", json.dumps(upstreams)],
                                     cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()  # type: ignore[union-attr]
        if not line.startswith("ready "):
            self.close()
            raise RuntimeError(f"fault host did not start: {line!r}")
        info = json.loads(line[6:])
        self.urls: dict[str, str] = info["proxies"]
        self.ca = info["ca"]

    def cmd(self, *words: str) -> str:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(" ".join(words) + "\n")
        self.proc.stdin.flush()
        reply = self.proc.stdout.readline().strip()
        assert reply.startswith("ok"), reply
        return reply[3:]

    def close(self) -> None:
        try:
            self.proc.stdin.close()  # type: ignore[union-attr]
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()


@dataclass
class Proxy:
    host: Host
    name: str

    @property
    def url(self) -> str:
        return self.host.urls[self.name]

    def set(self, mode: str) -> None:
        self.host.cmd("set", self.name, mode)


@dataclass
class World:
    prometheus: Proc
    alertmanagers: list[Proc]
    host: Host
    anthropic: FakeAnthropic
    kubeconfig: Path
    proxies: dict[str, Proxy] = field(default_factory=dict)

    def reset(self) -> None:
        for p in self.proxies.values():
            p.set("forward")
        self.anthropic.reset()


def write_kubeconfig(path: Path, host: Host) -> Path:
    names = ("ctx-a", "ctx-b")
    cfg = {
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": n, "cluster": {"server": host.urls[n], "certificate-authority": host.ca}}
                     for n in names],
        "users": [{"name": "admin", "user": {"token": "token-admin"}}],
        "contexts": [{"name": n, "context": {"cluster": n, "user": "admin"}} for n in names],
        "current-context": "ctx-a",
    }
    path.write_text(yaml.safe_dump(cfg))
    return path


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("faults")
    procs: list[Proc] = []
    host: Host | None = None
    fake = FakeAnthropic().start()
    try:
        procs.append(start_prometheus(tmp / "prom"))
        procs += [start_alertmanager(tmp / f"am{i}") for i in range(2)]
        for am in procs[1:]:
            post_alerts(am.url, fault_alerts())
        upstreams = {"prometheus": procs[0].port, "am0": procs[1].port, "am1": procs[2].port,
                     "anthropic": int(fake.url.rsplit(":", 1)[1])}
        host = Host(upstreams)
        proxies = {name: Proxy(host, name) for name in SOURCES}
        yield World(procs[0], procs[1:], host, fake, write_kubeconfig(tmp / "kubeconfig", host), proxies)
    finally:
        if host is not None:
            host.close()
        for proc in procs:
            proc.kill()
        fake.stop()
