"""Config, layout, persona and SLO files with mistakes: the real CLI names the file, the line and the key,
never prints a traceback; a missing optional file is not an error; a world-readable secret is warned about."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cockpit.config import ConfigError

ROOT = Path(__file__).parents[2]


def cockpit(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COCKPIT_", "ANTHROPIC_", "KUBECONFIG"))}
    env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / ".config"), XDG_STATE_HOME=str(tmp_path / ".state"))
    return subprocess.run([sys.executable, "-m", "cockpit", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)


CONFIGS = {
    "unknown key": ("prometheus: http://127.0.0.1:9\nalerts_interval_s: 5\nalertmanagr: http://x\n", 3, "alertmanagr"),
    "bad number": ("contexts: [prod]\npods_interval_s: soon\n", 2, "pods_interval_s"),
    "bad bool": ("readonly: yes please\n", 1, "readonly"),
    "invalid yaml": ("prometheus: http://x\nalertmanagers: [unclosed\nslos: a\n", 3, ""),
    "unknown auth key": ("prometheus_auth:\n  headers: {}\n  bearer_tokn: abc\n", 3, "prometheus_auth.bearer_tokn"),
    "list expected": ("alertmanagers:\n  a: 1\n", 1, "alertmanagers"),
    "headers not a map": ("alertmanager_auth:\n  headers: [x]\n", 2, "alertmanager_auth.headers"),
}


@pytest.mark.parametrize("case", CONFIGS)
def test_config_mistakes_name_file_line_and_key(case: str, tmp_path: Path) -> None:
    text, line, key = CONFIGS[case]
    path = tmp_path / "config.yaml"
    path.write_text(text)
    proc = cockpit(tmp_path, "check", "--demo", "--config", str(path))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"{path}:{line}" in proc.stderr, proc.stderr
    assert key in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_missing_optional_config_is_not_an_error(tmp_path: Path) -> None:
    proc = cockpit(tmp_path, "check", "--demo")  # no ~/.config/cockpit/config.yaml
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""


def test_missing_explicit_config_names_it(tmp_path: Path) -> None:
    proc = cockpit(tmp_path, "check", "--demo", "--config", str(tmp_path / "nope.yaml"))
    assert proc.returncode == 2 and "nope.yaml" in proc.stderr and "--config" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("mode,warned", [(0o644, True), (0o640, True), (0o600, False)])
def test_config_with_a_secret_and_open_permissions_is_warned(tmp_path: Path, mode: int, warned: bool) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("prometheus_auth:\n  bearer_token: s3cr3t-token-value\n")
    path.chmod(mode)
    proc = cockpit(tmp_path, "check", "--demo", "--config", str(path))
    assert ("chmod 600" in proc.stderr) is warned, proc.stderr
    assert "s3cr3t-token-value" not in proc.stdout + proc.stderr  # warned about, never shown


SLOS = {
    "bad-duration.yaml": "timeWindow", "bad-yaml.yml": "invalid YAML", "missing-window.yml": "",
    "no-sli.yml": "", "not-a-spec.yml": "", "objective-out-of-range.yml": "objective",
}


@pytest.mark.parametrize("name", SLOS)
def test_slo_mistakes_name_the_file_and_line(name: str, tmp_path: Path) -> None:
    path = ROOT / "tests" / "data" / "slo" / "broken" / name
    proc = cockpit(tmp_path, "check", "--prometheus", "http://127.0.0.1:9", "--slo", str(path))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"{path}:" in proc.stderr, proc.stderr  # file:line
    assert SLOS[name] in proc.stderr


PERSONAS = {
    "voice wrong type": ("name: Eve\nshort_name: Eve\nrole: SRE\nvoice: 42\n", 4, "voice"),
    "missing role": ("name: Eve\nshort_name: Eve\n", 1, "role"),
    "invalid yaml": ("name: Eve\nbackground: [x\n", 3, ""),
}


@pytest.mark.parametrize("case", PERSONAS)
def test_persona_mistakes_name_file_line_and_key(case: str, tmp_path: Path) -> None:
    text, line, key = PERSONAS[case]
    path = tmp_path / "eve.yaml"
    path.write_text(text)
    proc = cockpit(tmp_path, "ask", "--demo", "--persona", str(path), "what is burning?")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"{path}:{line}" in proc.stderr and key in proc.stderr, proc.stderr


def test_missing_persona_lists_the_known_ones(tmp_path: Path) -> None:
    proc = cockpit(tmp_path, "ask", "--demo", "--persona", "nobody", "hi")
    assert proc.returncode == 2 and "nobody" in proc.stderr and "marcus" in proc.stderr
    assert "Traceback" not in proc.stderr


LAYOUTS = {
    "unknown pane": ("name: x\ncolumns: [1fr]\nrows: [1fr]\npanes:\n  - pane: graphs\n", 5, "pane"),
    "bad size": ("name: x\ncolumns: [1fr, wide]\nrows: [1fr]\npanes: [alerts]\n", 2, "columns"),
    "unknown pane key": ("name: x\ncolumns: [1fr]\nrows: [1fr]\npanes:\n  - pane: alerts\n    rowspan: 2\n", 6,
                         "rowspan"),
}


@pytest.mark.parametrize("case", LAYOUTS)
def test_layout_mistakes_name_file_line_and_key(case: str, tmp_path: Path) -> None:
    """Layouts load inside the running screen (which shows the error and falls back); the loader is the
    part that must name file, line and key."""
    from cockpit.ui.layout import load_layout

    text, line, key = LAYOUTS[case]
    path = tmp_path / "mine.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_layout(str(path))
    assert f"{path}:{line}" in str(err.value) and key in str(err.value), str(err.value)


@pytest.mark.parametrize("kubeconfig", ["missing", "garbled"])
def test_bad_kubeconfig_is_one_line_not_a_traceback(kubeconfig: str, tmp_path: Path) -> None:
    path = tmp_path / "kubeconfig"
    if kubeconfig == "garbled":
        path.write_text("clusters: [unclosed\n")
    proc = cockpit(tmp_path, "check", "--kubeconfig", str(path))
    assert "Traceback" not in proc.stderr, proc.stderr[-500:]
    assert str(path) in proc.stdout + proc.stderr
