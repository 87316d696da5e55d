"""`workstation suggest`: codes suggested from a case's documentation (or a note file), with evidence.

    workstation suggest --session S --case ID [--json]
    workstation suggest --text FILE --sex F --age 64 --date 2026-03-01 --setting outpatient [--json]

Read-only: nothing is assigned; the coder accepts a suggestion in the app (or `workstation code`).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import orjson

from workstation.commands import UsageError, add_session_option, open_session
from workstation.session.store import StoreError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "suggest",
        help="codes suggested from the documentation, each with its evidence and why",
        description="Read a case's notes (sections, sentences, negation, uncertainty, history, family) "
        "and suggest ICD-10-CM codes (and ICD-10-PCS for inpatients, HCPCS where it has a code), "
        "each checked in the tabular of the code year and against the MCE's sex and age edits.",
    )
    add_session_option(p)  # with --case
    p.add_argument("--case", help="case id in the session store")
    p.add_argument("--text", help="a note as a plain-text file (instead of --session/--case)")
    p.add_argument("--sex", choices=("F", "M", "U"), default="U", help="patient's sex (with --text)")
    p.add_argument("--age", type=int, help="patient's age in years (with --text)")
    p.add_argument("--date", help="date of service YYYY-MM-DD: decides the code year (with --text)")
    p.add_argument("--setting", choices=("outpatient", "inpatient"), default="outpatient",
                   help="outpatient: uncertain diagnoses are not coded; inpatient: coded as established")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(func=cmd_suggest)


def cmd_suggest(args: argparse.Namespace) -> int:
    from workstation.suggest.suggest import Patient, suggest_case, suggest_text

    coded: set[str] = set()
    rejected: set[str] = set()
    if args.text:
        if args.session or args.case:
            raise UsageError("give either --text FILE or --session S --case ID, not both")
        try:
            text = Path(args.text).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot read {args.text}: {exc.strerror}") from None
        date = _check_date(args.date)
        if args.age is not None and not 0 <= args.age <= 124:
            raise UsageError("--age must be between 0 and 124")
        reading = suggest_text(text, Patient(args.sex, args.age, date, args.setting))
        where = {"text": args.text, "sex": args.sex, "age": args.age, "date": date, "setting": args.setting}
    else:
        if not (args.session and args.case):
            raise UsageError("give --session S --case ID, or --text FILE")
        from workstation.suggest import rejections

        with open_session(args, readonly=True) as store:
            try:
                case = store.case(args.case)
                work = store.work(args.case)
            except StoreError as exc:
                raise UsageError(str(exc)) from None
            coded = set(work.diagnoses) | set(work.procedures) | {ln.code for ln in work.lines}
            rejected = rejections.rejected(store.path, args.case)
        reading = suggest_case(case)
        where = {"session": str(args.session), "case": args.case}
    for s in reading.suggestions:
        s.already_coded = s.code in coded
    shown = [s for s in reading.suggestions if s.code not in rejected]
    if args.json:
        doc = {**where, "suggestions": [s.to_dict() for s in shown],
               "rejected": sorted(rejected),
               "not_coded": [{"evidence": k.evidence, "reason": k.reason} for k in reading.skipped]}
        sys.stdout.buffer.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")
        return 0
    if not shown:
        print("no suggestions")
    width = max((len(s.code) for s in shown), default=0)
    for s in shown:
        mark = "=" if s.already_coded else ("7?" if s.needs_seventh else ("H" if not s.billable else " "))
        print(f"{s.code:<{width}} {mark:2} {s.title}" + (f"   units: {s.units}" if s.units else ""))
        print(f"{'':<{width}}    evidence: \"{s.evidence}\" ({s.section})")
        for w in s.why:
            print(f"{'':<{width}}    why: {w}")
        if s.context:
            print(f"{'':<{width}}    context: {', '.join(s.context)}")
    if reading.skipped:
        print("\nnot coded:")
        for k in reading.skipped:
            print(f"  \"{k.evidence}\": {k.reason}")
    print("\n(= already coded; 7? needs a 7th character; H header)", file=sys.stderr)
    return 0


def _check_date(date: str | None) -> str:
    from workstation.codes.books import as_date

    if not date:
        raise UsageError("--date YYYY-MM-DD is needed with --text (it decides the code year)")
    try:
        return as_date(date).isoformat()
    except ValueError as exc:
        raise UsageError(str(exc)) from None
