"""Command-palette providers (Ctrl+P): codes from the search engine, and the app's commands."""
from __future__ import annotations

import asyncio
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
        # On a thread of its own, not the store's: a search never waits behind a save, nor a save behind it.
        results = await asyncio.to_thread(core.search, query, "all", date, 15)
        for rank, r in enumerate(results):
            text = f"{r.code} {r.title}"
            # Plain text: Textual's fuzzy highlighter explores every way the query's letters fit a
            # long title, which took gigabytes for "practice settings" against HCPCS descriptions.
            yield Hit(
                1.0 - rank / 100,
                text,
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


# Keys that only move around (no use from the palette).
_MOVES = {"cursor(1)", "cursor(-1)", "search_down", "pane(1)", "pane(-1)"}


def command_name(text: str) -> str:
    """The palette's name of a command: its help sentence up to the first bracket or ", "."""
    return text.split(" (", 1)[0].split(", ", 1)[0].rstrip(".:; ")


def commands_of(obj: object, prefix: str) -> list[tuple[str, str, str]]:
    """(name, "prefix.action", key) for every described key of a screen or app: the palette's
    commands come from the same BINDINGS as the footer and the help screen."""
    from workstation.ui.screens.help import described_bindings, key_text, long_text

    out = []
    for b in described_bindings(obj):
        if b.action in _MOVES:
            continue
        action = b.action if b.action.startswith("app.") else f"{prefix}.{b.action}"
        out.append((command_name(long_text(obj, b)), action, key_text(b.key)))
    return out


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
        from workstation.ui.screens.coding import CodingScreen

        top = _top_screen(self.app)
        out: list[tuple[str, str, str]] = []
        if isinstance(top, CodingScreen):
            out += commands_of(top, "screen")
        elif _worklist_screen(self.app) is not None:
            out += commands_of(top, "worklist")
        seen = {a for _, a, _ in out}
        return out + [c for c in commands_of(self.app, "app") if c[1] not in seen and c[1] != "app.quit"]

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
        leave = getattr(target, "leave_text_box", None)
        if leave is not None:
            leave()  # a command chosen by name acts even if a text box had the keys
        self.app.call_later(self.app.run_action, name, target)
