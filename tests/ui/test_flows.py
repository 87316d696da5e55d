"""Pilot tests of the coder's main flows, against a real session store in a temp folder."""
from __future__ import annotations

from typing import Any

from textual.widgets import DataTable, OptionList

from workstation.session.work import ServiceLine

from workstation.ui.screens.coding import CodingScreen
from workstation.ui.screens.forms import FormScreen, Picker
from workstation.ui.screens.help import HelpScreen
from workstation.ui.screens.worklist import WorklistScreen
from workstation.ui.widgets.code_tree import CodeTree
from workstation.ui.widgets.pcs_builder import PcsBuilder


async def settle(pilot: Any, rounds: int = 3) -> None:
    """Let workers finish and their results land on screen."""
    for _ in range(rounds):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_case(pilot: Any, case_id: str) -> CodingScreen:
    await settle(pilot)
    table = pilot.app.screen.query_one("#cases", DataTable)
    table.move_cursor(row=table.get_row_index(case_id))
    await pilot.press("enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CodingScreen) and screen.case_id == case_id
    return screen


async def search(pilot: Any, text: str) -> None:
    await pilot.press("slash")
    pilot.app.screen.query_one("#search").value = ""
    await pilot.press(*text)
    await settle(pilot)


def entry_keys(screen: CodingScreen) -> list[str]:
    opts = screen.query_one("#entries", OptionList)
    return [opts.get_option_at_index(i).id for i in range(opts.option_count) if opts.get_option_at_index(i).id]


async def test_worklist_shows_cases_counts_and_filters(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, WorklistScreen)
        table = screen.query_one("#cases", DataTable)
        assert table.row_count == 3
        assert str(screen.query_one("#counts").render()).startswith("3 cases: new 3")
        assert [str(c) for c in table.get_row("UI-003")][5] == "Self-pay"
        await pilot.press("slash", *"acme")
        assert table.row_count == 1 and screen.current_case_id() == "UI-002"
        await pilot.press("escape")
        assert table.row_count == 3


async def test_search_assign_and_claim(make_app, store) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-001")
        await search(pilot, "E11.22")
        assert screen.current == ("E11.22", "icd10cm")
        await pilot.press("down", "d")
        await settle(pilot)
        assert store.work("UI-001").diagnoses == ["E11.22"]
        assert store.work("UI-001").status == "in_progress"
        assert entry_keys(screen) == ["dx:E11.22"]
        assert "saved" in screen.save_state
        # A header is refused by the store, and nothing changes.
        await search(pilot, "E11.2")
        screen.set_current("E11.2", "icd10cm")
        await settle(pilot)
        await pilot.press("down", "d")
        await settle(pilot)
        assert store.work("UI-001").diagnoses == ["E11.22"]
        assert screen.save_state == "not saved"


async def test_resequence_and_remove(make_app, store) -> None:
    store.assign_dx("UI-001", "E11.22")
    store.assign_dx("UI-001", "N18.31")
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-001")
        screen.query_one("#entries", OptionList).focus()
        await pilot.press("down")  # B N18.31
        assert screen.query_one("#claim-pane").selected_key() == "dx:N18.31"
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert store.work("UI-001").diagnoses == ["N18.31", "E11.22"]
        assert screen.query_one("#claim-pane").selected_key() == "dx:N18.31"
        await pilot.press("x")
        await settle(pilot)
        assert store.work("UI-001").diagnoses == ["E11.22"]
        assert entry_keys(screen) == ["dx:E11.22"]


async def test_follow_note_link_and_history(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-001")
        await search(pilot, "E11.22")
        await pilot.press("down")
        await settle(pilot)
        await pilot.press("l")
        picker = app.screen
        assert isinstance(picker, Picker)
        # E11.22 says: use additional code to identify the stage of CKD (N18.1-N18.6).
        assert ("N18.1", ) == tuple(k for k, _ in picker.options[:1])
        await pilot.press("enter")
        await settle(pilot)
        assert screen.current == ("N18.1", "icd10cm")
        assert screen.view == "tabular"
        tree = screen.query_one("#tabular", CodeTree)
        assert tree.current().code == "N18.1"
        await pilot.press("comma")
        await settle(pilot)
        assert screen.current == ("E11.22", "icd10cm")
        await pilot.press("full_stop")
        await settle(pilot)
        assert screen.current == ("N18.1", "icd10cm")


async def test_incomplete_code_opens_the_tabular(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-001")
        screen.follow("E11.-")
        await settle(pilot)
        assert screen.current == ("E11", "icd10cm")
        tree = screen.query_one("#tabular", CodeTree)
        node = tree.cursor_node
        assert node.data.code == "E11" and node.children  # opened there, its codes below


async def test_seventh_character(make_app, store) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-002")
        await search(pilot, "S72.012")
        screen.set_current("S72.012", "icd10cm")
        await settle(pilot)
        assert screen.detail_data["needs_seventh"]
        await pilot.press("down", "d")
        picker = app.screen
        assert isinstance(picker, Picker) and [k for k, _ in picker.options][:2] == ["A", "B"]
        await pilot.press("enter")  # A: initial encounter for closed fracture
        await settle(pilot)
        assert store.work("UI-002").diagnoses == ["S72.012A"]


async def test_placeholder_x_is_added(make_app, store) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-002")
        screen.set_current("T36.0X1", "icd10cm")
        await settle(pilot)
        screen.query_one("#results").focus()
        await pilot.press("d")
        await pilot.press("enter")
        await settle(pilot)
        assert store.work("UI-002").diagnoses == ["T36.0X1A"]


async def test_pcs_builder(make_app, store) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-003")
        await pilot.press("escape")
        await pilot.press("6")
        await settle(pilot)
        builder = screen.query_one(PcsBuilder)
        choices = screen.query_one("#pcs-choices", OptionList)
        for ch in "0DT":
            ids = [choices.get_option_at_index(i).id for i in range(choices.option_count)]
            choices.highlighted = ids.index(ch)
            await pilot.press("enter")
        assert builder.prefix == "0DT"
        await pilot.press("backspace")
        assert builder.prefix == "0D"
        for ch in "TJ4ZZ":
            ids = [choices.get_option_at_index(i).id for i in range(choices.option_count)]
            assert ch in ids, f"{ch} not offered after {builder.prefix}"
            choices.highlighted = ids.index(ch)
            await pilot.press("enter")
        await settle(pilot)
        assert builder.prefix == "0DTJ4ZZ"
        assert screen.current == ("0DTJ4ZZ", "icd10pcs")
        await pilot.press("d")
        await settle(pilot)
        assert store.work("UI-003").procedures == ["0DTJ4ZZ"]
        assert "px:0DTJ4ZZ" in entry_keys(screen)


async def test_service_line_form(make_app, store) -> None:
    store.assign_dx("UI-001", "E11.22")
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-001")
        await search(pilot, "99213")
        await pilot.press("escape")
        screen.query_one("#results").focus()
        await pilot.press("s")
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.query_one("#pointers").value == "A"
        form.query_one("#modifiers").value = "25"
        form.query_one("#charge").value = "abc"
        await pilot.press("ctrl+s")
        assert app.screen is form  # a bad charge keeps the form open, with the error
        form.query_one("#charge").value = "110.00"
        await pilot.press("ctrl+s")
        await settle(pilot)
        line = store.work("UI-001").lines[0]
        assert (line.code, line.modifiers, line.pointers, line.charge) == ("99213", ["25"], ["A"], 110.0)
        assert "line:0" in entry_keys(screen)


async def test_switch_cases_and_mark_coded(make_app, store) -> None:
    store.assign_dx("UI-001", "E11.22")
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-001")
        await pilot.press("escape")
        screen.query_one("#entries").focus()
        await pilot.press("n")
        await settle(pilot)
        assert screen.case_id == "UI-002" and screen.case.case_id == "UI-002"
        await pilot.press("p")
        await settle(pilot)
        assert screen.case_id == "UI-001"
        await pilot.press("c")
        await settle(pilot)
        if app.screen is not screen:  # edits remain on the demo claim: confirm
            await pilot.press("y")
            await settle(pilot)
        assert store.work("UI-001").status == "coded"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, WorklistScreen)
        assert "coded 1" in str(app.screen.query_one("#counts").render())


async def test_query_puts_case_on_hold(make_app, store) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-002")
        screen.query_one("#entries").focus()
        await pilot.press("q")
        form = app.screen
        form.query_one("#question").value = "Please document the laterality of the fracture"
        form.query_one("#indicators").value = "X-ray: fracture of the distal radius; side not stated"
        form.query_one("#options").value = "Right; Left; Other; Clinically undetermined"
        await pilot.press("ctrl+s")
        await settle(pilot)
        work = store.work("UI-002")
        assert work.status == "query"
        assert work.queries[0].options == ["Right", "Left", "Other", "Clinically undetermined"]


async def test_help_lists_every_key(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-001")
        screen.query_one("#entries").focus()
        await pilot.press("question_mark")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        text = "\n".join(f"{k} {d}" for k, d in help_screen.rows())
        for word in ("d Add the highlighted code", "s Add a service line", "x Remove", "n Next case", "q Provider query", "Ctrl+P Command palette", "PCS builder", "[ Move the selected diagnosis up", "? This help", "6 PCS view", "Ctrl+R Write changes"):
            assert word in text
        await pilot.press("escape")
        assert app.screen is screen


async def test_narrow_shows_one_pane_and_tab_switches(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_case(pilot, "UI-001")
        visible = [p for p in ("case-pane", "codes-pane", "claim-pane") if screen.query_one(f"#{p}").display]
        assert visible == ["codes-pane"]
        await pilot.press("escape")  # out of the search box, into the results
        assert screen.focused is screen.query_one("#results")
        await pilot.press("tab")
        await pilot.pause()
        visible = [p for p in ("case-pane", "codes-pane", "claim-pane") if screen.query_one(f"#{p}").display]
        assert visible == ["claim-pane"]


async def test_index_view_walks_to_a_code(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-001")
        screen.query_one("#results").focus()
        await pilot.press("3")
        await settle(pilot)
        assert screen.view == "index"
        await pilot.press("slash", *"diabetes, type 2, with, chronic k")
        await settle(pilot)
        tree = screen.query_one("#index", CodeTree)
        assert tree.cursor_node.data.code == "E11.22"
        assert screen.current == ("E11.22", "icd10cm")


async def test_query_answer_ends_the_hold(make_app, store) -> None:
    store.add_query("UI-002", "Please document the laterality", "Exam: wrist swelling, side not stated", ["Right", "Left"])
    store.set_status("UI-002", "query")
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-002")
        screen.query_one("#entries").focus()
        await pilot.press("q")
        assert isinstance(app.screen, Picker)
        await pilot.press("down", "enter")  # Answer Q1
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#answer").value = "Right"
        await pilot.press("enter")
        await settle(pilot)
        work = store.work("UI-002")
        assert work.queries[0].status == "answered" and work.queries[0].answer == "Right"
        assert work.status == "in_progress"


async def test_find_in_notes_highlights(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-001")
        screen.query_one("#results").focus()
        await pilot.press("f", *"metformin")
        await pilot.pause()
        assert screen.query_one("#case-pane").border_subtitle == "1 hit: metformin"


async def test_command_palette_opens_a_code(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-001")
        await pilot.press("ctrl+p")
        await pilot.press(*"N18.31")
        for _ in range(20):
            await pilot.pause(0.1)
            if "N18.31" in str(app.screen.query_one("CommandList").get_option_at_index(0).prompt) if app.screen.query("CommandList") and app.screen.query_one("CommandList").option_count else False:
                break
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert screen.current == ("N18.31", "icd10cm")


async def test_export_writes_a_batch(make_app, store, tmp_path) -> None:
    store.assign_dx("UI-001", "E11.22")
    store.add_line("UI-001", ServiceLine("99213", units=1, charge=110.0, pointers=["A"]))
    store.set_status("UI-001", "coded")
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-001")
        screen.query_one("#entries").focus()
        await pilot.press("e")
        picker = app.screen
        assert isinstance(picker, Picker)
        picker.query_one("#picker", OptionList).highlighted = [k for k, _ in picker.options].index("csv")
        await pilot.press("enter")
        await settle(pilot)
        confirm = app.screen
        assert "1 case(s) ready for csv" in str(confirm.body)
        await pilot.press("y")
        await settle(pilot)
    out = list((tmp_path / "exports").glob("csv-*.csv"))
    assert len(out) == 1 and "E11.22" in out[0].read_text().replace("E1122", "E11.22")
    assert out[0].stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "exports").stat().st_mode & 0o777 == 0o700


def test_run_reports_a_locked_store(store, capsys) -> None:
    from workstation.ui.app import run

    assert run(session=str(store.path)) == 2
    err = capsys.readouterr().err
    assert "cannot open session" in err and "open in another workstation" in err


async def test_refused_line_reopens_the_form_with_the_reason(make_app, store) -> None:
    store.assign_dx("UI-001", "E11.22")
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-001")
        await search(pilot, "99213")
        await pilot.press("escape", "s")
        form = app.screen
        form.query_one("#pointers").value = "C"  # no diagnosis C: the store refuses
        form.query_one("#modifiers").value = "25"
        await pilot.press("ctrl+s")
        await settle(pilot)
        again = app.screen
        assert isinstance(again, FormScreen) and again is not form
        assert "pointer C" in str(again.query_one("#form-error").render())
        assert again.query_one("#modifiers").value == "25"  # what was typed is kept
        assert store.work("UI-001").lines == []


def test_run_creates_a_new_empty_session_and_reports_bad_paths(tmp_path, monkeypatch, capsys) -> None:
    """`--session PATH` creates an empty store; a path that cannot be a store exits 2 with a message."""
    from workstation.session.store import SessionStore
    from workstation.ui import app as app_module

    ran: list[int] = []
    monkeypatch.setattr(app_module.WorkstationApp, "run", lambda self: ran.append(len(self.store.case_ids())) or 0)
    assert app_module.run(session=str(tmp_path / "new.json")) == 0
    assert ran == [0]
    with SessionStore.open(tmp_path / "new.json") as s:  # closed again: the lock was released
        assert s.case_ids() == []
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert app_module.run(session=str(blocker / "s.json")) == 2
    assert "cannot open session" in capsys.readouterr().err


def test_run_without_session_opens_default_with_the_demo(tmp_path, monkeypatch) -> None:
    import shutil

    from workstation.paths import PROJECT_DIR
    from workstation.ui import app as app_module

    (tmp_path / "demo").mkdir()
    shutil.copy(PROJECT_DIR / "sessions" / "demo" / "worklist.json", tmp_path / "demo" / "worklist.json")
    monkeypatch.setenv("WORKSTATION_SESSIONS", str(tmp_path))
    from workstation.cases import demo

    demo._records.cache_clear()
    seen: list[int] = []
    monkeypatch.setattr(app_module.WorkstationApp, "run", lambda self: seen.append(len(self.store.case_ids())) or 0)
    assert app_module.run() == 0
    assert app_module.run() == 0  # the second start adds nothing
    assert seen[0] > 0 and seen[0] == seen[1]
    assert (tmp_path / "default.json").exists() or list(tmp_path.glob("default.json*"))
    demo._records.cache_clear()
