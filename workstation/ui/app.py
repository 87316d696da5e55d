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
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from textual.app import App
from textual.binding import Binding

from workstation.cases.demo import DemoError, demo_cases
from workstation.codes.books import CodebookError
from workstation.session.store import SessionStore, StoreError, resolve_path
from workstation.ui.commands import CodeCommands, WorkstationCommands

if TYPE_CHECKING:  # annotations only: nothing more is imported at run time
    from rich.console import RenderableType
    from textual.notifications import SeverityLevel

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

    def __init__(self, store: SessionStore, label: str = "", open_case: str | None = None) -> None:
        super().__init__()
        self.store = store
        self.session_label = label or str(store.path)
        self.open_case_on_start = open_case
        self._store_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")

    async def store_call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run one store (or core) call on the store thread, in submission order."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._store_thread, lambda: fn(*args, **kwargs))

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Notifications carry messages that quote case text (file names, payer ids): never markup."""
        from workstation.ui.text import clean

        super().notify(clean(message, lines=True), title=clean(title), severity=severity, timeout=timeout,
                       markup=False)

    def _handle_exception(self, error: Exception) -> None:
        """Any unhandled error: a private log and a one-line message (see workstation/crash.py)."""
        self.crash_error = error
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        # Textual's default dump prints local variables: case text, the patient's name. Never.
        from rich.text import Text

        from workstation import crash

        error = getattr(self, "crash_error", None) or RuntimeError("unknown error")
        self.crash_log = crash.write_log(error)
        self.bell()
        self._exit_renderables.append(Text(crash.message(error, self.crash_log)))
        self._close_messages_no_wait()

    def panic(self, *renderables: RenderableType) -> None:
        if getattr(self, "crash_error", None) is not None:  # an exception with its own rendering
            self._fatal_error()
            return
        super().panic(*renderables)

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

    async def action_quit(self) -> None:
        """Ctrl+Q: quit, unless a change could not be saved (disk full): retry it first, and if it
        still fails ask before leaving without it. Quitting always releases the store's lock."""
        pending = getattr(self.store, "pending", None)
        if not pending:
            self.exit()
            return
        from workstation.session.storage import StoreWriteError

        try:
            await self.store_call(self.store.retry)
        except StoreWriteError as exc:
            reason = exc.reason
        else:
            self.notify("The unsaved changes are saved now", title="Saved")
            self.exit()
            return
        from rich.text import Text

        from workstation.ui.screens.forms import ConfirmNo

        n = len(pending)
        body = Text(f"{n} change{'s' if n != 1 else ''} could not be saved: {reason}. Everything saved "
                    f"before is safe.\n\ny quits without {'them' if n != 1 else 'it'}; n stays: free some "
                    f"space, then Ctrl+Q again saves and quits (or Ctrl+R retries the save).")

        def answered(yes: bool | None) -> None:
            if yes:
                self.store.discard()  # releases the lock; what was saved stays
                self.exit()

        self.push_screen(ConfirmNo("Quit without saving?", body), answered)

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

def open_store(path: Path, fill_demo: bool) -> SessionStore:
    """Open (or create) the store; fill it with the demo worklist when asked and it is empty."""
    store = SessionStore.open(path, create=True)
    try:
        if fill_demo and not store.case_ids():
            store.add_cases(demo_cases())
    except BaseException:
        store.close()
        raise
    return store


# What opening a session can fail with, each carrying a message for the user.
STORE_ERRORS: tuple[type[BaseException], ...] = (OSError, StoreError, DemoError, CodebookError)


def run(session: str | None = None, demo: bool = False) -> int:
    """`workstation` with no subcommand. Store problems are reported before the UI starts (exit 2)."""
    path = resolve_path(session)  # the one rule: a bare name is sessions/NAME.json
    # The default store starts on the demo worklist; another store starts empty unless --demo.
    fill = demo or session is None
    try:
        store = open_store(path, fill)
    except STORE_ERRORS as exc:
        print(f"workstation: cannot open session {path}: {exc}", file=sys.stderr)
        return 2
    try:
        app = WorkstationApp(store, label=path.name)
        result = app.run()
        if app.return_code:  # a crash: the message naming the log was printed
            from workstation import crash

            return crash.EXIT_CODE
        return int(result or 0)
    finally:
        _close(store)


def _close(store: SessionStore) -> None:
    """Close the store on the way out; a change that still cannot be saved is reported, not kept
    "in memory" (the process is ending), and the lock is released either way."""
    from workstation.session.storage import StoreWriteError

    try:
        store.close()
    except StoreWriteError as exc:
        n = len(getattr(store, "pending", []))
        store.discard()
        print(f"workstation: {n} change(s) could not be saved ({exc.reason}) and are lost; everything "
              f"saved before is in {store.path}", file=sys.stderr)
