"""The Textual app: opens a session store, shows the worklist, codes cases.

The app is thin: screens turn keys into calls on the session store and the code books, always
in workers. Store calls run one at a time, in order, on a single background thread
(`store_call`), so a save is durable before the screen says "saved" and TinyDB is never
touched from two threads at once.
"""
from __future__ import annotations

import asyncio
import signal
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, TypeVar

from textual.app import App
from textual.binding import Binding

from workstation.ui.commands import CodeCommands, WorkstationCommands

T = TypeVar("T")


class WorkstationApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "Coding workstation"
    COMMANDS = App.COMMANDS | {WorkstationCommands, CodeCommands}
    COMMAND_PALETTE_BINDING = "ctrl+p"
    # Below 120 columns the coding screen shows one pane at a time.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True, tooltip="Quit (every change is already saved)"),
        Binding("question_mark", "help", "Keys", tooltip="This help"),
        # F2 works even while typing in a search box or a field (S there types an S).
        Binding("f2", "settings", "Settings", show=False, tooltip="Practice settings (S outside a text box)"),
    ]

    def __init__(self, store: Any, label: str = "", open_case: str | None = None) -> None:
        super().__init__()
        self.store = store
        self.session_label = label or str(getattr(store, "path", ""))
        self.open_case_on_start = open_case
        self._store_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")

    async def store_call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run one store (or core) call on the store thread, in submission order."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._store_thread, lambda: fn(*args, **kwargs))

    def on_mount(self) -> None:
        from workstation.ui.screens.worklist import WorklistScreen

        self.push_screen(WorklistScreen())
        # A closed terminal (SIGHUP) or a kill (SIGTERM) ends the app normally, so the store
        # is closed and its lock released; every change is already durable.
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGHUP):
            try:
                loop.add_signal_handler(sig, self.exit)
            except (NotImplementedError, RuntimeError, ValueError):  # not the main thread / Windows
                pass

    def action_help(self) -> None:
        from workstation.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_settings(self) -> None:
        """S (worklist and coding screen) and the command palette: the practice settings."""
        from workstation.ui.screens.settings import SettingsScreen

        if not isinstance(self.screen, SettingsScreen):
            self.push_screen(SettingsScreen())

    def action_audit(self, case_id: str | None = None) -> None:
        from workstation.ui.screens.audit import AuditScreen

        self.push_screen(AuditScreen(case_id))

    def open_case(self, case_id: str) -> None:
        from workstation.ui.screens.coding import CodingScreen

        if isinstance(self.screen, CodingScreen):  # a second Enter while the first case opens
            return
        order = getattr(self.screen, "case_order", None)  # the worklist's order (as filtered), for n / p
        self.push_screen(CodingScreen(case_id, order=order))

    def on_unmount(self) -> None:
        self._store_thread.shutdown(wait=True)  # let a pending save finish


# ---------------------------------------------------------------- entry

def open_store(path: Path, fill_demo: bool) -> Any:
    """Open (or create) the store; fill it with the demo worklist when asked and it is empty."""
    from workstation.session.store import SessionStore

    store = SessionStore.open(path, create=True)
    try:
        if fill_demo and not store.case_ids():
            from workstation.cases.demo import demo_cases

            store.add_cases(demo_cases())
    except BaseException:
        store.close()
        raise
    return store


def store_errors() -> tuple[type[BaseException], ...]:
    """What opening a session can fail with, each carrying a message for the user."""
    errors: list[type[BaseException]] = [OSError]
    for module, name in (
        ("workstation.session.storage", "StoreError"),
        ("workstation.cases.demo", "DemoError"),
        ("workstation.codes.books", "CodebookError"),
    ):
        try:
            errors.append(getattr(__import__(module, fromlist=[name]), name))
        except (ImportError, AttributeError):
            pass
    return tuple(errors)


def run(session: str | None = None, demo: bool = False) -> int:
    """`workstation` with no subcommand. Store problems are reported before the UI starts (exit 2)."""
    from workstation.paths import sessions_dir

    path = Path(session).expanduser() if session else sessions_dir() / "default.json"
    # The default store starts on the demo worklist; another store starts empty unless --demo.
    fill = demo or session is None
    try:
        store = open_store(path, fill)
    except store_errors() as exc:
        print(f"workstation: cannot open session {path}: {exc}", file=sys.stderr)
        return 2
    try:
        app = WorkstationApp(store, label=path.name)
        result = app.run()
        return int(result or 0)
    finally:
        store.close()
