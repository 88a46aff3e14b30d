"""SLOs: specs (Sloth, OpenSLO) and burn-rate math over Prometheus."""

from cockpit.slo.burn import PromQuery, SLOEngine, budget_history
from cockpit.slo.spec import SLOSpec, load_specs

__all__ = ["PromQuery", "SLOEngine", "SLOSpec", "budget_history", "load_specs"]
