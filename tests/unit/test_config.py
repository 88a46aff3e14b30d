import os

import pytest

from cockpit.config import ConfigError, load_config


def test_flags_beat_env_beat_file(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text("prometheus: http://file:9090\nalertmanager: http://am-file:9093\nnamespace: shop\n")
    env = {"COCKPIT_PROMETHEUS_URL": "http://env:9090"}
    cfg = load_config({"config": str(f)}, env)
    assert cfg.prometheus == "http://env:9090"
    assert cfg.alertmanagers == ("http://am-file:9093",)
    assert cfg.namespace == "shop"
    cfg = load_config({"config": str(f), "prometheus": "http://flag:9090"}, env)
    assert cfg.prometheus == "http://flag:9090"


def test_unknown_key_names_file_and_line(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text("prometheus: http://x\nalertmanagr: http://y\n")
    with pytest.raises(ConfigError) as e:
        load_config({"config": str(f)}, {})
    assert f"{f}:2: unknown key 'alertmanagr'" in str(e.value)


def test_bad_types_are_named(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text("alerts_interval_s: soon\n")
    with pytest.raises(ConfigError, match=r"c.yaml:1: key 'alerts_interval_s' must be a number of seconds"):
        load_config({"config": str(f)}, {})
    f.write_text("prometheus_auth:\n  bearer_token: t\n  tenant: x\n")
    with pytest.raises(ConfigError, match=r"c.yaml:3: unknown key 'prometheus_auth.tenant'"):
        load_config({"config": str(f)}, {})


def test_auth_headers_parsed(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text("prometheus_auth:\n  headers:\n    X-Scope-OrgID: tenant-1\n  insecure: true\n")
    os.chmod(f, 0o600)
    cfg = load_config({"config": str(f)}, {})
    assert cfg.prometheus_auth.headers == {"X-Scope-OrgID": "tenant-1"}
    assert cfg.prometheus_auth.insecure is True


def test_missing_explicit_file_is_an_error_missing_default_is_not(tmp_path, monkeypatch):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config({"config": str(tmp_path / "nope.yaml")}, {})
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert load_config({}, {}).prometheus == ""


def test_open_permissions_on_secrets_warn(tmp_path, capsys):
    f = tmp_path / "c.yaml"
    f.write_text("prometheus_auth:\n  bearer_token: s3cr3t\n")
    os.chmod(f, 0o644)
    load_config({"config": str(f)}, {})
    err = capsys.readouterr().err
    assert "chmod 600" in err and "s3cr3t" not in err


def test_invalid_yaml(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text("prometheus: [unclosed\n")
    with pytest.raises(ConfigError, match=r"c.yaml:\d+: invalid YAML"):
        load_config({"config": str(f)}, {})
