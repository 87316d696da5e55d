"""The Queries screen: every provider query of the session, with its age and provider.

Opened from the worklist (`Q`). Sorted by age (oldest open first); `s` sorts by provider or case
instead, `f` filters by status. Enter reads a query as the provider will, `a` records the answer,
`w` withdraws it, `o` opens its case, `e` writes the open queries for sending (one text document
per provider, and JSON) into exports/ beside the session. Every change goes through the session
store, so the hold ends exactly as it does from the coding screen and the CLI.
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import orjson
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from workstation.cases.model import Case
from workstation.cdi.queries import Tracked, file_name, json_document, text_documents, tracked
from workstation.fileio import atomic_write_bytes
from workstation.session.store import SessionStore
from workstation.ui.screens.forms import AnswerForm, Confirm, Notice
from workstation.ui.text import plain, safe

SORTS = ("age", "provider", "case")
FILTERS = ("all", "open", "answered", "withdrawn")


def load_queries(store: SessionStore) -> tuple[list[Tracked], dict[str, Case]]:
    works = store.all_work()
    ids = [cid for cid, w in works.items() if w.queries]
    cases = {cid: store.case(cid) for cid in ids}
    return tracked(cases, {cid: works[cid] for cid in ids}, datetime.now(timezone.utc).date()), cases


def export_queries(folder: Path, rows: list[Tracked], cases: dict[str, Case]) -> list[Path]:
    """Open queries for sending: one text file per provider and queries.json, in a new folder."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    out = folder / f"queries-{stamp}"
    written = []
    for provider, text in text_documents(rows, cases).items():
        path = out / file_name(provider)
        atomic_write_bytes(path, text.encode(), mode=0o600)
        written.append(path)
    path = out / "queries.json"
    atomic_write_bytes(path, orjson.dumps(json_document(rows, cases), option=orjson.OPT_INDENT_2), mode=0o600)
    return written + [path]


class QueryTable(DataTable):
    BINDINGS = [Binding("enter", "select_cursor", "Read query")]


class QueriesScreen(Screen):
    AUTO_FOCUS = "#queries"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("a", "answer", "Answer"),
        Binding("w", "withdraw", "Withdraw"),
        Binding("o", "open_case", "Open case"),
        Binding("s", "sort", "Sort"),
        Binding("f", "filter", "Status filter"),
        Binding("e", "export", "Export for sending"),
        Binding("j", "cursor(1)", "Down", show=False),
        Binding("k", "cursor(-1)", "Up", show=False),
    ]
    HELP_DESCRIPTIONS = {
        "answer": "Record the provider's answer (the last open query answered ends the case's hold)",
        "withdraw": "Withdraw the query (the last open one withdrawn ends the hold)",
        "open_case": "Open the query's case in the coding screen",
        "sort": "Sort by age (oldest first), provider or case",
        "filter": "Show all, open, answered or withdrawn queries",
        "export": "Write the open queries for sending: one text document per provider, and JSON",
    }
    COLUMNS = ("Case", "Query", "Status", "Age", "Provider", "Question")

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Tracked] = []
        self.cases: dict[str, Case] = {}
        self.sort = "age"
        self.filter = "all"

    def compose(self) -> ComposeResult:
        yield Static("Provider queries · whole session", id="title-bar")
        yield Static("Loading…", id="queries-count")
        yield QueryTable(id="queries", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#queries", DataTable)
        for col in self.COLUMNS:
            table.add_column(col, key=col.lower())
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    @work(exclusive=True, group="queries")
    async def reload(self) -> None:
        self.rows, self.cases = await self.app.store_call(load_queries, self.app.store)
        self.show()

    def visible(self) -> list[Tracked]:
        rows = [t for t in self.rows if self.filter == "all" or t.status == self.filter]
        if self.sort == "provider":
            rows.sort(key=lambda t: (t.provider, t.status != "open", -t.age_days))
        elif self.sort == "case":
            rows.sort(key=lambda t: (t.case_id, t.query.query_id))
        return rows  # "age": as tracked() orders them, oldest open first

    def show(self) -> None:
        table = self.query_one("#queries", DataTable)
        table.clear()
        rows = self.visible()
        styles = {"open": "bold yellow", "answered": "green", "withdrawn": "dim"}
        for t in rows:
            table.add_row(plain(t.case_id), t.query.query_id, Text(t.status, style=styles.get(t.status, "")),
                          f"{t.age_days}d", plain(t.provider), plain(t.query.question[:90]),
                          key=f"{t.case_id}/{t.query.query_id}")  # case text as plain Text: never markup
        counts = {s: sum(1 for t in self.rows if t.status == s) for s in FILTERS[1:]}
        oldest = max((t.age_days for t in self.rows if t.status == "open"), default=0)
        summary = " · ".join(f"{s} {n}" for s, n in counts.items())
        self.query_one("#queries-count", Static).update(
            f"{len(self.rows)} queries: {summary}" + (f" · oldest open {oldest}d" if counts["open"] else "")
            + f" · sorted by {self.sort}" + ("" if self.filter == "all" else f" · showing {self.filter}")
            if self.rows else "No provider queries in this session (raise one with q on a case)")

    def selected(self) -> Tracked | None:
        table = self.query_one("#queries", DataTable)
        rows = self.visible()
        if not rows or table.cursor_row is None or not 0 <= table.cursor_row < len(rows):
            return None
        return rows[table.cursor_row]

    @on(DataTable.RowSelected, "#queries")
    def _read(self, event: DataTable.RowSelected) -> None:
        t = self.selected()
        if t is not None:
            body = text_documents([t], self.cases)[t.provider or "Unassigned provider"]
            self.app.push_screen(Notice(safe(f"{t.case_id} {t.query.query_id} · {t.provider}"), plain(body, lines=True)))

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_cursor(self, delta: int) -> None:
        table = self.query_one("#queries", DataTable)
        table.action_cursor_down() if delta > 0 else table.action_cursor_up()

    def action_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.show()

    def action_filter(self) -> None:
        self.filter = FILTERS[(FILTERS.index(self.filter) + 1) % len(FILTERS)]
        self.show()

    def action_open_case(self) -> None:
        t = self.selected()
        if t is not None:
            self.app.open_case(t.case_id)

    def _open_selected(self) -> Tracked | None:
        t = self.selected()
        if t is None:
            return None
        if t.status != "open":
            self.notify(f"{t.case_id} {t.query.query_id} is {t.status}, not open", severity="warning")
            return None
        return t

    def action_answer(self) -> None:
        t = self._open_selected()
        if t is not None:
            self.app.push_screen(AnswerForm(f"{t.query.query_id}: {t.query.question}", {"answer": ""},
                                            "; ".join(t.query.options)),
                                 lambda a: a and self.change("answer_query", t, a))

    def action_withdraw(self) -> None:
        t = self._open_selected()
        if t is not None:
            self.app.push_screen(Confirm(f"Withdraw {t.case_id} {t.query.query_id}?", Text(t.query.question)),
                                 lambda ok: ok and self.change("withdraw_query", t))

    @work(group="save")
    async def change(self, method: str, t: Tracked, *args: str) -> None:
        store = self.app.store
        try:
            await self.app.store_call(getattr(store, method), t.case_id, t.query.query_id, *args)
        except Exception as exc:  # StoreError / CodingError: a coder-readable message
            self.notify(str(exc), title="Not saved", severity="error", timeout=8)
            return
        w = await self.app.store_call(store.work, t.case_id)
        done = "answered" if method == "answer_query" else "withdrawn"
        self.notify(f"saved ✓ {t.case_id} {t.query.query_id} {done}; case {w.status.replace('_', ' ')}")
        self.reload()

    @work(group="queries-export")
    async def action_export(self) -> None:
        rows = [t for t in self.rows if t.status == "open"]
        if not rows:
            self.notify("No open queries to send", severity="warning")
            return
        folder = Path(self.app.store.path).parent / "exports"
        try:
            paths = await self.app.store_call(export_queries, folder, rows, self.cases)
        except OSError as exc:
            self.notify(str(exc), title="Not written", severity="error", timeout=8)
            return
        self.notify(f"{len(rows)} open queries written to {paths[0].parent}", timeout=8)
