"""Names are data, never markup (issue 20): text from a case reaches no widget as markup or escapes."""
from __future__ import annotations

import io
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st
from rich.console import Console
from textual.widgets import DataTable

from workstation.cases.model import Case, Coverage, Document, Encounter, Person, Provider
from workstation.ui.screens.worklist import WorklistScreen, row_of
from workstation.ui.text import clean, plain, safe
from workstation.ui.widgets.case_pane import documentation_text, header_text
from workstation.ui.widgets.claim_preview import claim_head

HOSTILE = ["Smith[/]", "[bold red]Jones[/]", "\x1b[31mRed\x1b[0m", "[link=http://x]Click[/link]", "O'Brien\\[x]",
           "Li\u202eevil", "Tab\tNew\nLine", "[", "]", "[/", "[@click=app.quit]Q[/]"]


def _case(last: str, first: str = "Ann", payer: str = "Acme [Health]", note: str = "") -> Case:
    return Case("HN-001", Person(first, last, dob="1960-01-01", sex="F"),
                Encounter("office", "2026-03-02", "11", rendering_provider=Provider(f"Dr {last}", "1234567893")),
                Coverage(payer, "ACME1", member_id=f"M{last}"[:20], plan_type="CI"),
                documents=[Document(f"Note of {last}", note or f"Seen: {last}.", author=last)],
                source="test", source_key="hn")


def _render(renderable: Any) -> str:
    out = io.StringIO()
    Console(file=out, width=200, color_system="truecolor", force_terminal=True, legacy_windows=False).print(renderable)
    return out.getvalue()


def _visible(renderable: Any) -> str:
    out = io.StringIO()
    Console(file=out, width=400, color_system=None, force_terminal=False).print(renderable)
    return out.getvalue()


names = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30) | st.sampled_from(HOSTILE)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(last=names, first=names)
def test_random_names_render_literally_through_every_renderer(last: str, first: str) -> None:
    case = _case(last, first, payer=last, note=f"{first} {last}")
    shown = clean(last)
    for renderable in (header_text(case), documentation_text(case, [])[0], claim_head(case, None),
                       *(plain(c) for c in row_of(case, None).cells)):
        text = _render(renderable)
        body = text.replace("\x1b[", "")  # the console's own styles
        assert "\x07" not in text and "\u202e" not in text
        assert not any(ch in body for ch in "\x1b\x00\x08")
    # What the coder sees is the name itself, brackets and all (whitespace aside).
    assert "".join(shown.split()) in "".join(_visible(header_text(case)).split())
    assert safe(last).replace("\\[", "[") == shown or "\\" in last


async def test_hostile_names_open_in_the_worklist_coding_screen_and_audit(tmp_path) -> None:
    from workstation.session.store import SessionStore
    from workstation.ui.app import WorkstationApp

    store = SessionStore.open(tmp_path / "h.json")
    cases = []
    for i, name in enumerate(HOSTILE):
        c = _case(name)
        c.case_id, c.source_key = f"HN-{i:03d}", f"hn-{i}"
        cases.append(c)
    store.add_cases(cases)
    store.set_notes("HN-000", "[bold]not bold[/] Smith[/]")
    app = WorkstationApp(store, label="h[/].json")
    app.warmed = True
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            for _ in range(3):
                await pilot.pause()
                await app.workers.wait_for_complete()
            table = app.screen.query_one("#cases", DataTable)
            assert isinstance(app.screen, WorklistScreen) and table.row_count == len(HOSTILE)
            assert str(table.get_row("HN-000")[2]).startswith("Smith[/]")
            assert str(table.get_row("HN-001")[2]).startswith("[bold red]Jones[/]")
            assert "\x1b" not in str(table.get_row("HN-002")[2])
            for cid in ("HN-000", "HN-001", "HN-002"):
                table.move_cursor(row=table.get_row_index(cid))
                await pilot.press("enter")
                for _ in range(3):
                    await pilot.pause()
                    await app.workers.wait_for_complete()
                assert app.screen.__class__.__name__ == "CodingScreen"
                await pilot.press("escape")
                await pilot.pause()
            app.notify("import of Smith[/].json failed")
            app.action_audit("HN-000")
            for _ in range(3):
                await pilot.pause()
                await app.workers.wait_for_complete()
            assert app.screen.__class__.__name__ == "AuditScreen"
    finally:
        store.close()


# ---------------------------------------------------------------- crashes and quitting (issue 20)

async def test_a_crash_writes_a_private_log_without_locals_and_a_short_message(make_app, tmp_path, monkeypatch) -> None:
    import os
    import stat

    import pytest

    from workstation.paths import user_data_dir

    app = make_app()
    secret = "Patientname-Zyx"

    def boom() -> None:
        patient_name = secret  # a local variable holding case text
        raise RuntimeError("internal " + str(len(patient_name)))

    monkeypatch.setattr(app, "action_help", boom)
    with pytest.raises(RuntimeError):
        async with app.run_test() as pilot:
            await pilot.pause()
            await pilot.press("question_mark")
            await pilot.pause()
    assert app.return_code == 1
    logs = list((user_data_dir() / "logs").glob("crash-*.log"))
    assert len(logs) == 1 and stat.S_IMODE(logs[0].stat().st_mode) == 0o600
    assert stat.S_IMODE((user_data_dir() / "logs").stat().st_mode) == 0o700
    text = logs[0].read_text()
    assert "RuntimeError: internal 15" in text and "boom" in text and secret not in text
    assert app.crash_log == logs[0]  # the one-line message printed on exit names it


def test_a_cli_crash_is_a_short_message_and_exit_70(monkeypatch, capsys) -> None:
    from workstation import cli
    from workstation.commands import sessions

    def broken(args):
        raise KeyError("Smith, Ann")

    monkeypatch.setattr(sessions, "cmd_list", broken)
    assert cli.main(["sessions", "list"]) == 70
    err = capsys.readouterr().err
    assert "internal error (KeyError)" in err and "Smith" not in err and "crash-" in err


async def test_quit_with_an_unsaved_change_asks_retries_and_leaves_no_lock(make_app, store, monkeypatch) -> None:
    import errno

    import pytest

    from workstation.session import storage
    from workstation.session.storage import StoreWriteError
    from workstation.ui.screens.forms import ConfirmNo

    real = storage.Journal.append

    def full(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    app = make_app()
    async with app.run_test() as pilot:
        await pilot.pause()
        monkeypatch.setattr(storage.Journal, "append", full)
        with pytest.raises(StoreWriteError):
            store.set_notes("UI-001", "unsaved note")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmNo)  # asked, not quit
        await pilot.press("n")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmNo) and store.pending
        monkeypatch.setattr(storage.Journal, "append", real)  # space freed
        await pilot.press("ctrl+q")  # retries, saves, quits
        await pilot.pause()
    assert store.pending == []
    store.close()
    assert not store.lock_path.exists()


async def test_quit_without_saving_releases_the_lock(make_app, store, monkeypatch) -> None:
    import errno

    import pytest

    from workstation.session import storage
    from workstation.session.storage import StoreWriteError

    def full(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    app = make_app()
    async with app.run_test() as pilot:
        await pilot.pause()
        monkeypatch.setattr(storage.Journal, "append", full)
        with pytest.raises(StoreWriteError):
            store.set_notes("UI-001", "unsaved note")
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    assert store.closed and not store.lock_path.exists()
