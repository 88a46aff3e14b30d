"""`keymap:` in config.yaml rebinds keys by id; a clash is a config error naming the file, line and key."""

from __future__ import annotations

import os
import string
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from textual.keys import _normalize_key_list

from cockpit.config import ConfigError, load_config
from cockpit.ui.keymap import KEYS, check_keymap, effective, key_name
from cockpit.ui.screens.silence import SilenceScreen

from .conftest import make_app, settle

ROOT = Path(__file__).resolve().parents[2]


def keymap_file(tmp_path: Path, body: str) -> Path:
    f = tmp_path / "config.yaml"
    f.write_text("layout: default\nkeymap:\n" + body)
    return f


def test_defaults_do_not_clash():
    owners: dict[str, str] = {}
    for binding_id, keys in effective().items():
        for k in keys:
            assert owners.setdefault(k, binding_id) == binding_id, f"{k}: {owners[k]} and {binding_id}"


def test_key_names_are_textuals():
    for ch in string.printable.strip().replace(",", ""):  # a comma separates keys
        assert key_name(ch) == _normalize_key_list(ch), ch


def test_clash_names_file_line_and_key(tmp_path):
    f = keymap_file(tmp_path, "  silence: z\n  ack: a\n")
    with pytest.raises(ConfigError) as e:
        check_keymap(load_config({"config": str(f)}, {}).keymap)
    assert str(e.value).startswith(f"{f}:4: keymap 'ack': key 'a' is already bound to 'ask'")


def test_a_table_key_cannot_be_taken_and_ids_are_checked(tmp_path):
    f = keymap_file(tmp_path, "  silence: j\n")
    with pytest.raises(ConfigError, match=r"config.yaml:3: keymap 'silence': key 'j' is already bound to 'cursor' "
                                          r"\(which cannot be rebound"):
        check_keymap(load_config({"config": str(f)}, {}).keymap)
    f = keymap_file(tmp_path, "  silense: z\n")
    with pytest.raises(ConfigError, match=r"config.yaml:3: keymap: unknown binding id 'silense' \(known: .*silence"):
        check_keymap(load_config({"config": str(f)}, {}).keymap)
    f = keymap_file(tmp_path, "  silence: 5\n")
    with pytest.raises(ConfigError, match=r"config.yaml:3: keymap 'silence' must be a key"):
        load_config({"config": str(f)}, {})


def test_swapping_two_keys_is_fine(tmp_path):
    f = keymap_file(tmp_path, "  silence: a\n  ask: s\n")
    assert check_keymap(load_config({"config": str(f)}, {}).keymap) == {"silence": "a", "ask": "s"}


def test_cockpit_exits_2_with_one_line_on_a_clash(tmp_path):
    f = keymap_file(tmp_path, "  help: q\n")
    env = {**os.environ, "HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path / "st")}
    proc = subprocess.run([sys.executable, "-m", "cockpit", "--demo", "--config", str(f)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert proc.returncode == 2
    assert proc.stderr.strip() == (f"cockpit: error: {f}:3: keymap 'help': key 'q' is already bound to 'quit' "
                                   "(rebind 'quit' too, or pick another key)")


async def test_rebound_key_acts_and_help_and_footer_say_so(tmp_path):
    f = keymap_file(tmp_path, "  silence: z\n")
    app = make_app(tmp_path)
    app = type(app)(app.hub, replace(app.config, keymap=load_config({"config": str(f)}, {}).keymap),
                    clock=app.clock, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        app.alerts_pane.table.select_key(app.alerts_pane.shown[0].fingerprint)
        await pilot.press("s")
        await pilot.pause()
        assert app.screen is app.main  # s is free now
        footer = " ".join(k.key_display or k.key for k in app.screen.query("FooterKey"))
        assert "z" in footer.split() and "s" not in footer.split()
        await pilot.press("z")
        await pilot.pause()
        assert isinstance(app.screen, SilenceScreen)
        await pilot.press("escape")
        await pilot.press("question_mark")
        await pilot.pause()
        text = app.screen.body.render().plain
        line = next(x for x in text.splitlines() if "[silence]" in x)
        assert line.split()[0] == "z"


def test_every_main_screen_action_exists():
    from cockpit.ui.app import CockpitApp
    from cockpit.ui.screens.main import MainScreen

    for k in KEYS:
        if k.scope == "fixed":
            continue
        target, _, name = k.action.rpartition(".")
        cls = CockpitApp if target == "app" else MainScreen
        assert hasattr(cls, f"action_{name.split('(')[0]}"), k.id
