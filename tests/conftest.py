"""Session-wide: the tests never read the developer's config nor write to their state dir (audit log,
journal, hand-overs). Tests that need their own dirs still set XDG_* themselves."""

from __future__ import annotations

import os
import tempfile

_ROOT = tempfile.mkdtemp(prefix="cockpit-tests-")
os.environ.setdefault("XDG_STATE_HOME", os.path.join(_ROOT, "state"))
os.environ.setdefault("XDG_CONFIG_HOME", os.path.join(_ROOT, "config"))
