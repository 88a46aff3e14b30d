"""An audit log that cannot be written (the state dir is a file, a full or read-only disk): the
action is not sent, and the message says the audit log cannot be written and where — never a bare
NotADirectoryError."""

from __future__ import annotations

from pathlib import Path

import pytest

from cockpit.audit import AuditError, AuditLog
from cockpit.model import Matcher, SilenceRequest
from cockpit.sources.base import SourceError
from cockpit.sources.demo import DemoWorld, demo_hub

REQUEST = SilenceRequest((Matcher("alertname", "AuditTest"),), 600, "tester@host", "audit test")


def test_silencing_with_a_state_dir_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "state").write_text("not a directory")
    path = tmp_path / "state" / "cockpit" / "audit.jsonl"
    world = DemoWorld(frozen=True)
    hub = demo_hub(world, audit=AuditLog(path, "tester@host"))
    before = list(world.current_silences())
    with pytest.raises(SourceError) as e:
        hub.create_silence(REQUEST)
    msg = str(e.value)
    assert isinstance(e.value, AuditError)
    assert f"the audit log cannot be written at {path}" in msg and "Not a directory" in msg
    assert "silence was not sent" in msg and "audit_log" in msg
    assert list(world.current_silences()) == before  # nothing done that is not on record


def test_the_audit_log_path_is_a_directory(tmp_path: Path) -> None:
    (tmp_path / "audit.jsonl").mkdir()
    with pytest.raises(AuditError, match="cannot be written at .*audit.jsonl: Is a directory"):
        AuditLog(tmp_path / "audit.jsonl").begin("silence", {})
