"""Issue 13 item 4: the coding screen's title bar names the code year, which
`Encounter.coding_date` decides (inpatient: the discharge date), beside the date it comes from."""
from __future__ import annotations

from pathlib import Path

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


def _title(screen) -> str:
    return str(screen.query_one("#title-bar", Static).render())


async def test_the_title_bar_names_the_code_year_of_the_case(tmp_path: Path) -> None:
    store = SessionStore.open(tmp_path / "years.json")
    store.add_cases(_cases())
    try:
        app = WorkstationApp(store, label="years.json")
        app.warmed = True
        async with app.run_test(size=(160, 48)) as pilot:
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
    finally:
        store.close()
