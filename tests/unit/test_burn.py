"""Burn-rate math (pure) and the engine's planning against an in-memory PromQuery.

The integration test (tests/integration/test_slo_prometheus.py) runs the same engine on a real
Prometheus; here we pin down the arithmetic, the status table and failure isolation precisely.
"""

from __future__ import annotations

import math
import threading
import time

import pytest

from cockpit.model import BURN_WINDOWS, SLOStatus
from cockpit.slo.burn import budget_remaining, burn_rate, exhaustion_s, status_for
from cockpit.slo.spec import SLOSpec
from cockpit.sources.base import SourceError
from cockpit.sources.slo_engine import SLOEngine, budget_history


def spec(name="availability", service="api", objective=0.999, period="30d") -> SLOSpec:
    return SLOSpec(
        service=service, name=name, objective=objective, period=period,
        error_query=f'sum(rate(errors_total{{slo="{name}"}}[{{{{.window}}}}]))',
        total_query=f'sum(rate(requests_total{{slo="{name}"}}[{{{{.window}}}}]))',
    )


def burns(**kw: float | None) -> dict[str, float | None]:
    out: dict[str, float | None] = dict.fromkeys(BURN_WINDOWS, 0.5)
    out.update({k.removeprefix("w"): v for k, v in kw.items()})
    return out


def test_burn_rate_and_budget():
    assert burn_rate(0.01, 0.99) == pytest.approx(1.0)
    assert burn_rate(0.0144, 0.999) == pytest.approx(14.4)
    assert burn_rate(None, 0.999) is None
    assert burn_rate(math.nan, 0.999) is None  # 0/0: no traffic is not "100% good"
    assert budget_remaining(0.0005, 0.999) == pytest.approx(0.5)
    assert budget_remaining(0.002, 0.999) == pytest.approx(-1.0)
    assert budget_remaining(None, 0.999) is None


def test_exhaustion_time_at_current_burn():
    day = 86400.0
    # half the 30d budget left, burning 10x: gone in 1.5 days
    assert exhaustion_s(0.5, 30 * day, 10.0) == pytest.approx(1.5 * day)
    assert exhaustion_s(-0.2, 30 * day, 2.0) == 0.0
    assert exhaustion_s(0.5, 30 * day, 0.0) is None
    assert exhaustion_s(None, 30 * day, 2.0) is None


@pytest.mark.parametrize(
    ("rates", "expected"),
    [
        (burns(w1h=15, w5m=15), "page"),
        (burns(w1h=15, w5m=2), "ok"),  # the short window says it already recovered
        (burns(w6h=7, w30m=6.5), "page"),
        (burns(w6h=7, w30m=5), "ok"),
        (burns(w1d=3.5, w2h=3.1), "ticket"),
        (burns(w3d=1.2, w6h=1.1), "ticket"),
        (burns(w3d=1.2, w6h=1.0), "ok"),  # thresholds are strict
        (burns(w1h=14.4, w5m=20), "ok"),
        (burns(), "ok"),
        (dict.fromkeys(BURN_WINDOWS), "no-data"),
        (burns(w1h=None), "no-data"),
        (burns(w1h=None, w6h=7, w30m=7), "page"),
    ],
)
def test_status_table(rates, expected):
    assert status_for(rates) == expected


class FakeProm:
    """An in-memory PromQuery: answers by substring, counts calls, can fail on purpose."""

    def __init__(self, answers: dict[str, list], fail: tuple[str, ...] = (), delay: float = 0.0):
        self.answers, self.fail, self.delay = answers, fail, delay
        self.calls: list[tuple[str, float | None]] = []
        self.active = self.peak = 0
        self._lock = threading.Lock()

    def query(self, promql, at=None):
        with self._lock:
            self.calls.append((promql, at))
            self.active += 1
            self.peak = max(self.peak, self.active)
        try:
            time.sleep(self.delay)
            for needle in self.fail:
                if needle in promql:
                    raise SourceError(f"prometheus http://x: bad_data: {needle}")
            for needle, rows in self.answers.items():
                if needle in promql:
                    return rows
            return []
        finally:
            with self._lock:
                self.active -= 1

    def query_range(self, promql, start, end, step):
        self.calls.append((promql, None))
        for needle, rows in self.answers.items():
            if needle in promql:
                return rows
        return []


def test_raw_queries_give_every_window_and_the_period():
    prom = FakeProm({'slo="availability"': [({}, 0.02)]})
    [st] = SLOEngine([spec()], prom, at=1700000000.0).fetch_slos()
    assert set(st.burn_rates) == {*BURN_WINDOWS, "30d"}
    assert st.burn_rates["5m"] == pytest.approx(20.0)
    assert st.status == "page"
    assert st.budget_remaining == pytest.approx(-19.0)
    assert st.queries["6h"] == spec().error_ratio_query("6h")
    assert all(at == 1700000000.0 for _, at in prom.calls)  # the pinned evaluation time is used


def test_recording_rules_are_batched_one_query_per_window():
    specs = [spec(f"slo-{i}") for i in range(20)]
    recorded = [({"sloth_service": "api", "sloth_slo": f"slo-{i}", "sloth_window": w}, 1.0)
                for i in range(20) for w in (*BURN_WINDOWS, "30d")]
    values = [({"sloth_service": "api", "sloth_slo": f"slo-{i}"}, 0.0001 * i) for i in range(20)]
    prom = FakeProm({"group by": recorded, "slo:sli_error:ratio_rate": values})
    engine = SLOEngine(specs, prom)
    statuses = engine.fetch_slos()
    assert engine.stats.queries == 1 + 8  # detection + one per window, for all 20 SLOs
    assert statuses[7].error_ratios["1h"] == pytest.approx(0.0007)
    assert statuses[7].queries["1h"] == 'slo:sli_error:ratio_rate1h{sloth_service="api", sloth_slo="slo-7"}'
    assert not any("errors_total" in q for q, _ in prom.calls)


def test_without_recording_rules_one_query_per_slo_and_window_bounded_concurrency():
    prom = FakeProm({"errors_total": [({}, 0.0)]}, delay=0.01)
    engine = SLOEngine([spec(f"s{i}") for i in range(10)], prom, max_concurrency=3)
    engine.fetch_slos()
    assert engine.stats.queries == 1 + 10 * 8
    assert prom.peak <= 3


def test_long_windows_are_cached_short_ones_are_not():
    clock = [0.0]
    prom = FakeProm({"errors_total": [({}, 0.0001)]})
    engine = SLOEngine([spec()], prom, long_ttl_s=300, clock=lambda: clock[0])
    engine.fetch_slos()
    clock[0] = 60
    prom.calls.clear()
    [st] = engine.fetch_slos()
    windows = sorted(q.split("[")[1].split("]")[0] for q, _ in prom.calls if "errors_total" in q)
    assert windows == sorted(["5m", "30m", "1h", "2h", "6h"])
    assert st.error_ratios["3d"] == pytest.approx(0.0001)  # served from the cache
    clock[0] = 400
    prom.calls.clear()
    engine.fetch_slos()
    assert sum("errors_total" in q for q, _ in prom.calls) == 8


def test_one_failing_slo_gets_an_error_others_are_fine():
    good, bad = spec("good"), spec("bad")
    prom = FakeProm({"errors_total": [({}, 0.0)]}, fail=('slo="bad"',))
    statuses = {s.name: s for s in SLOEngine([good, bad], prom).fetch_slos()}
    assert statuses["good"].status == "ok" and not statuses["good"].error
    assert statuses["bad"].status == "no-data"
    assert "bad_data" in statuses["bad"].error


def test_all_queries_failing_raises_source_error_for_the_hub():
    prom = FakeProm({}, fail=("",))
    with pytest.raises(SourceError, match="prometheus http://x"):
        SLOEngine([spec()], prom).fetch_slos()


def test_zero_traffic_is_no_data_never_full_budget():
    prom = FakeProm({"errors_total": [({}, math.nan)]})
    [st] = SLOEngine([spec()], prom).fetch_slos()
    assert st.status == "no-data"
    assert st.budget_remaining is None
    assert st.burn_rates["1h"] is None


def test_budget_history_converts_period_ratio_series():
    prom = FakeProm({"errors_total": [({}, [(100.0, 0.0), (200.0, 0.0005), (300.0, math.nan)])]})
    hist = budget_history(spec(), prom, 100.0, 300.0, points=3)
    assert hist == [(100.0, pytest.approx(1.0)), (200.0, pytest.approx(0.5))]
    assert prom.calls[0][0].startswith("slo:sli_error:ratio_rate30d")  # tries the recording rule first


def test_no_data_is_not_cached_so_a_filling_history_shows_up_on_the_next_refresh():
    prom = FakeProm({})  # Prometheus just started: nothing yet
    engine = SLOEngine([spec()], prom)
    [st] = engine.fetch_slos()
    assert st.status == "no-data" and st.error_ratios["3d"] is None
    prom.answers = {"errors_total": [({}, 0.0002)]}
    [st] = engine.fetch_slos()
    assert st.error_ratios["3d"] == pytest.approx(0.0002) and engine.stats.cached == 0


def test_error_text_from_the_backend_is_one_clean_line():
    class Hostile(FakeProm):
        def query(self, promql, at=None):
            if 'slo="x"' in promql:
                raise SourceError("prometheus: \x1b]0;pwned\x07bad\n[red]query[/red]")
            return [({}, 0.0)]

    statuses = {s.name: s for s in SLOEngine([spec("x"), spec("y")], Hostile({})).fetch_slos()}
    err = statuses["x"].error
    assert "\x1b" not in err and "\n" not in err and "pwned" not in err
    assert "[red]query[/red]" in err  # shown literally by the UI, never as markup


def test_budget_history_for_a_status_covers_the_period_up_to_the_pinned_time():
    prom = FakeProm({"errors_total": [({}, [(1000.0, 0.0005)])]})
    engine = SLOEngine([spec(period="7d")], prom, at=1000.0 + 7 * 86400)
    assert engine.budget_history_for(SLOStatus(service="api", name="availability", objective=0.999)) == [
        (1000.0, pytest.approx(0.5))
    ]
    assert engine.budget_history_for(SLOStatus(service="api", name="other", objective=0.999)) == []
