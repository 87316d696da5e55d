"""The coding screen: the case, the codes and the claim side by side.

Keys become store calls (in order, on the store thread); after each call the work is read back
and the claim rebuilt, so what the claim pane shows is always what is stored. Below 120
columns one pane shows at a time and Tab moves between them.
"""
from __future__ import annotations

import re
import time
from typing import Any, Callable

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Footer, Input, OptionList, Static, Tree
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from workstation.ui import core
from workstation.ui.text import clean
from workstation.ui.screens.forms import (AnswerForm, ClaimNumberForm, Confirm, LineFields, LineForm, Picker, QueryForm,
                                         seventh_picker)
from workstation.ui.widgets.case_pane import CasePane, terms_of
from workstation.ui.widgets.claim_preview import ClaimData, ClaimPane, gather
from workstation.ui.widgets.code_detail import CodeDetail, links_of
from workstation.ui.widgets.code_tree import CodeTree, NodeData, TreeSource, icd10cm_source
from workstation.ui.widgets.pcs_builder import PcsBuilder
from workstation.ui.widgets import trees

PANES = ("case-pane", "codes-pane", "claim-pane")
PANE_NAMES = ("Case", "Codes", "Claim")
# view id, key, label
VIEWS = (
    ("results", "1", "Search"),
    ("tabular", "2", "Tabular"),
    ("index", "3", "Index"),
    ("drugs", "4", "Drugs"),
    ("neoplasm", "5", "Neoplasm"),
    ("pcs", "6", "PCS"),
    ("hcpcs", "7", "HCPCS"),
)
_LINE_CODE = re.compile(r"^(?:[A-V]\d{4}|\d{4}[0-9FTU])$")


def result_prompt(r: core.Result) -> Table:
    """Code in a fixed column, title beside it with a hanging indent, and what matched below."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=8, no_wrap=True)
    grid.add_column(ratio=1)
    body = Text(r.title)
    if not r.billable:
        body.append(f"  {r.kind}", style="dim italic")
    grid.add_row(Text(r.code, style="bold" if r.billable else "bold dim"), body)
    if r.via and r.via not in ("title", "code"):
        grid.add_row("", Text(r.via, style="dim italic", no_wrap=True, overflow="ellipsis"))
    return grid


class CodingScreen(Screen):
    AUTO_FOCUS = "#search"
    BINDINGS = [
        Binding("escape", "back", "Worklist"),
        Binding("slash", "focus_search", "Search"),
        Binding("tab", "pane(1)", "Pane"),
        Binding("d", "add_dx", "Add dx/PCS"),
        Binding("s", "add_line", "Service line"),
        Binding("x", "remove", "Remove"),
        Binding("left_square_bracket", "move(-1)", "Up"),
        Binding("right_square_bracket", "move(1)", "Down"),
        Binding("l", "links", "Note links"),
        Binding("comma", "history(-1)", "Back"),
        Binding("full_stop", "history(1)", "Forward"),
        Binding("n", "switch_case(1)", "Next case"),
        Binding("p", "switch_case(-1)", "Prev case"),
        Binding("q", "query", "Query"),
        Binding("c", "mark_coded", "Coded"),
        Binding("e", "export", "Export"),
        Binding("f", "find", "Find in notes"),
        Binding("r", "claim_number", "Payer claim no."),
        Binding("o", "poa", "POA"),
        Binding("a", "audit", "Audit"),
        Binding("g", "suggestions", "Suggestions"),  # issue 17: codes read from the notes
        Binding("S", "app.settings", "Settings"),
        Binding("shift+tab", "pane(-1)", "Prev pane", show=False),
        Binding("down", "search_down", "From the search box to the results", show=False),
        Binding("ctrl+r", "retry_save", "Retry a failed save", show=False),
        Binding("j", "cursor(1)", "Down", show=False),
        Binding("k", "cursor(-1)", "Up", show=False),
        *[Binding(key, f"view('{vid}')", f"{label} view", show=False) for vid, key, label in VIEWS],
    ]
    HELP_DESCRIPTIONS = {
        "back": "Leave a text box; else back to the worklist",
        "focus_search": "Search codes (words, abbreviations or a code); in Index/Drug/Neoplasm views: find a term",
        "pane(1)": "Next pane: Case → Codes → Claim",
        "add_dx": "Add the highlighted code: ICD-10-CM as a diagnosis (7th character asked for), PCS as a procedure",
        "add_line": "Add a service line for the highlighted or typed HCPCS/CPT code (units, modifiers, pointers, charge)",
        "remove": "Remove the diagnosis, procedure or line selected in the claim pane",
        "move(-1)": "Move the selected diagnosis up (towards first-listed); line pointers follow",
        "move(1)": "Move the selected diagnosis down",
        "links": "Codes named in the notes of the highlighted code: choose one to follow it",
        "history(-1)": "Back to the previous code visited",
        "history(1)": "Forward again",
        "switch_case(1)": "Next case in the worklist (as filtered)",
        "switch_case(-1)": "Previous case",
        "query": "Provider query (puts the case on hold); with queries open, record an answer",
        "mark_coded": "Mark the case coded (asks first while edit errors remain)",
        "export": "Export: choose a format, read the summary, confirm to write",
        "find": "Find words in the documentation (lit in the case pane)",
        "retry_save": "Write changes the store kept in memory after a write error",
        "claim_number": "Payer claim number of the claim sent before (box 22 / REF*F8), for a replacement claim",
        "poa": "Inpatient: cycle the selected diagnosis's present-on-admission indicator (Y, N, U, W, E exempt, none)",
        "audit": "Audit trail of this case: when, who, what changed (read-only)",
        "suggestions": "Codes suggested from the notes, with evidence and why: Enter/d accepts, x rejects (remembered)",
        "app.settings": "Practice settings: billing provider, NPI, payers, fee schedule",
    }
    HELP_EXTRA = [
        ("Tab / Shift+Tab", "Next / previous pane (one pane at a time below 120 columns)"),
        ("↑ ↓ / j k", "Move in a list or tree"),
        ("Enter", "Search result or tree: open it in the tabular / expand; claim line: edit it"),
        ("1-7", "Views: 1 search results, 2 ICD-10-CM tabular, 3 Alphabetic Index, 4 Drug table, 5 Neoplasm table, 6 ICD-10-PCS builder, 7 HCPCS"),
        ("Backspace", "PCS builder: back one axis"),
        ("mouse", "Click a code in a note to follow it"),
    ]

    pane: reactive[int] = reactive(1, init=False)

    def __init__(self, case_id: str) -> None:
        super().__init__()
        self.case_id = case_id
        self.case: Any = None
        self.work_state: Any = None
        self.claim: ClaimData | None = None
        self.current: tuple[str, str] | None = None  # (code, system) in the detail panel
        self.detail_data: dict[str, Any] | None = None
        self.history: list[tuple[str, str]] = []
        self.hpos = -1
        self.view = "results"
        self.loaded_views: set[str] = set()
        self.save_state = ""
        self.searching = False

    # ------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Static("", id="title-bar")
        with Horizontal(id="panes"):
            yield CasePane(id="case-pane", classes="pane")
            with Vertical(id="codes-pane", classes="pane"):
                yield Input(placeholder="/ search codes: words, abbreviations or a code", id="search", compact=True)
                yield Static("", id="view-bar")
                with ContentSwitcher(id="views", initial="results"):
                    yield OptionList(id="results")
                    yield CodeTree(id="tabular")
                    yield CodeTree(id="index")
                    yield CodeTree(id="drugs")
                    yield CodeTree(id="neoplasm")
                    yield PcsBuilder(id="pcs")
                    yield CodeTree(id="hcpcs")
                yield CodeDetail(id="detail")
            yield ClaimPane(id="claim-pane", classes="pane")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#codes-pane").border_title = "Codes"
        self.query_one("#claim-pane").border_title = "Claim · CMS-1500"
        self.query_one("#detail").border_title = "Detail"
        self.query_one("#results", OptionList).add_option(Option(Text("Type in the search box (/) or switch view: 2 tabular, 3 index, 6 PCS, 7 HCPCS", style="dim"), disabled=True))
        self._show_view_bar()
        self._apply_pane()
        self.load_case()
        self.load_tabular()

    def _apply_pane(self) -> None:
        for i, pid in enumerate(PANES):
            self.query_one(f"#{pid}").set_class(i == self.pane, "-active")
        self._show_title()

    def watch_pane(self) -> None:
        self._apply_pane()

    def _show_title(self) -> None:
        t = Text()
        if self.case is not None:
            p = self.case.patient
            status = self.work_state.status if self.work_state else ""
            t.append(f" {self.case.case_id} ", style="bold reverse")
            t.append(clean(f" {p.last}, {p.first} · {self.case.encounter.date_of_service} · {status.replace('_', ' ')} "))
        else:
            t.append(f" {self.case_id} ", style="bold reverse")
        t.append("  ")
        for i, name in enumerate(PANE_NAMES):
            t.append(f" {name} ", style="bold reverse" if i == self.pane else "dim")
        if self.save_state:
            t.append("  " + self.save_state, style="bold")
        self.query_one("#title-bar", Static).update(t)

    def _show_view_bar(self) -> None:
        t = Text()
        for vid, key, label in VIEWS:
            t.append(f"{key} {label}", style="bold reverse" if vid == self.view else "dim")
            t.append(" ")
        if self.searching:
            t.append(" searching…", style="italic")
        self.query_one("#view-bar", Static).update(t)

    def on_descendant_focus(self, event: Any) -> None:
        # Keep the pane marker true when focus moves by mouse or by a widget's own keys.
        node = getattr(event, "widget", None) or self.focused
        while node is not None and node is not self:
            if node.id in PANES:
                if PANES.index(node.id) != self.pane:
                    self.pane = PANES.index(node.id)
                return
            node = node.parent

    # ------------------------------------------------------------ loading

    @work(exclusive=True, group="case")
    async def load_case(self) -> None:
        store = self.app.store
        case = await self.app.store_call(store.case, self.case_id)
        work_state = await self.app.store_call(store.work, self.case_id)
        self.case, self.work_state = case, work_state
        self.query_one(CasePane).show_case(case)
        self._light()
        self._show_title()
        await self.app.store_call(_set_current, store, self.case_id)
        await self.refresh_claim()

    async def refresh_claim(self) -> None:
        data = await self.app.store_call(gather, self.app.store, self.case, self.work_state)
        self.claim = data
        self.query_one(ClaimPane).show(data)
        self.query_one("#drg-panel").compute(self.case, self.work_state)  # issue 19: regroup in a worker

    async def action_poa(self) -> None:
        """Inpatient: cycle the selected diagnosis's present-on-admission indicator (Y N U W E, none)."""
        from workstation.ui.widgets.drg_panel import next_poa

        key = self.query_one(ClaimPane).selected_key() or ""
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

    @work(thread=True, exclusive=True, group="tabular")
    def load_tabular(self) -> None:
        source = icd10cm_source(core.icd10cm(None))
        self.app.call_from_thread(self._set_source, "tabular", source)

    def _set_source(self, view: str, source: TreeSource) -> None:
        self.query_one(f"#{view}", CodeTree).set_source(source)
        self.loaded_views.add(view)
        pending = getattr(self, "_pending_reveal", None)
        if view == "tabular" and pending:
            self._pending_reveal = None
            self.query_one("#tabular", CodeTree).reveal(pending)

    @work(thread=True, exclusive=True, group="views")
    def load_view(self, view: str) -> None:
        if view == "pcs":
            mod = core.optional("workstation.codes.icd10pcs")
            book = mod.icd10pcs() if mod else None
            self.app.call_from_thread(self._set_pcs, book)
            return
        source = trees.source_for(view, self.dos)
        self.app.call_from_thread(self._set_source, view, source)

    def _set_pcs(self, book: Any) -> None:
        builder = self.query_one(PcsBuilder)
        builder.set_book(book)
        self.loaded_views.add("pcs")
        if self.view == "pcs":
            builder.focus_choices()

    @property
    def dos(self) -> str | None:
        if self.case is None:
            return None
        return self.case.coding_date or None

    # ------------------------------------------------------------ search

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        self._light()
        if self.view in trees.PATH_VIEWS and event.value.strip():
            # In the Index, Drug and Neoplasm views the box finds terms, a comma path going down:
            # "diabetes, type 2, with, chr" -> Diabetes > type 2 > with > chronic kidney disease.
            # (1 returns to code search.)
            self.jump_in_table(self.view, event.value)
            return
        if self.view != "results":
            self.action_view("results", focus=False)
        self.run_search(event.value)

    @work(thread=True, exclusive=True, group="table-jump")
    def jump_in_table(self, view: str, text: str) -> None:
        time.sleep(0.06)
        if get_current_worker().is_cancelled:
            return
        key = trees.find_path(view, text)
        if key and not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.query_one(f"#{view}", CodeTree).reveal, key)

    @work(thread=True, exclusive=True, group="search")
    def run_search(self, query: str) -> None:
        # A short pause first: a fast typist's earlier keystrokes are cancelled before any work.
        worker = get_current_worker()
        time.sleep(0.06)
        if worker.is_cancelled:
            return
        self.app.call_from_thread(self._searching, True)
        try:
            results = core.search(query, date=self.dos)
        except Exception as exc:  # the engine's message (no patient data) instead of a crash
            self.app.call_from_thread(self.notify, f"search failed: {exc}", severity="error")
            results = []
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show_results, query, results)

    def _searching(self, busy: bool) -> None:
        self.searching = busy
        self._show_view_bar()

    def _show_results(self, query: str, results: list[core.Result]) -> None:
        if self.query_one("#search", Input).value != query:
            return  # a newer keystroke is on its way
        self._searching(False)
        opts = self.query_one("#results", OptionList)
        opts.clear_options()
        if not results:
            if query.strip():
                opts.add_option(Option(Text(f"no codes match {query!r}", style="dim"), disabled=True))
            return
        opts.add_options([Option(result_prompt(r), id=f"{r.system}:{r.code}") for r in results])
        opts.highlighted = 0

    @on(Input.Submitted, "#search")
    def _search_submitted(self) -> None:
        self.set_focus(self.query_one("#results", OptionList))

    def _light(self) -> None:
        pane = self.query_one(CasePane)
        terms = terms_of(self.query_one("#search", Input).value, self.query_one("#doc-find", Input).value)
        pane.light(terms)

    @on(Input.Changed, "#doc-find")
    def _find_changed(self, event: Input.Changed) -> None:
        self._light()
        words = terms_of(event.value)
        if words:
            self.query_one(CasePane).scroll_to_term(words[0])

    @on(Input.Submitted, "#doc-find")
    def _find_done(self) -> None:
        self.set_focus(self.query_one("#doc-scroll"))

    # ------------------------------------------------------------ current code and detail

    @on(OptionList.OptionHighlighted, "#results")
    def _result_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id:
            system, code = event.option.id.split(":", 1)
            self.set_current(code, system)

    @on(OptionList.OptionSelected, "#results")
    def _result_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            system, code = event.option.id.split(":", 1)
            self.go_to(code, system)

    @on(Tree.NodeHighlighted)
    def _node_highlighted(self, event: Tree.NodeHighlighted) -> None:
        data = event.node.data
        if isinstance(data, NodeData) and data.code:
            self.set_current(data.code, data.system)

    @on(Tree.NodeSelected)
    def _node_selected(self, event: Tree.NodeSelected) -> None:
        data = event.node.data
        if not isinstance(data, NodeData):
            return
        if not data.jump:
            if data.code and not data.has_children:
                # Enter on a code at the end of a branch chooses it, as d does.
                self.set_current(data.code, data.system)
                self.call_after_refresh(self.action_add_dx)
            return
        if data.jump.startswith("term:"):
            # "see": the other term, in the same tree
            tree = event.control
            if isinstance(tree, CodeTree) and not tree.reveal(data.jump[5:]):
                self.notify("That cross-reference is not in this table", severity="warning")
        else:
            self.go_to(data.jump, "icd10cm")

    @on(PcsBuilder.Changed)
    def _pcs_changed(self, event: PcsBuilder.Changed) -> None:
        if event.complete:
            self.set_current(event.prefix, "icd10pcs")
        elif len(event.prefix) >= 3:
            # Part way: the root operation's definition helps choose the rest.
            self.current = None
            builder = self.query_one(PcsBuilder)
            axes = builder.book.decode(event.prefix) if builder.book else []
            definition = builder.book.root_operation_definition(event.prefix) if builder.book else ""
            self.detail_data = None
            self.query_one(CodeDetail).show({
                "code": event.prefix + "…", "system": "icd10pcs", "title": " · ".join(a.label for a in axes),
                "level": "partial", "billable": False, "needs_seventh": False,
                "definitions": [{"name": "Root operation", "term": axes[2].label, "definition": definition}] if definition and len(axes) >= 3 else [],
            })

    @on(OptionList.OptionSelected, "#entries")
    def _entry_selected(self, event: OptionList.OptionSelected) -> None:
        key = event.option.id or ""
        if key.startswith("line:"):
            self.edit_line(int(key[5:]))
        elif key.startswith("dx:"):
            self.go_to(key[3:], "icd10cm")
        elif key.startswith("px:"):
            self.set_current(key[3:], "icd10pcs")

    def set_current(self, code: str, system: str) -> None:
        if self.current == (code, system):
            return
        self.current = (code, system)
        self.show_detail(code, system)

    @work(thread=True, exclusive=True, group="detail")
    def show_detail(self, code: str, system: str) -> None:
        detail = core.detail(code, system, self.dos)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_detail, code, system, detail)

    def _show_detail(self, code: str, system: str, detail: dict[str, Any] | None) -> None:
        if self.current != (code, system):
            return
        self.detail_data = detail
        self.query_one(CodeDetail).show(detail, code)

    def go_to(self, code: str, system: str = "icd10cm", record: bool = True) -> None:
        """Visit a code: detail, history, and for ICD-10-CM the tabular opened there."""
        code = code.rstrip("-").rstrip(".")
        if system == "icd10cm":
            from workstation.codes.icd10cm import normalize

            code = normalize(code)
        if record:
            del self.history[self.hpos + 1:]
            # Where the coder came from goes into history too, so `,` returns there.
            if self.current and self.current != (code, system) and (not self.history or self.history[-1] != self.current):
                self.history.append(self.current)
            if not self.history or self.history[-1] != (code, system):
                self.history.append((code, system))
            self.hpos = len(self.history) - 1
        self.set_current(code, system)
        if system == "icd10cm":
            self.action_view("tabular")
            tree = self.query_one("#tabular", CodeTree)
            if "tabular" in self.loaded_views:
                if not tree.reveal(code):
                    self.notify(f"{code} is not in this year's tabular", severity="warning")
            else:
                self._pending_reveal = code
        self._show_history()

    def _show_history(self) -> None:
        detail = self.query_one(CodeDetail)
        back = self.hpos > 0
        fwd = self.hpos < len(self.history) - 1
        detail.border_subtitle = f"{', back' if back else ''}{'  . forward' if fwd else ''}  l links".strip()

    def follow(self, code: str) -> None:
        """A code clicked in a note (the @click action of a link)."""
        self.go_to(code, "icd10cm")

    def action_follow(self, code: str) -> None:
        self.follow(code)

    def action_links(self) -> None:
        links = links_of(self.detail_data or {})
        if not links:
            self.notify("No code links in these notes")
            return
        opts = [(l.code, Text.assemble((f"{l.text:<14}", "bold"), f" {l.label}")) for l in links]
        self.app.push_screen(Picker(f"Follow a code from the notes of {self.current[0] if self.current else ''}", opts), self._link_chosen)

    def _link_chosen(self, code: str | None) -> None:
        if code:
            self.go_to(code, "icd10cm")

    def action_history(self, delta: int) -> None:
        pos = self.hpos + delta
        if 0 <= pos < len(self.history):
            self.hpos = pos
            code, system = self.history[pos]
            self.go_to(code, system, record=False)

    # ------------------------------------------------------------ views and panes

    def action_view(self, view: str, focus: bool = True) -> None:
        self.view = view
        self.query_one("#views", ContentSwitcher).current = view
        self._show_view_bar()
        if view not in self.loaded_views and view not in ("results", "tabular"):
            self.loaded_views.add(view)
            self.load_view(view)
        if self.pane != 1:
            self.pane = 1
        if focus:
            self.set_focus(self.view_widget())

    def view_widget(self) -> Widget:
        if self.view == "pcs":
            return self.query_one("#pcs-choices")
        return self.query_one(f"#{self.view}")

    def pane_widget(self, i: int) -> Widget:
        if i == 0:
            return self.query_one("#doc-scroll")
        if i == 1:
            return self.view_widget()
        return self.query_one("#entries")

    def action_pane(self, delta: int) -> None:
        self.pane = (self.pane + delta) % len(PANES)
        self.set_focus(self.pane_widget(self.pane))

    def action_search_down(self) -> None:
        """Down from the search box goes to the results (a list's own Down wins elsewhere)."""
        if self.focused is self.query_one("#search", Input):
            self.set_focus(self.view_widget())
        elif self.focused is not None and hasattr(self.focused, "scroll_down"):
            self.focused.scroll_down()

    def action_focus_search(self) -> None:
        self.pane = 1
        self.set_focus(self.query_one("#search", Input))

    def action_find(self) -> None:
        self.pane = 0
        self.set_focus(self.query_one("#doc-find", Input))

    def action_cursor(self, delta: int) -> None:
        w = self.focused
        action = "action_cursor_down" if delta > 0 else "action_cursor_up"
        if w is not None and hasattr(w, action):
            getattr(w, action)()
        elif w is not None and hasattr(w, "scroll_down"):
            w.scroll_down() if delta > 0 else w.scroll_up()

    def action_back(self) -> None:
        """Esc: out of a text box first; from anywhere else back to the worklist."""
        if isinstance(self.focused, Input):
            target = self.view_widget() if self.focused.id == "search" else self.query_one("#doc-scroll")
            self.set_focus(target)
            return
        self.app.pop_screen()

    # ------------------------------------------------------------ coding actions

    def _current_or_warn(self) -> tuple[str, str] | None:
        if self.current is None:
            self.notify("Highlight a code first (search with / or browse a view)", severity="warning")
        return self.current

    def action_add_dx(self) -> None:
        cur = self._current_or_warn()
        if cur is None:
            return
        code, system = cur
        if system == "icd10pcs":
            self.save(f"procedure {code} added", "add_procedure", self.case_id, code)
        elif system in ("hcpcs", "cpt"):
            self.action_add_line()
        elif (sev := _seventh_table(code, self.dos)) is not None:
            title, chars = sev
            self.app.push_screen(seventh_picker(code, title, chars), lambda ch: self._seventh_chosen(code, ch))
        else:
            self.save(f"{code} added", "assign_dx", self.case_id, code)

    def _seventh_chosen(self, code: str, char: str | None) -> None:
        if not char:
            return
        full = core.icd10cm(self.dos).with_seventh(code, char)
        self.save(f"{full} added", "assign_dx", self.case_id, full)
        self.set_current(full, "icd10cm")

    def _line_code(self) -> str | None:
        if self.current and self.current[1] in ("hcpcs", "cpt"):
            return self.current[0]
        typed = self.query_one("#search", Input).value.strip().upper()
        return typed if _LINE_CODE.match(typed) else None

    def action_add_line(self) -> None:
        code = self._line_code()
        if code is None:
            self.notify("A service line needs an HCPCS or CPT code: highlight one, or type it in the search box", severity="warning")
            return
        n = len(self.work_state.diagnoses) if self.work_state else 0
        pointers = "ABCD"[: min(n, 4)] or ""
        self.app.push_screen(LineForm(f"Service line {code}", {"units": "1", "pointers": pointers}), lambda f: self._line_entered(code, f))

    def _line_entered(self, code: str, fields: LineFields | None) -> None:
        if fields is None:
            return
        from workstation.session.work import ServiceLine

        line = ServiceLine(code=code, modifiers=fields.modifiers, units=fields.units, charge=fields.charge,
                           pointers=fields.pointers, date=fields.date)
        reopen = lambda err: self.app.push_screen(  # noqa: E731 - the refused line, as typed
            LineForm(f"Service line {code}", fields.as_values(), error=err), lambda f: self._line_entered(code, f))
        self.save(f"line {code} added", "add_line", self.case_id, line, on_error=reopen)

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
            f"line {index + 1} saved", "update_line", self.case_id, index, on_error=reopen,
            units=fields.units, modifiers=fields.modifiers, pointers=fields.pointers, charge=fields.charge,
            date=fields.date,
        )

    def action_remove(self) -> None:
        key = self.query_one(ClaimPane).selected_key()
        if not key:
            self.notify("Select a diagnosis or line in the claim pane (Tab) to remove", severity="warning")
            return
        kind, _, ref = key.partition(":")
        if kind == "dx":
            self.save(f"{ref} removed", "remove_dx", self.case_id, ref)
        elif kind == "px":
            self.save(f"{ref} removed", "remove_procedure", self.case_id, ref)
        elif kind == "line":
            self.save(f"line {int(ref) + 1} removed", "remove_line", self.case_id, int(ref))

    def action_move(self, delta: int) -> None:
        key = self.query_one(ClaimPane).selected_key()
        if not key or not key.startswith("dx:"):
            self.notify("Select a diagnosis in the claim pane to resequence it", severity="warning")
            return
        code = key[3:]
        order = self.work_state.diagnoses if self.work_state else []
        i = order.index(code) if code in order else -1
        if i < 0 or not (0 <= i + delta < len(order)):
            return
        self.save(f"{code} moved {'up' if delta < 0 else 'down'}", "move_dx", self.case_id, code, delta)

    def action_mark_coded(self) -> None:
        errors = [e for e in (self.claim.edits if self.claim else []) if e[0] == "error"]
        if errors:
            body = Text(f"{len(errors)} edit error(s) remain:\n" + "\n".join(f"✖ {t}: {m}" for _, t, m in errors[:6]))
            self.app.push_screen(Confirm("Mark coded anyway?", body), lambda ok: ok and self.save("marked coded", "set_status", self.case_id, "coded"))
        else:
            self.save("marked coded", "set_status", self.case_id, "coded")

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
            self.save(f"{qid} withdrawn", "withdraw_query", self.case_id, qid)  # the last one ends the hold
        elif choice:
            q = next(q for q in self.work_state.queries if q.query_id == choice)
            hint = "; ".join(q.options)
            self.app.push_screen(AnswerForm(f"{q.query_id}: {q.question}", {"answer": ""}, hint), lambda a: self._answered(q.query_id, a))

    def _answered(self, query_id: str, answer: str | None) -> None:
        if answer:  # the session core ends the hold with the last open query answered
            self.save(f"{query_id} answered", "answer_query", self.case_id, query_id, answer)

    def _new_query(self) -> None:
        """A new query, drafted from the first documentation gap that calls for one (cdi/), if any."""
        from workstation.ui.widgets.documentation_gaps import drafted_values

        values, gap = drafted_values(self.case, self.work_state)
        self.app.push_screen(QueryForm(f"Provider query · case {self.case_id}", values, gap=gap), self._query_entered)

    def _query_entered(self, data: dict[str, Any] | None) -> None:
        if data:
            values = {"question": data["question"], "indicators": " | ".join(data["indicators"].splitlines()),
                      "options": "; ".join(data["options"]), "yes_no": data["yes_no"]}
            reopen = lambda err: self.app.push_screen(  # noqa: E731
                QueryForm(f"Provider query · case {self.case_id}", values, error=err, gap=data["gap"]), self._query_entered)
            self.save("query sent: case on hold", "add_query", self.case_id, data["question"], data["indicators"],
                      data["options"], yes_no=data["yes_no"], gap=data["gap"], on_error=reopen)  # checked, completed and held by the core

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
        self.save(f"payer claim number {'set' if number else 'cleared'}", "set_payer_claim_number", self.case_id, number, on_error=reopen)

    def action_audit(self) -> None:
        from workstation.ui.screens.audit import AuditScreen

        self.app.push_screen(AuditScreen(self.case_id))

    def action_retry_save(self) -> None:
        """After a write error the store keeps the change in memory: try writing it again."""
        if hasattr(self.app.store, "retry"):
            self.save("pending changes written", "retry")

    def action_export(self) -> None:
        from workstation.ui.screens.export import start_export

        start_export(self.app)

    def action_switch_case(self, delta: int) -> None:
        from workstation.ui.screens.worklist import WorklistScreen

        order: list[str] = []
        for s in self.app.screen_stack:
            if isinstance(s, WorklistScreen):
                order = s.case_order()
        if self.case_id not in order or len(order) < 2:
            self.notify("No other case in the worklist", severity="warning")
            return
        nxt = order[(order.index(self.case_id) + delta) % len(order)]
        self.case_id = nxt
        self.case = None
        self.work_state = None
        self.save_state = ""
        self.query_one(ClaimPane).show(ClaimData(problem="loading…"))
        self.load_case()

    # issue 17: the Suggestions list (ui/screens/suggestions.py); accepting one adds it as d does.
    def action_suggestions(self) -> None:
        if self.case is None:
            return
        from workstation.ui.screens.suggestions import SuggestionsScreen

        w = self.work_state
        coded = (set(w.diagnoses) | set(w.procedures) | {ln.code for ln in w.lines}) if w else set()
        path = getattr(self.app.store, "path", None)
        self.app.push_screen(SuggestionsScreen(self.case, coded, str(path) if path else None, self._accept_suggestion))

    def _accept_suggestion(self, s: Any) -> None:
        self.current = (s.code, s.system)
        self.action_add_dx()

    # ------------------------------------------------------------ saving

    @work(group="save")
    async def save(self, done: str, method: str, *args: Any, then_status: str | None = None,
                   on_error: Callable[[str], Any] | None = None, **kwargs: Any) -> None:
        """One store mutation: durable before "saved" shows; an error keeps the screen as it was."""
        store = self.app.store
        case_id = self.case_id
        self.save_state = "saving…"
        self._show_title()
        try:
            await self.app.store_call(getattr(store, method), *args, **kwargs)
            if then_status:
                await self.app.store_call(store.set_status, case_id, then_status)
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
        self.save_state = f"saved ✓ {done}"
        self._show_title()
        await self.refresh_claim()


def _seventh_table(code: str, date: str | None) -> tuple[str, list[tuple[str, str]]] | None:
    """(title, 7th characters) when the code is reportable only with a 7th character."""
    book = core.icd10cm(date)
    if not book.needs_seventh(code):
        return None
    table = book.seventh_characters(code)
    hit = book.get(code)
    return (hit.title if hit else code, table[1]) if table else None


def _set_current(store: Any, case_id: str) -> None:
    fn = getattr(store, "set_current_case", None)
    if fn is not None:
        fn(case_id)
