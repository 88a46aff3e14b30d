"""Issue 20.4 through the real anthropic SDK and the fake Messages API: who has Marcus's floor.

A question is never cut off by an unprompted comment (the comment waits), a stream that is cancelled
says so, and `c` pressed again and again on an unchanged screen sends one billed request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from cockpit.advisor.claude import ClaudeMarcus
from cockpit.advisor.persona import load_persona
from cockpit.advisor.policy import Decision
from cockpit.advisor.tools import ToolBackend
from cockpit.config import Config
from cockpit.sources.demo import DemoWorld, demo_hub
from cockpit.ui.app import CockpitApp
from cockpit.ui.messages import FindingsReady
from cockpit.ui.panes.marcus import MessageView
from tests.app.conftest import settle
from tests.fakeanthropic import FakeAnthropic, Reply

pytestmark = pytest.mark.integration

ANSWER = ("Marcus here. ", "Hope is not ", "a strategy: ", "roll back checkout-api ", "first.")


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeAnthropic]:
    server = FakeAnthropic().start()
    yield server
    server.stop()


@pytest.fixture
def env(fake: FakeAnthropic, monkeypatch: pytest.MonkeyPatch) -> FakeAnthropic:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-key-not-real-000000")
    fake.reset()
    return fake


def claude_app(tmp_path) -> CockpitApp:
    world = DemoWorld(frozen=True)
    hub = demo_hub(world)
    advisor = ClaudeMarcus(load_persona("marcus"), api_key="sk-ant-test-key-not-real-000000",
                           tools=ToolBackend(hub=hub))
    # No unprompted comment at start (budget 0): each test sends exactly the requests it counts.
    config = Config(demo=True, marcus_hourly_budget=0, audit_log=str(tmp_path / "audit.jsonl"))
    return CockpitApp(hub, config, advisor=advisor, clock=world.now, live=False)


def messages(app: CockpitApp) -> list[MessageView]:
    return list(app.marcus_pane.log_view.query(MessageView))


async def until(pilot, check, timeout: float = 10.0) -> None:  # noqa: ANN001
    for _ in range(int(timeout / 0.05)):
        if check():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not met in time")


async def ask(pilot, question: str) -> None:  # noqa: ANN001
    await pilot.press("a")
    await pilot.press(*question)
    await pilot.press("enter")


async def test_an_unprompted_comment_waits_for_the_users_answer(env, tmp_path) -> None:
    env.queue(Reply.text(*ANSWER, delta_delay_s=0.15), Reply.text("New critical alert: look at checkout."))
    app = claude_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await ask(pilot, "what is burning?")
        await until(pilot, lambda: "Marcus here." in app.marcus_pane.transcript)
        # A new critical alert arrives mid-answer: the findings worker decides Marcus should speak.
        app.post_message(FindingsReady(app.state.findings, Decision(True, "new critical alert KubePodCrashLooping")))
        await until(pilot, lambda: "look at checkout" in app.marcus_pane.transcript)
        await app.workers.wait_for_complete()
        texts = [(m.header, m.plain) for m in messages(app)]
        answer = next(i for i, (h, _) in enumerate(texts) if h == "Marcus")
        assert texts[answer][1] == "".join(ANSWER)  # the whole answer, not cut off mid-sentence
        assert "cancelled" not in app.marcus_pane.transcript
        comment = next(i for i, (h, _) in enumerate(texts) if "new critical alert" in h)
        assert comment > answer  # the comment came after the answer
        assert len(env.requests) == 2 and not env.aborted


async def test_a_cancelled_stream_says_so(env, tmp_path) -> None:
    env.queue(Reply.text(*ANSWER, delta_delay_s=1.0), Reply.text("Second answer."))
    app = claude_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await ask(pilot, "first question")
        await until(pilot, lambda: "Marcus here." in app.marcus_pane.transcript)
        await ask(pilot, "second question")
        await until(pilot, lambda: "Second answer." in app.marcus_pane.transcript)
        await app.workers.wait_for_complete()
        first = next(m for m in messages(app) if m.plain.startswith("Marcus here."))
        assert any(k == "status" and "cancelled: you asked a new question" in t for k, t in first.parts)
        assert first.plain != "".join(ANSWER)


async def test_pressing_c_thirty_times_sends_one_request(env, tmp_path) -> None:
    app = claude_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        env.queue(*[Reply.text("Checkout ", "is burning.", delta_delay_s=0.05)] * 40)
        for _ in range(30):
            await pilot.press("c")
            await asyncio.sleep(0.03)
        await pilot.pause(0.5)
        await app.workers.wait_for_complete()
        for _ in range(5):
            await pilot.press("c")  # after it finished, on the same screen: still nothing new to say
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        assert len(env.requests) == 1, len(env.requests)
        assert app.marcus_pane.transcript.count("Checkout is burning.") == 1
        await pilot.press("j")  # another alert selected: the screen changed, so `c` asks again
        await pilot.press("c")
        await until(pilot, lambda: len(env.requests) == 2)
        await app.workers.wait_for_complete()
        assert "cancelled" not in app.marcus_pane.transcript


async def test_c_after_a_failed_comment_asks_again(env, tmp_path) -> None:
    app = claude_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        env.queue(Reply.error(400, "invalid_request_error", "prompt is too long"), Reply.text("Back again."))
        await pilot.press("c")
        await until(pilot, lambda: "prompt is too long" in app.marcus_pane.transcript
                    or any("too long" in t for m in messages(app) for _, t in m.parts))
        await app.workers.wait_for_complete()
        await pilot.press("c")  # the same screen, but the last try failed: it is sent again
        await until(pilot, lambda: "Back again." in app.marcus_pane.transcript)
        assert len(env.requests) == 2
