"""The Suggestions list over the coding screen (key g): the panel of ui/widgets/suggestions.py in
a modal screen on the right, so the coding screen's layout is not touched and its case pane
(left) stays in view: the highlighted suggestion's evidence is lit there (`on_highlight`). Accepting calls back into the
coding screen, which assigns the code as if it had been highlighted and added (the 7th-character
chooser opens when needed); Escape closes the list.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen

from workstation.suggest.suggest import Suggestion
from workstation.ui.widgets.suggestions import SuggestionsPanel

if TYPE_CHECKING:  # annotations only: nothing more is imported at run time
    from workstation.cases.model import Case


class SuggestionsScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape", "dismiss", "Close"), Binding("g", "dismiss", "Close", show=False)]

    def __init__(self, case: Case, coded: set[str], store_path: str | None,
                 on_accept: Callable[[Suggestion], None],
                 on_highlight: Callable[[Suggestion | None], None] | None = None) -> None:
        super().__init__()
        self.case = case
        self.coded = coded
        self.store_path = store_path
        self.on_accept = on_accept
        self.on_highlight = on_highlight   # the coding screen lights the evidence in its case pane

    def compose(self) -> ComposeResult:
        yield SuggestionsPanel(id="suggestions")

    def on_mount(self) -> None:
        panel = self.query_one(SuggestionsPanel)
        panel.border_title = f"Suggestions · {self.case.case_id}"
        panel.show_case(self.case, coded=self.coded, store_path=self.store_path)
        self.query_one("#suggest-list").focus()

    def on_suggestions_panel_accepted(self, event: SuggestionsPanel.Accepted) -> None:
        self.on_accept(event.suggestion)

    def on_suggestions_panel_highlighted(self, event: SuggestionsPanel.Highlighted) -> None:
        if self.on_highlight is not None:
            self.on_highlight(event.suggestion)

    def on_unmount(self) -> None:
        if self.on_highlight is not None:
            self.on_highlight(None)   # the case pane goes back to the search words
