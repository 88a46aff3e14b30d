"""The real app on hostile data, run in a terminal (the test gives it a pty): `python -m tests.hostile.hostile_app`.

Alerts come from an in-memory source (labels and annotations from the corpus, a 1 MB label value, a
10k-line annotation); pods, events and logs from fakekube over TLS with the real client; Marcus is
ClaudeMarcus against the fake Messages API answering with the corpus. Prints nothing itself.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import timedelta
from pathlib import Path

from cockpit.model import Alert, utcnow

DATA = Path(__file__).parents[1] / "data" / "hostile"


def corpus() -> dict[str, str]:
    cases = dict(json.loads((DATA / "corpus.json").read_text())["cases"])
    cases["huge_label"] = "A" * 1_000_000
    cases["long_annotation"] = "\n".join(f"line {i} \x1b[31mred\x1b[0m" for i in range(10_000))
    return cases


class HostileAlerts:
    name = "hostile-alerts"
    kind = "alertmanager"

    def fetch_alerts(self) -> list[Alert]:
        c = corpus()
        started = utcnow() - timedelta(minutes=5)
        return [Alert(fingerprint=f"fp{i}", name=f"Hostile {key} {text[:200]}", severity="critical",
                      state="firing", labels={"alertname": f"H{i}", "namespace": "shop", key: text[:1_000_000],
                                              "huge": c["huge_label"]},
                      annotations={"summary": text, "description": c["long_annotation"],
                                   "runbook_url": "http://evil.example/\x1b]8;;x\x07"},
                      starts_at=started, source=text[:100])
                for i, (key, text) in enumerate(c.items())]


def hostile_pods(c: dict[str, str]) -> list[dict]:
    from tests.fakekube import fixtures as fx

    blob = " ".join(v for k, v in c.items() if k not in ("huge_label", "long_annotation"))
    return [fx.pod("shop", f"evil-{k.replace('_', '-')}", "Running",
                   [fx.waiting("app", "shop/x:1", "CrashLoopBackOff", blob, 9, ("Error", 1))],
                   labels={"app": "evil", "note": v[:60]}) for k, v in list(c.items())[:6]]


def main() -> None:
    from cockpit.advisor.claude import ClaudeMarcus
    from cockpit.advisor.offline import OfflineMarcus
    from cockpit.advisor.persona import load_persona
    from cockpit.config import Config
    from cockpit.sources.hub import Hub
    from cockpit.sources.kubernetes import load_clusters
    from cockpit.ui.app import CockpitApp
    from tests.fakeanthropic.server import FakeAnthropic, Reply
    from tests.fakekube import FakeKube
    from tests.fakekube import fixtures as fx

    c = corpus()
    fake = FakeAnthropic().start()
    small = [v for k, v in c.items() if k not in ("huge_label", "long_annotation")]
    for _ in range(5):
        fake.queue(Reply.text(*small, c["long_annotation"][:20_000]))
    os.environ["ANTHROPIC_BASE_URL"] = fake.url
    tmp = Path(tempfile.mkdtemp(prefix="hostile-"))
    with FakeKube() as kube:
        pods = hostile_pods(c)
        kube.load({"pods": pods, "nodes": [fx.node("node-a")],
                   "events": [fx.event("shop", f"e{i}", ("Pod", p["metadata"]["name"]), "Warning", "BackOff",
                                       " ".join(small)) for i, p in enumerate(pods)]})
        log = (DATA / "log-invalid-utf8.bin").read_bytes() + "\n".join(small).encode()
        for p in pods:
            kube.set_log("shop", p["metadata"]["name"], "app", log)
        hub = Hub(alert_sources=[HostileAlerts()],
                  clusters=load_clusters(str(kube.kubeconfig(tmp / "kubeconfig"))))
        persona = load_persona("marcus")
        advisor = ClaudeMarcus(persona, api_key="sk-ant-api03-hostile-test", timeout_s=5, max_retries=0,
                               fallback=OfflineMarcus(persona))
        config = Config(alerts_interval_s=2, pods_interval_s=2, slos_interval_s=30, marcus_hourly_budget=0,
                        audit_log=str(tmp / "audit.jsonl"))
        CockpitApp(hub, config, advisor=advisor, layout="default").run()
        for cl in hub.clusters:
            cl.close()
    fake.stop()


if __name__ == "__main__":
    main()
