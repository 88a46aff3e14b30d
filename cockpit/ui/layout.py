"""Screen layouts from YAML: which panes go where. Parsing is pure (no Textual) so it is unit-tested.

A layout is a grid (CSS grid: columns, rows, panes placed in order with optional spans) or tabs
(one pane at a time, for 80x24). Built-in layouts ship in cockpit/data/layouts; users add their own
in the XDG config dir (~/.config/cockpit/layouts/NAME.yaml), which win over built-ins of that name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from cockpit.config import ConfigError, config_dir, key_line, load_yaml

PANES = ("alerts", "pods", "slos", "marcus", "incidents")
_SIZE = re.compile(r"^(\d+(\.\d+)?fr|\d+%|\d+|auto)$")
COMPACT_BELOW = (100, 30)  # terminals smaller than this (width, height) get the compact layout


@dataclass(frozen=True)
class PanePlacement:
    pane: str
    row_span: int = 1
    column_span: int = 1


@dataclass(frozen=True)
class Layout:
    name: str
    description: str
    mode: str  # grid | tabs
    columns: tuple[str, ...]
    rows: tuple[str, ...]
    panes: tuple[PanePlacement, ...]
    source: str = ""

    @property
    def pane_names(self) -> tuple[str, ...]:
        return tuple(p.pane for p in self.panes)


def _sizes(path: Path, data: dict, key: str) -> tuple[str, ...]:
    value = data.get(key, ["1fr"])
    if isinstance(value, str | int):
        value = [value]
    if not isinstance(value, list) or not value:
        raise ConfigError(f"{path}{key_line(data, key)}: key '{key}': expected a list of sizes like [2fr, 1fr, 10]")
    out = []
    for v in value:
        if not _SIZE.match(str(v)):
            raise ConfigError(f"{path}{key_line(data, key)}: key '{key}': bad size {v!r} (use 1fr, 30%, 10 or auto)")
        out.append(str(v))
    return tuple(out)


def _placement(path: Path, item: object, index: int, parent: dict) -> PanePlacement:
    where = f"{path}{key_line(parent, 'panes')}: panes[{index}]"
    if isinstance(item, str):
        item = {"pane": item}
    if not isinstance(item, dict):
        raise ConfigError(f"{where}: expected a pane name or a mapping with 'pane'")
    for k in item:
        if k not in ("pane", "row_span", "column_span"):
            raise ConfigError(f"{path}{key_line(item, k)}: unknown key '{k}' in panes[{index}] (known: pane, row_span, column_span)")
    pane = item.get("pane")
    if pane not in PANES:
        raise ConfigError(f"{path}{key_line(item, 'pane') or key_line(parent, 'panes')}: key 'pane': {pane!r} is not one of {', '.join(PANES)}")
    spans = {}
    for k in ("row_span", "column_span"):
        v = item.get(k, 1)
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ConfigError(f"{path}{key_line(item, k)}: key '{k}': expected a whole number ≥ 1, got {v!r}")
        spans[k] = v
    return PanePlacement(pane, **spans)


def parse_layout(path: Path) -> Layout:
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a layout is a mapping with name, mode and panes")
    known = {"name", "description", "mode", "columns", "rows", "panes"}
    for k in data:
        if k not in known:
            raise ConfigError(f"{path}{key_line(data, k)}: unknown key '{k}' (known: {', '.join(sorted(known))})")
    mode = data.get("mode", "grid")
    if mode not in ("grid", "tabs"):
        raise ConfigError(f"{path}{key_line(data, 'mode')}: key 'mode': expected grid or tabs, got {mode!r}")
    raw = data.get("panes")
    if not isinstance(raw, list) or not raw:
        raise ConfigError(f"{path}{key_line(data, 'panes')}: key 'panes': expected a list of panes ({', '.join(PANES)})")
    panes = tuple(_placement(path, item, i, data) for i, item in enumerate(raw))
    names = [p.pane for p in panes]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise ConfigError(f"{path}{key_line(data, 'panes')}: key 'panes': {', '.join(sorted(dupes))} listed twice")
    name = data.get("name", path.stem)
    if not isinstance(name, str) or not name:
        raise ConfigError(f"{path}{key_line(data, 'name')}: key 'name': expected a non-empty string")
    return Layout(
        name=name,
        description=str(data.get("description", "")),
        mode=mode,
        columns=_sizes(path, data, "columns"),
        rows=_sizes(path, data, "rows"),
        panes=panes,
        source=str(path),
    )


def _builtin_dir() -> Path:
    return Path(str(resources.files("cockpit") / "data" / "layouts"))


def user_layout_dir() -> Path:
    return config_dir() / "layouts"


def layout_names() -> list[str]:
    names = {p.stem for d in (_builtin_dir(), user_layout_dir()) if d.is_dir() for p in d.glob("*.yaml")}
    return sorted(names)


def load_layout(name_or_path: str) -> Layout:
    """A path to a YAML file, or a name looked up in the user's layouts, then the built-ins."""
    candidate = Path(name_or_path).expanduser()
    if candidate.suffix in (".yaml", ".yml") or "/" in name_or_path:
        if not candidate.exists():
            raise ConfigError(f"{candidate}: layout file not found")
        return parse_layout(candidate)
    for d in (user_layout_dir(), _builtin_dir()):
        p = d / f"{name_or_path}.yaml"
        if p.exists():
            return parse_layout(p)
    raise ConfigError(f"unknown layout {name_or_path!r} (available: {', '.join(layout_names())})")


def auto_layout_name(width: int, height: int) -> str:
    return "compact" if width < COMPACT_BELOW[0] or height < COMPACT_BELOW[1] else "default"
