"""Marcus on Claude, with the anthropic SDK loaded on first use instead of at launch.

Importing `anthropic` costs 1-2 s of CPU (its generated types); at launch that would sit before the
first frame. This stand-in knows whether Claude is configured without the SDK, and builds the real
ClaudeMarcus (cockpit.advisor.claude) in a worker thread the first time Marcus is asked to speak.
"""

from __future__ import annotations

import asyncio
import os
import re
import threading
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from cockpit.advisor.base import Advisor, AdvisorChunk, AdvisorRequest
from cockpit.lazyimport import LAZY_IMPORTS

if TYPE_CHECKING:
    from cockpit.advisor.persona import Persona
    from cockpit.config import Config
    from cockpit.sources.hub import Hub

MODEL_ID = re.compile(r"claude-[a-z0-9.\-]+")


def claude_configured() -> bool:
    return bool(os.environ.get("ANTHROPIC_API_KEY", "").strip())


def named_model(config_model: str = "", persona_model: str = "") -> str:
    """The model the settings name (COCKPIT_MODEL > config > persona), "" when the SDK's default is used."""
    for m in (os.environ.get("COCKPIT_MODEL", ""), config_model, persona_model):
        if m and MODEL_ID.fullmatch(m.strip()):
            return m.strip()
    return ""


class LazyClaude:
    """An Advisor that becomes claude.make_advisor(config, persona, hub) on its first stream."""

    def __init__(self, config: Config, persona: Persona, hub: Hub | None = None) -> None:
        self._args = (config, persona, hub)
        self._real: Advisor | None = None
        self._lock = threading.Lock()
        self.name = named_model(config.model, persona.model) or "claude"

    def load(self) -> Advisor:
        """Blocking (imports the SDK): call from a worker thread."""
        with self._lock:
            if self._real is None:
                with LAZY_IMPORTS:  # worker threads import client libraries one at a time
                    from cockpit.advisor.claude import make_advisor

                self._real = make_advisor(*self._args)
                self.name = self._real.name
            return self._real

    async def stream(self, request: AdvisorRequest) -> AsyncIterator[AdvisorChunk]:
        real = self._real if self._real is not None else await asyncio.to_thread(self.load)
        async for chunk in real.stream(request):
            yield chunk


def choose_advisor(config: Config, hub: Hub | None = None) -> Advisor:
    """What cockpit runs (the one place that chooses): Claude when a key is configured, its SDK
    loaded on first use; offline Marcus otherwise."""
    from cockpit.advisor.persona import load_persona

    persona = load_persona(config.persona or "marcus")
    if claude_configured():
        return LazyClaude(config, persona, hub)
    from cockpit.advisor.offline import OfflineMarcus

    return OfflineMarcus(persona)
