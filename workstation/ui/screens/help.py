"""The help screen: every key of the screen it was opened from, and the app's own."""
from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

KEY_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "comma": ",",
    "full_stop": ".",
    "escape": "Esc",
    "enter": "Enter",
    "tab": "Tab",
    "shift+tab": "Shift+Tab",
    "backspace": "Backspace",
    "down": "↓",
    "up": "↑",
}


def _one_key(k: str) -> str:
    if k in KEY_NAMES:
        return KEY_NAMES[k]
    *mods, last = k.split("+")
    if not mods:
        return last
    return "+".join([m.capitalize() for m in mods] + [KEY_NAMES.get(last, last.upper() if len(last) == 1 else last)])


def key_text(key: str) -> str:
    """'ctrl+r' -> 'Ctrl+R'; 'left_square_bracket' -> '['; 'y,enter' -> 'y / Enter'."""
    return " / ".join(_one_key(k.strip()) for k in key.split(","))


def described_bindings(obj: object) -> list[Binding]:
    """Every binding of a screen or app that has a description, as Binding objects."""
    out = []
    for b in getattr(obj, "BINDINGS", []):
        if not isinstance(b, Binding):
            b = Binding(b[0], b[1], b[2] if len(b) > 2 else "")
        if b.description:
            out.append(b)
    return out


def long_text(obj: object, b: Binding) -> str:
    """What a key does, in a sentence: its tooltip (or the screen's HELP_DESCRIPTIONS), else its label."""
    return b.tooltip or getattr(obj, "HELP_DESCRIPTIONS", {}).get(b.action) or b.description


def bindings_of(obj: object) -> list[tuple[str, str]]:
    """(key, what it does) of every described binding: the help screen's rows."""
    return [(key_text(b.key), long_text(obj, b)) for b in described_bindings(obj)]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "close", "Close")]

    def __init__(self, screen: Screen) -> None:
        super().__init__(classes="modal")
        self.for_screen = screen

    def rows(self) -> list[tuple[str, str]]:
        """(key, what it does), in the order shown; section titles have an empty key."""
        out: list[tuple[str, str]] = [("", type(self.for_screen).__name__.replace("Screen", ""))]
        out += bindings_of(self.for_screen)
        out += list(getattr(self.for_screen, "HELP_EXTRA", []))
        out += [("", ""), ("", "Everywhere")]
        out += [("Ctrl+P", "Command palette: search codes and commands")]
        out += bindings_of(self.app)
        return out

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, pad_edge=False)
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for key, desc in self.rows():
            if key:
                table.add_row(key, desc)
            else:
                table.add_row(Text(desc, style="bold underline"), "")
        with Vertical(classes="dialog help-dialog"):
            yield Label("Keys", classes="dialog-title")
            with VerticalScroll(id="help-body"):
                yield Static(table)
            yield Static("Esc or ? closes", classes="dialog-hint")

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#help-body"))  # arrows and PgUp/PgDn scroll

    def action_close(self) -> None:
        self.dismiss(None)
