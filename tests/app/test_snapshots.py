"""The screen as SVG at 80x24 and 120x40, on the frozen demo (pytest-textual-snapshot).

Update after an intended change with: pytest tests/app/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

import pytest

from .conftest import make_app, settle


async def _ready(pilot) -> None:
    await settle(pilot, pilot.app)
    await pilot.pause(0.3)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_demo_screen(snap_compare, tmp_path, size):
    assert snap_compare(make_app(tmp_path), terminal_size=size, run_before=_ready)


def test_incident_layout_120x40(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path, layout="incident"), terminal_size=(120, 40), run_before=_ready)
