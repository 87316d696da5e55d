"""Snapshots of the worklist, the coding screen and the claim preview at 80x24, 160x48 and 200x60.

Fixed synthetic cases in a temp store, searches answered by the code book (conftest), no clock
on screen. Regenerate after an intended change with:
    .venv/bin/python -m pytest tests/ui/test_snapshots.py --snapshot-update
"""
from __future__ import annotations

from typing import Any

import pytest

from workstation.session.work import ServiceLine

SIZES = [(80, 24), (160, 48)]
CODING_SIZES = [(80, 24), (160, 48), (200, 60)]


async def settle(pilot: Any) -> None:
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def coded(store) -> None:
    store.assign_dx("UI-001", "E11.22")
    store.assign_dx("UI-001", "N18.31")
    store.add_line("UI-001", ServiceLine("99213", modifiers=["25"], units=1, charge=110.0, pointers=["A", "B"]))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_worklist(snap_compare, make_app, size) -> None:
    assert snap_compare(make_app(), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", CODING_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_coding_screen(snap_compare, make_app, store, size) -> None:
    coded(store)

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press(*"E11.22")
        await settle(pilot)
        await pilot.press("down")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", CODING_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_claim_preview(snap_compare, make_app, store, size) -> None:
    coded(store)

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape", "tab")  # search box -> results -> the claim pane
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


def test_coding_screen_light_theme(snap_compare, make_app, store) -> None:
    """The same screen in Textual's light theme: every colour comes from theme variables."""
    coded(store)

    async def run_before(pilot: Any) -> None:
        pilot.app.theme = "textual-light"
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press(*"E11.22")
        await settle(pilot)
        await pilot.press("down")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=(160, 48), run_before=run_before)
