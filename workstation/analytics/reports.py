"""Reports: the SQL files in sql/, run by DuckDB over the extract's tables.

Each report is one file `sql/<name>.sql` of sections:

    -- section: by_chapter  Cases by ICD-10-CM chapter (first-listed diagnosis)
    -- drill: SELECT ... FROM cases ... WHERE chapter = $key
    SELECT ...;

The SQL reads the views `cases`, `diagnoses`, `procedures`, `lines`, `queries`, `edits`, `audit`
(the extract's tables narrowed to the filters: dates, coder, payer), the unfiltered `all_*`
tables, `code_changes`, `targets` (turnaround target hours per encounter type, from the user's
`analytics/targets.json`) and the one-row `params` (date_from, date_to, as_of). Another engine
(Spark, Trino) runs the same files once it defines those views over the Parquet files.
A section's `drill` query lists the cases behind one row; `$key` is the row's first column.
"""
from __future__ import annotations

import csv
import io
import re
import time
from dataclasses import dataclass, field
from datetime import date as Date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import orjson

from workstation.analytics.extract import TABLES
from workstation.paths import user_data_dir

SQL_DIR = Path(__file__).resolve().parent / "sql"
FORMATS = ("text", "csv", "json")
DRILL_COLUMNS = "store, case_id, service_date, encounter_type, status, coder, payer"


class ReportError(Exception):
    """Unknown report, bad filter or a failing query (the message says which)."""


@dataclass(frozen=True)
class Filters:
    date_from: str | None = None  # YYYY-MM-DD, inclusive (the coding date of the case)
    date_to: str | None = None
    coder: str | None = None
    payer: str | None = None  # case-insensitive; matches the payer's name
    as_of: str | None = None  # "now" for open-query ages; default: the current time

    def check(self) -> None:
        for name in ("date_from", "date_to"):
            v = getattr(self, name)
            if v:
                try:
                    Date.fromisoformat(v)
                except ValueError:
                    raise ReportError(f"--{name.split('_')[1]} {v!r} is not a date (YYYY-MM-DD)") from None


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    sql: str
    drill: str = ""


@dataclass
class Table:
    section: str
    title: str
    columns: list[str]
    rows: list[tuple[Any, ...]]
    drillable: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"section": self.section, "title": self.title, "columns": self.columns,
                "rows": [dict(zip(self.columns, (_plain(v) for v in r))) for r in self.rows]}


@dataclass
class Report:
    name: str
    tables: list[Table] = field(default_factory=list)
    seconds: float = 0.0

    def table(self, section: str) -> Table:
        for t in self.tables:
            if t.section == section:
                return t
        raise KeyError(section)


def report_names() -> list[str]:
    return sorted(p.stem for p in SQL_DIR.glob("*.sql"))


_HEADER = re.compile(r"^--\s*section:\s*(\w+)\s*(.*)$")
_DRILL = re.compile(r"^--\s*drill:\s*(.+)$")


def sections(name: str) -> list[Section]:
    path = SQL_DIR / f"{name}.sql"
    if name not in report_names():
        raise ReportError(f"no report {name!r}; reports: {', '.join(report_names())}")
    out: list[Section] = []
    cur: dict[str, Any] | None = None
    body: list[str] = []

    def flush() -> None:
        if cur is not None:
            sql = "\n".join(body).strip().rstrip(";").strip()
            out.append(Section(cur["name"], cur["title"], sql, cur["drill"]))

    for line in path.read_text(encoding="utf-8").splitlines():
        m = _HEADER.match(line)
        if m:
            flush()
            cur, body = {"name": m.group(1), "title": m.group(2).strip() or m.group(1), "drill": ""}, []
            continue
        d = _DRILL.match(line)
        if d and cur is not None and not body:
            cur["drill"] = d.group(1).strip()
            continue
        if cur is not None:
            body.append(line)
    flush()
    return out


def _lit(v: str | None) -> str:
    return "NULL" if v is None else "'" + str(v).replace("'", "''") + "'"


def load_targets() -> dict[str, float]:
    """Turnaround targets (hours from import to coded) per encounter type, set by the coding manager
    in <user data>/analytics/targets.json, e.g. {"office": 24, "inpatient": 72}. None by default."""
    path = user_data_dir() / "analytics" / "targets.json"
    try:
        doc = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, orjson.JSONDecodeError) as exc:
        raise ReportError(f"{path} is not readable JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise ReportError(f"{path}: expected an object of encounter type -> hours")
    try:
        return {str(k): float(v) for k, v in doc.items()}
    except (TypeError, ValueError):
        raise ReportError(f"{path}: every target must be a number of hours") from None


def apply_filters(con: duckdb.DuckDBPyConnection, f: Filters, targets: dict[str, float] | None = None) -> None:
    """(Re)define what the SQL files read, over the all_* tables of `con`: with no filter, views
    of the tables; with filters, the matching rows in temporary tables (made once per filter
    change, so every section of every report reads them directly)."""
    f.check()
    as_of = f.as_of or datetime.now(timezone.utc).replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")
    con.execute(f"CREATE OR REPLACE TEMP VIEW params AS SELECT CAST({_lit(f.date_from)} AS DATE) AS date_from, "
                f"CAST({_lit(f.date_to)} AS DATE) AS date_to, CAST({_lit(as_of)} AS TIMESTAMP) AS as_of")
    rows = sorted((targets if targets is not None else load_targets()).items())
    con.execute("CREATE OR REPLACE TEMP TABLE targets (encounter_type VARCHAR, hours DOUBLE)")
    values = ", ".join(f"({_lit(k)}, {float(v)})" for k, v in rows)
    if values:
        con.execute(f"INSERT INTO targets VALUES {values}")
    # The filters the views were made for, kept in the connection itself.
    key = orjson.dumps([f.date_from, f.date_to, f.coder, f.payer]).decode()
    con.execute("CREATE TEMP TABLE IF NOT EXISTS _filters (key VARCHAR)")
    if con.execute("SELECT count(*) FROM _filters WHERE key = ?", [key]).fetchone()[0]:  # type: ignore[index]
        return
    where = ["TRUE"]
    if f.date_from:
        where.append(f"service_date >= DATE {_lit(f.date_from)}")
    if f.date_to:
        where.append(f"service_date <= DATE {_lit(f.date_to)}")
    if f.coder:
        where.append(f"coder = {_lit(f.coder)}")
    if f.payer:
        where.append(f"lower(payer) = lower({_lit(f.payer)})")
    filtered = len(where) > 1
    for name in TABLES:  # drop what an earlier filter made (a view or a table of that name)
        for kind in ("VIEW", "TABLE"):
            try:
                con.execute(f"DROP {kind} IF EXISTS temp.{name}")
            except duckdb.CatalogException:
                pass  # the other kind
    if not filtered:
        for name in TABLES:
            con.execute(f"CREATE TEMP VIEW {name} AS SELECT * FROM all_{name}")
    else:
        con.execute(f"CREATE TEMP TABLE cases AS SELECT * FROM all_cases WHERE {' AND '.join(where)}")
        for name in TABLES:
            if name == "cases":
                continue
            extra = f" WHERE t.who = {_lit(f.coder)}" if (name == "audit" and f.coder) else ""
            con.execute(f"CREATE TEMP TABLE {name} AS SELECT t.* FROM all_{name} t "
                        f"SEMI JOIN cases c ON t.store = c.store AND t.case_id = c.case_id{extra}")
    con.execute("CREATE OR REPLACE TEMP VIEW code_changes AS SELECT * FROM all_code_changes")
    con.execute("DELETE FROM _filters")
    con.execute("INSERT INTO _filters VALUES (?)", [key])


def run(con: duckdb.DuckDBPyConnection, name: str, filters: Filters | None = None,
        targets: dict[str, float] | None = None) -> Report:
    t0 = time.perf_counter()
    secs = sections(name)
    apply_filters(con, filters or Filters(), targets)
    out = Report(name)
    for s in secs:
        try:
            cur = con.execute(s.sql)
        except duckdb.Error as exc:
            raise ReportError(f"report {name}, section {s.name} ({SQL_DIR / (name + '.sql')}): {exc}") from None
        cols = [d[0] for d in cur.description or []]
        out.tables.append(Table(s.name, s.title, cols, cur.fetchall(), bool(s.drill)))
    out.seconds = time.perf_counter() - t0
    return out


def drill(con: duckdb.DuckDBPyConnection, name: str, section: str, key: Any) -> Table:
    """The cases behind one row of a section (after `run`, with the same filters in place)."""
    s = next((x for x in sections(name) if x.name == section), None)
    if s is None or not s.drill:
        raise ReportError(f"report {name}, section {section}: no drill-down")
    try:
        cur = con.execute(s.drill, {"key": key})
    except duckdb.Error as exc:
        raise ReportError(f"report {name}, drill-down {section}: {exc}") from None
    cols = [d[0] for d in cur.description or []]
    return Table(section, f"{s.title}: {key}", cols, cur.fetchall())


# ---------------------------------------------------------------- output

def _plain(v: Any) -> Any:
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, (Date, datetime)):
        return v.isoformat()
    if isinstance(v, float):
        return round(v, 4)
    return v


def cell(v: Any) -> str:
    v = _plain(v)
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "no"
    return str(v)


def format_text(report: Report) -> str:
    parts: list[str] = []
    for t in report.tables:
        parts.append(f"== {t.title}")
        if not t.rows:
            parts.append("(no rows)")
            parts.append("")
            continue
        cells = [[cell(v) for v in r] for r in t.rows]
        widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(t.columns)]
        numeric = [all(isinstance(r[i], (int, float, Decimal)) or r[i] is None for r in t.rows) for i in range(len(t.columns))]
        def fmt(row: list[str]) -> str:
            return "  ".join(c.rjust(w) if num else c.ljust(w) for c, w, num in zip(row, widths, numeric)).rstrip()
        parts.append(fmt(t.columns))
        parts.append("  ".join("-" * w for w in widths))
        parts.extend(fmt(r) for r in cells)
        parts.append("")
    return "\n".join(parts)


def table_csv(t: Table) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(t.columns)
    for r in t.rows:
        w.writerow(["" if v is None else _plain(v) for v in r])
    return buf.getvalue()


def format_csv(report: Report) -> str:
    """One CSV block per section, each preceded by a `# section` line."""
    return "\n".join(f"# {t.section}\n{table_csv(t)}" for t in report.tables)


def format_json(report: Report) -> str:
    return orjson.dumps({"report": report.name, "sections": [t.to_dict() for t in report.tables]},
                        option=orjson.OPT_INDENT_2).decode()


def render(report: Report, fmt: str) -> str:
    if fmt == "csv":
        return format_csv(report)
    if fmt == "json":
        return format_json(report)
    return format_text(report)
