"""ICD-10-PCS builder: pick one axis at a time from what the tables allow, to a valid code.

Enter takes the highlighted character; Backspace steps back one axis. The choices come from
`icd10pcs().next_choices(prefix)`, so only table-valid codes can be built.
"""
from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option


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
        self.book: Any = None
        self.prefix = ""

    def compose(self) -> ComposeResult:
        yield Static("", id="pcs-axes")
        yield OptionList(id="pcs-choices", compact=True)

    def set_book(self, book: Any) -> None:
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
        opts = self.query_one("#pcs-choices", OptionList)
        opts.clear_options()
        if len(prefix) < 7:
            name = names[len(prefix)] if len(prefix) < len(names) else f"Axis {len(prefix) + 1}"
            head.append(f"Choose {len(prefix) + 1}: {name}", style="bold reverse")
            head.append("   Enter picks · Backspace back", style="dim")
            opts.add_options([Option(Text.assemble((ch, "bold"), f"  {label}"), id=ch) for ch, label in choices])
            if choices:
                opts.highlighted = 0
        else:
            head.append("Complete: d adds it as a procedure · Backspace back", style="bold reverse")
        self.query_one("#pcs-axes", Static).update(head)
        self.post_message(self.Changed(prefix, len(prefix) == 7 and bool(self.book and self.book.is_valid(prefix))))

    @on(OptionList.OptionSelected, "#pcs-choices")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id and len(self.prefix) < 7:
            self.set_prefix(self.prefix + event.option.id)

    def action_back(self) -> None:
        if self.prefix:
            self.set_prefix(self.prefix[:-1])

    def focus_choices(self) -> None:
        self.screen.set_focus(self.query_one("#pcs-choices", OptionList))
