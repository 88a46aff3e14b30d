"""The evidence check's marks in the Marcus panel: inline after the name, dimmed, kept in the transcript."""

from __future__ import annotations

from textual.app import App

from cockpit.ui.panes.marcus import MessageView


class _One(App):
    def compose(self):  # noqa: ANN201
        yield MessageView("Marcus")


async def test_a_mark_is_inline_and_dim():
    app = _One()
    async with app.run_test(size=(80, 10)) as pilot:
        view = app.query_one(MessageView)
        for kind, text in (("text", "node node-9"), ("mark", " (not on screen)"), ("text", " is down.")):
            view.add(kind, text)
        await pilot.pause()
        content = view.render()
        body = "node node-9 (not on screen) is down."
        assert str(content).endswith(body) and view.plain == body
        start = str(content).index("(not on screen)") - 1
        dim = [s for s in content.spans if getattr(s.style, "dim", False)]
        assert [(s.start, s.end) for s in dim] == [(start, start + len(" (not on screen)"))]
