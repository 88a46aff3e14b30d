"""Configuration: flags > environment > YAML config file (XDG or --config) > defaults.

Errors name the file, the line and the key: a config mistake is the user's to fix in a second.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml
from platformdirs import user_config_path, user_state_path

APP = "cockpit"


class ConfigError(Exception):
    """A bad config value; the message names the file, line and key."""


@dataclass(frozen=True)
class HttpAuth:
    """How to reach an HTTP backend (Prometheus, Thanos, Mimir, VictoriaMetrics, Alertmanager)."""

    bearer_token: str = ""
    bearer_token_file: str = ""
    username: str = ""
    password: str = ""
    headers: dict[str, str] = field(default_factory=dict)  # e.g. {"X-Scope-OrgID": "tenant-1"}
    ca_file: str = ""
    insecure: bool = False
    timeout_s: float = 10.0


@dataclass(frozen=True)
class Config:
    prometheus: str = ""
    prometheus_auth: HttpAuth = field(default_factory=HttpAuth)
    alertmanagers: tuple[str, ...] = ()
    alertmanager_auth: HttpAuth = field(default_factory=HttpAuth)
    kubeconfig: str = ""
    contexts: tuple[str, ...] = ()
    namespace: str = ""
    slos: tuple[str, ...] = ()
    layout: str = ""  # "" = choose by terminal size
    persona: str = "marcus"
    model: str = ""  # "" = persona's model or the newest Sonnet the SDK knows
    readonly: bool = False
    demo: bool = False
    created_by: str = ""  # silences' createdBy; default user@host
    alerts_interval_s: float = 10.0
    pods_interval_s: float = 5.0
    slos_interval_s: float = 30.0
    audit_log: str = ""  # default: XDG state dir / audit.jsonl
    redact_patterns: tuple[str, ...] = ()
    marcus_hourly_budget: int = 12
    source_file: str = ""  # the config file read, if any

    @property
    def audit_path(self) -> Path:
        return Path(self.audit_log) if self.audit_log else user_state_path(APP) / "audit.jsonl"


def config_dir() -> Path:
    return user_config_path(APP)


def default_config_path() -> Path:
    return config_dir() / "config.yaml"


_SCALARS = {f.name: f for f in fields(Config)}
_AUTH_KEYS = {f.name for f in fields(HttpAuth)}
_TUPLES = {"alertmanagers", "contexts", "slos", "redact_patterns"}
_FLOATS = {"alerts_interval_s", "pods_interval_s", "slos_interval_s"}
_BOOLS = {"readonly", "demo"}
_INTS = {"marcus_hourly_budget"}


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader that remembers the line of every mapping key, for error messages. libyaml's parser
    when PyYAML has it: the persona alone parses in 5 ms instead of 50 ms on the start-up path."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    lines = {str(k.value): k.start_mark.line + 1 for k, _ in node.value}
    return _Lined(mapping, lines)


class _Lined(dict):
    def __init__(self, data: dict[str, Any], lines: dict[str, int]) -> None:
        super().__init__(data)
        self.lines = lines


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(path: Path) -> Any:
    """Parse a YAML file; errors name the file and line. Mappings carry `.lines` for their keys."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{path}{where}: invalid YAML: {problem}") from None


def key_line(mapping: Any, key: str) -> str:
    line = getattr(mapping, "lines", {}).get(key)
    return f":{line}" if line else ""


def _coerce(path: Path, data: Any, key: str, value: Any, raw_key: str) -> Any:
    where = f"{path}{key_line(data, raw_key)}: key '{raw_key}'"
    if key in _TUPLES:
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: expected a list of strings")
        return tuple(value)
    if key in _FLOATS:
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise ConfigError(f"{where}: expected a positive number of seconds, got {value!r}")
        return float(value)
    if key in _INTS:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(f"{where}: expected a whole number ≥ 0, got {value!r}")
        return value
    if key in _BOOLS:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true or false, got {value!r}")
        return value
    if key.endswith("_auth"):
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a mapping of {sorted(_AUTH_KEYS)}")
        for k in value:
            if k not in _AUTH_KEYS:
                raise ConfigError(f"{path}{key_line(value, k)}: unknown key '{key}.{k}' (known: {', '.join(sorted(_AUTH_KEYS))})")
        headers = value.get("headers", {})
        if not isinstance(headers, dict):
            raise ConfigError(f"{path}{key_line(value, 'headers')}: key '{key}.headers': expected a mapping")
        return HttpAuth(**{**value, "headers": {str(k): str(v) for k, v in headers.items()}})
    if not isinstance(value, str):
        raise ConfigError(f"{where}: expected a string, got {value!r}")
    return value


def load_file(path: Path) -> dict[str, Any]:
    data = load_yaml(path)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level")
    out: dict[str, Any] = {}
    aliases = {"alertmanager": "alertmanagers", "context": "contexts"}
    for raw_key, value in data.items():
        key = aliases.get(raw_key, raw_key)
        if key not in _SCALARS or key == "source_file":
            known = ", ".join(sorted(k for k in _SCALARS if k != "source_file"))
            raise ConfigError(f"{path}{key_line(data, raw_key)}: unknown key '{raw_key}' (known: {known})")
        out[key] = _coerce(path, data, key, value, raw_key)
    warn_if_open(path, data)
    return out


def warn_if_open(path: Path, data: dict[str, Any]) -> None:
    """A file holding a secret should be readable by its owner only."""
    import sys

    text = repr(data).lower()
    if not any(s in text for s in ("token", "password", "api_key")):
        return
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:
        return
    if mode & 0o077:
        print(f"cockpit: warning: {path} holds credentials but its permissions are {mode:04o}; "
              f"run: chmod 600 {path}", file=sys.stderr)


def from_env(env: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if env.get("COCKPIT_PROMETHEUS_URL"):
        out["prometheus"] = env["COCKPIT_PROMETHEUS_URL"]
    if env.get("COCKPIT_ALERTMANAGER_URL"):
        out["alertmanagers"] = tuple(u for u in env["COCKPIT_ALERTMANAGER_URL"].replace(",", " ").split() if u)
    if env.get("KUBECONFIG"):
        out["kubeconfig"] = env["KUBECONFIG"]
    if env.get("COCKPIT_MODEL"):
        out["model"] = env["COCKPIT_MODEL"]
    return out


def load_config(flags: dict[str, Any], env: dict[str, str] | None = None) -> Config:
    """Merge the layers. `flags` holds only what was given on the command line."""
    env = dict(os.environ) if env is None else env
    explicit = flags.get("config") or env.get("COCKPIT_CONFIG")
    path = Path(explicit).expanduser() if explicit else default_config_path()
    file_values: dict[str, Any] = {}
    if path.exists():
        file_values = load_file(path)
    elif explicit:
        raise ConfigError(f"{path}: config file not found (given by {'--config' if flags.get('config') else 'COCKPIT_CONFIG'})")
    merged = {**file_values, **from_env(env), **{k: v for k, v in flags.items() if k != "config" and v not in (None, (), [])}}
    for k in _TUPLES:
        if k in merged and isinstance(merged[k], list):
            merged[k] = tuple(merged[k])
    cfg = Config(**merged)
    return replace(cfg, source_file=str(path) if path.exists() else "")
