"""Label and field selectors as the apiserver parses them (the subset real clients send)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

Pred = Callable[[dict[str, Any]], bool]
_SET = re.compile(r"^\s*([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)\s*$")


def _split(selector: str) -> list[str]:
    """Split on commas outside parentheses: "a in (x,y),b=c" -> ["a in (x,y)", "b=c"]."""
    parts, depth, cur = [], 0, ""
    for ch in selector:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    return [p.strip() for p in parts + [cur] if p.strip()]


def _label_term(term: str) -> Callable[[Mapping[str, str]], bool]:
    if m := _SET.match(term):
        key, op, values = m.group(1), m.group(2), {v.strip() for v in m.group(3).split(",")}
        if op == "in":
            return lambda lb: lb.get(key) in values
        return lambda lb: lb.get(key) not in values
    for op in ("!=", "==", "="):
        if op in term:
            key, value = (s.strip() for s in term.split(op, 1))
            if op == "!=":
                return lambda lb: lb.get(key) != value
            return lambda lb: lb.get(key) == value
    if term.startswith("!"):
        key = term[1:].strip()
        return lambda lb: key not in lb
    return lambda lb: term in lb


def label_selector(selector: str) -> Pred:
    terms = [_label_term(t) for t in _split(selector or "")]
    return lambda obj: all(t(obj.get("metadata", {}).get("labels") or {}) for t in terms)


def _field(obj: dict[str, Any], path: str) -> str:
    cur: Any = obj
    for part in path.split("."):
        cur = cur.get(part) if isinstance(cur, dict) else None
    return "" if cur is None else str(cur)


def field_selector(selector: str) -> Pred:
    terms: list[tuple[str, str, bool]] = []
    for term in _split(selector or ""):
        for op in ("!=", "==", "="):
            if op in term:
                path, value = (s.strip() for s in term.split(op, 1))
                terms.append((path, value, op != "!="))
                break
        else:
            raise ValueError(f"invalid field selector term {term!r}")
    return lambda obj: all((_field(obj, p) == v) == eq for p, v, eq in terms)
