"""AlertmanagerSource and the Hub against real Alertmanager binaries (fed by a real Prometheus)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from cockpit.analysis.matchers import parse_matchers, preview, silence_matchers
from cockpit.analysis.sanitize import sanitize_line
from cockpit.model import Matcher, SilenceRequest, utcnow
from cockpit.sources.alertmanager import AlertmanagerSource
from cockpit.sources.http import MAX_ANNOTATION
from cockpit.sources.hub import Hub
from tests.integration.conftest import FIRING, HOSTILE_SUMMARY
from tests.support.promstack import Proc, free_port, start_alertmanager, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def am_source(firing: Proc) -> Iterator[AlertmanagerSource]:
    src = AlertmanagerSource(firing.url)
    yield src
    src.close()


def raw_alerts(url: str) -> list[dict]:
    return httpx.get(url + "/api/v2/alerts", timeout=5).json()


def by_name(alerts):
    return {a.name: a for a in alerts}


def test_lists_what_alertmanager_lists(firing: Proc, am_source: AlertmanagerSource) -> None:
    raw = {a["fingerprint"]: a for a in raw_alerts(firing.url)}
    alerts = am_source.fetch_alerts()
    assert {a.fingerprint for a in alerts} == set(raw)
    for alert in alerts:
        assert dict(alert.labels) == raw[alert.fingerprint]["labels"]
        assert alert.name == raw[alert.fingerprint]["labels"]["alertname"]
        assert alert.source == am_source.name
    named = by_name(alerts)
    assert FIRING <= set(named)
    assert "SlowBurnPending" not in named  # pending in Prometheus: never sent to Alertmanager
    shop = named["ShopHighErrorRate"]
    assert (shop.severity, shop.state, shop.namespace) == ("critical", "firing", "shop")
    assert shop.labels["pod"] == "checkout-api-1"  # only the pod above 5% fires
    assert shop.runbook_url == "https://runbooks.example/checkout"
    assert shop.starts_at is not None and shop.generator_url.startswith("http")


def test_hostile_annotations_arrive_verbatim_and_display_inert(am_source: AlertmanagerSource) -> None:
    hostile = by_name(am_source.fetch_alerts())["HostileAnnotation"]
    assert hostile.summary == HOSTILE_SUMMARY  # data is never interpreted on the way in
    description = hostile.annotations["description"]  # 100,000 characters in Alertmanager: bounded
    assert description.startswith("A" * MAX_ANNOTATION) and description.endswith("more chars dropped]")
    assert len(description) < MAX_ANNOTATION + 50
    shown = sanitize_line(hostile.summary)
    assert "[bold red]PWNED[/]" in shown  # markup shown literally, as typed
    assert "\x1b" not in shown and "\u202e" not in shown and "\u200b" not in shown


def exact(alerts):
    return silence_matchers(by_name(alerts)["DiskAlmostFull"], "exact")


def typed(_alerts):
    return parse_matchers('{alertname="DiskAlmostFull", namespace=~"inf.*"}')


@pytest.mark.parametrize("make_matchers", [exact, typed], ids=["exact", "typed-regex"])
def test_silence_then_expire(am_source: AlertmanagerSource, firing: Proc, make_matchers) -> None:
    hub = Hub(alert_sources=[am_source], silence_backends=[am_source])
    before = hub.refresh_alerts().alerts
    matchers = make_matchers(before)
    count, names, warning = preview(matchers, before)
    assert (count, names, warning) == (1, {"DiskAlmostFull"}, "")

    silence = hub.create_silence(SilenceRequest(tuple(matchers), 600, "oncall@test", "disk cleanup running"))
    assert silence.state == "active" and silence.id
    assert set(silence.matchers) == set(matchers)
    assert (silence.created_by, silence.comment) == ("oncall@test", "disk cleanup running")
    assert timedelta(seconds=590) < silence.ends_at - silence.starts_at <= timedelta(seconds=601)
    stored = httpx.get(f"{firing.url}/api/v2/silence/{silence.id}", timeout=5).json()
    assert {(m["name"], m["value"], m["isRegex"]) for m in stored["matchers"]} == {
        (m.name, m.value, m.is_regex) for m in matchers
    }

    try:
        after = hub.refresh_alerts()
        named = by_name(after.alerts)
        assert named["DiskAlmostFull"].state == "silenced"
        assert named["DiskAlmostFull"].silenced_by == (silence.id,)
        assert named["ShopHighErrorRate"].state == "firing"  # nothing else is hidden
        assert silence.id in {s.id for s in after.silences if s.state == "active"}
    finally:
        expired = hub.expire_silence(silence.id)
    assert expired.state == "expired"
    assert by_name(hub.refresh_alerts().alerts)["DiskAlmostFull"].state == "firing"


def test_silence_without_matchers_is_refused(am_source: AlertmanagerSource) -> None:
    from cockpit.sources.base import SourceError

    with pytest.raises(SourceError, match="at least one matcher"):
        am_source.create_silence(SilenceRequest((), 60, "me", "x"))
    # Alertmanager itself refuses a silence that would match everything; the message says why.
    with pytest.raises(SourceError, match=r"HTTP 400 Bad Request: .*empty"):
        am_source.create_silence(SilenceRequest((Matcher("nothing", ""),), 60, "me", "x"))


def test_check_reports_version(am_source: AlertmanagerSource) -> None:
    assert am_source.check().startswith("ok, Alertmanager 0.")
    assert am_source.check().endswith("no cluster")


# ------------------------------------------------------------------ several Alertmanagers


def post(url: str, alerts: list[dict]) -> None:
    httpx.post(url + "/api/v2/alerts", json=alerts, timeout=5).raise_for_status()


def pushed(*names: str, namespace: str = "shop") -> list[dict]:
    now = utcnow()
    return [
        {
            "labels": {"alertname": n, "namespace": namespace, "severity": "critical"},
            "annotations": {"summary": f"{n} is burning"},
            "startsAt": now.isoformat(),
            "endsAt": (now + timedelta(hours=1)).isoformat(),
        }
        for n in names
    ]


@pytest.fixture(scope="module")
def ha_pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Proc, Proc]]:
    """Two Alertmanagers gossiping silences, as an HA pair behind one Prometheus."""
    c1, c2 = free_port(), free_port()
    tmp = Path(tmp_path_factory.mktemp("ha"))
    a1 = start_alertmanager(tmp / "a1", peers=[f"127.0.0.1:{c2}"], cluster_port=c1)
    a2 = start_alertmanager(tmp / "a2", peers=[f"127.0.0.1:{c1}"], cluster_port=c2)
    yield a1, a2
    a1.stop()
    a2.stop()


def test_two_alertmanagers_deduplicate(ha_pair: tuple[Proc, Proc]) -> None:
    a1, a2 = ha_pair
    for am in ha_pair:  # Prometheus sends every alert to every replica
        post(am.url, pushed("CheckoutDown", "PaymentsSlow"))
    post(a2.url, pushed("OnlyOnReplicaTwo"))
    s1, s2 = AlertmanagerSource(a1.url), AlertmanagerSource(a2.url)
    hub = Hub(alert_sources=[s1, s2], silence_backends=[s1, s2])

    assert s1.check().endswith("cluster ready, 2 peers") or "cluster settling" in s1.check()
    result = hub.refresh_alerts()
    names = [a.name for a in result.alerts]
    assert sorted(names) == ["CheckoutDown", "OnlyOnReplicaTwo", "PaymentsSlow"]  # each once
    assert all(h.ok for h in result.health.values()) and set(result.health) == {s1.name, s2.name}

    silence = hub.create_silence(
        SilenceRequest((Matcher("alertname", "PaymentsSlow"),), 300, "oncall@test", "known")
    )
    # The silence went to replica one; gossip carries it to two, then both agree it is silenced.
    wait_for(lambda: any(s.id == silence.id for s in s2.fetch_silences()), timeout=10, what="gossip")
    result = hub.refresh_alerts()
    assert by_name(result.alerts)["PaymentsSlow"].state == "silenced"
    assert [s.id for s in result.silences].count(silence.id) == 1  # one silence, not one per replica
    assert by_name(result.alerts)["CheckoutDown"].state == "firing"


def test_alertmanager_down_keeps_last_alerts_and_recovers(tmp_path: Path) -> None:
    am = start_alertmanager(tmp_path / "am")
    try:
        post(am.url, pushed("CheckoutDown", "PaymentsSlow"))
        src = AlertmanagerSource(am.url)
        hub = Hub(alert_sources=[src], silence_backends=[src])
        assert len(hub.refresh_alerts().alerts) == 2

        am.kill()
        down = hub.refresh_alerts()
        health = down.health[src.name]
        assert not health.ok
        assert health.error.startswith("cannot connect")  # the name is beside it (health.name), once
        assert "\n" not in health.error
        assert sorted(a.name for a in down.alerts) == ["CheckoutDown", "PaymentsSlow"]  # last data kept

        am.start()  # same port: the configured URL works again
        post(am.url, pushed("CheckoutDown"))
        up = hub.refresh_alerts()
        assert up.health[src.name].ok
        assert [a.name for a in up.alerts] == ["CheckoutDown"]
    finally:
        am.stop()
