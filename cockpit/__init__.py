"""cockpit: a terminal on-call cockpit for SREs."""

__version__ = "0.1.0"
