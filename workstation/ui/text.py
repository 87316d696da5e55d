"""Text from a case is data, never markup: one place to make it safe for Rich, Textual and the terminal.

Names, payer names, notes and documentation come from imported files. Rich and Textual parse
plain strings as console markup (`Smith[/]` raises a MarkupError, `[bold red]Jones[/]` renders
styled), and a terminal obeys escape sequences. So every text from a case reaches a widget as a
`rich.text.Text` built from `clean(...)` (never parsed), or, where a widget only takes a markup
string, as `safe(...)`.
"""
from __future__ import annotations

import re

from rich.markup import escape
from rich.text import Text

# C0 and C1 controls (ESC starts terminal escape sequences), DEL, and the bidirectional and
# zero-width format characters that can make a name display as something else.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_LINE_BREAKS = re.compile(r"[\t\n\r]+")


def clean(value: object, lines: bool = False) -> str:
    """VALUE as plain text with no control characters; one line unless `lines` (documentation)."""
    text = "" if value is None else str(value)
    if lines:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    else:
        text = _LINE_BREAKS.sub(" ", text)
    return _CONTROLS.sub("", text)


def plain(value: object, style: str = "", lines: bool = False) -> Text:
    """A Text that shows VALUE literally (brackets and all), without control characters."""
    return Text(clean(value, lines), style=style)


def safe(value: object, lines: bool = False) -> str:
    """VALUE for a place that parses markup (a notification, a Static given a str)."""
    return escape(clean(value, lines))


def clean_text(t: Text) -> Text:
    """T with control characters removed from its text, styles kept (for Text built by appending
    case strings: appending never parses markup, but passes escape sequences through)."""
    if not _CONTROLS.search(t.plain):
        return t
    cuts = sorted({o for s in t.spans for o in (s.start, s.end) if 0 < o < len(t.plain)})
    out = Text(style=t.style, justify=t.justify, no_wrap=t.no_wrap, overflow=t.overflow, end=t.end)
    for part in t.divide(cuts):
        piece = Text(clean(part.plain, lines=True))
        for span in part.spans:
            if span.end > span.start:
                piece.stylize(span.style, 0, len(piece))
        out.append_text(piece)
    return out
