"""Session-wide real Prometheus + Alertmanager, fed by a tiny exporter and a rule file whose alerts
fire within a few seconds (one of them carrying hostile annotation text).

Started only when a test asks for them; shared by every test of the session to keep the suite fast.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from tests.support.promstack import Proc, start_alertmanager, start_exporter, start_prometheus, wait_for

# Annotation text a hostile cluster could carry: Rich markup, an OSC 8 hyperlink, a CSI colour, a
# bidi override, a zero-width space, and a huge description. No "{{": Prometheus templates annotations.
HOSTILE_SUMMARY = (
    "[bold red]PWNED[/] \x1b]8;;http://evil.example\x07click\x1b]8;;\x07 "
    "\x1b[31mred\x1b[0m \u202eesrever\u202c zero\u200bwidth"
)
HOSTILE_DESCRIPTION = "A" * 100_000

# name -> (expr, for, labels, annotations); expected state once the rules have run for a few seconds
RULES = {
    "ShopHighErrorRate": (
        'demo_error_ratio{namespace="shop"} > 0.05', "0s",
        {"severity": "critical", "service": "checkout"},
        {"summary": "checkout error ratio above 5%", "runbook_url": "https://runbooks.example/checkout"},
    ),
    "DiskAlmostFull": (
        "demo_disk_free_ratio < 0.1", "0s", {"severity": "warning", "namespace": "infra"},
        {"summary": "disk nearly full"},
    ),
    "HostileAnnotation": (
        "vector(1)", "0s", {"severity": "warning", "namespace": "shop"},
        {"summary": HOSTILE_SUMMARY, "description": HOSTILE_DESCRIPTION},
    ),
    "Watchdog": ("vector(1)", "0s", {"severity": "none"}, {"summary": "always firing"}),
    "SlowBurnPending": ("vector(1)", "1h", {"severity": "info", "namespace": "shop"}, {"summary": "pending for 1h"}),
}
FIRING = {"ShopHighErrorRate", "DiskAlmostFull", "HostileAnnotation", "Watchdog"}


@dataclass
class Exporter:
    """Metric values a test can change; Prometheus scrapes them every second."""

    url: str = ""
    values: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def set(self, series: str, value: float) -> None:
        with self.lock:
            self.values[series] = value

    def render(self) -> str:
        with self.lock:
            return "".join(f"{series} {format_value(value)}\n" for series, value in self.values.items())


def format_value(value: float) -> str:
    return "NaN" if math.isnan(value) else repr(value)


def write_rules(path: Path) -> Path:
    rules = [
        {"alert": name, "expr": expr, "for": for_, "labels": labels, "annotations": annotations}
        for name, (expr, for_, labels, annotations) in RULES.items()
    ]
    path.write_text(yaml.safe_dump({"groups": [{"name": "cockpit-test", "interval": "1s", "rules": rules}]}))
    return path


@pytest.fixture(scope="session")
def exporter() -> Iterator[Exporter]:
    exp = Exporter()
    exp.set('demo_error_ratio{namespace="shop",pod="checkout-api-1"}', 0.2)
    exp.set('demo_error_ratio{namespace="shop",pod="checkout-api-2"}', 0.01)
    exp.set('demo_disk_free_ratio{namespace="infra",device="sda1"}', 0.05)
    exp.set('demo_requests_total{code="200"}', 1000.0)
    exp.set('demo_requests_total{code="500"}', 10.0)
    exp.set("demo_not_a_number", float("nan"))
    exp.url, stop = start_exporter(exp.render)
    yield exp
    stop()


@pytest.fixture(scope="session")
def alertmanager(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proc]:
    am = start_alertmanager(tmp_path_factory.mktemp("alertmanager"))
    yield am
    am.stop()


@pytest.fixture(scope="session")
def prometheus(tmp_path_factory: pytest.TempPathFactory, exporter: Exporter, alertmanager: Proc) -> Iterator[Proc]:
    tmp = tmp_path_factory.mktemp("prometheus")
    prom = start_prometheus(
        tmp, scrape_targets=[exporter.url], rule_files=[write_rules(tmp / "rules.yml")],
        alertmanagers=[alertmanager.url],
    )
    yield prom
    prom.stop()


@pytest.fixture(scope="session")
def firing(prometheus: Proc, alertmanager: Proc) -> Proc:
    """The stack once every firing rule's alert has reached Alertmanager (takes ~5-8 s, once)."""
    import httpx

    def names() -> bool:
        alerts = httpx.get(alertmanager.url + "/api/v2/alerts", timeout=2).json()
        return FIRING <= {a["labels"]["alertname"] for a in alerts}

    wait_for(names, timeout=30, what="alerts to reach Alertmanager")
    return alertmanager
