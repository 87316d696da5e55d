"""Issue 17 round 2, pilot tests: the highlighted suggestion's evidence lit in the case pane, and
the coding screen's search ranked for the patient (sex and age), as `core.search` ranks."""
from __future__ import annotations

from textual.widgets import OptionList

from test_flows import open_case, search, settle
from workstation.ui import core
from workstation.ui.screens.suggestions import SuggestionsScreen
from workstation.ui.widgets.case_pane import CasePane
from workstation.ui.widgets.suggestions import SuggestionsPanel


def _lit(pane: CasePane) -> str:
    """The words lit as evidence (reverse bold) in the case pane."""
    return pane.lit


async def test_highlighted_suggestion_lights_its_words(make_app, store) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-001")
        await pilot.press("escape")
        await pilot.press("g")
        await settle(pilot)
        assert isinstance(app.screen, SuggestionsScreen)
        panel = app.screen.query_one(SuggestionsPanel)
        first, second = panel.suggestions[0], panel.suggestions[1]
        pane = screen.case_pane
        doc_text = screen.case.documents[first.doc].text
        assert _lit(pane).split() == doc_text[first.start:first.end].split()
        assert pane.border_subtitle.startswith("evidence:")
        app.screen.query_one("#suggest-list", OptionList).action_cursor_down()
        await settle(pilot)
        want = screen.case.documents[second.doc].text[second.start:second.end]
        assert _lit(pane).split() == want.split()
        await pilot.press("escape")       # closing the list: back to the search words, nothing lit
        await settle(pilot)
        assert _lit(pane) == "" and not pane.border_subtitle.startswith("evidence:")


async def test_search_ranks_for_the_patient(make_app, store) -> None:
    # Without a patient, "gestational diabetes" gives the maternity codes O24.4- first.
    assert core.search("gestational diabetes", date="2026-03-01")[0].code.startswith("O24.4")
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-002")        # a man of 84
        assert screen.codes.sex == "M" and screen.codes.age is not None and screen.codes.age > 80
        await search(pilot, "gestational diabetes")
        results = screen.query_one("#results", OptionList)
        first = results.get_option_at_index(0).id or ""
        assert not first.split(":")[1].startswith("O24"), first   # the MCE rejects O24 for a man
        shown = [results.get_option_at_index(i).id for i in range(results.option_count)]
        assert any((i or "").split(":")[1].startswith("O24.4") for i in shown)   # still listed, lower


async def test_accepting_a_drug_suggestion_fills_its_units(tmp_path) -> None:
    """An office case (synthetic) with a drug given: the HCPCS suggestion opens the line form with
    the units of its dose, and the line is stored with them."""
    from workstation.cases.model import Case, Coverage, Document, Encounter, Person, Provider
    from workstation.session.store import SessionStore
    from workstation.ui.app import WorkstationApp
    from workstation.ui.screens.forms import LineForm

    case = Case(
        case_id="UI-DRUG", patient=Person("Dee", "Dosecase", dob="1980-05-05", sex="F"),
        encounter=Encounter("office", "2026-03-02", "11", rendering_provider=Provider("Hart, Grace", "1234567893")),
        coverage=Coverage("Acme Health", "ACME1", member_id="XJ1", plan_type="CI"),
        documents=[Document("Progress note", "ASSESSMENT: Low back pain.\nPLAN: Ketorolac 30 mg IM given in office.",
                            date="2026-03-02")],
        source="ui-test", source_key="ui-drug")
    store = SessionStore.open(tmp_path / "drug.json")
    store.add_cases([case])
    app = WorkstationApp(store, label="drug.json")
    app.warmed = True
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await open_case(pilot, "UI-DRUG")
            await pilot.press("escape")
            await pilot.press("g")
            await settle(pilot)
            panel = app.screen.query_one(SuggestionsPanel)
            row = next(i for i, s in enumerate(panel.suggestions) if s.code == "J1885")
            app.screen.query_one("#suggest-list", OptionList).highlighted = row
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, LineForm)
            await pilot.press("enter")      # the form as filled: units 2 (30 mg / 15 mg)
            await settle(pilot)
            assert [(ln.code, ln.units) for ln in store.work("UI-DRUG").lines] == [("J1885", 2)]
    finally:
        store.close()
