"""Persona files: the packaged Marcus, the user's own in the XDG dir, and errors that name file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from cockpit.advisor.persona import load_persona
from cockpit.config import ConfigError


@pytest.fixture(autouse=True)
def xdg(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path / "config" / "cockpit" / "personas"


def test_packaged_marcus():
    p = load_persona()
    assert p.name == "Marcus Johnson" and p.display_name == "Marcus"
    assert "Principal Site Reliability Engineer" in p.role
    assert "Hope is not a strategy." in p.mottos
    assert "calm under pressure" in p.tone
    prompt = p.system_prompt()
    assert prompt.startswith("You are Marcus Johnson")
    assert "Never invent data" in prompt and "<cluster_data>" in prompt
    assert "kubectl logs" in prompt and "Hope is not a strategy." in prompt
    assert prompt == load_persona("marcus").system_prompt()  # byte-stable for the prompt cache


def test_user_persona_by_name_wins_over_packaged(xdg):
    xdg.mkdir(parents=True)
    (xdg / "marcus.yaml").write_text("name: Local Marcus\nrole: SRE\nvoice: terse\n")
    (xdg / "ana.yaml").write_text("name: Ana\nrole: DBA\nvoice: {tone: patient, traits: [asks for the query plan]}\n"
                                  "model: claude-haiku-4-5\nmottos: Measure twice\n")
    assert load_persona("marcus").name == "Local Marcus"
    ana = load_persona("ana")
    assert (ana.model, ana.tone, ana.traits, ana.mottos) == (
        "claude-haiku-4-5", "patient", ("asks for the query plan",), ("Measure twice",))
    assert "asks for the query plan" in ana.system_prompt()


def test_path_to_a_file(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("name: Pat\nrole: on-call lead\nvoice: dry\n")
    assert load_persona(str(f)).source == str(f)


@pytest.mark.parametrize(("text", "needle"), [
    ("name: X\nvoice: calm\n", ":1: required key 'role'"),
    ("name: X\nrole: Y\nvoice: calm\nmottos:\n  a: b\n", ":4: key 'mottos': expected a list"),
    ("name: X\nrole: Y\nvoice: calm\ncolour: red\n", ":4: unknown key 'colour'"),
    ("name: X\nrole: [a, b]\nvoice: calm\n", ":2: key 'role': expected text"),
    ("name: X\nrole: Y\nvoice: [1]\n", ":3: key 'voice'"),
    ("name: X\n  role: : Y\n", ":2: invalid YAML"),
    ("- just\n- a list\n", ":1: a persona file must be a mapping"),
])
def test_bad_files_name_file_line_and_key(tmp_path, text, needle):
    f = tmp_path / "bad.yaml"
    f.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_persona(str(f))
    assert str(err.value).startswith(str(f)) and needle in str(err.value)


def test_unknown_names_and_missing_paths():
    with pytest.raises(ConfigError, match="persona 'nobody' not found .*marcus"):
        load_persona("nobody")
    with pytest.raises(ConfigError, match="persona file not found"):
        load_persona(str(Path("/nonexistent/p.yaml")))
