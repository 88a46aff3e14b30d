"""The pods pane's incremental ranking (cockpit.analysis.ranking) must give exactly the order of a full sort."""

import random
from dataclasses import replace
from datetime import timedelta

from cockpit.analysis.triage import order_pods
from cockpit.model import Pod, utcnow
from cockpit.ui.panes.pods import PodsPane

REASONS = ["Running", "Running", "Running", "CrashLoopBackOff (OOMKilled, exit 137)", "ImagePullBackOff", "Completed"]


def test_incremental_ranking_matches_a_full_sort():
    rnd = random.Random(7)
    now = utcnow()
    pods = [Pod(f"ns{rnd.randrange(5)}", f"pod-{i}", "Running", 1, 1, rnd.randrange(4), "Running", "n",
                now - timedelta(hours=i), "c") for i in range(2000)]
    pane = PodsPane()  # prepare() ranks through the widget-free PodRanker (cockpit.analysis.ranking)
    for _ in range(30):
        for _ in range(rnd.randrange(1, 40)):  # a watch burst: modify, add and delete pods
            i = rnd.randrange(len(pods))
            action = rnd.random()
            if action < 0.7:
                r = rnd.choice(REASONS)
                pods[i] = replace(pods[i], reason=r, ready=0 if "BackOff" in r else 1, restarts=rnd.randrange(20))
            elif action < 0.85:
                pods.append(Pod("ns9", f"new-{rnd.randrange(10**9)}", "Pending", 0, 1, 0, "Pending", "", now, "c"))
            else:
                pods.pop(i)
        if rnd.random() < 0.3:  # the selection elsewhere changed: other pods are highlighted
            pane.highlight = frozenset(p.key for p in rnd.sample(pods, 5))
        view = pane.prepare(list(pods), now)
        assert [p.name for p in view.shown] == [p.name for _, p in order_pods(pods, now)]
        assert {item[1].key for item in view.rows.items.values() if item[2]} == pane.highlight & {p.key for p in pods}
        assert view.problems == sum(1 for r, _ in order_pods(pods, now) if r < 9)
