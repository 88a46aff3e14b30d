"""Backend URLs given by flag, environment or config file: checked at start-up, not at first request."""

from __future__ import annotations

from urllib.parse import urlsplit

SCHEMES = ("http", "https")


def url_problem(value: str) -> str:
    """Why `value` cannot be a backend URL ('' when it can): a typo must fail in one clear line at
    start-up, not as an httpx UnsupportedProtocol in a pane later."""
    text = value.strip()
    if not text:
        return "empty"
    if any(c.isspace() or ord(c) < 32 for c in text):
        return "spaces or control characters"
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number in range
    except ValueError as exc:
        return str(exc).lower()
    if parts.scheme.lower() not in SCHEMES:
        return "no http:// or https:// in front"
    if not parts.hostname:
        return "no host"
    return ""


def explain(problem: str, name: str = "") -> str:
    """'not a URL (no host; e.g. http://prometheus:9090)', the example fitting the flag or key `name`."""
    return f"not a URL ({problem}; e.g. {example_for(name)})"


EXAMPLE = "http://prometheus:9090"
EXAMPLES = {"alertmanager": "http://alertmanager:9093", "victoria": "http://victoriametrics:8428"}


def example_for(name: str) -> str:
    """The example URL for a flag, variable or config key: an Alertmanager's for --alertmanager."""
    low = name.lower()
    return next((url for key, url in EXAMPLES.items() if key in low), EXAMPLE)


def shown(value: str, limit: int = 80) -> str:
    """The offending value as it may be printed: quoted, control characters made visible, bounded."""
    text = value if len(value) <= limit else value[:limit] + "…"
    return repr(text)
