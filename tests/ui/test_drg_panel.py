"""The DRG panel and the POA key on the coding screen (issue 19)."""
from __future__ import annotations

from textual.widgets import OptionList

from test_flows import open_case, settle
from workstation.ui.widgets.drg_panel import DrgPanel, next_poa


def test_poa_key_cycles_through_every_value() -> None:
    seen, v = [], ""
    for _ in range(6):
        v = next_poa(v)
        seen.append(v)
    assert seen == ["Y", "N", "U", "W", "E", ""]


async def test_drg_panel_groups_inpatient_and_poa_key_sets_it(make_app, store) -> None:
    store.assign_dx("UI-003", "K35.80")
    store.add_procedure("UI-003", "0DTJ4ZZ")
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-003")
        await settle(pilot)
        panel = screen.query_one(DrgPanel)
        assert panel.has_class("inpatient")
        assert "DRG 399" in str(panel.render()) and "v43.0" in str(panel.render())
        screen.query_one("#entries", OptionList).focus()
        await pilot.press("o")
        await settle(pilot)
        assert store.work("UI-003").poa == {"K35.80": "Y"}
        await pilot.press("o")
        await settle(pilot)
        assert store.work("UI-003").poa == {"K35.80": "N"}


async def test_drg_panel_hidden_for_outpatient(make_app, store) -> None:
    store.assign_dx("UI-001", "E11.22")
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_case(pilot, "UI-001")
        assert not screen.query_one(DrgPanel).has_class("inpatient")
        screen.query_one("#entries", OptionList).focus()
        await pilot.press("o")
        await settle(pilot)
        assert store.work("UI-001").poa == {}
