"""Configuration: flags > environment > YAML config file (XDG or --config) > defaults.

Errors name the file, the line and the key: a config mistake is the user's to fix in a second. Every
key declares its type in one table (KEYS, AUTH_KEYS); nothing is taken from a value's truthiness.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml
from platformdirs import user_config_path, user_state_path

APP = "cockpit"
MAX_YAML_NODES = 100_000  # values a document may expand to through aliases (an anchor bomb is billions)
DAY_S = 86400.0


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
class KeymapEntry:
    """One `keymap:` line: binding id -> keys, and where it was written (checked in cockpit.ui.keymap)."""

    id: str
    keys: str
    where: str  # "file:line"


@dataclass(frozen=True)
class Config:
    prometheus: str = ""
    prometheus_auth: HttpAuth = field(default_factory=HttpAuth)
    alertmanagers: tuple[str, ...] = ()
    alertmanager_auth: HttpAuth = field(default_factory=HttpAuth)
    kubeconfig: str = ""
    contexts: tuple[str, ...] = ()
    namespace: str = ""
    kube_exec_timeout_s: float = 60.0  # a kubeconfig exec plugin (SSO login) is killed after this
    slos: tuple[str, ...] = ()
    slos_from_cluster: bool = True  # also list Sloth/Pyrra SLO objects of the kube contexts
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
    journal: str = ""  # the hand-over journal (SQLite); default: XDG state dir / journal.sqlite
    silence_expires_soon_s: float = 7200.0  # a silence ending sooner has the problem expires-soon
    redact_patterns: tuple[str, ...] = ()
    marcus_hourly_budget: int = 12
    keymap: tuple[KeymapEntry, ...] = ()  # rebinds keys: `keymap: {silence: z}`
    pods_from: str = "kubernetes"  # kubernetes (API watches) | prometheus (kube-state-metrics, a fleet)
    cluster_label: str = "cluster"  # the label naming a fleet pod's cluster
    cluster_contexts: Mapping[str, str] = field(default_factory=dict)  # fleet cluster -> kube context
    fleet_scrape_interval_s: float = 30.0  # kube-state-metrics scrape interval: stale after two of them
    changes_window: float = 7200.0  # seconds "what changed" looks back (config: 2h, 30m, ...)
    theme: str = ""  # a Textual theme name (ansi-dark/ansi-light use the terminal's palette); "" = default
    links: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # alert|pod|slo -> URL templates
    source_file: str = ""  # the config file read, if any

    @property
    def audit_path(self) -> Path:
        if self.audit_log:
            return Path(self.audit_log)
        # the demo's made-up actions must not reach a real hand-over (as with its journal)
        return user_state_path(APP) / ("audit-demo.jsonl" if self.demo else "audit.jsonl")


def config_dir() -> Path:
    return user_config_path(APP)


def default_config_path() -> Path:
    return config_dir() / "config.yaml"


# -- YAML with line numbers and bounded aliases ------------------------------------------------------


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader that remembers the line of every mapping key and list item, for error messages, and
    refuses documents whose aliases expand past MAX_YAML_NODES values. libyaml's parser when PyYAML
    has it: the persona alone parses in 5 ms instead of 50 ms on the start-up path."""

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        _check_expansion(node)
        return self.construct_document(node)

    def get_data(self) -> Any:  # load_all: every document is bounded too
        node = self.get_node()
        if node is None:
            return None
        _check_expansion(node)
        return self.construct_document(node)


class _AliasBomb(yaml.YAMLError):
    """Reported like any YAML error: `file:line: invalid YAML: …`."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.problem = (f"aliases expand to more than {MAX_YAML_NODES} values (or refer to themselves); "
                        "write the values out")
        self.problem_mark = yaml.Mark("", 0, line - 1, 0, None, None)


def _check_expansion(root: yaml.Node) -> None:
    """Count the values the document expands to without expanding it (aliases share nodes)."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node, depth: int) -> int:
        key = id(node)
        if key in sizes:
            if sizes[key] < 0:  # an alias to a node still being counted: recursive
                raise _AliasBomb(node.start_mark.line + 1)
            return sizes[key]
        if depth > 200:
            raise _AliasBomb(node.start_mark.line + 1)
        sizes[key] = -1
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(n, depth + 1) for n in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k, depth + 1) + size(v, depth + 1) for k, v in node.value)
        if total > MAX_YAML_NODES:
            raise _AliasBomb(node.start_mark.line + 1)
        sizes[key] = total
        return total

    size(root, 0)


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    lines = {str(k.value): k.start_mark.line + 1 for k, _ in node.value}
    return _Lined(mapping, lines)


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> list[Any]:
    return _LinedList(loader.construct_sequence(node, deep=True), [n.start_mark.line + 1 for n in node.value])


class _Lined(dict):
    def __init__(self, data: dict[str, Any], lines: dict[str, int]) -> None:
        super().__init__(data)
        self.lines = lines


class _LinedList(list):
    def __init__(self, data: list[Any], lines: list[int]) -> None:
        super().__init__(data)
        self.lines = lines


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_yaml(path: Path) -> Any:
    """Parse a YAML file; errors name the file and line. Mappings carry `.lines` for their keys."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}:{line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8") from None
    try:
        return yaml.load(text, Loader=_LineLoader)  # SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{path}{where}: invalid YAML: {problem}") from None


def key_line(mapping: Any, key: str) -> str:
    line = getattr(mapping, "lines", {}).get(key)
    return f":{line}" if line else ""


# -- types: each key's check turns a YAML value into the field's value or says what is wrong -----------


@dataclass(frozen=True)
class Where:
    """A key in a file, for messages: `file:line: key 'name' …`."""

    path: Path
    key: str
    line: str = ""
    within: str = ""  # the enclosing key, e.g. "alertmanager_auth"

    def error(self, problem: str) -> ConfigError:
        inside = f" ({self.within}.{self.key})" if self.within else ""
        return ConfigError(f"{self.path}{self.line}: key '{self.key}' {problem}{inside}")

    def item(self, value: Any, index: int) -> Where:
        lines = getattr(value, "lines", None)
        line = f":{lines[index]}" if isinstance(lines, list) and index < len(lines) else self.line
        return replace(self, line=line, key=f"{self.key}[{index}]")


Check = Callable[[Any, Where], Any]


def shown(value: Any) -> str:
    """A value for a message: its kind and a bounded excerpt, never a full repr (an anchor bomb)."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:40] + "…"
        return f"the string {text!r}"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def boolean(value: Any, where: Where) -> bool:
    if isinstance(value, bool):
        return value
    hint = " (remove the quotes)" if isinstance(value, str) and value.lower() in _BOOL_WORDS else ""
    raise where.error(f"must be true or false, got {shown(value)}{hint}")


_BOOL_WORDS = {"true", "false", "yes", "no", "on", "off", "y", "n", "1", "0"}


def seconds(low: float, high: float) -> Check:
    """A duration in seconds: a finite number in [low, high], or a string like 90s, 5m, 1h."""

    def check(value: Any, where: Where) -> float:
        number: float | None = None
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
        elif isinstance(value, str):
            from cockpit.analysis.duration import parse_duration

            try:
                number = float(parse_duration(value))
            except ValueError:
                number = None
        if number is None or not math.isfinite(number):
            raise where.error(f"must be a number of seconds (like 10 or 1m), got {shown(value)}")
        if not low <= number <= high:
            raise where.error(f"must be between {low:g} and {high:g} seconds, got {number:g}")
        return number

    return check


def whole(low: int, high: int) -> Check:
    def check(value: Any, where: Where) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise where.error(f"must be a whole number, got {shown(value)}")
        if not low <= value <= high:
            raise where.error(f"must be between {low} and {high}, got {value}")
        return value

    return check


def text(value: Any, where: Where) -> str:
    if not isinstance(value, str):
        raise where.error(f"must be a string, got {shown(value)}")
    return value


def texts(value: Any, where: Where) -> tuple[str, ...]:
    """One string or a list of strings."""
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list):
        raise where.error(f"must be a list of strings, got {shown(value)}")
    return tuple(text(v, where.item(value, i)) for i, v in enumerate(value))


def url(value: Any, where: Where) -> str:
    """A backend URL: checked here, with the file's line, not at the first request."""
    from cockpit.urls import explain, url_problem

    problem = url_problem(text(value, where))
    if problem:
        raise where.error(f"is {explain(problem, where.within + where.key)}, got {shown(value)}")
    return value


def urls(value: Any, where: Where) -> tuple[str, ...]:
    """One URL or a list of them."""
    if isinstance(value, str):
        return (url(value, where),)
    if not isinstance(value, list):
        raise where.error(f"must be a list of URLs, got {shown(value)}")
    return tuple(url(v, where.item(value, i)) for i, v in enumerate(value))


def regexes(value: Any, where: Where) -> tuple[str, ...]:
    out = texts(value, where)
    for i, pattern in enumerate(out):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise where.item(value, i).error(f"is not a valid regular expression: {exc}") from None
    return out


def mapping_of(table: dict[str, Check], build: Callable[..., Any]) -> Check:
    """A nested mapping whose keys are checked by `table`; `build(**values)` makes the field."""

    def check(value: Any, where: Where) -> Any:
        if not isinstance(value, dict):
            raise where.error(f"must be a mapping of {', '.join(sorted(table))}, got {shown(value)}")
        out = {}
        for k, v in value.items():
            inner = Where(where.path, str(k), key_line(value, str(k)) or where.line, where.key)
            if k not in table:
                raise ConfigError(f"{where.path}{inner.line}: unknown key '{where.key}.{k}' "
                                  f"(known: {', '.join(sorted(table))})")
            out[k] = table[k](v, inner)
        return build(**out)

    return check


def keymap(value: Any, where: Where) -> tuple[KeymapEntry, ...]:
    """binding id -> key(s); which ids exist and whether keys clash is checked by cockpit.ui.keymap."""
    if not isinstance(value, dict):
        raise where.error(f"must be a mapping of binding ids to keys (e.g. silence: z), got {shown(value)}")
    out = []
    for k, v in value.items():
        line = key_line(value, str(k)) or where.line
        if not isinstance(v, str):
            raise ConfigError(f"{where.path}{line}: keymap '{k}' must be a key such as z or ctrl+z, got {shown(v)}")
        out.append(KeymapEntry(str(k), v, f"{where.path}{line}"))
    return tuple(out)


def choice(*allowed: str) -> Check:
    def check(value: Any, where: Where) -> str:
        if value not in allowed:
            raise where.error(f"must be one of {', '.join(allowed)}, got {shown(value)}")
        return str(value)

    return check


def label_name(value: Any, where: Where) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]*", value):
        raise where.error(f"must be a Prometheus label name, got {shown(value)}")
    return value


def names_map(value: Any, where: Where) -> dict[str, str]:
    """name -> name (e.g. cluster_contexts: {prod-eu-1: prod-eu-1-admin})."""
    if not isinstance(value, dict):
        raise where.error(f"must be a mapping of names to names, got {shown(value)}")
    for k, v in value.items():
        if not isinstance(v, str):
            raise replace(where, line=key_line(value, str(k)) or where.line, key=f"{where.key}.{k}").error(
                f"must be a string, got {shown(v)}")
    return {str(k): v for k, v in value.items()}


def theme_name(value: Any, where: Where) -> str:
    """A theme's name; whether Textual has it is checked where the theme is applied (cockpit.ui.theme)."""
    if not isinstance(value, str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", value):
        raise where.error(f"must be a theme name such as textual-dark, textual-light or ansi, got {shown(value)}")
    return value


LINK_KINDS = {"alert": "alert", "alerts": "alert", "pod": "pod", "pods": "pod", "slo": "slo", "slos": "slo"}


def link_templates(value: Any, where: Where) -> dict[str, tuple[str, ...]]:
    """links: {alert|pod|slo: URL template or a list of them}; http(s) only, {placeholders} filled per row."""
    if not isinstance(value, dict):
        raise where.error(f"must be a mapping of alert/pod/slo to URL templates, got {shown(value)}")
    out: dict[str, tuple[str, ...]] = {}
    for k, v in value.items():
        at = replace(where, line=key_line(value, str(k)) or where.line, key=f"{where.key}.{k}")
        if str(k) not in LINK_KINDS:
            raise at.error(f"must be one of alert, pod, slo, got {shown(k)}")
        templates = texts(v, at)
        for t in templates:
            if not re.match(r"https?://[^\s]+$", t):
                raise at.error(f"must be an http:// or https:// URL template, got {shown(t)}")
        out[LINK_KINDS[str(k)]] = out.get(LINK_KINDS[str(k)], ()) + templates
    return out


def headers(value: Any, where: Where) -> dict[str, str]:
    if not isinstance(value, dict):
        raise where.error(f"must be a mapping of header names to values, got {shown(value)}")
    for k, v in value.items():
        if not isinstance(v, str | int) or isinstance(v, bool):
            raise replace(where, line=key_line(value, str(k)) or where.line, key=f"headers.{k}").error(
                f"must be a string, got {shown(v)}")
    return {str(k): str(v) for k, v in value.items()}


AUTH_KEYS: dict[str, Check] = {
    "bearer_token": text,
    "bearer_token_file": text,
    "username": text,
    "password": text,
    "headers": headers,
    "ca_file": text,
    "insecure": boolean,
    "timeout_s": seconds(0.1, 600),
}

# One line per config key: its check. A new key is a Config field plus a line here.
KEYS: dict[str, Check] = {
    "prometheus": url,
    "prometheus_auth": mapping_of(AUTH_KEYS, HttpAuth),
    "alertmanagers": urls,
    "alertmanager_auth": mapping_of(AUTH_KEYS, HttpAuth),
    "kubeconfig": text,
    "contexts": texts,
    "namespace": text,
    "kube_exec_timeout_s": seconds(1, 3600),
    "slos": texts,
    "slos_from_cluster": boolean,
    "layout": text,
    "persona": text,
    "model": text,
    "readonly": boolean,
    "demo": boolean,
    "created_by": text,
    "alerts_interval_s": seconds(1, DAY_S),
    "pods_interval_s": seconds(1, DAY_S),
    "slos_interval_s": seconds(1, DAY_S),
    "audit_log": text,
    "journal": text,
    "silence_expires_soon_s": seconds(60, 7 * DAY_S),
    "redact_patterns": regexes,
    "marcus_hourly_budget": whole(0, 10_000),
    "keymap": keymap,
    "pods_from": choice("kubernetes", "prometheus"),
    "cluster_label": label_name,
    "cluster_contexts": names_map,
    "fleet_scrape_interval_s": seconds(1, 3600),
    "changes_window": seconds(60, 7 * DAY_S),
    "theme": theme_name,
    "links": link_templates,
}
KEY_ALIASES = {"alertmanager": "alertmanagers", "context": "contexts"}
_TUPLES = {f.name for f in fields(Config) if str(f.type).startswith("tuple")}


def load_file(path: Path) -> dict[str, Any]:
    data = load_yaml(path)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level")
    out: dict[str, Any] = {}
    for raw_key, value in data.items():
        key = KEY_ALIASES.get(raw_key, raw_key)
        if key not in KEYS:
            known = ", ".join(sorted(KEYS))
            raise ConfigError(f"{path}{key_line(data, str(raw_key))}: unknown key '{raw_key}' (known: {known})")
        out[key] = KEYS[key](value, Where(path, str(raw_key), key_line(data, str(raw_key))))
    warn_if_open(path, data)
    return out


_SECRET_WORDS = ("token", "password", "api_key")


def _mentions_secret(value: Any, depth: int = 0) -> bool:
    if depth > 20:
        return False
    if isinstance(value, dict):
        return any(_mentions_secret(k, depth + 1) or _mentions_secret(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return any(_mentions_secret(v, depth + 1) for v in value[:1000])
    return isinstance(value, str) and any(s in value[:4096].lower() for s in _SECRET_WORDS)


def warn_if_open(path: Path, data: dict[str, Any]) -> None:
    """A file holding a secret should be readable by its owner only."""
    import sys

    if not _mentions_secret(data):
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
