"""Issue 13 item 4: the coding screen's title bar names the code year, which
`Encounter.coding_date` decides (inpatient: the discharge date), beside the date it comes from."""
from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from workstation.cases.model import Case, Coverage, Document, Encounter, Person
from workstation.session.store import SessionStore
from workstation.ui.app import WorkstationApp

from test_flows import open_case, settle  # noqa: E402


def _cases() -> list[Case]:
    # Invented patients.
    office = Case("YR-001", Person("Dee", "Yearcase", dob="1970-02-03", sex="F"),
                  Encounter("office", "2026-11-20", "11"), coverage=Coverage(self_pay=True),
                  documents=[Document("Note", "Plantar fasciitis, right foot.", date="2026-11-20")],
                  source="ui-test", source_key="yr-001")
    # Admitted in FY2026, discharged in FY2027: the discharge decides.
    stay = Case("YR-002", Person("Eli", "Staycase", dob="1950-05-06", sex="M"),
                Encounter("inpatient", "2026-09-28", "21", admit_date="2026-09-28", discharge_date="2026-10-02"),
                coverage=Coverage(self_pay=True),
                documents=[Document("Discharge summary", "Pneumonia.", date="2026-10-02")],
                source="ui-test", source_key="yr-002")
    before = Case("YR-003", Person("Fay", "Earlycase", dob="1980-07-08", sex="F"),
                  Encounter("office", "2026-09-30", "11"), coverage=Coverage(self_pay=True),
                  documents=[Document("Note", "Follow-up.", date="2026-09-30")],
                  source="ui-test", source_key="yr-003")
    return [office, stay, before]


async def back_to_worklist(pilot) -> None:
    from workstation.ui.screens.worklist import WorklistScreen

    for _ in range(3):  # out of the search box, then out of the case
        if isinstance(pilot.app.screen, WorklistScreen):
            return
        await pilot.press("escape")
        await settle(pilot)
    assert isinstance(pilot.app.screen, WorklistScreen)


@pytest.fixture
def years_app(tmp_path: Path):
    """The app over a store of the three cases above."""
    store = SessionStore.open(tmp_path / "years.json")
    store.add_cases(_cases())
    app = WorkstationApp(store, label="years.json")
    app.warmed = True
    yield app
    store.close()


def _title(screen) -> str:
    return str(screen.query_one("#title-bar", Static).render())


async def test_the_title_bar_names_the_code_year_of_the_case(years_app: WorkstationApp) -> None:
    async with years_app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "YR-001")
        assert "YR-001" in _title(screen)
        assert "FY2027 ICD-10-CM (provisional) · date of service 2026-11-20" in _title(screen)
        await back_to_worklist(pilot)
        screen = await open_case(pilot, "YR-002")
        assert "FY2027 ICD-10-CM (provisional) · discharge 2026-10-02" in _title(screen)
        assert screen.case.coding_date == "2026-10-02"
        await back_to_worklist(pilot)
        screen = await open_case(pilot, "YR-003")
        assert "FY2026 ICD-10-CM · date of service 2026-09-30" in _title(screen)


async def test_the_trees_show_the_release_of_the_case_date(years_app: WorkstationApp) -> None:
    """The tabular (and HCPCS) tree follow the case's code year, as search and detail do: M72.2
    is a billable code in FY2026 and a header in FY2027 (M72.20-M72.22 below it)."""
    from workstation.ui.widgets.code_tree import CodeTree

    from test_flows import search

    async with years_app.run_test(size=(160, 48)) as pilot:
        seen = {}
        for case_id in ("YR-003", "YR-001", "YR-003"):  # FY2026, FY2027, FY2026 again
            screen = await open_case(pilot, case_id)
            await search(pilot, "M72.2")
            await pilot.press("down", "enter")  # the result, opened in the tabular
            await settle(pilot)
            tree = screen.query_one("#tabular", CodeTree)
            assert screen.codes.view == "tabular" and tree.current().code == "M72.2"
            node = tree.cursor_node
            if node.allow_expand:
                tree.ensure_loaded(node)
            seen.setdefault(case_id, []).append([k.data.code for k in node.children])
            await back_to_worklist(pilot)
        assert seen["YR-003"] == [[], []]  # FY2026: billable, nothing below it
        assert seen["YR-001"] == [["M72.20", "M72.21", "M72.22"]]  # FY2027: a header


def test_the_hcpcs_tree_reads_the_release_in_force_on_the_date(monkeypatch) -> None:
    from workstation.codes import hcpcs
    from workstation.ui.widgets import trees

    asked: list[str | None] = []
    real = hcpcs.hcpcs

    def spy(date: str | None = None):
        asked.append(date)
        return real(date)

    monkeypatch.setattr(hcpcs, "hcpcs", spy)
    source = trees.source_for("hcpcs", "2020-02-01")
    assert asked == ["2020-02-01"] and source.roots()


async def test_the_title_bar_fits_a_narrow_terminal(years_app: WorkstationApp) -> None:
    """At 80x24 the code year is shortened and the name cut, so the pane markers and the save
    state always show; a long save message shows whole and the title gives way."""
    from rich.cells import cell_len

    async with years_app.run_test(size=(80, 24)) as pilot:
        screen = await open_case(pilot, "YR-001")
        title = _title(screen)
        assert "FY2027 (prov.) · DOS 2026-11-20" in title and "Yearc…" in title
        assert all(marker in title for marker in (" Case ", " Codes ", " Claim "))
        assert cell_len(title) <= 78  # the bar's width inside its padding
        for state, year in (("saved ✓ 12:01:02  (u undoes: 12)", "FY2027"), ("not saved", "FY2027 (prov.)")):
            screen.save_state = state
            screen._show_title()
            title = _title(screen)
            assert state in title and " Claim " in title and "YR-001" in title and year in title
            assert cell_len(title) <= 78
        await pilot.resize_terminal(160, 48)
        await settle(pilot)
        screen.save_state = ""
        screen._show_title()
        assert "FY2027 ICD-10-CM (provisional) · date of service 2026-11-20" in _title(screen)
