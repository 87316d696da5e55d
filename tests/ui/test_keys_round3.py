"""Fewer keys per code (issue 15, second round), each pinned on both sides: the shorter way
codes what the coder typed or chose, and never anything else."""
from __future__ import annotations

from test_flows import open_case, search, settle
from test_keyboard import notes
from textual.widgets import Input

from workstation.ui.screens.forms import LineForm, Picker


async def test_seventh_character_is_typed_directly(make_app, store) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_case(pilot, "UI-002")
        await search(pilot, "S72.012")
        await pilot.press("down", "d")
        await settle(pilot)
        assert isinstance(app.screen, Picker)
        await pilot.press("z")  # no 7th character Z: nothing happens
        await settle(pilot)
        assert isinstance(app.screen, Picker)
        await pilot.press("d")  # D: subsequent encounter, routine healing
        await settle(pilot)
        assert store.work("UI-002").diagnoses == ["S72.012D"]
        await search(pilot, "S72.011")
        await pilot.press("down", "d")
        await settle(pilot)
        await pilot.press("j")  # J is a 7th character here, not the cursor key
        await settle(pilot)
        assert store.work("UI-002").diagnoses == ["S72.012D", "S72.011J"]


async def test_enter_in_the_search_box_codes_a_code_typed_in_full(make_app, store) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_case(pilot, "UI-001")
        await search(pilot, "e1122")  # without its dot
        await pilot.press("enter")
        await settle(pilot)
        assert store.work("UI-001").diagnoses == ["E11.22"]
        await search(pilot, "J2506")  # a HCPCS code: its line form, to confirm
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LineForm) and "J2506" in app.screen.title_text
        await pilot.press("enter")
        await settle(pilot)
        assert [l.code for l in store.work("UI-001").lines] == ["J2506"]


async def test_enter_on_words_or_a_header_codes_nothing(make_app, store) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-001")
        await search(pilot, "diabetes ckd")  # words: the first row is the engine's guess
        await pilot.press("enter")
        await settle(pilot)
        assert store.work("UI-001").diagnoses == []
        assert screen.focused is screen.codes.results  # Enter went down to the results
        await search(pilot, "E11.2")  # a header typed in full
        await pilot.press("enter")
        await settle(pilot)
        assert store.work("UI-001").diagnoses == [] and not isinstance(app.screen, Picker)


async def test_enter_before_the_results_land_never_codes_the_last_search(make_app, store) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-001")
        await search(pilot, "I10")
        assert screen.codes.typed_code_row() is not None and screen.codes.typed_code_row().code == "I10"
        await pilot.press("slash", *"e1122", "enter")  # Enter at once, before the new search is back
        await settle(pilot)
        assert "I10" not in store.work("UI-001").diagnoses


async def test_enter_on_a_typed_pcs_code_follows_the_setting(make_app, store) -> None:
    app = make_app()
    notes(app)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_case(pilot, "UI-001")  # an office visit: PCS is for inpatient stays only
        await search(pilot, "0DTJ4ZZ")
        await pilot.press("enter")
        await settle(pilot)
        assert store.work("UI-001").procedures == []
        assert any("inpatient hospital cases only" in n for n in notes(app))
        await pilot.press("escape", "escape")
        await settle(pilot)
        await open_case(pilot, "UI-003")  # inpatient
        await search(pilot, "0DTJ4ZZ")
        await pilot.press("enter")
        await settle(pilot)
        assert store.work("UI-003").procedures == ["0DTJ4ZZ"]


async def test_line_form_opens_on_the_pointers_with_their_text_selected(make_app, store) -> None:
    store.assign_dx("UI-001", "E11.22")
    store.assign_dx("UI-001", "N18.31")
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_case(pilot, "UI-001")
        await search(pilot, "99214")
        await pilot.press("enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, LineForm) and form.query_one("#pointers", Input).value == "AB"
        await pilot.press("a", "enter")  # typing replaces the offered pointers
        await settle(pilot)
        assert store.work("UI-001").lines[0].pointers == ["A"]


async def test_undo_after_closing_and_reopening_the_app(store, tmp_path) -> None:
    from workstation.session.store import SessionStore
    from workstation.ui.app import WorkstationApp

    app = WorkstationApp(store, label="ui.json")
    app.warmed = True
    async with app.run_test(size=(160, 48)) as pilot:
        await open_case(pilot, "UI-001")
        await search(pilot, "E11.22")
        await pilot.press("enter")
        await settle(pilot)
        await search(pilot, "N18.31")
        await pilot.press("enter")
        await settle(pilot)
    assert store.work("UI-001").diagnoses == ["E11.22", "N18.31"]
    path = store.path
    store.close()
    again = SessionStore.open(path)
    try:
        app = WorkstationApp(again, label="ui.json")
        app.warmed = True
        async with app.run_test(size=(160, 48)) as pilot:
            screen = await open_case(pilot, "UI-001")
            await pilot.press("escape", "u")  # out of the search box; u undoes the last change
            await settle(pilot)
            assert again.work("UI-001").diagnoses == ["E11.22"]
            assert "undone: N18.31 added" in screen.save_state
            await pilot.press("u")
            await settle(pilot)
            assert again.work("UI-001").diagnoses == []
    finally:
        again.close()
