"""The coder's keyboard (issue 15): no key that bills the wrong code, focus that never surprises.

Each test pins one bug found by coding the demo cases by hand, on both sides where there are two:
the key must act on what the coder sees, and must refuse (saying why) when there is nothing.
"""
from __future__ import annotations

from typing import Any

import pytest
from textual.message import Message
from textual.widgets import Input, OptionList

from workstation.session.work import ServiceLine
from workstation.ui.screens.coding import CodingScreen
from workstation.ui.screens.forms import LineForm
from workstation.ui.widgets.claim_preview import ClaimPane
from workstation.ui.widgets.codes_pane import CodesPane
from workstation.ui.widgets.mode_footer import ModeFooter

from test_flows import entry_keys, open_case, search, settle


def notes(app: Any) -> list[str]:
    """What the app told the coder (toasts), recorded from the start."""
    if not hasattr(app, "told"):
        app.told = []
        notify = app.notify

        def record(message: str, *args: Any, **kwargs: Any) -> None:
            app.told.append(str(message))
            notify(message, *args, **kwargs)

        app.notify = record
    return app.told


# ---------------------------------------------------------------- never the wrong code

async def test_s_after_a_search_that_matched_nothing_uses_the_typed_code_not_the_old_highlight(make_app, store) -> None:
    app = make_app()
    notes(app)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-001")
        screen.codes.set_current("J2506", "hcpcs")  # a HCPCS code highlighted before
        await settle(pilot)
        await search(pilot, "96413")  # a CPT code; no CPT file loaded: no book holds it
        assert screen.codes.results.get_option_at_index(0).id == "cpt:96413"  # the code as typed, first
        assert screen.current == ("96413", "cpt")
        await pilot.press("escape", "s")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, LineForm) and "96413" in form.title_text and "J2506" not in form.title_text
        assert any("96413: CPT not verified" in n for n in notes(app))
        await pilot.press("enter")
        await settle(pilot)
        assert [l.code for l in store.work("UI-001").lines] == ["96413"]


async def test_s_and_d_refuse_when_nothing_matches_and_nothing_is_typed_as_a_code(make_app, store) -> None:
    app = make_app()
    notes(app)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-001")
        screen.codes.set_current("J2506", "hcpcs")
        await settle(pilot)
        await search(pilot, "zzqx")
        await pilot.press("escape", "s")
        await settle(pilot)
        assert app.screen is screen  # no line form
        assert any("No HCPCS or CPT code matches 'zzqx'" in n for n in notes(app)), notes(app)
        await pilot.press("d")
        await settle(pilot)
        assert app.screen is screen
        assert store.work("UI-001").lines == [] and store.work("UI-001").diagnoses == []


async def test_a_key_pressed_before_the_new_results_land_does_not_use_the_old_highlight(make_app, store) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-001")
        await search(pilot, "E11.22")
        assert screen.current == ("E11.22", "icd10cm")
        screen.codes.search_box.value = "I10"  # typed; the search is still on its way
        await pilot.press("escape", "d")
        await settle(pilot)
        assert store.work("UI-001").diagnoses in ([], ["I10"])  # never the code found before


async def test_next_case_starts_with_an_empty_search_and_no_highlight(make_app, store) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-001")
        await search(pilot, "S06.0X0A")
        assert screen.current is not None
        await pilot.press("escape", "n")
        await settle(pilot)
        assert screen.case_id == "UI-002"
        assert screen.codes.search_box.value == "" and screen.current is None
        assert screen.codes.history.visits == []
        await pilot.press("d")
        await settle(pilot)
        assert store.work("UI-002").diagnoses == []
        assert store.work("UI-001").diagnoses == []
        assert screen.focused is screen.query_one("#doc-scroll")  # the new patient's notes first


async def test_x_then_u_undoes_and_the_undo_is_journaled(make_app, store) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-001")
        for code in ("E11.22", "I10"):
            await search(pilot, code)
            await pilot.press("escape", "d")
            await settle(pilot)
        assert store.work("UI-001").diagnoses == ["E11.22", "I10"]
        await pilot.press("tab", "tab")  # into the claim: on I10, the entry last touched
        assert screen.claim_pane.selected_key() == "dx:I10"
        await pilot.press("x")
        await settle(pilot)
        assert store.work("UI-001").diagnoses == ["E11.22"]
        await pilot.press("u")
        await settle(pilot)
        assert store.work("UI-001").diagnoses == ["E11.22", "I10"]
        await pilot.press("u")  # and the add before it
        await settle(pilot)
        assert store.work("UI-001").diagnoses == ["E11.22"]
        actions = [e["action"] for e in store.audit("UI-001")]
        assert actions.count("undo") == 2
        undo = [e for e in store.audit("UI-001") if e["action"] == "undo"][0]
        assert undo["before"]["diagnoses"] == ["E11.22"] and undo["after"]["diagnoses"] == ["E11.22", "I10"]


async def test_undo_restores_line_pointers_and_marked_coded(make_app, store) -> None:
    store.assign_dx("UI-001", "E11.22")
    store.assign_dx("UI-001", "I10")
    store.add_line("UI-001", ServiceLine("99213", pointers=["A", "B"]))
    app = make_app()
    notes(app)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-001")
        await pilot.press("escape", "tab")
        screen.claim_pane.entry_list.highlighted = 0  # A: E11.22
        await pilot.press("x")
        await settle(pilot)
        assert store.work("UI-001").lines[0].pointers == ["A"]  # B became A
        await pilot.press("u")
        await settle(pilot)
        w = store.work("UI-001")
        assert w.diagnoses == ["E11.22", "I10"] and w.lines[0].pointers == ["A", "B"]
        await pilot.press("c")
        await settle(pilot)
        assert store.work("UI-001").status == "coded"
        await pilot.press("u")
        await settle(pilot)
        assert store.work("UI-001").status == "in_progress"
        await pilot.press("u")
        await settle(pilot)
        assert any("Nothing to undo" in n for n in notes(app))


def test_restore_coding_is_durable_and_audited(store, tmp_path) -> None:
    from workstation.session.store import SessionStore

    store.assign_dx("UI-001", "E11.22")
    store.restore_coding("UI-001", [], [], [ServiceLine("99213")])
    w = store.work("UI-001")
    assert w.diagnoses == [] and [l.code for l in w.lines] == ["99213"] and w.status == "in_progress"
    path = store.path
    store.close()
    again = SessionStore.open(path)
    try:
        assert [l.code for l in again.work("UI-001").lines] == ["99213"]
        assert again.audit("UI-001")[-1]["action"] == "undo"
    finally:
        again.close()


def test_move_line_reorders_and_refuses_a_missing_line(store) -> None:
    import pytest

    from workstation.session.validate import CodingError

    store.add_line("UI-001", ServiceLine("99213"))
    store.add_line("UI-001", ServiceLine("J2506"))
    assert store.move_line("UI-001", 1, -1) == 0
    assert [l.code for l in store.work("UI-001").lines] == ["J2506", "99213"]
    assert store.move_line("UI-001", 0, -1) == 0  # already first: no change
    with pytest.raises(CodingError):
        store.move_line("UI-001", 5, 1)


async def test_lines_reorder_with_brackets_and_the_selection_follows(make_app, store) -> None:
    store.add_line("UI-001", ServiceLine("99213"))
    store.add_line("UI-001", ServiceLine("J2506"))
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-001")
        await pilot.press("escape", "tab")
        screen.claim_pane.entry_list.highlighted = 1
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert [l.code for l in store.work("UI-001").lines] == ["J2506", "99213"]
        assert screen.claim_pane.selected_key() == "line:0"


# ---------------------------------------------------------------- focus

async def test_slash_selects_the_search_and_never_types_a_slash(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-001")
        box = screen.codes.search_box
        assert screen.focused is box  # a case opens on the search box
        await pilot.press(*"diabetes")
        await pilot.press("slash")  # in the box, after a word: selects what is typed
        assert box.value == "diabetes" and box.selected_text == "diabetes"
        await pilot.press(*"gout")
        assert box.value == "gout"
        await pilot.press("escape", "slash")  # from the results
        assert screen.focused is box and box.selected_text == "gout"
        box.value = "s"
        box.cursor_position = 1
        await pilot.press("slash", "p")  # after a one-letter word it is shorthand: "s/p"
        assert box.value == "s/p"
        await pilot.press("f")  # f types an f in the box
        assert box.value == "s/pf"


async def test_slash_from_the_notes_find_box_goes_to_the_search(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-001")
        await pilot.press("escape", "f")
        assert screen.focused is screen.query_one("#doc-find")
        await pilot.press("slash")
        assert screen.focused is screen.codes.search_box
        assert screen.query_one("#doc-find", Input).value == ""


async def test_digits_switch_views_only_outside_a_text_box_and_the_footer_says_the_mode(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-001")
        await pilot.press("2")
        await settle(pilot)
        assert screen.view == "results" and screen.codes.search_box.value == "2"
        assert "TYPING" in str(screen.query_one("#mode").render())
        await pilot.press("escape", "2")
        await settle(pilot)
        assert screen.view == "tabular"
        assert "KEYS" in str(screen.query_one("#mode").render())
        await pilot.press("8")
        await settle(pilot)
        assert screen.view == "external"
        assert isinstance(screen.query_one(ModeFooter), ModeFooter)


# ---------------------------------------------------------------- panes talk in messages

async def test_codes_pane_posts_highlighted_and_chosen(make_app, store) -> None:
    seen: list[Message] = []

    def hook(message: Message) -> None:
        # The hook sees a bubbling message at every node it reaches: count each once.
        if isinstance(message, (CodesPane.CodeHighlighted, CodesPane.CodeChosen, ClaimPane.EntryChosen)) \
                and not any(m is message for m in seen):
            seen.append(message)

    app = make_app()
    async with app.run_test(size=(160, 48), message_hook=hook) as pilot:
        screen = await open_case(pilot, "UI-001")
        await search(pilot, "E11.22")
        highlighted = [(m.code, m.system) for m in seen if isinstance(m, CodesPane.CodeHighlighted)]
        assert highlighted[-1] == ("E11.22", "icd10cm")
        assert (None, None) in highlighted  # while the search was on its way
        await pilot.press("down", "enter")  # to the results; open it in the tabular (Enter in the box would code it)
        await settle(pilot)
        assert screen.view == "tabular"
        await pilot.press("enter")  # a code at the end of a branch: chosen, and coded
        await settle(pilot)
        chosen = [(m.code, m.system) for m in seen if isinstance(m, CodesPane.CodeChosen)]
        assert chosen == [("E11.22", "icd10cm")]
        assert store.work("UI-001").diagnoses == ["E11.22"]
        await pilot.press("tab")
        await pilot.press("enter")  # Enter on the claim entry
        await settle(pilot)
        assert [m.entry.key for m in seen if isinstance(m, ClaimPane.EntryChosen)] == ["dx:E11.22"]


async def test_help_and_palette_come_from_the_bindings(make_app) -> None:
    from workstation.ui.commands import WorkstationCommands
    from workstation.ui.screens.help import HelpScreen

    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-001")
        await pilot.press("escape", "question_mark")
        help_rows = dict(app.screen.rows())
        assert isinstance(app.screen, HelpScreen)
        for b in CodingScreen.BINDINGS:
            if b.description:
                assert b.tooltip in help_rows.values()
        assert help_rows["u"].startswith("Undo")
        await pilot.press("escape")
        provider = WorkstationCommands(screen)
        commands = {action: key for _, action, key in provider._commands()}
        assert commands["screen.undo"] == "u" and commands["screen.view('external')"] == "8"
        assert commands["app.settings"] == "S"


async def test_claim_pane_shows_every_line(make_app, store) -> None:
    for code in ("E11.22", "I10", "E78.5", "N18.31"):
        store.assign_dx("UI-001", code)
    for _ in range(14):
        store.add_line("UI-001", ServiceLine("99213"))
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-001")
        entries = screen.query_one("#entries", OptionList)
        assert len(entry_keys(screen)) == 18
        assert entries.size.height >= 18  # no fixed box hiding rows: the pane scrolls instead


# ---------------------------------------------------------------- fewer keys

async def test_pcs_builder_takes_typed_characters_and_label_letters(make_app, store) -> None:
    from workstation.ui.widgets.pcs_builder import PcsBuilder, label_matches

    assert label_matches("Hip Joint, Right", "hip r") and not label_matches("Hip Joint, Left", "hip r")
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-003")
        await pilot.press("escape", "6")
        await settle(pilot)
        builder = screen.query_one(PcsBuilder)
        keys = ["0", "D", "T", "J", "4", "Z", "Z", "d"]  # a known code: its 7 characters, then d
        await pilot.press(*keys)
        await settle(pilot)
        assert store.work("UI-003").procedures == ["0DTJ4ZZ"]
        assert len(["escape", "6", *keys]) <= 10
        await pilot.press("backspace", "backspace", "backspace", "backspace")  # back to 0DT
        assert builder.prefix == "0DT"
        await pilot.press("I")  # no PCS character (I and O are never used): refused, nothing taken
        assert builder.prefix == "0DT"
        await pilot.press("a", "p")  # Appendix, by its label: taken as soon as it is the only match
        assert builder.prefix == "0DTJ"
        assert "TYPING" in str(screen.query_one("#mode").render())
        await pilot.press("escape")  # out of the builder's typing, to the search box
        assert screen.focused is screen.codes.search_box


def test_modifiers_are_checked_as_typed() -> None:
    from workstation.ui.screens.forms import modifier_note

    assert "Left side" in str(modifier_note("LT")) or "LT " in str(modifier_note("LT"))
    assert "not a HCPCS Level II modifier" in str(modifier_note("ZZ"))
    assert "CPT modifier" in str(modifier_note("25"))
    assert "two letters or digits" in str(modifier_note("R"))
    assert str(modifier_note("")) == ""


async def test_line_form_shows_the_modifier_check_while_typing(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-001")
        await search(pilot, "99213")
        await pilot.press("escape", "s")
        await settle(pilot)
        assert isinstance(app.screen, LineForm)
        await pilot.press("tab", *"ZZ")
        await settle(pilot)
        assert "not a HCPCS Level II modifier" in str(app.screen.query_one("#modifier-note").render())


async def test_inpatient_line_form_offers_the_admission_day(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_case(pilot, "UI-003")  # inpatient, admitted 2026-01-18, discharged 2026-01-20
        await search(pilot, "99223")
        await pilot.press("escape", "s")
        await settle(pilot)
        assert isinstance(app.screen, LineForm)
        assert app.screen.query_one("#date", Input).value == "2026-01-18"


@pytest.mark.slow  # loads the Alphabetic Index and the Neoplasm Table (about 10 s on a loaded machine)
async def test_neoplasm_view_finds_a_row_by_its_words_and_see_opens_the_row(make_app) -> None:
    from workstation.ui.widgets.code_tree import CodeTree

    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-001")
        await pilot.press("escape", "5")
        await settle(pilot)
        await pilot.press("slash", *"breast")
        await settle(pilot)
        tree = screen.query_one("#neoplasm", CodeTree)
        assert str(tree.cursor_node.label).startswith("breast")
        # The Alphabetic Index: "Adenocarcinoma, apocrine, breast - see Neoplasm, breast, malignant"
        await pilot.press("escape", "3")
        await settle(pilot)
        await pilot.press("slash", *"adenocarcinoma, apocrine, breast")
        await settle(pilot)
        index = screen.query_one("#index", CodeTree)
        assert "see Neoplasm, breast, malignant" in str(index.cursor_node.label)
        await pilot.press("enter")  # from the search box to the tree
        await pilot.press("enter")  # the cross-reference
        await settle(pilot)
        assert screen.view == "neoplasm"
        assert str(tree.cursor_node.label).startswith("breast") and tree.cursor_node.is_expanded


async def test_export_from_the_worklist_then_a_copy_from_the_case(make_app, store, tmp_path) -> None:
    from workstation.ui.screens.forms import Picker
    from workstation.ui.screens.worklist import WorklistScreen

    store.assign_dx("UI-001", "E11.22")
    store.add_line("UI-001", ServiceLine("99213", units=1, charge=110.0, pointers=["A"]))
    store.set_status("UI-001", "coded")
    app = make_app()
    told = notes(app)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, WorklistScreen)
        await pilot.press("e")
        picker = app.screen
        assert isinstance(picker, Picker)
        picker.query_one("#picker", OptionList).highlighted = [k for k, _ in picker.options].index("cms1500")
        await pilot.press("enter")
        await settle(pilot)
        assert "1 case(s) ready for cms1500" in str(app.screen.body)
        await pilot.press("y")
        await settle(pilot)
        assert store.work("UI-001").status == "exported"
        assert any("cms1500-" in t and "batch" in t for t in told)  # what was written where
        screen = await open_case(pilot, "UI-001")
        await pilot.press("escape", "C")
        await settle(pilot)
        assert list((tmp_path / "exports").glob("cms1500-copy-*")) == []  # it asks first
        await pilot.press("y")
        await settle(pilot)
        copies = list((tmp_path / "exports").glob("cms1500-copy-UI-001-*.txt"))
        assert len(copies) == 1 and copies[0].read_text().startswith("COPY")
        assert store.work("UI-001").status == "exported"


async def test_narrow_screen_keeps_the_notes_beside_the_codes_with_b(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_case(pilot, "UI-001")
        shown = lambda: [p for p in ("case-pane", "codes-pane", "claim-pane") if screen.query_one(f"#{p}").display]  # noqa: E731
        assert shown() == ["codes-pane"]
        await pilot.press("escape", "b")
        await pilot.pause()
        assert shown() == ["case-pane", "codes-pane"]
        await pilot.press("slash", *"diab")
        await settle(pilot)
        assert "hit" in screen.case_pane.border_subtitle  # the search words lit in the note beside
        await pilot.press("escape", "b")
        await pilot.pause()
        assert shown() == ["codes-pane"]


async def test_a_palette_command_acts_even_from_the_search_box(make_app, store) -> None:
    from workstation.ui.commands import WorkstationCommands

    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-001")
        await search(pilot, "E11.22")
        assert screen.focused is screen.codes.search_box
        WorkstationCommands(screen)._run("screen.add_dx")
        await settle(pilot)
        assert store.work("UI-001").diagnoses == ["E11.22"]


async def test_other_areas_can_add_a_view_and_a_claim_section(make_app) -> None:
    from textual.widgets import Static

    from workstation.ui.widgets.codes_pane import View

    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-001")
        screen.codes.add_view(View("suggest", "9", "Suggest"), Static("suggestions here"))
        screen.claim_pane.add_section(Static("DRG panel", id="drg"))
        await pilot.pause()
        screen.action_view("suggest")
        await pilot.pause()
        assert screen.view == "suggest" and "9\u00a0Suggest" in str(screen.query_one("#view-bar").render())
        assert screen.claim_pane.query_one("#drg").display


async def test_enter_on_a_typed_cpt_code_opens_its_line(make_app, store) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-001")
        await search(pilot, "99213")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LineForm) and "99213" in app.screen.title_text
        await pilot.press("escape")
        await search(pilot, "diabetes ckd")
        await pilot.press("enter")  # words: Enter goes to the results, it codes nothing
        await settle(pilot)
        assert app.screen is screen and screen.focused is screen.codes.results
        assert store.work("UI-001").lines == [] and store.work("UI-001").diagnoses == []


async def test_a_typed_cpt_code_is_never_replaced_by_a_code_that_mentions_it(make_app, store, monkeypatch) -> None:
    """The search engine finds G0316 for "99223" (its description names 99223): the line must be 99223."""
    from workstation.ui import core

    real = core.search

    def engine(query: str, *args: Any, **kwargs: Any) -> list[core.SearchResult]:
        if query.strip() == "99223":
            return [core.SearchResult("G0316", "hcpcs", "Prolonged hospital inpatient or observation care evaluation and "
                                "management service(s) beyond the total time for the primary service (when the "
                                "primary service has been selected using time on the date of the primary service); "
                                "each additional 15 minutes by the physician (list separately in addition to cpt "
                                "codes 99223, 99233, and 99236 for hospital inpatient or observation care evaluation "
                                "and management services)", True, 0.0, "title")]
        return real(query, *args, **kwargs)

    monkeypatch.setattr(core, "search", engine)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-003")
        await search(pilot, "99223")
        ids = [screen.codes.results.get_option_at_index(i).id for i in range(screen.codes.results.option_count)]
        assert ids == ["cpt:99223", "hcpcs:G0316"] and screen.current == ("99223", "cpt")
        await pilot.press("escape", "s")
        await settle(pilot)
        assert isinstance(app.screen, LineForm) and "99223" in app.screen.title_text
        await pilot.press("escape")
        await search(pilot, "99223")
        await pilot.press("enter")  # Enter on the typed CPT code: its line
        await settle(pilot)
        assert isinstance(app.screen, LineForm) and "99223" in app.screen.title_text
