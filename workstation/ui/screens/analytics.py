"""Analytics: the SQL reports of workstation/analytics as bar and line charts, with filters and drill-down.

Opened from the worklist (A). The extract is built in a worker from every store in sessions/ and
this session's own store (read-only, no lock), with a progress bar; the reports then run on
DuckDB in the same worker. The left list picks a report section; the chart shows its rows as
bars (and a line of the values over time when the section is by month or day); Enter on a bar
lists the cases behind it; e writes the chart's data to a CSV file (0600) in the user's data
folder; f sets filters (from=, to=, coder=, payer=); r reads the stores again.
The screen only shows what the core returns: no SQL or counting happens here.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, OptionList, ProgressBar, Sparkline, Static
from textual.widgets.option_list import Option

from workstation.analytics import reports as rp

BAR_WIDTH = 36
BLOCKS = " ▏▎▍▌▋▊▉█"


@dataclass(frozen=True)
class Chart:
    """What the chart shows: one label and one number a row, from a report section."""

    report: str
    section: str
    title: str
    label: str  # the column the bars are labelled with (the drill-down key)
    value: str  # the column the bars measure
    labels: list[Any]
    values: list[float]
    drillable: bool
    over_time: bool  # labels are months or days: also drawn as a line


def chart_of(report: str, table: rp.Table) -> Chart | None:
    """The first column is the label; the bars measure the first numeric column after it."""
    if not table.rows or len(table.columns) < 2:
        return None
    value_col = None
    for i in range(1, len(table.columns)):
        if all(isinstance(r[i], (int, float, Decimal)) or r[i] is None for r in table.rows):
            value_col = i
            break
    if value_col is None:
        return None
    labels = [r[0] for r in table.rows]
    values = [float(r[value_col] or 0) for r in table.rows]
    over_time = table.columns[0] in ("month", "day", "year", "code_year")
    return Chart(report, table.section, table.title, table.columns[0], table.columns[value_col], labels, values,
                 table.drillable, over_time)


def bar(value: float, top: float, width: int = BAR_WIDTH) -> str:
    if top <= 0 or value <= 0:
        return ""
    cells = value / top * width
    full = int(cells)
    part = int((cells - full) * 8)
    return "█" * full + (BLOCKS[part] if part else "")


def parse_filters(text: str, base: rp.Filters) -> rp.Filters:
    """"from=2026-01-01 to=2026-03-31 coder=alice payer=Ohio Medicaid"; a key with no value clears it."""
    values = {"from": base.date_from, "to": base.date_to, "coder": base.coder, "payer": base.payer}
    key = None
    for word in text.split():
        if "=" in word:
            key, _, v = word.partition("=")
            key = key.strip().lower()
            if key not in values:
                raise rp.ReportError(f"unknown filter {key!r}: use from=, to=, coder=, payer=")
            values[key] = v or None
        elif key in ("coder", "payer") and values[key]:
            values[key] = f"{values[key]} {word}"  # a payer name has spaces
        else:
            raise rp.ReportError(f"{word!r}: write filters as key=value (from=, to=, coder=, payer=)")
    f = rp.Filters(values["from"], values["to"], values["coder"], values["payer"])
    f.check()
    return f


def filters_text(f: rp.Filters) -> str:
    parts = [f"{k}={v}" for k, v in (("from", f.date_from), ("to", f.date_to), ("coder", f.coder),
                                       ("payer", f.payer)) if v]
    return " ".join(parts) if parts else "no filters"


def export_path(report: str, section: str) -> Path:
    from workstation.paths import user_data_dir

    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    return user_data_dir() / "analytics" / "exports" / f"{report}-{section}-{stamp}.csv"


class ChartTable(DataTable):
    BINDINGS = [Binding("enter", "select_cursor", "Cases behind the bar")]


class AnalyticsScreen(Screen):
    CSS_PATH = "analytics.tcss"
    AUTO_FOCUS = "#an-sections"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("f", "filter", "Filter"),
        Binding("e", "export", "Export CSV"),
        Binding("r", "reload", "Reload"),
        Binding("tab", "app.focus_next", "Next pane", show=False),
    ]
    HELP_DESCRIPTIONS = {
        "filter": "Filters: from=YYYY-MM-DD to=YYYY-MM-DD coder=ID payer=NAME (key= clears one)",
        "export": "Write the chart's data to a CSV file (0600) in the data folder",
        "reload": "Read the session stores again (read-only, no lock)",
    }
    HELP_EXTRA = [
        ("↑ ↓ (report list)", "Pick a report section; its chart shows on the right"),
        ("Enter (chart)", "List the cases behind the bar under the cursor"),
    ]

    def __init__(self, stores: list[Path] | None = None, include_default: bool = True) -> None:
        super().__init__()
        self.stores = stores
        self.include_default = include_default
        self.filters = rp.Filters()
        self.con: Any = None
        self.reports: dict[str, rp.Report] = {}
        self.chart: Chart | None = None
        self.skipped: list[str] = []
        self.n_stores = 0

    def compose(self) -> ComposeResult:
        yield Static("Analytics · coded work of every session store · read-only", id="title-bar")
        yield Static("Reading the session stores…", id="an-status")
        yield ProgressBar(id="an-progress", show_eta=False)
        yield Input(placeholder="filters: from=2026-01-01 to=2026-03-31 coder=ID payer=NAME   (Enter applies, Esc cancels)",
                    id="an-filter", compact=True)
        with Horizontal(id="an-body"):
            yield OptionList(id="an-sections")
            with Vertical(id="an-main"):
                yield Static("", id="an-chart-title")
                yield ChartTable(id="an-chart", cursor_type="row", zebra_stripes=True)
                yield Sparkline([], id="an-trend")
                yield Static("", id="an-drill-title")
                yield DataTable(id="an-drill", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#an-filter", Input).display = False
        self.query_one("#an-trend", Sparkline).display = False
        self.load()

    def _paths(self) -> list[Path]:
        if self.stores is not None:
            return list(self.stores)
        path = getattr(self.app.store, "path", None)
        return [Path(path)] if path else []

    # ------------------------------------------------------------ workers

    @work(exclusive=True, thread=True, group="analytics")
    def load(self) -> None:
        from workstation.analytics.extract import load_connection

        def progress(done: int, total: int, name: str) -> None:
            self.app.call_from_thread(self._progress, done, total, name)

        try:
            con, result = load_connection(self._paths(), self.include_default, progress=progress)
        except Exception as exc:  # noqa: BLE001 - shown to the user, the screen stays usable
            self.app.call_from_thread(self._status, f"Could not read the stores: {exc}")
            return
        if self.con is not None:
            self.con.close()
        self.con = con
        self.n_stores = len(result.stores)
        self.skipped = [f"{Path(s.path).name} ({s.reason})" for s in result.skipped]
        self._run_reports()

    def _run_reports(self) -> None:
        """In the worker thread: every report with the current filters."""
        out: dict[str, rp.Report] = {}
        try:
            for name in rp.report_names():
                out[name] = rp.run(self.con, name, self.filters)
        except rp.ReportError as exc:
            self.app.call_from_thread(self._status, str(exc))
            return
        self.app.call_from_thread(self._show_reports, out)

    @work(exclusive=True, thread=True, group="analytics")
    def rerun(self) -> None:
        if self.con is not None:
            self._run_reports()

    @work(exclusive=True, thread=True, group="analytics")
    def drill(self, chart: Chart, key: Any) -> None:
        try:  # the filtered views are those the reports last ran with
            table = rp.drill(self.con, chart.report, chart.section, key)
        except rp.ReportError as exc:
            self.app.call_from_thread(self._status, str(exc))
            return
        self.app.call_from_thread(self._show_drill, table)

    # ------------------------------------------------------------ showing

    def _status(self, text: str) -> None:
        self.query_one("#an-status", Static).update(text)

    def _progress(self, done: int, total: int, name: str) -> None:
        bar_ = self.query_one("#an-progress", ProgressBar)
        bar_.update(total=max(total, 1), progress=done)
        self._status(f"Reading session store {min(done + 1, total)} of {total}: {name}" if name else "Running the reports…")

    def _show_reports(self, reports: dict[str, rp.Report]) -> None:
        self.reports = reports
        self.query_one("#an-progress", ProgressBar).display = False
        skipped = f" · skipped {len(self.skipped)}: {'; '.join(self.skipped)}" if self.skipped else ""
        self._status(f"{self.n_stores} store{'s' if self.n_stores != 1 else ''} · {filters_text(self.filters)}{skipped}")
        options = self.query_one("#an-sections", OptionList)
        current = self.chart.report + "/" + self.chart.section if self.chart else None
        options.clear_options()
        index = 0
        for name, report in reports.items():
            for t in report.tables:
                oid = f"{name}/{t.section}"
                if oid == current:
                    index = options.option_count
                options.add_option(Option(f"{name.replace('_', ' ')} · {t.section.replace('_', ' ')}", id=oid))
        if options.option_count:
            options.highlighted = index
            self._show_section(options.get_option_at_index(index).id or "")

    @on(OptionList.OptionHighlighted, "#an-sections")
    def _section_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id:
            self._show_section(event.option.id)

    def _show_section(self, oid: str) -> None:
        name, _, section = oid.partition("/")
        report = self.reports.get(name)
        if report is None:
            return
        t = report.table(section)
        self.chart = chart_of(name, t)
        title = self.query_one("#an-chart-title", Static)
        table = self.query_one("#an-chart", DataTable)
        trend = self.query_one("#an-trend", Sparkline)
        table.clear(columns=True)
        self.query_one("#an-drill", DataTable).clear(columns=True)
        self.query_one("#an-drill-title", Static).update("")
        if self.chart is None:
            # Not a chart (one summary row, or no numbers): the table as it is.
            title.update(f"{t.title}" + ("" if t.rows else " · no rows"))
            for c in t.columns:
                table.add_column(c.replace("_", " "), key=c)
            for r in t.rows:
                table.add_row(*(rp.cell(v) for v in r))
            trend.display = False
            return
        ch = self.chart
        hint = " · Enter: cases behind the bar" if ch.drillable else ""
        title.update(f"{ch.title} · {ch.value.replace('_', ' ')} by {ch.label.replace('_', ' ')}{hint}")
        table.add_column(ch.label.replace("_", " "), key="label")
        table.add_column(ch.value.replace("_", " "), key="value")
        table.add_column("", key="bar")
        top = max(ch.values) if ch.values else 0
        for i, (label, value) in enumerate(zip(ch.labels, ch.values)):
            shown = int(value) if float(value).is_integer() else round(value, 2)
            table.add_row(rp.cell(label), Text(str(shown), justify="right"), Text(bar(value, top), style="bold"),
                          key=str(i))
        trend.display = ch.over_time and len(ch.values) > 1
        trend.data = ch.values

    def _show_drill(self, t: rp.Table) -> None:
        self.query_one("#an-drill-title", Static).update(f"Cases · {t.title} · {len(t.rows)}")
        table = self.query_one("#an-drill", DataTable)
        table.clear(columns=True)
        for c in t.columns:
            table.add_column(c.replace("_", " "), key=c)
        for r in t.rows:
            table.add_row(*(rp.cell(v) for v in r))
        table.focus()

    # ------------------------------------------------------------ actions

    @on(DataTable.RowSelected, "#an-chart")
    def _bar_selected(self, event: DataTable.RowSelected) -> None:
        ch = self.chart
        if ch is None or not ch.drillable:
            self.notify("This chart has no drill-down.", severity="warning")
            return
        i = int(event.row_key.value or 0)
        self.drill(ch, ch.labels[i])

    def action_filter(self) -> None:
        box = self.query_one("#an-filter", Input)
        box.display = True
        box.value = "" if filters_text(self.filters) == "no filters" else filters_text(self.filters)
        box.focus()

    @on(Input.Submitted, "#an-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        try:
            self.filters = parse_filters(event.value, rp.Filters())
        except rp.ReportError as exc:
            self.notify(str(exc), severity="error")
            return
        event.input.display = False
        self.query_one("#an-sections", OptionList).focus()
        self._status(f"Running the reports · {filters_text(self.filters)}…")
        self.rerun()

    def action_export(self) -> None:
        ch = self.chart
        name, section = (ch.report, ch.section) if ch else (None, None)
        if name is None:
            opt = self.query_one("#an-sections", OptionList)
            if opt.highlighted is None:
                return
            name, _, section = (opt.get_option_at_index(opt.highlighted).id or "").partition("/")
        report = self.reports.get(name or "")
        if report is None:
            return
        from workstation.fileio import atomic_write_bytes

        path = export_path(name or "", section or "")
        try:
            atomic_write_bytes(path, rp.table_csv(report.table(section or "")).encode(), mode=0o600)
        except OSError as exc:
            self.notify(f"Could not write {path}: {exc.strerror}", severity="error")
            return
        self.notify(f"Chart data written to {path}")
        self.last_export = path

    def action_reload(self) -> None:
        self.query_one("#an-progress", ProgressBar).display = True
        self._status("Reading the session stores…")
        self.load()

    def action_back(self) -> None:
        box = self.query_one("#an-filter", Input)
        if box.display:
            box.display = False
            self.query_one("#an-sections", OptionList).focus()
            return
        self.app.pop_screen()

    def on_unmount(self) -> None:
        if self.con is not None:
            try:
                self.con.close()
            except Exception:  # noqa: BLE001
                pass
