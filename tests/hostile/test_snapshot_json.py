"""`cockpit snapshot --format json` on hostile alerts (real Alertmanager, the real CLI): no raw C1
control, bidi override or zero-width character reaches stdout, and none is dropped either: each is a
\\u escape, so the JSON still holds the exact values."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from cockpit.model import utcnow

ROOT = Path(__file__).parents[2]
UNSAFE = "\x9b2J\x9d52;c;cGF5\x9c \u202eesrever\u202c zero\u200bwidth \u2066iso\u2069 del\x7f \x1b]8;;x\x07 \u2028"


@pytest.mark.integration
def test_snapshot_json_escapes_terminal_controls_and_keeps_them(tmp_path: Path) -> None:
    from tests.support.promstack import start_alertmanager

    am = start_alertmanager(tmp_path / "am")
    try:
        ends = (utcnow().replace(microsecond=0) + timedelta(hours=1)).isoformat()
        httpx.post(am.url + "/api/v2/alerts", timeout=10, json=[{
            "labels": {"alertname": "JsonHostile", "severity": "critical", "note": "lab\u202eel"},
            "annotations": {"summary": UNSAFE}, "endsAt": ends}]).raise_for_status()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("COCKPIT_", "ANTHROPIC_", "KUBECONFIG"))}
        env.update(HOME=str(tmp_path))
        proc = subprocess.run([sys.executable, "-m", "cockpit", "snapshot", "--format", "json", "--alertmanager",
                               am.url], capture_output=True, cwd=ROOT, env=env, timeout=60)
    finally:
        am.kill()
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = proc.stdout.decode("utf-8")
    raw = [hex(ord(c)) for c in text if 0x7f <= ord(c) <= 0x9f or c in "\u202e\u202c\u200b\u2066\u2069\u2028\x1b\x07"]
    assert not raw, raw[:10]
    alert = next(a for a in json.loads(text)["alerts"] if a["name"] == "JsonHostile")
    assert alert["annotations"]["summary"] == UNSAFE  # escaped, not dropped
    assert alert["labels"]["note"] == "lab\u202eel"
    assert "\\u009b" in text and "\\u202e" in text
