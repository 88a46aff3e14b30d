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


def test_one_snapshot_writes_each_duration_one_way_and_counts_in_good_english(capsys) -> None:
    """The demo's snapshot: its budget ETA is one string in the impact, the finding and the table."""
    import re

    from cockpit.cli import main

    assert main(["snapshot", "--demo", "--format", "markdown"]) == 0
    text = capsys.readouterr().out
    assert not re.search(r"\b\d+\.\d+\s?[hd]\b", text), re.findall(r".{40}\b\d+\.\d+\s?[hd]\b", text)
    gone = re.search(r"checkout/availability burning [^,]+, budget gone in (\S+)", text).group(1)
    assert "checkout availability SLO (99.9%) burning" in text and f"exhausted in {gone} at this rate" in text
    assert re.search(rf"\| checkout/availability \|.*\| {re.escape(gone)} \|", text)
    assert not re.search(r"\(\+1 alerts\)|\+1 SLOs|\b1 \S+ pod failing to pull their|pod \S+ failing to pull their", text)
