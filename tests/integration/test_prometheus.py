"""PrometheusSource against the real Prometheus binary, and both HTTP sources against a small local
server that misbehaves (garbage JSON, 500, slow, 403) or checks auth headers."""

from __future__ import annotations

import base64
import math
import re
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from cockpit.config import HttpAuth
from cockpit.sources.alertmanager import AlertmanagerSource
from cockpit.sources.base import SourceError
from cockpit.sources.prometheus import PrometheusSource
from tests.fakekube.tls import make_cert
from tests.integration.conftest import FIRING, RULES, Exporter
from tests.support.promstack import Proc, free_port, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def prom(prometheus: Proc, firing: Proc) -> Iterator[PrometheusSource]:
    src = PrometheusSource(prometheus.url)
    yield src
    src.close()


def test_alerts_firing_and_pending_with_alertmanager_fingerprints(prom: PrometheusSource, firing: Proc) -> None:
    alerts = prom.fetch_alerts()
    states = {a.name: a.state for a in alerts}
    assert states == {**dict.fromkeys(FIRING, "firing"), "SlowBurnPending": "pending"}
    # The same alert seen through Alertmanager has the same key, so the UI can join the two.
    am = {a["labels"]["alertname"]: a["fingerprint"] for a in httpx.get(firing.url + "/api/v2/alerts").json()}
    for alert in alerts:
        if alert.state == "firing":
            assert alert.fingerprint == am[alert.name], alert.name
    shop = next(a for a in alerts if a.name == "ShopHighErrorRate")
    assert (shop.severity, shop.namespace, shop.labels["pod"]) == ("critical", "shop", "checkout-api-1")
    assert shop.starts_at is not None and shop.source == prom.name


def test_rules(prom: PrometheusSource) -> None:
    rules = {r.name: r for r in prom.rules()}
    assert set(rules) == set(RULES)
    pending = rules["SlowBurnPending"]
    assert (pending.kind, pending.state, pending.duration_s, pending.health) == ("alerting", "pending", 3600, "ok")
    assert rules["DiskAlmostFull"].query == "demo_disk_free_ratio < 0.1"
    assert prom.rules(kind="record") == []


def test_instant_queries(prom: PrometheusSource) -> None:
    rows = sorted(prom.query("demo_error_ratio"), key=lambda r: r[0]["pod"])
    assert [(r[0]["pod"], r[1]) for r in rows] == [("checkout-api-1", 0.2), ("checkout-api-2", 0.01)]
    assert rows[0][0]["__name__"] == "demo_error_ratio" and rows[0][0]["namespace"] == "shop"
    assert prom.query('sum(demo_requests_total{code="500"}) / sum(demo_requests_total)') == [({}, 10 / 1010)]
    assert prom.query("scalar(vector(3))") == [({}, 3.0)]
    assert prom.query("1/0") == [({}, math.inf)]
    [(labels, nan)] = prom.query("demo_not_a_number")
    assert labels["__name__"] == "demo_not_a_number" and math.isnan(nan)
    assert prom.query("time()", at=1_700_000_000.5) == [({}, 1_700_000_000.5)]
    assert prom.query('demo_error_ratio{pod="nope"}') == []


def test_query_sees_new_scrapes(prom: PrometheusSource, exporter: Exporter) -> None:
    exporter.set("demo_queue_depth", 42.0)
    wait_for(lambda: prom.query("demo_queue_depth") and prom.query("demo_queue_depth")[0][1] == 42.0,
             timeout=10, what="the new sample")
    exporter.set("demo_queue_depth", 7.0)
    wait_for(lambda: prom.query("demo_queue_depth")[0][1] == 7.0, timeout=10, what="the changed sample")


def test_query_range(prom: PrometheusSource) -> None:
    end = time.time()
    [(labels, points)] = prom.query_range('demo_disk_free_ratio{device="sda1"}', end - 4, end, 1)
    assert labels["device"] == "sda1"
    assert 3 <= len(points) <= 5
    assert all(end - 5 <= t <= end + 1 and v == 0.05 for t, v in points)
    assert [t2 - t1 for (t1, _), (t2, _) in zip(points, points[1:], strict=False)] == [1.0] * (len(points) - 1)


def test_bad_promql_says_what_prometheus_said(prom: PrometheusSource) -> None:
    with pytest.raises(SourceError) as err:
        prom.query("sum(rate(demo_requests_total[5m]")
    msg = str(err.value)
    assert msg.startswith(f"{prom.name}: HTTP 400 Bad Request: ") and "parse error" in msg
    assert "\n" not in msg and "b'" not in msg
    with pytest.raises(SourceError, match="range vector; use query_range"):
        prom.query("demo_error_ratio[5s]")


def test_check(prom: PrometheusSource) -> None:
    assert prom.check().startswith("ok, Prometheus 2.")


# ------------------------------------------------------------------ a misbehaving backend


class Misbehaving:
    """Dispatches on the first path segment: /garbage, /fail, /slow, /auth, then the API path."""

    ALERTS = b'{"status":"success","data":{"alerts":[{"labels":{"alertname":"X"},"state":"firing"}]}}'
    QUERY = b'{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"5"]}]}}'

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.tokens = {"Bearer s3cret"}
        self.seen: list[dict[str, str]] = []
        this = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server API
                this.handle(self)

            do_POST = do_DELETE = do_GET  # noqa: N815

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def handle(self, req: BaseHTTPRequestHandler) -> None:
        mode, _, api = req.path.lstrip("/").partition("/")
        self.seen.append(dict(req.headers))
        if mode == "slow":
            time.sleep(1.5)
        if mode == "garbage":
            return self.reply(req, 200, b"<html>gateway says hi", "application/json")
        if mode == "proxy":
            return self.reply(req, 502, b"<html><body><h1>502 Bad Gateway</h1>" + b"x" * 5000, "text/html")
        if mode == "fail":
            return self.reply(req, 500, b"internal error: db locked\n", "text/plain")
        if mode == "auth" and req.headers.get("Authorization") not in self.tokens:
            return self.reply(req, 403, b'{"status":"error","error":"tenant not allowed"}', "application/json")
        body = self.QUERY if "query" in api else b"[]" if api.startswith("api/v2") else self.ALERTS
        return self.reply(req, 200, body, "application/json")

    @staticmethod
    def reply(req: BaseHTTPRequestHandler, code: int, body: bytes, ctype: str) -> None:
        req.send_response(code)
        req.send_header("Content-Type", ctype)
        req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        try:
            req.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first (the timeout tests)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def bad() -> Iterator[Misbehaving]:
    server = Misbehaving()
    yield server
    server.close()


CALLS: dict[str, tuple[type, Callable]] = {
    "prometheus alerts": (PrometheusSource, lambda s: s.fetch_alerts()),
    "prometheus query": (PrometheusSource, lambda s: s.query("up")),
    "prometheus query_range": (PrometheusSource, lambda s: s.query_range("up", 0, 10, 1)),
    "alertmanager alerts": (AlertmanagerSource, lambda s: s.fetch_alerts()),
    "alertmanager silences": (AlertmanagerSource, lambda s: s.fetch_silences()),
}
FAILURES = {
    "garbage": r"invalid JSON",
    "fail": r"HTTP 500 Internal Server Error: internal error: db locked$",
    "slow": r"timed out after 0\.3s$",
    "auth": r"HTTP 403 Forbidden: tenant not allowed$",
    "proxy": r": HTTP 502 Bad Gateway$",
}


@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("mode", FAILURES)
def test_failures_are_one_clear_line(bad: Misbehaving, call: str, mode: str) -> None:
    cls, fn = CALLS[call]
    # Only the slow mode is about the timeout; the others get room on a loaded machine (CI shares it).
    source = cls(f"{bad.url}/{mode}", HttpAuth(timeout_s=0.3 if mode == "slow" else 5.0))
    started = time.monotonic()
    with pytest.raises(SourceError) as err:
        fn(source)
    msg = str(err.value)
    assert msg.startswith(f"{source.name}: ") and "\n" not in msg
    assert re.search(FAILURES[mode], msg), msg
    # no hidden retries stretching a failing refresh (a retry with back-off takes seconds)
    assert time.monotonic() - started < (1.2 if mode == "slow" else 3.0)


@pytest.mark.parametrize("call", CALLS)
def test_nothing_listening(call: str) -> None:
    cls, fn = CALLS[call]
    source = cls(f"http://127.0.0.1:{free_port()}", HttpAuth(timeout_s=1))
    with pytest.raises(SourceError, match=rf"^{source.name}: cannot connect \(\[Errno 111\] Connection refused\)$"):
        fn(source)


def test_auth_headers_reach_the_backend(bad: Misbehaving, tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("s3cret\n")
    auth = HttpAuth(bearer_token_file=str(token), headers={"X-Scope-OrgID": "tenant-1"}, timeout_s=2)
    prom = PrometheusSource(f"{bad.url}/auth", auth)
    assert [a.name for a in prom.fetch_alerts()] == ["X"]
    assert prom.query("up") == [({}, 5.0)]  # the PromQL path (prometheus-api-client) sends them too
    assert all(h.get("X-Scope-OrgID") == "tenant-1" for h in bad.seen[-2:])

    # A rotated token is picked up without restarting cockpit.
    bad.tokens = {"Bearer rotated"}
    token.write_text("rotated")
    assert [a.name for a in prom.fetch_alerts()] == ["X"]
    assert prom.query("up") == [({}, 5.0)]

    bad.tokens = {"Basic " + base64.b64encode(b"sre:pw").decode()}
    am = AlertmanagerSource(f"{bad.url}/auth", HttpAuth(username="sre", password="pw"))
    assert am.fetch_silences() == []
    with pytest.raises(SourceError, match="HTTP 403"):
        AlertmanagerSource(f"{bad.url}/auth", HttpAuth(username="sre", password="wrong")).fetch_silences()


def test_custom_ca_and_insecure(tmp_path: Path) -> None:
    cert, key = make_cert(tmp_path)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    server = Misbehaving(tls=ctx)
    try:
        for cls, count in ((PrometheusSource, 1), (AlertmanagerSource, 0)):
            with pytest.raises(SourceError, match=r"cannot connect \(TLS: CERTIFICATE_VERIFY_FAILED"):
                cls(f"{server.url}/ok", HttpAuth(timeout_s=2)).fetch_alerts()
            assert len(cls(f"{server.url}/ok", HttpAuth(ca_file=str(cert), timeout_s=2)).fetch_alerts()) == count
            assert len(cls(f"{server.url}/ok", HttpAuth(insecure=True, timeout_s=2)).fetch_alerts()) == count
        assert PrometheusSource(f"{server.url}/ok", HttpAuth(ca_file=str(cert))).query("up") == [({}, 5.0)]
        with pytest.raises(SourceError, match="TLS: CERTIFICATE_VERIFY_FAILED"):
            PrometheusSource(f"{server.url}/ok", HttpAuth(timeout_s=2)).query("up")
        with pytest.raises(SourceError, match="CA file .* not found"):
            PrometheusSource(server.url, HttpAuth(ca_file=str(tmp_path / "missing.pem")))
    finally:
        server.close()
