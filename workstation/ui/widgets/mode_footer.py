"""The footer, with the keyboard's mode first: typing in a box, or keys that act.

Outside a text box letters are commands (d adds, s a line, 1-8 views); inside one they are text.
The coder should never have to guess which: the first cell of the footer says it.
"""
from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer, Input, Static


def typing(widget: object) -> bool:
    """In a text box, or in the PCS builder's choices while a character is still to pick
    (there the keys pick characters and find labels)."""
    if isinstance(widget, Input):
        return True
    from workstation.ui.widgets.pcs_builder import PcsBuilder

    parent = getattr(widget, "parent", None)
    return isinstance(parent, PcsBuilder) and parent.building


class ModeFooter(Footer):
    """Footer with a mode cell: "TYPING · Esc" in a text box (Esc leaves it), "KEYS" elsewhere."""

    def compose(self) -> ComposeResult:
        if typing(self.screen.focused):
            yield Static(" TYPING · Esc ", id="mode", classes="-typing")
        else:
            yield Static(" KEYS ", id="mode", classes="-keys")
        yield from super().compose()
