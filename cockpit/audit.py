"""Append-only audit log of actions (JSONL, fsync'd): who, when, what, and the result read back.

An action writes a "started" line before the request and a result line after the read-back, so a
crash in between leaves a line saying the outcome is unknown.
"""

from __future__ import annotations

import getpass
import json
import os
import socket
import uuid
from pathlib import Path
from typing import Any

from cockpit.errors import SourceError
from cockpit.model import utcnow


class AuditError(SourceError):
    """The audit log cannot be written; the message says where and why, in one line."""


def default_user() -> str:
    try:
        user = getpass.getuser()
    except Exception:
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


class AuditLog:
    def __init__(self, path: Path, user: str | None = None) -> None:
        self.path = Path(path)
        self.user = user or default_user()

    def _write(self, entry: dict[str, Any], consequence: str) -> None:
        if session := os.environ.get("COCKPIT_SESSION"):  # a served browser session: its remote address
            entry["session"] = session
        line = json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line.encode())
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:  # a state dir that is a file, read-only, full disk, no permission
            culprit = f" ({exc.filename})" if exc.filename and str(exc.filename) != str(self.path) else ""
            raise AuditError(f"the audit log cannot be written at {self.path}: {exc.strerror or exc}{culprit}; "
                             f"{consequence} (set audit_log in the config to a writable file)") from None

    def begin(self, action: str, detail: dict[str, Any]) -> str:
        """Before the request: an action that cannot be audited is not sent."""
        action_id = uuid.uuid4().hex[:12]
        self._write({"id": action_id, "at": utcnow().isoformat(), "who": self.user, "action": action,
                     "detail": detail, "result": "started (no read-back yet)"}, f"{action} was not sent")
        return action_id

    def finish(self, action_id: str | None, action: str, detail: dict[str, Any], result: str) -> None:
        self._write({"id": action_id, "at": utcnow().isoformat(), "who": self.user, "action": action,
                     "detail": detail, "result": result}, f"{action} result ({result[:80]}) is not recorded")

    def record(self, action: str, detail: dict[str, Any], result: str) -> None:
        self.finish(uuid.uuid4().hex[:12], action, detail, result)

    def entries(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text().splitlines() if line.strip()]
