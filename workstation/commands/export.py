"""`workstation export --session PATH --format 837p|cms1500|statement|csv|jsonl --out FILE`, and
`--format cms1500 --case ID --copy --out FILE`: a claim already sent, printed again marked COPY."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workstation.billing.settings import PracticeSettings
from workstation.commands import UsageError, add_session_option, session_path
from workstation.export.batch import FORMATS, ExportError, NothingToExport, SettingsInvalid, ValidationFailed, plan_export, run_export
from workstation.session.store import SessionStore, StoreError



def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export",
        help="export clean claims (837P, CMS-1500 print), self-pay statements, or coded encounters (CSV, JSONL)",
        description=(
            "Export a session's work. 837: the X12 claims, each case once: professional claims on an 837P "
            "(--out) and the hospital's inpatient stays on an 837I 005010X223A2 (--out-837i, default the "
            "--out name ending .837i), each validated by pyx12 against its own map. 837i: the inpatient stays "
            "alone. 837p: one ANSI X12 837P 005010X222A1 interchange, validated with "
            "pyx12 and the workstation's own checks before it is written. cms1500: the claims as printable "
            "CMS-1500 (02/12) text. statement: patient statements for self-pay cases. csv / jsonl: coded "
            "encounters, without direct identifiers, for analysis. Only clean claims go out (no error-level "
            "edit, no open query); the others are listed with their reasons. Cases billed by 837p, cms1500 or "
            "statement are marked exported; sending one again needs --again. Files are written atomically, "
            "mode 0600."
        ),
    )
    add_session_option(p)
    p.add_argument("--format", dest="export_format", choices=FORMATS, required=True)
    p.add_argument("--out", required=False, metavar="FILE", help="file to write (required unless --dry-run)")
    p.add_argument("--out-837i", metavar="FILE",
                   help="837: where the 837I of the inpatient stays goes (default: --out with the suffix .837i)")
    p.add_argument("--case", dest="case_ids", action="append", metavar="ID",
                   help="export only this case (repeatable); default: every ready case")
    p.add_argument("--again", action="store_true", help="include cases already exported (re-send)")
    p.add_argument("--dry-run", action="store_true", help="show what would be exported and what is held; write nothing")
    p.add_argument("--test", action="store_true",
                   help="837p: mark the interchange as test data (ISA15 = T); the cases are not marked exported")
    p.add_argument("--copy", action="store_true",
                   help="cms1500 with one --case: print again the claim of a case already sent, marked COPY "
                        "(as the app's C key; nothing is sent, numbered or marked)")
    p.set_defaults(func=cmd_export)


def cmd_copy(args: argparse.Namespace) -> int:
    """`export --format cms1500 --case ID --copy --out FILE`: the same code as the app's `C`."""
    from workstation.export.reprint import write_copy

    if args.export_format != "cms1500":
        raise UsageError("--copy reprints a CMS-1500: use it with --format cms1500")
    if not args.case_ids or len(args.case_ids) != 1:
        raise UsageError("--copy prints one claim: name its case with one --case ID")
    if not args.out:
        raise UsageError("--out FILE is required with --copy")
    path = session_path(args)
    if not path.exists():
        raise UsageError(f"no session at {path}")
    try:
        with SessionStore.open(path, create=False, readonly=True) as store:
            written = write_copy(store, args.case_ids[0], Path(args.out))
    except (ExportError, StoreError, KeyError) as exc:
        raise UsageError(str(exc).strip("'\"")) from None
    print(f"{written}: CMS-1500 of case {args.case_ids[0]} marked COPY (nothing sent or marked)")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    if args.copy:
        return cmd_copy(args)
    if not args.dry_run and not args.out:
        raise UsageError("--out FILE is required (or use --dry-run to see what would be exported)")
    path = session_path(args)
    if not path.exists():
        raise UsageError(f"no session at {path}; create one with `workstation sessions new {path} --demo` "
                         "or name an existing one with --session")
    try:
        with SessionStore.open(path, create=False, readonly=args.dry_run) as store:
            settings = PracticeSettings.from_store(store)
            if args.dry_run:
                plan = plan_export(store, args.export_format, args.case_ids, args.again, settings)
                print(plan.summary())
                return 0
            result = run_export(store, args.export_format, Path(args.out), args.case_ids, args.again, settings,
                                test=args.test, out_837i=args.out_837i)
    except SettingsInvalid as exc:
        raise UsageError(str(exc)) from None
    except NothingToExport as exc:
        print(f"workstation: {exc}", file=sys.stderr)
        return 1
    except ValidationFailed as exc:
        print(f"workstation: {exc}", file=sys.stderr)
        return 1
    except ExportError as exc:
        raise UsageError(str(exc)) from None
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    print(result.summary())
    return 0
