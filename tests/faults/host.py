"""The fault host: fakekube and every FaultProxy in their own process, driven over stdin.

Out of process so the servers' threads do not share the app's GIL: the key-latency assertion then
measures the app, not the test harness. Protocol, one line each way:
  in:  set NAME MODE | expire | bump | quit       out: ok [value] | error TEXT
First line out: "ready " + JSON {"proxies": {name: url}, "ca": path}.
"""

from __future__ import annotations

import copy
import json
import sys

from tests.fakekube import FakeKube
from tests.fakekube.fixtures import scenario
from tests.faults.proxy import FaultProxy


def main() -> None:
    upstreams = json.loads(sys.argv[1])  # name -> port of a plain HTTP upstream
    kube = FakeKube(bookmark_interval=0.5).start()
    kube.load(scenario())
    proxies = {name: FaultProxy(port) for name, port in upstreams.items()}
    tls = (kube.dir / "apiserver.crt", kube.dir / "apiserver.key")
    for name in ("ctx-a", "ctx-b"):
        proxies[name] = FaultProxy(kube.port, tls=tls)
    print("ready " + json.dumps({"proxies": {n: p.url for n, p in proxies.items()}, "ca": str(kube.ca_file)}),
          flush=True)
    try:
        for line in sys.stdin:
            words = line.split()
            if not words or words[0] == "quit":
                break
            try:
                print(f"ok {handle(words, kube, proxies)}", flush=True)
            except Exception as exc:  # report, keep serving
                print(f"error {type(exc).__name__}: {exc}", flush=True)
    finally:
        for p in proxies.values():
            p.close()
        kube.stop()


def handle(words: list[str], kube: FakeKube, proxies: dict[str, FaultProxy]) -> str:
    if words[0] == "set":
        proxies[words[1]].set(words[2])
        return ""
    if words[0] == "expire":  # etcd compaction: open and new watches from old versions get 410 Gone
        kube.store.expire_watches()
        return ""
    if words[0] == "bump":  # one more restart of monitoring/prometheus-0; returns the new count
        obj = copy.deepcopy(kube.store.objects["pods"][("monitoring", "prometheus-0")])
        status = obj["status"]["containerStatuses"][0]
        status["restartCount"] += 1
        kube.apply("pods", obj)
        return str(status["restartCount"])
    raise ValueError(f"unknown command {words[0]!r}")


if __name__ == "__main__":
    main()
