"""The label rules incidents join rows by (which rows belong together: tests/unit/test_incidents.py)."""

from __future__ import annotations

from cockpit.analysis.correlate import names_match, workload_of
from cockpit.sources.demo import DemoWorld


def test_name_rules():
    assert names_match("checkout", "checkout-api") and names_match("checkout-api", "checkout")
    assert not names_match("api", "checkout-api") and not names_match("check", "checkout")
    pod = next(p for p in DemoWorld(frozen=True).pods() if p.name.startswith("checkout-api-"))
    assert workload_of(pod) == ("deployment", "checkout-api")
    ledger = next(p for p in DemoWorld(frozen=True).pods() if p.name.startswith("ledger-"))
    assert workload_of(ledger) == ("statefulset", "ledger")
