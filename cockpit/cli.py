"""Command line: the TUI, `demo`, `snapshot`, `check` and `ask`. Flags > env > config file > defaults."""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, NoReturn

from cockpit import __version__
from cockpit.config import Config, ConfigError, load_config
from cockpit.sources.base import SourceError

if TYPE_CHECKING:
    from cockpit.advisor.base import Advisor
    from cockpit.sources.hub import Hub

COMMANDS = ("demo", "snapshot", "check", "ask", "handover", "silences", "serve")


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line (not the whole usage block), like every other cockpit error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see cockpit --help)\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="cockpit",
        description="A terminal on-call cockpit: alerts, pods, SLO burn and Marcus on one screen.",
        epilog="commands: demo (embedded incident) · snapshot (what the screen would show) · "
               "check (reach every backend) · ask QUESTION (one answer from Marcus) · "
               "handover (the shift, from real history) · silences (with their problems) · "
               "serve (the cockpit in a browser)",
    )
    p.add_argument("command", nargs="?", choices=COMMANDS, help="what to run (default: the cockpit)")
    p.add_argument("question", nargs="?", help="for ask: the question")
    src = p.add_argument_group("sources")
    src.add_argument("--config", metavar="FILE", help="YAML config file (default: XDG config dir/config.yaml)")
    src.add_argument("--prometheus", metavar="URL", help="Prometheus (or Thanos/Mimir/VictoriaMetrics) URL")
    src.add_argument("--alertmanager", metavar="URL", action="append", dest="alertmanagers",
                     help="Alertmanager URL (repeatable: HA replicas are deduplicated)")
    src.add_argument("--kubeconfig", metavar="PATH", help="kubeconfig file(s), like KUBECONFIG")
    src.add_argument("--context", metavar="NAME", action="append", dest="contexts",
                     help="kube context (repeatable; default: the current context)")
    src.add_argument("--namespace", metavar="NS", help="limit pods to one namespace")
    src.add_argument("--slo", metavar="FILE", action="append", dest="slos",
                     help="Sloth, OpenSLO or Pyrra YAML file or directory (repeatable)")
    src.add_argument("--pods-from", choices=("kubernetes", "prometheus"), dest="pods_from",
                     help="pods, nodes and workloads from the kube API (default) or from kube-state-metrics "
                          "in --prometheus (a fleet of clusters)")
    src.add_argument("--cluster-label", metavar="NAME", dest="cluster_label",
                     help="the label naming a fleet pod's cluster (default: cluster)")
    ui = p.add_argument_group("screen")
    ui.add_argument("--layout", metavar="NAME|PATH", help="default, incident, compact or a YAML file")
    ui.add_argument("--persona", metavar="NAME|PATH", help="advisor persona (default: marcus)")
    ui.add_argument("--theme", metavar="NAME", help="a Textual theme (textual-dark, textual-light, ...) or ansi "
                                                   "(the terminal's own palette); NO_COLOR is honoured")
    ui.add_argument("--model", metavar="MODEL", help="Claude model for Marcus (default: newest Sonnet)")
    ui.add_argument("--readonly", action="store_true", default=None, help="refuse every action (silence, expire, ack)")
    ui.add_argument("--demo", action="store_true", default=None, help="use the embedded incident scenario")
    p.add_argument("--format", choices=("json", "markdown"), default=None,
                   help="snapshot, silences (default json), handover (default markdown)")
    p.add_argument("--since", metavar="DURATION", default="12h", help="for handover: the window (default 12h)")
    p.add_argument("--out", metavar="FILE", help="for handover: write to FILE instead of stdout")
    web = p.add_argument_group("serve (the cockpit in a browser)")
    web.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; "
                                                         "any other needs a token)")
    web.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    web.add_argument("--token", help="required from browsers (default: generated off loopback; "
                                     "env COCKPIT_SERVE_TOKEN)")
    web.add_argument("--allow-actions", action="store_true", dest="allow_actions",
                     help="served sessions may silence/expire/ack (default: read-only)")
    web.add_argument("--max-sessions", type=int, default=8, dest="max_sessions",
                     help="concurrent browser sessions (default 8)")
    p.add_argument("--version", action="version", version=f"cockpit {__version__}")
    return p


def _flags(args: argparse.Namespace) -> dict[str, Any]:
    keys = ("config", "prometheus", "alertmanagers", "kubeconfig", "contexts", "namespace", "slos",
            "layout", "persona", "model", "readonly", "demo", "theme", "pods_from", "cluster_label")
    flags = {k: getattr(args, k) for k in keys if getattr(args, k) is not None}
    for k in ("alertmanagers", "contexts", "slos"):
        if k in flags:
            flags[k] = tuple(flags[k])
    if args.command == "demo":
        flags["demo"] = True
    return flags


def check_urls(args: argparse.Namespace, env: dict[str, str] | None = None) -> None:
    """URL flags (and the environment variables they override) are URLs, or cockpit stops here with
    the flag named. Config-file URLs are checked where the file is read, with its line."""
    from cockpit.config import from_env
    from cockpit.urls import explain, shown, url_problem

    env_values = from_env(dict(os.environ) if env is None else env)
    given = [("--prometheus", args.prometheus)] if args.prometheus is not None else \
        [("COCKPIT_PROMETHEUS_URL", env_values["prometheus"])] if "prometheus" in env_values else []
    if args.alertmanagers:
        given += [("--alertmanager", u) for u in args.alertmanagers]
    else:
        given += [("COCKPIT_ALERTMANAGER_URL", u) for u in env_values.get("alertmanagers", ())]
    for name, value in given:
        problem = url_problem(value)
        if problem:
            raise ConfigError(f"{name} {shown(value)}: {explain(problem, name)}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_intermixed_args(argv)  # flags may come before or after the question
    if args.command == "ask" and not args.question:
        parser.error('ask needs a question: cockpit ask "what is burning?"')
    if args.question and args.command != "ask":
        parser.error(f"unexpected argument {args.question!r}")
    try:
        check_urls(args)
        config = load_config(_flags(args))
        if args.command == "snapshot":
            return cmd_snapshot(config, args.format or "json")
        if args.command in ("handover", "silences"):
            from cockpit import shift

            if args.command == "handover":
                return shift.cmd_handover(config, args.since, args.format or "markdown", args.out)
            return shift.cmd_silences(config, args.format or "json")
        if args.command == "serve":
            from cockpit.ui.serve import cmd_serve

            return cmd_serve(list(sys.argv[1:] if argv is None else argv), args.host, args.port, args.token,
                             args.allow_actions, args.max_sessions)
        if args.command == "check":
            return cmd_check(config)
        if args.command == "ask":
            return cmd_ask(config, args.question)
        return cmd_run(config)
    except ConfigError as exc:
        print(f"cockpit: error: {exc}", file=sys.stderr)
        return 2
    except SourceError as exc:  # e.g. a missing kubeconfig or an unknown --context at start-up
        print(f"cockpit: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def log_to_file() -> None:
    """While the screen is up, library logging and warnings (kubernetes exec plugins, urllib3) must not
    write to the terminal: they go to the XDG state dir instead."""
    import logging

    from platformdirs import user_state_path

    path = user_state_path("cockpit") / "cockpit.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(path)
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler], force=True)
    logging.captureWarnings(True)


def cmd_run(config: Config) -> int:
    log_to_file()
    hub, clock, advisor = start_tui(config)
    from cockpit import termsignals
    from cockpit.ui.app import CockpitApp

    app = CockpitApp(hub, config, advisor=advisor, layout=config.layout, clock=clock)
    from cockpit.sources.kube_exec import kill_running

    # Quitting is immediate (workers blocked in I/O are abandoned); a forced exit still kills exec plugins.
    return termsignals.run(app, cleanup=kill_running, exit_process=True)


def start_tui(config: Config) -> tuple[Hub, Callable[[], datetime], Advisor]:
    """Everything `cockpit` does before the screen opens (bench/ runs exactly this): the pod watches
    start before Textual is imported, so the first list of a big cluster runs meanwhile."""
    from cockpit import gcpause

    gcpause.pause_for_startup()  # until the first full screen: ~0.5 s of collector passes saved
    from cockpit.sources.factory import build_hub
    from cockpit.ui.keymap import check_keymap

    check_keymap(config.keymap)  # a clash in `keymap:` is a config error (file:line), before anything connects
    from cockpit.ui.theme import resolve_theme

    resolve_theme(config.theme)  # an unknown --theme / `theme:` is an error before anything connects

    hub, clock = build_hub(config)
    if config.layout:
        from cockpit.ui.layout import load_layout

        load_layout(config.layout)  # a bad --layout or persona is an error before anything connects
    advisor = make_advisor(config, hub)
    hub.start_watches()
    return hub, clock, advisor


def make_advisor(config: Config, hub: Hub) -> Advisor:
    """Claude when a key is configured (its SDK loads on first use), offline Marcus otherwise."""
    from cockpit.advisor.lazy import choose_advisor

    return choose_advisor(config, hub)


# -- snapshot ---------------------------------------------------------------------------------------


def _num(x: float | None) -> float | None:
    return None if x is None or (isinstance(x, float) and (math.isnan(x) or math.isinf(x))) else round(x, 6)


def coverage_markers(coverage: dict[str, Any] | None) -> dict[str, Any]:
    """Beside the data: which lists are stale or were never read (their [] means "unknown", not
    "none"), which are not configured, and why."""
    cov = coverage or {}
    return {
        "stale": [k for k, c in cov.items() if c.stale],
        "unknown": [k for k, c in cov.items() if c.state == "unknown"],
        "not_configured": [k for k, c in cov.items() if c.state == "not configured"],
        "coverage": {k: {"state": c.state, **({"reason": c.reason} if c.reason else {})} for k, c in cov.items()},
    }


def incidents_marker(snap: Any, coverage: dict[str, Any] | None) -> dict[str, Any]:
    """The incident list's own coverage: [] while a source could not be read means "none found"."""
    from cockpit.sources.hub import unread_text

    unread = unread_text(coverage or {})
    if not unread:
        return {"state": "ok", "note": "" if snap.incidents else "none: nothing on screen needs a response"}
    return {"state": "partial", "reason": unread,
            "note": f"none found; {unread}" if not snap.incidents else f"more may exist; {unread}"}


def snapshot_dict(snap: Any, coverage: dict[str, Any] | None = None) -> dict[str, Any]:
    from cockpit.incident_export import snapshot_parts

    now = snap.taken_at
    return {
        "taken_at": now.isoformat(),
        "demo": snap.demo,
        "alerts": [{
            "name": a.name, "severity": a.severity, "state": a.state, "labels": dict(a.labels),
            "annotations": dict(a.annotations), "summary": a.summary,
            "starts_at": a.starts_at.isoformat() if a.starts_at else None, "silenced": a.silenced,
            "fingerprint": a.fingerprint, "source": a.source,
        } for a in snap.alerts],
        "silences": [{
            "id": s.id, "matchers": [str(m) for m in s.matchers], "state": s.state, "created_by": s.created_by,
            "comment": s.comment, "starts_at": s.starts_at.isoformat(), "ends_at": s.ends_at.isoformat(),
        } for s in snap.silences],
        "pods": [{
            "context": p.context, "namespace": p.namespace, "name": p.name, "phase": p.phase,
            "ready": p.ready_text, "ready_containers": p.ready, "containers": p.total, "restarts": p.restarts,
            "reason": p.reason, "node": p.node, "age_s": round(p.age_s(now), 1), "cluster": p.cluster,
        } for p in snap.pods],
        **({"clusters": [{
            "cluster": c.cluster, "pods": c.pods, "problems": c.problems, "nodes": c.nodes,
            "nodes_not_ready": c.nodes_not_ready, "stale": c.stale, "context": c.context,
            "problems_by_namespace": dict(c.problems_by_namespace),
        } for c in snap.clusters]} if snap.clusters else {}),
        "slos": [{
            "service": s.service, "name": s.name, "objective": s.objective, "period": s.period,
            "burn_rates": {w: _num(v) for w, v in s.burn_rates.items()},
            "error_ratios": {w: _num(v) for w, v in s.error_ratios.items()},
            "budget_remaining": _num(s.budget_remaining), "status": s.status,
            "exhaustion_s": _num(s.exhaustion_s), "error": s.error,
        } for s in snap.slos],
        "findings": [{
            "severity": f.severity, "kind": f.kind, "subject": f.subject, "summary": f.summary,
            "evidence": list(f.evidence), "related": list(f.related),
        } for f in snap.findings],
        "sources": {name: h.text for name, h in snap.sources.items()},
        **snapshot_parts(snap),  # incidents, changes
        "incidents_coverage": incidents_marker(snap, coverage),
        **coverage_markers(coverage),
    }


def cmd_snapshot(config: Config, fmt: str) -> int:
    from cockpit.sources.factory import build_hub

    hub, _ = build_hub(config)
    snap = hub.snapshot()
    coverage = hub.coverage(snap.sources)
    data = snapshot_dict(snap, coverage)
    if fmt == "json":
        from cockpit.analysis.sanitize import json_escape_terminal

        # Readable UTF-8, but what a terminal would act on (C1, bidi, zero-width) is \u-escaped: kept, inert.
        sys.stdout.write(json_escape_terminal(json.dumps(data, indent=2, ensure_ascii=False)) + "\n")
    else:
        from cockpit.report import snapshot_markdown

        sys.stdout.write(snapshot_markdown(snap, coverage))
    return 0


# -- check --------------------------------------------------------------------------------------------


def counted(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


def cmd_check(config: Config) -> int:
    from cockpit.model import source_label
    from cockpit.sources.base import Checkable
    from cockpit.sources.factory import build_hub
    from cockpit.sources.hub import error_text, source_reason

    hub, _ = build_hub(config)
    targets: list[Any] = []
    for s in [*hub.alert_sources, *hub.clusters, *hub.slo_sources]:
        if s not in targets:
            targets.append(s)
    if hub.prometheus is not None and hub.prometheus not in targets:
        targets.append(hub.prometheus)
    if not targets:
        print("✖ nothing configured: give --prometheus, --alertmanager, --kubeconfig/--context or --demo")
        return 1
    failed = 0
    for s in targets:
        check = s.check if isinstance(s, Checkable) else None
        if getattr(s, "exec_command", ""):  # an SSO login may take a while: say what is being waited on
            from cockpit.sources.kube_exec import timeout_s

            print(f"… {s.name}: running the exec plugin '{os.path.basename(s.exec_command)}' for credentials "
                  f"(gives up after {timeout_s():g}s)", flush=True)
        try:
            if check is not None:
                detail = check()
            elif hasattr(s, "fetch_alerts"):
                detail = counted(len(s.fetch_alerts()), "alert")
            elif hasattr(s, "list_pods"):
                detail = counted(len(s.list_pods()), "pod")
            else:
                detail = counted(len(s.fetch_slos()), "SLO")
            print(f"✔ {source_label(s.name, getattr(s, 'kind', ''))}: {detail}")
        except Exception as exc:
            failed += 1
            kind = getattr(s, "kind", "")  # the name once: the error text often starts with it too
            print(f"✖ {source_label(s.name, kind)}: {source_reason(error_text(exc), s.name, kind)}")
    if hub.silence_unavailable:
        print(f"• {hub.silence_unavailable}")
    if hub.readonly:
        print("• read-only: actions will be refused")
    print(f"{len(targets) - failed} ok, {failed} failing")
    return 1 if failed else 0


# -- ask ------------------------------------------------------------------------------------------------


def cmd_ask(config: Config, question: str) -> int:
    from cockpit.advisor.base import AdvisorRequest, ScreenState, coverage_map
    from cockpit.analysis.sanitize import sanitize
    from cockpit.analysis.stream_sanitize import StreamSanitizer
    from cockpit.sources.factory import build_hub

    hub, _ = build_hub(config)
    snap = hub.snapshot()
    advisor = make_advisor(config, hub)
    screen = ScreenState(snapshot=snap, visible_alerts=snap.alerts, visible_pods=snap.pods[:200],
                         visible_slos=snap.slos, coverage=coverage_map(hub, snap))
    request = AdvisorRequest(question=question, screen=screen)

    async def run() -> int:
        code = 0
        answer = StreamSanitizer(for_terminal=False)  # an escape split across two chunks goes whole
        async for chunk in advisor.stream(request):
            if chunk.kind in ("text", "mark"):  # a mark: the evidence check's "(not on screen)"
                sys.stdout.write(answer.feed(chunk.text))
                sys.stdout.flush()
                continue
            sys.stdout.write(answer.flush())
            if chunk.kind in ("tool", "status", "usage"):
                print(f"\n[{chunk.kind}] {sanitize(chunk.text, limit=2000)}", file=sys.stderr)
            elif chunk.kind == "error":
                print(f"\n[error] {sanitize(chunk.text, limit=2000)}", file=sys.stderr)
                code = 1
        sys.stdout.write(answer.flush() + "\n")
        return code

    return asyncio.run(run())
