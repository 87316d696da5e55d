"""`workstation search QUERY` and `workstation search --jsonl` (one query per line on stdin)."""
from __future__ import annotations

import argparse
import sys

import orjson

from workstation.commands import UsageError

SYSTEMS = ("all", "icd10cm", "icd10pcs", "hcpcs")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "search",
        help="find codes from a coder's words or a code prefix",
        description="Search ICD-10-CM (titles, inclusion terms, Alphabetic Index, Drug and Neoplasm "
        "tables), ICD-10-PCS and HCPCS Level II. Abbreviations (CKD, T2DM, CHF ...), typos and "
        "any word order are understood; a code or code prefix (E11.2, e112, 0DT) goes straight to codes.",
    )
    p.add_argument("query", nargs="*", help="words or a code (quote it or not)")
    p.add_argument("--system", choices=SYSTEMS, default="all", help="only codes of this code set")
    p.add_argument("--limit", type=int, default=20, help="number of results (default 20)")
    p.add_argument("--date", help="date of service YYYY-MM-DD: only codes valid in that code year")
    p.add_argument("--json", action="store_true", help="print the results as one JSON document")
    p.add_argument("--jsonl", action="store_true",
                   help="read one query per line on stdin, write one JSON object per line")
    p.set_defaults(func=cmd_search)


def _check_date(date: str | None) -> str | None:
    if date is None:
        return None
    from workstation.codes.books import as_date

    try:
        return as_date(date).isoformat()
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def cmd_search(args: argparse.Namespace) -> int:
    from workstation.codes.books import CodebookError
    from workstation.search.engine import get_engine

    if args.limit <= 0:
        raise UsageError("--limit must be a positive number")
    date = _check_date(args.date)
    engine = get_engine()
    try:
        if args.jsonl:
            if args.query:
                raise UsageError("--jsonl reads its queries from standard input; give no QUERY")
            return _jsonl(engine, args.system, args.limit, date)
        query = " ".join(args.query)
        if not query.strip():
            raise UsageError("give words or a code to search for (or --jsonl)")
        results = engine.search(query, system=args.system, limit=args.limit, date=date)
    except CodebookError as exc:
        raise UsageError(str(exc)) from None
    if date and engine.no_release(date):
        print(f"workstation: note: no compiled ICD-10-CM release covers {date}; "
              "ICD-10-CM codes are left out", file=sys.stderr)
    if args.json:
        doc = {"query": query, "system": args.system, "date": date,
               "results": [r.to_dict() for r in results]}
        sys.stdout.buffer.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")
        return 0
    if not results:
        print("no codes found")
        return 1
    width = max(len(r.code) for r in results)
    for r in results:
        mark = "R " if r.note else ("  " if r.billable else ("7?" if r.needs_seventh else "H "))
        via = "" if r.via == "title" else f"   [{r.via}]"
        print(f"{r.code:<{width}}  {mark} {r.score:5.1f}  {r.title}{via}")
        if r.note:
            print(f"{'':<{width}}     {r.note}")
    print("\n(H = header, not billable; 7? = needs a 7th character; R = not valid on the date (an index "
          "hit: what replaced it follows); [..] = what matched)", file=sys.stderr)
    return 0


def _jsonl(engine, system: str, limit: int, date: str | None) -> int:
    out = sys.stdout.buffer
    for line in sys.stdin:
        query = line.rstrip("\n")
        results = engine.search(query, system=system, limit=limit, date=date) if query.strip() else []
        keep = ("code", "system", "title", "billable", "score", "via")
        doc = {"query": query, "results": [{k: r.to_dict()[k] for k in keep} for r in results]}
        out.write(orjson.dumps(doc) + b"\n")
        out.flush()
    return 0
