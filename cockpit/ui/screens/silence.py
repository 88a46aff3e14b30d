"""`s`: silence the selected alert. Matchers prefilled from the alert (alertname+namespace or exact
labels), duration (default 1h), an editable comment, createdBy; a live preview of what it catches,
with a warning when it is broad. Enter confirms; the app does the request in a worker.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from cockpit.analysis.duration import format_duration, parse_duration
from cockpit.analysis.matchers import format_matchers, parse_matchers, preview, silence_matchers
from cockpit.analysis.sanitize import sanitize_line
from cockpit.analysis.silence_problems import EXPIRES_SOON_S, budget_at_end, check_silence, prospective
from cockpit.glyphs import G
from cockpit.model import Alert, SilenceRequest, SLOStatus, utcnow


def matchers_text(alert: Alert, mode: str) -> str:
    return format_matchers(silence_matchers(alert, "exact" if mode == "exact" else "name_ns"))  # escaped, so it parses back exactly


class SilenceScreen(ModalScreen[SilenceRequest | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+e", "toggle_mode", "Exact labels / name+namespace"),
    ]

    def __init__(self, alert: Alert, alerts: Sequence[Alert], created_by: str,
                 duration: str = "1h", comment: str = "", title: str = "Silence alert",
                 slos: Sequence[SLOStatus] = (), expires_soon_s: float = EXPIRES_SOON_S) -> None:
        super().__init__()
        self.alert = alert
        self.alerts = list(alerts)
        self.slos = list(slos)
        self.expires_soon_s = expires_soon_s
        self.created_by = created_by
        self.mode = "name_ns"
        self.dialog_title = title
        self.matchers_input = Input(matchers_text(alert, self.mode), id="silence-matchers")
        self.duration_input = Input(duration, id="silence-duration")
        default_comment = comment or f"Silenced from cockpit while investigating {sanitize_line(alert.name, 80)}"
        self.comment_input = Input(default_comment, id="silence-comment")
        self.preview = Static("", id="silence-preview")

    def compose(self) -> ComposeResult:
        with Vertical(id="silence-box", classes="dialog"):
            yield Label(Text(f"{self.dialog_title}: {sanitize_line(self.alert.name, 80)}", style="bold"))
            yield Label(f"Matchers (ctrl+e: exact labels {G.swap} alertname+namespace)")
            yield self.matchers_input
            yield Label("Duration (e.g. 15m, 1h, 2h30m, 1d)")
            yield self.duration_input
            yield Label("Comment")
            yield self.comment_input
            yield Label(Text(f"created by {sanitize_line(self.created_by, 80)}", style="dim"))
            yield self.preview
            yield Label(Text("enter: create silence · escape: cancel", style="dim"))

    def on_mount(self) -> None:
        self._update_preview()
        self.duration_input.focus()

    def action_toggle_mode(self) -> None:
        self.mode = "exact" if self.mode == "name_ns" else "name_ns"
        self.matchers_input.value = matchers_text(self.alert, self.mode)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self._update_preview()

    def _update_preview(self) -> None:
        try:
            ms = parse_matchers(self.matchers_input.value)
            seconds = parse_duration(self.duration_input.value)
        except ValueError as exc:
            self.preview.update(Text(f"{G.bad} {sanitize_line(exc, 300)}", style="bold red"))
            return
        count, names, warning = preview(ms, [a for a in self.alerts if a.state != "inhibited"])
        text = Text(f"catches {count} alert{'s' if count != 1 else ''}"
                    f" ({', '.join(sorted(sanitize_line(n, 60) for n in names)[:4])})" if names else
                    "catches no current alert", style="bold")
        text.append(f" · for {format_duration(seconds)}")
        if warning:
            text.append(f"\n{G.warn} {warning}", style="bold yellow")
        self._append_problems(text, ms, seconds)
        self.preview.update(text)

    def _append_problems(self, text: Text, ms: list, seconds: int) -> None:
        """The problems `cockpit silences` would report for this silence, and what the budget of an SLO
        tied to the alert will be when it ends, at the current burn: seen before confirming."""
        now = utcnow()
        planned = prospective(ms, seconds, self.comment_input.value, self.created_by, now)
        alerts = [a for a in self.alerts if a.state != "inhibited"]
        check = check_silence(planned, alerts, self.slos, now, self.expires_soon_s)
        for p in check.problems:
            if p != "expires-soon":  # every short silence "expires soon": that is the point of it
                text.append(f"\n{G.warn} {p}: {sanitize_line(check.details[p], 200)}", style="bold yellow")
        for slo, left in budget_at_end(self.alert, self.slos, seconds):
            name = sanitize_line(f"{slo.service}/{slo.name}", 80)
            if left is None or slo.budget_remaining is None:
                text.append(f"\nSLO {name}: no burn data to project", style="dim")
                continue
            burn = slo.burn_rates.get("1h") or 0.0
            text.append(f"\nSLO {name}: budget {slo.budget_remaining * 100:.1f}% now {G.arrow} {left * 100:.1f}% "
                        f"when this silence ends (1h burn {burn:.1f}x)",
                        style="bold red" if left <= 0 else ("bold yellow" if slo.status == "page" else ""))

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            ms = tuple(parse_matchers(self.matchers_input.value))
            seconds = parse_duration(self.duration_input.value)
        except ValueError as exc:
            self.notify(str(exc), severity="error")
            return
        if not ms:
            self.notify("a silence needs at least one matcher", severity="error")
            return
        comment = self.comment_input.value.strip()
        if not comment:
            self.notify("Alertmanager requires a comment", severity="error")
            return
        self.dismiss(SilenceRequest(matchers=ms, duration_s=seconds, created_by=self.created_by, comment=comment))
