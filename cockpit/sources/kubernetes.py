"""Live Kubernetes state through the official `kubernetes` client, one ApiClient per context.

Kubeconfig is read like kubectl does (KUBECONFIG with several files, --kubeconfig, the current
context unless contexts are named, in-cluster config, exec auth plugins) and never written back.
Requests go through the client's ApiClient (auth, exec plugins, TLS, its urllib3 pool) by URL
path and come back as raw JSON parsed by kube_parse: the typed models are ~3x slower on big lists,
and importing the generated CoreV1Api/AppsV1Api modules alone costs ~1 s of CPU. Only GET requests
are made. `kubernetes` is imported lazily: it is heavy and must stay off the app's start-up path.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from cockpit.gcpause import gc_paused
from cockpit.model import Event, Node, Pod, PodDescription, Workload
from cockpit.sources import kube_exec
from cockpit.sources.base import LAZY_IMPORTS, SourceError
from cockpit.sources.kube_errors import Action, GoneError, from_api_exception, from_transport
from cockpit.sources.kube_parse import parse_event, parse_node, parse_pod, parse_workload, probes
from cockpit.sources.kube_schema import POD_LIST, PodJSON, decode_json
from cockpit.sources.kube_watch import PodWatch

T = TypeVar("T")
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 30.0
PAGE_SIZE = 1000  # per list page: half the round trips of 500 (launch with 10k pods 1.99 -> 1.72 s)
MAX_EVENTS = 1000
LOG_LIMIT_BYTES = 4 * 1024 * 1024
CREDENTIALS_RETRY_S = 30.0  # after an exec plugin failed or timed out, before it is run again
DEFAULT_CONTAINER = "kubectl.kubernetes.io/default-container"
SERVICE_ACCOUNT_DIR = Path("/var/run/secrets/kubernetes.io/serviceaccount")  # mounted into every pod

# resource -> (API group path, namespaced)
_RESOURCES: dict[str, tuple[str, bool]] = {
    "pods": ("/api/v1", True),
    "events": ("/api/v1", True),
    "nodes": ("/api/v1", False),
    "deployments": ("/apis/apps/v1", True),
    "statefulsets": ("/apis/apps/v1", True),
    "daemonsets": ("/apis/apps/v1", True),
    "replicasets": ("/apis/apps/v1", True),
    "controllerrevisions": ("/apis/apps/v1", True),  # these three: cockpit.sources.kube_changes
    "configmaps": ("/api/v1", True),
    "events.k8s.io": ("/apis/events.k8s.io/v1", True),
}
_KIND_RESOURCE = {"Deployment": "deployments", "StatefulSet": "statefulsets", "DaemonSet": "daemonsets",
                  "ReplicaSet": "replicasets"}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
WORKLOAD_KINDS = (("Deployment", "deployments"), ("StatefulSet", "statefulsets"), ("DaemonSet", "daemonsets"))


def api_path(resource: str, namespace: str = "", name: str = "", sub: str = "") -> str:
    """'/api/v1/namespaces/shop/pods/web-1/log'; namespace "" on a namespaced resource = all of them."""
    group, namespaced = _RESOURCES[resource]
    parts = [group]
    if namespaced and namespace:
        parts += ["namespaces", quote(namespace, safe="")]
    parts.append(resource)
    if name:
        parts.append(quote(name, safe=""))
    if sub:
        parts.append(sub)
    return "/".join(parts)


def _query(params: dict[str, Any]) -> list[tuple[str, str]]:
    """Drop unset parameters; booleans the way the apiserver reads them."""
    return [(k, ("true" if v else "false") if isinstance(v, bool) else str(v))
            for k, v in params.items() if v is not None and v != ""]


def default_kubeconfig() -> str:
    return os.environ.get("KUBECONFIG") or str(Path.home() / ".kube" / "config")


def _in_cluster() -> bool:
    return bool(os.environ.get("KUBERNETES_SERVICE_HOST"))


def load_clusters(kubeconfig: str = "", contexts: Sequence[str] = (), namespace: str = "",
                  exec_timeout_s: float | None = None) -> list[KubeCluster]:
    """One KubeCluster per requested context (default: the current one).

    Only reads the kubeconfig YAML (no `kubernetes` import, no exec plugin run): credentials load on
    the first request, in the caller's worker thread; an exec plugin is killed after `exec_timeout_s`.
    Raises SourceError when no kubeconfig can be read or a named context does not exist.
    """
    if exec_timeout_s is not None:
        kube_exec.set_timeout(exec_timeout_s)
    path = kubeconfig or default_kubeconfig()
    files = [Path(p).expanduser() for p in path.split(os.pathsep) if p]
    existing = [f for f in files if f.exists()]
    if not existing:
        if not kubeconfig and _in_cluster():
            return [KubeCluster("in-cluster", namespace=namespace, in_cluster=True)]
        raise SourceError(f"kubernetes: no kubeconfig at {path} (set KUBECONFIG or pass --kubeconfig)")
    known, users, current = _read_kubeconfigs(existing)
    wanted = list(contexts) or ([current] if current else [])
    if not wanted:
        raise SourceError(f"kubernetes: {path} has no current-context; pass --context "
                          f"(known: {', '.join(sorted(known)) or 'none'})")
    clusters = []
    for name in wanted:
        if name not in known:
            raise SourceError(f"kubernetes: no context {name!r} in {path} (known: {', '.join(sorted(known))})")
        user = users.get(str((known[name].get("context") or {}).get("user", ""))) or {}
        exec_cfg = (user.get("user") or {}).get("exec") or {}
        clusters.append(KubeCluster(name, kubeconfig=os.pathsep.join(map(str, existing)), namespace=namespace,
                                    exec_command=str(exec_cfg.get("command", ""))))
    return clusters


def _read_kubeconfigs(files: list[Path]) -> tuple[dict[str, dict], dict[str, dict], str]:
    """Merge like kubectl: the first file to define a name wins, and the first current-context wins
    (the Python client's merger takes the last current-context)."""
    import yaml

    contexts: dict[str, dict] = {}
    users: dict[str, dict] = {}
    current = ""
    for f in files:
        try:
            data = yaml.safe_load(f.read_text()) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise SourceError(f"kubernetes: cannot read kubeconfig {f}: {' '.join(str(exc).split())}") from None
        if not isinstance(data, dict):
            raise SourceError(f"kubernetes: {f} is not a kubeconfig (expected a mapping)")
        for key, into in (("contexts", contexts), ("users", users)):
            for item in data.get(key) or ():
                if isinstance(item, dict) and item.get("name"):
                    into.setdefault(str(item["name"]), item)
        _check_tls_flags(f, data)
        current = current or str(data.get("current-context") or "")
    return contexts, users, current


def _check_tls_flags(path: Path, data: dict) -> None:
    """The client reads `insecure-skip-tls-verify` by truthiness: a quoted "false" would turn TLS
    verification off. kubectl refuses such a file; so does cockpit."""
    for item in data.get("clusters") or ():
        cluster = (item.get("cluster") if isinstance(item, dict) else None) or {}
        flag = cluster.get("insecure-skip-tls-verify", False) if isinstance(cluster, dict) else False
        if not isinstance(flag, bool):
            raise SourceError(f"kubernetes: {path}: cluster {item.get('name', '?')!r}: insecure-skip-tls-verify "
                              f"must be true or false, not {type(flag).__name__} {str(flag)[:20]!r}")


class KubeCluster:
    """One context. Implements cockpit.sources.base.ClusterSource (name = context name)."""

    kind = "kubernetes"

    def __init__(self, name: str, *, kubeconfig: str = "", namespace: str = "", in_cluster: bool = False,
                 exec_command: str = "", page_size: int = PAGE_SIZE) -> None:
        self.name = name
        self.kubeconfig = kubeconfig
        self.namespace = namespace
        self.in_cluster = in_cluster
        self.exec_command = exec_command
        self.page_size = page_size
        self.poll_interval_s = 10.0  # only when RBAC allows list but not watch
        self.watch_timeout_s = (240, 360)  # server-side watch length, randomised to spread reconnects
        self.host = ""
        self._client: Any = None
        self._lock = threading.Lock()  # the watch and client slots; never held during I/O
        self._client_lock = threading.Lock()  # held while credentials load (an exec plugin can take a minute)
        self._loading_since: float | None = None
        self._credentials_failed: tuple[float, SourceError] | None = None  # when, and why
        self._watch: PodWatch | None = None
        self._seen_generation = 0

    # -- client ---------------------------------------------------------------------------------
    def _api_client(self) -> Any:
        client = self._client
        if client is not None:
            return client
        # Only one thread runs the exec plugin; the others say so at once instead of queueing behind it.
        if not self._client_lock.acquire(timeout=1.0 if self.exec_command else -1):
            raise self.waiting_for_credentials()
        try:
            if self._client is None:
                failed = self._credentials_failed
                if failed is not None and time.monotonic() - failed[0] < CREDENTIALS_RETRY_S:
                    raise failed[1]  # an SSO plugin is not re-run (a browser tab each time) every refresh
                self._loading_started(time.monotonic())
                try:
                    self._client = self._new_client()
                    self._credentials_failed = None
                except SourceError as exc:
                    if self.exec_command:
                        self._credentials_failed = (time.monotonic(), exc)
                    raise
                finally:
                    self._loading_started(None)
            return self._client
        finally:
            self._client_lock.release()

    def _loading_started(self, since: float | None) -> None:
        self._loading_since = since
        watch = self._watch
        if watch is not None and self.exec_command:  # a state change the screen shows ("waiting for
            with watch.cond:                           # credentials"): wake list_pods and wait_for_change
                watch.generation += 1
                watch.cond.notify_all()

    @property
    def credentials_pending(self) -> bool:
        """An exec plugin is running for this context's credentials."""
        return bool(self.exec_command) and self._loading_since is not None

    def waiting_for_credentials(self) -> SourceError:
        since = self._loading_since
        elapsed = f"{time.monotonic() - since:.0f}s, " if since is not None else ""
        return SourceError(f"kubernetes {self.name}: waiting for credentials from the exec plugin "
                           f"'{os.path.basename(self.exec_command)}' ({elapsed}gives up after {kube_exec.timeout_s():g}s)")

    def _new_client(self) -> Any:
        with LAZY_IMPORTS:  # see cockpit.sources.base
            from kubernetes import client, config

        try:
            if self.in_cluster:  # the pod's service account; its token is re-read as kubelet rotates it
                from kubernetes.config.incluster_config import InClusterConfigLoader

                cfg = client.Configuration()
                InClusterConfigLoader(token_filename=str(SERVICE_ACCOUNT_DIR / "token"),
                                      cert_filename=str(SERVICE_ACCOUNT_DIR / "ca.crt")).load_and_set(cfg)
            else:  # runs the exec plugin, if any; persist_config=False: never rewrite the user's file
                kube_exec.install()  # the plugin gets a time limit, its own process group, no terminal
                kube_exec.begin(self.name)
                cfg = client.Configuration()
                config.load_kube_config(config_file=self.kubeconfig, context=self.name,
                                        client_configuration=cfg, persist_config=False)
                if kube_exec.last_error():  # the client only logs a plugin failure
                    raise SourceError(kube_exec.last_error())
            # urllib3 retries 3 times by default: a hung apiserver would take 4 timeouts to show as
            # STALE. One retry covers a stale pooled connection; our refresh loop does the rest.
            cfg.retries = 1
            api = client.ApiClient(cfg)
        except Exception as exc:
            text = " ".join(str(exc).split())[:300]
            raise SourceError(f"kubernetes {self.name}: cannot load credentials: {text}") from None
        self.host = api.configuration.host
        return api

    def wrap(self, exc: BaseException, action: Action | str, timeout: tuple[float, float] | None = None,
             elapsed: float | None = None) -> SourceError:
        """Any failure -> SourceError with one actionable line; `timeout` is what the request used."""
        with LAZY_IMPORTS:
            from kubernetes.client.exceptions import ApiException

        if isinstance(exc, SourceError):
            return exc
        if isinstance(action, str):
            action = Action(action, "pods", self.namespace)
        if isinstance(exc, ApiException):
            return from_api_exception(exc, self.name, self.host, action, self.exec_command)
        if isinstance(exc, ValueError):  # json: a proxy or captive portal answered
            return SourceError(f"kubernetes {self.name} ({self.host}): unreadable answer to "
                               f"{action.verb} {action.resource}: {exc}")
        return from_transport(exc, self.name, self.host, timeout or (CONNECT_TIMEOUT_S, READ_TIMEOUT_S), elapsed)

    def _request(self, action: Action, path: str, timeout: tuple[float, float] | None = None,
                 **params: Any) -> Any:
        """One GET of `path`; returns the unread urllib3 response. Every call has connect and read
        timeouts; a non-2xx answer raises, as the generated API methods do."""
        timeout = timeout or (CONNECT_TIMEOUT_S, READ_TIMEOUT_S)
        accept = params.pop("_accept", "application/json")  # e.g. metadata-only lists (kube_changes)
        api = self._api_client()
        started = time.monotonic()
        try:
            return _send(api, path, _query(params), timeout, accept)
        except Exception as exc:
            if getattr(exc, "status", None) == 401:  # reload credentials next time: the user may log in again
                with self._lock:
                    self._client = None
            raise self.wrap(exc, action, timeout, time.monotonic() - started) from None

    def _get_bytes(self, action: Action, path: str, **params: Any) -> bytes:
        resp = self._request(action, path, **params)
        try:
            return resp.data
        except Exception as exc:  # the connection broke while the body was read
            raise self.wrap(exc, action) from None

    def _decode(self, action: Action, data: bytes, decode: Callable[[bytes], Any] = decode_json) -> Any:
        try:
            return decode(data)
        except Exception as exc:
            raise self.wrap(exc, action) from None

    def _get_json(self, action: Action, path: str, **params: Any) -> Any:
        return self._decode(action, self._get_bytes(action, path, **params))

    # -- lists ----------------------------------------------------------------------------------
    def list_parsed(self, resource: str, parse: Callable[[Any], T], namespace: str | None = None,
                    **params: Any) -> tuple[list[T], str]:
        """Paged with limit/continue; each page is parsed as it arrives so only one page of raw JSON
        is alive at a time. Pods are decoded into kube_schema Structs (the big list), the rest into
        dicts. Returns (parsed items, the list's resourceVersion)."""
        ns = self.namespace if namespace is None else namespace
        ns = ns if _RESOURCES[resource][1] else ""
        path, action = api_path(resource, ns), Action("list", resource, ns)
        decode = POD_LIST.decode if resource == "pods" else decode_json
        for _attempt in range(3):  # a continue token can expire (410) mid-way: start over
            out: list[T] = []
            cont, rv = "", ""
            try:
                while True:
                    data = self._get_bytes(action, path, limit=self.page_size, **{"continue": cont}, **params)
                    # Only decoding and parsing pause the collector (~1M surviving objects per 10k
                    # pods, see cockpit/gcpause.py), never the network wait: it is process-wide.
                    with gc_paused():
                        items, page_rv, cont = _page_parts(self._decode(action, data, decode))
                        out += [parse(obj) for obj in items]
                    del data
                    rv = rv or page_rv
                    if not cont:
                        return out, rv
            except GoneError:
                continue
        raise SourceError(f"kubernetes {self.name}: listing {resource} kept expiring; the cluster is very busy")

    def list_pods(self) -> list[Pod]:
        watch = self._watch
        if watch is not None and watch.running:
            with watch.cond:
                watch.cond.wait_for(lambda: watch.synced or watch.error is not None or self.credentials_pending,
                                    READ_TIMEOUT_S + 5)
                if watch.error is None:
                    if not watch.synced and self.credentials_pending:
                        raise self.waiting_for_credentials()
                    if not watch.synced:
                        raise SourceError(f"kubernetes {self.name}: the pod list is still loading")
                    return list(watch.pods.values())
            # The watch is backing off after a failure (up to 30 s): list now, so a cluster that is back
            # shows fresh pods at the next refresh; while it is still failing this raises the current error.
            pods = self.list_parsed("pods", self._parse_pod)[0]
            watch.retry_now()
            return pods
        return self.list_parsed("pods", self._parse_pod)[0]

    def _parse_pod(self, obj: PodJSON) -> Pod:
        return parse_pod(obj, self.name)

    def list_nodes(self) -> list[Node]:
        return self.list_parsed("nodes", lambda obj: parse_node(obj, self.name))[0]

    def list_workloads(self) -> list[Workload]:
        out: list[Workload] = []
        for kind, resource in WORKLOAD_KINDS:
            out += self.list_parsed(resource, partial(parse_workload, kind=kind, context=self.name))[0]
        return out

    def list_events(self, namespace: str | None = None, name: str | None = None) -> list[Event]:
        """Oldest first; the newest MAX_EVENTS are kept (events pile up on a big cluster)."""
        selector = f"involvedObject.name={name}" if name else None
        events, _ = self.list_parsed("events", lambda obj: parse_event(obj, self.name), namespace or None,
                                     fieldSelector=selector)
        events.sort(key=lambda e: e.last_seen or _EPOCH)
        return events[-MAX_EVENTS:]

    def list_changes(self) -> Any:
        """Revisions, ConfigMap edits and warning events (cockpit.sources.kube_changes), every 30 s at most."""
        from cockpit.sources.kube_changes import lister_for

        return lister_for(self).collect()

    # -- watch ----------------------------------------------------------------------------------
    def open_pod_watch(self, resource_version: str) -> Any:
        timeout_s = random.randint(*self.watch_timeout_s)
        return self._request(Action("watch", "pods", self.namespace), api_path("pods", self.namespace),
                             (CONNECT_TIMEOUT_S, timeout_s + 30), watch=True, resourceVersion=resource_version,
                             allowWatchBookmarks=True, timeoutSeconds=timeout_s)

    def start_watch(self) -> PodWatch:
        """Start the LIST+WATCH cache (idempotent, no I/O here): list_pods then reads the cache."""
        with self._lock:
            if self._watch is None or not self._watch.running:
                self._watch = PodWatch(self)
                self._watch.start()
            return self._watch

    def wait_for_change(self, timeout: float) -> bool:
        """Block until the pod set changed (True) or `timeout` passed (False). Starts the watch."""
        watch = self.start_watch()
        with watch.cond:
            changed = watch.cond.wait_for(lambda: watch.generation != self._seen_generation, timeout)
            self._seen_generation = watch.generation
            return changed

    def close(self) -> None:
        kube_exec.kill_running(self.name)  # a plugin still running must not outlive cockpit
        with self._lock:
            watch, self._watch = self._watch, None
            client, self._client = self._client, None
        if watch is not None:
            watch.close()
        if client is not None:
            client.close()

    # -- one pod --------------------------------------------------------------------------------
    def _read(self, resource: str, namespace: str, name: str) -> dict:
        return self._get_json(Action("get", resource, namespace, name), api_path(resource, namespace, name))

    def pod_logs(self, namespace: str, name: str, container: str | None = None, previous: bool = False,
                 tail: int = 500) -> str:
        """The raw log text (the UI sanitizes it); invalid UTF-8 shows as U+FFFD."""
        if not container:
            container = self._default_container(namespace, name)
        resp = self._request(Action("get", "pods/log", namespace, name), api_path("pods", namespace, name, "log"),
                             container=container or None, previous=previous or None, tailLines=tail or None,
                             limitBytes=LOG_LIMIT_BYTES)
        return resp.data.decode("utf-8", errors="replace")

    def _default_container(self, namespace: str, name: str) -> str:
        """Like kubectl: the default-container annotation, else the first container."""
        pod = self._read("pods", namespace, name)
        annotated = ((pod.get("metadata") or {}).get("annotations") or {}).get(DEFAULT_CONTAINER)
        names = [c.get("name", "") for c in (pod.get("spec") or {}).get("containers") or ()]
        return str(annotated) if annotated in names else (names[0] if names else "")

    def describe_pod(self, namespace: str, name: str) -> PodDescription:
        raw = self._read("pods", namespace, name)
        try:
            pod = parse_pod(raw, self.name)
        except ValueError as exc:  # a field of an unexpected type (msgspec.ValidationError)
            raise self.wrap(exc, Action("get", "pods", namespace, name)) from None
        chain, workload = self._owners(namespace, pod)
        node = None
        if pod.node:
            try:
                node = parse_node(self._read("nodes", "", pod.node), self.name)
            except SourceError:
                node = Node(pod.node, context=self.name)  # nodes may be forbidden by RBAC
        try:
            events = tuple(e for e in self.list_events(namespace, name) if e.involved_kind == "Pod")
        except SourceError:
            events = ()
        return PodDescription(pod=pod, owner_chain=tuple(chain), workload=workload, node=node,
                              events=events, probes=probes(raw))

    def _owners(self, namespace: str, pod: Pod) -> tuple[list[str], Workload | None]:
        """Pod -> ReplicaSet -> Deployment (or StatefulSet/DaemonSet/Job), with the workload's counts."""
        chain: list[str] = []
        workload = None
        kind, name = pod.owner_kind, pod.owner_name
        for _ in range(4):
            if not kind:
                break
            chain.append(f"{kind}/{name}")
            resource = _KIND_RESOURCE.get(kind)
            if resource is None:
                break
            try:
                obj = self._read(resource, namespace, name)
            except SourceError:
                break
            if kind != "ReplicaSet":
                workload = parse_workload(obj, kind, self.name)
            owner = next((r for r in (obj.get("metadata") or {}).get("ownerReferences") or ()
                          if r.get("controller")), None)
            kind, name = (owner.get("kind", ""), owner.get("name", "")) if owner else ("", "")
        return chain, workload

    # -- doctor -----------------------------------------------------------------------------------
    def check(self) -> str:
        """For `cockpit check`: server version, and that pods can be listed in the configured scope."""
        version = self._get_json(Action("get", "version"), "/version")
        self._get_json(Action("list", "pods", self.namespace), api_path("pods", self.namespace), limit=1)
        scope = f"namespace {self.namespace}" if self.namespace else "all namespaces"
        return f"kubernetes {self.name}: {self.host} server {version.get('gitVersion', '?')}, pods readable in {scope}"




def _page_parts(page: Any) -> tuple[Any, str, str]:
    """(items, resourceVersion, continue) of a list page, a PodListJSON or a dict."""
    if isinstance(page, dict):
        meta = page.get("metadata") or {}
        return page.get("items") or (), meta.get("resourceVersion") or "", meta.get("continue") or ""
    meta = page.metadata
    return page.items or (), (meta and meta.resourceVersion) or "", (meta and meta.continue_) or ""


def _send(api: Any, path: str, query: list[tuple[str, str]], timeout: tuple[float, float],
          accept: str = "application/json") -> Any:
    """GET through the ApiClient: its auth settings (bearer token, refreshed by exec plugins), TLS
    and pool. Both generations of the generated client are supported (>= 37 serializes separately)."""
    headers = {"Accept": accept}
    if not hasattr(api, "param_serialize"):  # kubernetes < 37: raises ApiException on non-2xx itself
        return api.call_api(path, "GET", query_params=query, header_params=headers, auth_settings=["BearerToken"],
                            _preload_content=False, _return_http_data_only=True, _request_timeout=timeout)
    from kubernetes.client.exceptions import ApiException

    method, url, headers, _, _ = api.param_serialize("GET", path, query_params=query, header_params=headers,
                                                     auth_settings=["BearerToken"])
    resp = api.call_api(method, url, headers, _request_timeout=timeout)
    if not 200 <= resp.status <= 299:
        resp.read()
        ApiException.from_response(http_resp=resp, body=None, data=None)  # raises the status's subclass
    return resp.response
