"""The detail panel: title, billable or header, every note with its origin, codes as links."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.style import Style
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from workstation.ui.core import SYSTEM_LABELS

if TYPE_CHECKING:  # annotations only: nothing more is imported at run time
    from rich.console import RenderableType
    from workstation.codes.lookup_result import LookupNote, LookupResult


@dataclass(frozen=True)
class Link:
    """A code named in a note, ready to follow."""

    code: str  # where following goes: the start of a range, without a trailing dash
    text: str  # as printed: "N18.1-N18.6", "E11.-"
    label: str  # the note kind it sits in


def links_of(detail: LookupResult) -> list[Link]:
    out: list[Link] = []
    seen: set[str] = set()
    for n in detail.get("notes") or []:
        for r in n.get("refs") or []:
            if r["text"] not in seen:
                seen.add(r["text"])
                out.append(Link(r["start"], r["text"], n.get("label", n.get("kind", ""))))
    return out


def _link_style(code: str) -> Style:
    return Style(underline=True, bold=True, meta={"@click": f"screen.follow({code!r})"})


def _note_text(n: LookupNote) -> Text:
    """A note's text with every code in it as a link."""
    t = Text()
    text = n.get("text", "")
    pos = 0
    for r in n.get("refs") or []:
        i = text.find(r["text"], pos)
        if i < 0:
            continue
        t.append(text[pos:i])
        t.append(r["text"], style=_link_style(r["start"]))
        pos = i + len(r["text"])
    t.append(text[pos:])
    return t


def _notes_block(notes: list[LookupNote]) -> Group:
    """Notes grouped under one heading per (kind, origin), nearest level first, with hanging bullets."""
    parts: list[RenderableType] = []
    grid: Table | None = None
    last: tuple[str, str] | None = None
    for n in notes:
        head = (str(n.get("label", n.get("kind", ""))), str(n.get("origin", "")))
        if head != last:
            title = Text("\n" if last is not None else "")
            title.append(head[0], style="bold")
            if head[1]:
                title.append(f"  at {head[1]}", style="dim")
            parts.append(title)
            grid = Table.grid(padding=(0, 0))
            grid.add_column(width=4, no_wrap=True)
            grid.add_column(ratio=1)
            parts.append(grid)
            last = head
        assert grid is not None
        grid.add_row(Text("  • "), _note_text(n))
    return Group(*parts)


def render_detail(detail: LookupResult | None, code: str = "") -> RenderableType:
    if not detail:
        return Text(f"{code}: not found in the code books" if code else "Highlight a code to see its notes.", style="dim")
    t = Text()
    t.append(detail["code"], style="bold")
    t.append(f"  {SYSTEM_LABELS.get(detail.get('system', ''), detail.get('system', ''))}", style="dim")
    if detail.get("release"):
        t.append(f" {detail['release']}", style="dim")
    t.append("\n")
    t.append(str(detail.get("title") or detail.get("long") or detail.get("description") or "") + "\n")
    level = detail.get("level")
    if detail.get("billable"):
        t.append("✔ billable", style="bold")
    elif detail.get("needs_seventh"):
        t.append("needs a 7th character: d (or Enter in a tree) chooses it", style="bold reverse")
    elif level in ("chapter", "block"):
        t.append(f"{level}: not a code", style="bold")
    elif level == "partial":
        t.append("incomplete: keep choosing axes", style="bold")
    else:
        t.append("header: not billable — pick a code below it", style="bold reverse")
    t.append("\n")
    prov = detail.get("provenance")
    if prov:  # a code the FY update changed, in a provisional book (issue 13)
        t.append(f"{detail.get('release', '')} change: {prov['change']}\n", style="bold")
        t.append(f"{prov['missing']}\n", style="dim")
    path = [p for p in detail.get("path") or [] if p["code"] != detail["code"]]
    if path:
        t.append(" › ".join(p["code"] for p in path) + "\n", style="dim")
    for axis in detail.get("axes") or []:
        if isinstance(axis, dict):
            t.append(f"{axis.get('position', '')} {axis.get('name', ''):<12} ", style="dim")
            t.append(f"{axis.get('char', axis.get('value', ''))} ", style="bold")
            t.append(f"{axis.get('label', '')}\n")
        else:
            t.append(" ".join(str(x) for x in axis) + "\n")
    for d in detail.get("definitions") or []:
        if not d.get("definition"):
            continue
        t.append(f"\n{d.get('name', '')}: {d.get('term', '')}\n", style="bold")
        t.append(f"  {d['definition']}\n")
    seventh = detail.get("seventh")
    if seventh:
        t.append(f"\n7th character ({seventh['origin']})\n", style="bold")
        incl = seventh.get("inclusions") or {}
        for ch, meaning in seventh["chars"]:
            t.append(f"  {ch}  {meaning}\n")
            for term in incl.get(ch, []):
                t.append(f"       {term}\n", style="dim")
    notes = [n for n in detail.get("notes") or [] if n.get("kind") not in ("seventh_char",)]
    parts: list[RenderableType] = [t]
    if notes:
        parts.append(Text(""))
        parts.append(_notes_block(notes))
    kids = detail.get("children") or []
    t = Text()
    parts.append(t)
    if kids and not seventh:
        t.append(f"\nBelow ({len(kids)})\n", style="bold")
        for k in kids[:12]:
            t.append("  ")
            t.append(k["code"], style=_link_style(k["code"]))
            t.append(f" {k['title']}\n")
        if len(kids) > 12:
            t.append(f"  … {len(kids) - 12} more in the tree\n", style="dim")
    return Group(*parts)


class CodeDetail(VerticalScroll):
    """Scrollable; shows one code at a time."""

    def compose(self):
        yield Static(render_detail(None), id="detail-body")

    def show(self, detail: LookupResult | None, code: str = "") -> None:
        self.detail = detail
        self.query_one("#detail-body", Static).update(render_detail(detail, code))
        self.scroll_home(animate=False)
