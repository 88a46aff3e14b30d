"""Text inputs whose typed or pasted text follows the sanitizer's width rule (the frame around them stays put)."""

from __future__ import annotations

from textual.widgets import Input

from cockpit.analysis.sanitize import same_width


class SameWidthInput(Input):
    """An Input that stores what is typed with one width under Rich and wcwidth (issue 22)."""

    def replace(self, text: str, start: int, end: int) -> None:
        super().replace(same_width(text), start, end)
