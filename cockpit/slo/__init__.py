"""SLOs: specs (Sloth, OpenSLO, Pyrra) and the pure burn-rate math; the engine that queries is cockpit.sources'."""

from cockpit.slo.spec import SLOSpec, load_specs

__all__ = ["SLOSpec", "load_specs"]
