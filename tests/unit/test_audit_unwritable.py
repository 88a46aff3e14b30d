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


def test_demo_actions_never_reach_the_real_audit_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a real `cockpit handover` lists the audit log's actions: the demo's made-up silences must stay out
    from cockpit.config import Config
    from cockpit.sources.factory import build_hub

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    real, demo = Config().audit_path, Config(demo=True).audit_path
    assert real.name == "audit.jsonl" and demo != real
    hub, _ = build_hub(Config(demo=True, created_by="tester@host"))
    hub.create_silence(SilenceRequest((Matcher("alertname", "Watchdog"),), 600, "tester@host", "demo"))
    assert demo.exists() and not real.exists()
    explicit = tmp_path / "mine.jsonl"  # a path the user chose is kept, demo or not
    assert Config(demo=True, audit_log=str(explicit)).audit_path == explicit
