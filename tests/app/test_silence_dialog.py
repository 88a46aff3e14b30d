"""The silence dialog shows the problems `cockpit silences` would report, before anyone confirms, and for
an alert tied to an SLO the budget left when the silence ends at today's burn (the demo: checkout
availability burning at page level)."""

from __future__ import annotations

from cockpit.analysis.correlate import alert_hits_slo
from tests.app.conftest import settle


async def test_dialog_warns_before_confirming_and_projects_the_budget(app_factory):
    from cockpit.ui.screens.silence import SilenceScreen

    app = app_factory()
    async with app.run_test(size=(140, 44)) as pilot:
        await settle(pilot, app)
        slos = [s for s in app.state.slos.slos if s.status == "page"]
        assert slos, "the demo opens with an SLO paging"
        alert = next(a for a in app.state.alerts.alerts if any(alert_hits_slo(a, s) for s in slos)
                     and a.state == "firing")
        app.main.alerts_pane.table.select_key(alert.fingerprint)
        await pilot.press("s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SilenceScreen)
        text = str(dialog.preview.render())
        assert "hides-page" in text
        assert "when this silence ends" in text and "budget" in text
        one_hour = text
        dialog.duration_input.value = "8d"
        await pilot.pause()
        text = str(dialog.preview.render())
        assert "long" in text and text != one_hour  # a longer silence: more budget burned unseen
        await pilot.press("escape")
