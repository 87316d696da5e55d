"""Pilot tests of the second round of screens: settings, audit, import, export again, and the
small gaps (withdraw a query, a line's date, the payer claim number)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Input, OptionList

from workstation.session.work import ServiceLine
from workstation.ui.screens.audit import AuditScreen, change_text
from workstation.ui.screens.forms import ConfirmNo, FormScreen, Notice, Picker
from workstation.ui.screens.help import HelpScreen
from workstation.ui.screens.settings import SettingsScreen, input_id
from workstation.ui.screens.worklist import WorklistScreen

from test_flows import open_case, settle  # noqa: E402


def plain(renderable: Any) -> str:
    from rich.console import Console

    import io

    console = Console(width=120, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def practice(store) -> dict[str, Any]:
    return store.settings().get("practice") or {}


async def open_settings(pilot: Any) -> SettingsScreen:
    await pilot.press("S")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, SettingsScreen)
    return screen


def field(screen: SettingsScreen, key: str) -> Input:
    return screen.query_one(f"#{input_id(key)}", Input)


# ---------------------------------------------------------------- settings

async def test_settings_refuses_what_the_cli_refuses_and_saves_the_rest(make_app, store) -> None:
    from workstation.billing.settings import PracticeSettings, SettingError, set_value

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_settings(pilot)
        assert field(screen, "npi").value == PracticeSettings().npi
        field(screen, "npi").value = "1234567890"  # check digit wrong
        field(screen, "address.zip").value = "43215"  # 5 digits: a claim needs ZIP+4
        await pilot.press("ctrl+s")
        await settle(pilot)
        status = str(screen.query_one("#settings-status").render())
        with pytest.raises(SettingError) as npi_err:
            set_value(PracticeSettings(), "npi", "1234567890")
        with pytest.raises(SettingError) as zip_err:
            set_value(PracticeSettings(), "address.zip", "43215")
        assert "Not saved" in status and str(npi_err.value) in status and str(zip_err.value) in status
        assert practice(store) == {} and app.screen.focused is field(screen, "npi")
        field(screen, "npi").value = "1234567893"
        field(screen, "address.zip").value = "43215-0002"
        field(screen, "coder_id").value = "CODER7"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "saved ✓" in str(screen.query_one("#settings-status").render())
        assert field(screen, "address.zip").value == "432150002"  # shown as stored
    assert practice(store)["npi"] == "1234567893"
    assert practice(store)["address"]["zip"] == "432150002"
    assert store.settings()["coder_id"] == "CODER7"
    assert [e["action"] for e in store.audit()][-2:] == ["set_setting", "set_setting"]


async def test_settings_fee_schedule_and_payers(make_app, store) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_settings(pilot)
        fees = screen.query_one("#fees", OptionList)
        await pilot.press("f4")
        assert app.screen.focused is fees
        await pilot.press("a")
        form = app.screen
        assert isinstance(form, FormScreen)
        await pilot.press(*"g0439", "tab", *"abc", "enter")  # a bad amount stays on the form
        assert app.screen is form and "charge must be a positive amount" in str(form.query_one("#form-error").render())
        form.query_one("#amount", Input).value = "131.50"
        await pilot.press("enter")
        await settle(pilot)
        assert screen.working.fee_schedule["G0439"] == "131.50"
        assert fees.highlighted_id() == "G0439"
        fees.highlighted = [fees.get_option_at_index(i).id for i in range(fees.option_count)].index("99213")
        await pilot.press("x")
        assert "99213" not in screen.working.fee_schedule
        await pilot.press("f3", "a")
        await pilot.press(*"00952", "tab", *"Medicare Part B", "tab", *"mb", "enter")
        await settle(pilot)
        assert screen.working.payer_by_id("00952").plan_type == "MB"
        assert practice(store) == {}  # nothing saved before Ctrl+S
        await pilot.press("ctrl+s")
        await settle(pilot)
    saved = practice(store)
    assert saved["fee_schedule"]["G0439"] == "131.50" and "99213" not in saved["fee_schedule"]
    assert {"name": "Medicare Part B", "payer_id": "00952", "plan_type": "MB"} in saved["payers"]


async def test_settings_from_the_coding_screen_and_leaving_unsaved_asks(make_app, store) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        coding = await open_case(pilot, "UI-001")
        assert isinstance(app.focused, Input)  # the search box: S would type there, F2 still opens
        await pilot.press("f2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        field(screen, "receiver_name").value = "Other Clearinghouse"
        await pilot.press("escape")
        assert isinstance(app.screen, FormScreen) is False and "Leave without saving" in app.screen.title_text
        await pilot.press("n")
        assert app.screen is screen
        field(screen, "receiver_name").value = screen.saved.receiver_name
        await pilot.press("escape")
        assert app.screen is coding
    assert practice(store) == {}


async def test_settings_help_and_palette(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        rows = dict(app.screen.rows())
        assert "S" in rows and "i" in rows and "a" in rows
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        # One search for the whole phrase (typing it would search the code book per key).
        app.screen.query_one(Input).value = "practice settings"
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SettingsScreen)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        assert dict(app.screen.rows())["Ctrl+S"].startswith("Save")


async def test_palette_runs_worklist_commands(make_app) -> None:
    from workstation.ui.commands import WorkstationCommands

    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        provider = WorkstationCommands(app.screen)
        names = {name: action for name, action, _ in provider._commands()}
        assert names["Import cases from a file or folder"] == "worklist.import"
        assert names["Audit trail of the whole session"] == "worklist.audit"
        await pilot.press("escape")
        provider._run("worklist.audit")
        await settle(pilot)
        assert isinstance(app.screen, AuditScreen) and app.screen.case_id is None


# ---------------------------------------------------------------- audit

async def test_case_audit_newest_first_read_only(make_app, store) -> None:
    store.assign_dx("UI-001", "E11.22")
    store.assign_dx("UI-001", "N18.31")
    store.add_line("UI-001", ServiceLine("99213", units=1, charge=110.0, pointers=["A"]))
    store.update_line("UI-001", 0, units=2)
    before = store.audit()
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        coding = await open_case(pilot, "UI-001")
        coding.query_one("#entries").focus()
        await pilot.press("a")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AuditScreen) and screen.case_id == "UI-001"
        table = screen.query_one("#audit", DataTable)
        actions = [str(table.get_row_at(i)[2]) for i in range(table.row_count)]
        assert actions[:3] == ["update line", "add line", "assign dx"]
        assert actions[-1] == "add case"
        # Only what changed: the line's units, not every field of it.
        assert str(table.get_row_at(0)[3]) == "{index: 0, units: 1} → {index: 0, units: 2}"
        await pilot.press("enter")
        assert isinstance(app.screen, Notice) and "units: 2" in str(app.screen.body)
        await pilot.press("escape", "d", "x", "escape")  # no key here changes anything
        await settle(pilot)
        assert app.screen is coding
    assert store.audit() == before


async def test_session_audit_from_the_worklist(make_app, store) -> None:
    store.set_setting("coder_id", "CODER9")
    store.assign_dx("UI-002", "S72.031A")
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AuditScreen) and screen.case_id is None
        table = screen.query_one("#audit", DataTable)
        # One save: the code and the status it started (new -> in progress), newest first.
        top = [[str(c) for c in table.get_row_at(i)][1:4] for i in range(2)]
        assert top == [["CODER9", "UI-002", "set status"], ["CODER9", "UI-002", "assign dx"]]
        cases = {str(table.get_row_at(i)[2]) for i in range(table.row_count)}
        assert {"UI-001", "UI-002", "UI-003", "(session)"} <= cases


def test_change_text_of_a_first_settings_save_names_only_what_differs() -> None:
    from workstation.billing.settings import PracticeSettings

    after = PracticeSettings().to_dict()
    after.pop("coder_id")
    after["npi"] = "1234567893"
    text = change_text({"action": "set_setting", "before": {"practice": None}, "after": {"practice": after}})
    assert text == "{practice.npi: 1555000003} → {practice.npi: 1234567893}"


# ---------------------------------------------------------------- import

NOTE = ("Patient: Example, Rosa\nDOB: 1980-01-02\nDate of service: 2026-04-03\nEncounter: office\n"
        "Payer: Lakeshore Health Plan\nMember ID: LHP1\n---\nFollow-up of hypertension.\n")


async def test_import_from_the_worklist(make_app, store, tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "rosa.txt").write_text(NOTE)
    (folder / "broken.json").write_text("{not json")
    monkeypatch.setenv("HOME", str(tmp_path))
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        form = app.screen
        assert isinstance(form, FormScreen)
        await pilot.press(*"~/nowhere", "enter")
        assert app.screen is form and "No such file or folder" in str(form.query_one("#form-error").render())
        form.query_one("#path", Input).value = "~/incoming"  # ~ expanded
        await pilot.press("enter")
        await settle(pilot)
        report = app.screen
        assert isinstance(report, Notice)
        body = str(report.body)
        assert body.startswith("1 case(s) added, 0 duplicate(s) skipped, 2 file(s) read")
        assert "broken.json" in body and "error" in body
        await pilot.press("enter")
        worklist = app.screen
        assert isinstance(worklist, WorklistScreen)
        assert worklist.query_one("#cases", DataTable).row_count == 4
        new_id = worklist.current_case_id()
        assert new_id not in ("UI-001", "UI-002", "UI-003") and store.case(new_id).patient.last == "Example"
        # The same folder again adds nothing.
        await pilot.press("i")
        app.screen.query_one("#path", Input).value = str(folder)
        await pilot.press("enter")
        await settle(pilot)
        assert str(app.screen.body).startswith("0 case(s) added, 1 duplicate(s) skipped")
    assert len(store.case_ids()) == 4


# ---------------------------------------------------------------- export again

def exported_case(store) -> None:
    store.assign_dx("UI-001", "E11.22")
    store.add_line("UI-001", ServiceLine("99213", units=1, charge=110.0, pointers=["A"]))
    store.set_status("UI-001", "coded")
    store.mark_exported(["UI-001"], "CMS1500-20260302-000001", "x.txt")


async def choose_format(pilot: Any, fmt: str) -> None:
    await pilot.press("e")
    picker = pilot.app.screen
    assert isinstance(picker, Picker)
    picker.query_one("#picker", OptionList).highlighted = [k for k, _ in picker.options].index(fmt)
    await pilot.press("enter")
    await settle(pilot)


async def test_export_again_needs_an_explicit_yes(make_app, store, tmp_path) -> None:
    exported_case(store)
    store.set_payer_claim_number("UI-001", "PCN-778812")
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-001")
        screen.query_one("#entries").focus()
        await choose_format(pilot, "cms1500")
        ask = app.screen
        assert isinstance(ask, ConfirmNo) and "UI-001" in str(ask.body)
        await pilot.press("enter")  # the default is No
        await settle(pilot)
        assert "Nothing to export" in app.screen.title_text
        await pilot.press("escape")
        await choose_format(pilot, "cms1500")
        await pilot.press("y")
        await settle(pilot)
        summary = app.screen
        body = str(summary.body)
        assert "1 case(s) ready for cms1500" in body
        assert "REPLACEMENT claim (frequency 7) for batch CMS1500-20260302-000001, ref PCN-778812" in body
        await pilot.press("y")
        await settle(pilot)
    out = list((tmp_path / "exports").glob("cms1500-*.txt"))
    assert len(out) == 1 and "PCN-778812" in out[0].read_text()
    assert store.work("UI-001").export_batch != "CMS1500-20260302-000001"


# ---------------------------------------------------------------- small gaps

async def test_withdraw_a_query_ends_the_hold(make_app, store) -> None:
    store.assign_dx("UI-001", "E11.22")
    store.add_query("UI-001", "Type of diabetes?", "A1c 8.1, on metformin", ["Type 1", "Type 2"])
    store.set_status("UI-001", "query")
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-001")
        screen.query_one("#entries").focus()
        await pilot.press("q")
        picker = app.screen
        assert isinstance(picker, Picker)
        ids = [k for k, _ in picker.options]
        assert ids == ["new", "Q1", "withdraw:Q1"]
        picker.query_one("#picker", OptionList).highlighted = 2
        await pilot.press("enter")
        await settle(pilot)
    work = store.work("UI-001")
    assert work.queries[0].status == "withdrawn" and work.status == "in_progress"


async def test_service_line_date_is_editable(make_app, store) -> None:
    store.assign_dx("UI-003", "K35.80")
    store.add_line("UI-003", ServiceLine("44970", units=1, charge=1200.0, pointers=["A"]))
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-003")
        screen.query_one("#entries").focus()
        await pilot.press("down", "enter")
        form = app.screen
        assert isinstance(form, FormScreen) and form.query_one("#date", Input).value == ""
        form.query_one("#date", Input).value = "2026-01-19x"
        await pilot.press("ctrl+s")
        assert "YYYY-MM-DD" in str(form.query_one("#form-error").render())
        form.query_one("#date", Input).value = "2026-01-19"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert store.work("UI-003").lines[0].date == "2026-01-19"
        assert "2026-01-19 ·" in str(screen.claim.entries[-1].text)


async def test_payer_claim_number_for_a_replacement(make_app, store) -> None:
    exported_case(store)
    store.remove_dx("UI-001", "E11.22")  # a change after export reopens the case
    store.assign_dx("UI-001", "E11.22")
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-001")
        assert any(t == "work.payer_claim_number" and "press r" in m for _, t, m in screen.claim.edits)
        assert "missing: r sets it" in plain(screen.claim.head)
        screen.query_one("#entries").focus()
        await pilot.press("r")
        form = app.screen
        assert isinstance(form, FormScreen)
        await pilot.press(*"bad number!", "enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen) and "payer claim number" in form.error
        form.query_one("#number", Input).value = "pcn-1"
        await pilot.press("enter")
        await settle(pilot)
        assert store.work("UI-001").payer_claim_number == "PCN-1"
        assert not any(t == "work.payer_claim_number" for _, t, _m in screen.claim.edits)
        assert "PCN-1" in plain(screen.claim.head)
        assert "saved ✓" in screen.save_state
