"""`workstation import [--session PATH] FILE|DIR...`: add encounters to a session's worklist."""
from __future__ import annotations

import argparse
import sys

import orjson

from workstation.cases.demo import demo_cases
from workstation.cases.intake import import_into, import_paths
from workstation.commands import UsageError, add_session_option, session_path
from workstation.session.store import SessionStore, StoreError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import",
        help="import encounters: FHIR R4 bundles, JSON cases, plain-text notes (files or folders)",
        description=(
            "Import encounters into a session's worklist. Each file is read on its own: FHIR R4 "
            "bundles (one case per Encounter), the workstation's JSON case format, or text notes "
            "with a header. A record already in the session is skipped, so importing twice adds nothing."
        ),
    )
    p.add_argument("paths", nargs="+", metavar="FILE|DIR", help="files or folders to import")
    add_session_option(p)
    p.add_argument("--demo", dest="import_demo", action="store_true", help="also add the demo worklist")
    p.add_argument("--dry-run", action="store_true", help="read and check only; change no session")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("-q", "--quiet", action="store_true", help="hide info messages (ignored resource types and the like)")
    p.set_defaults(func=cmd_import)


def cmd_import(args: argparse.Namespace) -> int:
    added: list[str] = []
    store_path = session_path(args)
    if args.dry_run:
        report = import_paths(args.paths)
    else:
        try:
            with SessionStore.open(store_path, create=True) as store:
                extra = []
                if args.import_demo:
                    extra = demo_cases()
                report, added = import_into(store, args.paths, extra)
        except StoreError as exc:
            raise UsageError(str(exc)) from None
    errors = len(report.errors)
    if args.json:
        out = {
            "session": None if args.dry_run else str(store_path),
            "files": report.files,
            "cases_read": len(report.cases),
            "added": added,
            "skipped_duplicates": report.skipped_duplicates,
            "messages": [m.__dict__ for m in report.messages],
        }
        sys.stdout.write(orjson.dumps(out, option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        for m in report.messages:
            if args.quiet and m.severity == "info":
                continue
            print(m, file=sys.stderr if m.severity == "error" else sys.stdout)
        what = f"{len(report.cases)} case(s) read, nothing saved (dry run)" if args.dry_run else (
            f"{len(added)} case(s) added to {store_path}"
        )
        print(
            f"{what}; {report.skipped_duplicates} duplicate(s) skipped; {report.files} file(s); "
            f"{errors} error(s), {len(report.warnings)} warning(s)"
        )
    return 1 if errors else 0
