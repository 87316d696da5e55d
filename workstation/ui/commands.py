"""Command-palette providers (Ctrl+P): codes from the search engine, and the app's commands."""
from __future__ import annotations

from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider


def _coding_screen(app: Any) -> Any:
    from workstation.ui.screens.coding import CodingScreen

    for screen in reversed(app.screen_stack):
        if isinstance(screen, CodingScreen):
            return screen
    return None


class CodeCommands(Provider):
    """Type words or a code: pick one to open it on the coding screen (or look it up)."""

    async def search(self, query: str) -> Hits:
        if len(query.strip()) < 2:
            return
        from workstation.ui import core
        from workstation.ui.core import SYSTEM_LABELS

        screen = _coding_screen(self.app)
        date = screen.dos if screen is not None else None
        results = await self.app.store_call(core.search, query, "all", date, 15) if hasattr(self.app, "store_call") else core.search(query, date=date, limit=15)
        for rank, r in enumerate(results):
            text = f"{r.code} {r.title}"
            yield Hit(
                1.0 - rank / 100,
                self.matcher(query).highlight(text) if rank else text,
                partial(self._open, r.code, r.system),
                text=text,
                help=f"{SYSTEM_LABELS.get(r.system, r.system)} · {r.kind}" + (f" · via {r.via}" if r.via else ""),
            )

    def _open(self, code: str, system: str) -> None:
        screen = _coding_screen(self.app)
        if screen is None:
            self.app.notify(f"{code}: open a case to code with it", severity="information")
            return
        screen.go_to(code, system)


COMMANDS = [
    ("Worklist: back to the worklist", "back", "Esc"),
    ("Add the highlighted code as a diagnosis", "add_dx", "d"),
    ("Add a service line", "add_line", "s"),
    ("Remove the selected claim entry", "remove", "x"),
    ("Provider query for this case", "query", "q"),
    ("Mark this case coded", "mark_coded", "c"),
    ("Export claims", "export", "e"),
    ("Next case", "switch_case(1)", "n"),
    ("Previous case", "switch_case(-1)", "p"),
    ("View: ICD-10-CM tabular", "view('tabular')", "2"),
    ("View: Alphabetic Index", "view('index')", "3"),
    ("View: Table of Drugs and Chemicals", "view('drugs')", "4"),
    ("View: Neoplasm Table", "view('neoplasm')", "5"),
    ("View: ICD-10-PCS builder", "view('pcs')", "6"),
    ("View: HCPCS Level II", "view('hcpcs')", "7"),
]


WORKLIST_COMMANDS = [
    ("Import cases from a file or folder", "import", "i"),
    ("Audit trail of the whole session", "audit", "a"),
]
# Anywhere: on the app.
APP_COMMANDS = [
    ("Practice settings: billing provider, NPI, payers, fee schedule", "app.settings", "S"),
    ("Keys: help for this screen", "app.help", "?"),
]


def _top_screen(app: Any) -> Any:
    """The screen under the palette and any dialogs."""
    from textual.screen import ModalScreen

    for screen in reversed(app.screen_stack):
        if not isinstance(screen, ModalScreen):
            return screen
    return None


def _worklist_screen(app: Any) -> Any:
    from workstation.ui.screens.worklist import WorklistScreen

    top = _top_screen(app)
    return top if isinstance(top, WorklistScreen) else None


class WorkstationCommands(Provider):
    """The actions of the screen in front (coding screen or worklist), and the app's, by name."""

    def _commands(self) -> list[tuple[str, str, str]]:
        out: list[tuple[str, str, str]] = []
        from workstation.ui.screens.coding import CodingScreen

        if isinstance(_top_screen(self.app), CodingScreen):
            out += [(name, f"screen.{action}", key) for name, action, key in COMMANDS]
            out.append(("Audit trail of this case", "screen.audit", "a"))
            out.append(("Payer claim number (replacement claim)", "screen.claim_number", "r"))
        elif _worklist_screen(self.app) is not None:
            out += [(name, f"worklist.{action}", key) for name, action, key in WORKLIST_COMMANDS]
        return out + APP_COMMANDS

    async def discover(self) -> Hits:
        for name, action, key in self._commands():
            yield DiscoveryHit(name, partial(self._run, action), help=f"key {key}")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action, key in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), partial(self._run, action), help=f"key {key}")

    def _run(self, action: str) -> None:
        where, _, name = action.partition(".")
        target: Any = self.app
        if where == "screen":
            target = _coding_screen(self.app)
        elif where == "worklist":
            target = _worklist_screen(self.app)
        if target is None:
            return
        self.app.call_later(self.app.run_action, name, target)
