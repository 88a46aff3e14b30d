"""Durations as people type them: 90s, 15m, 1h, 2h30m, 1d."""

from __future__ import annotations

import re

_PART = re.compile(r"(\d+(?:\.\d+)?)(w|d|h|m|s)")
_UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_duration(text: str) -> int:
    """Seconds; raises ValueError with a message fit to show the user."""
    s = text.strip().replace(" ", "").lower()
    if not s or _PART.sub("", s):
        raise ValueError(f"bad duration {text!r}: use forms like 15m, 1h, 2h30m, 1d")
    seconds = sum(float(n) * _UNITS[u] for n, u in _PART.findall(s))
    if seconds <= 0:
        raise ValueError(f"bad duration {text!r}: must be longer than 0")
    return int(seconds)


def format_duration(seconds: float) -> str:
    s = int(seconds)
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if s >= size:
            parts.append(f"{s // size}{unit}")
            s %= size
    return "".join(parts[:2]) or "0s"
