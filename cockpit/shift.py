"""The shift commands: `cockpit handover` (what happened, from real history) and `cockpit silences`
(silences with their problems), and the hand-over file `:handover` writes from the TUI."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cockpit.analysis.duration import parse_duration
from cockpit.config import Config, ConfigError
from cockpit.model import utcnow

MAX_SINCE_S = 90 * 86400  # Prometheus keeps 15 d by default; a quarter is plenty for a hand-over


def since_seconds(text: str) -> int:
    try:
        seconds = parse_duration(text)
    except ValueError as exc:
        raise ConfigError(f"--since {text!r}: {exc}") from None
    if seconds > MAX_SINCE_S:
        raise ConfigError(f"--since {text!r}: at most 90d")
    return seconds


def expires_soon_s(config: Config) -> float:
    return config.silence_expires_soon_s


def open_journal(config: Config) -> Any:
    from cockpit.journal import Journal

    return Journal.off() if config.demo else Journal(config.journal or None)


def build_handover(hub: Any, config: Config, since_s: float, end: datetime | None = None, journal: Any = None,
                   log: Any = None, current_incidents: Any = (), unread: str = "") -> dict[str, Any]:
    """The hand-over data for the last `since_s` seconds (JSON-ready): the journal's incidents of the
    window and `current_incidents` (open now), each once; `unread` (hub.unread_text) says what the
    live snapshot could not read."""
    from dataclasses import replace

    from cockpit.analysis.handover import handover_data
    from cockpit.sources.alert_history import read_shift

    end = end or utcnow()
    journal = journal if journal is not None else open_journal(config)
    records = read_shift(hub, end - timedelta(seconds=since_s), end, journal, log=log,
                         expires_soon_s=expires_soon_s(config))
    if current_incidents or unread:
        records = replace(records, current_incidents=tuple(current_incidents), unread=unread)
    return handover_data(records)


def render(data: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        # ensure_ascii: every control, C1 and bidi character of cluster text arrives escaped (\u001b),
        # never raw on a terminal or in a ticket
        return json.dumps(data, indent=2, ensure_ascii=True) + "\n"
    from cockpit.analysis.handover import handover_markdown

    return handover_markdown(data)


def write_out(text: str, out: str | None) -> None:
    if not out or out == "-":
        sys.stdout.write(text)
        return
    path = Path(out).expanduser()
    try:
        path.write_text(text)
    except OSError as exc:
        raise ConfigError(f"--out {path}: cannot write: {exc.strerror or exc}") from None
    print(f"hand-over written to {path}", file=sys.stderr)


def cmd_handover(config: Config, since: str, fmt: str, out: str | None) -> int:
    from cockpit.sources.factory import build_hub
    from cockpit.sources.hub import unread_text

    seconds = since_seconds(since)
    hub, _ = build_hub(config)
    snap = hub.snapshot()  # the incidents open now, as the TUI's `:handover` has them
    data = build_handover(hub, config, seconds, current_incidents=snap.incidents,
                          unread=unread_text(hub.coverage(snap.sources)))
    write_out(render(data, fmt), out)
    return 0


def handover_file(hub: Any, config: Config, since_s: float, journal: Any = None, current_incidents: Any = (),
                  directory: Path | None = None) -> Path:
    """`:handover` in the TUI: the markdown written to the state dir; returns its path."""
    from platformdirs import user_state_path

    data = build_handover(hub, config, since_s, journal=journal, current_incidents=current_incidents)
    folder = directory or user_state_path("cockpit") / "handovers"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"handover-{utcnow():%Y%m%d-%H%M%S}.md"
    path.write_text(render(data, "markdown"))
    return path


# -- silences ------------------------------------------------------------------------------------------


def silences_data(hub: Any, config: Config, now: datetime | None = None) -> dict[str, Any]:
    from cockpit.analysis.silence_problems import check_silences

    now = now or utcnow()
    alerts, slos = hub.refresh_alerts(), hub.refresh_slos()
    checks = check_silences(alerts.silences, alerts.alerts, slos.slos, now, expires_soon_s(config))
    return {
        "taken_at": now.isoformat(),
        "silences": [{
            "id": c.silence.id, "state": c.silence.state, "matchers": [str(m) for m in c.silence.matchers],
            "created_by": c.silence.created_by, "comment": c.silence.comment,
            "starts_at": c.silence.starts_at.isoformat(), "ends_at": c.silence.ends_at.isoformat(),
            "ends_in_s": round((c.silence.ends_at - now).total_seconds()),
            "matched": len(c.matched), "problems": list(c.problems), "why": c.details,
        } for c in checks],
        "sources": {n: h.text for n, h in {**alerts.health, **slos.health}.items()},
    }


def silences_markdown(data: dict[str, Any]) -> str:
    from cockpit.analysis.duration import format_duration
    from cockpit.analysis.handover import code, md

    out = [f"# Silences {datetime.fromisoformat(data['taken_at']):%Y-%m-%d %H:%M} UTC: {len(data['silences'])} "
           "active or pending, soonest expiry first", ""]
    for s in data["silences"]:
        left = s["ends_in_s"]
        probs = "; ".join(f"{p} ({md(s['why'][p], 200)})" for p in s["problems"]) or "no problems"
        out.append(f"- {s['state']} {md(', '.join(s['matchers']), 200)}, ends in {format_duration(left) if left >= 1 else '0s'}, "
                   f"by {md(s['created_by'], 60)}: \"{md(s['comment'], 120)}\"; {s['matched']} alerts; {probs} "
                   f"· silence {code(s['id'])}")
    if not data["silences"]:
        out.append("- no active or pending silences")
    bad = [f"- ✖ {md(n, 100)}: {md(t, 300)}" for n, t in data["sources"].items() if t != "ok"]
    return "\n".join(out + ([""] + bad if bad else [])) + "\n"


def cmd_silences(config: Config, fmt: str) -> int:
    from cockpit.sources.factory import build_hub

    hub, _ = build_hub(config)
    if not hub.silence_backends:
        raise ConfigError(hub.silence_unavailable or "cockpit silences needs --alertmanager URL")
    data = silences_data(hub, config)
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=True) + "\n" if fmt == "json" else silences_markdown(data))
    return 0
