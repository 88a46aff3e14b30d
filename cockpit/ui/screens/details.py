"""Detail screens: an alert with all labels and annotations, a pod's describe, an SLO's queries."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.widgets import Footer, Sparkline, Static

from cockpit.analysis import links as link_templates
from cockpit.analysis.sanitize import sanitize, sanitize_line
from cockpit.glyphs import G
from cockpit.model import Alert, Event, PodDescription, SLOStatus
from cockpit.ui.rows import age, since
from cockpit.ui.screens.common import TextScreen, kv_block


def safe_link(url: str) -> Text:
    """An OSC 8 hyperlink for http(s) URLs only; the shown text is the sanitized URL itself."""
    clean = sanitize_line(url, 500)
    if clean.startswith(("http://", "https://")) and not any(c in clean for c in " \"'<>\\"):
        return Text(clean, style=Style(link=clean, underline=True))
    return Text(clean)


def links_text(app: object, kind: str, values: dict[str, str]) -> Text:
    """The `links:` templates of this kind filled from the row: a Links block of OSC 8 links (or nothing)."""
    templates = getattr(getattr(app, "config", None), "links", {}).get(kind, ())
    urls = link_templates.links(templates, values)
    out = Text()
    if urls:
        out.append("\nLinks\n", style="bold underline")
        for url in urls:
            out.append("  ")
            out.append_text(safe_link(url))
            out.append("\n")
    return out


def alert_text(alert: Alert, now: datetime) -> Text:
    out = Text()
    out.append(f"{sanitize_line(alert.name)}  ", style="bold")
    out.append(f"{alert.severity} · {alert.state} · for {age(since(alert.starts_at, now))}\n", style="dim")
    if alert.silenced_by:
        out.append("silenced by " + ", ".join(sanitize_line(s) for s in alert.silenced_by) + "\n", style="yellow")
    if alert.inhibited_by:
        out.append("inhibited by " + ", ".join(sanitize_line(s) for s in alert.inhibited_by) + "\n", style="yellow")
    out.append("\n")
    out.append_text(kv_block("Labels", dict(alert.labels)))
    out.append("\n")
    out.append_text(kv_block("Annotations", dict(alert.annotations), limit=20000))
    out.append("\n")
    if alert.runbook_url:
        out.append("Runbook: ", style="bold")
        out.append_text(safe_link(alert.runbook_url))
        out.append("\n")
    if alert.generator_url:
        out.append("Source:  ", style="bold")
        out.append_text(safe_link(alert.generator_url))
        out.append("\n")
    out.append(f"fingerprint {sanitize_line(alert.fingerprint)} · from {sanitize_line(alert.source)}\n", style="dim")
    return out


def events_text(events: tuple[Event, ...] | list[Event], now: datetime) -> Text:
    out = Text("Events\n", style="bold underline")
    if not events:
        out.append("  (none)\n", style="dim")
    for e in sorted(events, key=lambda e: e.last_seen or e.first_seen or now):
        when = age(since(e.last_seen or e.first_seen, now))
        out.append(f"  {when:>6} ", style="dim")
        out.append(f"{sanitize_line(e.type, 20):8} ", style="yellow" if e.type == "Warning" else "")
        out.append(f"{sanitize_line(e.reason, 40)} ", style="bold")
        count = f" (x{e.count})" if e.count > 1 else ""
        out.append(sanitize_line(e.message, 400) + count + "\n")
    return out


def describe_text(d: PodDescription, now: datetime) -> Text:
    p = d.pod
    out = Text()
    out.append(f"{sanitize_line(p.namespace)}/{sanitize_line(p.name)}\n", style="bold")
    out.append(f"phase {sanitize_line(p.phase)} · ready {p.ready_text} · restarts {p.restarts} · "
               f"age {age(p.age_s(now))} · node {sanitize_line(p.node) or '-'}", style="dim")
    if p.context:
        out.append(f" · context {sanitize_line(p.context)}", style="dim")
    out.append("\nStatus: ", style="bold")
    out.append(sanitize_line(p.reason or p.phase) + "\n\n")
    if d.owner_chain:
        out.append("Owners: ", style="bold")
        out.append(f" {G.arrow} ".join(sanitize_line(o) for o in d.owner_chain) + "\n")
    if d.workload:
        w = d.workload
        gap = f"  (gap {w.gap})" if w.gap else ""
        out.append(f"{w.kind} {sanitize_line(w.name)}: {w.ready}/{w.desired} ready, {w.updated} updated{gap}\n",
                   style="bold red" if w.gap else "")
    if d.node:
        n = d.node
        out.append(f"Node {sanitize_line(n.name)}: {'Ready' if n.ready else 'NotReady'}", style="" if n.ready else "bold red")
        if n.pressure:
            out.append(" · pressure: " + ", ".join(n.pressure), style="bold red")
        out.append("\n")
    out.append("\nContainers\n", style="bold underline")
    for c in p.containers:
        out.append(f"  {'init ' if c.init else ''}{sanitize_line(c.name)}", style="bold")
        out.append(f"  {sanitize_line(c.image, 200)}\n", style="dim")
        state = c.state + (f" ({sanitize_line(c.reason)})" if c.reason else "")
        if c.exit_code is not None:
            state += f" exit {c.exit_code}"
        out.append(f"    state: {state} · ready {c.ready} · restarts {c.restarts}\n")
        if c.message:
            out.append(f"    message: {sanitize_line(c.message, 400)}\n", style="dim")
        if c.last_reason:
            when = f", {age(since(c.last_finished_at, now))} ago" if c.last_finished_at else ""
            code = f" exit {c.last_exit_code}" if c.last_exit_code is not None else ""
            out.append(f"    last state: terminated ({sanitize_line(c.last_reason)}{code}{when})\n",
                       style="bold red" if c.last_reason == "OOMKilled" else "yellow")
        out.append(f"    limits: cpu {c.cpu_limit or '-'} memory {c.memory_limit or '-'} · "
                   f"requests: cpu {c.cpu_request or '-'} memory {c.memory_request or '-'}\n")
        for probe, text in d.probes.items():
            if probe.startswith(c.name + "/"):
                out.append(f"    {probe.split('/', 1)[1]}: {sanitize_line(text, 200)}\n", style="dim")
    if p.conditions:
        out.append("\nConditions\n", style="bold underline")
        for ctype, status, reason, message in p.conditions:
            style = "" if status == "True" else "yellow"
            out.append(f"  {sanitize_line(ctype):18} {sanitize_line(status):6} {sanitize_line(reason)} "
                       f"{sanitize_line(message, 300)}\n", style=style)
    if p.labels:
        out.append("\n")
        out.append_text(kv_block("Labels", dict(p.labels), limit=300))
    out.append("\n")
    out.append_text(events_text(d.events, now))
    return out


class AlertScreen(TextScreen):
    def __init__(self, alert: Alert, now: datetime) -> None:
        super().__init__(f" Alert · {sanitize_line(alert.name, 80)} ", alert_text(alert, now))
        self.alert, self.now = alert, now

    def on_mount(self) -> None:
        super().on_mount()
        if extra := links_text(self.app, "alert", link_templates.alert_values(self.alert)):
            self.set_body(alert_text(self.alert, self.now) + extra)


class DescribeScreen(TextScreen):
    """`d`: describe + events. The fetch runs in a thread worker; the screen only shows."""

    def __init__(self, title: str, fetch: Callable[[], PodDescription], now: Callable[[], datetime]) -> None:
        super().__init__(f" Describe · {sanitize_line(title, 100)} ")
        self.fetch = fetch
        self.now = now

    def on_mount(self) -> None:
        super().on_mount()
        self.load()

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        try:
            d = self.fetch()
            body = describe_text(d, self.now()) + links_text(self.app, "pod", link_templates.pod_values(d.pod))
        except Exception as exc:
            body = Text(f"describe failed: {sanitize_line(exc, 300)}", style="bold red")
        self.app.call_from_thread(self.set_body, body)


def budget_pct(remaining: float) -> str:
    """The one way a budget figure is written here: the header and the history caption agree."""
    return f"{remaining * 100:.1f}%"


def budget_line(remaining: float, exhaustion: float | None) -> str:
    """Remaining budget and when it runs out; an overspent budget says so instead of "in 0s"."""
    if remaining <= 0:
        return f"error budget exhausted: {budget_pct(remaining)} remaining ({1 - remaining:.1f}{G.times} the budget spent)"
    text = f"error budget remaining {budget_pct(remaining)}"
    if exhaustion is not None and math.isfinite(exhaustion) and exhaustion > 0:
        text += f" · exhausted in {age(exhaustion)} at the 1h burn"
    return text


def history_caption(points: list[tuple[float, float]]) -> tuple[list[float], str]:
    """(sparkline values, caption): the sparkline is bounded to [-100%, 100%] to stay readable, the
    caption gives the real figures, written as the header writes them."""
    raw = [v for _, v in points if not math.isnan(v)]
    if not raw:
        return [], "error budget history: no samples"
    text = f"error budget over the period: {budget_pct(raw[0])} {G.arrow} {budget_pct(raw[-1])} ({len(raw)} points)"
    return [max(-1.0, min(1.0, v)) for v in raw], text


def slo_text(s: SLOStatus) -> Text:
    out = Text()
    out.append(f"{sanitize_line(s.service)}/{sanitize_line(s.name)}  ", style="bold")
    out.append(f"objective {s.objective * 100:g}% over {s.period} · status {s.status}\n", style="dim")
    if s.budget_remaining is not None and not math.isnan(s.budget_remaining):
        out.append(budget_line(s.budget_remaining, s.exhaustion_s) + "\n",
                   style="bold red" if s.budget_remaining <= 0 else "")
    if s.error:
        out.append(f"error: {sanitize_line(s.error, 300)}\n", style="bold red")
    out.append("\nWindow   error ratio   burn rate   query\n", style="bold underline")
    windows = list(dict.fromkeys([*s.burn_rates.keys(), *s.queries.keys()]))
    for w in windows:
        ratio = s.error_ratios.get(w)
        burn = s.burn_rates.get(w)
        r = "-" if ratio is None or math.isnan(ratio) else f"{ratio:.5f}"
        b = "-" if burn is None or math.isnan(burn) else f"{burn:.2f}{G.times}"
        out.append(f"{w:8} {r:>12} {b:>11}   ")
        out.append(sanitize(s.queries.get(w, ""), limit=2000) + "\n", style="dim")
    return out


class SLOScreen(TextScreen):
    """An SLO's windows with the exact PromQL, and its error budget over the period."""

    def __init__(self, slo: SLOStatus, history: Callable[[], list[tuple[float, float]]] | None) -> None:
        super().__init__(f" SLO · {sanitize_line(slo.service)}/{sanitize_line(slo.name)} ", slo_text(slo))
        self.slo = slo
        self.history = history
        self.sparkline = Sparkline([], id="budget-sparkline")
        self.sparkline.display = False  # shown once there are points: an empty one is a flat line
        self.caption = Static(Text(f"error budget over the period: loading{G.ellipsis}", style="dim"))

    def compose(self) -> ComposeResult:
        yield from super().compose()

    def on_mount(self) -> None:
        super().on_mount()
        footer = self.query_one(Footer)
        self.mount(self.caption, before=footer)
        self.mount(self.sparkline, before=footer)
        if extra := links_text(self.app, "slo", link_templates.slo_values(self.slo)):
            self.set_body(slo_text(self.slo) + extra)
        if self.history:
            self.load_history()
        else:
            self.caption.update(Text(self.no_history(), style="dim"))

    def no_history(self) -> str:
        """Say what is missing: the demo keeps no past, another source may lack range queries."""
        hub = getattr(self.app, "hub", None)
        if getattr(hub, "demo", False):
            return "error budget history: not kept by the demo (a real Prometheus, --prometheus URL, draws it)"
        names = ", ".join(s.name for s in getattr(hub, "slo_sources", ()))
        return (f"error budget history: not available from {names or 'this SLO source'} "
                "(drawn from Prometheus range queries over the period)")

    @work(thread=True, exclusive=True)
    def load_history(self) -> None:
        try:
            values, text = history_caption(self.history() if self.history else [])
        except Exception as exc:
            values, text = [], f"error budget history failed: {sanitize_line(exc, 200)}"

        def show() -> None:
            self.sparkline.data = values
            self.sparkline.display = bool(values)
            self.caption.update(Text(text, style="dim"))

        self.app.call_from_thread(show)
