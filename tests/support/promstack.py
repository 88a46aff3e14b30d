"""Start the real Prometheus and Alertmanager binaries (Debian packages) on free loopback ports.

Everything runs with 1 s intervals so rules fire and alerts reach Alertmanager in one or two seconds.
Each Proc keeps its port, so `restart()` brings the same URL back (what a user's config points at).
A missing binary skips the test with a clear reason; CI installs both packages.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import yaml

READY_TIMEOUT_S = 30.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_binary(*names: str) -> str:
    """The first of `names` on PATH; skip the test (not fail) when none is installed."""
    for name in names:
        path = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
        if path:
            return path
    pytest.skip(f"needs one of these binaries: {', '.join(names)} (apt-get install prometheus prometheus-alertmanager)")


@dataclass
class Proc:
    """One running server: its command line is fixed, so a restart reuses the port and storage."""

    name: str
    argv: list[str]
    port: int
    workdir: Path
    ready_path: str = "/-/ready"
    popen: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / f"{self.name}.log"

    def start(self) -> Proc:
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child, closed below
        try:
            self.popen = subprocess.Popen(self.argv, stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir)
        finally:
            log.close()
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            assert self.popen is not None
            if self.popen.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.popen.returncode}:\n{self.log_tail()}")
            try:
                if httpx.get(self.url + self.ready_path, timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"{self.name} not ready after {READY_TIMEOUT_S:.0f}s:\n{self.log_tail()}")

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        """Graceful stop (SIGTERM), then SIGKILL if it lingers."""
        if not self.running:
            return
        assert self.popen is not None
        self.popen.terminate()
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """Abrupt death, as when a node disappears."""
        if self.popen is not None and self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait()

    def restart(self) -> Proc:
        self.stop()
        return self.start()

    def reload(self) -> None:
        """Re-read the config files (needs --web.enable-lifecycle, which Prometheus gets)."""
        httpx.post(self.url + "/-/reload", timeout=5).raise_for_status()


def _scrape_configs(targets: Iterable[str]) -> list[dict]:
    """Accept "host:port" or full URLs; one job per distinct metrics path."""
    by_path: dict[tuple[str, str], list[str]] = {}
    for target in targets:
        parts = urlsplit(target if "://" in target else f"http://{target}")
        by_path.setdefault((parts.scheme, parts.path or "/metrics"), []).append(parts.netloc)
    return [
        {
            "job_name": "exporter" if i == 0 else f"exporter{i}",
            "scheme": scheme,
            "metrics_path": path,
            # keep an exporter's own labels (a fleet exporter says which `cluster` a series is from)
            "honor_labels": True,
            "static_configs": [{"targets": hosts}],
        }
        for i, ((scheme, path), hosts) in enumerate(by_path.items())
    ]


def start_prometheus(
    tmp_dir: Path,
    scrape_targets: Sequence[str] = (),
    rule_files: Sequence[Path] = (),
    extra_args: Sequence[str] = (),
    storage_dir: Path | None = None,
    alertmanagers: Sequence[str] = (),
    port: int | None = None,
) -> Proc:
    """A Prometheus scraping `scrape_targets` every second, evaluating `rule_files` every second and
    sending alerts to `alertmanagers` (URLs or host:port) with a 1 s resend delay."""
    binary = find_binary("prometheus")
    tmp_dir = Path(tmp_dir)
    tmp_dir.mkdir(parents=True, exist_ok=True)
    config: dict = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(Path(r).resolve()) for r in rule_files],
        "scrape_configs": _scrape_configs(scrape_targets),
    }
    if alertmanagers:
        hosts = [urlsplit(a if "://" in a else f"http://{a}").netloc for a in alertmanagers]
        config["alerting"] = {"alertmanagers": [{"static_configs": [{"targets": hosts}]}]}
    (tmp_dir / "prometheus.yml").write_text(yaml.safe_dump(config))
    storage = storage_dir or tmp_dir / "prometheus-data"
    port = port or free_port()
    argv = [
        binary,
        f"--config.file={tmp_dir / 'prometheus.yml'}",
        f"--storage.tsdb.path={storage}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--web.enable-lifecycle",
        "--web.enable-admin-api",
        "--rules.alert.resend-delay=1s",
        "--rules.alert.for-grace-period=1s",
        *extra_args,
    ]
    return Proc("prometheus", argv, port, tmp_dir).start()


def start_victoria_metrics(tmp_dir: Path, extra_args: Sequence[str] = ()) -> Proc:
    """A single-node VictoriaMetrics (Debian's victoria-metrics): the Prometheus-compatible global store
    of a fleet. Fresh samples are queryable at once (-search.latencyOffset=0s) and nothing is cached
    between queries, so a test sees what it just imported."""
    binary = find_binary("victoria-metrics")
    tmp_dir = Path(tmp_dir)
    tmp_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    argv = [
        binary,
        f"-storageDataPath={tmp_dir / 'vm-data'}",
        f"-httpListenAddr=127.0.0.1:{port}",
        "-search.latencyOffset=0s",
        "-search.disableCache",
        "-retentionPeriod=1",
        *extra_args,
    ]
    return Proc("victoria-metrics", argv, port, tmp_dir, ready_path="/health").start()


def alertmanager_config(receiver_url: str = "") -> dict:
    """Group per alert, wait 1 s: notifications and the API see alerts almost at once."""
    receiver: dict = {"name": "default"}
    if receiver_url:
        receiver["webhook_configs"] = [{"url": receiver_url, "send_resolved": True}]
    return {
        "route": {
            "receiver": "default",
            "group_by": ["..."],
            "group_wait": "1s",
            "group_interval": "1s",
            "repeat_interval": "1h",
        },
        "receivers": [receiver],
    }


def start_alertmanager(
    tmp_dir: Path,
    peers: Sequence[str] = (),
    extra_args: Sequence[str] = (),
    config: dict | None = None,
    port: int | None = None,
    cluster_port: int | None = None,
) -> Proc:
    """An Alertmanager; gossip is off unless `peers` ("127.0.0.1:port" cluster addresses) are given.

    For an HA pair pick both cluster ports with free_port() first, then start each with its own
    `cluster_port` and the other's "127.0.0.1:port" in `peers`.
    """
    binary = find_binary("prometheus-alertmanager", "alertmanager")
    tmp_dir = Path(tmp_dir)
    tmp_dir.mkdir(parents=True, exist_ok=True)
    (tmp_dir / "alertmanager.yml").write_text(yaml.safe_dump(config or alertmanager_config()))
    port = port or free_port()
    argv = [
        binary,
        f"--config.file={tmp_dir / 'alertmanager.yml'}",
        f"--storage.path={tmp_dir / 'alertmanager-data'}",
        f"--web.listen-address=127.0.0.1:{port}",
    ]
    if peers or cluster_port:
        cport = cluster_port or free_port()
        argv += [
            f"--cluster.listen-address=127.0.0.1:{cport}",
            f"--cluster.advertise-address=127.0.0.1:{cport}",
            "--cluster.gossip-interval=50ms",
            "--cluster.pushpull-interval=1s",
            "--cluster.settle-timeout=1s",
            *[f"--cluster.peer={p}" for p in peers],
        ]
    else:
        argv.append("--cluster.listen-address=")
    argv += list(extra_args)
    return Proc("alertmanager", argv, port, tmp_dir).start()


def start_exporter(metrics: Callable[[], str]) -> tuple[str, Callable[[], None]]:
    """A tiny /metrics endpoint: every scrape calls `metrics()`, so a test changes values between scrapes.

    Returns (url of /metrics, stop)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server API
            body = metrics().encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()

    return f"http://127.0.0.1:{server.server_address[1]}/metrics", stop


def wait_for(predicate: Callable[[], object], timeout: float = 15.0, interval: float = 0.2, what: str = "") -> object:
    """Poll until `predicate()` is truthy (exceptions count as not yet); return its value."""
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
            if last:
                return last
        except Exception as exc:  # the server may still be starting
            last = exc
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}: last={last!r}")
