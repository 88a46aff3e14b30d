"""The local journal: what cockpit saw while running (incidents with cause and outcome, acks, Marcus's
hypotheses and answers' summaries), kept for the hand-over in SQLite in the XDG state dir.

WAL mode with synchronous=FULL: a committed row is on disk before the call returns, so `kill -9`
loses nothing committed. A corrupt, locked or unwritable journal is reported in one line (`problem`)
and cockpit goes on without it: every call then does nothing and reads return nothing.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cockpit.model import AckRecord, IncidentRecord, JournalNote, utcnow

SCHEMA = """
CREATE TABLE IF NOT EXISTS incidents (
  id TEXT PRIMARY KEY, title TEXT NOT NULL, severity TEXT NOT NULL DEFAULT '', cause TEXT NOT NULL DEFAULT '',
  opened_at REAL NOT NULL, closed_at REAL, outcome TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS acks (
  silence_id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, alertname TEXT NOT NULL, owner TEXT NOT NULL,
  acked_at REAL NOT NULL, ends_at REAL NOT NULL, labels TEXT NOT NULL DEFAULT '{}');
CREATE TABLE IF NOT EXISTS notes (
  id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, kind TEXT NOT NULL, subject TEXT NOT NULL,
  text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS notes_at ON notes(at);
"""
MAX_TEXT = 4000  # an answer's summary, not the whole answer
LOCK_TIMEOUT_S = 0.5  # a journal held by another process is skipped quickly, never waited on


def default_path() -> Path:
    from platformdirs import user_state_path

    return user_state_path("cockpit") / "journal.sqlite"


def _ts(dt: datetime | None) -> float | None:
    return None if dt is None else dt.timestamp()


def _dt(ts: float | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC)


def describe_error(path: Path, exc: BaseException) -> str:
    """One line naming the journal and what is wrong with it."""
    text = str(exc).strip() or type(exc).__name__
    low = text.lower()
    if "locked" in low or "busy" in low:
        what = "is locked by another process"
    elif "not a database" in low or "malformed" in low or "corrupt" in low:
        what = "is corrupt (move it aside to start a new one)"
    elif isinstance(exc, OSError) or "unable to open" in low or "readonly" in low or "read-only" in low:
        what = "cannot be written"
    else:
        what = "failed"
    return f"journal {path} {what}: {text}; cockpit goes on without it"


class Journal:
    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path else default_path()
        self.problem = ""  # one line when the journal is unusable; "" while it works
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        try:
            self._db = self._open()
        except (sqlite3.Error, OSError) as exc:
            self._fail(exc)

    @classmethod
    def off(cls) -> Journal:
        """A journal that keeps nothing (the demo: its made-up incidents must not reach a real hand-over)."""
        journal = cls.__new__(cls)
        journal.path, journal.problem, journal._db, journal._lock = Path(), "", None, threading.Lock()
        return journal

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=LOCK_TIMEOUT_S, check_same_thread=False, isolation_level=None)
        try:
            mode = db.execute("PRAGMA journal_mode=WAL").fetchone()
            if not mode or str(mode[0]).lower() != "wal":
                raise sqlite3.OperationalError(f"cannot switch to WAL mode (got {mode and mode[0]})")
            db.execute("PRAGMA synchronous=FULL")
            check = db.execute("PRAGMA quick_check").fetchone()
            if not check or check[0] != "ok":
                raise sqlite3.DatabaseError(f"database disk image is malformed ({check and check[0]})")
            db.executescript(SCHEMA)
        except BaseException:
            db.close()
            raise
        return db

    def _fail(self, exc: BaseException) -> None:
        self.problem = describe_error(self.path, exc)
        if self._db is not None:
            try:
                self._db.close()
            except sqlite3.Error:
                pass
        self._db = None

    @property
    def ok(self) -> bool:
        return self._db is not None

    def _write(self, sql: str, params: Iterable[Any]) -> bool:
        with self._lock:
            if self._db is None:
                return False
            try:
                with self._db:  # one transaction; committed (and fsync'd) when the block ends
                    self._db.execute("BEGIN IMMEDIATE")
                    self._db.execute(sql, tuple(params))
                return True
            except sqlite3.Error as exc:
                self._fail(exc)
                return False

    def _read(self, sql: str, params: Iterable[Any] = ()) -> list[tuple]:
        with self._lock:
            if self._db is None:
                return []
            try:
                return self._db.execute(sql, tuple(params)).fetchall()
            except sqlite3.Error as exc:
                self._fail(exc)
                return []

    # -- writes ------------------------------------------------------------------------------------
    def incident_opened(self, incident_id: str, title: str, severity: str = "", cause: str = "",
                        at: datetime | None = None) -> bool:
        """Idempotent: an incident seen again keeps its first opening; cause and title follow the latest."""
        return self._write(
            "INSERT INTO incidents(id, title, severity, cause, opened_at) VALUES (?,?,?,?,?) "
            "ON CONFLICT(id) DO UPDATE SET title=excluded.title, severity=excluded.severity, "
            "cause=excluded.cause, closed_at=NULL",
            (incident_id, title[:MAX_TEXT], severity, cause[:MAX_TEXT], _ts(at or utcnow())))

    def incident_closed(self, incident_id: str, outcome: str = "", at: datetime | None = None) -> bool:
        return self._write("UPDATE incidents SET closed_at=?, outcome=? WHERE id=? AND closed_at IS NULL",
                           (_ts(at or utcnow()), outcome[:MAX_TEXT], incident_id))

    def ack(self, record: AckRecord) -> bool:
        return self._write(
            "INSERT OR REPLACE INTO acks(silence_id, fingerprint, alertname, owner, acked_at, ends_at, labels) "
            "VALUES (?,?,?,?,?,?,?)",
            (record.silence_id, record.fingerprint, record.alertname, record.owner, _ts(record.acked_at),
             _ts(record.ends_at), json.dumps(dict(record.labels), ensure_ascii=True)))

    def note(self, kind: str, subject: str, text: str, at: datetime | None = None) -> bool:
        return self._write("INSERT INTO notes(at, kind, subject, text) VALUES (?,?,?,?)",
                           (_ts(at or utcnow()), kind, subject[:500], text[:MAX_TEXT]))

    # -- reads -------------------------------------------------------------------------------------
    def incidents(self, since: datetime) -> list[IncidentRecord]:
        """Incidents open at any time since `since`: still open, or closed after it."""
        rows = self._read("SELECT id, title, severity, cause, opened_at, closed_at, outcome FROM incidents "
                          "WHERE closed_at IS NULL OR closed_at >= ? ORDER BY opened_at", (_ts(since),))
        return [IncidentRecord(id=r[0], title=r[1], severity=r[2], cause=r[3], opened_at=_dt(r[4]) or utcnow(),
                               closed_at=_dt(r[5]), outcome=r[6]) for r in rows]

    def acks(self, since: datetime) -> list[AckRecord]:
        rows = self._read("SELECT silence_id, fingerprint, alertname, owner, acked_at, ends_at, labels FROM acks "
                          "WHERE ends_at >= ? OR acked_at >= ? ORDER BY acked_at", (_ts(since), _ts(since)))
        out = []
        for r in rows:
            try:
                labels = json.loads(r[6])
            except ValueError:
                labels = {}
            out.append(AckRecord(r[0], r[1], r[2], r[3], _dt(r[4]) or utcnow(), _dt(r[5]) or utcnow(),
                                 labels if isinstance(labels, dict) else {}))
        return out

    def notes(self, since: datetime, limit: int = 200) -> list[JournalNote]:
        rows = self._read("SELECT id, at, kind, subject, text FROM notes WHERE at >= ? ORDER BY at DESC LIMIT ?",
                          (_ts(since), limit))
        return [JournalNote(r[0], _dt(r[1]) or utcnow(), r[2], r[3], r[4]) for r in reversed(rows)]

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
