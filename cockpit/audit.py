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

from cockpit.model import utcnow


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

    def _write(self, entry: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode())
            os.fsync(fd)
        finally:
            os.close(fd)

    def begin(self, action: str, detail: dict[str, Any]) -> str:
        action_id = uuid.uuid4().hex[:12]
        self._write({"id": action_id, "at": utcnow().isoformat(), "who": self.user, "action": action,
                     "detail": detail, "result": "started (no read-back yet)"})
        return action_id

    def finish(self, action_id: str | None, action: str, detail: dict[str, Any], result: str) -> None:
        self._write({"id": action_id, "at": utcnow().isoformat(), "who": self.user, "action": action,
                     "detail": detail, "result": result})

    def record(self, action: str, detail: dict[str, Any], result: str) -> None:
        self.finish(uuid.uuid4().hex[:12], action, detail, result)

    def entries(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text().splitlines() if line.strip()]
