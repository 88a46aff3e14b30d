"""A spec-faithful fake Kubernetes API server over TLS, for the real `kubernetes` client and kubectl.

Read-only HTTP surface: discovery, /version, list (paging, selectors), watch (ADDED/MODIFIED/DELETED,
BOOKMARK, ERROR 410), get, pods/log as text/plain; Status objects for 400/401/403/404/405/410. Custom
resources (Sloth, Pyrra SLOs) exist only once their CRD is installed: before that their group is a 404.
Tests change the world through FakeKube's Python API (apply/delete/expire_watches/forbid/...).
"""

from __future__ import annotations

import base64
import bisect
import json
import socket
import ssl
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml

from tests.fakekube.selectors import field_selector, label_selector
from tests.fakekube.store import CUSTOM, RESOURCES, Store
from tests.fakekube.tls import make_cert

VERSION = {
    "major": "1", "minor": "31", "gitVersion": "v1.31.4-fakekube", "gitCommit": "0" * 40,
    "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.22.0",
    "compiler": "gc", "platform": "linux/amd64",
}


class ApiError(Exception):
    def __init__(self, code: int, reason: str, message: str, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.code, self.reason, self.message, self.details = code, reason, message, details or {}

    def status(self) -> dict[str, Any]:
        out = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
               "message": self.message, "reason": self.reason, "code": self.code}
        if self.details:
            out["details"] = self.details
        return out


def _resource_list(group_version: str, names: list[str]) -> dict[str, Any]:
    resources = []
    for name in names:
        kind, _, namespaced = RESOURCES[name]
        resources.append({"name": name, "singularName": kind.lower(), "namespaced": namespaced,
                          "kind": kind, "verbs": ["get", "list", "watch"]})
        if name == "pods":
            resources.append({"name": "pods/log", "singularName": "", "namespaced": True,
                              "kind": "Pod", "verbs": ["get"]})
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version,
            "resources": resources}


APPS = {"name": "apps", "versions": [{"groupVersion": "apps/v1", "version": "v1"}],
        "preferredVersion": {"groupVersion": "apps/v1", "version": "v1"}}
EVENTS_GROUP = {"name": "events.k8s.io", "versions": [{"groupVersion": "events.k8s.io/v1", "version": "v1"}],
                "preferredVersion": {"groupVersion": "events.k8s.io/v1", "version": "v1"}}
PARTIAL = "as=PartialObjectMetadataList"  # Accept: ...;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1


def event_v1(core: dict[str, Any]) -> dict[str, Any]:
    """A core/v1 Event as the apiserver serves it through events.k8s.io/v1 (same object, converted)."""
    src = core.get("source") or {}
    out: dict[str, Any] = {
        "metadata": core["metadata"], "eventTime": core.get("eventTime"), "regarding": core.get("involvedObject"),
        "reason": core.get("reason"), "note": core.get("message"), "type": core.get("type"),
        "action": core.get("action"), "reportingController": core.get("reportingComponent") or src.get("component"),
        "reportingInstance": core.get("reportingInstance") or src.get("host"),
        "deprecatedSource": src, "deprecatedFirstTimestamp": core.get("firstTimestamp"),
        "deprecatedLastTimestamp": core.get("lastTimestamp"), "deprecatedCount": core.get("count"),
    }
    if core.get("series"):
        out["series"] = core["series"]
    # eventTime stays null for events written through core/v1, as a real apiserver serves them (the
    # typed EventsV1Event model of the Python client rejects that: kubernetes-client/python#1616)
    return {k: v for k, v in out.items() if k == "eventTime" or v not in (None, {}, "")}


DISCOVERY: dict[str, dict[str, Any]] = {
    "/api": {"kind": "APIVersions", "versions": ["v1"],
             "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]},
    "/apis": {"kind": "APIGroupList", "apiVersion": "v1", "groups": [APPS]},
    "/apis/apps": {"kind": "APIGroup", "apiVersion": "v1", **APPS},
    "/api/v1": _resource_list("v1", ["pods", "nodes", "events", "namespaces", "configmaps"]),
    "/apis/apps/v1": _resource_list("apps/v1", ["deployments", "replicasets", "statefulsets", "daemonsets",
                                                "controllerrevisions"]),
    "/apis/events.k8s.io": {"kind": "APIGroup", "apiVersion": "v1", **EVENTS_GROUP},
    "/apis/events.k8s.io/v1": {**_resource_list("events.k8s.io/v1", ["events"]), "groupVersion": "events.k8s.io/v1"},
    "/version": VERSION,
}


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients hanging up mid-stream (a closed watch, a TLS shutdown) are normal here."""
        import sys

        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class FakeKube:
    """One fake cluster. Use as a context manager; `kubeconfig(...)` writes a kubeconfig for it."""

    def __init__(self, tokens: dict[str, str] | None = None, bookmark_interval: float = 1.0):
        self.store = Store()
        self.tokens = dict(tokens or {"token-admin": "admin"})  # bearer token -> user name
        self.forbidden: set[tuple[str, str, str, str]] = set()  # (resource, namespace, user, verb); "" = any
        self.logs: dict[tuple[str, str, str, bool], bytes] = {}
        self.requests: list[tuple[str, str]] = []  # (method, path?query) of every request
        self.open_watches: list[str] = []  # path?query of the watches being served now
        self.bookmark_interval = bookmark_interval
        self.fail_with: tuple[int, str] | None = None  # e.g. (503, "ServiceUnavailable"): every request fails
        self.expire_next_continue = False  # the next continue token gets 410, as after etcd compaction
        self.garbage: bytes | None = None  # answer every request 200 with this body (a captive portal)
        self.crds: set[str] = set()  # installed custom resources (store.CUSTOM), e.g. "servicelevelobjectives"
        self.stopping = threading.Event()
        self._dir = tempfile.TemporaryDirectory(prefix="fakekube-")
        self.dir = Path(self._dir.name)
        cert, key = make_cert(self.dir)
        self.ca_file = cert
        self.httpd = _Server(("127.0.0.1", 0), _handler(self))
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.url = f"https://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True, name="fakekube")

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> FakeKube:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        with self.store.cond:
            self.store.cond.notify_all()
        self.httpd.shutdown()
        self.httpd.server_close()
        self._dir.cleanup()

    def __enter__(self) -> FakeKube:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the test's knobs ---------------------------------------------------------------------
    def apply(self, resource: str, obj: dict[str, Any]) -> dict[str, Any]:
        return self.store.apply(resource, obj)

    def delete(self, resource: str, namespace: str, name: str) -> None:
        self.store.delete(resource, namespace, name)

    def load(self, objects: dict[str, list[dict[str, Any]]]) -> None:
        for resource, objs in objects.items():
            self.store.bulk_load(resource, objs)

    def install_crd(self, resource: str) -> None:
        """Serve a custom resource's API group, as once its CustomResourceDefinition is established."""
        assert resource in CUSTOM, resource
        self.crds.add(resource)

    def forbid(self, resource: str, namespace: str = "", user: str = "", verb: str = "") -> None:
        """Deny `verb` ("" = get, list and watch) of `resource` in `namespace` ("" = at the cluster scope
        only) to `user` ("" = everyone). Denied in one namespace means denied at the cluster scope, as
        with RBAC."""
        self.forbidden.add((resource, namespace, user, verb))

    def set_log(self, namespace: str, pod: str, container: str, text: bytes | str, previous: bool = False) -> None:
        self.logs[(namespace, pod, container, previous)] = text.encode() if isinstance(text, str) else text

    def kubeconfig(self, path: Path, contexts: dict[str, tuple[str, str]] | None = None,
                   current: str = "") -> Path:
        """Write a kubeconfig; contexts maps name -> (user token, namespace)."""
        contexts = contexts or {"fake": ("token-admin", "")}
        cfg = {
            "apiVersion": "v1", "kind": "Config",
            "clusters": [{"name": f"fake-{self.port}",
                          "cluster": {"server": self.url, "certificate-authority": str(self.ca_file)}}],
            "users": [{"name": f"user-{n}", "user": {"token": tok}} for n, (tok, _) in contexts.items()],
            "contexts": [{"name": n, "context": {"cluster": f"fake-{self.port}", "user": f"user-{n}",
                                                 **({"namespace": ns} if ns else {})}}
                         for n, (_, ns) in contexts.items()],
            "current-context": current or next(iter(contexts)),
        }
        path.write_text(yaml.safe_dump(cfg))
        return path


def _handler(fake: FakeKube) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        kube = fake

    return Handler


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    kube: FakeKube

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    # -- plumbing -------------------------------------------------------------------------------
    def _send(self, code: int, body: bytes, ctype: str = "application/json") -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, code: int, obj: Any) -> None:
        self._send(code, json.dumps(obj).encode())

    def _start_stream(self, ctype: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _end_stream(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _user(self) -> str:
        auth = self.headers.get("Authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        user = self.kube.tokens.get(token)
        if user is None:
            raise ApiError(401, "Unauthorized", "Unauthorized")
        return user

    def do_GET(self) -> None:  # noqa: N802
        self.kube.requests.append(("GET", self.path))
        url = urlsplit(self.path)
        params = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        try:
            if self.kube.garbage is not None:
                return self._send(200, self.kube.garbage, "text/html")
            if self.kube.fail_with:
                code, reason = self.kube.fail_with
                raise ApiError(code, reason, f"fakekube: {reason}")
            user = self._user()
            self._route(url.path.rstrip("/") or "/", params, user)
        except ApiError as err:
            self._json(err.code, err.status())
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _refuse(self) -> None:
        self.kube.requests.append((self.command, self.path))
        err = ApiError(405, "MethodNotAllowed", "the fake apiserver is read-only")
        self._json(405, err.status())

    do_POST = do_PUT = do_PATCH = do_DELETE = _refuse  # noqa: N815

    # -- routing --------------------------------------------------------------------------------
    def _custom(self) -> dict[str, list[str]]:
        """groupVersion -> resources of the installed CRDs."""
        out: dict[str, list[str]] = {}
        for res in sorted(self.kube.crds):
            out.setdefault(RESOURCES[res][1], []).append(res)
        return out

    def _discovery(self, path: str) -> dict[str, Any] | None:
        custom = self._custom()
        if path == "/apis":
            groups = [{"name": gv.split("/")[0], "versions": [{"groupVersion": gv, "version": gv.split("/")[1]}],
                       "preferredVersion": {"groupVersion": gv, "version": gv.split("/")[1]}} for gv in custom]
            return {**DISCOVERY[path], "groups": [APPS, EVENTS_GROUP, *groups]}
        gv = path.removeprefix("/apis/")
        if gv in custom:
            return _resource_list(gv, custom[gv])
        return DISCOVERY.get(path)

    def _route(self, path: str, params: dict[str, str], user: str) -> None:
        found = self._discovery(path)
        if found is not None:
            return self._json(200, found)
        parts = path.strip("/").split("/")
        if parts[:2] == ["api", "v1"]:
            gv, rest = "v1", parts[2:]
        elif parts[0] == "apis" and len(parts) > 3:
            gv, rest = "/".join(parts[1:3]), parts[3:]
        else:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        namespace = ""
        if len(rest) >= 3 and rest[0] == "namespaces":
            namespace, rest = rest[1], rest[2:]
        if gv == "events.k8s.io/v1" and rest == ["events"]:  # core events in their events.k8s.io form
            self._authorize(user, "list", "events", namespace)
            return self._list("events", namespace, params, convert=event_v1, group="events.k8s.io/v1")
        # A resource is served under its own group only; a CRD's group exists once it is installed
        if (not rest or rest[0] not in RESOURCES or RESOURCES[rest[0]][1] != gv
                or (rest[0] in CUSTOM and rest[0] not in self.kube.crds)):
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        resource = rest[0]
        if len(rest) == 1:
            verb = "watch" if params.get("watch") in ("1", "true") else "list"
            self._authorize(user, verb, resource, namespace)
            if verb == "watch":
                return self._watch(resource, namespace, params)
            return self._list(resource, namespace, params)
        name = rest[1]
        if len(rest) == 3 and resource == "pods" and rest[2] == "log":
            self._authorize(user, "get", "pods/log", namespace)
            return self._log(namespace, name, params)
        if len(rest) != 2:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        self._authorize(user, "get", resource, namespace)
        obj = self.kube.store.objects[resource].get((namespace, name))
        if obj is None:
            raise ApiError(404, "NotFound", f'{resource} "{name}" not found',
                           {"name": name, "kind": resource})
        self._json(200, obj)

    def _authorize(self, user: str, verb: str, resource: str, namespace: str) -> None:
        base = resource.split("/")[0]
        rules = [(r, ns) for r, ns, who, v in self.kube.forbidden
                 if who in ("", user) and r in (resource, base) and v in ("", verb)]
        denied = any(ns == namespace for _, ns in rules)
        if not namespace:  # the cluster scope needs access everywhere
            denied = denied or bool(rules)
        if denied:
            where = f'in the namespace "{namespace}"' if namespace else "at the cluster scope"
            api_version = RESOURCES[base][1]
            group = api_version.split("/")[0] if "/" in api_version else ""
            sub = resource.split("/")
            shown = f'"{sub[0]}/{sub[1]}"' if len(sub) > 1 else f'"{resource}"'
            qualified = f"{resource}.{group}" if group else resource  # as the apiserver names it
            raise ApiError(403, "Forbidden",
                           f'{qualified} is forbidden: User "{user}" cannot {verb} resource {shown} '
                           f'in API group "{group}" {where}', {"kind": base})

    # -- list -----------------------------------------------------------------------------------
    def _matcher(self, params: dict[str, str], namespace: str) -> Any:
        try:
            lsel = label_selector(params.get("labelSelector", ""))
            fsel = field_selector(params.get("fieldSelector", ""))
        except ValueError as exc:
            raise ApiError(400, "BadRequest", str(exc)) from None
        return lambda obj: ((not namespace or obj["metadata"].get("namespace") == namespace)
                            and lsel(obj) and fsel(obj))

    def _list(self, resource: str, namespace: str, params: dict[str, str], convert: Any = None,
              group: str = "") -> None:
        """convert/group: serve the objects in another group's form (core events as events.k8s.io/v1).
        An Accept of PartialObjectMetadataList answers metadata only, as kubectl get -o name asks."""
        partial = PARTIAL in self.headers.get("Accept", "")
        store = self.kube.store
        limit = int(params.get("limit") or 0)
        cont = params.get("continue", "")
        selective = bool(params.get("labelSelector") or params.get("fieldSelector"))
        match = self._matcher(params, namespace)
        with store.cond:
            list_rv, start = store.rv, 0
            keys = store.sorted_keys(resource)
            if cont:
                try:
                    token = json.loads(base64.urlsafe_b64decode(cont))
                    list_rv, start_key = int(token["rv"]), tuple(token["start"])
                except (ValueError, KeyError, TypeError):
                    raise ApiError(400, "BadRequest", "continue key is not valid") from None
                if self.kube.expire_next_continue:
                    self.kube.expire_next_continue = False
                    list_rv = -1
                if list_rv < store.floor:
                    raise ApiError(410, "Expired", "The provided continue parameter is too old to display "
                                   "a consistent list result. You can start a new list without the continue parameter.")
                start = bisect.bisect_left(keys, start_key)
            elif namespace:
                start = bisect.bisect_left(keys, (namespace, ""))
            objs, raw = store.objects[resource], store.raw[resource]
            page: list[bytes] = []
            i = start
            while i < len(keys) and (not limit or len(page) < limit):
                key = keys[i]
                if namespace and key[0] != namespace:
                    break
                if not selective or match(objs[key]):
                    if partial:
                        page.append(json.dumps({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                                                "metadata": objs[key]["metadata"]}).encode())
                    else:
                        page.append(json.dumps(convert(objs[key])).encode() if convert else raw[key])
                i += 1
            meta: dict[str, Any] = {"resourceVersion": str(list_rv)}
            more = i < len(keys) and (not namespace or keys[i][0] == namespace)
            if limit and more:
                token = {"rv": list_rv, "start": list(keys[i])}
                meta["continue"] = base64.urlsafe_b64encode(json.dumps(token).encode()).decode()
                if not selective:
                    end = len(keys) if not namespace else bisect.bisect_left(keys, (namespace + "\0", ""))
                    meta["remainingItemCount"] = end - i
        kind, api_version, _ = RESOURCES[resource]
        api_version = group or api_version
        if partial:
            kind, api_version = "PartialObjectMetadata", "meta.k8s.io/v1"
        head = json.dumps({"kind": f"{kind}List", "apiVersion": api_version, "metadata": meta})
        body = head[:-1].encode() + b',"items":[' + b",".join(page) + b"]}"
        self._send(200, body)

    # -- watch ----------------------------------------------------------------------------------
    def _watch(self, resource: str, namespace: str, params: dict[str, str]) -> None:
        store = self.kube.store
        match = self._matcher(params, namespace)
        bookmarks = params.get("allowWatchBookmarks") in ("1", "true")
        deadline = time.monotonic() + min(float(params.get("timeoutSeconds") or 1800), 1800)
        rv_param = params.get("resourceVersion", "")
        self._start_stream("application/json")

        def send(kind: str, obj: dict[str, Any]) -> None:
            self._chunk(json.dumps({"type": kind, "object": obj}).encode() + b"\n")

        def gone(rv: str) -> None:
            send("ERROR", ApiError(410, "Expired", f"too old resource version: {rv} ({store.floor})").status())
            self._end_stream()

        with store.cond:
            epoch, cut = store.expire_epoch, store.cut_epoch  # taken with the registration: a cut after it drops us
            if rv_param in ("", "0"):  # "any": start with the current state as ADDED events
                initial = [o for o in store.objects[resource].values() if match(o)]
                pos_rv = store.rv
            else:
                initial, pos_rv = [], int(rv_param)
                if pos_rv < store.floor:
                    return gone(rv_param)
            store.watchers += 1
            self.kube.open_watches.append(self.path)
        try:
            self._follow(resource, initial, pos_rv, epoch, cut, deadline, match, bookmarks, send, gone)
        finally:
            with store.cond:
                store.watchers -= 1
                self.kube.open_watches.remove(self.path)

    def _follow(self, resource: str, initial: list[dict[str, Any]], pos_rv: int, epoch: int, cut: int,
                deadline: float, match: Any, bookmarks: bool, send: Any, gone: Any) -> None:
        store, kube = self.kube.store, self.kube
        for obj in initial:
            send("ADDED", obj)
        last_bookmark = time.monotonic()
        while not kube.stopping.is_set() and time.monotonic() < deadline:
            with store.cond:
                if store.expire_epoch != epoch:
                    return gone(str(pos_rv))
                if store.cut_epoch != cut:  # no terminating chunk: the client sees a broken stream
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return None
                events = store.events_after(pos_rv)
                if not events:
                    store.cond.wait(min(self.kube.bookmark_interval, max(0.0, deadline - time.monotonic())))
                    events = store.events_after(pos_rv)
                current = store.rv
            for ev in events:
                pos_rv = ev.rv
                if ev.resource == resource and match(ev.obj):
                    send(ev.type, ev.obj)
            if bookmarks and time.monotonic() - last_bookmark >= self.kube.bookmark_interval:
                kind, api_version, _ = RESOURCES[resource]
                send("BOOKMARK", {"kind": kind, "apiVersion": api_version,
                                  "metadata": {"resourceVersion": str(max(current, pos_rv))}})
                pos_rv = max(pos_rv, current)
                last_bookmark = time.monotonic()
        self._end_stream()

    # -- logs -----------------------------------------------------------------------------------
    def _log(self, namespace: str, name: str, params: dict[str, str]) -> None:
        pod = self.kube.store.objects["pods"].get((namespace, name))
        if pod is None:
            raise ApiError(404, "NotFound", f'pods "{name}" not found', {"name": name, "kind": "pods"})
        names = [c["name"] for c in pod["spec"].get("containers", [])]
        container = params.get("container", "")
        if not container:
            if len(names) != 1:
                raise ApiError(400, "BadRequest", f"a container name must be specified for pod {name}, "
                               f"choose one of: [{' '.join(names)}]")
            container = names[0]
        elif container not in names + [c["name"] for c in pod["spec"].get("initContainers", [])]:
            raise ApiError(400, "BadRequest", f"container {container} is not valid for pod {name}")
        previous = params.get("previous") in ("1", "true")
        text = self.kube.logs.get((namespace, name, container, previous))
        if text is None:
            if previous:
                raise ApiError(400, "BadRequest",
                               f'previous terminated container "{container}" in pod "{name}" not found')
            text = b""
        if params.get("tailLines"):
            n = int(params["tailLines"])
            lines = text.splitlines(keepends=True)
            text = b"".join(lines[-n:]) if n else b""
        if params.get("limitBytes"):
            text = text[: int(params["limitBytes"])]
        if params.get("follow") in ("1", "true"):
            # Streamed like the kubelet does; the stream ends when the fake stops (no new lines here).
            self._start_stream("text/plain")
            if text:
                self._chunk(text)
            self.kube.stopping.wait(0.2)
            return self._end_stream()
        self._send(200, text, "text/plain")
