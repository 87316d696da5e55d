"""The case pane: who, when, where, who pays, and the full documentation with search terms lit."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterable

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.message import Message
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Static

from workstation.ui.labels import ENCOUNTER_LABELS
from workstation.ui.text import clean_text

if TYPE_CHECKING:  # annotations only: nothing more is imported at run time
    from workstation.cases.model import Address, Case, Person

# Words too short or too common to be worth lighting up in the notes.
_STOP = {"and", "the", "with", "without", "for", "due", "not", "other", "unspecified", "of", "to", "in"}


def terms_of(*queries: str) -> list[str]:
    out: list[str] = []
    for q in queries:
        for w in re.findall(r"[A-Za-z0-9.]+", q or ""):
            w = w.strip(".").lower()
            if len(w) >= 3 and w not in _STOP and w not in out:
                out.append(w)
    return out


def _person(p: Person) -> str:
    name = f"{p.last}, {p.first}" + (f" {p.middle}" if p.middle else "")
    return f"{name} · {p.sex} · {p.dob or '—'}"


def _zip(z: str) -> str:
    return f"{z[:5]}-{z[5:]}" if len(z) == 9 and z.isdigit() else z


def _address(a: Address) -> str:
    if a is None or not (a.line1 or a.city):
        return ""
    return ", ".join(x for x in (a.line1, a.line2, a.city, f"{a.state} {_zip(a.zip)}".strip()) if x)


def header_text(case: Case) -> Text:
    """Demographics, encounter and coverage as a compact block."""
    e, cov, p = case.encounter, case.coverage, case.patient
    t = Text()
    t.append("Patient  ", style="bold")
    t.append(_person(p) + "\n")
    if addr := _address(p.address):
        t.append("         " + addr + "\n")
    t.append("Visit    ", style="bold")
    enc = ENCOUNTER_LABELS.get(e.type, e.type)
    t.append(f"{enc}  DOS {e.date_of_service}  POS {e.place_of_service}\n")
    if e.admit_date or e.discharge_date:
        t.append(f"         admitted {e.admit_date or '—'}  discharged {e.discharge_date or '—'}\n")
    prov = e.rendering_provider
    if prov and prov.name:
        t.append(f"         {prov.name}" + (f"  NPI {prov.npi}" if prov.npi else "") + "\n")
    if e.facility:
        t.append(f"         {e.facility}\n")
    if e.accident:
        t.append(f"         accident {e.accident} {e.accident_state}\n")
    t.append("Payer    ", style="bold")
    if cov.self_pay or not cov.payer_name:
        t.append("Self-pay\n")
    else:
        t.append(f"{cov.payer_name}" + (f" ({cov.payer_id})" if cov.payer_id else "") + "\n")
        t.append(f"         member {cov.member_id or '—'}" + (f"  group {cov.group_number}" if cov.group_number else "") + "\n")
        if cov.subscriber is not None and cov.relationship != "self":
            t.append(f"Insured  {_person(cov.subscriber)} ({cov.relationship})\n")
        else:
            t.append("Insured  patient is the subscriber\n")
        if cov.prior_authorization:
            t.append(f"         prior auth {cov.prior_authorization}\n")
    return clean_text(t)  # case text: no control characters reach the terminal


def evidence_offset(case: Case, doc: int) -> int:
    """Where document `doc`'s text starts in documentation_text's rendering."""
    at = 0
    for i, d in enumerate(case.documents):
        if i:
            at += 1
        meta = "  ".join(x for x in (d.date, d.author) if x)
        at += len(d.title) + (len(f"  {meta}") if meta else 0) + 1
        if i == doc:
            return at
        at += len(d.text.rstrip()) + 1
    return at


def documentation_text(case: Case, terms: Iterable[str]) -> tuple[Text, int]:
    """The documents, titles in bold, every term lit; also the number of hits."""
    t = Text()
    for i, d in enumerate(case.documents):
        if i:
            t.append("\n")
        meta = "  ".join(x for x in (d.date, d.author) if x)
        t.append(d.title, style="bold underline")
        if meta:
            t.append(f"  {meta}", style="dim")
        t.append("\n")
        t.append(d.text.rstrip() + "\n")
    if not case.documents:
        t.append("(no documentation)", style="dim")
    t = clean_text(t)  # case text: no control characters reach the terminal
    hits = 0
    for term in terms:
        hits += t.highlight_regex(re.compile(re.escape(term), re.IGNORECASE), style="reverse bold")
    return t, hits


class FindBox(Input):
    """The find-in-notes box. "/" typed into it while it is empty is the search key, not text:
    it asks for the code search instead (`SearchWanted`)."""

    class SearchWanted(Message):
        pass

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "slash" and not self.value:
            event.stop()
            event.prevent_default()
            self.post_message(self.SearchWanted())
            return
        await super()._on_key(event)


class CasePane(Vertical):
    """Header block, a find box and the scrolling documentation."""

    lit: str = ""

    def compose(self) -> ComposeResult:
        yield Static("", id="case-header")
        yield FindBox(placeholder="find in notes (f)", id="doc-find")
        with VerticalScroll(id="doc-scroll"):
            yield Static("", id="doc")

    def show_case(self, case: Case) -> None:
        self.case = case
        self.border_title = f"Case {case.case_id}"
        self.query_one("#case-header", Static).update(header_text(case))
        self.light([])

    @property
    def find_box(self) -> FindBox:
        return self.query_one("#doc-find", FindBox)

    def focus_find(self) -> None:
        self.screen.set_focus(self.find_box)

    @property
    def notes(self) -> VerticalScroll:
        return self.query_one("#doc-scroll", VerticalScroll)

    def focus_notes(self) -> None:
        self.screen.set_focus(self.notes)

    def clear_find(self) -> None:
        with self.find_box.prevent(Input.Changed):
            self.find_box.value = ""

    def light(self, terms: list[str]) -> int:
        case = getattr(self, "case", None)
        if case is None:
            return 0
        text, hits = documentation_text(case, terms)
        self.lit = ""   # the evidence lit by light_evidence, if any
        self.query_one("#doc", Static).update(text)
        self.border_subtitle = f"{hits} hit{'' if hits == 1 else 's'}: {' '.join(terms)}" if terms else ""
        return hits

    def light_evidence(self, doc: int, start: int, end: int) -> bool:
        """Light the words that support a suggestion (offsets into document `doc`'s text) and
        bring them into view; False when the span is not in the notes shown."""
        case = getattr(self, "case", None)
        if case is None or not 0 <= doc < len(case.documents):
            return False
        text, _ = documentation_text(case, [])
        at = evidence_offset(case, doc)
        words = case.documents[doc].text[start:end]
        plain = text.plain
        if plain[at + start:at + end] != clean_text(Text(words)).plain:
            found = plain.find(clean_text(Text(words)).plain, at)   # control characters were taken out
            if not words or found < 0:
                return False
            start, end, at = found - at, found - at + len(words), at
        text.stylize("reverse bold", at + start, at + end)
        self.lit = plain[at + start:at + end]
        self.query_one("#doc", Static).update(text)
        self.border_subtitle = "evidence: " + " ".join(words.split())[:60]
        # The notes wrap: count the screen lines above the evidence at the pane's width.
        width = max(self.query_one("#doc", Static).size.width, 20)
        above = plain[:at + start].split("\n")
        line = sum(max(1, -(-len(x) // width)) for x in above[:-1]) + len(above[-1]) // width
        self.query_one("#doc-scroll", VerticalScroll).scroll_to(y=max(0, line - 2), animate=False)
        return True

    def scroll_to_term(self, term: str) -> None:
        """Bring the first line holding the term into view."""
        case = getattr(self, "case", None)
        if not case or not term:
            return
        text, _ = documentation_text(case, [])
        for n, line in enumerate(text.plain.splitlines()):
            if term.lower() in line.lower():
                self.query_one("#doc-scroll", VerticalScroll).scroll_to(y=max(0, n - 2), animate=False)
                return
