"""Suggestions: codes read from the case's notes, each with its evidence and why, one key to decide.

The list is computed in a worker (workstation.suggest.suggest.suggest_case) when `show_case` is
called, so opening a case never waits for it. Rows show the code, its title, the words of the
note that support it and the reason (index path or title match, context rule). Codes already on
the case are marked "coded"; codes the coder rejected for this case (remembered beside the
session store, suggest/rejections.py) are not shown again.

Keys: Enter or d accepts the highlighted suggestion (posts `Accepted`; the screen assigns it,
opening its 7th-character chooser when `needs_seventh`), x rejects it (posts `Rejected` and
remembers it). The cursor moves to the next row after either. Moving the cursor posts
`Highlighted` with the evidence, for the case pane to light (`CasePane.light(terms_of(...))`).

Wiring into the coding screen (left to the lead while issue 15 restructures coding.py), e.g.:
    Binding("g", "suggestions", "Suggestions")  ->  mount / focus SuggestionsPanel(id="suggestions"),
    panel.show_case(case, coded=set(work.diagnoses) | set(work.procedures), store_path=store.path)
    on SuggestionsPanel.Accepted: the same path as adding a search result (add_dx / add_procedure)
    on SuggestionsPanel.Highlighted: self.query_one(CasePane).light(terms_of(event.suggestion.evidence))
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from workstation.suggest.suggest import Suggestion

if TYPE_CHECKING:  # annotations only: nothing more is imported at run time
    from workstation.cases.model import Case


class SuggestionsPanel(Vertical):
    """The case's suggested codes."""

    BINDINGS = [
        Binding("enter", "accept", "Accept", show=True),
        Binding("d", "accept", "Accept", show=False),
        Binding("x", "reject", "Reject"),
    ]

    busy: reactive[bool] = reactive(False)

    class Highlighted(Message):
        def __init__(self, suggestion: Suggestion) -> None:
            super().__init__()
            self.suggestion = suggestion

    class Accepted(Message):
        """The coder accepted a suggestion: assign it (7th character chooser when needs_seventh)."""

        def __init__(self, suggestion: Suggestion) -> None:
            super().__init__()
            self.suggestion = suggestion

    class Rejected(Message):
        def __init__(self, suggestion: Suggestion) -> None:
            super().__init__()
            self.suggestion = suggestion

    class Ready(Message):
        """The suggestions for a case are computed and shown."""

        def __init__(self, case_id: str, count: int) -> None:
            super().__init__()
            self.case_id = case_id
            self.count = count

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.case_id = ""
        self.store_path: str | None = None
        self.coded: set[str] = set()
        self.suggestions: list[Suggestion] = []
        self.not_coded: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        yield Static("Suggestions", id="suggest-head")
        yield OptionList(id="suggest-list")

    # ------------------------------------------------------------ data

    def show_case(self, case: Case, coded: set[str] | None = None, store_path: str | None = None) -> None:
        """Compute and show the case's suggestions (in a worker)."""
        self.case_id = case.case_id
        self.coded = set(coded or ())
        self.store_path = str(store_path) if store_path else None
        self.busy = True
        self.query_one("#suggest-head", Static).update(Text("Reading the notes…", style="dim"))
        self.query_one("#suggest-list", OptionList).clear_options()
        self._compute(case)

    @work(thread=True, exclusive=True, group="suggest")
    def _compute(self, case: Case) -> None:
        from workstation.suggest import rejections
        from workstation.suggest.suggest import suggest_case

        worker = get_current_worker()
        try:
            reading = suggest_case(case)
            rejected = rejections.rejected(self.store_path, case.case_id) if self.store_path else set()
        except Exception as exc:  # the reason, not patient text
            self.app.call_from_thread(self._failed, str(exc))
            return
        if worker.is_cancelled:
            return
        shown = [s for s in reading.suggestions if s.code not in rejected]
        skipped = [(k.evidence, k.reason) for k in reading.skipped]
        self.app.call_from_thread(self._show, case.case_id, shown, skipped)

    def _failed(self, reason: str) -> None:
        self.busy = False
        self.query_one("#suggest-head", Static).update(Text(f"Suggestions failed: {reason}", style="bold red"))

    def _show(self, case_id: str, shown: list[Suggestion], skipped: list[tuple[str, str]]) -> None:
        if case_id != self.case_id:
            return
        self.busy = False
        for s in shown:
            s.already_coded = s.code in self.coded
        self.suggestions = shown
        self.not_coded = skipped
        self._render_list(0)
        self.post_message(self.Ready(case_id, len(shown)))

    def _render_list(self, highlight: int) -> None:
        opts = self.query_one("#suggest-list", OptionList)
        opts.clear_options()
        opts.add_options([Option(_row(s), id=f"{i}") for i, s in enumerate(self.suggestions)])
        head = Text()
        n = len(self.suggestions)
        head.append(f"{n} suggestion{'' if n == 1 else 's'}", style="bold")
        done = sum(1 for s in self.suggestions if s.already_coded)
        if done:
            head.append(f" · {done} coded")
        if self.not_coded:
            head.append(f" · {len(self.not_coded)} statements not coded (negated, uncertain, planned)", style="dim")
        head.append("   Enter/d accept · x reject", style="dim")
        self.query_one("#suggest-head", Static).update(head)
        if n:
            opts.highlighted = min(max(highlight, 0), n - 1)

    def mark_coded(self, code: str) -> None:
        """The screen assigned a code (from here or elsewhere): mark it."""
        self.coded.add(code)
        for s in self.suggestions:
            if s.code == code:
                s.already_coded = True
        self._render_list(self._index())

    # ------------------------------------------------------------ keys

    def _index(self) -> int:
        h = self.query_one("#suggest-list", OptionList).highlighted
        return -1 if h is None else h

    def current(self) -> Suggestion | None:
        i = self._index()
        return self.suggestions[i] if 0 <= i < len(self.suggestions) else None

    def action_accept(self) -> None:
        s = self.current()
        if s is None:
            return
        i = self._index()
        if not s.already_coded:
            self.post_message(self.Accepted(s))
            s.already_coded = True
            self.coded.add(s.code)
        self._render_list(i + 1)

    def action_reject(self) -> None:
        s = self.current()
        if s is None:
            return
        i = self._index()
        if self.store_path:
            from workstation.suggest import rejections

            rejections.reject(self.store_path, self.case_id, s.code)
        self.suggestions.pop(i)
        self.post_message(self.Rejected(s))
        self._render_list(i)

    @on(OptionList.OptionSelected, "#suggest-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        # Enter on the list itself: the OptionList consumes it, so accept from here.
        event.stop()
        self.action_accept()

    @on(OptionList.OptionHighlighted, "#suggest-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        s = self.current()
        if s is not None:
            self.post_message(self.Highlighted(s))


def _row(s: Suggestion) -> Text:
    t = Text()
    mark = "coded " if s.already_coded else ("7th?  " if s.needs_seventh else "      ")
    t.append(mark, style="bold green" if s.already_coded else "bold yellow")
    t.append(f"{s.code:<9}", style="bold")
    t.append(s.title)
    t.append(f"\n      \u201c{s.evidence}\u201d", style="italic")
    if s.why:
        t.append(f"\n      {s.why[0]}", style="dim")
    if s.context:
        t.append(f"  [{', '.join(s.context)}]", style="dim")
    return t
