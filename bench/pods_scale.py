"""10,000 pods: our list->parsed time and RSS vs `kubectl get pods -A -o json`, same fake apiserver.

    python bench/pods_scale.py [--pods 10000] [--runs 5] [--typed]

The fake apiserver (TLS, paging at 500 like kubectl) runs in a child process so its memory is not
counted. Reports medians of --runs; --typed also times the client's typed models for comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def median_time(fn, runs: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pods", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--typed", action="store_true", help="also time the typed V1Pod models (slow)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="pods-scale-"))
    kc = tmp / "kubeconfig"
    server = subprocess.Popen([sys.executable, "-m", "tests.fakekube", "--pods", str(args.pods),
                               "--kubeconfig", str(kc)], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == "ready"
        run(kc, tmp, args)
    finally:
        server.terminate()
        server.wait(timeout=10)


def run(kc: Path, tmp: Path, args: argparse.Namespace) -> None:
    import kubernetes.client  # noqa: F401 - count the library in the baseline, not in the pods

    from cockpit.sources.kube_parse import parse_pod
    from cockpit.sources.kubernetes import load_clusters

    base = rss_mb()
    [cluster] = load_clusters(str(kc))
    pods = cluster.list_pods()
    after = rss_mb()  # one list: what the cockpit holds, plus the allocator's high-water mark
    ours, pods = median_time(cluster.list_pods, args.runs)
    assert len(pods) == args.pods, len(pods)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    items, _ = cluster.list_parsed("pods", lambda obj: obj)  # kube_schema Structs, as the source decodes them
    parse_only, _ = median_time(lambda: [parse_pod(o) for o in items], args.runs)
    cmd = ["kubectl", "--kubeconfig", str(kc), "--cache-dir", str(tmp / "cache"), "get", "pods", "-A", "-o", "json"]

    def kubectl() -> int:
        out = subprocess.run(cmd, capture_output=True, check=True, timeout=300).stdout
        return len(json.loads(out)["items"]) if os.environ.get("BENCH_VERIFY") else len(out)

    subprocess.run(cmd, capture_output=True, check=True, timeout=300)  # warm the discovery cache
    kube_t, _ = median_time(kubectl, args.runs)
    print(f"pods: {len(pods)}   runs: {args.runs} (medians)")
    print(f"cockpit list->parsed (paged {cluster.page_size}, msgspec Structs): {ours:.2f} s   (parse only: {parse_only:.2f} s)")
    print(f"RSS: {base:.0f} MB before, {after:.0f} MB holding {len(pods)} Pods (+{after - base:.0f} MB), "
          f"peak {peak:.0f} MB during the lists")
    print(f"kubectl get pods -A -o json: {kube_t:.2f} s   ratio kubectl/cockpit: {kube_t / ours:.2f}x")
    if args.typed:
        from kubernetes import client

        api = client.CoreV1Api(cluster._api_client())

        def typed() -> int:
            n, cont = 0, None
            while True:
                page = api.list_pod_for_all_namespaces(limit=500, _continue=cont, _request_timeout=(5, 60))
                n += len(page.items)
                cont = page.metadata._continue
                if not cont:
                    return n

        typed_t, _ = median_time(typed, max(1, args.runs // 2))
        print(f"typed V1Pod models list: {typed_t:.2f} s   ratio typed/cockpit: {typed_t / ours:.2f}x")
    cluster.close()


if __name__ == "__main__":
    main()
