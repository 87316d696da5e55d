"""The codes pane: the search box, the views of the code books, the detail and the history.

It owns "the code highlighted now" and tells its screen with messages, as posting's panes do:

- `CodeHighlighted(code, system)`: the code the pane points at changed (None, None: nothing is
  highlighted, e.g. while a new search is on its way, after a search that matched nothing, or
  on a new case). The screen's `d` and `s` act on this and on nothing older.
- `CodeChosen(code, system)`: Enter on a code at the end of a branch, which codes it as `d` does.
- `SearchChanged(text)`: what is typed changed (the screen lights the words in the notes).

Other areas add views with `add_view` (a widget in the view switcher, a key on the view bar).
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Input, OptionList, Static, Tree
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from workstation.search.note_context import NoteContext
from workstation.ui import core
from workstation.ui.history import CodeHistory
from workstation.ui.widgets import trees
from workstation.ui.widgets.code_detail import CodeDetail, Link, links_of
from workstation.ui.widgets.code_tree import CodeTree, NodeData, TreeSource, icd10cm_source
from workstation.ui.widgets.pcs_builder import PcsBuilder

if TYPE_CHECKING:  # annotations only: nothing more is imported at run time
    from workstation.codes.icd10pcs import ICD10PCS
    from workstation.codes.lookup_result import LookupResult


@dataclass(frozen=True)
class View:
    """One view of the codes pane: its widget id, the digit that opens it, its label."""

    vid: str
    key: str
    label: str


VIEWS = [
    View("results", "1", "Search"),
    View("tabular", "2", "Tabular"),
    View("index", "3", "Index"),
    View("drugs", "4", "Drugs"),
    View("neoplasm", "5", "Neoplasm"),
    View("pcs", "6", "PCS"),
    View("hcpcs", "7", "HCPCS"),
    View("external", "8", "Ext cause"),
]


def result_prompt(r: core.SearchResult) -> Table:
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
    if r.note:  # an index hit not valid in the case's year: why, and what follows it
        grid.add_row("", Text(r.note, style="italic"))
    return grid


def typed_cpt(code: str) -> core.SearchResult:
    """The search row of a CPT code typed in full that no book holds (CPT is licensed: with no
    CPT file imported the code is checked by its format only)."""
    why = "not verified: no CPT file imported" if not core.cpt_loaded() else "not in the imported CPT file"
    return core.SearchResult(code, "cpt", f"CPT code as typed ({why})", True, 0.0, "code")


def search_text(value: str) -> str:
    """What the engine is asked: a leading "/" (the key that focuses the box) is not a word."""
    return value.lstrip("/").strip()


_CPT_CODE = re.compile(r"^\d{4}[0-9FTU]$")
_SHORTHAND_BEFORE_SLASH = re.compile(r"(?:^|\s)[A-Za-z]$")  # the "s" of s/p, h/o, w/o, r/o, c/o, f/u


class SearchBox(Input):
    """The search box. "/" in it selects what is typed (ready to type over), as it does from
    anywhere else on the screen; only after a one-letter word (s/p, h/o, w/o) does it type a slash."""

    async def _on_key(self, event: events.Key) -> None:
        shorthand = bool(_SHORTHAND_BEFORE_SLASH.search(self.value[: self.cursor_position]))
        if event.key == "slash" and (self.selection.start != self.selection.end or not shorthand):
            event.stop()
            event.prevent_default()
            self.select_all()
            return
        await super()._on_key(event)


class CodesPane(Vertical):
    """Search box, view bar, the views (search results and the books), detail."""

    class CodeHighlighted(Message):
        def __init__(self, code: str | None, system: str | None) -> None:
            super().__init__()
            self.code = code
            self.system = system

    class CodeChosen(Message):
        def __init__(self, code: str, system: str) -> None:
            super().__init__()
            self.code = code
            self.system = system

    class SearchChanged(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.views: list[View] = list(VIEWS)
        self.view = "results"
        self.date: str | None = None  # the coding date of the case (the book year to use)
        # The patient's sex and age on that date: the search ranks out what the MCE rejects for them.
        self.sex: str | None = None
        self.age: int | None = None
        self.note = NoteContext()  # the case's notes and suggested codes: they break ties in the ranking
        self.current: tuple[str, str] | None = None  # (code, system) highlighted now
        self.detail_data: LookupResult | None = None
        self.history = CodeHistory()
        self.loaded_views: set[str] = set()
        self.searching = False
        self.shown: list[core.SearchResult] = []  # the rows of the search results view, in order
        self._pending_reveal: str | None = None
        # The releases the tabular and HCPCS trees show: those in force on the case's coding date.
        self._book_for_view: dict[str, str] = {}

    # ------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield SearchBox(placeholder="/ search codes: words, abbreviations or a code", id="search", compact=True)
        yield Static("", id="view-bar")
        with ContentSwitcher(id="views", initial="results"):
            yield OptionList(id="results")
            yield CodeTree(id="tabular")
            yield CodeTree(id="index")
            yield CodeTree(id="drugs")
            yield CodeTree(id="neoplasm")
            yield PcsBuilder(id="pcs")
            yield CodeTree(id="hcpcs")
            yield CodeTree(id="external")
        yield CodeDetail(id="detail")

    def on_mount(self) -> None:
        self.border_title = "Codes"
        self.query_one(CodeDetail).border_title = "Detail"
        self._placeholder()
        self._show_view_bar()
        self.load_tabular()

    def add_view(self, view: View, widget: Widget) -> None:
        """A view from another area (suggestions, say): its widget joins the switcher, its key the bar."""
        widget.id = view.vid
        self.views.append(view)
        self.query_one("#views", ContentSwitcher).mount(widget)
        self.loaded_views.add(view.vid)
        self._show_view_bar()

    def _placeholder(self) -> None:
        opts = self.results
        opts.clear_options()
        opts.add_option(Option(Text("Type in the search box (/) or switch view: 2 tabular, 3 index, 6 PCS, 7 HCPCS", style="dim"), disabled=True))

    @property
    def search_box(self) -> SearchBox:
        return self.query_one("#search", SearchBox)

    @property
    def results(self) -> OptionList:
        return self.query_one("#results", OptionList)

    @property
    def query_text(self) -> str:
        return search_text(self.search_box.value)

    def _show_view_bar(self) -> None:
        """Every view's key and label (on two lines if need be); where even two lines are too
        few, the keys and the label of the view in front only."""
        t = Text()
        room = max(0, self.size.width - 2)
        full = not room or sum(len(v.key) + len(v.label) + 2 for v in self.views) <= 2 * room - 12
        for v in self.views:
            here = v.vid == self.view
            # A no-break space keeps a key with its label when the bar wraps.
            t.append(f"{v.key}\u00a0{v.label}" if (full or here) else v.key, style="bold reverse" if here else "dim")
            t.append(" ")
        if self.searching:
            t.append(" searching…", style="italic")
        self.query_one("#view-bar", Static).update(t)

    def on_resize(self) -> None:
        self._show_view_bar()

    # ------------------------------------------------------------ the highlighted code

    def set_current(self, code: str | None, system: str | None = None) -> None:
        new = (code, system or "icd10cm") if code else None
        if self.current == new:
            return
        self.current = new
        self.post_message(self.CodeHighlighted(code, system if code else None))
        if new is None:
            self.detail_data = None
            self.query_one(CodeDetail).show(None)
        else:
            self.show_detail(*new)

    @work(thread=True, exclusive=True, group="detail")
    def show_detail(self, code: str, system: str) -> None:
        detail = core.detail(code, system, self.date)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_detail, code, system, detail)

    def _show_detail(self, code: str, system: str, detail: LookupResult | None) -> None:
        if self.current != (code, system):
            return
        self.detail_data = detail
        self.query_one(CodeDetail).show(detail, code)

    def links(self) -> list[Link]:
        return links_of(self.detail_data or {})

    # ------------------------------------------------------------ a new case

    def reset(self, date: str | None) -> None:
        """A new case: an empty search, nothing highlighted, no history, the results view."""
        self.date = date
        self.note = NoteContext()
        box = self.search_box
        with box.prevent(Input.Changed):
            box.value = ""
        self.searching = False
        self.workers.cancel_group(self, "search")
        self.workers.cancel_group(self, "table-jump")
        self._placeholder()
        self.shown = []
        self.history = CodeHistory()
        self._show_history()
        self.current = None
        self.detail_data = None
        self.query_one(CodeDetail).show(None)
        self.post_message(self.CodeHighlighted(None, None))
        self.show_view("results", focus=False)

    # ------------------------------------------------------------ views

    def show_view(self, view: str, focus: bool = True) -> None:
        self.view = view
        self.query_one("#views", ContentSwitcher).current = view
        self._show_view_bar()
        if view not in self.loaded_views and view not in ("results", "tabular"):
            self.loaded_views.add(view)
            self.load_view(view)
        if focus:
            self.screen.set_focus(self.view_widget())

    def view_widget(self) -> Widget:
        if self.view == "pcs":
            return self.query_one("#pcs-choices")
        return self.query_one(f"#{self.view}")

    def focus_search(self) -> None:
        """Focus the box with what is typed selected: the next letters replace it."""
        box = self.search_box
        self.screen.set_focus(box)
        box.select_all()

    def set_date(self, date: str | None) -> None:
        """The case's coding date: search, detail and the trees follow its code year. A tree
        already showing another release (the tabular of another fiscal year, an older HCPCS
        quarter) is loaded again from the release in force on the date."""
        self.date = date
        if self._book_for_view.get("tabular") != self._wanted_book("tabular"):
            self.loaded_views.discard("tabular")
            self.load_tabular()
        if "hcpcs" in self._book_for_view and self._book_for_view["hcpcs"] != self._wanted_book("hcpcs"):
            self.loaded_views.discard("hcpcs")
            if self.view == "hcpcs":
                self.loaded_views.add("hcpcs")
                self.load_view("hcpcs")

    def _wanted_book(self, view: str) -> str:
        """Which release a tree view shows for the current date (a name to compare)."""
        try:
            if view == "tabular":
                return f"icd10cm-{core.icd10cm(self.date).fiscal_year}"
            if view == "hcpcs":
                from workstation.codes import hcpcs

                return str(hcpcs.book_for(self.date)["name"])
        except Exception:  # noqa: BLE001 - a missing book: the view says so when it loads
            return ""
        return ""

    @work(thread=True, exclusive=True, group="tabular")
    def load_tabular(self) -> None:
        wanted = self._wanted_book("tabular")
        source = icd10cm_source(core.icd10cm(self.date))
        self.app.call_from_thread(self._set_source, "tabular", source, wanted)

    def _set_source(self, view: str, source: TreeSource, book: str = "") -> None:
        if book and book != self._wanted_book(view):
            return  # a load for an earlier case's date came in late: the current one follows
        self.query_one(f"#{view}", CodeTree).set_source(source)
        self._book_for_view[view] = book
        self.loaded_views.add(view)
        if view == "tabular" and self._pending_reveal:
            key, self._pending_reveal = self._pending_reveal, None
            self.query_one("#tabular", CodeTree).reveal(key)

    @work(thread=True, exclusive=True, group="views")
    def load_view(self, view: str) -> None:
        if view == "pcs":
            from workstation.codes.icd10pcs import icd10pcs

            self.app.call_from_thread(self._set_pcs, icd10pcs())
            return
        wanted = self._wanted_book(view)
        source = trees.source_for(view, self.date)
        self.app.call_from_thread(self._set_source, view, source, wanted)

    def _set_pcs(self, book: ICD10PCS) -> None:
        builder = self.query_one(PcsBuilder)
        builder.set_book(book)
        self.loaded_views.add("pcs")
        if self.view == "pcs":
            builder.focus_choices()

    # ------------------------------------------------------------ search

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        event.stop()
        text = search_text(event.value)
        self.post_message(self.SearchChanged(text))
        if self.view in trees.PATH_VIEWS and text:
            # In the Index, Drug, Neoplasm and External Cause views the box finds terms, a comma
            # path going down: "diabetes, type 2, with, chr". (1 returns to code search.)
            self.jump_in_table(self.view, text)
            return
        if self.view != "results":
            self.show_view("results", focus=False)
        # Until the new results land, nothing is highlighted: a key pressed now must not act on
        # the code the last search found.
        self.set_current(None)
        self.run_search(text)

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
            results = self.note.rank(core.search(query, date=self.date, sex=self.sex, age=self.age))
        except Exception as exc:  # the engine's message (no patient data) instead of a crash
            self.app.call_from_thread(self.notify, f"search failed: {exc}", severity="error")
            results = []
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show_results, query, results)

    def _searching(self, busy: bool) -> None:
        self.searching = busy
        self._show_view_bar()

    def _show_results(self, query: str, results: list[core.SearchResult]) -> None:
        if self.query_text != query:
            return  # a newer keystroke is on its way
        self._searching(False)
        typed = query.strip().upper()
        if _CPT_CODE.match(typed) and not any(r.code == typed for r in results):
            # A CPT code typed in full comes first, as itself: the rows below only mention it
            # (G0316 "...beyond 99223") and must never be what `s` bills for "99223".
            results = [typed_cpt(typed)] + list(results)
        opts = self.results
        opts.clear_options()
        self.shown = list(results)
        if not results:
            self.set_current(None)
            if query:
                opts.add_option(Option(Text(f"no codes match {query!r}", style="dim"), disabled=True))
            return
        opts.add_options([Option(result_prompt(r), id=f"{r.system}:{r.code}") for r in results])
        opts.highlighted = 0

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        top = self.typed_code_row()
        if top is not None:
            # The coder typed a code in full and it is the first row, highlighted: Enter codes
            # it, as `d` / `s` would (a line opens its form first; a 7th character is asked for).
            self.post_message(self.CodeChosen(top.code, top.system))
            return
        self.screen.set_focus(self.view_widget())

    def typed_code_row(self) -> core.SearchResult | None:
        """The first row when it is exactly the code typed in the box (E11.22 or E1122, J2506,
        99223 with no CPT file), billable or one 7th character away, highlighted, and the results
        on screen are those of what is typed now (no search on its way); else None.

        Only then does Enter in the box code something: never for words (the first row of
        "chest pain" is the engine's guess, not the coder's choice) and never a stale row."""
        typed = self.query_text.upper().replace(".", "").replace(" ", "")
        if self.view != "results" or not typed or not self.shown or not self.typed_settled():
            return None
        top = self.shown[0]
        if top.code.upper().replace(".", "") != typed or self.current != (top.code, top.system):
            return None
        if self.results.highlighted != 0:
            return None
        return top if (top.billable or top.needs_seventh) else None

    def typed_settled(self) -> bool:
        """True once the results on screen are those of what is typed (no search on its way)."""
        return not self.searching and not any(w.group == "search" and w.is_running for w in self.workers)

    def down_from_search(self) -> bool:
        """Down in the search box goes to the view below it; False when focus is elsewhere."""
        if self.screen.focused is self.search_box:
            self.screen.set_focus(self.view_widget())
            return True
        return False

    # ------------------------------------------------------------ what the views highlight

    @on(OptionList.OptionHighlighted, "#results")
    def _result_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if event.option.id:
            system, code = event.option.id.split(":", 1)
            self.set_current(code, system)

    @on(OptionList.OptionSelected, "#results")
    def _result_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            system, code = event.option.id.split(":", 1)
            self.go_to(code, system)

    @on(Tree.NodeHighlighted)
    def _node_highlighted(self, event: Tree.NodeHighlighted) -> None:
        event.stop()
        data = event.node.data
        if isinstance(data, NodeData) and data.code:
            self.set_current(data.code, data.system)

    @on(Tree.NodeSelected)
    def _node_selected(self, event: Tree.NodeSelected) -> None:
        event.stop()
        data = event.node.data
        if not isinstance(data, NodeData):
            return
        if not data.jump:
            if data.code and not data.has_children:
                # Enter on a code at the end of a branch chooses it, as d does.
                self.set_current(data.code, data.system)
                self.post_message(self.CodeChosen(data.code, data.system))
            return
        if data.jump.startswith("table:"):
            # "see Neoplasm, breast, malignant": the row of the table, not the index term
            _, view, see = data.jump.split(":", 2)
            self.open_table_row(view, trees.see_row(see)[1])
        elif data.jump.startswith("term:"):
            # "see": the other term, in the same tree
            tree = event.control
            if isinstance(tree, CodeTree) and not tree.reveal(data.jump[5:]):
                self.notify("That cross-reference is not in this table", severity="warning")
        else:
            self.go_to(data.jump, "icd10cm")

    @on(PcsBuilder.Changed)
    def _pcs_changed(self, event: PcsBuilder.Changed) -> None:
        event.stop()
        if event.complete:
            self.set_current(event.prefix, "icd10pcs")
            return
        self.set_current(None)
        builder = self.query_one(PcsBuilder)
        if len(event.prefix) >= 3 and builder.book:
            # Part way: the root operation's definition helps choose the rest.
            axes = builder.book.decode(event.prefix)
            definition = builder.book.root_operation_definition(event.prefix)
            self.query_one(CodeDetail).show({
                "code": event.prefix + "…", "system": "icd10pcs", "title": " · ".join(a.label for a in axes),
                "level": "partial", "billable": False, "needs_seventh": False,
                "definitions": [{"name": "Root operation", "term": axes[2].label, "definition": definition}] if definition and len(axes) >= 3 else [],
            })

    def open_table_row(self, view: str, text: str) -> None:
        self.show_view(view)
        self._reveal_when_loaded(view, text)

    @work(thread=True, exclusive=True, group="table-row")
    def _reveal_when_loaded(self, view: str, text: str) -> None:
        key = trees.find_path(view, text) if text else None
        tree = self.query_one(f"#{view}", CodeTree)
        for _ in range(100):  # the view's tree loads on its own worker the first time
            if tree.source is not None:
                break
            time.sleep(0.05)
        if key:
            self.app.call_from_thread(self._open_row, tree, key)
        elif text:
            self.app.call_from_thread(self.notify, f"{text}: not found in the table", severity="warning")

    def _open_row(self, tree: CodeTree, key: str) -> None:
        if tree.reveal(key) and tree.cursor_node is not None:
            tree.ensure_loaded(tree.cursor_node)
            tree.cursor_node.expand()  # the row's columns, ready to choose

    # ------------------------------------------------------------ visiting codes

    def go_to(self, code: str, system: str = "icd10cm", record: bool = True) -> None:
        """Visit a code: detail, history, and for ICD-10-CM the tabular opened there."""
        code = code.rstrip("-").rstrip(".")
        if system == "icd10cm":
            from workstation.codes.icd10cm import normalize

            code = normalize(code)
        if record:
            self.history.visit(self.current, (code, system))
        self.set_current(code, system)
        if system == "icd10cm":
            self.show_view("tabular")
            tree = self.query_one("#tabular", CodeTree)
            if "tabular" in self.loaded_views:
                if not tree.reveal(code):
                    self.notify(f"{code} is not in this year's tabular", severity="warning")
            else:
                self._pending_reveal = code
        self._show_history()

    def step_history(self, delta: int) -> None:
        target = self.history.step(delta)
        if target is not None:
            self.go_to(*target, record=False)

    def _show_history(self) -> None:
        detail = self.query_one(CodeDetail)
        back, fwd = self.history.can_go(-1), self.history.can_go(1)
        detail.border_subtitle = f"{', back' if back else ''}{'  . forward' if fwd else ''}  l links".strip()
