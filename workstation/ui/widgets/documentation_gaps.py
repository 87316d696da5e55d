"""The "Documentation" list: a case's documentation gaps (cdi/gaps.py), to sit beside the claim edits.

    gaps = DocumentationGaps(id="doc-gaps")      # compose it into a screen
    gaps.show(case, work)                        # recomputes in a worker; call after every save

Each row is one gap: ? a query to send, ✎ a coding fix the record already supports, with the code
and the words of the record it concerns. Enter on a row posts `DocumentationGaps.GapChosen`; the
host screen decides what to do (draft a query from it, or open the suggested code).
"""
from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from workstation.cases.model import Case
from workstation.cdi.gaps import Gap, answered, find_gaps
from workstation.session.work import CaseWork


def gap_label(gap: Gap, queried: bool = False) -> Text:
    mark, style = ("?", "bold yellow") if gap.action == "query" else ("✎", "bold cyan")
    t = Text.assemble((f"{mark} ", style), (f"{gap.code or gap.topic:<9} ", "bold"), gap.message)
    if gap.evidence:
        t.append(f"\n    {gap.evidence[0]}", style="dim")
    if queried:
        t.append("  (queried)", style="green")
    return t


class DocumentationGaps(OptionList):
    """Documentation gaps of the case shown; Enter posts GapChosen."""

    BINDINGS = [Binding("enter", "select", "Use gap")]

    @dataclass
    class GapChosen(Message):
        gap: Gap
        case_id: str

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.gaps: list[Gap] = []
        self.case_id = ""
        self.border_title = "Documentation"

    def show(self, case: Case, work: CaseWork) -> None:
        self.case_id = case.case_id
        self._compute(case, work)

    @work(thread=True, exclusive=True, group="documentation-gaps")
    def _compute(self, case: Case, work: CaseWork) -> None:
        gaps = find_gaps(case, work)
        self.app.call_from_thread(self._fill, case.case_id, gaps, answered(work))

    def _fill(self, case_id: str, gaps: list[Gap], asked: set[str]) -> None:
        if case_id != self.case_id:
            return
        self.gaps = gaps
        self.clear_options()
        if not gaps:
            self.add_option(Option(Text("No documentation gap found", style="dim"), disabled=True))
        for i, g in enumerate(gaps):
            self.add_option(Option(gap_label(g, g.key in asked), id=str(i)))
        queries = sum(1 for g in gaps if g.action == "query")
        self.border_subtitle = f"{queries} to query · {len(gaps) - queries} to fix" if gaps else ""

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.GapChosen(self.gaps[int(event.option.id)], self.case_id))


def drafted_values(case: Case | None, work: CaseWork | None, gap: Gap | None = None) -> tuple[dict[str, str], str]:
    """QueryForm values drafted from `gap` (say, the one chosen in the Documentation list) or else
    the case's first gap that calls for a query and has none yet ({} and "" when there is none),
    and that gap's key."""
    from workstation.cdi.queries import draft

    if case is None or work is None:
        return {}, ""
    if gap is None:
        asked = answered(work)
        gap = next((g for g in find_gaps(case, work) if g.action == "query" and g.key not in asked), None)
    if gap is None or gap.action != "query":
        return {}, ""
    d = draft(case, gap)
    return {"question": d.question, "indicators": " | ".join(d.indicators.splitlines()),
            "options": "; ".join(d.options)}, gap.key
