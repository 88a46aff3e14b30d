"""Moved: the SLO catalog is an SLO source (it queries Prometheus and lists cluster objects) and lives in
cockpit.sources.slo_catalog. Re-export for compatibility, loaded on first use so that importing this
module imports nothing of sources (pyproject.toml's contract names this exception)."""

from __future__ import annotations


def __getattr__(name: str) -> object:
    from cockpit.sources import slo_catalog

    return getattr(slo_catalog, name)
