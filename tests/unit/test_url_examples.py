"""A bad backend URL is explained with an example of that backend's URL, not another's."""

from __future__ import annotations

import pytest

from cockpit.cli import main
from cockpit.config import ConfigError, load_file


@pytest.mark.parametrize(("argv", "example", "not_example"), [
    (["snapshot", "--alertmanager", "ftp://x"], "http://alertmanager:9093", "prometheus:9090"),
    (["snapshot", "--prometheus", "ftp://x"], "http://prometheus:9090", "alertmanager"),
])
def test_the_example_names_the_flags_backend(argv, example, not_example, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert example in err and not_example not in err, err


def test_a_config_files_alertmanager_key_gets_an_alertmanager_example(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("alertmanagers:\n  - ftp://am-0\n")
    with pytest.raises(ConfigError) as exc:
        load_file(path)
    assert "http://alertmanager:9093" in str(exc.value) and "prometheus:9090" not in str(exc.value)
