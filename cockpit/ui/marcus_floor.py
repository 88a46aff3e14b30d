"""Who has the floor in Marcus's panel: the user's question before any comment, one request per screen.

Pure bookkeeping (no Textual): the pane asks `offer` what a new request does, starts the stream when
told to, and calls `finished` when a stream ends, which hands back a comment that was waiting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cockpit.advisor.base import ScreenState

QUESTION, COMMENT, UNPROMPTED = "question", "comment", "unprompted"  # comment: the user pressed c
START, WAIT, DROP = "start", "wait", "drop"


def screen_key(screen: ScreenState) -> tuple:
    """What Marcus would be shown, without what changes every second (clock, ages, burn decimals):
    two requests with the same key would get the same answer, so only one is sent."""
    snap = screen.snapshot
    return (
        screen.focused,
        screen.selected_alert.fingerprint if screen.selected_alert else None,
        screen.selected_pod.key if screen.selected_pod else None,
        screen.selected_slo.key if screen.selected_slo else None,
        tuple((a.fingerprint, a.state) for a in screen.visible_alerts),
        tuple((*p.key, p.phase, p.reason, p.ready, p.restarts) for p in screen.visible_pods),
        tuple((*s.key, s.status) for s in screen.visible_slos),
        tuple(sorted(screen.filters.items())),
        tuple(sorted((name, h.ok) for name, h in snap.sources.items())),
        tuple((f.severity, f.kind, f.subject) for f in snap.findings),
    )


@dataclass(eq=False)
class Ask:
    """One request for the panel; `payload` is whatever the pane needs to run it."""

    kind: str  # question | comment | unprompted
    key: tuple
    payload: Any = None


@dataclass
class Floor:
    current: Ask | None = None
    pending: Ask | None = None  # a comment waiting for the current stream to end (the newest wins)
    last_said: tuple | None = None  # screen key of the last comment answered in full (c or unprompted)
    last_asked: tuple | None = None  # screen key of the last `c` answered in full
    cancel_reason: str = ""  # why the stream being replaced was cancelled, for its message
    dropped: list[Ask] = field(default_factory=list)  # coalesced requests (for the pane's notice)

    def offer(self, ask: Ask) -> str:
        """START (cancelling `current`, if any, with `cancel_reason` set), WAIT or DROP."""
        cur = self.current
        if ask.kind == QUESTION:
            if cur is not None and cur.kind == QUESTION and cur.key == ask.key:
                return self._drop(ask)  # the same question again while it is being answered
            return self._start(ask, "you asked a new question")
        if cur is not None and cur.key == ask.key and cur.kind != QUESTION:
            return self._drop(ask)  # already commenting on this very screen
        if cur is None and ask.key == (self.last_asked if ask.kind == COMMENT else self.last_said):
            return self._drop(ask)  # commented on this screen already; nothing changed since
        if cur is not None and (cur.kind == QUESTION or ask.kind == UNPROMPTED):
            # A comment never cuts off an answer, and an unprompted one never cuts off anything.
            self.pending = ask
            return WAIT
        return self._start(ask, "the screen changed; commenting on the new one")

    def finished(self, ask: Ask, completed: bool) -> Ask | None:
        """A stream ended: `completed` only for a full answer (not failed, fallen back or cancelled:
        those may be asked again). Returns the waiting comment to start now."""
        if completed and ask.kind != QUESTION:
            self.last_said = ask.key
            if ask.kind == COMMENT:
                self.last_asked = ask.key
        if self.current is not ask:
            return None  # it was replaced: the stream that replaced it decides what follows
        self.current = None
        nxt, self.pending = self.pending, None
        if nxt is not None and self.offer(nxt) == START:
            return nxt
        return None

    def _start(self, ask: Ask, reason: str) -> str:
        self.cancel_reason = reason if self.current is not None else ""
        self.current = ask
        if ask.kind != QUESTION and self.pending is not None and self.pending.kind != QUESTION:
            self.pending = None  # the comment starting now covers the one that waited
        return START

    def _drop(self, ask: Ask) -> str:
        self.dropped.append(ask)
        del self.dropped[:-10]
        return DROP
