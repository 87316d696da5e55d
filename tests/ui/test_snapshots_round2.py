"""Snapshots of the second round's screens at 80x24 and 160x48: practice settings, the audit
trail, the import form and the export-again question.

The audit's clock is fixed (the store's now_utc is replaced) and the coder named, so nothing on
screen depends on today's date or on who runs the tests. Regenerate after an intended change:
    .venv/bin/python -m pytest tests/ui/test_snapshots_round2.py --snapshot-update
"""
from __future__ import annotations

from typing import Any

import pytest

from workstation.session.work import ServiceLine

from test_snapshots import SIZES, settle  # noqa: E402

size_ids = lambda s: f"{s[0]}x{s[1]}"  # noqa: E731


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fixed audit times and coder (requested before the store, so its cases are added under it)."""
    from workstation.session import audit
    from workstation.session import store as store_mod

    monkeypatch.setattr(audit, "os_user", lambda: "coder")

    ticks = iter(range(10_000))
    monkeypatch.setattr(store_mod, "now_utc", lambda: f"2026-03-02T14:{next(ticks) // 60 % 60:02d}:{next(ticks) % 60:02d}.000Z")


@pytest.mark.parametrize("size", SIZES, ids=size_ids)
def test_settings_screen(snap_compare, make_app, size) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=size_ids)
def test_audit_screen(fixed_clock, snap_compare, make_app, store, size) -> None:
    store.set_setting("coder_id", "CODER1")
    store.assign_dx("UI-001", "E11.22")
    store.assign_dx("UI-001", "N18.31")
    store.add_line("UI-001", ServiceLine("99213", modifiers=["25"], units=1, charge=110.0, pointers=["A", "B"]))
    store.move_dx("UI-001", "N18.31", -1)
    store.update_line("UI-001", 0, units=2)

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape", "a")  # out of the search box, then the audit
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=size_ids)
def test_import_form(snap_compare, make_app, size, monkeypatch) -> None:
    monkeypatch.setenv("HOME", "/home/coder")  # ~ is expanded in the message shown
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("i", *"~/nowhere/at-all", "enter")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=size_ids)
def test_export_again_question(snap_compare, make_app, store, size) -> None:
    store.assign_dx("UI-001", "E11.22")
    store.add_line("UI-001", ServiceLine("99213", units=1, charge=110.0, pointers=["A"]))
    store.set_status("UI-001", "coded")
    store.mark_exported(["UI-001"], "837P-20260302-000000001", "claims.x12")

    async def run_before(pilot: Any) -> None:
        from textual.widgets import OptionList

        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape", "e")
        picker = pilot.app.screen
        picker.query_one("#picker", OptionList).highlighted = [k for k, _ in picker.options].index("cms1500")
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)
