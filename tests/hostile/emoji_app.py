"""The real app with emoji in an alert summary and in Marcus's answer: `python -m tests.hostile.emoji_app`.

For the width test in a real tmux (issue 22). Alerts come from an in-memory source, pods from fakekube
over TLS with the real client, Marcus is ClaudeMarcus against the fake Messages API, whose answer is
streamed in one-code-point deltas so every joiner, selector and modifier arrives in a chunk of its own.
"""

from __future__ import annotations

import os
import tempfile
from datetime import timedelta
from pathlib import Path

from cockpit.model import Alert, utcnow

SAMPLE = "⚠️ 👍🏽 👨‍💻 🇩🇪 1️⃣ 日本語 🫎🪿"  # the last two are newer than the C library's tables
ANSWER = f"{SAMPLE} The disk on node-a fills at 2 GiB/h; {SAMPLE} rotate the logs first. done."


class EmojiAlerts:
    name = "emoji-alerts"
    kind = "alertmanager"

    def fetch_alerts(self) -> list[Alert]:
        started = utcnow() - timedelta(minutes=7)
        summaries = [f"{SAMPLE} disk nearly full", "👍🏽 rolled out checkout", "plain text summary",
                     "🔥🔥 支付服务错误率升高 🇯🇵", "#️⃣ keycaps 0️⃣ and 🏴󠁧󠁢󠁳󠁣󠁴󠁿 tags"]
        return [Alert(fingerprint=f"fp{i}", name=f"Emoji{i}", severity="critical" if i < 2 else "warning",
                      state="firing", labels={"alertname": f"Emoji{i}", "namespace": "shop", "note": s},
                      annotations={"summary": s, "description": f"{s}\n{SAMPLE} second line"},
                      starts_at=started, source="emoji-alerts")
                for i, s in enumerate(summaries)]


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

    fake = FakeAnthropic().start()
    for _ in range(5):
        fake.queue(Reply.text(*ANSWER))
    os.environ["ANTHROPIC_BASE_URL"] = fake.url
    tmp = Path(tempfile.mkdtemp(prefix="emoji-"))
    with FakeKube() as kube:
        kube.load({"pods": [fx.pod("shop", "cart-7d9", "Running",
                                   [fx.waiting("app", "shop/cart:1", "CrashLoopBackOff", f"{SAMPLE} back-off", 9,
                                               ("Error", 1))]),
                            fx.pod("shop", "api-1", "Running", [fx.running("app", "shop/api:1")])],
                   "nodes": [fx.node("node-a")], "events": []})
        hub = Hub(alert_sources=[EmojiAlerts()], clusters=load_clusters(str(kube.kubeconfig(tmp / "kubeconfig"))))
        persona = load_persona("marcus")
        advisor = ClaudeMarcus(persona, api_key="sk-ant-api03-emoji-test", timeout_s=5, max_retries=0,
                               fallback=OfflineMarcus(persona))
        config = Config(alerts_interval_s=2, pods_interval_s=2, slos_interval_s=30, marcus_hourly_budget=0,
                        audit_log=str(tmp / "audit.jsonl"))
        CockpitApp(hub, config, advisor=advisor, layout="default").run()
        for cl in hub.clusters:
            cl.close()
    fake.stop()


if __name__ == "__main__":
    main()
