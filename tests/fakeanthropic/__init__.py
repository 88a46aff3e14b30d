"""A local fake of the Anthropic Messages API: real HTTP, real SSE event sequence, scriptable failures."""

from tests.fakeanthropic.server import FakeAnthropic, Reply

__all__ = ["FakeAnthropic", "Reply"]
