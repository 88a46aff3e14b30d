"""Build the Hub from the configuration: which sources exist and how to reach them.

Heavy client libraries (kubernetes, prometheus-api-client) are imported inside the source modules
when first used, not here, so the first frame is not held up by imports.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from cockpit.audit import AuditLog
from cockpit.config import Config
from cockpit.model import utcnow
from cockpit.sources.base import ClusterSource, SourceError
from cockpit.sources.hub import Hub

if TYPE_CHECKING:
    from cockpit.sources.fleet import FleetSource
    from cockpit.sources.prometheus import PrometheusSource


def kube_configured(config: Config) -> bool:
    if config.kubeconfig or config.contexts:
        return True
    if os.environ.get("KUBERNETES_SERVICE_HOST"):  # in-cluster
        return True
    return (Path.home() / ".kube" / "config").exists()


def build_hub(config: Config) -> tuple[Hub, Callable[[], datetime]]:
    """The Hub and the clock the screen should show (the demo runs on a simulated clock)."""
    audit = AuditLog(config.audit_path, config.created_by or None)
    if config.demo:
        from cockpit.sources.demo import DemoWorld, demo_hub

        world = DemoWorld()
        return demo_hub(world, readonly=config.readonly, audit=audit), world.now
    hub = Hub(readonly=config.readonly, audit=audit, changes_window_s=config.changes_window)
    prometheus = None
    if config.prometheus:
        from cockpit.sources.prometheus import PrometheusSource

        prometheus = PrometheusSource(config.prometheus, config.prometheus_auth)
    if config.alertmanagers:
        from cockpit.sources.alertmanager import AlertmanagerSource

        for url in config.alertmanagers:
            am = AlertmanagerSource(url, config.alertmanager_auth)
            hub.alert_sources.append(am)
            hub.silence_backends.append(am)
    elif prometheus is not None:
        hub.alert_sources.append(prometheus)
        hub.silence_unavailable = ("silencing needs an Alertmanager (--alertmanager URL); alerts now come "
                                   "from Prometheus alone, which cannot silence")
    if config.pods_from == "prometheus":
        hub.clusters.append(fleet_source(config, prometheus))
    elif kube_configured(config):
        from cockpit.sources.kubernetes import load_clusters

        hub.clusters.extend(load_clusters(config.kubeconfig, config.contexts, config.namespace,
                                          exec_timeout_s=config.kube_exec_timeout_s))
    listers = []
    if config.slos_from_cluster and prometheus is not None:  # Sloth / Pyrra SLO objects of each context
        from cockpit.sources.kube_slos import lister
        from cockpit.sources.kubernetes import KubeCluster

        listers = [lister(c) for c in hub.clusters if isinstance(c, KubeCluster)]
    if config.slos or listers:
        from cockpit.slo.spec import load_specs
        from cockpit.sources.slo_catalog import SLOCatalog

        specs = load_specs(config.slos)
        if prometheus is None:
            from cockpit.config import ConfigError

            raise ConfigError("--slo needs --prometheus (or COCKPIT_PROMETHEUS_URL) to compute burn rates")
        hub.slo_sources.append(SLOCatalog(specs, prometheus, listers))
    hub.prometheus = prometheus
    return hub, utcnow


def fleet_source(config: Config, prometheus: PrometheusSource | None) -> FleetSource:
    """Pods of every cluster from kube-state-metrics; drill-down through the mapped kube contexts."""
    from cockpit.config import ConfigError
    from cockpit.sources.fleet import FleetSource

    if prometheus is None:
        raise ConfigError("--pods-from prometheus needs --prometheus (or COCKPIT_PROMETHEUS_URL)")
    contexts: dict[str, ClusterSource | None] = {}

    def kube(context: str) -> ClusterSource | None:
        """The kube context for a cluster, loaded on first drill-down (in a worker), None if absent."""
        if context not in contexts:
            from cockpit.sources.kubernetes import load_clusters

            try:
                contexts[context] = load_clusters(config.kubeconfig, [context], config.namespace,
                                                  exec_timeout_s=config.kube_exec_timeout_s)[0]
            except SourceError:
                contexts[context] = None
        return contexts[context]

    return FleetSource(prometheus, config.cluster_label, config.cluster_contexts, kube,
                       config.fleet_scrape_interval_s)
