"""The coding screen: the case, the codes and the claim side by side.

Three panes, each a widget with its own keys and messages (posting's `MainScreen` style):
`CasePane` (the documentation), `CodesPane` (search, the books, detail, history) and
`ClaimPane` (the CMS-1500 preview). The screen composes them, turns keys into store calls (in
order, on the store thread) and shows what the store then holds. Below 120 columns one pane
shows at a time and Tab moves between them.

Every key is declared once, in `BINDINGS`, with a short description (the footer) and a tooltip
(the help screen and the command palette are built from these).
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Static

from workstation.search.note_context import NoteContext
from workstation.session import undo as undo_history
from workstation.session.line_dates import default_line_date
from workstation.session.store import SessionStore
from workstation.session.work import CaseWork, ServiceLine
from workstation.ui import core
from workstation.ui.text import clean
from workstation.ui.screens.forms import (AnswerForm, ClaimNumberForm, Confirm, LineFields, LineForm, Picker, QueryForm,
                                         seventh_picker)
from workstation.ui.widgets.case_pane import CasePane, FindBox, terms_of
from workstation.ui.widgets.claim_preview import ClaimData, ClaimPane, Entry, gather
from workstation.ui.widgets.documentation_gaps import DocumentationGaps, drafted_values
from workstation.ui.widgets.drg_panel import DrgPanel
from workstation.ui.widgets.codes_pane import VIEWS, CodesPane, result_prompt  # noqa: F401 - result_prompt: old home
from workstation.ui.widgets.mode_footer import ModeFooter, typing

if TYPE_CHECKING:  # the suggestion engine loads only when `g` asks for it
    from textual import events
    from workstation.cases.model import Case
    from workstation.codes.lookup_result import LookupResult
    from workstation.suggest.suggest import Suggestion

T = TypeVar("T")

PANES = ("case-pane", "codes-pane", "claim-pane")
PANE_NAMES = ("Case", "Codes", "Claim")
_LINE_CODE = re.compile(r"^(?:[A-V]\d{4}|\d{4}[0-9FTU])$")
_CPT_CODE = re.compile(r"^\d{4}[0-9FTU]$")


def _key(key: str, action: str, description: str, tooltip: str, show: bool = True) -> Binding:
    return Binding(key, action, description, show=show, tooltip=tooltip)


class CodingScreen(Screen):
    AUTO_FOCUS = "#search"
    BINDINGS = [
        _key("escape", "back", "Worklist", "Leave a text box; else back to the worklist"),
        _key("slash", "focus_search", "Search", "Search codes (words, abbreviations or a code), what is typed selected; in Index/Drug/Neoplasm/External views: find a term"),
        _key("tab", "pane(1)", "Pane", "Next pane: Case → Codes → Claim (the claim on the entry last touched)"),
        _key("d", "add_dx", "Add dx/PCS", "Add the highlighted code: ICD-10-CM as a diagnosis (7th character asked for), PCS as a procedure"),
        _key("s", "add_line", "Service line", "Add a service line for the highlighted or typed HCPCS/CPT code (units, modifiers, pointers, charge)"),
        _key("x", "remove", "Remove", "Remove the diagnosis, procedure or line selected in the claim pane (u undoes)"),
        _key("u", "undo", "Undo", "Undo the last change to this case's coding (the last 30, kept in the store: they survive a restart)"),
        _key("left_square_bracket", "move(-1)", "Up", "Move the selected diagnosis up (towards first-listed; line pointers follow), or the selected line up"),
        _key("right_square_bracket", "move(1)", "Down", "Move the selected diagnosis or line down"),
        _key("l", "links", "Note links", "Codes named in the notes of the highlighted code: choose one to follow it"),
        _key("comma", "history(-1)", "Back", "Back to the previous code visited"),
        _key("full_stop", "history(1)", "Forward", "Forward again"),
        _key("n", "switch_case(1)", "Next case", "Next case in the worklist (as filtered), with an empty search"),
        _key("p", "switch_case(-1)", "Prev case", "Previous case in the worklist, with an empty search"),
        _key("q", "query", "Query", "Provider query (puts the case on hold); with queries open, record an answer"),
        _key("c", "mark_coded", "Coded", "Mark the case coded (asks first while edit errors remain)"),
        _key("e", "export", "Export", "Export claims: choose a format, read the summary, confirm to write"),
        _key("C", "print_copy", "CMS-1500 copy", "Print the CMS-1500 of this claim again, marked COPY (a claim already sent; nothing is re-sent)", show=False),
        _key("f", "find", "Find in notes", "Find words in the documentation (lit in the case pane)"),
        _key("r", "claim_number", "Payer claim no.", "Payer claim number of the claim sent before (box 22 / REF*F8), for a replacement claim"),
        _key("a", "audit", "Audit", "Audit trail of this case: when, who, what changed (read-only)"),
        _key("S", "app.settings", "Settings", "Practice settings: billing provider, NPI, payers, fee schedule"),
        _key("b", "notes_beside", "Notes beside", "Below 120 columns: the case notes beside the codes while searching, or not", show=False),
        _key("o", "poa", "POA", "Inpatient: cycle the selected diagnosis's present-on-admission indicator (Y, N, U, W, E exempt, none)"),
        _key("g", "suggestions", "Suggestions", "Codes suggested from the notes, with evidence and why: Enter/d accepts, x rejects (remembered)"),
        _key("ctrl+g", "suggestions_anywhere", "Suggestions", "The Suggestions list from anywhere, the search box too (g outside a text box)", show=False),
        _key("shift+tab", "pane(-1)", "Prev pane", "Previous pane", show=False),
        _key("down", "search_down", "To results", "From the search box down to the results", show=False),
        _key("ctrl+r", "retry_save", "Retry save", "Write changes the store kept in memory after a write error", show=False),
        _key("j", "cursor(1)", "Down", "Move down in a list or tree", show=False),
        _key("k", "cursor(-1)", "Up", "Move up in a list or tree", show=False),
        *[_key(v.key, f"view('{v.vid}')", f"{v.label} view", f"{v.label} view (outside a text box)", show=False) for v in VIEWS],
    ]
    HELP_EXTRA = [
        ("Enter", ("Search box with a code typed in full (E1122, J2506, 99223) that is the first row: code it as d / s would; "
                   "search result or tree: open it in the tabular / expand; a code at the end of a branch: add it; claim line: edit it")),
        ("A D S …", "7th-character chooser: type the character"),
        ("Backspace", "PCS builder: back one axis"),
        ("mouse", "Click a code in a note to follow it"),
    ]

    pane: reactive[int] = reactive(1, init=False)
    notes_beside: reactive[bool] = reactive(False, init=False)

    def __init__(self, case_id: str, order: Callable[[], list[str]] | None = None) -> None:
        super().__init__()
        self.case_id = case_id
        self.order = order  # the worklist's order of cases (as filtered), for n and p
        self.case: Case | None = None
        self.work_state: CaseWork | None = None
        self.claim: ClaimData | None = None
        self.save_state = ""
        self.touched: str | None = None  # the claim entry the last change touched

    # ------------------------------------------------------------ the panes

    @property
    def case_pane(self) -> CasePane:
        return self.query_one(CasePane)

    @property
    def codes(self) -> CodesPane:
        return self.query_one(CodesPane)

    @property
    def claim_pane(self) -> ClaimPane:
        return self.query_one(ClaimPane)

    @property
    def current(self) -> tuple[str, str] | None:
        """The code highlighted in the codes pane now: what d and s act on."""
        return self.codes.current

    @property
    def view(self) -> str:
        return self.codes.view

    @property
    def detail_data(self) -> LookupResult | None:
        return self.codes.detail_data

    def set_current(self, code: str, system: str) -> None:
        self.codes.set_current(code, system)

    def go_to(self, code: str, system: str = "icd10cm", record: bool = True) -> None:
        self.codes.go_to(code, system, record)

    # ------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Static("", id="title-bar")
        with Horizontal(id="panes"):
            yield CasePane(id="case-pane", classes="pane")
            yield CodesPane(id="codes-pane", classes="pane")
            yield ClaimPane(id="claim-pane", classes="pane")
        yield ModeFooter()

    def on_mount(self) -> None:
        # Documentation gaps (cdi/) live below the claim's edits, beside the DRG panel.
        self.claim_pane.add_section(DocumentationGaps(id="doc-gaps"))
        self._apply_pane()
        self.load_case()

    def _apply_pane(self) -> None:
        for i, pid in enumerate(PANES):
            self.query_one(f"#{pid}").set_class(i == self.pane, "-active")
        # Narrow screens: b keeps the notes beside the codes pane while searching.
        self.set_class(self.notes_beside, "-notes-beside")
        self.case_pane.set_class(self.pane == 1, "-beside")
        self._show_title()

    def watch_pane(self) -> None:
        self._apply_pane()

    def watch_notes_beside(self) -> None:
        self._apply_pane()

    def action_notes_beside(self) -> None:
        self.notes_beside = not self.notes_beside

    def _show_title(self) -> None:
        right = Text("  ")
        for i, name in enumerate(PANE_NAMES):
            right.append(f" {name} ", style="bold reverse" if i == self.pane else "dim")
        if self.save_state:
            right.append("  " + self.save_state, style="bold")
        bar = self.query_one("#title-bar", Static)
        t = Text()
        if self.case is not None:
            t.append(f" {self.case.case_id} ", style="bold reverse")
            width = bar.content_region.width  # 0 before the first layout: the whole title, fitted on resize
            t.append(self._case_title(width - t.cell_len - right.cell_len if width else None))
        else:
            t.append(f" {self.case_id} ", style="bold reverse")
        bar.update(t + right)

    def _case_title(self, room: int | None) -> str:
        """Patient, code year and status in `room` cells, so the pane markers and the save state
        after it always show: the code year is shortened first, then the patient's name cut, then
        left out, then only the fiscal year is kept."""
        assert self.case is not None
        p = self.case.patient
        status = (self.work_state.status if self.work_state else "").replace("_", " ")
        name = clean(f"{p.last}, {p.first}")
        # The code year, decided by Encounter.coding_date (inpatient: the discharge date).
        full = clean(f" {name} · {core.code_year_title(self.case.encounter)} · {status} ")
        if room is None or cell_len(full) <= room:
            return full
        short = clean(core.code_year_title(self.case.encounter, short=True))
        rest = f" · {short} · {status} "
        keep = room - cell_len(rest) - 1
        cut = Text(name)
        cut.truncate(max(keep, 0), overflow="ellipsis")
        year = short.split(" · ")[0]
        for title in (f" {name}{rest}", f" {cut.plain}{rest}" if keep > 1 else "", f" {short} · {status} ",
                      f" {year} ", f" {year.split(' (')[0]} "):
            if title and cell_len(title) <= room:
                return title
        return " "

    def on_resize(self) -> None:
        self._show_title()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # Keep the pane marker true when focus moves by mouse or by a widget's own keys.
        node = getattr(event, "widget", None) or self.focused
        while node is not None and node is not self:
            if node.id in PANES:
                if PANES.index(node.id) != self.pane:
                    self.pane = PANES.index(node.id)
                return
            node = node.parent

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """In a text box the letter keys type letters: the footer shows them dimmed."""
        if typing(self.focused) and action in _LETTER_ACTIONS:
            return None
        return True

    # ------------------------------------------------------------ loading

    @work(exclusive=True, group="case")
    async def load_case(self) -> None:
        store = self.app.store
        case = await self.app.store_call(store.case, self.case_id)
        work_state = await self.app.store_call(store.work, self.case_id)
        self.case, self.work_state = case, work_state
        self.codes.set_date(self.dos)
        self.codes.sex, self.codes.age = _patient_for_search(case)
        self.codes.note = NoteContext.of(d.text for d in case.documents)
        self.read_suggested(case)
        self.case_pane.show_case(case)
        self._light()
        self._show_title()
        await self.app.store_call(store.set_current_case, self.case_id)
        await self.refresh_claim()

    @work(thread=True, exclusive=True, group="suggested")
    def read_suggested(self, case: Any) -> None:
        """The codes suggested from the notes (suggest/), which rank first among equal search rows."""
        from workstation.suggest.suggest import suggest_case

        try:
            codes = [s.code for s in suggest_case(case).suggestions]
        except Exception:  # noqa: BLE001 - only a ranking hint: the search works without it
            return
        self.app.call_from_thread(self._suggested_read, case.case_id, codes)

    def _suggested_read(self, case_id: str, codes: list[str]) -> None:
        if case_id == self.case_id and self.case is not None:
            self.codes.note = NoteContext.of((d.text for d in self.case.documents), codes)

    async def refresh_claim(self) -> None:
        data = await self.app.store_call(gather, self.app.store, self.case, self.work_state)
        self.claim = data
        select, self.touched = self.touched, None
        self.claim_pane.show(data, select=select)
        self.claim_pane.query_one("#drg-panel", DrgPanel).compute(self.case, self.work_state)  # regroup in a worker
        self.query_one(DocumentationGaps).show(self.case, self.work_state)  # gaps found in a worker

    def on_documentation_gaps_gap_chosen(self, message: DocumentationGaps.GapChosen) -> None:
        """Enter on a gap: a query drafted from it, for the coder to check and send."""
        if message.case_id != self.case_id or self.case is None:
            return
        values, gap = drafted_values(self.case, self.work_state, message.gap)
        self.app.push_screen(QueryForm(f"Provider query · case {self.case_id}", values, gap=gap), self._query_entered)

    async def action_poa(self) -> None:
        """Inpatient: cycle the selected diagnosis's present-on-admission indicator (Y N U W E, none)."""
        from workstation.ui.widgets.drg_panel import next_poa

        key = self.claim_pane.selected_key() or ""
        if self.case is None or self.case.encounter.type != "inpatient" or not key.startswith("dx:"):
            self.notify("POA: select an inpatient diagnosis in the claim pane", severity="warning")
            return
        code = key[3:]
        store = self.app.store
        try:
            await self.app.store_call(store.set_poa, self.case_id, code, next_poa(self.work_state.poa_of(code)))
        except Exception as exc:  # noqa: BLE001 - shown to the coder, the case stays as it was
            self.notify(str(exc), severity="error")
            return
        self.work_state = await self.app.store_call(store.work, self.case_id)
        await self.refresh_claim()

    @property
    def dos(self) -> str | None:
        if self.case is None:
            return None
        return self.case.coding_date or None

    # ------------------------------------------------------------ what the panes say

    @on(CodesPane.SearchChanged)
    def _search_changed(self, event: CodesPane.SearchChanged) -> None:
        self._light()

    @on(CodesPane.CodeChosen)
    def _code_chosen(self, event: CodesPane.CodeChosen) -> None:
        self.set_current(event.code, event.system)  # the code Enter was pressed on, nothing later
        if event.system in ("hcpcs", "cpt"):
            self.call_after_refresh(self.action_add_line)  # a line code: HCPCS from a tree, CPT as typed
        else:
            self.call_after_refresh(self.action_add_dx)

    @on(ClaimPane.EntryChosen)
    def _entry_chosen(self, event: ClaimPane.EntryChosen) -> None:
        e = event.entry
        if e.kind == "line":
            self.edit_line(e.index)
        elif e.kind == "dx":
            self.go_to(e.code, "icd10cm")
        elif e.kind == "px":
            self.set_current(e.code, "icd10pcs")

    def _light(self) -> None:
        self.case_pane.light(terms_of(self.codes.query_text, self.case_pane.find_box.value))

    @on(Input.Changed, "#doc-find")
    def _find_changed(self, event: Input.Changed) -> None:
        self._light()
        words = terms_of(event.value)
        if words:
            self.case_pane.scroll_to_term(words[0])

    @on(Input.Submitted, "#doc-find")
    def _find_done(self) -> None:
        self.case_pane.focus_notes()

    @on(FindBox.SearchWanted)
    def _find_wants_search(self) -> None:
        self.action_focus_search()

    def follow(self, code: str) -> None:
        """A code clicked in a note (the @click action of a link)."""
        self.go_to(code, "icd10cm")

    def action_follow(self, code: str) -> None:
        self.follow(code)

    def action_links(self) -> None:
        links = self.codes.links()
        if not links:
            self.notify("No code links in these notes")
            return
        opts = [(l.code, Text.assemble((f"{l.text:<14}", "bold"), f" {l.label}")) for l in links]
        self.app.push_screen(Picker(f"Follow a code from the notes of {self.current[0] if self.current else ''}", opts), self._link_chosen)

    def _link_chosen(self, code: str | None) -> None:
        if code:
            self.go_to(code, "icd10cm")

    def action_history(self, delta: int) -> None:
        self.codes.step_history(delta)

    # ------------------------------------------------------------ views, panes and focus

    def action_view(self, view: str, focus: bool = True) -> None:
        self.codes.show_view(view, focus=focus)
        if self.pane != 1:
            self.pane = 1

    def pane_widget(self, i: int) -> Widget:
        if i == 0:
            return self.case_pane.notes
        if i == 1:
            return self.codes.view_widget()
        return self.claim_pane.entry_list

    def action_pane(self, delta: int) -> None:
        self.pane = (self.pane + delta) % len(PANES)
        self.set_focus(self.pane_widget(self.pane))

    def leave_text_box(self) -> None:
        """Out of a text box (or the PCS builder's typing) to the view below the search box."""
        if typing(self.focused):
            self.set_focus(self.codes.view_widget() if not isinstance(self.focused, Input) or
                           self.focused is self.codes.search_box else self.case_pane.notes)
            if typing(self.focused):  # the PCS builder still building: its view is the builder
                self.set_focus(self.codes.results)

    def action_search_down(self) -> None:
        """Down from the search box goes to the results (a list's own Down wins elsewhere)."""
        if not self.codes.down_from_search() and self.focused is not None and hasattr(self.focused, "scroll_down"):
            self.focused.scroll_down()

    def action_focus_search(self) -> None:
        self.pane = 1
        self.codes.focus_search()

    def action_find(self) -> None:
        self.pane = 0
        self.case_pane.focus_find()

    def action_cursor(self, delta: int) -> None:
        w = self.focused
        action = "action_cursor_down" if delta > 0 else "action_cursor_up"
        if w is not None and hasattr(w, action):
            getattr(w, action)()
        elif w is not None and hasattr(w, "scroll_down"):
            w.scroll_down() if delta > 0 else w.scroll_up()

    def action_back(self) -> None:
        """Esc: out of a text box first; from anywhere else back to the worklist."""
        if typing(self.focused) and not isinstance(self.focused, Input):
            self.codes.focus_search()  # out of the PCS builder's typing
            return
        if isinstance(self.focused, Input):
            if self.focused is self.codes.search_box:
                self.set_focus(self.codes.view_widget())
            else:
                self.case_pane.focus_notes()
            return
        self.app.pop_screen()

    # ------------------------------------------------------------ coding actions

    def _current_or_warn(self) -> tuple[str, str] | None:
        if self.current is None:
            typed = self.codes.query_text
            if typed:
                self.notify(f"Nothing is highlighted: no code matches {typed!r}", severity="warning")
            else:
                self.notify("Highlight a code first (search with / or browse a view)", severity="warning")
        return self.current

    def action_add_dx(self) -> None:
        cur = self._current_or_warn()
        if cur is None:
            return
        code, system = cur
        if system == "icd10pcs":
            self.save(f"procedure {code} added", lambda s: s.add_procedure(self.case_id, code), select=lambda c: f"px:{c}")
        elif system in ("hcpcs", "cpt"):
            self.action_add_line()
        elif (sev := _seventh_table(code, self.dos)) is not None:
            title, chars = sev
            self.app.push_screen(seventh_picker(code, title, chars), lambda ch: self._seventh_chosen(code, ch))
        else:
            self.save(f"{code} added", lambda s: s.assign_dx(self.case_id, code), select=lambda c: f"dx:{c}")

    def _seventh_chosen(self, code: str, char: str | None) -> None:
        if not char:
            return
        full = core.icd10cm(self.dos).with_seventh(code, char)
        self.save(f"{full} added", lambda s: s.assign_dx(self.case_id, full), select=lambda c: f"dx:{c}")
        self.set_current(full, "icd10cm")

    def _line_code(self) -> tuple[str | None, str]:
        """The code a new line is for, and a warning to show with it (or why there is none).

        The highlighted HCPCS/CPT code if there is one; else what is typed in the search box when
        it is an HCPCS or CPT code. Never a code an earlier search highlighted."""
        if self.current and self.current[1] in ("hcpcs", "cpt"):
            code = self.current[0]
            if self.current[1] == "cpt" and _CPT_CODE.match(code) and not core.cpt_loaded():
                return code, f"{code}: CPT not verified (no CPT licence file loaded); checked by format only"
            return code, ""
        as_typed = self.codes.query_text
        typed = as_typed.upper()
        if _LINE_CODE.match(typed):
            if _CPT_CODE.match(typed) and not core.cpt_loaded():
                return typed, f"{typed}: CPT not verified (no CPT licence file loaded); checked by format only"
            return typed, ""
        if self.current:
            return None, f"{self.current[0]} is not an HCPCS or CPT code: a service line needs one (highlight one, or type it)"
        if typed:
            return None, f"No HCPCS or CPT code matches {as_typed!r}: a service line needs one"
        return None, "A service line needs an HCPCS or CPT code: highlight one, or type it in the search box"

    def action_add_line(self, units: str = "1") -> None:
        code, why = self._line_code()
        if code is None:
            self.notify(why, severity="warning")
            return
        if why:
            self.notify(why, title="Not verified", severity="warning", timeout=8)
        n = len(self.work_state.diagnoses) if self.work_state else 0
        pointers = "ABCD"[: min(n, 4)] or ""
        day = default_line_date(self.case, code) if self.case is not None else ""
        self.app.push_screen(LineForm(f"Service line {code}", {"units": units, "pointers": pointers, "date": day}),
                             lambda f: self._line_entered(code, f))

    def _line_entered(self, code: str, fields: LineFields | None) -> None:
        if fields is None:
            return
        line = ServiceLine(code=code, modifiers=fields.modifiers, units=fields.units, charge=fields.charge,
                           pointers=fields.pointers, date=fields.date)
        reopen = lambda err: self.app.push_screen(  # noqa: E731 - the refused line, as typed
            LineForm(f"Service line {code}", fields.as_values(), error=err), lambda f: self._line_entered(code, f))
        self.save(f"line {code} added", lambda s: s.add_line(self.case_id, line), select=lambda i: f"line:{i}", on_error=reopen)

    def edit_line(self, index: int) -> None:
        if not self.work_state or index >= len(self.work_state.lines):
            return
        line = self.work_state.lines[index]
        values = {
            "units": f"{line.units:g}",
            "modifiers": " ".join(line.modifiers),
            "pointers": "".join(line.pointers),
            "charge": "" if line.charge is None else f"{line.charge:.2f}",
            "date": line.date or "",
        }
        self.app.push_screen(LineForm(f"Line {index + 1}: {line.code}", values), lambda f: self._line_edited(index, f))

    def _line_edited(self, index: int, fields: LineFields | None) -> None:
        if fields is None:
            return
        reopen = lambda err: self.app.push_screen(  # noqa: E731
            LineForm(f"Line {index + 1}", fields.as_values(), error=err), lambda f: self._line_edited(index, f))
        self.save(
            f"line {index + 1} saved",
            lambda s: s.update_line(self.case_id, index, units=fields.units, modifiers=fields.modifiers,
                                    pointers=fields.pointers, charge=fields.charge, date=fields.date),
            select=lambda _: f"line:{index}", on_error=reopen,
        )

    def _selected(self, why: str) -> Entry | None:
        entry = self.claim_pane.selected_entry()
        if entry is None:
            self.notify(why, severity="warning")
        return entry

    def action_remove(self) -> None:
        e = self._selected("Select a diagnosis or line in the claim pane (Tab) to remove")
        if e is None:
            return
        cid = self.case_id
        if e.kind == "dx":
            self.save(f"{e.code} removed", lambda s: s.remove_dx(cid, e.code))
        elif e.kind == "px":
            self.save(f"{e.code} removed", lambda s: s.remove_procedure(cid, e.code))
        elif e.kind == "line":
            self.save(f"line {e.index + 1} removed", lambda s: s.remove_line(cid, e.index))

    def action_move(self, delta: int) -> None:
        e = self._selected("Select a diagnosis or line in the claim pane to move it")
        if e is None or self.work_state is None:
            return
        cid, way = self.case_id, "up" if delta < 0 else "down"
        if e.kind == "dx":
            order = self.work_state.diagnoses
            i = order.index(e.code) if e.code in order else -1
            if 0 <= i and 0 <= i + delta < len(order):
                self.save(f"{e.code} moved {way}", lambda s: s.move_dx(cid, e.code, delta), select=lambda _: e.key)
        elif e.kind == "line":
            if 0 <= e.index + delta < len(self.work_state.lines):
                self.save(f"line {e.index + 1} moved {way}", lambda s: s.move_line(cid, e.index, delta),
                          select=lambda j: f"line:{j}")

    def action_undo(self) -> None:
        """u: the coding back as it was before the last change (the history is on the case's
        record in the store, session/undo.py: it survives closing the app)."""
        entry = undo_history.last(self.work_state) if self.work_state is not None else None
        if entry is None:
            self.notify("Nothing to undo in this case", severity="information")
            return
        cid = self.case_id
        self.save(f"undone: {entry.label}", lambda s: s.undo(cid), undoable=False)

    def action_mark_coded(self) -> None:
        errors = [e for e in (self.claim.edits if self.claim else []) if e[0] == "error"]
        cid = self.case_id
        mark = lambda: self.save("marked coded", lambda s: s.set_status(cid, "coded"), status_change=True)  # noqa: E731
        if errors:
            body = Text(f"{len(errors)} edit error(s) remain:\n" + "\n".join(f"✖ {t}: {m}" for _, t, m in errors[:6]))
            self.app.push_screen(Confirm("Mark coded anyway?", body), lambda ok: ok and mark())
        else:
            mark()

    def action_query(self) -> None:
        """q: a new provider query; with queries open, first a choice to record an answer."""
        open_queries = self.work_state.open_queries if self.work_state else []
        if not open_queries:
            self._new_query()
            return
        opts = [("new", Text("New query", style="bold"))]
        opts += [(q.query_id, Text.assemble((f"Answer {q.query_id}: ", "bold"), q.question)) for q in open_queries]
        opts += [(f"withdraw:{q.query_id}", Text.assemble((f"Withdraw {q.query_id}: ", "bold"), q.question)) for q in open_queries]
        self.app.push_screen(Picker("Provider queries", opts), self._query_choice)

    def _query_choice(self, choice: str | None) -> None:
        if choice == "new":
            self._new_query()
        elif choice and choice.startswith("withdraw:"):
            qid = choice.split(":", 1)[1]
            cid = self.case_id
            self.save(f"{qid} withdrawn", lambda s: s.withdraw_query(cid, qid), undoable=False)  # the core ends the hold
        elif choice:
            q = next(q for q in self.work_state.queries if q.query_id == choice)
            hint = "; ".join(q.options)
            self.app.push_screen(AnswerForm(f"{q.query_id}: {q.question}", {"answer": ""}, hint), lambda a: self._answered(q.query_id, a))

    def _answered(self, query_id: str, answer: str | None) -> None:
        if answer:  # the session core ends the hold with the last open query answered
            cid = self.case_id
            self.save(f"{query_id} answered", lambda s: s.answer_query(cid, query_id, answer), undoable=False)

    def _new_query(self) -> None:
        """A new query, drafted from the first documentation gap that calls for one (cdi/), if any."""
        values, gap = drafted_values(self.case, self.work_state)
        self.app.push_screen(QueryForm(f"Provider query · case {self.case_id}", values, gap=gap), self._query_entered)

    def _query_entered(self, data: dict[str, Any] | None) -> None:
        if data:
            values = {"question": data["question"], "indicators": " | ".join(data["indicators"].splitlines()),
                      "options": "; ".join(data["options"]), "yes_no": data["yes_no"]}
            reopen = lambda err: self.app.push_screen(  # noqa: E731
                QueryForm(f"Provider query · case {self.case_id}", values, error=err, gap=data["gap"]), self._query_entered)
            cid = self.case_id
            self.save("query sent: case on hold",  # checked, completed and held by the session core
                      lambda s: s.add_query(cid, data["question"], data["indicators"], data["options"],
                                            yes_no=data["yes_no"], gap=data["gap"]),
                      on_error=reopen, undoable=False)

    def action_claim_number(self) -> None:
        """r: the payer's number for the claim sent before, which a replacement claim must quote."""
        if self.work_state is None:
            return
        current = getattr(self.work_state, "payer_claim_number", "") or ""
        self.app.push_screen(ClaimNumberForm(f"Payer claim number · case {self.case_id}", {"number": current}), self._claim_number)

    def _claim_number(self, data: dict[str, str] | None) -> None:
        if data is None:
            return
        number = data["number"].strip()
        reopen = lambda err: self.app.push_screen(  # noqa: E731 - what was typed, and why it was refused
            ClaimNumberForm(f"Payer claim number · case {self.case_id}", {"number": number}, error=err), self._claim_number)
        cid = self.case_id
        self.save(f"payer claim number {'set' if number else 'cleared'}", lambda s: s.set_payer_claim_number(cid, number),
                  on_error=reopen, undoable=False)

    def action_audit(self) -> None:
        from workstation.ui.screens.audit import AuditScreen

        self.app.push_screen(AuditScreen(self.case_id))

    def action_retry_save(self) -> None:
        """After a write error the store keeps the change in memory: try writing it again."""
        self.save("pending changes written", lambda s: s.retry(), undoable=False)

    def action_print_copy(self) -> None:
        """C: asks first, as every key that writes a file does."""
        status = self.work_state.status if self.work_state else ""
        if status != "exported":
            self.notify(f"Case {self.case_id} is {status.replace('_', ' ') or 'not loaded'}: only a claim already sent "
                        "can be printed again as a copy", severity="warning")
            return
        body = Text(f"Write the CMS-1500 of case {self.case_id} (batch {self.work_state.export_batch}) again, marked COPY, "
                    "to exports/? Nothing is sent or marked.")
        self.app.push_screen(Confirm("Print a copy?", body), lambda ok: ok and self.print_copy())

    @work(group="export", exclusive=True)
    async def print_copy(self) -> None:
        from workstation.export.reprint import reprint_cms1500
        from workstation.ui.screens.export import export_dir

        store, cid = self.app.store, self.case_id
        try:
            path = await self.app.store_call(lambda: reprint_cms1500(store, cid, export_dir(store)))
        except Exception as exc:  # ExportError: why this case cannot be printed as a copy
            self.notify(str(exc), title="No copy printed", severity="warning", timeout=10)
            return
        self.notify(f"{path}\nCMS-1500 marked COPY (nothing sent or marked)", title="Copy printed", timeout=12)

    def action_export(self) -> None:
        from workstation.ui.screens.export import start_export

        start_export(self.app)

    def action_switch_case(self, delta: int) -> None:
        """n / p: the next or previous case of the worklist, starting clean: an empty search,
        nothing highlighted, no history (no code of this patient can reach the next one's claim)."""
        order = self.order() if self.order else []
        if self.case_id not in order or len(order) < 2:
            self.notify("No other case in the worklist", severity="warning")
            return
        nxt = order[(order.index(self.case_id) + delta) % len(order)]
        self.case_id = nxt
        self.case = None
        self.work_state = None
        self.save_state = ""
        self.touched = None
        self.codes.reset(None)
        self.case_pane.clear_find()
        self.claim_pane.show(ClaimData(problem="loading…"))
        # The new patient's notes first (read, then / to search); letters stay keys, so n / p go on.
        self.pane = 0
        self.case_pane.focus_notes()
        self.load_case()

    # issue 17: the Suggestions list (ui/screens/suggestions.py); accepting one adds it as d does.
    def action_suggestions(self) -> None:
        if self.case is None:
            return
        from workstation.ui.screens.suggestions import SuggestionsScreen

        w = self.work_state
        coded = (set(w.diagnoses) | set(w.procedures) | {ln.code for ln in w.lines}) if w else set()
        self.app.push_screen(SuggestionsScreen(self.case, coded, str(self.app.store.path), self._accept_suggestion,
                                               self._show_evidence))

    def _show_evidence(self, s: Suggestion | None) -> None:
        """The highlighted suggestion's words lit in the case pane (None: back to the search words)."""
        if s is None or not self.case_pane.light_evidence(s.doc, s.start, s.end):
            self._light()

    def action_suggestions_anywhere(self) -> None:
        self.action_suggestions()

    def _accept_suggestion(self, s: Suggestion) -> None:
        self.set_current(s.code, s.system)
        if s.system == "hcpcs":   # a drug's units from its dose (the line form shows them to confirm)
            self.action_add_line(str(s.units or 1))
        else:
            self.action_add_dx()

    # ------------------------------------------------------------ saving

    @work(group="save")
    async def save(self, done: str, change: Callable[[SessionStore], T], *, select: Callable[[T], str | None] | None = None,
                   undoable: bool = True, status_change: bool = False, then_status: str | None = None,
                   on_error: Callable[[str], Any] | None = None) -> None:
        """One store change: durable before "saved" shows; an error keeps the screen as it was.

        `change` runs on the store thread; `select` names the claim entry it touched (from what it
        returned), where the claim pane's selection goes. An undoable change first takes the
        case's coding as it was, in the same store call, for `u`."""
        store = self.app.store
        case_id = self.case_id

        def run(s: SessionStore) -> T:
            if undoable:  # recorded first: a crash between the two leaves an undo that restores what is there
                s.push_undo(case_id, done, status_change)
            try:
                result = change(s)
                if then_status:
                    s.set_status(case_id, then_status)
            except Exception:
                if undoable:
                    s.drop_undo(case_id)  # the change was refused: nothing to undo
                raise
            return result

        self.save_state = "saving…"
        self._show_title()
        try:
            result = await self.app.store_call(run, store)
        except Exception as exc:  # StoreError and CodingError carry a coder-readable message
            self.save_state = "not saved"
            self._show_title()
            if on_error is not None:
                on_error(str(exc))  # reopen the form with what was typed, and the reason
            else:
                self.notify(str(exc), title="Not saved", severity="error", timeout=8)
            return
        if case_id != self.case_id:
            return
        self.work_state = await self.app.store_call(store.work, case_id)
        n = len(self.work_state.undo)
        self.save_state = f"saved ✓ {done}" + (f"  (u undoes: {n})" if n else "")
        self.touched = select(result) if select is not None else None
        self._show_title()
        await self.refresh_claim()


# Actions bound to a printable key: inside a text box those keys type, so the footer dims them.
_LETTER_ACTIONS = {b.action for b in CodingScreen.BINDINGS if len(b.key) == 1 or b.key in (
    "slash", "comma", "full_stop", "left_square_bracket", "right_square_bracket")} - {"focus_search"}


def _seventh_table(code: str, date: str | None) -> tuple[str, list[tuple[str, str]]] | None:
    """(title, 7th characters) when the code is reportable only with a 7th character."""
    book = core.icd10cm(date)
    if not book.needs_seventh(code):
        return None
    table = book.seventh_characters(code)
    hit = book.get(code)
    return (hit.title if hit else code, table[1]) if table else None


def _patient_for_search(case: Case) -> tuple[str | None, int | None]:
    """Sex (F/M, else None) and age on the coding date, as the suggestions read them (issue 17)."""
    from workstation.suggest.suggest import patient_of

    p = patient_of(case)
    return (p.sex if p.sex in ("F", "M") else None), p.age
