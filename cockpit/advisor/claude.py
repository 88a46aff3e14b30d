"""Claude speaks for Marcus: streamed answers over the official SDK, read-only tools, plain errors.

Request layout, stable first so prompt caching pays: tool definitions and the persona system prompt
(both marked cache_control ephemeral), then one user turn holding the redacted screen context and the
question. No sampling parameters are sent: the model's defaults are what it was tuned for.
"""

from __future__ import annotations

import asyncio
import os
import re
import typing
from collections.abc import AsyncIterator
from typing import Any, cast

import anthropic

from cockpit.advisor.base import Advisor, AdvisorChunk, AdvisorRequest
from cockpit.advisor.context import build_context
from cockpit.advisor.evidence import Known, StreamCheck, as_chunks, count_text
from cockpit.advisor.lazy import claude_configured, named_model
from cockpit.advisor.redact import Redactor
from cockpit.advisor.tools import MAX_STEPS, TOOL_DEFS, ToolBackend, ToolRunner, describe_call

EPHEMERAL = {"type": "ephemeral"}
ANSWER_RULES = (  # the job's rules live in the persona (persona.ADVISOR_RULES); these are the API's
    f"Use the read-only tools when the screen is not enough; at most {MAX_STEPS} tool calls, then answer. "
    "You cannot change anything in the cluster: propose commands, never claim to have run them. "
    "Plain text for a terminal: no tables, no headings."
)
COMMENT_PROMPT = ("Comment on the screen unprompted: one line per incident, most impactful first, with its first "
                  "step. If nothing needs attention, say so in one sentence.")
# USD per million tokens (input, output) by model family; cache writes cost 1.25x input, reads 0.1x.
PRICES = {"haiku": (1.0, 5.0), "sonnet": (3.0, 15.0), "opus": (5.0, 25.0)}


def default_model() -> str:
    """The newest Sonnet the installed SDK lists (highest version; an undated alias wins a tie)."""
    names: list[str] = []
    for arg in typing.get_args(anthropic.types.Model):
        names += [a for a in typing.get_args(arg) if isinstance(a, str)]

    def version(name: str) -> tuple[tuple[int, ...], int]:
        nums = [int(n) for n in re.findall(r"\d+", name.removeprefix("claude-sonnet-"))]
        dated = bool(nums) and nums[-1] > 10**7
        return (tuple(nums[:-1] if dated else nums), 0 if dated else 1)

    sonnets = [n for n in names if n.startswith("claude-sonnet-")]
    return max(sonnets, key=version) if sonnets else "claude-sonnet-4-5"


def choose_model(config_model: str = "", persona_model: str = "") -> str:
    """COCKPIT_MODEL / config `model` > the persona's model (when it is a model id) > newest Sonnet."""
    return named_model(config_model, persona_model) or default_model()


def cost_usd(model: str, usage: dict[str, int]) -> float:
    family = next((f for f in PRICES if f in model), "sonnet")
    pin, pout = PRICES[family]
    tokens_in = (usage.get("input", 0) + 1.25 * usage.get("cache_write", 0) + 0.1 * usage.get("cache_read", 0))
    return (tokens_in * pin + usage.get("output", 0) * pout) / 1e6


def usage_text(model: str, usage: dict[str, int]) -> str:
    total_in = usage.get("input", 0) + usage.get("cache_write", 0) + usage.get("cache_read", 0)
    cached = f" ({usage['cache_read']:,} cached)" if usage.get("cache_read") else ""
    return f"{total_in:,} in{cached} / {usage.get('output', 0):,} out · ${cost_usd(model, usage):.4f}"


def error_message(exc: BaseException, timeout_s: float) -> str:
    """One plain line naming what failed, with the request id whenever a response carried one."""
    if isinstance(exc, anthropic.APITimeoutError):
        return f"Claude did not answer within {timeout_s:g}s (timeout; no request id: no response)"
    if isinstance(exc, anthropic.APIConnectionError):
        return f"cannot reach Claude at {exc.request.url.host if exc.request else '?'}: {exc.__cause__ or exc}"
    if not isinstance(exc, anthropic.APIStatusError):
        return f"Claude request failed: {type(exc).__name__}: {exc}"
    body = exc.body if isinstance(exc.body, dict) else {}
    err = body.get("error", body) if isinstance(body.get("error", body), dict) else {}
    etype, emsg = err.get("type", ""), str(err.get("message", "") or exc.message)[:300]
    rid = exc.request_id or (body.get("request_id") if isinstance(body, dict) else None)
    tail = f" (request {rid})" if rid else " (no request id)"
    status = exc.status_code
    if status == 200:  # an `event: error` arrived in the middle of the stream
        return f"Claude stopped mid-answer: {etype or 'error'}: {emsg}{tail}"
    if status == 429 and re.search(r"spend|credit|billing|budget|usage limit", emsg, re.I):
        return f"Claude spend limit reached (HTTP 429): {emsg}{tail}"
    if status == 429:
        after = exc.response.headers.get("retry-after")
        return f"Claude rate limit (HTTP 429){f', retry after {after}s' if after else ''}: {emsg}{tail}"
    if status == 529 or etype == "overloaded_error":
        return f"Claude is overloaded (HTTP {status}), try again shortly: {emsg}{tail}"
    if status == 401:
        return f"Claude rejected the API key (HTTP 401): {emsg}{tail}"
    return f"Claude error (HTTP {status} {etype}): {emsg}{tail}"


class ClaudeMarcus:
    """An Advisor backed by the Messages API; falls back to `fallback` when it fails before any text."""

    def __init__(self, persona: Any, *, api_key: str | None = None, model: str = "",
                 tools: ToolBackend | None = None, fallback: Advisor | None = None,
                 redactor: Redactor | None = None, timeout_s: float = 60.0, max_retries: int = 1,
                 max_tokens: int = 1500, budget_tokens: int = 6000) -> None:
        self.persona = persona
        self.model = model or choose_model("", getattr(persona, "model", ""))
        self.name = self.model
        self.tools = tools or ToolBackend()
        self.fallback = fallback
        self.redactor = redactor or self.tools.redactor
        self.tools.redactor = self.redactor
        self.timeout_s = timeout_s
        self.max_tokens = max_tokens
        self.budget_tokens = budget_tokens
        # base_url comes from ANTHROPIC_BASE_URL through the SDK's own handling.
        self.client = anthropic.AsyncAnthropic(
            api_key=api_key, max_retries=max_retries, timeout=anthropic.Timeout(timeout_s, connect=min(timeout_s, 10.0)))

    # -- request parts ------------------------------------------------------------------------------
    def system(self) -> list[dict[str, Any]]:
        text = f"{self.persona.system_prompt()}\n\n{ANSWER_RULES}"
        return [{"type": "text", "text": text, "cache_control": EPHEMERAL}]

    @staticmethod
    def tool_defs() -> list[dict[str, Any]]:
        defs = [dict(t) for t in TOOL_DEFS]
        defs[-1] = {**defs[-1], "cache_control": EPHEMERAL}  # caches every definition before it too
        return defs

    def first_turn(self, request: AdvisorRequest) -> dict[str, Any]:
        context = build_context(request.screen, self.budget_tokens, self.redactor)
        ask = self.redactor.redact(request.question) if request.question else COMMENT_PROMPT
        return {"role": "user", "content": [{"type": "text", "text": context},
                                            {"type": "text", "text": f"<question>\n{ask}\n</question>"}]}

    # -- the stream ------------------------------------------------------------------------------------
    async def stream(self, request: AdvisorRequest) -> AsyncIterator[AdvisorChunk]:
        self.tools.snapshot = request.screen.snapshot
        runner = ToolRunner(self.tools)
        # Ranking 10k pods takes tens of ms: off the event loop, so the UI keeps drawing.
        first, known = await asyncio.to_thread(
            lambda: (self.first_turn(request), Known.of(request.screen.snapshot)))
        messages: list[dict[str, Any]] = [first]
        check = StreamCheck(known)  # names in the answer vs the screen and this answer's tool results
        usage = {"input": 0, "output": 0, "cache_write": 0, "cache_read": 0}
        said_anything = False
        try:
            for step in range(MAX_STEPS + 1):
                kwargs: dict[str, Any] = {}
                if step == MAX_STEPS or runner.exhausted:  # tool steps spent: the model must answer now
                    kwargs["tool_choice"] = {"type": "none"}
                async with self.client.messages.stream(
                    model=self.model, max_tokens=self.max_tokens, system=cast(Any, self.system()),
                    tools=cast(Any, self.tool_defs()), messages=cast(Any, messages), **kwargs,
                ) as s:
                    async for event in s:
                        if event.type == "text" and event.text:
                            said_anything = True
                            for chunk in as_chunks(check.feed(event.text)):
                                yield chunk
                        elif event.type == "content_block_stop" and event.content_block.type == "tool_use":
                            said_anything = True
                            for chunk in as_chunks(check.finish()):
                                yield chunk
                            yield AdvisorChunk("tool", describe_call(event.content_block.name,
                                                                     dict(event.content_block.input or {})))
                    final = await s.get_final_message()
                for chunk in as_chunks(check.finish()):
                    yield chunk
                _add_usage(usage, final.usage)
                if final.stop_reason != "tool_use" or step == MAX_STEPS:
                    break
                messages += [{"role": "assistant", "content": _replay(final.content)},
                             {"role": "user", "content": await self._run_tools(runner, final.content, check)}]
        except (anthropic.APIError, ValueError) as exc:  # ValueError: an unparseable answer (a proxy page)
            msg = error_message(exc, self.timeout_s)
            for chunk in as_chunks(check.finish()):  # the partial text is kept, checked like the rest
                yield chunk
            if not said_anything and self.fallback is not None:
                yield AdvisorChunk("status", f"{msg} — offline Marcus answers instead")
                async for chunk in self.fallback.stream(request):
                    yield chunk
                return
            yield AdvisorChunk("error", msg)
            yield AdvisorChunk("done")
            return
        flagged = f" · {count_text(check.flagged)}" if check.flagged else ""
        yield AdvisorChunk("usage", usage_text(self.model, usage) + flagged)
        yield AdvisorChunk("done")

    async def _run_tools(self, runner: ToolRunner, content: list[Any],
                         check: StreamCheck | None = None) -> list[dict[str, Any]]:
        results = []
        for block in content:
            if block.type != "tool_use":
                continue
            text, is_error = await asyncio.to_thread(runner.run, block.name, dict(block.input or {}))
            if check is not None:
                check.add_known(text)  # a name a tool showed him is evidence too
            results.append({"type": "tool_result", "tool_use_id": block.id, "content": text,
                            **({"is_error": True} if is_error else {})})
        return results


def _replay(content: list[Any]) -> list[dict[str, Any]]:
    """The assistant turn sent back with the tool results: text and tool_use blocks only."""
    out: list[dict[str, Any]] = []
    for b in content:
        if b.type == "text" and b.text:
            out.append({"type": "text", "text": b.text})
        elif b.type == "tool_use":
            out.append({"type": "tool_use", "id": b.id, "name": b.name, "input": dict(b.input or {})})
    return out


def _add_usage(total: dict[str, int], u: Any) -> None:
    total["input"] += u.input_tokens or 0
    total["output"] += u.output_tokens or 0
    total["cache_write"] += getattr(u, "cache_creation_input_tokens", 0) or 0
    total["cache_read"] += getattr(u, "cache_read_input_tokens", 0) or 0


def make_advisor(config: Any, persona: Any, tools_backend: Any = None) -> Advisor:
    """Claude when ANTHROPIC_API_KEY is set, else offline Marcus. `tools_backend`: a ToolBackend or a Hub."""
    from cockpit.advisor.offline import OfflineMarcus

    offline = OfflineMarcus(persona)
    if not claude_configured():
        return offline
    key = os.environ["ANTHROPIC_API_KEY"].strip()
    backend = tools_backend if isinstance(tools_backend, ToolBackend) else ToolBackend(hub=tools_backend)
    backend.redactor = Redactor(getattr(config, "redact_patterns", ()) or ())
    model = choose_model(getattr(config, "model", ""), getattr(persona, "model", ""))
    return ClaudeMarcus(persona, api_key=key, model=model, tools=backend, fallback=offline)
