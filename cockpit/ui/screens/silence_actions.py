"""The silence actions of the main screen: silence, ack (and extend an ack), the silences view with
extend/expire, and `:handover`. Each action runs in a thread worker through the Hub (audited, refused
in read-only, read back) and says what the backend now holds; acks and incidents go to the journal.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cockpit.analysis.acks import ack_comment, ack_for, ack_matchers, caught, short_owner
from cockpit.analysis.sanitize import sanitize_line
from cockpit.errors import ReadOnlyError, error_text
from cockpit.model import AckRecord, Alert, Silence, SilenceRequest, utcnow
from cockpit.ui.messages import AlertsLoaded

if TYPE_CHECKING:
    from cockpit.ui.app import CockpitApp
    from cockpit.ui.screens.main import MainScreen

ACK_SECONDS = 15 * 60
HANDOVER_SINCE_S = 12 * 3600


def journal_of(app: Any) -> Any:
    """The app's journal, opened on first use; a problem with it is said once and cockpit goes on."""
    journal = getattr(app, "_shift_journal", None)
    if journal is None:
        from cockpit.shift import open_journal

        journal = open_journal(app.config)
        app._shift_journal = journal
        if journal.problem:
            say(app, journal.problem)
    return journal


def say(app: Any, text: str) -> None:
    """A warning toast from any thread."""
    if threading.current_thread() is threading.main_thread():
        app.notify(text, severity="warning", timeout=10)
    else:
        app.call_from_thread(app.notify, text, severity="warning", timeout=10)


def record_incidents(app: Any, incidents: Any) -> None:
    """Journal incidents as they open and close, in a worker (a write waits on the disk)."""
    app.run_worker(lambda: _record_incidents(app, tuple(incidents)), thread=True, group="journal")


_JOURNAL_LOCK = threading.Lock()


def _record_incidents(app: Any, incidents: Any) -> None:
    with _JOURNAL_LOCK:  # one diff at a time: two workers must not both see an incident as new
        seen: dict[str, Any] = getattr(app, "_journal_incidents", {})
        journal = journal_of(app)
        now = {i.id: i for i in incidents}
        for iid, inc in now.items():
            if iid not in seen:
                journal.incident_opened(iid, inc.title, inc.severity, inc.cause, at=inc.started_at)
        for iid in seen.keys() - now.keys():
            journal.incident_closed(iid, "no longer seen (its alerts and problems cleared)")
        app._journal_incidents = now


class SilenceActions:
    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen

    @property
    def app(self) -> CockpitApp:
        return self.screen.cockpit

    def refuse(self) -> bool:
        hub = self.app.hub
        if hub.readonly:
            self.app.notify("read-only: cockpit was started with --readonly, actions are refused", severity="error")
            return True
        if not hub.silence_backends:
            self.app.notify(hub.silence_unavailable or "no Alertmanager configured: silencing is unavailable",
                            severity="error", timeout=8)
            return True
        return False

    def _expires_soon_s(self) -> float:
        from cockpit.shift import expires_soon_s

        return expires_soon_s(self.app.config)

    # -- silence ---------------------------------------------------------------------------------
    def silence(self, alert: Alert | None) -> None:
        if alert is None:
            self.app.notify("select an alert to silence (1 jumps to Alerts)", severity="warning")
            return
        if self.refuse():
            return
        from cockpit.ui.screens.silence import SilenceScreen

        def done(request: SilenceRequest | None) -> None:
            if request is not None:
                self.create(request, alert)

        app = self.app
        app.push_screen(SilenceScreen(alert, app.state.alerts.alerts, app.created_by(), slos=app.state.slos.slos,
                                      expires_soon_s=self._expires_soon_s()), done)

    def create(self, request: SilenceRequest, alert: Alert, ack: bool = False) -> None:
        self.app.run_worker(lambda: self._create(request, alert, ack), thread=True, group="actions")

    def _create(self, request: SilenceRequest, alert: Alert, ack: bool) -> None:
        app = self.app
        try:
            silence = app.hub.create_silence(request)
        except ReadOnlyError as exc:
            app.call_from_thread(app.notify, str(exc), severity="error")
            return
        except Exception as exc:
            app.call_from_thread(app.notify, f"{'ack' if ack else 'silence'} failed: {error_text(exc)}",
                                 severity="error", timeout=10)
            return
        if ack:
            journal_of(app).ack(AckRecord(silence.id, alert.fingerprint, alert.name, short_owner(request.created_by),
                                          silence.starts_at, silence.ends_at, dict(alert.labels)))
        app.post_message(AlertsLoaded(app.hub.refresh_alerts(), action=True))  # read back: the row shows it
        until = silence.ends_at.strftime("%H:%M UTC")
        what = "ack" if ack else "silence"
        app.call_from_thread(app.notify, f"{what} {silence.id[:8]} {silence.state} until {until} "
                                         f"({sanitize_line(alert.name, 60)}), read back from "
                                         f"{silence.source or 'backend'}")

    # -- ack -------------------------------------------------------------------------------------
    def ack(self, alert: Alert | None) -> None:
        """A 15-minute silence of exactly this alert, owned by the user; on an acked alert, 15 more minutes."""
        if alert is None:
            self.app.notify("select an alert to ack", severity="warning")
            return
        if self.refuse():
            return
        app = self.app
        current = ack_for(alert, app.state.alerts.silences)
        if current is not None:
            end = max(current.ends_at, utcnow()) + timedelta(seconds=ACK_SECONDS)
            self.extend(current, end, what="ack")
            return
        matchers = ack_matchers(alert)
        owner = short_owner(app.created_by())
        request = SilenceRequest(matchers, ACK_SECONDS, app.created_by(), ack_comment(owner, alert))
        hits = caught(matchers, [a for a in app.state.alerts.alerts if a.state != "inhibited"])
        if len(hits) <= 1:
            self.create(request, alert, ack=True)
            return
        from cockpit.ui.screens.common import ConfirmScreen

        names = ", ".join(sorted({sanitize_line(a.name, 40) for a in hits})[:4])
        where = ", ".join(sorted({sanitize_line(a.labels.get("instance") or a.namespace or a.fingerprint[:8], 40)
                                  for a in hits})[:4])

        def answer(yes: bool | None) -> None:
            if yes:
                self.create(request, alert, ack=True)

        app.push_screen(ConfirmScreen(f"This ack catches {len(hits)} alerts ({names}; {where}), not just the "
                                      f"selected one. Ack all {len(hits)}?"), answer)

    # -- the silences view ---------------------------------------------------------------------------
    def open_view(self) -> None:
        from cockpit.ui.screens.silences import SilencesScreen

        app = self.app

        def load() -> tuple[Any, Any]:
            result = app.hub.refresh_alerts()
            app.post_message(AlertsLoaded(result, action=True))
            return result.silences, result.alerts

        app.push_screen(SilencesScreen(app.state.alerts.silences, app.clock, self.confirm_expire, self.confirm_extend,
                                       alerts=app.state.alerts.alerts, slos=lambda: app.state.slos.slos, load=load,
                                       reload_s=app.config.alerts_interval_s, expires_soon_s=self._expires_soon_s()))

    def confirm_expire(self, silence: Silence) -> None:
        if self.refuse():
            return
        from cockpit.ui.screens.common import ConfirmScreen

        def answer(yes: bool | None) -> None:
            if yes:
                self.app.run_worker(lambda: self._expire(silence), thread=True, group="actions")

        matchers = ", ".join(str(m) for m in silence.matchers)
        self.app.push_screen(ConfirmScreen(f"Expire silence {silence.id[:8]} ({sanitize_line(matchers, 200)})?"), answer)

    def _expire(self, silence: Silence) -> None:
        from cockpit.sources.hub import NoChangeError

        app = self.app
        try:
            result = app.hub.expire_silence(silence.id)
        except NoChangeError as exc:
            app.call_from_thread(app.notify, sanitize_line(exc, 300), severity="warning", timeout=8)
            self._reload()
            return
        except Exception as exc:
            app.call_from_thread(app.notify, f"expire failed: {error_text(exc)}", severity="error", timeout=10)
            return
        app.call_from_thread(app.notify, f"silence {result.id[:8]} is now {result.state} (read back)")
        self._reload()

    def confirm_extend(self, silence: Silence, end: datetime) -> None:
        if self.refuse():
            return
        self.extend(silence, end)

    def extend(self, silence: Silence, end: datetime, what: str = "silence") -> None:
        self.app.run_worker(lambda: self._extend(silence, end, what), thread=True, group="actions")

    def _extend(self, silence: Silence, end: datetime, what: str) -> None:
        app = self.app
        try:
            result = app.hub.extend_silence(silence.id, end)
        except Exception as exc:
            app.call_from_thread(app.notify, f"extend failed: {error_text(exc)}", severity="error", timeout=10)
            return
        app.call_from_thread(app.notify, f"{what} {result.id[:8]} now ends {result.ends_at:%H:%M} UTC "
                                         f"(read back from {result.source or 'backend'})")
        self._reload()

    def _reload(self) -> None:
        from cockpit.ui.screens.silences import SilencesScreen

        app = self.app
        refreshed = app.hub.refresh_alerts()
        app.post_message(AlertsLoaded(refreshed, action=True))

        def show() -> None:
            for screen in app.screen_stack:
                if isinstance(screen, SilencesScreen):
                    screen.show(refreshed.silences, refreshed.alerts)

        app.call_from_thread(show)

    # -- :handover -------------------------------------------------------------------------------------
    def handover(self) -> None:
        self.app.notify("writing the hand-over (last 12h)…", timeout=3)
        self.app.run_worker(self._handover, thread=True, group="handover", exclusive=True)

    def _handover(self) -> None:
        from cockpit.shift import handover_file

        app = self.app
        try:
            path = handover_file(app.hub, app.config, HANDOVER_SINCE_S, journal=journal_of(app),
                                 current_incidents=getattr(app.state, "incidents", ()))
        except Exception as exc:
            app.call_from_thread(app.notify, f"hand-over failed: {error_text(exc)}", severity="error", timeout=10)
            return
        # home as ~: a toast beside Marcus holds the path whole (it wraps at the space before it)
        home, shown = str(Path.home()), str(path)
        shown = "~" + shown[len(home):] if home != "/" and shown.startswith(home + "/") else shown
        app.call_from_thread(app.notify, f"hand-over written to {sanitize_line(shown, 300)}", timeout=20)


def journal_answer(app: Any, question: str, reason: str, text: str) -> None:
    """Marcus's answer (kind answer) or unprompted comment (kind hypothesis), summarised for the hand-over."""
    summary = " ".join(text.split())
    if not summary:
        return
    if len(summary) > 600:
        summary = summary[:600].rsplit(" ", 1)[0] + " …"
    kind, subject = ("answer", question) if question else ("hypothesis", reason or "comment on the screen")
    app.run_worker(lambda: journal_of(app).note(kind, subject, summary), thread=True, group="journal")
