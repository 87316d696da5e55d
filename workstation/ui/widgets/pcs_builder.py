"""ICD-10-PCS builder: pick one axis at a time from what the tables allow, to a valid code.

Type the characters: a digit or a capital letter (Shift) takes that character of the axis at
once, so a known code is its seven keys ("0SRR0J9"). Small letters find a choice by the first
letters of the words of its label, as TruCode does ("re" → Replacement, "hip r" → Hip Joint,
Right); the only match is taken at once, else the first is highlighted and Enter takes it.
Enter takes the highlighted character; Backspace steps back (first what was typed of a label,
then an axis). The choices come from `icd10pcs().next_choices(prefix)`, so only table-valid
codes can be built.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import re

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

if TYPE_CHECKING:  # annotations only: nothing more is imported at run time
    from workstation.codes.icd10pcs import ICD10PCS


class PcsBuilder(Vertical):
    """The axes chosen so far and the choices for the next one."""

    BINDINGS = [Binding("backspace", "back", "Back an axis")]

    class Changed(Message):
        """The prefix changed; `complete` when it is a full valid code."""

        def __init__(self, prefix: str, complete: bool) -> None:
            super().__init__()
            self.prefix = prefix
            self.complete = complete

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.book: ICD10PCS | None = None
        self.prefix = ""
        self.typed = ""  # small letters typed to find a choice by its label
        self.choices: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="pcs-axes")
        yield OptionList(id="pcs-choices", compact=True)

    def set_book(self, book: ICD10PCS) -> None:
        self.book = book
        self.set_prefix("")

    def set_prefix(self, prefix: str) -> None:
        self.prefix = prefix
        axes = self.book.decode(prefix) if (self.book and prefix) else []
        names = self.book.axis_names(prefix[0]) if (self.book and prefix) else ["Section"]
        head = Text()
        head.append(f"{prefix or '·'}{'·' * (7 - len(prefix))}\n", style="bold")
        for a in axes:
            head.append(f"{a.position} {a.name:<12} ", style="dim")
            head.append(f"{a.char} ", style="bold")
            head.append(f"{a.label}\n")
        choices = self.book.next_choices(prefix) if self.book else []
        self.choices = list(choices)
        self.typed = ""
        opts = self.query_one("#pcs-choices", OptionList)
        opts.clear_options()
        if len(prefix) < 7:
            name = names[len(prefix)] if len(prefix) < len(names) else f"Axis {len(prefix) + 1}"
            head.append(f"Choose {len(prefix) + 1}: {name}", style="bold reverse")
            head.append("   type the character, or letters of its label · Enter picks · Backspace back", style="dim")
            opts.add_options([Option(Text.assemble((ch, "bold"), f"  {label}"), id=ch) for ch, label in choices])
            if choices:
                opts.highlighted = 0
        else:
            head.append("Complete: d adds it as a procedure · Backspace back", style="bold reverse")
        self.query_one("#pcs-axes", Static).update(head)
        self.post_message(self.Changed(prefix, len(prefix) == 7 and bool(self.book and self.book.is_valid(prefix))))
        if self.is_attached:
            self.screen.refresh_bindings()  # the footer's mode: typing while building, keys once complete

    @on(OptionList.OptionSelected, "#pcs-choices")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id and len(self.prefix) < 7:
            self.set_prefix(self.prefix + event.option.id)

    def action_back(self) -> None:
        if self.typed:
            self.typed = self.typed[:-1]
            self._find_label()
        elif self.prefix:
            self.set_prefix(self.prefix[:-1])

    def focus_choices(self) -> None:
        self.screen.set_focus(self.query_one("#pcs-choices", OptionList))

    @property
    def building(self) -> bool:
        """True while a character is still to choose (keys then pick, as in a text box)."""
        return self.book is not None and len(self.prefix) < 7 and bool(self.choices)

    async def _on_key(self, event: events.Key) -> None:
        ch = event.character or ""
        if not self.building or len(ch) != 1 or event.key in ("enter", "tab", "escape", "backspace"):
            return
        if ch.isdigit() or ch.isupper():
            # A character of the axis: take it, or say it is not allowed here.
            event.stop()
            event.prevent_default()
            if any(c == ch for c, _ in self.choices):
                self.set_prefix(self.prefix + ch)
            else:
                self.notify(f"{ch} is not allowed after {self.prefix or 'the start'}", severity="warning")
            return
        if ch.isalpha() or (ch == " " and self.typed):
            event.stop()
            event.prevent_default()
            self.typed += ch
            self._find_label()

    def _find_label(self) -> None:
        """Highlight the choices whose label's words start with what was typed; take a single one."""
        opts = self.query_one("#pcs-choices", OptionList)
        hits = [i for i, (_, label) in enumerate(self.choices) if label_matches(label, self.typed)]
        if not self.typed:
            return
        if len(hits) == 1:
            self.set_prefix(self.prefix + self.choices[hits[0]][0])
        elif hits:
            opts.highlighted = hits[0]
        else:
            self.typed = self.typed[:-1]
            self.notify(f"no choice here starts with {self.typed + ' ' if self.typed else ''}…", severity="warning")


def label_matches(label: str, typed: str) -> bool:
    """Each typed word starts a word of the label, in order ("hip r" matches "Hip Joint, Right")."""
    words = re.findall(r"[a-z0-9]+", label.lower())
    parts = typed.lower().split()
    if not parts:
        return False
    i = 0
    for part in parts:
        while i < len(words) and not words[i].startswith(part):
            i += 1
        if i == len(words):
            return False
        i += 1
    return True
