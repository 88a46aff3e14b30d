"""The journal: committed rows survive kill -9; a corrupt, locked or unwritable journal is one line."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

from cockpit.journal import Journal
from cockpit.model import AckRecord, utcnow

WRITER = textwrap.dedent("""
    import sys, time
    from cockpit.journal import Journal
    j = Journal(sys.argv[1])
    assert j.ok, j.problem
    for i in range(50):
        j.note("hypothesis", f"alert {i}", f"hypothesis number {i}")
    j.incident_opened("inc-1", "checkout 5xx after rollout", "critical", "rollout of checkout-api 2.4.0")
    print("committed", flush=True)
    time.sleep(60)   # killed here, journal still open
""")


def test_committed_rows_survive_kill_9(tmp_path: Path) -> None:
    path = tmp_path / "state" / "journal.sqlite"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True,
                            cwd=Path(__file__).resolve().parents[2])
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "committed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert (path.parent / "journal.sqlite-wal").exists()  # the rows are in the WAL, not yet checkpointed
    j = Journal(path)
    assert j.ok, j.problem
    notes = j.notes(utcnow() - timedelta(hours=1))
    assert [n.subject for n in notes] == [f"alert {i}" for i in range(50)]
    (inc,) = j.incidents(utcnow() - timedelta(hours=1))
    assert (inc.id, inc.cause, inc.closed_at) == ("inc-1", "rollout of checkout-api 2.4.0", None)


def test_round_trip_incident_close_and_acks(tmp_path: Path) -> None:
    j = Journal(tmp_path / "j.sqlite")
    now = utcnow()
    j.incident_opened("inc-7", "disk full", "warning", "logs filling /var", at=now - timedelta(hours=2))
    j.incident_opened("inc-7", "disk full on node-3", "warning", "logs filling /var")  # seen again
    j.incident_closed("inc-7", "logrotate fixed", at=now - timedelta(minutes=5))
    j.ack(AckRecord("sil-1", "fp1", "NodeDown", "alice", now - timedelta(minutes=12), now + timedelta(minutes=3),
                    {"alertname": "NodeDown", "instance": "n1:9100"}))
    (inc,) = j.incidents(now - timedelta(hours=1))
    assert inc.title == "disk full on node-3" and inc.opened_at < now - timedelta(hours=1)
    assert inc.outcome == "logrotate fixed" and inc.closed_at is not None
    assert j.incidents(now) == []  # closed before `since`
    (ack,) = j.acks(now - timedelta(hours=1))
    assert (ack.owner, ack.labels["instance"]) == ("alice", "n1:9100")


def test_corrupt_journal_is_one_line_and_cockpit_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    path.write_bytes(b"this is not sqlite at all\n" * 200)
    j = Journal(path)
    assert not j.ok
    assert "\n" not in j.problem and str(path) in j.problem and "corrupt" in j.problem
    assert j.note("answer", "x", "y") is False and j.notes(utcnow() - timedelta(days=1)) == []


def test_damaged_pages_are_caught_at_open(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    j = Journal(path)
    for i in range(300):
        j.note("answer", f"s{i}", "x" * 500)
    j.close()
    with sqlite3.connect(path) as db:  # fold the WAL in, then damage a page in the middle
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    data[8192:8192 + 2000] = os.urandom(2000)
    path.write_bytes(bytes(data))
    j = Journal(path)
    assert not j.ok and "corrupt" in j.problem, j.problem


def test_locked_journal_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    Journal(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another cockpit in the middle of a write
    try:
        j = Journal(path)
        assert j.note("answer", "q", "a") is False
        assert "locked" in j.problem and "\n" not in j.problem and str(path) in j.problem
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_unwritable_state_dir_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "state"
    blocker.write_text("a file where the state dir should be")
    j = Journal(blocker / "journal.sqlite")
    assert not j.ok and "cannot be written" in j.problem and "\n" not in j.problem


def test_the_demo_keeps_no_journal(tmp_path: Path) -> None:
    from cockpit.config import Config
    from cockpit.shift import open_journal

    j = open_journal(Config(demo=True, journal=str(tmp_path / "j.sqlite")))
    assert j.note("answer", "q", "a") is False and j.problem == "" and not (tmp_path / "j.sqlite").exists()
    assert open_journal(Config(journal=str(tmp_path / "j.sqlite"))).ok
