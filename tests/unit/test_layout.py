from pathlib import Path

import pytest

from cockpit.config import ConfigError
from cockpit.ui.layout import auto_layout_name, layout_names, load_layout, parse_layout


def test_builtin_layouts_load_and_cover_all_panes():
    assert {"default", "incident", "compact"} <= set(layout_names())
    for name in ("default", "incident", "compact"):
        layout = load_layout(name)
        assert {"alerts", "pods", "slos", "marcus"} <= set(layout.pane_names)
    assert load_layout("compact").mode == "tabs"
    incident = load_layout("incident")  # the incident list on top, Marcus tall beside everything
    assert incident.pane_names[0] == "incidents" and incident.panes[1].pane == "marcus"
    assert incident.panes[1].row_span == len(incident.rows)


def test_small_terminal_gets_compact():
    assert auto_layout_name(80, 24) == "compact"
    assert auto_layout_name(120, 40) == "default"


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "mine.yaml"
    p.write_text(text)
    return p


def test_unknown_pane_names_file_and_line(tmp_path):
    p = write(tmp_path, "name: mine\nmode: grid\npanes:\n  - pane: alerts\n  - pane: logs\n")
    with pytest.raises(ConfigError) as e:
        parse_layout(p)
    assert f"{p}:5" in str(e.value) and "'logs'" in str(e.value)


def test_bad_size_and_unknown_key(tmp_path):
    p = write(tmp_path, "name: x\ncolumns: [2fr, wide]\npanes: [alerts]\n")
    with pytest.raises(ConfigError, match=r"mine.yaml:2: key 'columns': bad size 'wide'"):
        parse_layout(p)
    p = write(tmp_path, "name: x\ncolour: red\npanes: [alerts]\n")
    with pytest.raises(ConfigError, match=r"mine.yaml:2: unknown key 'colour'"):
        parse_layout(p)


def test_invalid_yaml_names_line(tmp_path):
    p = write(tmp_path, "name: x\npanes: [alerts\n  mode: grid\n")
    with pytest.raises(ConfigError, match=r"mine.yaml:\d+: invalid YAML"):
        parse_layout(p)


def test_duplicate_pane_refused(tmp_path):
    p = write(tmp_path, "panes: [alerts, alerts]\n")
    with pytest.raises(ConfigError, match="alerts listed twice"):
        parse_layout(p)


def test_user_layout_dir_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    d = tmp_path / "cockpit" / "layouts"
    d.mkdir(parents=True)
    (d / "wall.yaml").write_text("name: wall\nmode: tabs\npanes: [pods, alerts]\n")
    assert "wall" in layout_names()
    assert load_layout("wall").pane_names == ("pods", "alerts")
    with pytest.raises(ConfigError, match="unknown layout 'nope'"):
        load_layout("nope")
