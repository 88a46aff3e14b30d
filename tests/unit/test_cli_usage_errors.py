"""A mistyped command line gets one line naming the mistake and exit 2, never argparse's usage block."""

from __future__ import annotations

import pytest

from cockpit.cli import main


@pytest.mark.parametrize("argv, named", [
    (["--bogus"], "--bogus"),
    (["ask"], "ask needs a question"),
    (["nope"], "'nope'"),
    (["snapshot", "--demo", "--format", "yaml"], "'yaml'"),
])
def test_a_bad_command_line_is_one_line(argv: list[str], named: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("cockpit: error: ") and named in err
    assert "usage:" not in err
