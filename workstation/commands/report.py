"""`workstation report ...`: the analytics extract and the SQL reports, headless.

    workstation report extract [STORE ...] --out DIR
    workstation report NAME [STORE ...] [--extract DIR] [--from D --to D --coder C --payer P] [--format text|csv|json]
    workstation report registry --format naaccr-xml --out FILE [STORE ...]

Stores: every session store in sessions/ plus any given (files or folders); read-only, no lock.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workstation.commands import UsageError
from workstation.paths import PACKAGE_DIR


def report_names() -> list[str]:
    """The reports, one SQL file each (read without importing DuckDB, so `--help` stays quick)."""
    return sorted(p.stem for p in (PACKAGE_DIR / "analytics" / "sql").glob("*.sql"))


def register(sub: argparse._SubParsersAction) -> None:
    names = ["extract", *report_names()]
    p = sub.add_parser("report", help="analytics: de-identified Parquet extract, SQL reports, cancer registry",
                       description="Reports over the coded work of every session store (read-only). "
                                   f"Reports: {', '.join(report_names())}.")
    p.add_argument("name", choices=names, metavar="NAME", help=f"extract, or a report: {', '.join(report_names())}")
    p.add_argument("stores", nargs="*", type=Path, help="more session stores (files or folders) besides sessions/")
    p.add_argument("--store", action="append", type=Path, default=[], metavar="PATH",
                   help="a store file or folder (repeatable; the same as listing it before the options)")
    p.add_argument("--no-default", action="store_true", help="do not read the stores in sessions/")
    p.add_argument("--no-edits", action="store_true",
                   help="do not run the claim scrubber (no edit rows; the claims report then shows none)")
    p.add_argument("--extract", type=Path, help="run the report over a Parquet extract instead of the stores")
    p.add_argument("--out", type=Path, help="extract: folder to write; otherwise write the report to this file")
    p.add_argument("--from", dest="date_from", help="first coding date (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", help="last coding date (YYYY-MM-DD)")
    p.add_argument("--coder", help="only cases of this coder")
    p.add_argument("--payer", help="only cases of this payer (name)")
    p.add_argument("--format", default="text", choices=["text", "csv", "json", "naaccr-xml"],
                   help="output format (naaccr-xml: registry only, with --out)")
    p.set_defaults(func=cmd_report)


def _skipped(result_skipped: list) -> None:
    for s in result_skipped:
        path, reason = (s.path, s.reason) if hasattr(s, "path") else s
        print(f"workstation: skipped {path}: {reason}", file=sys.stderr)


def cmd_report(args: argparse.Namespace) -> int:
    from workstation.analytics import extract as ex
    from workstation.analytics import reports as rp

    include_default = not args.no_default
    args.stores = [*args.stores, *args.store]
    if args.name == "extract":
        if not args.out:
            raise UsageError("report extract needs --out DIR")
        try:
            result = ex.extract_to_parquet(args.out, args.stores, include_default, not args.no_edits, jobs=ex.default_jobs())
        except ex.ExtractError as exc:
            raise UsageError(str(exc)) from None
        _skipped(result.skipped)
        counts = ", ".join(f"{n} {t}" for t, n in result.counts.items() if t in ex.TABLES)
        print(f"extract written to {result.out}: {len(result.stores)} stores; {counts} ({result.seconds:.1f} s)")
        return 1 if result.skipped and not result.stores else 0

    if args.format == "naaccr-xml":
        if args.name != "registry":
            raise UsageError("--format naaccr-xml is for the registry report only")
        if not args.out:
            raise UsageError("report registry --format naaccr-xml needs --out FILE (the file holds patient identity)")
        if args.extract:
            raise UsageError("the NAACCR file needs the stores (patient identity is not in an extract)")
        from workstation.analytics.naaccr import NaaccrError, write_registry_xml

        try:
            res = write_registry_xml(args.out, args.stores, include_default, args.date_from, args.date_to)
        except NaaccrError as exc:
            raise UsageError(f"NAACCR file not written: {exc}") from None
        _skipped(res.skipped)
        print(f"NAACCR XML v26 written to {res.path} (0600): {res.patients} patients, {res.tumors} tumours "
              f"from {len(res.stores)} stores")
        return 0

    filters = rp.Filters(args.date_from, args.date_to, args.coder, args.payer)
    try:
        filters.check()
        if args.extract:
            con = ex.connect_extract(args.extract)
        else:
            con, result = ex.load_connection(args.stores, include_default, not args.no_edits, jobs=ex.default_jobs())
            _skipped(result.skipped)
        report = rp.run(con, args.name, filters)
    except (rp.ReportError, ex.ExtractError) as exc:
        raise UsageError(str(exc)) from None
    text = rp.render(report, args.format)
    if args.out:
        from workstation.fileio import atomic_write_bytes

        atomic_write_bytes(args.out, text.encode(), mode=0o600)
        print(f"report {args.name} written to {args.out}")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0
