"""Make hostile cluster text safe to show: literal, single-line where asked, no terminal control.

Everything from a cluster or backend (labels, annotations, pod names, logs, events, model output)
passes through here before it reaches a widget. The UI renders the result as rich.text.Text (never
markup), so square brackets are shown as typed; this module removes what a terminal would act on.
"""

from __future__ import annotations

import re

# ESC-introduced sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), DCS/SOS/PM/APC (ESC P/X/^/_ ... ST),
# and two-character escapes. Their 8-bit C1 forms (U+009B CSI, U+009D OSC, ...) too.
_ESCAPES = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?            # CSI
  | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])        # OSC / DCS / SOS / PM / APC ...
      .*?(?:\x07|\x1b\\|\x9c|$)                    # ... up to BEL or ST (or the end)
  | \x1b[@-Z\\-_]?                                 # other 2-char escapes, or a lone ESC
    """,
    re.VERBOSE | re.DOTALL,
)
# C0 controls except tab/newline, DEL, C1 controls.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Bidi embeddings/overrides/isolates and zero-width characters that can hide or reorder text.
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad]")

MAX_FIELD = 4096  # characters kept of one field shown in a cell; details screens pass a larger limit


def sanitize(text: object, *, limit: int | None = MAX_FIELD, single_line: bool = False) -> str:
    """Return text with escape sequences removed, controls made visible and length bounded."""
    if text is None:
        return ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    s = str(text)
    if limit is not None and len(s) > limit * 4:
        s = s[: limit * 4]  # bound the regex work on megabyte values before cleaning
    s = _ESCAPES.sub("", s)
    s = _INVISIBLE.sub("", s)
    s = s.replace("\r\n", "\n").replace("\t", "    ")
    if single_line:
        s = s.replace("\n", " ⏎ ")
    s = _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}" if m.group() != "\n" else "\n", s)
    if limit is not None and len(s) > limit:
        s = s[:limit] + f"… [{len(s) - limit} more chars]"
    return s


def sanitize_line(text: object, limit: int | None = 512) -> str:
    """For a table cell: one line, bounded."""
    return sanitize(text, limit=limit, single_line=True)


def sanitize_map(values: dict[str, str] | None, *, limit: int | None = MAX_FIELD) -> dict[str, str]:
    return {sanitize_line(k, 256): sanitize(v, limit=limit) for k, v in (values or {}).items()}
