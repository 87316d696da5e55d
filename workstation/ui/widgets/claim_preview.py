"""The claim pane: a CMS-1500 style preview of the claim as it stands, with the live edits.

Box 21 (diagnoses A-L, first-listed first) and box 24 (service lines) are an OptionList, so the
coder can select an entry to remove (x), resequence ([ ]) or edit (Enter); the blocks around
them are plain text. Edits are listed at the bottom and marked beside the entry they concern.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from workstation.billing.money import format_money, money as parse_money
from workstation.ui.text import plain

if TYPE_CHECKING:  # annotations only: nothing more is imported at run time
    from rich.console import RenderableType
    from workstation.billing.claim import Claim
    from workstation.billing.edits import Edit
    from workstation.cases.model import Case
    from workstation.session.store import SessionStore
    from workstation.session.work import CaseWork

LETTERS = "ABCDEFGHIJKL"
MARKS = {"error": "✖", "warning": "▲", "info": "·"}


@dataclass
class Entry:
    """One selectable row: a diagnosis, an inpatient procedure or a service line."""

    key: str  # "dx:E11.22", "px:0DTJ4ZZ", "line:0"
    label: str  # the letter or line number
    code: str
    text: str
    severity: str = ""  # worst edit on it

    @property
    def kind(self) -> str:
        """"dx", "px" or "line"."""
        return self.key.partition(":")[0]

    @property
    def ref(self) -> str:
        """The diagnosis or procedure code, or the line's index (0-based) as text."""
        return self.key.partition(":")[2]

    @property
    def index(self) -> int:
        return int(self.ref) if self.kind == "line" else -1


@dataclass
class ClaimData:
    """Everything the pane shows, gathered in a worker (titles looked up, claim built)."""

    head: RenderableType = field(default_factory=Text)
    entries: list[Entry] = field(default_factory=list)
    total: str = ""
    edits: list[tuple[str, str, str]] = field(default_factory=list)  # (severity, target, message)
    problem: str = ""
    status: str = ""
    queries: list[str] = field(default_factory=list)  # "Q1 open: question"
    verdict: str = ""  # billing.edits.Verdict.label: "clean", "not clean: ...", "NCCI not loaded ..."


def money(v: Decimal | float | None) -> str:
    return format_money(parse_money(v), none="—")


def _name(p: Any) -> str:
    if p is None:
        return "—"
    if isinstance(p, str):
        return p
    last, first = getattr(p, "last", ""), getattr(p, "first", "")
    if last or first:
        return f"{last}, {first}"
    return str(getattr(p, "name", "") or "—")


def claim_head(case: Case, claim: Claim | None) -> Table:
    """Patient (2), insured (4, 11), payer, provider (24J, 33) blocks: from the claim when built, else the case."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column(ratio=1)
    cov = case.coverage
    grid.add_row("2 Patient", plain(f"{_name(case.patient)} · {case.patient.sex} · {case.patient.dob}"))
    if cov.self_pay or not cov.payer_name:
        grid.add_row("4 Insured", plain("self-pay: a patient statement, no claim"))
    else:
        sub = cov.subscriber if cov.subscriber is not None else case.patient
        grid.add_row("4 Insured", plain(f"{_name(sub)} ({cov.relationship}) · ID {cov.member_id or '—'}"))
        grid.add_row("  Payer", plain(f"{cov.payer_name} · {cov.payer_id}"))
    prov = getattr(claim, "billing_provider", None)
    if prov is not None:
        grid.add_row("33 Billing", plain(f"{getattr(prov, 'name', '') or prov} · NPI {getattr(prov, 'npi', '')}"))
    rend = case.encounter.rendering_provider
    if rend and rend.name:
        grid.add_row("24J Render", plain(f"{rend.name} · NPI {rend.npi or '—'}"))
    grid.add_row("24B POS", plain(f"{case.encounter.place_of_service} · DOS {case.encounter.date_of_service}"))
    if str(getattr(claim, "frequency", "1")) == "7":
        # A replacement claim: box 22 carries code 7 and the payer's number of the claim it replaces.
        ref = getattr(claim, "payer_claim_number", "") or ""
        grid.add_row("22 Resub", Text.assemble("7 replacement · original ref ",
                                               (ref, "bold") if ref else ("missing: r sets it", "bold red")))
    return grid


def build_entries(work: CaseWork, titles: dict[str, str], claim: Claim | None, marks: dict[str, str], dos: str) -> list[Entry]:
    out: list[Entry] = []
    poa = getattr(work, "poa", None)  # inpatient: the POA key (o) sets it; None for outpatient work
    inpatient = getattr(claim, "encounter_type", "") == "inpatient"
    for i, code in enumerate(work.diagnoses):
        title = titles.get(code, "")
        if inpatient and poa is not None:
            title = f"POA {poa.get(code) or '—'} · {title}"
        out.append(Entry(f"dx:{code}", LETTERS[i] if i < len(LETTERS) else "+", code, title, marks.get(code, "")))
    for code in work.procedures:
        out.append(Entry(f"px:{code}", "PCS", code, titles.get(code, ""), marks.get(code, "")))
    claim_lines = list(getattr(claim, "lines", []) or [])
    for i, line in enumerate(work.lines):
        cl = claim_lines[i] if i < len(claim_lines) else None
        charge = getattr(cl, "charge", None) if cl is not None else line.charge
        mods = " ".join(line.modifiers)
        ptr = "".join(line.pointers) or "—"
        units = f"{line.units:g}" if isinstance(line.units, (int, float)) else str(line.units)
        text = f"{line.date or dos} · mod {mods or '—'} · ptr {ptr} · {units} unit{'' if units == '1' else 's'} · ${money(charge)}"
        sev = marks.get(f"line {i + 1}", "") or marks.get(str(i + 1), "") or marks.get(line.code, "")
        out.append(Entry(f"line:{i}", str(i + 1), line.code, text, sev))
    return out


def entry_prompt(e: Entry) -> Table:
    """Mark, letter or line number, code, then the title or line details with a hanging indent."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=1, no_wrap=True)
    grid.add_column(width=3, no_wrap=True, justify="right")
    grid.add_column(width=8, no_wrap=True)
    grid.add_column(ratio=1)
    style = {"error": "bold red", "warning": "bold yellow"}.get(e.severity, "")
    grid.add_row(Text(MARKS.get(e.severity, " "), style=style), Text(e.label, style="bold"), Text(e.code, style="bold"), Text(e.text))
    return grid


class ClaimPane(VerticalScroll):
    """Head blocks, the selectable box 21/24 list, totals and edits.

    The screen reads the selected entry (`selected_entry`), puts the selection on the entry a
    change touched (`show(data, select=key)`), and hears Enter as `EntryChosen`. Other areas add
    a section below the edits with `add_section` (DRG and POA, documentation gaps).
    """

    class EntryChosen(Message):
        def __init__(self, entry: Entry) -> None:
            super().__init__()
            self.entry = entry

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.entries: list[Entry] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="claim-head")
        from workstation.ui.widgets.drg_panel import DrgPanel  # issue 19: live MS-DRG (inpatient only)

        yield DrgPanel("", id="drg-panel")
        yield Static("21 Diagnoses A-L · 24 Service lines", id="claim-list-title", classes="section")
        yield OptionList(id="entries", compact=True)
        yield Static("", id="claim-foot")

    def on_mount(self) -> None:
        self.border_title = "Claim · CMS-1500"

    @property
    def entry_list(self) -> OptionList:
        return self.query_one("#entries", OptionList)

    def add_section(self, widget: Widget) -> None:
        """A section of another area's, below the edits."""
        self.mount(widget)

    def focus_entries(self) -> None:
        self.screen.set_focus(self.entry_list)

    def show(self, data: ClaimData, select: str | None = None) -> None:
        """Show the claim; the selection goes to `select` (the entry last touched) when given,
        else stays on the entry it was on."""
        self.query_one("#claim-head", Static).update(data.head)
        entries = self.entry_list
        keep = entries.highlighted
        keep_key = select
        if keep_key is None and keep is not None and keep < entries.option_count:
            keep_key = entries.get_option_at_index(keep).id
        entries.clear_options()
        self.entries = list(data.entries)
        if data.entries:
            entries.add_options([Option(entry_prompt(e), id=e.key) for e in data.entries])
            keys = [e.key for e in data.entries]
            entries.highlighted = keys.index(keep_key) if keep_key in keys else min(keep or 0, len(keys) - 1)
        else:
            entries.add_option(Option(Text("nothing coded yet: d adds a diagnosis, s a service line", style="dim"), disabled=True))
        foot = Text()
        foot.append("28 Total charge  ", style="bold")
        foot.append(data.total or "—")
        foot.append("\n")
        if data.problem:
            foot.append(data.problem + "\n", style="dim")
        parts: list[RenderableType] = [foot]
        if data.queries:
            parts.append(Text("Provider queries", style="bold"))
            parts.extend(Text(f"  {q}") for q in data.queries)
            parts.append(Text(""))
        if data.verdict and not data.problem:
            parts.append(Text(f"Claim: {data.verdict}", style="bold"))
        if data.edits:
            parts.append(Text(f"Edits ({len(data.edits)})", style="bold"))
            grid = Table.grid(padding=(0, 1))
            grid.add_column(width=1, no_wrap=True)
            grid.add_column(width=7, no_wrap=True)
            grid.add_column(ratio=1)
            for sev, target, msg in data.edits:
                style = {"error": "bold red", "warning": "bold yellow"}.get(sev, "")
                shown = msg if (not target or msg.startswith(target)) else f"{target}: {msg}"
                grid.add_row(Text(MARKS.get(sev, "·"), style=style), Text(sev, style=style), Text(shown))
            parts.append(grid)
        elif not data.problem and not data.verdict:
            parts.append(Text("No edits: the claim is clean.", style="bold"))
        self.query_one("#claim-foot", Static).update(Group(*parts))
        self.border_subtitle = data.status

    def selected_entry(self) -> Entry | None:
        entries = self.entry_list
        i = entries.highlighted
        if i is None or i >= entries.option_count:
            return None
        key = entries.get_option_at_index(i).id
        return next((e for e in self.entries if e.key == key), None)

    def selected_key(self) -> str | None:
        e = self.selected_entry()
        return e.key if e else None

    @on(OptionList.OptionSelected, "#entries")
    def _entry_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        entry = next((e for e in self.entries if e.key == event.option.id), None)
        if entry is not None:
            self.post_message(self.EntryChosen(entry))


# Edits the coder fixes with a key on the coding screen: the key, said beside the message.
EDIT_KEYS = {"work.payer_claim_number": "press r to enter the payer claim number"}


def ui_message(edit: Edit) -> str:
    msg = str(edit.message)
    hint = EDIT_KEYS.get(str(getattr(edit, "target", "")))
    return f"{msg} [{hint}]" if hint else msg


def gather(store: SessionStore, case: Case, work: CaseWork) -> ClaimData:
    """Build the claim, scrub it and look up the titles (runs on the store thread)."""
    from workstation.ui import core

    view = core.claim_view(store, case, work)
    dos = case.coding_date
    titles = {c: core.title_of(c, "icd10cm", dos) for c in work.diagnoses}
    titles.update({c: core.title_of(c, "icd10pcs", dos) for c in work.procedures})
    marks = core.edit_targets(view.edits)
    data = ClaimData(
        head=claim_head(case, view.claim),
        entries=build_entries(work, titles, view.claim, marks, case.encounter.date_of_service),
        total=money(getattr(view.claim, "total_charge", None)) if view.claim is not None else "",
        edits=[(str(e.severity), str(e.target), ui_message(e)) for e in view.edits],
        problem=view.problem,
    )
    if view.claim is not None and not view.problem:
        from workstation.billing.edits import claim_verdict

        data.verdict = claim_verdict(view.edits, view.claim).label
    data.queries = [
        f"{q.query_id} {q.status}: {q.question}" + (f" → {q.answer}" if q.answer else "") for q in work.queries
    ]
    if len(work.diagnoses) > 12:
        data.problem = (data.problem + "\n" if data.problem else "") + f"{len(work.diagnoses) - 12} diagnoses past L cannot go on the claim"
    return data
