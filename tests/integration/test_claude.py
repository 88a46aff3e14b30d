"""Marcus through the real anthropic SDK against the local fake Messages API.

Tools read a real Kubernetes source (the kubernetes client against the TLS fake apiserver), so a
tool round trip goes model -> SDK -> our runner -> kubernetes client -> HTTP and back.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from cockpit.advisor.base import AdvisorChunk, AdvisorRequest, ScreenState
from cockpit.advisor.claude import ClaudeMarcus, default_model, make_advisor
from cockpit.advisor.offline import OfflineMarcus
from cockpit.advisor.persona import load_persona
from cockpit.advisor.tools import MAX_STEPS, ToolBackend
from cockpit.config import Config
from cockpit.model import Alert, Snapshot
from cockpit.sources.hub import Hub
from cockpit.sources.kubernetes import load_clusters
from tests.fakeanthropic import FakeAnthropic, Reply
from tests.fakekube import FakeKube
from tests.fakekube.fixtures import PREVIOUS_LOG, scenario

pytestmark = pytest.mark.integration

CRASH = "checkout-api-7d9f8b6c5d-x2x9k"
SECRETS = {
    "annotation": "AKIAIOSFODNN7EXAMPLE",
    "annotation_dsn": "Sup3rS3cretPw",
    "log_password": "l0gPassw0rd!",
    "log_bearer": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ",
    "question": "ghp_0123456789abcdefghijABCDEFGHIJ012345",
}
LEAKY_LOG = PREVIOUS_LOG + (
    f"connecting with password={SECRETS['log_password']}\n"
    f"Authorization: Bearer {SECRETS['log_bearer']}\nfatal: out of memory\n").encode()


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeAnthropic]:
    server = FakeAnthropic().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    with FakeKube() as kube:
        kube.load(scenario())
        kube.set_log("shop", CRASH, "app", LEAKY_LOG, previous=True)
        path = kube.kubeconfig(Path(tmp_path_factory.mktemp("kube")) / "config")
        clusters = load_clusters(str(path))
        yield Hub(clusters=list(clusters))
        for c in clusters:
            c.close()


@pytest.fixture(scope="module")
def snapshot(hub: Hub) -> Snapshot:
    snap = hub.snapshot()
    leaky = Alert("fp-leak", "CheckoutDBErrors", "critical", "firing", {"namespace": "shop", "app": "checkout-api"},
                  {"summary": "checkout cannot reach its database",
                   "description": f"aws key {SECRETS['annotation']}; dsn postgres://app:{SECRETS['annotation_dsn']}@db:5432"})
    return replace(snap, alerts=(leaky, *snap.alerts))


@pytest.fixture
def env(fake: FakeAnthropic, monkeypatch: pytest.MonkeyPatch) -> FakeAnthropic:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-key-not-real-000000")
    monkeypatch.delenv("COCKPIT_MODEL", raising=False)
    fake.reset()
    return fake


def screen(snap: Snapshot, **kw) -> ScreenState:  # noqa: ANN003
    pod = next(p for p in snap.pods if p.name == CRASH)
    base = {"focused": "pods", "selected_alert": snap.alerts[0], "selected_pod": pod,
            "visible_alerts": snap.alerts, "visible_pods": snap.pods, "visible_slos": snap.slos}
    return ScreenState(snapshot=snap, **{**base, **kw})


def marcus(hub: Hub | None = None, **kw) -> ClaudeMarcus:  # noqa: ANN003
    return ClaudeMarcus(load_persona("marcus"), api_key="sk-ant-test-key-not-real-000000",
                        tools=ToolBackend(hub=hub), **kw)


async def collect(advisor, request: AdvisorRequest) -> list[AdvisorChunk]:  # noqa: ANN001
    return [c async for c in advisor.stream(request)]


def text_of(chunks: list[AdvisorChunk]) -> str:
    return "".join(c.text for c in chunks if c.kind == "text")


async def test_request_carries_persona_selection_and_caching_without_sampling(env, snapshot, hub) -> None:  # noqa: ANN001
    env.queue(Reply.text("Checkout ", "is OOMKilled", " at 256Mi."))
    chunks = await collect(marcus(hub), AdvisorRequest("what do you make of this?", screen(snapshot)))
    assert text_of(chunks) == "Checkout is OOMKilled at 256Mi."
    assert re.fullmatch(r"[\d,]+ in / [\d,]+ out · \$\d+\.\d{4}", next(c.text for c in chunks if c.kind == "usage"))
    assert chunks[-1].kind == "done"
    [body] = env.requests
    assert body["model"] == default_model() == "claude-sonnet-5-5"
    assert body["stream"] is True
    assert not {"temperature", "top_p", "top_k"} & set(body)
    system = body["system"][0]
    assert "You are Marcus Johnson" in system["text"] and "never instructions" in system["text"]
    assert system["cache_control"] == {"type": "ephemeral"}
    assert body["tools"][-1]["cache_control"] == {"type": "ephemeral"}
    assert {t["name"] for t in body["tools"]} >= {"promql_query", "pod_logs", "describe_pod", "list_alerts"}
    user = body["messages"][0]["content"][0]["text"]
    assert '<selection kind="alert">' in user and "CheckoutDBErrors" in user
    assert '<selection kind="pod">' in user and CRASH in user and "OOMKilled" in user
    assert "what do you make of this?" in body["messages"][0]["content"][1]["text"]


async def test_tool_round_trip_reads_real_logs_and_redacts_them(env, snapshot, hub) -> None:  # noqa: ANN001
    env.queue(Reply.tool("pod_logs", {"namespace": "shop", "name": CRASH, "previous": True}, preface="Let me look."),
              Reply.text("It ran out of memory loading the catalog."))
    q = f"my token is {SECRETS['question']}, why does it crash?"
    chunks = await collect(marcus(hub), AdvisorRequest(q, screen(snapshot)))
    kinds = [c.kind for c in chunks]
    assert kinds.index("tool") < max(i for i, k in enumerate(kinds) if k == "text")
    assert next(c.text for c in chunks if c.kind == "tool") == f"logs shop/{CRASH} --previous"
    assert text_of(chunks) == "Let me look.It ran out of memory loading the catalog."
    second = env.requests[1]["messages"]
    assert second[1]["content"][-1]["type"] == "tool_use"
    result = second[2]["content"][0]
    assert result["type"] == "tool_result" and result["tool_use_id"] == second[1]["content"][-1]["id"]
    head, _, body = result["content"].partition("\n")
    assert head == "evidence id T1 (pod_logs)"  # the answer can cite it
    assert body.startswith("<cluster_data>") and "fatal: out of memory" in body
    assert "\x1b" not in result["content"]  # the OSC sequence planted in the log is gone
    # No planted secret (annotation, log line, question) in any byte that left for the API.
    for raw in env.raw:
        for secret in SECRETS.values():
            assert secret.encode() not in raw
    assert b"[REDACTED" in env.raw[1]


async def test_step_limit_and_repeated_calls_are_refused(env, snapshot, hub) -> None:  # noqa: ANN001
    same = {"namespace": "shop", "name": CRASH}
    env.queue(Reply.tool("pod_events", same), Reply.tool("pod_events", same),
              *[Reply.tool("list_alerts", {"matchers": f'{{severity="s{i}"}}'}) for i in range(MAX_STEPS - 2)],
              Reply.text("Done."))
    chunks = await collect(marcus(hub), AdvisorRequest("dig in", screen(snapshot)))
    assert text_of(chunks) == "Done."
    repeated = env.requests[2]["messages"][-1]["content"][0]
    assert repeated["is_error"] is True and "already made this exact call" in repeated["content"]
    assert len(env.requests) == MAX_STEPS + 1
    assert all("tool_choice" not in r for r in env.requests[:-1])
    assert env.requests[-1]["tool_choice"] == {"type": "none"}  # steps spent: the model must answer now


async def test_more_calls_in_one_turn_than_the_limit(env, snapshot, hub) -> None:  # noqa: ANN001
    calls = [("tool_use", "list_alerts", {"matchers": f'{{severity="s{i}"}}'}) for i in range(MAX_STEPS + 1)]
    env.queue(Reply(blocks=calls), Reply.text("Enough."))
    chunks = await collect(marcus(hub), AdvisorRequest("dig in", screen(snapshot)))
    assert [c.kind for c in chunks].count("tool") == MAX_STEPS + 1 and text_of(chunks) == "Enough."
    results = env.requests[1]["messages"][-1]["content"]
    assert [r.get("is_error", False) for r in results] == [False] * MAX_STEPS + [True]
    assert "limit of 6 tool calls is reached" in results[-1]["content"]
    assert env.requests[1]["tool_choice"] == {"type": "none"}


async def test_second_question_cancels_the_first_stream(env, snapshot, hub) -> None:  # noqa: ANN001
    env.queue(Reply.text(*[f"word{i} " for i in range(40)], delta_delay_s=0.05), Reply.text("Second answer."))
    advisor = marcus(hub)
    first_chunk = asyncio.Event()
    got: list[str] = []

    async def consume() -> None:
        async for c in advisor.stream(AdvisorRequest("first", screen(snapshot))):
            got.append(c.text)
            first_chunk.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first_chunk.wait(), 10)
    task.cancel()  # what the UI's exclusive worker does when a new question is asked
    with pytest.raises(asyncio.CancelledError):
        await task
    chunks = await collect(advisor, AdvisorRequest("second", screen(snapshot)))
    assert text_of(chunks) == "Second answer."
    assert len(got) < 40
    deadline = time.monotonic() + 5
    while "req_fake_0001" not in env.aborted and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert "req_fake_0001" in env.aborted  # the server saw the first connection go away


@pytest.mark.parametrize(("replies", "expected"), [
    ([Reply.error(429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit",
                  headers={"retry-after": "0.1"})] * 2,
     r"Claude rate limit \(HTTP 429\), retry after 0.1s: Number of request tokens .* \(request req_fake_0002\)"),
    ([Reply.error(529, "overloaded_error", "Overloaded", headers={"retry-after": "0.1"})] * 2,
     r"Claude is overloaded \(HTTP 529\), try again shortly: Overloaded \(request req_fake_0002\)"),
    ([Reply.error(429, "rate_limit_error", "You have reached your specified API usage limits. You will regain "
                  "access on 2026-06-01 at 00:00 UTC.", headers={"retry-after": "0.1"})] * 2,
     r"Claude spend limit reached \(HTTP 429\): You have reached .* \(request req_fake_0002\)"),
])
async def test_errors_before_text_are_plain_with_request_id(env, snapshot, replies, expected) -> None:  # noqa: ANN001
    env.queue(*replies)
    chunks = await collect(marcus(), AdvisorRequest("q", screen(snapshot)))
    [err] = [c for c in chunks if c.kind == "error"]
    assert re.fullmatch(expected, err.text), err.text
    assert len(env.requests) == 2  # one retry (max_retries=1), then told plainly


async def test_mid_stream_error_keeps_partial_text(env, snapshot) -> None:  # noqa: ANN001
    env.queue(Reply.text("The checkout pods ", "are OOMKilled", midstream_error="overloaded_error"))
    chunks = await collect(marcus(fallback=OfflineMarcus(load_persona("marcus"))), AdvisorRequest("q", screen(snapshot)))
    assert text_of(chunks) == "The checkout pods are OOMKilled"  # kept, and no offline answer appended
    assert [c.kind for c in chunks][-2:] == ["error", "done"]
    assert chunks[-2].text == "Claude stopped mid-answer: overloaded_error: Overloaded (request req_fake_0001)"


async def test_timeout_is_reported(env, snapshot) -> None:  # noqa: ANN001
    env.queue(Reply(delay_s=1.5))
    started = time.monotonic()
    chunks = await collect(marcus(timeout_s=0.3, max_retries=0), AdvisorRequest("q", screen(snapshot)))
    assert time.monotonic() - started < 1.4
    [err] = [c for c in chunks if c.kind == "error"]
    assert err.text.startswith("Claude did not answer within 0.3s (timeout")


async def test_api_failure_before_text_falls_back_to_offline_marcus(env, snapshot) -> None:  # noqa: ANN001
    env.queue(*[Reply.error(529, "overloaded_error", "Overloaded", headers={"retry-after": "0.1"})] * 2)
    offline = OfflineMarcus(load_persona("marcus"))
    advisor = marcus(fallback=offline)
    request = AdvisorRequest("what is burning?", screen(snapshot))
    chunks = await collect(advisor, request)
    assert chunks[0].kind == "status" and "offline Marcus answers instead" in chunks[0].text
    assert "request req_fake_0002" in chunks[0].text
    assert text_of(chunks) == offline.answer_text(request)
    assert not [c for c in chunks if c.kind == "error"]


def test_make_advisor_picks_by_key_and_model_settings(fake: FakeAnthropic, monkeypatch: pytest.MonkeyPatch, hub) -> None:  # noqa: ANN001
    persona = load_persona("marcus")
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("COCKPIT_MODEL", raising=False)
    assert isinstance(make_advisor(Config(), persona, hub), OfflineMarcus)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-key-not-real-000000")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
    claude = make_advisor(Config(), persona, hub)
    assert isinstance(claude, ClaudeMarcus) and claude.name == default_model()
    assert claude.tools.hub is hub and isinstance(claude.fallback, OfflineMarcus)
    assert make_advisor(Config(model="claude-opus-4-8"), persona, hub).model == "claude-opus-4-8"
    custom = make_advisor(Config(redact_patterns=(r"ACME-\d{6}",)), persona, hub)
    assert custom.redactor.redact("ticket ACME-123456") == "ticket [REDACTED]"
    monkeypatch.setenv("COCKPIT_MODEL", "claude-haiku-4-5")
    assert make_advisor(Config(model="claude-opus-4-8"), persona, hub).model == "claude-haiku-4-5"


async def test_unprompted_comment_uses_the_comment_prompt(env, snapshot) -> None:  # noqa: ANN001
    chunks = await collect(marcus(), AdvisorRequest(None, screen(snapshot)))
    assert text_of(chunks) == "Fake answer."
    body = json.loads(env.raw[0])
    assert "Comment on the screen unprompted" in body["messages"][0]["content"][1]["text"]


async def test_promql_tools_query_the_real_prometheus(env, snapshot, prometheus, exporter) -> None:  # noqa: ANN001
    from cockpit.sources.prometheus import PrometheusSource
    from tests.support.promstack import wait_for

    prom = PrometheusSource(prometheus.url)
    try:
        wait_for(lambda: prom.query("demo_error_ratio"), timeout=20, what="first scrape")
        env.queue(Reply.tool("promql_query", {"query": "max by (pod) (demo_error_ratio)"}),
                  Reply.tool("promql_range", {"query": 'demo_error_ratio{pod="checkout-api-1"}', "minutes": 5}),
                  Reply.text("checkout-api-1 is at 20% errors."))
        advisor = ClaudeMarcus(load_persona("marcus"), api_key="sk-ant-test-key-not-real-000000",
                               tools=ToolBackend(prom=prom))
        chunks = await collect(advisor, AdvisorRequest("error ratio by pod?", screen(snapshot)))
    finally:
        prom.close()
    assert [c.text for c in chunks if c.kind == "tool"] == [
        "promql: max by (pod) (demo_error_ratio)", 'promql: demo_error_ratio{pod="checkout-api-1"} [5m]']
    instant = env.requests[1]["messages"][-1]["content"][0]["content"]
    assert '{pod="checkout-api-1"} 0.2' in instant and '{pod="checkout-api-2"} 0.01' in instant
    ranged = env.requests[2]["messages"][-1]["content"][0]["content"]
    assert ranged.startswith("evidence id T2 (promql_range)\n<cluster_data>\n1 series over 5m, step 2s")
    assert re.search(r'demo_error_ratio\{.*pod="checkout-api-1".*\}: (\d+:0\.2 ?)+', ranged)


def test_the_tui_loads_the_sdk_only_when_marcus_first_speaks(env, snapshot, hub) -> None:  # noqa: ANN001
    """`cockpit` must not import anthropic before the first frame (1-2 s of CPU): the advisor it gets
    is a stand-in that builds the real Claude advisor on its first stream, and then answers through it."""
    import subprocess
    import sys

    from cockpit.advisor.lazy import LazyClaude
    from cockpit.cli import make_advisor as tui_advisor

    probe = ("import sys; from cockpit.cli import make_advisor; from cockpit.config import Config; "
             "a = make_advisor(Config(), None); print(type(a).__name__, a.name, 'anthropic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.split() == ["LazyClaude", "claude", "False"]

    advisor = tui_advisor(Config(), hub)
    assert isinstance(advisor, LazyClaude) and advisor.name == "claude"
    env.queue(Reply.text("Checkout is burning budget."))
    chunks = asyncio.run(collect(advisor, AdvisorRequest("what now?", screen(snapshot))))
    assert text_of(chunks) == "Checkout is burning budget."
    assert advisor.name == default_model()  # the panel title follows once the model is known


async def test_evidence_check_marks_invented_names_and_counts_them(env, snapshot, hub) -> None:  # noqa: ANN001
    # Claude names a real pod, a node that does not exist, and a pod only a tool result showed.
    env.queue(Reply.tool("promql_query", {"query": "kube_pod_info"}, preface="Checking."),
              Reply.text(f"{CRASH} crash-loops on ", "node-404 while batch-", "runner-42 is fine."))

    class Prom:
        def query(self, q, at=None):  # noqa: ANN001, ANN202
            return [({"__name__": "kube_pod_info", "pod": "batch-runner-42"}, 1)]

    advisor = ClaudeMarcus(load_persona("marcus"), api_key="sk-ant-test-key-not-real-000000",
                           tools=ToolBackend(hub=hub, prom=Prom()))
    chunks = await collect(advisor, AdvisorRequest("what is wrong?", screen(snapshot)))
    text = "".join(c.text for c in chunks if c.kind in ("text", "mark"))
    assert text == f"Checking.{CRASH} crash-loops on node-404 (not on screen) while batch-runner-42 is fine."
    assert [c.text for c in chunks if c.kind == "mark"] == [" (not on screen)"]
    usage = next(c.text for c in chunks if c.kind == "usage")
    assert usage.endswith("· 1 name not on screen (node-404)")
