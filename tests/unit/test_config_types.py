"""Every config value is checked by its type at start-up: a quoted boolean, nan, a YAML anchor bomb,
non-UTF-8 bytes or a bad regex is one `file:line: key …` error, never truthiness or a crash later."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import fields
from pathlib import Path

import pytest

from cockpit.config import KEYS, Config, ConfigError, HttpAuth, load_config

ROOT = Path(__file__).parents[2]


def load(tmp_path: Path, text: str | bytes) -> Config:
    f = tmp_path / "c.yaml"
    f.write_bytes(text if isinstance(text, bytes) else text.encode())
    os.chmod(f, 0o600)
    return load_config({"config": str(f)}, {})


def error_of(tmp_path: Path, text: str | bytes) -> str:
    with pytest.raises(ConfigError) as e:
        load(tmp_path, text)
    return str(e.value)


@pytest.mark.parametrize("auth", ["prometheus_auth", "alertmanager_auth"])
@pytest.mark.parametrize("value", ['"false"', "'no'", '"off"', "0", "1", "null"])
def test_a_quoted_or_numeric_insecure_is_an_error_not_tls_off(tmp_path: Path, auth: str, value: str) -> None:
    msg = error_of(tmp_path, f"{auth}:\n  bearer_token: t\n  insecure: {value}\n")
    assert "c.yaml:3: key 'insecure' must be true or false" in msg
    assert auth in msg


def test_real_booleans_still_work(tmp_path: Path) -> None:
    cfg = load(tmp_path, "alertmanager_auth:\n  insecure: true\nreadonly: false\n")
    assert cfg.alertmanager_auth.insecure is True and cfg.readonly is False


def test_tls_is_never_turned_off_by_a_truthy_non_boolean() -> None:
    from cockpit.sources.http import tls_verify

    assert tls_verify(HttpAuth(insecure="false")) is True  # type: ignore[arg-type]
    assert tls_verify(HttpAuth(insecure=True)) is False


@pytest.mark.parametrize("key", ["readonly", "demo"])
def test_top_level_booleans(tmp_path: Path, key: str) -> None:
    assert f"c.yaml:1: key '{key}' must be true or false" in error_of(tmp_path, f'{key}: "true"\n')


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", "0", "-5", "0.001", "1e12", '"abc"', "[1]", "true"])
@pytest.mark.parametrize("key", ["alerts_interval_s", "pods_interval_s", "slos_interval_s", "kube_exec_timeout_s"])
def test_intervals_must_be_finite_sane_seconds(tmp_path: Path, key: str, value: str) -> None:
    msg = error_of(tmp_path, f"namespace: shop\n{key}: {value}\n")
    assert f"c.yaml:2: key '{key}' must be" in msg


def test_durations_accept_numbers_and_units(tmp_path: Path) -> None:
    cfg = load(tmp_path, "alerts_interval_s: 15\npods_interval_s: 2.5\nslos_interval_s: 1m\n"
                         "prometheus_auth:\n  timeout_s: 30s\n")
    assert (cfg.alerts_interval_s, cfg.pods_interval_s, cfg.slos_interval_s) == (15.0, 2.5, 60.0)
    assert cfg.prometheus_auth.timeout_s == 30.0


@pytest.mark.parametrize("value", ['"abc"', ".nan", "0", "true", "[]"])
def test_auth_timeout_is_checked_at_start_up(tmp_path: Path, value: str) -> None:
    msg = error_of(tmp_path, f"alertmanager_auth:\n  timeout_s: {value}\n")
    assert "c.yaml:2: key 'timeout_s' must be" in msg and "alertmanager_auth.timeout_s" in msg


@pytest.mark.parametrize("value", ["1.5", "-1", '"12"', "true"])
def test_whole_numbers(tmp_path: Path, value: str) -> None:
    assert "c.yaml:1: key 'marcus_hourly_budget' must be" in error_of(tmp_path, f"marcus_hourly_budget: {value}\n")


def test_invalid_redact_pattern_names_its_line(tmp_path: Path) -> None:
    msg = error_of(tmp_path, "redact_patterns:\n  - 'tok-[a-z]+'\n  - '(unclosed'\n")
    assert "c.yaml:3: key 'redact_patterns[1]' is not a valid regular expression" in msg


def test_non_utf8_config_is_one_line(tmp_path: Path) -> None:
    msg = error_of(tmp_path, b"namespace: shop\nprometheus: http://caf\xe9:9090\n")
    assert "c.yaml:2: not UTF-8" in msg


def bomb(indent: str) -> str:
    """Nine levels of nine aliases: 9**9 strings once expanded, a few hundred bytes as text."""
    lines = ["x: &a [s, s, s, s, s, s, s, s, s]"]
    lines += [f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]" for p, n in zip("abcdefgh", "bcdefghi", strict=True)]
    return "".join(f"{indent}{line}\n" for line in lines)


def test_an_anchor_bomb_under_a_known_key_is_refused_quickly(tmp_path: Path) -> None:
    started = time.monotonic()
    msg = error_of(tmp_path, "namespace: shop\nprometheus_auth:\n  headers:\n" + bomb("    "))
    assert time.monotonic() - started < 2
    assert "c.yaml:" in msg and "aliases expand" in msg and len(msg) < 500


def test_a_recursive_alias_is_refused(tmp_path: Path) -> None:
    assert "aliases" in error_of(tmp_path, "slos: &a [*a]\n")


def test_every_config_field_declares_its_type() -> None:
    assert {f.name for f in fields(Config)} - {"source_file"} == set(KEYS)


def test_the_cli_refuses_a_quoted_insecure_with_one_line(tmp_path: Path) -> None:
    cfg = tmp_path / "config.yaml"
    cfg.write_text("alertmanagers: [https://127.0.0.1:9]\nalertmanager_auth:\n  bearer_token: s3cr3t\n"
                   "  insecure: \"false\"\n")
    os.chmod(cfg, 0o600)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COCKPIT_", "ANTHROPIC_", "KUBECONFIG"))}
    env.update(HOME=str(tmp_path))
    proc = subprocess.run([sys.executable, "-m", "cockpit", "check", "--config", str(cfg)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"cockpit: error: {cfg}:4: key 'insecure' must be true or false, got the string 'false' "
        "(remove the quotes) (alertmanager_auth.insecure)"]


def test_ask_with_a_bad_redact_pattern_stops_at_start_up(tmp_path: Path) -> None:
    cfg = tmp_path / "config.yaml"
    cfg.write_text("redact_patterns: ['tok-[0-9]+', '(unclosed']\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COCKPIT_", "ANTHROPIC_", "KUBECONFIG"))}
    env.update(HOME=str(tmp_path), ANTHROPIC_API_KEY="sk-ant-test", ANTHROPIC_BASE_URL="http://127.0.0.1:9")
    proc = subprocess.run([sys.executable, "-m", "cockpit", "ask", "--demo", "--config", str(cfg), "hi"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and f"{cfg}:1: key 'redact_patterns[1]' is not a valid regular expression" in lines[0]
