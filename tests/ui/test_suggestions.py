"""Pilot test of the Suggestions panel in a small app of its own (not the coding screen)."""
from __future__ import annotations

import json
from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import OptionList

from workstation.cases.model import Case
from workstation.suggest import rejections
from workstation.ui.widgets.suggestions import SuggestionsPanel

DEMO = Path(__file__).resolve().parents[2] / "sessions" / "demo" / "worklist.json"


def demo_case(case_id: str) -> Case:
    for raw in json.loads(DEMO.read_text())["cases"]:
        if raw["case_id"] == case_id:
            return Case.from_dict(raw)
    raise KeyError(case_id)


class PanelApp(App):
    def __init__(self, store_path: str) -> None:
        super().__init__()
        self.store_path = store_path
        self.seen: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        yield SuggestionsPanel(id="suggestions")

    def on_suggestions_panel_accepted(self, event: SuggestionsPanel.Accepted) -> None:
        self.seen.append(("accepted", event.suggestion.code))

    def on_suggestions_panel_rejected(self, event: SuggestionsPanel.Rejected) -> None:
        self.seen.append(("rejected", event.suggestion.code))


async def test_accept_reject_and_coded_marks(tmp_path) -> None:
    store = tmp_path / "s.json"
    app = PanelApp(str(store))
    async with app.run_test(size=(120, 30)) as pilot:
        panel = app.query_one(SuggestionsPanel)
        panel.show_case(demo_case("DEMO-001"), coded={"N18.31"}, store_path=str(store))
        await app.workers.wait_for_complete()
        await pilot.pause()
        codes = [s.code for s in panel.suggestions]
        assert codes[:2] == ["E11.22", "N18.31"] and "I12.9" in codes
        assert [s.already_coded for s in panel.suggestions][:2] == [False, True]
        app.query_one("#suggest-list", OptionList).focus()
        await pilot.press("enter")          # accept E11.22, cursor to the next row
        assert app.seen == [("accepted", "E11.22")]
        assert panel.current().code == "N18.31"
        await pilot.press("d")              # already coded: nothing posted, cursor moves on
        assert app.seen == [("accepted", "E11.22")]
        rejected = panel.current().code
        await pilot.press("x")
        assert app.seen[-1] == ("rejected", rejected)
        assert rejected not in [s.code for s in panel.suggestions]
        assert rejections.rejected(store, "DEMO-001") == {rejected}
        # Opening the case again: the rejected code stays out, the accepted one is marked.
        panel.show_case(demo_case("DEMO-001"), coded={"E11.22", "N18.31"}, store_path=str(store))
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert rejected not in [s.code for s in panel.suggestions]
        assert panel.suggestions[0].already_coded


async def test_g_in_the_coding_screen_accepts_into_the_case(make_app, store) -> None:
    from textual.widgets import DataTable

    from workstation.ui.screens.coding import CodingScreen
    from workstation.ui.screens.suggestions import SuggestionsScreen

    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        for _ in range(3):
            await pilot.pause()
            await app.workers.wait_for_complete()
        table = app.screen.query_one("#cases", DataTable)
        table.move_cursor(row=table.get_row_index("UI-001"))
        await pilot.press("enter")
        for _ in range(3):
            await pilot.pause()
            await app.workers.wait_for_complete()
        assert isinstance(app.screen, CodingScreen)
        await pilot.press("escape")  # out of the search box
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, SuggestionsScreen)
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        panel = app.screen.query_one(SuggestionsPanel)
        assert [s.code for s in panel.suggestions][:2] == ["E11.22", "N18.31"]
        await pilot.press("enter")
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        assert store.work("UI-001").diagnoses == ["E11.22"]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
