"""The Textual UI. Only this package imports Textual.

Textual paints at most 60 frames a second, so a keypress waits up to 17 ms for its frame. Frames are
only drawn when something changed, so 120 costs nothing while idle and, measured with 10k pods under
50 watch events/s, took keypress -> painted p95 from 52-59 ms to 36 ms (bench/tui_scale.py).
TEXTUAL_FPS is read when Textual is first imported; a value the user set wins.
"""

import os

os.environ.setdefault("TEXTUAL_FPS", "120")
