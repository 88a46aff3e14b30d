"""Pods in triage order, kept current incrementally: a watch update re-ranks only the pods that changed.

The order is exactly cockpit.analysis.triage's (`order_pods`); this is the same sort kept alive between
updates for a big cluster, where a full sort of 10k pods on every watch event would cost the event loop.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from operator import itemgetter
from typing import Generic, TypeVar

from cockpit.analysis.triage import HEALTHY, pod_problem_rank, sort_key
from cockpit.model import Pod

R = TypeVar("R")
Ranked = tuple[Pod, int, tuple, R]  # pod, rank, sort key, row
_SORT_KEY = itemgetter(2)
_RANK = itemgetter(1)
FEW_CHANGES = 500  # below this many changed pods the last order is patched; above, sorted afresh


class PodRanker(Generic[R]):
    """Ranks pods and builds one row per pod with `row(pod, rank, highlighted, now_bucket)`.

    A watch hands back the same Pod objects for pods that did not change, so each pod's rank, sort key
    and row are cached by identity: the row object survives (and so does whatever the table cached for
    it) until the pod, the highlight set or the 10 s clock bucket changes. Safe from several threads."""

    def __init__(self, row: Callable[[Pod, int, bool, datetime], R]) -> None:
        self.row = row
        self._cache: dict[int, Ranked[R]] = {}  # id(pod) -> (pod, rank, sort key, row)
        self._bucket = -1
        self._highlight: frozenset | None = None
        self._ranked: list[Ranked[R]] = []
        self._lock = threading.Lock()  # the watch and the full refresh both rank, from two threads

    def rank(self, pods: Sequence[Pod], now: datetime,
             highlight: frozenset = frozenset()) -> tuple[Sequence[Ranked[R]], int]:
        """The pods in triage order as (pod, rank, sort key, row) (read-only: no copy is made, a watch
        update of 10k pods should not pay for one), and how many are problems."""
        with self._lock:
            ranked = self._rank(pods, now, highlight)
        return ranked, bisect.bisect_left(ranked, HEALTHY, key=_RANK)  # ranked by rank first

    def _rank(self, pods: Sequence[Pod], now: datetime, hl: frozenset) -> list[Ranked[R]]:
        bucket = int(now.timestamp()) // 10  # 'restarted within the hour' may change as time passes
        # Ages in the rows move in 10 s steps: a pod that did not change keeps its row between watch
        # updates instead of being redrawn for a clock tick.
        shown_now = datetime.fromtimestamp(bucket * 10, tz=now.tzinfo)
        old = self._cache if self._bucket == bucket else {}
        new_hl = self._highlight is not hl  # ranks stay, only the rows' highlight flags change
        cache: dict[int, Ranked[R]] = {}
        fresh = []
        for p in pods:
            hit = old.get(id(p))
            if hit is None or hit[0] is not p:
                rank = pod_problem_rank(p, now)
                hit = (p, rank, sort_key(p, rank), self.row(p, rank, p.key in hl if hl else False, shown_now))
                fresh.append(hit)
            elif new_hl:
                _, rank, key, _ = hit
                hit = (p, rank, key, self.row(p, rank, p.key in hl if hl else False, shown_now))
            cache[id(p)] = hit
        if old and len(fresh) < FEW_CHANGES:  # a few changes: keep the last order, insert the new rows
            fresh_ids = {id(h[0]) for h in fresh}
            ranked = [cache[i] for h in self._ranked
                      if (i := id(h[0])) not in fresh_ids and i in cache and cache[i][0] is h[0]]
            for hit in fresh:
                bisect.insort(ranked, hit, key=_SORT_KEY)
        else:
            ranked = sorted(cache.values(), key=_SORT_KEY)
        self._cache, self._bucket, self._highlight, self._ranked = cache, bucket, hl, ranked
        return ranked
