import pytest

from cockpit.analysis.sanitize import sanitize, sanitize_line


@pytest.mark.parametrize("raw", [
    "\x1b]0;pwned\x07title", "\x1b]52;c;ZXZpbA==\x07clip", "\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\",
    "\x1b[2J\x1b[Hclear", "\x9b2Jc1", "\x9d0;t\x9cosc-c1", "\x1bPdcs\x1b\\", "\x1b[31mred\x1b[0m",
])
def test_escape_sequences_removed(raw):
    out = sanitize(raw)
    assert "\x1b" not in out and "\x07" not in out
    assert not any(0x80 <= ord(c) <= 0x9f for c in out)


def test_markup_kept_literal_and_controls_visible():
    assert sanitize("[bold red]x[/]") == "[bold red]x[/]"
    assert sanitize("a\x00b\x08c") == "a\\x00b\\x08c"


def test_bidi_and_zero_width_removed():
    assert sanitize("safe\u202eevil\u202c zero\u200bwidth\u2066x\u2069") == "safeevil zerowidthx"


def test_single_line_and_limits():
    assert "\n" not in sanitize_line("a\nb\r\nc")
    huge = "A" * 1_000_000
    out = sanitize(huge, limit=1000)
    assert len(out) < 1100 and "more chars" in out


def test_invalid_utf8_bytes():
    assert sanitize(b"ok \xff\xfe end") == "ok \ufffd\ufffd end"
