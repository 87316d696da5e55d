"""Hostile names through every live widget (issue 20 item 5): cases imported through the app with
markup, escape sequences and control characters in their names, then the worklist, the coding
screen, the Queries, Analytics and Export screens walked with the pilot. No screen crashes, no
escape or control character reaches the terminal, and the names show as typed (raw brackets)."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import orjson
from textual.widgets import Input

# (last name, what the coder must see of it: markup stays literal, control characters go)
HOSTILE = [
    ("Smith[/]", "Smith[/]"),
    ("[bold red]Jones[/]", "[bold red]Jones[/]"),
    ("\x1b[31mRed\x1b[0m", "[31mRed[0m"),
    ("[@click=app.quit]Q[/]", "[@click=app.quit]Q[/]"),
    ("Bell\x07\x00Zed", "BellZed"),
    ("O'Brien\\[x]", "O'Brien\\[x]"),
]
FORBIDDEN = ("\x1b", "\x07", "\x00", "\x08", "\u202e")


def _case_json(i: int, last: str) -> dict:
    return {
        "case_id": f"HW-{i:03d}",
        "patient": {"first": "[i]Ann[/i]", "last": last, "dob": "1961-04-04", "sex": "F",
                    "address": {"line1": "10 Main St", "city": "Columbus", "state": "OH", "zip": "432151234"}},
        "encounter": {"type": "office", "date_of_service": "2026-03-02", "place_of_service": "11",
                      "rendering_provider": {"name": f"{last}, Dana", "npi": "1482039157"}},
        "coverage": {"payer_name": f"Acme [Health] {last}", "payer_id": "15202", "member_id": "3HX7KD2RT46",
                     "plan_type": "MB"},
        "documents": [{"title": f"Note [b]{i}[/b]", "text": f"Seen: {last}. Type 2 diabetes. \x1b[2J done."}],
    }


def _screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def _settle(pilot, app, rounds: int = 3) -> None:
    for _ in range(rounds):
        await pilot.pause()
        await app.workers.wait_for_complete()


def _clean_of_escapes(text: str, where: str) -> None:
    bad = [repr(ch) for ch in FORBIDDEN if ch in text]
    assert not bad, f"{where}: {bad} reached the screen"


async def _back_to_worklist(pilot, app) -> None:
    from workstation.ui.screens.worklist import WorklistScreen

    for _ in range(4):  # Escape leaves a text box first, then the screen
        if isinstance(app.screen, WorklistScreen):
            return
        await pilot.press("escape")
        await _settle(pilot, app)
    assert isinstance(app.screen, WorklistScreen), app.screen


async def test_hostile_names_imported_through_the_app_show_raw_on_every_screen(tmp_path: Path) -> None:
    from workstation.session.store import SessionStore
    from workstation.session.work import ServiceLine
    from workstation.ui.app import WorkstationApp
    from workstation.ui.screens.worklist import WorklistScreen

    src = tmp_path / "in" / "hostile.json"
    src.parent.mkdir(mode=0o700)
    src.write_bytes(orjson.dumps([_case_json(i, last) for i, (last, _) in enumerate(HOSTILE)]))
    store = SessionStore.open(tmp_path / "s" / "h.json")
    app = WorkstationApp(store, label="h.json")
    app.warmed = True
    try:
        async with app.run_test(size=(200, 50)) as pilot:
            await _settle(pilot, app)
            # Import through the worklist's own form (i), as a coder would.
            await pilot.press("i")
            await pilot.pause()
            app.screen.query_one(Input).value = str(src)
            await pilot.press("enter")
            await _settle(pilot, app, 5)
            _clean_of_escapes(_screen_text(app), "import report")
            await pilot.press("escape")
            await _settle(pilot, app)
            assert isinstance(app.screen, WorklistScreen)
            assert store.case_ids() == [f"HW-{i:03d}" for i in range(len(HOSTILE))]
            text = _screen_text(app)
            _clean_of_escapes(text, "worklist")
            for _, shown in HOSTILE[:4]:
                assert shown in text, f"worklist does not show {shown!r} raw"

            # Work for the other screens: one case coded (export, analytics) and a query (queries).
            store.assign_dx("HW-000", "E11.9")
            store.add_line("HW-000", ServiceLine("99213", [], 1, Decimal("95.00"), ["A"]))
            store.set_status("HW-000", "coded")
            store.add_query("HW-001", "Please clarify the type of diabetes.", "A1c 8.1",
                            ["Type 1", "Type 2", "Other", "Clinically undetermined"])
            await pilot.press("r")
            await _settle(pilot, app)

            # The coding screen of each hostile case.
            for i, (_, shown) in enumerate(HOSTILE):
                app.screen.query_one("#cases").move_cursor(row=i)
                await pilot.press("enter")
                await _settle(pilot, app)
                assert app.screen.__class__.__name__ == "CodingScreen"
                text = _screen_text(app)
                _clean_of_escapes(text, f"coding screen of HW-{i:03d}")
                assert shown in text, f"coding screen of HW-{i:03d} does not show {shown!r} raw"
                await _back_to_worklist(pilot, app)

            for key, name in (("Q", "QueriesScreen"), ("A", "AnalyticsScreen")):
                await pilot.press(key)
                await _settle(pilot, app, 5)
                assert app.screen.__class__.__name__ == name
                text = _screen_text(app)
                _clean_of_escapes(text, name)
                if name == "QueriesScreen":
                    assert "[bold red]Jones[/], Dana" in text  # the provider, raw
                    await pilot.press("enter")  # read the query: its title names the provider
                    await _settle(pilot, app)
                    text = _screen_text(app)
                    _clean_of_escapes(text, "query notice")
                    assert "[bold red]Jones[/], Dana" in text
                await _back_to_worklist(pilot, app)

            # Export: the format picker, then the summary of what would go (nothing is written).
            await pilot.press("e")
            await _settle(pilot, app)
            await pilot.press("enter")  # the first format (837P)
            await _settle(pilot, app, 5)
            _clean_of_escapes(_screen_text(app), "export summary")
            assert "HW-000" in _screen_text(app)
            await _back_to_worklist(pilot, app)
            assert app.return_code is None  # nothing crashed, nothing quit (the [@click=app.quit] name is data)
    finally:
        store.close()
