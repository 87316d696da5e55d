"""The facility settings screen (S then F5): the same data as `workstation facility`, asked before written."""
from __future__ import annotations

from textual.widgets import Input

from test_flows import settle
from workstation.billing.facility import FacilitySettings
from workstation.ui.screens.facility import FacilityScreen, RevenueForm, input_id
from workstation.ui.screens.forms import Confirm
from workstation.ui.screens.settings import SettingsScreen


async def type_into(pilot, widget_id: str, text: str) -> None:
    box = pilot.app.screen.query_one(f"#{widget_id}", Input)
    box.focus()
    box.value = ""
    await pilot.press(*text)


async def test_facility_screen_enters_a_charge_table_and_asks_before_saving(make_app, store) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        assert isinstance(app.screen, SettingsScreen)
        await pilot.press("f5")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FacilityScreen)
        status = str(screen.query_one("#fac-status").render())
        assert "revenue-code charge table is empty" in status  # none shipped: the hospital enters its own
        await type_into(pilot, input_id("tax_id"), "31-1234567")
        await type_into(pilot, input_id("type_of_bill"), "111")
        await type_into(pilot, input_id("npi"), "1234567890")  # wrong check digit: refused, nothing written
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, Confirm)
        assert "check digit" in str(screen.query_one("#fac-status").render())
        await type_into(pilot, input_id("npi"), "1234567893")
        await pilot.press("f4", "a")
        await settle(pilot)
        assert isinstance(app.screen, RevenueForm)
        for field, text in (("code", "0120"), ("charge", "1850"), ("basis", "day"), ("description", "Room")):
            await type_into(pilot, field, text)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("ctrl+s")
        await settle(pilot)
        ask = app.screen
        assert isinstance(ask, Confirm)  # it asks first, showing what changes
        body = str(ask.body)
        assert "311234567" in body and "revenue 0120: 1850.00 per day" in body
        assert FacilitySettings.from_store(store).revenue == []  # nothing written before the yes
        await pilot.press("n")
        await settle(pilot)
        assert FacilitySettings.from_store(store).revenue == []
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        saved = FacilitySettings.from_store(store)
        assert saved.tax_id == "311234567" and saved.type_of_bill == "111" and saved.npi == "1234567893"
        assert [(r.code, r.charge, r.basis, r.description) for r in saved.revenue] == [("0120", "1850.00", "day", "Room")]
        assert saved.problems() == []
        assert "saved" in str(screen.query_one("#fac-status").render())
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, SettingsScreen)


async def test_leaving_with_unsaved_facility_changes_asks(make_app, store) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(FacilityScreen())
        await settle(pilot)
        await type_into(pilot, input_id("type_of_bill"), "111")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        await pilot.press("y")
        await settle(pilot)
        assert not isinstance(app.screen, FacilityScreen)
        assert FacilitySettings.from_store(store).type_of_bill == ""


async def calm(pilot) -> None:
    """settle(), where a worker replaced by a newer exclusive one (cancelled) is not a failure."""
    from textual.worker import WorkerCancelled

    for _ in range(3):
        await pilot.pause()
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:
            pass
    await pilot.pause()


async def test_export_837_from_the_worklist_writes_both_files(tmp_path) -> None:
    from textual.widgets import OptionList

    from tests.export.test_export_837 import INPATIENT, coded_demo
    from workstation.ui.app import WorkstationApp
    from workstation.ui.screens.forms import Picker

    store = coded_demo(tmp_path / "demo.json")
    try:
        app = WorkstationApp(store, label="demo.json")
        app.warmed = True
        told: list[str] = []
        notify = app.notify
        app.notify = lambda message, *a, **k: (told.append(str(message)), notify(message, *a, **k))[1]
        async with app.run_test(size=(160, 48)) as pilot:
            await calm(pilot)
            await pilot.press("e")
            await calm(pilot)
            picker = app.screen
            assert isinstance(picker, Picker)
            picker.query_one("#picker", OptionList).highlighted = [k for k, _ in picker.options].index("837")
            await pilot.press("enter")
            await calm(pilot)
            assert isinstance(app.screen, Confirm)
            body = str(app.screen.body)
            assert "837I" in body and "837P" in body and ".837i" in body
            await pilot.press("y")
            # Poll rather than wait for every worker: the worklist's exclusive reload after the
            # export may be replaced by a newer one (a cancelled worker), which is not a failure.
            for _ in range(300):
                await pilot.pause(0.1)
                if any(t.startswith(str(tmp_path / "exports")) for t in told):
                    break
        p_files = list((tmp_path / "exports").glob("837-*.837p"))
        i_files = list((tmp_path / "exports").glob("837-*.837i"))
        assert len(p_files) == 1 and len(i_files) == 1
        assert any(str(i_files[0]) in t and "005010X223A2" in t for t in told)
        exported_i = {cid for cid in INPATIENT if store.work(cid).status == "exported"}
        assert exported_i and all(store.work(c).export_file == str(i_files[0]) for c in exported_i)
    finally:
        store.close()
