"""Pilot tests of the Analytics screen: opened from the worklist, charts, drill-down, filters, CSV export."""
from __future__ import annotations

import stat

from textual.widgets import DataTable, OptionList, Static

from workstation.ui.screens.analytics import AnalyticsScreen, bar, parse_filters
from workstation.analytics import reports as rp


async def settle(pilot) -> None:
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_bars_and_filter_parsing() -> None:
    assert bar(10, 10, 8) == "████████" and bar(0, 10) == "" and bar(5, 10, 8) == "████"
    f = parse_filters("from=2026-01-01 payer=Ohio Medicaid coder=alice", rp.Filters())
    assert (f.date_from, f.payer, f.coder, f.date_to) == ("2026-01-01", "Ohio Medicaid", "alice", None)
    assert parse_filters("from=", f).date_from is None
    for bad in ("when=2026", "2026-01-01", "from=soon"):
        try:
            parse_filters(bad, rp.Filters())
        except rp.ReportError:
            continue
        raise AssertionError(bad)


async def test_analytics_from_the_worklist(make_app, store) -> None:
    store.set_setting("coder_id", "tester")
    store.assign_dx("UI-001", "E11.9")
    store.assign_dx("UI-002", "C50.911")
    app = make_app()
    async with app.run_test(size=(150, 45)) as pilot:
        await settle(pilot)
        await pilot.press("A")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AnalyticsScreen)
        assert "1 store" in str(screen.query_one("#an-status", Static).render())
        options = screen.query_one("#an-sections", OptionList)
        assert options.option_count == sum(len(rp.sections(n)) for n in rp.report_names())
        chart = screen.query_one("#an-chart", DataTable)
        assert screen.chart is not None and screen.chart.section == "by_chapter"
        assert sorted(screen.chart.labels) == ["Chapter 2", "Chapter 4"]
        # Drill-down: Enter on the first bar lists its cases.
        chart.focus()
        await pilot.press("enter")
        await settle(pilot)
        drill = screen.query_one("#an-drill", DataTable)
        assert drill.row_count == 1
        # The month chart also draws a line.
        for _ in range(4):
            options.action_cursor_down()
        await settle(pilot)
        assert screen.chart.section == "by_month"
        # CSV export of the chart's data, private.
        await pilot.press("e")
        await settle(pilot)
        path = screen.last_export
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert path.read_text().splitlines()[0] == "month,cases,diagnoses,procedures,lines"
        # Filters re-run the reports in the worker.
        await pilot.press("f")
        await pilot.press(*"to=2000-01-01")
        await pilot.press("enter")
        await settle(pilot)
        assert screen.filters.date_to == "2000-01-01"
        assert "to=2000-01-01" in str(screen.query_one("#an-status", Static).render())
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, AnalyticsScreen)
