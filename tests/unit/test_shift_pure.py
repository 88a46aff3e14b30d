"""The pure parts of the shift: silence problems, acks, history assembly and hand-over rendering."""

from __future__ import annotations

import json
from datetime import timedelta

from cockpit.analysis.acks import ack_label, ack_matchers, ack_owner, caught
from cockpit.analysis.handover import ShiftRecords, handover_data, handover_markdown, md
from cockpit.analysis.silence_problems import check_silence, projected_budget
from cockpit.model import Alert, AlertHistory, Matcher, Silence, SLOStatus, utcnow
from cockpit.sources.alert_history import assemble, coarser, step_for

NOW = utcnow()


def alert(name: str, **labels: str) -> Alert:
    lb = {"alertname": name, **labels}
    return Alert(fingerprint=f"fp-{name}-{labels.get('instance', '')}", name=name,
                 severity=labels.get("severity", "warning"), state="firing", labels=lb, starts_at=NOW)


def silence(*ms: Matcher, hours: float = 4, comment: str = "bob: maintenance", sid: str = "s1",
            start: float = 0) -> Silence:
    return Silence(sid, tuple(ms), NOW + timedelta(hours=start), NOW + timedelta(hours=hours), "bob", comment)


def test_ack_targets_the_selected_alert_never_only_its_name() -> None:
    a = alert("NodeDown", instance="n1:9100", job="node", severity="critical")
    other_cluster = alert("NodeDown", instance="n7:9100", job="node", cluster="eu", severity="critical")
    ms = ack_matchers(a)
    assert len(ms) > 1 and {m.name for m in ms} >= {"alertname", "instance"}
    assert caught(ms, [a, other_cluster]) == [a]


def test_ack_label_names_owner_and_age() -> None:
    a = alert("NodeDown", instance="n1:9100")
    ack = Silence("s9", tuple(ack_matchers(a)), NOW - timedelta(minutes=12), NOW + timedelta(minutes=3),
                  "alice@laptop", "ACK by alice: NodeDown acknowledged from cockpit")
    assert ack_label(a, [ack], NOW) == "ack alice 12m"
    assert ack_owner(Silence("x", (), NOW, NOW, "bob@host", "ACK")) == "bob"
    assert ack_label(a, [silence(Matcher("alertname", "NodeDown"))], NOW) == ""  # not an ack


def test_each_problem_and_a_clean_silence() -> None:
    alerts = [alert("DiskFull", namespace="infra"), alert("Api5xx", namespace="shop", service="checkout")]
    slo = SLOStatus("checkout", "availability", 0.999, status="page", burn_rates={"1h": 20.0}, budget_remaining=0.5)
    clean = check_silence(silence(Matcher("alertname", "DiskFull")), alerts, [slo], NOW)
    assert clean.problems == ()
    cases = {
        "matches-nothing": silence(Matcher("alertname", "Gone")),
        "expires-soon": silence(Matcher("alertname", "DiskFull"), hours=1, start=-5),  # a 6 h silence's last hour
        "broad": silence(Matcher("namespace", "infra")),
        "volatile-labels": silence(Matcher("alertname", "DiskFull"), Matcher("exported_pod", "api-7d9f8c6b5-x2x4z", )),
        "no-comment": silence(Matcher("alertname", "DiskFull"), comment="  ack. "),
        "long": silence(Matcher("alertname", "DiskFull"), hours=24 * 8),
        "hides-page": silence(Matcher("alertname", "Api5xx")),
    }
    for problem, s in cases.items():
        got = check_silence(s, alerts, [slo], NOW).problems
        assert problem in got, (problem, got)
    regex = check_silence(silence(Matcher("alertname", ".+", is_regex=True), Matcher("namespace", "infra")),
                          alerts, [slo], NOW)
    assert "broad" in regex.problems and "matches anything" in regex.details["broad"]
    many = [alert("Flood", instance=f"i{i}") for i in range(21)]
    assert "broad" in check_silence(silence(Matcher("alertname", "Flood")), many, [], NOW).problems
    assert "volatile-labels" not in check_silence(
        silence(Matcher("alertname", "DiskFull"), Matcher("service", "billing-gateway-proxy")), alerts, [], NOW).problems


def test_budget_projected_at_the_silence_end() -> None:
    slo = SLOStatus("checkout", "availability", 0.999, period="30d", burn_rates={"1h": 14.4}, budget_remaining=0.5)
    # 14.4x burns 2 % of a 30 d budget per hour
    assert abs(projected_budget(slo, 3600) - 0.48) < 1e-9


def test_history_assembly_counts_firings_and_edges() -> None:
    start, end, step = 1000.0, 2000.0, 10.0
    lb = {"__name__": "ALERTS", "alertname": "Flap", "alertstate": "firing", "severity": "warning"}
    series = [(lb, [(t, 1.0) for t in (1100, 1110, 1120, 1300, 1310)])]
    steady = {"__name__": "ALERTS", "alertname": "Old", "alertstate": "firing"}
    series.append((steady, [(t, 1.0) for t in range(1000, 2001, 10)]))
    edges = {"at_start": [(steady, 1.0)], "at_end": [(steady, 1.0)],
             "active_at": [({**steady, "__name__": "ALERTS_FOR_STATE"}, 400.0)]}
    got = {h.name: h for h in assemble(series, edges, start, end, step)}
    flap, old = got["Flap"], got["Old"]
    assert (flap.times_fired, flap.state, flap.firing_s) == (2, "resolved", 50.0)
    assert flap.first_fired.timestamp() == 1100 and flap.last_fired.timestamp() == 1310
    assert old.state == "firing" and old.first_fired.timestamp() == 400 and old.times_fired == 1
    assert step_for(43200, None) == 15 and step_for(30 * 86400, 15) > 15
    assert coarser(15, [({}, 2_000_000.0)]) > 15


HOSTILE = "[x](http://evil) \x1b]0;t\x07 **b** <i> `c` \u202ebidi # h"


def test_markdown_is_inert_and_json_escapes_controls() -> None:
    h = AlertHistory("fp1", HOSTILE, "critical", {"alertname": HOSTILE, "msg": HOSTILE}, NOW - timedelta(hours=1),
                     NOW, 3600, 1, "firing")
    sil = Silence("sid-1", (Matcher("alertname", HOSTILE),), NOW - timedelta(minutes=5), NOW + timedelta(hours=1),
                  HOSTILE, HOSTILE)
    r = ShiftRecords(start=NOW - timedelta(hours=12), end=NOW, history=[h], silences=[sil],
                     actions=[{"id": "a1", "at": NOW.isoformat(), "who": HOSTILE, "action": "silence",
                               "detail": {"matchers": [HOSTILE]}, "result": "ok: active sid-1"}])
    data = handover_data(r)
    text = handover_markdown(data)
    for bad in ("\x1b", "\x07", "\u202e", "[x](", "**b**", "<i>"):
        assert bad not in text, bad
    assert "\\# h" in text and "\\[x\\]\\(http" in text
    assert md("a_b*c") == "a\\_b\\*c"
    raw = json.dumps(data, ensure_ascii=True)
    assert "\x1b" not in raw and json.loads(raw)["alerts"][0]["labels"]["msg"] == HOSTILE
    bullets = [line for line in text.splitlines() if line.startswith("- ") and "configured" not in line
               and not line.startswith(("- none", "- nothing"))]
    assert all(line.endswith("`") for line in bullets if not line.startswith("- alert history")), bullets


def test_inherit_first_and_resolved_acks_closed() -> None:
    a = alert("Api5xx", severity="critical", namespace="shop")
    ack = Silence("ack-1", (Matcher("alertname", "DiskFull"),), NOW - timedelta(minutes=30), NOW + timedelta(minutes=5),
                  "alice", "ACK by alice: DiskFull")
    r = ShiftRecords(start=NOW - timedelta(hours=12), end=NOW, alerts=[a], silences=[ack])
    data = handover_data(r)
    (k,) = data["acks"]
    assert (k["state"], k["closed_reason"], k["owner"]) == ("closed", "alert resolved", "alice")
    assert [o["kind"] for o in data["open"]] == ["alert"]


def test_expires_soon_threshold_is_configurable(tmp_path) -> None:
    from cockpit.config import load_config
    from cockpit.shift import expires_soon_s

    path = tmp_path / "config.yaml"
    path.write_text("silence_expires_soon_s: 30m\n")
    limit = expires_soon_s(load_config({"config": str(path)}, env={}))
    s = silence(Matcher("alertname", "DiskFull"), hours=1, start=-3)
    alerts = [alert("DiskFull")]
    assert "expires-soon" in check_silence(s, alerts, [], NOW).problems  # default 2 h
    assert "expires-soon" not in check_silence(s, alerts, [], NOW, limit).problems


def test_a_silence_made_short_on_purpose_is_flagged_only_near_its_end() -> None:
    alerts = [alert("DiskFull")]
    made_for_1h = silence(Matcher("alertname", "DiskFull"), hours=1)  # the dialog's default, just created
    assert "expires-soon" not in check_silence(made_for_1h, alerts, [], NOW).problems
    later = NOW + timedelta(minutes=50)  # 10 min left: now it does surprise the next person
    assert "expires-soon" in check_silence(made_for_1h, alerts, [], later).problems
    made_for_3h = silence(Matcher("alertname", "DiskFull"), hours=3)
    assert "expires-soon" not in check_silence(made_for_3h, alerts, [], NOW).problems
    assert "expires-soon" in check_silence(made_for_3h, alerts, [], NOW + timedelta(hours=1, minutes=30)).problems
