"""SLO details of an overspent budget agree with themselves: the header, the history caption and the
exhaustion time give one story (no -1900% above -100%, no "exhausted in 0s")."""

from __future__ import annotations

from textual.app import App

from cockpit.model import SLOStatus
from cockpit.ui.screens.details import SLOScreen, slo_text

OVERSPENT = SLOStatus("checkout", "availability", 0.99, "30d", error_ratios={"30d": 0.2}, burn_rates={"1h": 25.0},
                      budget_remaining=-19.0, status="page", exhaustion_s=0.0)
HEALTHY = SLOStatus("checkout", "latency", 0.99, "30d", budget_remaining=0.42, status="ok", exhaustion_s=7200.0)


def test_an_overspent_budget_says_exhausted_not_in_zero_seconds() -> None:
    text = slo_text(OVERSPENT).plain
    assert "-1900.0%" in text and "exhausted" in text
    assert "in 0s" not in text
    assert "20.0" in text and "the budget spent" in text


def test_a_healthy_budget_keeps_its_exhaustion_time() -> None:
    text = slo_text(HEALTHY).plain
    assert "error budget remaining 42.0% · exhausted in 2h" in text


async def test_the_history_caption_uses_the_headers_figures() -> None:
    screen = SLOScreen(OVERSPENT, lambda: [(0.0, -15.0), (60.0, -17.5), (120.0, -19.0)])

    class Host(App):
        def on_mount(self) -> None:
            self.push_screen(screen)

    app = Host()
    async with app.run_test(size=(120, 30)) as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            caption = str(screen.caption.render())
            if "points" in caption:
                break
        assert "-1500.0%" in caption and "-1900.0%" in caption, caption
        assert "-100.0%" not in caption
        assert min(screen.sparkline.data) >= -1.0  # the sparkline alone is bounded for readability
