import pytest

from cockpit.analysis.duration import format_duration, parse_duration


@pytest.mark.parametrize("text,seconds", [("1h", 3600), ("15m", 900), ("2h30m", 9000), ("1d", 86400), (" 90s ", 90)])
def test_parse(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "1x", "0m", "h1"])
def test_bad(text):
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_format():
    assert format_duration(9000) == "2h30m"
    assert format_duration(3600) == "1h"
