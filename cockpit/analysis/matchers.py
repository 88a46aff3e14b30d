"""Alertmanager label matchers: parse what a user types, match alerts, propose and preview silences.

Pure functions over cockpit.model; semantics follow Alertmanager: a regex matches the whole value
(anchored), and a missing label matches as the empty string. Regexes run on RE2 (google-re2), the
engine Alertmanager's Go regexp uses: linear time, so a pattern like `(a+)+b` typed into the filter
cannot freeze the screen on a long label, and what RE2 refuses (backreferences, lookaround) is
refused here as Alertmanager would.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any, Literal

import re2

from cockpit.model import Alert, Matcher

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPS = ("=~", "!~", "!=", "=")  # longest first
_SEPARATORS = " \t\n,"
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
# Labels a rule can template from $value: their value changes every evaluation, so an "exact" silence
# on them would miss the alert's next evaluation.
VOLATILE_LABELS = frozenset({"value", "current_value", "current", "observed", "measured"})
BROAD_ALERT_COUNT = 20


_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # RE2 would print parse errors on stderr, i.e. over the screen
RegexError = re2.error


@lru_cache(maxsize=512)
def _regex(pattern: str) -> Any:
    return re2.compile(f"(?:{pattern})", options=_RE2_OPTIONS)  # as in Go: "." does not match a newline


def regex_problem(pattern: str) -> str:
    """Why RE2 refuses `pattern`, or "" when it compiles."""
    try:
        _regex(pattern)
    except RegexError as exc:
        detail = exc.args[0] if exc.args else exc
        return detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)
    return ""


def _error(text: str, pos: int, what: str) -> ValueError:
    near = text[pos : pos + 20] or "end of input"
    return ValueError(f"bad matcher at column {pos + 1}: {what} (near {near!r})")


def _quoted(text: str, pos: int) -> tuple[str, int]:
    """A double-quoted value starting at text[pos] == '"'; returns (value, position after it)."""
    out: list[str] = []
    i = pos + 1
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            out.append(_ESCAPES.get(text[i + 1], "\\" + text[i + 1]))
            i += 2
        elif c == '"':
            return "".join(out), i + 1
        else:
            out.append(c)
            i += 1
    raise _error(text, pos, "unterminated quoted value")


def _value(text: str, pos: int) -> tuple[str, int]:
    if pos < len(text) and text[pos] == '"':
        return _quoted(text, pos)
    end = pos
    while end < len(text) and text[end] not in _SEPARATORS and text[end] not in '"{}':
        end += 1
    return text[pos:end], end


def _one(text: str, pos: int) -> tuple[Matcher, int]:
    name = _NAME.match(text, pos)
    if not name:
        raise _error(text, pos, "expected a label name")
    i = name.end()
    while i < len(text) and text[i] in " \t":
        i += 1
    op = next((o for o in _OPS if text.startswith(o, i)), None)
    if op is None:
        raise _error(text, i, f'expected =, !=, =~ or !~ after "{name.group()}"')
    i += len(op)
    while i < len(text) and text[i] in " \t":
        i += 1
    value, end = _value(text, i)
    matcher = Matcher(name.group(), value, is_regex="~" in op, is_equal=not op.startswith("!"))
    if matcher.is_regex and (problem := regex_problem(value)):
        raise _error(text, i, f"invalid regex {value!r}: {problem}")
    return matcher, end


def parse_matchers(text: str) -> list[Matcher]:
    """`severity=critical, namespace=~"shop.*" alertname!=Watchdog`, optionally inside `{...}`."""
    body = text.strip()
    if body.startswith("{"):
        if not body.endswith("}"):
            raise ValueError("bad matchers: '{' without a closing '}'")
        body = body[1:-1]
    matchers: list[Matcher] = []
    pos = 0
    while True:
        while pos < len(body) and body[pos] in _SEPARATORS:
            pos += 1
        if pos >= len(body):
            break
        matcher, pos = _one(body, pos)
        matchers.append(matcher)
        if pos < len(body) and body[pos] not in _SEPARATORS:
            raise _error(body, pos, "expected ',' or a space between matchers")
    if not matchers:
        raise ValueError("no matchers given (example: severity=critical namespace=~\"shop.*\")")
    return matchers


def format_matcher(m: Matcher) -> str:
    """`name op "value"` with quotes, backslashes and newlines escaped, so parse_matchers reads it back
    exactly (str(Matcher) does not escape, and label values are hostile text)."""
    value = m.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'{m.name}{m.op}"{value}"'


def format_matchers(matchers: Iterable[Matcher]) -> str:
    return ", ".join(format_matcher(m) for m in matchers)


def matcher_matches(m: Matcher, labels: Mapping[str, str]) -> bool:
    value = labels.get(m.name, "")
    hit = bool(_regex(m.value).fullmatch(value)) if m.is_regex else value == m.value
    return hit == m.is_equal


def matches(matchers: Iterable[Matcher], labels: Mapping[str, str]) -> bool:
    return all(matcher_matches(m, labels) for m in matchers)


def looks_like_matchers(text: str) -> bool:
    """True when a `/` filter is label matchers rather than plain text to search for."""
    if not any(op in text for op in _OPS):
        return False
    try:
        parse_matchers(text)
    except ValueError:
        return False
    return True


def _volatile(name: str, value: str) -> bool:
    if name.startswith("__") or name in VOLATILE_LABELS:
        return True
    # A fractional number (e.g. "0.0731") is almost always a templated $value.
    return bool(re.fullmatch(r"[-+]?\d*\.\d+(?:[eE][-+]?\d+)?", value))


def silence_matchers(alert: Alert, mode: Literal["exact", "name_ns"] = "exact") -> list[Matcher]:
    """Matchers that silence this alert: "exact" = this alert only (its stable labels), "name_ns" =
    this alert name in this namespace (every pod/instance of it)."""
    if mode == "name_ns":
        out = [Matcher("alertname", alert.name)]
        if alert.namespace:
            out.append(Matcher("namespace", alert.namespace))
        return out
    if mode != "exact":
        raise ValueError(f"unknown silence mode {mode!r} (exact or name_ns)")
    labels = {k: v for k, v in alert.labels.items() if not _volatile(k, v)}
    labels.setdefault("alertname", alert.name)
    return [Matcher(k, labels[k]) for k in sorted(labels, key=lambda k: (k != "alertname", k))]


def preview(matchers: Iterable[Matcher], alerts: Iterable[Alert]) -> tuple[int, set[str], str]:
    """What a silence would hit now: (alert count, alert names, warning or "" when it is narrow)."""
    matchers = list(matchers)
    hit = [a for a in alerts if matches(matchers, a.labels)]
    names = {a.name for a in hit}
    warnings = []
    if not matchers:
        warnings.append("no matchers: this would silence every alert")
    elif all(matcher_matches(m, {}) for m in matchers):
        warnings.append("every matcher matches an empty label: Alertmanager will refuse it")
    if not any(m.name == "alertname" and m.is_equal and not m.is_regex for m in matchers):
        warnings.append("no alertname=… matcher: any alert with these labels, now or later, is silenced")
    if len(names) > 1:
        shown = ", ".join(sorted(names)[:5]) + (", …" if len(names) > 5 else "")
        warnings.append(f"matches {len(names)} different alerts ({shown})")
    if len(hit) > BROAD_ALERT_COUNT:
        warnings.append(f"matches {len(hit)} alerts")
    return len(hit), names, "; ".join(warnings)
