"""`workstation index|eindex TERM`, `workstation drug NAME`, `workstation neoplasm SITE`."""
from __future__ import annotations

import argparse
import sys
from dataclasses import asdict

import orjson

from workstation.commands import UsageError

DEFAULT_LINES = 40  # per match, unless --all
DEFAULT_MATCHES = 10

# Column headings as printed (the XML's are long: "Poisoning Accidental (unintentional)").
SHORT_HEADINGS = {
    "poisoning_accidental": "Accidental",
    "poisoning_intentional_self_harm": "Self-harm",
    "poisoning_assault": "Assault",
    "poisoning_undetermined": "Undetermined",
    "adverse_effect": "Adverse eff.",
    "underdosing": "Underdosing",
    "malignant_primary": "Malig. prim.",
    "malignant_secondary": "Malig. sec.",
    "in_situ": "Ca in situ",
    "benign": "Benign",
    "uncertain_behavior": "Uncertain",
    "unspecified_behavior": "Unspecified",
}
_TABLE_NAMES = {"drug": "Table of Drugs and Chemicals", "neoplasm": "Neoplasm Table"}


def register(sub: argparse._SubParsersAction) -> None:
    for name, help_text, metavar in (
        ("index", "look up the Alphabetic Index: 'Diabetes, type 2, with'", "TERM"),
        ("eindex", "look up the Index to External Causes: 'Fall, from, ladder'", "TERM"),
        ("drug", "Table of Drugs and Chemicals rows for a substance (prefix)", "NAME"),
        ("neoplasm", "Neoplasm Table rows for a site (prefix)", "SITE"),
    ):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("query", metavar=metavar, nargs="+",
                       help="comma-separated path, main term first; case and (modifiers) ignored")
        p.add_argument("--all", action="store_true", help="print every match and every subterm")
        p.add_argument("--depth", type=int, help="subterm levels to show beneath each match")
        p.add_argument("--date", help="date of service YYYY-MM-DD: mark codes not valid in its code year, with what replaced them")
        p.add_argument("--json", action="store_true")
        p.set_defaults(func=cmd_table, table=name)


def _book(kind: str):
    from workstation.codes import index_tables
    from workstation.codes.books import CodebookError

    try:
        return index_tables.load(kind)
    except CodebookError as exc:
        raise UsageError(str(exc)) from None


def _matches(book, kind: str, query: str):
    if kind in ("drug", "neoplasm"):
        return book.rows(query)
    return book.find(query) or book.find(query, prefix=True)


def cmd_table(args: argparse.Namespace) -> int:
    kind = args.table
    query = " ".join(args.query).strip()
    if not query.strip(", "):
        example = {"drug": "Alprazolam", "neoplasm": "breast, upper-outer quadrant",
                   "eindex": "Fall, from, bed"}.get(kind, "Diabetes, type 2")
        raise UsageError(f"give a term to look up, e.g. workstation {kind} \"{example}\"")
    book = _book(kind)
    matches = _matches(book, kind, query)
    if not matches:
        print(f"no {book.title} entry matches {query!r}", file=sys.stderr)
        return 1
    shown = matches if args.all else matches[:DEFAULT_MATCHES]
    depth = args.depth
    checks = _year_checks(book, kind, shown, depth, getattr(args, "date", None))
    if args.json:
        out = []
        for m in shown:
            below = [t for t in book.descendants(m.id) if depth is None or t.level - m.level <= depth]
            out.append({"path": [asdict(t) for t in book.path(m.id)], "subterms": [asdict(t) for t in below]})
        doc = {"table": kind, "query": query, "matches": out, "total_matches": len(matches)}
        if checks:
            doc["year_checks"] = {c: asdict(y) for c, y in checks.items()}
        sys.stdout.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n")
        return 0
    if book.columns:
        print(_table_header(book))
    for n, m in enumerate(shown):
        if n and not book.columns:
            print()
        lines = list(_render(book, m, depth))
        cap = len(lines) if args.all else DEFAULT_LINES
        for line in lines[:cap]:
            print(line)
        if len(lines) > cap:
            print(f"  ... {len(lines) - cap} more lines (--all to show them)")
    if checks:
        fy = next(iter(checks.values())).fiscal_year
        print(f"\nIn ICD-10-CM FY{fy} (the code year of {args.date}):")
        for y in checks.values():
            print(f"  {y.code}: {y.message}")
    if len(matches) > len(shown):
        print(f"\n{len(matches) - len(shown)} more matches (--all to show them)")
    if any(c.endswith("-") for m in shown for t in [m, *book.descendants(m.id)] for c in t.all_codes()):
        print("\ncodes ending in '-' are incomplete: finish them in the tabular (workstation lookup CODE)")
    return 0


def _year_checks(book, kind: str, shown, depth: int | None, day: str | None) -> dict:
    """For --date: every code shown that is not a valid code in that date's year (the shipped index is FY2025's)."""
    if not day:
        return {}
    from workstation.codes import books
    from workstation.codes.dated import year_of

    try:
        books.release_for_date(day)
        index_year = book.fiscal_year
    except (books.NoRelease, ValueError) as exc:
        raise UsageError(str(exc)) from None
    out = {}
    for m in shown:
        for t in [*book.path(m.id), *book.descendants(m.id)]:
            if depth is not None and t.level - m.level > depth:
                continue
            for code in t.all_codes():
                if code in out:
                    continue
                y = year_of(code, day, index_year)
                if y.status in ("became_header", "deleted"):
                    out[code] = y
    return out


def _render(book, match, depth: int | None):
    """The path down to the match, then its subterms, each indented by level."""
    for t in book.path(match.id):
        yield _line(book, t)
    for t in book.descendants(match.id):
        if depth is None or t.level - match.level <= depth:
            yield _line(book, t)


def _line(book, t) -> str:
    indent = "  " * t.level
    text = f"{indent}{t.label or '-'}"
    refs = []
    if t.see:
        refs.append(f"see {t.see}")
    if t.see_also:
        refs.append(f"see also {t.see_also}")
    if t.see_table and not (t.see or t.see_also).lower().startswith("table of"):
        refs.append(f"({_TABLE_NAMES[t.see_table]})")
    if t.note:
        refs.append(f"- {t.note}")
    if book.columns:
        width = 44
        cells = "".join(f"{(t.columns or {}).get(c) or '--':<13}" for c in book.columns) if t.columns else ""
        tail = f"  {' '.join(refs)}" if refs else ""
        if len(text) > width:
            return f"{text}{tail}\n{'':<{width}}  {cells}".rstrip() if cells else f"{text}{tail}"
        return f"{text:<{width}}  {cells}{tail}".rstrip()
    codes = "  " + " ".join(t.codes) if t.codes else ""
    return f"{text}{codes}" + (f"  - {'; '.join(refs)}" if refs else "")


def _table_header(book) -> str:
    first = (book.doc.get("headings") or ["Substance"])[0]
    return (f"{first:<44}  " + "".join(f"{SHORT_HEADINGS.get(c, c)[:12]:<13}" for c in book.columns)).rstrip()
