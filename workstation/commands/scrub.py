"""`workstation scrub --session PATH [--case ID] [--json] [--strict]`: the claim edits of every case."""
from __future__ import annotations

import argparse
import sys

import orjson

from workstation.commands import UsageError, add_session_option, open_session


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scrub", help="check every case's claim the way payers will (edits by severity)")
    add_session_option(p)
    p.add_argument("--case", action="append", help="only this case id (repeatable)")
    p.add_argument("--json", action="store_true", help="JSON: {case_id: [edit, ...]}")
    p.add_argument("--strict", action="store_true", help="exit 1 when any case has an error")
    p.add_argument("--no-info", action="store_true", help="leave out info-level reminders")
    p.set_defaults(func=cmd_scrub)


def cmd_scrub(args: argparse.Namespace) -> int:
    from workstation.billing.claim import build_claim
    from workstation.billing.edits import NCCI_NOT_LOADED_HINT, claim_verdict, scrub
    from workstation.billing.settings import PracticeSettings

    with open_session(args, readonly=True) as store:
        settings = PracticeSettings.from_store(store)
        ids = list(store.case_ids())
        if args.case:
            missing = [c for c in args.case if c not in ids]
            if missing:
                raise UsageError(f"no case {', '.join(missing)} in this session")
            ids = [c for c in ids if c in args.case]
        results = {}
        for cid in ids:
            case, work = store.case(cid), store.work(cid)
            claim = build_claim(case, work, settings)
            edits = scrub(case, work, claim, settings)
            said = claim_verdict(edits, claim).label  # reminders never count in clean / not clean
            if args.no_info:
                edits = [e for e in edits if e.severity != "info"]
            results[cid] = (work.status, edits, said)
    errors = sum(1 for _, edits, _ in results.values() for e in edits if e.severity == "error")
    if args.json:
        doc = {cid: [e.to_dict() for e in edits] for cid, (_, edits, _) in results.items()}
        sys.stdout.buffer.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")
    else:
        for cid, (status, edits, said) in results.items():
            reminders = sum(1 for e in edits if e.severity == "info")
            head = said + (f" ({reminders} reminder{'s' if reminders != 1 else ''})" if reminders else "")
            print(f"{cid} [{status}]: {head}")
            for e in edits:
                print(f"  {e.severity.upper():<7} {e.target:<12} {e.message}")
                print(f"  {'':<7} {'':<12} source: {e.source}  ({e.edit_id})")
        print(f"\n{len(results)} case{'s' if len(results) != 1 else ''}, {errors} error{'s' if errors != 1 else ''}")
        if any("NCCI not loaded" in said for _, _, said in results.values()):
            print(NCCI_NOT_LOADED_HINT)
    return 1 if (args.strict and errors) else 0
