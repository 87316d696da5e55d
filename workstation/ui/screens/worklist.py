"""The worklist: every case in the session, filter as you type, Enter opens one."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from workstation.ui.labels import ENCOUNTER_LABELS, STATUS_LABELS
from workstation.ui.text import clean, plain, safe

if TYPE_CHECKING:  # annotations only: nothing more is imported at run time
    from rich.text import Text
    from workstation.cases.model import Case
    from workstation.cases.report import ImportReport
    from workstation.session.store import SessionStore
    from workstation.session.work import CaseWork


@dataclass(frozen=True)
class Row:
    case_id: str
    patient: str
    dos: str
    encounter: str
    payer: str
    status: str
    codes: int
    new_year: bool = False  # a code the newest ICD-10-CM year deleted or made a header (codebooks impact)

    @property
    def cells(self) -> tuple[str, ...]:
        codes = (str(self.codes) if self.codes else "") + (" ! new year" if self.new_year else "")
        return (self.case_id, STATUS_LABELS.get(self.status, self.status), self.patient, self.dos, self.encounter, self.payer, codes)

    def matches(self, words: list[str]) -> bool:
        hay = " ".join(self.cells).lower() + " " + self.status
        return all(w in hay for w in words)


def row_of(case: Case, work: CaseWork) -> Row:
    p = case.patient
    cov = case.coverage
    payer = "Self-pay" if cov.self_pay or not cov.payer_name else cov.payer_name
    codes = len(work.diagnoses) + len(work.procedures) + len(work.lines) if work else 0
    return Row(
        case.case_id,
        f"{p.last}, {p.first}",
        case.encounter.date_of_service,
        ENCOUNTER_LABELS.get(case.encounter.type, case.encounter.type),
        payer,
        work.status if work else "new",
        codes,
        _new_year(case, work),
    )


def _new_year(case: Case, work: CaseWork) -> bool:
    try:
        from workstation.session.impact import must_change

        return must_change(case, work)
    except Exception:  # noqa: BLE001 - a marker is a courtesy: never fail the worklist over it
        return False


def import_report_text(report: ImportReport, added: list[str], base: str = "") -> Text:
    """What an import did: counts, then every message naming its file and record (errors first)."""
    from rich.text import Text

    t = Text()
    t.append(f"{len(added)} case(s) added", style="bold")
    t.append(f", {report.skipped_duplicates} duplicate(s) skipped, {report.files} file(s) read\n")
    if added:
        shown = ", ".join(added[:12]) + (f" and {len(added) - 12} more" if len(added) > 12 else "")
        t.append(f"added: {shown}\n")
    order = {"error": 0, "warning": 1, "info": 2}
    msgs = sorted(report.messages, key=lambda m: order.get(m.severity, 3))
    if msgs:
        t.append(f"\n{len(msgs)} message(s):\n", style="bold")
    for m in msgs:
        style = {"error": "bold red", "warning": "yellow"}.get(m.severity, "")
        line = str(m)
        if base and line.startswith(base.rstrip("/") + "/"):  # names inside the folder imported
            line = line[len(base.rstrip("/")) + 1:]
        t.append(f"  {clean(line)}\n", style=style)
    return t


def load_rows(store: SessionStore) -> list[Row]:
    works = store.all_work()
    return [row_of(c, works.get(c.case_id)) for c in store.cases()]


class CaseTable(DataTable):
    """The case table; Enter is shown in the footer as what it does here."""

    BINDINGS = [Binding("enter", "select_cursor", "Open case")]


class WorklistScreen(Screen):
    AUTO_FOCUS = "#cases"
    BINDINGS = [
        Binding("slash", "filter", "Filter"),
        Binding("escape", "clear_filter", "Clear filter"),
        Binding("j", "cursor(1)", "Down", show=False),
        Binding("k", "cursor(-1)", "Up", show=False),
        Binding("i", "import", "Import"),
        Binding("e", "export", "Export", tooltip="Export every clean case: choose a format, read the summary, confirm to write"),
        Binding("a", "audit", "Audit"),
        Binding("Q", "queries", "Queries"),
        Binding("A", "analytics", "Analytics", show=False),  # listed in ? help
        Binding("S", "app.settings", "Settings"),
        Binding("r", "reload", "Reload", show=False),
    ]
    HELP_DESCRIPTIONS = {
        "import": "Import cases from a file or folder (FHIR R4 bundles, JSON cases, text notes)",
        "audit": "Audit trail of the whole session, newest first (read-only)",
        "queries": "Provider queries of the whole session: age, provider, answer, withdraw, export",
        "analytics": "Analytics: case mix, productivity, queries, claims, code-year impact, cancer registry",
        "app.settings": "Practice settings: billing provider, NPI, payers, fee schedule",
    }
    # Status early, so it shows even at 80 columns.
    COLUMNS = ("Case", "Status", "Patient", "DOS", "Encounter", "Payer", "Codes")

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Row] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="title-bar")
        yield Static("Loading worklist…", id="counts")
        yield Input(placeholder="/ filter: patient, case, payer, status…", id="filter", compact=True)
        yield CaseTable(id="cases", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#title-bar", Static).update(f"Worklist · {safe(self.app.session_label)}")
        table = self.query_one("#cases", DataTable)
        for col in self.COLUMNS:
            table.add_column(col, key=col.lower())
        self.set_focus(table)
        self.reload()

    def on_screen_resume(self) -> None:
        if self.rows:  # back from a case: statuses may have changed
            self.reload()

    @work(exclusive=True, group="worklist")
    async def reload(self) -> None:
        rows = await self.app.store_call(load_rows, self.app.store)
        self.rows = rows
        self.show()
        # Load the code book and the search index once the worklist is painted, not before:
        # the loading thread competes with the first paint.
        self.set_timer(0.4, self.warm)
        start = getattr(self.app, "open_case_on_start", None)
        if start:
            self.app.open_case_on_start = None
            self.app.open_case(start)

    @work(thread=True, group="warm")
    def warm(self) -> None:
        from workstation.ui import core

        if not getattr(self.app, "warmed", False):
            self.app.warmed = True
            core.warm()

    def show(self) -> None:
        table = self.query_one("#cases", DataTable)
        words = self.query_one("#filter", Input).value.lower().split()
        keep = table.cursor_row
        current = self.current_case_id()
        table.clear()
        shown = [r for r in self.rows if r.matches(words)]
        for r in shown:
            table.add_row(*(plain(c) for c in r.cells), key=r.case_id)  # case text is data, not markup
        if current and any(r.case_id == current for r in shown):
            table.move_cursor(row=table.get_row_index(current))
        elif shown:
            table.move_cursor(row=min(keep, len(shown) - 1))
        counts = {s: 0 for s in STATUS_LABELS}
        for r in self.rows:
            counts[r.status] = counts.get(r.status, 0) + 1
        parts = [f"{STATUS_LABELS.get(s, s)} {n}" for s, n in counts.items()]
        filt = f"   showing {len(shown)} of {len(self.rows)}" if words else ""
        self.query_one("#counts", Static).update(f"{len(self.rows)} cases: " + " · ".join(parts) + filt)

    def current_case_id(self) -> str | None:
        table = self.query_one("#cases", DataTable)
        if not table.row_count:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:
            return None
        return str(key.value)

    @on(Input.Changed, "#filter")
    def _filter(self) -> None:
        self.show()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.set_focus(self.query_one("#cases", DataTable))

    @on(DataTable.RowSelected, "#cases")
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.app.open_case(str(event.row_key.value))

    def action_filter(self) -> None:
        self.set_focus(self.query_one("#filter", Input))

    def action_clear_filter(self) -> None:
        f = self.query_one("#filter", Input)
        f.value = ""
        self.set_focus(self.query_one("#cases", DataTable))

    def action_open(self) -> None:
        case_id = self.current_case_id()
        if case_id:
            self.app.open_case(case_id)

    def action_cursor(self, delta: int) -> None:
        table = self.query_one("#cases", DataTable)
        if delta > 0:
            table.action_cursor_down()
        else:
            table.action_cursor_up()

    def action_analytics(self) -> None:
        from workstation.ui.screens.analytics import AnalyticsScreen

        self.app.push_screen(AnalyticsScreen())

    def action_export(self) -> None:
        from workstation.ui.screens.export import start_export

        start_export(self.app)

    def action_audit(self) -> None:
        from workstation.ui.screens.audit import AuditScreen

        self.app.push_screen(AuditScreen(None))

    def action_queries(self) -> None:
        from workstation.ui.screens.queries import QueriesScreen

        self.app.push_screen(QueriesScreen())

    def action_import(self) -> None:
        from workstation.ui.screens.forms import PathForm

        self.app.push_screen(PathForm("Import cases into this session"), self._import_chosen)

    def _import_chosen(self, path: str | None) -> None:
        if path:
            self.run_import(path)

    @work(exclusive=True, group="import")
    async def run_import(self, path: str) -> None:
        """Read and add the cases off the UI thread; then the report, and the worklist refreshed."""
        from workstation.cases import intake

        self.query_one("#counts", Static).update(f"Importing {path} …")
        try:
            report, added = await self.app.store_call(intake.import_into, self.app.store, [path])
        except Exception as exc:  # StoreError and the like: nothing was added
            self.notify(safe(exc), title="Import failed: nothing added", severity="error", timeout=12)
            self.reload()
            return
        from workstation.ui.screens.forms import Notice

        self.app.push_screen(Notice("Import report", import_report_text(report, added, path if os.path.isdir(path) else "")))
        rows = await self.app.store_call(load_rows, self.app.store)
        self.rows = rows
        self.show()
        if added and not self.query_one("#filter", Input).value:
            table = self.query_one("#cases", DataTable)
            table.move_cursor(row=table.get_row_index(added[0]))

    def action_reload(self) -> None:
        self.reload()

    def case_order(self) -> list[str]:
        """Case ids as listed (with the filter applied): `n`/`p` on the coding screen follow it."""
        words = self.query_one("#filter", Input).value.lower().split()
        return [r.case_id for r in self.rows if r.matches(words)] or [r.case_id for r in self.rows]
