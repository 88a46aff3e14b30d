"""Matcher regexes run in linear time with Alertmanager's (RE2) semantics: a pathological pattern in
the `/` filter or a silence preview answers at once on a long label instead of freezing the screen."""

from __future__ import annotations

import time

import pytest

from cockpit.analysis.matchers import matches, parse_matchers, preview
from cockpit.model import Alert


def alert(**labels: str) -> Alert:
    return Alert(fingerprint="f", name=labels.get("alertname", "A"), severity="warning", state="firing",
                 labels=labels)


@pytest.mark.parametrize("pattern", ["(a+)+b", "(a|aa)+b", "(a*)*b", "(.*a){20}"])
def test_catastrophic_patterns_answer_at_once(pattern: str) -> None:
    matchers = parse_matchers(f'x=~"{pattern}"')
    victim = {"x": "a" * 28 + "!"}
    started = time.monotonic()
    assert not matches(matchers, victim)
    count, _, _ = preview(matchers, [alert(alertname=f"A{i}", x="a" * 28 + "!") for i in range(200)])
    assert count == 0
    assert time.monotonic() - started < 0.5


def test_anchored_and_dot_stops_at_newline_like_alertmanager() -> None:
    assert matches(parse_matchers('x=~"ab.d"'), {"x": "abcd"})
    assert not matches(parse_matchers('x=~"b.d"'), {"x": "abcd"})  # fully anchored
    assert not matches(parse_matchers('x=~"a.b"'), {"x": "a\nb"})
    assert matches(parse_matchers('x=~"é+|日本"'), {"x": "日本"})
    assert matches(parse_matchers('x!~"prod-.*"'), {"x": "staging-1"})
    assert matches(parse_matchers('x=~""'), {})  # a missing label is the empty string


@pytest.mark.parametrize("pattern", [r"(a)\\1", "(?=a)a", "(?<!x)y"])
def test_what_re2_refuses_is_a_clear_error_and_nothing_on_stderr(pattern: str, capfd) -> None:
    with pytest.raises(ValueError, match="invalid regex"):
        parse_matchers(f'x=~"{pattern}"')
    out, err = capfd.readouterr()
    assert out == "" and err == ""  # RE2 logs parse errors unless told not to: that would hit the screen


def test_the_demo_alertmanager_uses_the_same_engine() -> None:
    from cockpit.sources.demo import matcher_matches

    started = time.monotonic()
    assert not matcher_matches(parse_matchers('x=~"(a+)+b"')[0], {"x": "a" * 28 + "!"})
    assert time.monotonic() - started < 0.5
