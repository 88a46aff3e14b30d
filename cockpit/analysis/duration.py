"""Durations, the one home: parsing what people and specs write, and every way cockpit writes one."""

from __future__ import annotations

import math
import re

_PART = re.compile(r"(\d+(?:\.\d+)?)(w|d|h|m|s)")
_UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
SPEC_DURATION_RE = re.compile(r"^(\d+)([smhdwMQYy])$")  # Prometheus / OpenSLO / Pyrra windows
SPEC_DAYS = {"w": 7, "M": 30, "Q": 90, "Y": 365, "y": 365}  # Prometheus has no month/quarter unit


# -- parsing -------------------------------------------------------------------------------------------
def parse_duration(text: str) -> int:
    """What a person types (90s, 15m, 1h, 2h30m, 1d): seconds; ValueError with a message fit to show."""
    s = text.strip().replace(" ", "").lower()
    if not s or _PART.sub("", s):
        raise ValueError(f"bad duration {text!r}: use forms like 15m, 1h, 2h30m, 1d")
    seconds = sum(float(n) * _UNITS[u] for n, u in _PART.findall(s))
    if seconds <= 0:
        raise ValueError(f"bad duration {text!r}: must be longer than 0")
    return int(seconds)


def duration_s(text: str) -> float:
    """Seconds of a Prometheus/OpenSLO duration like 5m, 28d, 4w, 1M (a month is 30 days)."""
    m = SPEC_DURATION_RE.match(text.strip())
    if not m:
        raise ValueError(f"not a duration: {text!r}")
    n, unit = int(m.group(1)), m.group(2)
    mult = {"s": 1, "m": 60, "h": 3600, "d": 86400}.get(unit) or SPEC_DAYS[unit] * 86400
    return float(n * mult)


# -- writing -------------------------------------------------------------------------------------------
def format_duration(seconds: float) -> str:
    """The two largest units: 2h30m, 1d4h, 45s (a silence's length)."""
    s = int(seconds)
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if s >= size:
            parts.append(f"{s // size}{unit}")
            s %= size
    return "".join(parts[:2]) or "0s"


def age(seconds: float | None) -> str:
    """A table's age column, k9s-style: two units while the larger is small (1h30m), one after (10h);
    '-' when unknown."""
    if seconds is None or seconds < 0 or math.isnan(seconds):
        return "-"
    s = int(seconds)
    for big, big_size, small, small_size in (("d", 86400, "h", 3600), ("h", 3600, "m", 60), ("m", 60, "s", 1)):
        if s >= big_size:
            whole, rest = divmod(s, big_size)
            part = rest // small_size
            return f"{whole}{big}{part}{small}" if part and whole < 10 else f"{whole}{big}"
    return f"{s}s"


def whole_units(seconds: float) -> str:
    """The largest unit only, rounded down: 3d, 5h, 12m, 40s (compact text for Marcus's context)."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"

