"""Label matchers: what a user types in `/` or the silence dialog, with Alertmanager semantics."""

from __future__ import annotations

import pytest

from cockpit.analysis.matchers import (
    format_matchers,
    looks_like_matchers,
    matches,
    parse_matchers,
    preview,
    silence_matchers,
)
from cockpit.model import Alert, Matcher


def alert(name: str, **labels: str) -> Alert:
    lb = {"alertname": name, **labels}
    return Alert(fingerprint=f"{name}-{sorted(lb.items())}", name=name, severity=lb.get("severity", "none"),
                 state="firing", labels=lb)


@pytest.mark.parametrize(
    "text",
    [
        'severity=critical, namespace=~"shop.*" alertname!=Watchdog',
        '{severity="critical",namespace=~"shop.*",alertname!="Watchdog"}',
        '  { severity = critical   namespace =~ shop.*  ,, alertname != "Watchdog" }  ',
    ],
)
def test_parse_forms(text: str) -> None:
    assert parse_matchers(text) == [
        Matcher("severity", "critical"),
        Matcher("namespace", "shop.*", is_regex=True),
        Matcher("alertname", "Watchdog", is_equal=False),
    ]


def test_parse_quoted_values_keep_separators_and_escapes() -> None:
    [m] = parse_matchers(r'summary="disk, \"sda1\" full"')
    assert m == Matcher("summary", 'disk, "sda1" full')
    assert str(parse_matchers('pod!~"a|b"')[0]) == 'pod!~"a|b"'
    assert parse_matchers('team=""') == [Matcher("team", "")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no matchers given"),
        ("{}", "no matchers given"),
        ("severity", 'expected =, !=, =~ or !~ after "severity"'),
        ("=critical", "expected a label name"),
        ('namespace=~"(shop"', "invalid regex"),
        ('summary="never closed', "unterminated quoted value"),
        ("{severity=critical", "without a closing"),
        ('a="x"b=c', "expected ',' or a space"),
    ],
)
def test_parse_errors_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError, match="bad matcher|no matchers") as err:
        parse_matchers(text)
    assert message in str(err.value)


def test_matches_follows_alertmanager_semantics() -> None:
    labels = {"alertname": "KubePodCrashLooping", "namespace": "shop-prod", "pod": "checkout-1"}
    assert matches(parse_matchers('namespace=~"shop.*"'), labels)
    assert not matches(parse_matchers('namespace=~"shop"'), labels)  # anchored: no substring match
    assert not matches(parse_matchers('namespace=~"prod"'), labels)
    assert matches(parse_matchers('namespace=~"shop|shop-prod"'), labels)  # alternation inside the anchor
    assert matches(parse_matchers("team="), labels)  # a missing label equals ""
    assert not matches(parse_matchers("team!="), labels)
    assert matches(parse_matchers('team!~".+"'), labels)
    assert matches(parse_matchers("alertname!=Watchdog pod=checkout-1"), labels)
    assert not matches(parse_matchers("alertname!=Watchdog pod=checkout-2"), labels)
    assert matches([], labels)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("severity=critical", True),
        ('namespace=~"shop.*"', True),
        ("{alertname!=Watchdog}", True),
        ("checkout", False),
        ("checkout-api crash", False),
        ("error = high rate", False),  # an operator in prose: not valid matchers, search it as text
        ("=~", False),
    ],
)
def test_looks_like_matchers(text: str, expected: bool) -> None:
    assert looks_like_matchers(text) is expected


def test_silence_matchers_exact_drops_per_evaluation_labels() -> None:
    a = alert("HighLatency", namespace="shop", pod="checkout-1", severity="warning", value="0.731",
              __tmp="x", le="5", p99="1.25e-3")
    got = silence_matchers(a, "exact")
    assert got[0] == Matcher("alertname", "HighLatency")
    assert {m.name for m in got} == {"alertname", "namespace", "pod", "severity", "le"}
    assert all(m.is_equal and not m.is_regex for m in got)
    assert matches(got, a.labels)
    # The next evaluation templates a new value: the silence still holds.
    assert matches(got, {**a.labels, "value": "0.912"})
    assert not matches(got, {**a.labels, "pod": "checkout-2"})


def test_silence_matchers_name_ns() -> None:
    a = alert("KubePodCrashLooping", namespace="shop", pod="checkout-1")
    assert silence_matchers(a, "name_ns") == [Matcher("alertname", "KubePodCrashLooping"), Matcher("namespace", "shop")]
    assert matches(silence_matchers(a, "name_ns"), {**a.labels, "pod": "checkout-9"})
    assert silence_matchers(alert("Watchdog"), "name_ns") == [Matcher("alertname", "Watchdog")]
    with pytest.raises(ValueError, match="unknown silence mode"):
        silence_matchers(a, "everything")  # type: ignore[arg-type]


ALERTS = [
    alert("KubePodCrashLooping", namespace="shop", pod="checkout-1"),
    alert("KubePodCrashLooping", namespace="shop", pod="checkout-2"),
    alert("HighErrorRate", namespace="shop"),
    alert("DiskFull", namespace="infra"),
    *[alert("NodeDown", namespace="infra", node=f"n{i}") for i in range(25)],
]


def test_preview_narrow_silence_has_no_warning() -> None:
    count, names, warning = preview(silence_matchers(ALERTS[0], "name_ns"), ALERTS)
    assert (count, names, warning) == (2, {"KubePodCrashLooping"}, "")


def test_preview_warns_when_broad() -> None:
    count, names, warning = preview(parse_matchers("namespace=shop"), ALERTS)
    assert (count, names) == (3, {"KubePodCrashLooping", "HighErrorRate"})
    assert "no alertname" in warning and "matches 2 different alerts" in warning

    count, _, warning = preview(parse_matchers("alertname=NodeDown"), ALERTS)
    assert count == 25 and warning == "matches 25 alerts"

    _, _, warning = preview(parse_matchers('alertname=~"Kube.*"'), ALERTS)
    assert "no alertname=… matcher" in warning  # a regex on alertname is still open-ended

    _, _, warning = preview(parse_matchers("team="), ALERTS)
    assert "Alertmanager will refuse it" in warning

    count, names, warning = preview([], ALERTS)
    assert count == len(ALERTS) and "every alert" in warning


def test_format_round_trips_hostile_values() -> None:
    a = alert("Weird", namespace="shop", note='say "hi"\\now\nthen, [b]x[/b]', path=r"C:\temp")
    ms = silence_matchers(a, "exact")
    text = format_matchers(ms)
    assert "\n" not in text  # one line in the dialog's input
    assert parse_matchers(text) == ms
    assert matches(parse_matchers(text), a.labels)
    regex = parse_matchers(r'pod=~"checkout-\d+\.x"')
    assert parse_matchers(format_matchers(regex)) == regex
    assert matches(regex, {"pod": "checkout-12.x"}) and not matches(regex, {"pod": "checkout-12yx"})
