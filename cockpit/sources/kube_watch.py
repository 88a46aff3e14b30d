"""A pod cache kept current by LIST + WATCH, the way client-go's reflector does it.

List (paged) -> watch from the list's resourceVersion with bookmarks -> on 410 Gone relist at once;
on any other failure mark the cache stale (the error surfaces from list_pods), back off, relist.
A stream that ends normally (timeoutSeconds) is simply re-opened from the last resourceVersion.
"""

from __future__ import annotations

import random
import threading
from typing import TYPE_CHECKING, Any

from cockpit.model import Pod
from cockpit.sources.base import SourceError
from cockpit.sources.kube_errors import ForbiddenError, GoneError
from cockpit.sources.kube_parse import parse_pod
from cockpit.sources.kube_schema import POD, WATCH_EVENT, decode_json

if TYPE_CHECKING:
    from cockpit.sources.kubernetes import KubeCluster

BACKOFF_MAX_S = 30.0


class PodWatch:
    def __init__(self, cluster: KubeCluster) -> None:
        self.cluster = cluster
        self.cond = threading.Condition()
        self.pods: dict[tuple[str, str], Pod] = {}
        self.error: SourceError | None = None
        self.synced = False
        self.generation = 0
        self.relists = 0
        self.polling = False
        self._breaks = 0  # streams that broke in a row without delivering anything
        self._stop = threading.Event()
        self._wake = threading.Event()  # the apiserver answered a list again: end the backoff now
        self._resp: Any = None
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"kube-watch-{cluster.name}")

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        resp = self._resp
        if resp is not None:
            try:
                resp.shutdown()  # unblocks the reader thread's recv()
            except Exception:  # already closed is fine
                pass
        with self.cond:
            self.cond.notify_all()
        self._thread.join(timeout=0.5)  # a daemon thread: a list blocked in I/O is abandoned, not awaited

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _changed(self) -> None:
        self.generation += 1
        self.cond.notify_all()

    # -- the loop -------------------------------------------------------------------------------
    def _run(self) -> None:
        delay, rv = 0.5, ""
        while not self._stop.is_set():
            try:
                if not rv or self.polling:
                    rv = self._relist()
                if self.polling:
                    self._stop.wait(self.cluster.poll_interval_s)
                    continue
                try:
                    rv = self._watch(rv)
                except ForbiddenError:
                    self.polling = True  # RBAC allows list but not watch: poll lists instead
                    continue
                delay = 0.5
            except GoneError:
                rv = ""  # too old: relist now, this is routine
            except Exception as exc:
                if self._stop.is_set():
                    return
                woken = self._fail(exc if isinstance(exc, SourceError) else self.cluster.wrap(exc, "watch"), delay)
                rv = ""
                delay = 0.5 if woken else min(delay * 2, BACKOFF_MAX_S)

    def _fail(self, err: SourceError, delay: float) -> bool:
        with self.cond:
            self.error = err
            self._changed()
        woken = self._wake.wait(delay * random.uniform(0.8, 1.2))
        self._wake.clear()
        return woken

    def retry_now(self) -> None:
        """A direct list just succeeded: the cluster is back, so stop backing off."""
        self._wake.set()

    def _relist(self) -> str:
        ctx = self.cluster.name
        parsed, rv = self.cluster.list_parsed("pods", lambda obj: parse_pod(obj, ctx))
        pods = {(p.namespace, p.name): p for p in parsed}
        with self.cond:
            changed = not self.synced or self.error is not None or pods != self.pods
            self.pods, self.error, self.synced = pods, None, True
            self.relists += 1
            if changed:  # a relist after 410, or a poll, that finds nothing new is not a change
                self._changed()
        return rv

    def _watch(self, rv: str) -> str:
        resp = self.cluster.open_pod_watch(rv)
        self._resp = resp
        try:
            for line in resp:
                if self._stop.is_set():
                    break
                if line.strip():
                    rv = self._apply(line, rv)
                    self._breaks = 0
        except Exception as exc:
            if isinstance(exc, SourceError) or self._stop.is_set():
                raise
            if isinstance(exc, ValueError) or self._breaks >= 3:  # garbage, or a proxy cutting every stream
                raise self.cluster.wrap(exc, "watch") from None
            # The stream broke after it was open (LB idle timeout, apiserver restart): resume quietly.
            # If the apiserver is really gone, re-opening fails and that surfaces as the error.
            self._breaks += 1
            self._stop.wait(0.2)
        finally:
            self._resp = None
            resp.release_conn()
        return rv

    def _apply(self, line: bytes, rv: str) -> str:
        event = WATCH_EVENT.decode(line)
        kind, raw = event.type, event.object or None  # an empty Raw: no object
        if kind == "ERROR":
            obj = decode_json(raw) if raw is not None else {}
            obj = obj if isinstance(obj, dict) else {}
            if obj.get("code") == 410:
                raise GoneError(obj.get("message", "too old resource version"))
            raise SourceError(f"kubernetes {self.cluster.name}: watch error: {obj.get('message', obj)}")
        pod = POD.decode(raw) if raw is not None else None
        meta = pod.metadata if pod is not None else None
        new_rv = (meta and meta.resourceVersion) or rv
        if kind == "BOOKMARK" or pod is None:
            return new_rv
        parsed = parse_pod(pod, self.cluster.name)
        key = (parsed.namespace, parsed.name)
        with self.cond:
            if kind == "DELETED":
                self.pods.pop(key, None)
            else:
                self.pods[key] = parsed
            self._changed()
        return new_rv
