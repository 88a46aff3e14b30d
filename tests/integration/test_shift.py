"""The shift against real parts: a Prometheus whose alert rules fire, resolve and fire again during the
test, a real Alertmanager holding real silences, the journal on disk, and `cockpit handover` /
`cockpit silences` run as a user runs them.

This module starts its own Prometheus + Alertmanager (the promstack helpers): its silences are broad
on purpose and would mute the session stack's alerts under other tests.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import yaml

from cockpit.analysis.acks import ack_comment, ack_matchers
from cockpit.audit import AuditLog
from cockpit.cli import main
from cockpit.journal import Journal
from cockpit.model import AckRecord, Matcher, SilenceRequest, utcnow
from cockpit.sources.alertmanager import AlertmanagerSource
from tests.support.promstack import Proc, start_alertmanager, start_exporter, start_prometheus, wait_for

pytestmark = pytest.mark.integration

HOSTILE = "[click](http://evil.example) \x1b]0;pwned\x07 \x1b[31m<b>red</b> **bold** `tick` \u202eevil"
OBJECTIVE = 0.999
RULES = [
    {"alert": "ShiftFlap", "expr": 'shift_flag{alert="flap"} > 0', "for": "0s",
     "labels": {"severity": "warning", "namespace": "shop"}},
    {"alert": "ShiftSteady", "expr": 'shift_flag{alert="steady"} > 0', "for": "0s",
     "labels": {"severity": "critical", "namespace": "shop", "service": "checkout"}},
    {"alert": "ShiftHostile", "expr": "shift_hostile > 0", "for": "0s", "labels": {"severity": "warning"}},
    {"alert": "ShiftNeverFires", "expr": 'shift_flag{alert="steady"} > 0', "for": "1h",
     "labels": {"severity": "info"}},
]


@dataclass
class Stack:
    prom: Proc
    am: Proc
    flags: dict[str, float] = field(default_factory=dict)
    t0: float = field(default_factory=time.time)
    lock: threading.Lock = field(default_factory=threading.Lock)
    tmp: Path = Path()

    def render(self) -> str:
        dt = time.time() - self.t0
        with self.lock:
            lines = [f'shift_flag{{alert="{k}"}} {v!r}' for k, v in self.flags.items()]
        esc = HOSTILE.replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f'shift_hostile{{msg="{esc}"}} 1')
        # checkout: 10 % of requests fail, a burn of 100x against 99.9 %: page level
        lines.append(f'shift_requests_total{{code="500"}} {1000 + 10 * dt!r}')
        lines.append(f'shift_requests_total{{code="200"}} {1000 + 90 * dt!r}')
        return "\n".join(lines) + "\n"

    def set(self, alert: str, value: float) -> None:
        with self.lock:
            self.flags[alert] = value

    def firing(self) -> set[str]:
        body = httpx.get(self.prom.url + "/api/v1/alerts", timeout=2).json()
        return {a["labels"]["alertname"] for a in body["data"]["alerts"] if a["state"] == "firing"}

    def flags_for_cli(self) -> list[str]:
        return ["--prometheus", self.prom.url, "--alertmanager", self.am.url, "--slo", str(self.tmp / "slo.yaml"),
                "--config", str(self.tmp / "config.yaml")]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("shift")
    am = start_alertmanager(tmp / "am")
    st = Stack(prom=None, am=am, tmp=tmp)  # type: ignore[arg-type]
    url, stop = start_exporter(st.render)
    rules = tmp / "rules.yml"
    rules.write_text(yaml.safe_dump({"groups": [{"name": "shift", "interval": "1s", "rules": RULES}]}))
    st.prom = start_prometheus(tmp / "prom", scrape_targets=[url], rule_files=[rules], alertmanagers=[am.url])
    (tmp / "slo.yaml").write_text(yaml.safe_dump({"version": "prometheus/v1", "service": "checkout", "slos": [{
        "name": "availability", "objective": OBJECTIVE * 100,
        "sli": {"events": {"error_query": 'sum(rate(shift_requests_total{code="500"}[{{.window}}]))',
                           "total_query": "sum(rate(shift_requests_total[{{.window}}]))"}},
        "alerting": {"name": "CheckoutBurn"}}]}))
    (tmp / "config.yaml").write_text(yaml.safe_dump({"audit_log": str(tmp / "audit.jsonl"), "created_by": "alice@laptop"}))
    yield st
    st.prom.stop()
    am.stop()
    stop()


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str], env_state: Path) -> str:
    code = main(args)
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def raw_firing(prom: Proc, window_s: int) -> dict[str, list[float]]:
    """Ground truth: every raw ALERTS firing sample's timestamp, per alertname."""
    body = httpx.get(prom.url + "/api/v1/query", params={"query": f'ALERTS{{alertstate="firing"}}[{window_s}s]'},
                     timeout=5).json()
    return {r["metric"]["alertname"]: [float(t) for t, _ in r["values"]] for r in body["data"]["result"]}


def spans(ts: list[float], interval: float = 1.0) -> list[tuple[float, float]]:
    out = [[ts[0], ts[0]]]
    for t in ts[1:]:
        if t - out[-1][1] > 2.5 * interval:  # the test resolves for >= 3 s; a missed evaluation is not a gap
            out.append([t, t])
        else:
            out[-1][1] = t
    return [(a, b) for a, b in out]


@pytest.fixture(scope="module")
def shift(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Run a short shift: ShiftFlap fires, resolves, fires again (acked by alice), resolves; ShiftSteady
    and ShiftHostile keep firing; ShiftNeverFires stays pending."""
    state = tmp_path_factory.mktemp("state")
    journal = Journal(state / "cockpit" / "journal.sqlite")
    am = AlertmanagerSource(stack.am.url)
    stack.set("steady", 1)
    stack.set("flap", 1)
    wait_for(lambda: "ShiftFlap" in stack.firing(), timeout=20, what="ShiftFlap firing")
    time.sleep(3)
    stack.set("flap", 0)
    wait_for(lambda: "ShiftFlap" not in stack.firing(), timeout=10, what="ShiftFlap resolved")
    time.sleep(2)
    stack.set("flap", 1)
    wait_for(lambda: "ShiftFlap" in stack.firing(), timeout=10, what="ShiftFlap firing again")
    flap = wait_for(lambda: next((a for a in am.fetch_alerts() if a.name == "ShiftFlap"), None), timeout=10,
                    what="ShiftFlap in Alertmanager")
    audit = AuditLog(stack.tmp / "audit.jsonl", "alice@laptop")
    from cockpit.sources.hub import Hub

    hub = Hub(alert_sources=[am], silence_backends=[am], audit=audit)
    ack = hub.create_silence(SilenceRequest(ack_matchers(flap), 15 * 60, "alice@laptop", ack_comment("alice", flap)))
    journal.ack(AckRecord(ack.id, flap.fingerprint, flap.name, "alice", ack.starts_at, ack.ends_at, dict(flap.labels)))
    journal.incident_opened("inc-shop-1", "shop alerts flapping", "warning", "flag toggled by the test")
    journal.note("hypothesis", "ShiftFlap", "the flag exporter toggles it; not a real outage")
    time.sleep(2)
    stack.set("flap", 0)
    wait_for(lambda: "ShiftFlap" not in stack.firing(), timeout=10, what="ShiftFlap resolved again")
    wait_for(lambda: not any(a.name == "ShiftFlap" for a in am.fetch_alerts()), timeout=15,
             what="Alertmanager to resolve ShiftFlap")
    time.sleep(1.5)  # one more evaluation writes the stale marker
    journal.close()
    return {"journal": state / "cockpit" / "journal.sqlite", "ack": ack, "flap": flap}


def test_handover_lists_exactly_what_fired_and_resolved(stack: Stack, shift: dict, capsys, monkeypatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(shift["journal"].parent.parent))
    data = json.loads(run_cli(["handover", *stack.flags_for_cli(), "--since", "3m", "--format", "json"],
                              capsys, shift["journal"]))
    assert set(data) >= {"window", "alerts", "silences", "acks", "actions", "incidents", "slos", "open"}
    truth = raw_firing(stack.prom, 180)
    got = {a["name"]: a for a in data["alerts"]}
    assert set(got) == set(truth) == {"ShiftFlap", "ShiftSteady", "ShiftHostile"}  # pending never fired
    for name, ts in truth.items():
        a = got[name]
        real = spans(sorted(ts))
        first = time_of(a["first_fired"])
        last = time_of(a["last_fired"])
        assert abs(first - real[0][0]) <= 1.0, (name, first, real)  # within one evaluation interval
        if a["state"] == "resolved":
            assert abs(last - real[-1][1]) <= 1.0, (name, last, real)
        assert a["times_fired"] == len(real), (name, a["times_fired"], real)
        firing = sum(b - a_ + 1 for a_, b in real)
        assert abs(a["firing_s"] - firing) <= len(real) * 1.0 + 1, (name, a["firing_s"], firing)
    assert got["ShiftFlap"]["state"] == "resolved" and got["ShiftFlap"]["times_fired"] == 2
    assert got["ShiftSteady"]["state"] == "firing" and got["ShiftHostile"]["state"] == "firing"
    for key in ("name", "severity", "labels", "first_fired", "last_fired", "firing_s", "times_fired", "state"):
        assert key in got["ShiftFlap"]


def test_handover_acks_incidents_actions_slos(stack: Stack, shift: dict, capsys, monkeypatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(shift["journal"].parent.parent))
    data = json.loads(run_cli(["handover", *stack.flags_for_cli(), "--since", "3m", "--format", "json"],
                              capsys, shift["journal"]))
    (ack,) = [k for k in data["acks"] if k["silence_id"] == shift["ack"].id]
    assert (ack["owner"], ack["alertname"], ack["state"], ack["closed_reason"]) == ("alice", "ShiftFlap", "closed",
                                                                                    "alert resolved")
    ids = [i["id"] for i in data["incidents"]]
    assert "inc-shop-1" in ids and len(ids) == len(set(ids))  # the journal's, each once
    snap = json.loads(run_cli(["snapshot", *stack.flags_for_cli(), "--format", "json"], capsys, shift["journal"]))
    open_now = {i["id"] for i in snap["incidents"]}
    assert open_now and open_now <= set(ids)  # and every incident open now, from the live snapshot
    assert any(e["action"] == "silence" and e["result"].startswith("ok") for e in data["actions"])
    assert [s["id"] for s in data["silences"]["created"]] == [shift["ack"].id]
    for s in data["silences"]["created"]:
        assert set(s) >= {"id", "matchers", "created_by", "comment", "starts_at", "ends_at"}
    (slo,) = data["slos"]
    assert (slo["service"], slo["name"], slo["status"]) == ("checkout", "availability", "page")
    assert slo["budget_end"] is not None and slo["budget_end"] < 1
    kinds = [o["kind"] for o in data["open"]]
    n = kinds.count("incident")
    assert kinds[:n] == ["incident"] * n and kinds[n] == "alert" and data["open"][n]["text"] == "ShiftSteady"
    assert "ack" not in kinds  # the acked alert resolved: nothing dangling


def test_handover_markdown_every_line_has_its_id_and_hostile_text_is_inert(stack: Stack, shift: dict, capsys,
                                                                           monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(shift["journal"].parent.parent))
    out = tmp_path / "handover.md"
    run_cli(["handover", *stack.flags_for_cli(), "--since", "3m", "--out", str(out)], capsys, shift["journal"])
    text = out.read_text()
    (Path(stack.tmp) / "handover-example.md").write_text(text)
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    assert "[click](http" not in text and "<b>" not in text and "**bold**" not in text
    assert "\\[click\\]\\(http" in text
    bullets = [line for line in text.splitlines() if line.startswith("- ") and "configured" not in line
               and not line.startswith(("- alert history", "- ✖", "- none", "- nothing"))]
    assert bullets and all(line.rstrip().endswith("`") for line in bullets), [b for b in bullets if not b.endswith("`")]
    assert text.index("## You inherit") < text.index("## Alerts in the window")
    inherit = text.split("## You inherit")[1].split("##")[0]
    assert "inc-shop-1" in inherit and "ShiftSteady" in inherit and "ShiftFlap" not in inherit
    raw = run_cli(["handover", *stack.flags_for_cli(), "--since", "3m", "--format", "json"], capsys, shift["journal"])
    assert "\x1b" not in raw and "\u202e" not in raw and "\\u001b]0;pwned" in raw
    hostile = next(a for a in json.loads(raw)["alerts"] if a["name"] == "ShiftHostile")
    assert hostile["labels"]["msg"] == HOSTILE  # kept exactly, escaped by the JSON writer


def time_of(iso: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(iso).timestamp()


# -- silence hygiene: each problem reached by a real silence ---------------------------------------------

PROBLEM_SILENCES = {
    # name: (matchers, duration, comment, problems it must have)
    "clean": ([("alertname", "ShiftSteady", False), ("namespace", "shop", False)], "4h", "bob: db failover, ticket OPS-1",
              {"hides-page"}),
    "matches-nothing": ([("alertname", "NoSuchAlert", False)], "4h", "bob: planned maintenance", {"matches-nothing"}),
    "expires-soon": ([("alertname", "ShiftHostile", False)], "10m", "bob: known, fix deploying", {"expires-soon"}),
    # made short on purpose (the dialog's default): it lapses when its author planned, no surprise
    "short-on-purpose": ([("alertname", "ShiftHostile", False)], "1h", "bob: watching the deploy", set()),
    "broad": ([("namespace", "shop", False)], "4h", "bob: shop migration", {"broad", "hides-page"}),
    "broad-regex": ([("alertname", ".*", True), ("severity", "warning", False)], "4h", "bob: noisy night",
                    {"broad"}),
    "volatile-labels": ([("alertname", "ShiftHostile", False), ("pod", "checkout-api-7d9f8c6b5-x2x4z", False)], "4h",
                        "bob: this pod only", {"volatile-labels", "matches-nothing"}),
    "no-comment": ([("alertname", "ShiftHostile", False)], "4h", "ACK", {"no-comment"}),
    "long": ([("alertname", "ShiftHostile", False)], "8d", "bob: until the vendor fixes it", {"long"}),
}


@pytest.fixture(scope="module")
def problem_silences(stack: Stack, shift: dict) -> dict[str, str]:
    from cockpit.analysis.duration import parse_duration

    am = AlertmanagerSource(stack.am.url)
    wait_for(lambda: {"ShiftSteady", "ShiftHostile"} <= {a.name for a in am.fetch_alerts()}, timeout=15,
             what="alerts in Alertmanager")
    ids = {}
    for name, (ms, dur, comment, _) in PROBLEM_SILENCES.items():
        req = SilenceRequest(tuple(Matcher(n, v, is_regex=r) for n, v, r in ms), parse_duration(dur), "bob", comment)
        ids[name] = am.create_silence(req).id
    return ids


def test_each_silence_problem_is_reached_by_a_real_silence(stack: Stack, problem_silences: dict[str, str], capsys,
                                                           monkeypatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(stack.tmp / "xdg"))
    data = json.loads(run_cli(["silences", *stack.flags_for_cli(), "--format", "json"], capsys, stack.tmp))
    by_id = {s["id"]: s for s in data["silences"]}
    for name, sid in problem_silences.items():
        assert set(by_id[sid]["problems"]) == PROBLEM_SILENCES[name][3], (name, by_id[sid]["problems"], by_id[sid]["why"])
    ends = [s["ends_at"] for s in data["silences"]]
    assert ends == sorted(ends)  # soonest expiry first
    md = run_cli(["silences", *stack.flags_for_cli(), "--format", "markdown"], capsys, stack.tmp)
    assert all(f"`{sid}`" in md for sid in problem_silences.values())


def test_expiring_soon_silences_and_their_problems_in_the_handover(stack: Stack, shift: dict,
                                                                    problem_silences: dict[str, str], capsys,
                                                                    monkeypatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(shift["journal"].parent.parent))
    data = json.loads(run_cli(["handover", *stack.flags_for_cli(), "--since", "3m", "--format", "json"],
                              capsys, shift["journal"]))
    soon = {s["id"]: s for s in data["silences"]["expiring_soon"]}
    assert problem_silences["expires-soon"] in soon and problem_silences["long"] not in soon  # 8 d is past 8 h
    assert "expires-soon" in soon[problem_silences["expires-soon"]]["problems"]
    assert utcnow() - timedelta(minutes=5) < utcnow()


# -- extend and expire: read back, audited, the prior state checked --------------------------------------


def test_extend_then_expire_then_expire_again_says_already_expired(stack: Stack, tmp_path: Path) -> None:
    from cockpit.sources.base import ReadOnlyError
    from cockpit.sources.hub import Hub, NoChangeError

    am = AlertmanagerSource(stack.am.url)
    audit = AuditLog(tmp_path / "audit.jsonl", "carol@host")
    hub = Hub(alert_sources=[am], silence_backends=[am], audit=audit)
    s = hub.create_silence(SilenceRequest((Matcher("alertname", "ShiftHostile"),), 600, "carol", "carol: testing"))
    new_end = s.ends_at + timedelta(hours=2)
    extended = hub.extend_silence(s.id, new_end)
    assert abs((extended.ends_at - new_end).total_seconds()) < 1 and extended.state == "active"
    assert abs((am.get_silence(extended.id).ends_at - new_end).total_seconds()) < 1  # what Alertmanager holds
    hub.expire_silence(extended.id)
    with pytest.raises(NoChangeError, match=r"already expired by \d\d:\d\d:\d\d UTC \(carol@host\)"):
        hub.expire_silence(extended.id)
    results = [e["result"] for e in audit.entries() if not e["result"].startswith("started")]
    assert results[-1].startswith("no change: ") and results[-2].startswith("ok: expired")
    assert any(e["action"] == "extend" and e["result"].startswith("ok") for e in audit.entries())
    readonly = Hub(alert_sources=[am], silence_backends=[am], audit=audit, readonly=True)
    with pytest.raises(ReadOnlyError):
        readonly.extend_silence(extended.id, new_end)
    assert audit.entries()[-1]["result"] == "refused: read-only"
