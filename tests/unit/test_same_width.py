"""The width rule (issue 22): sanitized text measures the same under Rich and the C library's wcwidth."""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import locale
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from cockpit.analysis.sanitize import STAND_IN, same_width, sanitize, sanitize_line
from cockpit.analysis.wcwidth import emulated_wcwidth

CORPUS = json.loads((Path(__file__).parents[1] / "data" / "emoji" / "alert-summaries.json").read_text())
ISSUE_SAMPLE = "⚠️ 👍🏽 👨‍💻 🇩🇪 1️⃣ 日本語 🫎"


@pytest.fixture(scope="module")
def wcswidth():
    """The C library's wcswidth under C.UTF-8, as tmux and screen measure (not through our module)."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    libc.wcswidth.argtypes = [ctypes.c_wchar_p, ctypes.c_size_t]
    old = locale.setlocale(locale.LC_CTYPE)
    try:
        locale.setlocale(locale.LC_CTYPE, "C.UTF-8")
    except locale.Error:
        pytest.skip("no C.UTF-8 locale on this host")
    yield lambda s: libc.wcswidth(s, len(s))
    locale.setlocale(locale.LC_CTYPE, old)


def test_issue_sample(wcswidth):
    out = sanitize_line(ISSUE_SAMPLE)
    assert out == f"⚠ 👍 👨💻 🇩🇪 1 日本語 {STAND_IN}"
    assert cell_len(out) == wcswidth(out) == 23
    assert cell_len(ISSUE_SAMPLE) != wcswidth(ISSUE_SAMPLE)  # the disagreement the rule removes


@pytest.mark.parametrize("summary", CORPUS["emoji"])
def test_corpus_emoji_summaries_measure_the_same(summary, wcswidth):
    out = sanitize_line(summary)
    assert cell_len(out) == wcswidth(out), (summary, out)
    assert not {"\ufe0f", "\u200d", "\u20e3"} & set(out)


@pytest.mark.parametrize("summary", CORPUS["plain"])
def test_corpus_plain_text_unchanged(summary, wcswidth):
    assert sanitize_line(summary) == summary
    assert cell_len(summary) == wcswidth(summary)


def _no_controls(c: str) -> bool:
    return unicodedata.category(c) not in ("Cc",) and c not in "\u2028\u2029"


@settings(max_examples=400, deadline=None)
@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60))
def test_any_text_measures_the_same(wcswidth, s):
    out = sanitize_line(s, limit=None)
    assert cell_len(out) == wcswidth(out), [hex(ord(c)) for c in out]


# Emoji blocks, modifiers, selectors, joiners and keycaps mixed densely: where the measures disagree.
EMOJIISH = st.one_of(st.integers(0x1F000, 0x1FAFF), st.integers(0x2600, 0x27BF), st.integers(0x1F1E6, 0x1F1FF),
                     st.sampled_from([0xFE0F, 0xFE0E, 0x200D, 0x20E3, 0x1F3FB, 0x1F3FF, 0xE0067, 0xE007F, 0x23]),
                     st.integers(0x3000, 0x9FFF), st.integers(0xE000, 0xF8FF), st.integers(0x0300, 0x036F))


@settings(max_examples=400, deadline=None)
@given(st.lists(EMOJIISH.map(chr), max_size=40).map("".join))
def test_emoji_soup_measures_the_same(wcswidth, s):
    out = same_width(s)
    assert cell_len(out) == wcswidth(out), [hex(ord(c)) for c in out]


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(categories=("Lu", "Ll", "Lo", "Nd", "Zs", "Mn", "Po"),
                             include_characters="äöüßéèçñ"), max_size=40)
       .filter(lambda s: all(unicodedata.east_asian_width(c) != "N" or ord(c) < 0x2000 for c in s)))
def test_letters_of_living_scripts_kept(s):
    """Latin, CJK, Cyrillic, Greek, Arabic, Hebrew letters come out as written (where both measures know them)."""
    kept = [c for c in s if 0x20 <= ord(c) < 0x2000 or 0x3040 <= ord(c) <= 0x9FFF or 0xAC00 <= ord(c) <= 0xD7A3]
    text = "".join(kept)
    assert same_width(text) == text


def test_streamed_answer_normalised_across_chunk_boundaries():
    answer = "Marcus: ⚠️ 👍🏽 👨‍💻 🇩🇪 1️⃣ 日本語 🫎 done"
    whole = same_width(answer)
    for cut in range(1, len(answer)):
        assert same_width(answer[:cut]) + same_width(answer[cut:]) == whole


def test_original_kept_when_not_for_a_terminal():
    assert sanitize(ISSUE_SAMPLE, for_terminal=False) == ISSUE_SAMPLE
    assert sanitize_line("a\nb", for_terminal=False) == "a ⏎ b"


def test_emulation_agrees_with_libc_on_emoji_and_scripts(wcswidth):
    for s in CORPUS["plain"] + [same_width(s) for s in CORPUS["emoji"]]:
        assert sum(emulated_wcwidth(c) for c in s) == wcswidth(s), s


def test_own_glyphs_agree_and_are_not_ambiguous(wcswidth):
    from dataclasses import astuple

    from cockpit.glyphs import ASCII, UNICODE

    for glyph in [g for v in astuple(UNICODE)[:-1] for g in (v if isinstance(v, tuple) else (v,))]:
        assert cell_len(glyph) == wcswidth(glyph) == len(glyph), glyph
        if glyph != UNICODE.sep:  # the title separator is the documented exception
            assert all(unicodedata.east_asian_width(c) in ("N", "Na", "H") for c in glyph), glyph
    assert all(str(v).isascii() for v in astuple(ASCII))


@pytest.mark.parametrize("env, utf8", [
    ({"LANG": "C.UTF-8"}, True), ({"LANG": "en_US.utf8"}, True), ({"LANG": "C"}, False), ({}, False),
    ({"LANG": "C", "LC_CTYPE": "C.UTF-8"}, False),  # Python's own coercion of a C locale (PEP 538)
    ({"LANG": "C", "LC_ALL": "de_DE.UTF-8"}, True), ({"LANG": "en_US.UTF-8", "LC_ALL": "POSIX"}, False),
    ({"LANG": "ja_JP.eucJP"}, False),
])
def test_locale_decides_the_glyph_set(env, utf8):
    from cockpit.glyphs import locale_is_utf8

    assert locale_is_utf8(env) is utf8


def test_ascii_fallback_keeps_every_cell():
    from cockpit.glyphs import to_ascii

    drawn = "╭─ Alerts 5 · 2 critical ─╮│日本語 ⚠ ▰▱ ✔│╰──╯▊▔▁"
    out = to_ascii(drawn)
    assert out.isascii() and cell_len(out) == cell_len(drawn)
    assert out.startswith("+- Alerts 5 . 2 critical -+|") and to_ascii("plain") == "plain"


def test_snapshot_markdown_and_json_keep_the_original_text():
    from cockpit.cli import snapshot_dict
    from cockpit.model import Alert, Snapshot, utcnow
    from cockpit.report import snapshot_markdown

    summary = f"{ISSUE_SAMPLE} disk nearly full"
    alert = Alert(fingerprint="fp1", name="DiskFull", severity="critical", state="firing",
                  labels={"alertname": "DiskFull", "namespace": "shop"}, annotations={"summary": summary},
                  starts_at=utcnow())
    snap = Snapshot(taken_at=utcnow(), alerts=(alert,))
    assert summary in snapshot_markdown(snap)
    assert snapshot_dict(snap)["alerts"][0]["summary"] == summary
