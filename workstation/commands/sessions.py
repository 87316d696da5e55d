"""`workstation sessions new|list|show|resume|audit|repair` and `workstation code` (scripted coding).

`workstation code` goes through the same store methods as the UI, so it validates the same way,
writes the same audit entries and fails the same way (exit status 2 with the reason).
A bare store name ("monday") means sessions/monday.json; any path with a folder is used as given.
"""
from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path
from typing import Any

import orjson

from workstation.cases.demo import demo_cases
from workstation.cases.model import Case
from workstation.commands import UsageError, add_session_option, open_session, open_store
from workstation.codes.icd10cm import normalize
from workstation.paths import sessions_dir
from workstation.session import coding
from workstation.session.audit import format_entry
from workstation.session.store import SessionStore, StoreError, StoreWriteError, resolve_path
from workstation.session.validate import POINTER_LETTERS, CodingError, coding_date
from workstation.session.work import STATUSES, CaseWork, ServiceLine


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("sessions", help="session stores: create, list, show, resume, audit")
    ss = s.add_subparsers(dest="sessions_command", metavar="ACTION", required=True)

    n = ss.add_parser("new", help="create a session store")
    n.add_argument("path", help="store file, or a bare name for sessions/NAME.json")
    n.add_argument("--demo", action="store_true", help="fill it with the demo worklist")
    n.set_defaults(func=cmd_new)

    ls = ss.add_parser("list", help="session stores in sessions/ with their case and status counts")
    ls.add_argument("--dir", help="folder to list (default: sessions/)")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_list)

    sh = ss.add_parser("show", help="the stored work of every case, or of one")
    sh.add_argument("path")
    sh.add_argument("--case", help="only this case id")
    sh.add_argument("--docs", action="store_true",
                    help="also print each case's patient, encounter and documentation (what the coder reads)")
    sh.add_argument("--json", action="store_true")
    sh.set_defaults(func=cmd_show)

    r = ss.add_parser("resume", help="the case the coder was on, with its work")
    r.add_argument("path")
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=cmd_resume)

    a = ss.add_parser("audit", help="the audit trail: who changed what, when, before and after")
    a.add_argument("path")
    a.add_argument("--case", help="only this case id")
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=cmd_audit)

    rp = ss.add_parser("repair", help="salvage a damaged store: every record whose checksum holds, into a new store")
    rp.add_argument("path", help="the store, or any of its moved-aside files (NAME.json.corrupt-...)")
    rp.add_argument("--out", help="the new store (default: NAME-repaired-TIME.json beside it)")
    rp.set_defaults(func=cmd_repair)

    c = sub.add_parser(
        "code", help="code a case from the command line (same checks and audit as the app)",
        description='Example: workstation code --session s.json CASE-007 --dx E11.22 N18.31 '
                    '--line "G0439 x1 @175.00 >A,B" --status coded',
    )
    add_session_option(c, required=True)
    c.add_argument("case_id")
    c.add_argument("--dx", nargs="+", action="extend", default=[], metavar="CODE",
                   help="ICD-10-CM diagnoses to add, in order (the first of a new case is first-listed)")
    c.add_argument("--first", action="store_true", help="put the --dx codes first, ahead of those already assigned")
    c.add_argument("--pcs", nargs="+", action="extend", default=[], metavar="CODE", help="ICD-10-PCS procedures (inpatient)")
    c.add_argument("--line", action="append", default=[], metavar="SPEC",
                   help='service line "CODE[-MOD...] [xUNITS] [@CHARGE] [>A,B] [YYYY-MM-DD] [ndc=NDC[:QTY[UNIT]]]"')
    c.add_argument("--remove", nargs="+", action="extend", default=[], metavar="CODE",
                   help="remove a diagnosis, procedure or service line with this code")
    c.add_argument("--move", nargs=2, action="append", default=[], metavar=("CODE", "LETTER"),
                   help="resequence an assigned diagnosis to position LETTER (A = first-listed); "
                        "line pointers follow their codes")
    c.add_argument("--status", choices=STATUSES)
    c.add_argument("--note", help="replace the case's coder note")
    c.add_argument("--query", metavar="QUESTION", help="raise a provider query on the case (the case holds until answered)")
    c.add_argument("--indicators", default="", metavar="TEXT",
                   help="with --query: the clinical indicators from the record that prompt it")
    c.add_argument("--option", action="append", default=[], metavar="TEXT",
                   help="with --query: a reasonable answer to offer (repeat); 'Other' and "
                        "'Clinically undetermined' are added, as a compliant query offers them")
    c.add_argument("--yes-no", choices=("poa", "confirm"), default="",
                   help="with --query: a yes/no query, allowed only to settle present-on-admission (poa) or "
                        "confirm a condition already documented (confirm)")
    c.add_argument("--answer", nargs=2, metavar=("QUERY_ID", "ANSWER"), help="record the provider's answer to a query")
    c.add_argument("--payer-claim-number", metavar="NUMBER",
                   help="the payer's claim control number of the claim already sent (a replacement claim "
                        "names it: 837P REF*F8, CMS-1500 box 22); empty clears it")
    c.add_argument("--poa", nargs="+", action="extend", default=[], metavar="CODE=IND",
                   help="inpatient present-on-admission indicator: Y, N, U, W or E (exempt), e.g. --poa I50.21=Y; "
                        "IND alone (--poa Y) sets every diagnosis that has none; CODE= clears it")
    c.add_argument("--stay", nargs="+", action="extend", default=[], metavar="FIELD=VALUE",
                   help="inpatient claim fields: admission_type, admission_source, patient_status, "
                        "admit_hour, discharge_hour, admitting_dx (e.g. --stay patient_status=03)")
    c.add_argument("--pcs-date", nargs="+", action="extend", default=[], metavar="CODE=DATE",
                   help="date an ICD-10-PCS procedure was performed (837I), e.g. --pcs-date 0DTJ4ZZ=2026-01-29")
    c.add_argument("--json", action="store_true", help="print the resulting work as JSON")
    c.set_defaults(func=cmd_code)


# ---------------------------------------------------------------- helpers

def _open(path: str, readonly: bool = True, create: bool = False) -> SessionStore:
    return open_store(path, readonly=readonly, create=create)


def _dx_titles(store: SessionStore, case_id: str, codes: list[str]) -> dict[str, str]:
    try:
        from workstation.codes import books

        book = books.icd10cm(date=coding_date(store.case(case_id)))
        return {c: (book.get(c).title if book.get(c) else "") for c in codes}
    except Exception:  # titles are a courtesy: never fail a listing over them
        return {}


def format_work(store: SessionStore, case_id: str, work: CaseWork) -> str:
    enc = store.case(case_id).encounter
    out = [f"{case_id}  [{work.status}]  {enc.type}, date of service {enc.date_of_service}"]
    titles = _dx_titles(store, case_id, work.diagnoses)
    if work.diagnoses:
        out.append("  Diagnoses:")
        inpatient = enc.type == "inpatient"
        for i, code in enumerate(work.diagnoses):
            poa = f"POA {work.poa_of(code) or '-'}  " if inpatient else ""
            out.append(f"    {POINTER_LETTERS[i] if i < 12 else ' '}  {code:<8} {poa}{titles.get(code, '')}".rstrip())
    else:
        out.append("  Diagnoses: none")
    if work.procedures:
        out.append("  Procedures: " + ", ".join(f"{p} ({work.pcs_dates[p]})" if p in work.pcs_dates else p
                                                for p in work.procedures))
    if enc.type == "inpatient" and not work.stay.is_empty():
        out.append("  Stay: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in work.stay.__dict__.items() if v))
    for n, line in enumerate(work.lines, 1):
        mods = "-".join(line.modifiers)
        charge = "fee schedule" if line.charge is None else f"{line.charge:.2f}"
        out.append(f"  Line {n}: {line.code}{'-' + mods if mods else ''} x{line.units:g} @{charge}"
                   f" >{','.join(line.pointers) or '-'}{'  ' + line.date if line.date else ''}"
                   + (f"  ndc={line.ndc}" + (f":{line.ndc_quantity:g}" if line.ndc_quantity is not None else "")
                      + (line.ndc_unit or "") if getattr(line, "ndc", "") else ""))
    for q in work.queries:
        out.append(f"  Query {q.query_id} [{q.status}]: {q.question}" + (f" -> {q.answer}" if q.answer else ""))
    if work.notes:
        out.append(f"  Note: {work.notes}")
    if work.export_batch:
        label = "Exported" if work.status == "exported" else "Sent before (reopened; next claim replaces it)"
        out.append(f"  {label}: batch {work.export_batch} in {work.export_file}"
                   + (f" ({len(work.exports)} exports)" if len(work.exports) > 1 else ""))
    if work.payer_claim_number:
        out.append(f"  Payer claim number: {work.payer_claim_number}")
    return "\n".join(out)


def format_case(store: SessionStore, case_id: str) -> str:
    """The case as the coder reads it: patient, coverage, encounter, then every document in full."""
    c = store.case(case_id)
    p, enc, cov = c.patient, c.encounter, c.coverage
    name = ", ".join(x for x in (p.last, " ".join(y for y in (p.first, p.middle) if y)) if x)
    out = [f"  Patient: {name}  sex {p.sex or 'U'}  born {p.dob or '?'}"]
    if cov.self_pay:
        out.append("  Coverage: self-pay")
    else:
        out.append(f"  Coverage: {cov.payer_name or '?'} ({cov.plan_type or '-'}), "
                   f"patient is the subscriber's {cov.relationship}" if cov.relationship != "self"
                   else f"  Coverage: {cov.payer_name or '?'} ({cov.plan_type or '-'}), patient is the subscriber")
    stay = f", admitted {enc.admit_date}" if enc.admit_date else ""
    stay += f", discharged {enc.discharge_date}" if enc.discharge_date else ""
    out.append(f"  Encounter: {enc.type} at {enc.facility or '?'}, POS {enc.place_of_service}{stay}; "
               f"provider {enc.rendering_provider.name or '?'}")
    if enc.accident:
        out.append(f"  Accident: {enc.accident} {enc.accident_state} {getattr(enc, 'accident_date', '')}".rstrip())
    for doc in c.documents:
        head = " - ".join(x for x in (doc.title, doc.author, doc.date) if x)
        out.append(f"  --- {head} ---")
        out.extend("    " + line if line else "" for line in doc.text.splitlines())
    return "\n".join(out)


def _terminal(text: str) -> str:
    """Case text for the terminal: escape sequences and other control characters from an imported
    file are removed (a name could otherwise recolour, retitle or rewrite the user's terminal)."""
    from workstation.ui.text import clean

    return clean(text, lines=True)


def _print_json(doc: Any) -> None:
    print(orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode())


LINE_TOKEN = re.compile(r"^(?:x(?P<units>\d+(?:\.\d+)?)|@(?P<charge>\d+(?:\.\d{1,2})?)|>(?P<ptrs>[A-La-l](?:,[A-La-l])*)"
                        r"|(?P<date>\d{4}-\d{2}-\d{2})"
                        r"|ndc=(?P<ndc>[0-9-]+)(?::(?P<ndcq>\d+(?:\.\d+)?)(?P<ndcu>UN|ML|GR|F2|ME)?)?)$", re.I)


def parse_line_spec(spec: str) -> ServiceLine:
    """"G0439-25 x2 @175.00 >A,B 2026-01-29" -> ServiceLine(code, modifiers, units, charge, pointers, date).

    The date is optional (default: the encounter's date); an inpatient stay needs it for a
    service on a day other than the discharge date, e.g. the day of surgery.
    """
    tokens = spec.split()
    if not tokens:
        raise UsageError("empty --line")
    code, *mods = tokens[0].split("-")
    line = ServiceLine(code=code.upper(), modifiers=[m.upper() for m in mods if m])
    for tok in tokens[1:]:
        m = LINE_TOKEN.match(tok)
        if not m:
            raise UsageError(f"--line {spec!r}: cannot read {tok!r} "
                             f'(expected xUNITS, @CHARGE, >A,B, a YYYY-MM-DD service date or ndc=NDC[:QTY[UNIT]] '
                             f'as in "G0439 x1 @175.00 >A,B")')
        if m["units"]:
            line.units = float(m["units"]) if "." in m["units"] else int(m["units"])
        elif m["charge"]:
            line.charge = float(m["charge"])
        elif m["date"]:
            line.date = m["date"]  # validate_line checks it is a real date
        elif m["ndc"]:  # drug lines: ndc=NDC[:QUANTITY[UNIT]] (837P 2410 LIN/CTP; the scrubber checks it)
            line.ndc = m["ndc"]
            if m["ndcq"]:
                line.ndc_quantity = float(m["ndcq"])
            line.ndc_unit = (m["ndcu"] or "").upper()
        else:
            line.pointers = [p.upper() for p in m["ptrs"].split(",")]
    return line


# ---------------------------------------------------------------- sessions

def cmd_repair(args: argparse.Namespace) -> int:
    import time

    from workstation.session.repair import repair, store_files

    src = resolve_path(args.path)
    doc = store_files(src)[0]
    if args.out:
        out = resolve_path(args.out)
    else:
        stem = doc.name.split(".corrupt-")[0]
        stem = stem[:-5] if stem.endswith(".json") else stem
        out = doc.with_name(f"{stem}-repaired-{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}.json")
    from workstation.session.lock import StoreLock

    holder = StoreLock(Path(str(doc) + ".lock")).holder()
    if holder is not None:  # a store in use: its files are still being written
        raise UsageError(f"{doc} is open in another workstation (process {holder}); close it there first")
    try:
        report = repair(src, out)
        SessionStore.open(out, create=False, readonly=True).close()  # the repaired store must open
    except (FileExistsError, FileNotFoundError) as exc:
        raise UsageError(str(exc)) from None
    except StoreError as exc:
        raise UsageError(f"the repaired store does not open: {exc}") from None
    except OSError as exc:
        raise UsageError(f"cannot repair {src}: {exc.strerror}") from None
    print(_terminal(report.summary()))
    return 0 if not report.dropped else 1


def cmd_new(args: argparse.Namespace) -> int:
    path = resolve_path(args.path)
    if path.exists():
        raise UsageError(f"{path} already exists; open it with: workstation --session {path}")
    cases = []
    if args.demo:
        try:
            cases = demo_cases()
        except Exception as exc:  # the intake area's own error, e.g. a missing worklist file
            raise UsageError(f"the demo worklist could not be loaded: {exc}") from None
    store = _open(str(path), readonly=False, create=True)
    try:
        added = store.add_cases(cases) if cases else []
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    finally:
        store.close()
    print(f"created {path}" + (f" with {len(added)} demo cases" if args.demo else ""))
    return 0


def _summary(path: Path) -> dict[str, Any]:
    row: dict[str, Any] = {"path": str(path), "name": path.name}
    try:
        with SessionStore.open(path, create=False, readonly=True) as store:
            work = store.all_work()
            row["cases"] = len(work)
            row["status"] = dict(Counter(w.status for w in work.values()))
            row["current_case"] = store.current_case()
            row["open_by"] = store.lock_holder()
    except StoreError as exc:
        row["error"] = str(exc)
    return row


def cmd_list(args: argparse.Namespace) -> int:
    folder = Path(args.dir) if args.dir else sessions_dir()
    paths = sorted(p for p in folder.glob("*.json") if p.is_file()) if folder.is_dir() else []
    rows = [_summary(p) for p in paths]
    if args.json:
        _print_json(rows)
        return 0
    if not rows:
        print(f"no session stores in {folder}; create one with: workstation sessions new NAME --demo")
        return 0
    for r in rows:
        if "error" in r:
            print(f"{r['name']:<24} unreadable: {r['error']}")
            continue
        counts = ", ".join(f"{s} {r['status'][s]}" for s in STATUSES if r["status"].get(s))
        extra = f"  (open by {r['open_by']})" if r["open_by"] else ""
        print(f"{r['name']:<24} {r['cases']:>5} cases  {counts or '-'}{extra}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    with _open(args.path) as store:
        ids = [args.case] if args.case else store.case_ids()
        try:
            works = {cid: store.work(cid) for cid in ids}
        except StoreError as exc:
            raise UsageError(str(exc)) from None
        if args.json:
            doc = {cid: w.to_dict() for cid, w in works.items()}
            if args.docs:  # the work with the case it belongs to
                doc = {cid: {**d, "case": store.case(cid).to_dict()} for cid, d in doc.items()}
            _print_json(doc[args.case] if args.case else {"path": str(store.path), "current_case": store.current_case(),
                                                          "cases": doc})
            return 0
        if not ids:
            print(f"{store.path}: no cases")
        for cid, w in works.items():
            print(_terminal(format_work(store, cid, w)))
            if args.docs:
                print(_terminal(format_case(store, cid)))
    return 0


def cmd_resume(args: argparse.Namespace) -> int:
    with _open(args.path) as store:
        cid = store.current_case()
        if cid is None:  # never opened a case: the first one still to do
            cid = next((c for c, w in store.all_work().items() if w.status in ("new", "in_progress")), None)
        if cid is None:
            print(f"{store.path}: nothing to resume (no cases left to code)")
            return 0
        w = store.work(cid)
        if args.json:
            _print_json({"current_case": cid, "work": w.to_dict()})
        else:
            print(f"resume at {cid}")
            print(_terminal(format_work(store, cid, w)))
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    with _open(args.path) as store:
        try:
            entries = store.audit(args.case)
        except StoreError as exc:
            raise UsageError(str(exc)) from None
    if args.json:
        _print_json(entries)
    else:
        for e in entries:
            print(_terminal(format_entry(e)))
    return 0


# ---------------------------------------------------------------- code

def cmd_code(args: argparse.Namespace) -> int:
    lines = [parse_line_spec(s) for s in args.line]
    if not (args.dx or args.pcs or lines or args.remove or args.status or args.note is not None
            or args.query or args.answer or args.move or args.payer_claim_number is not None
            or getattr(args, "poa", None) or getattr(args, "stay", None) or getattr(args, "pcs_date", None)):
        raise UsageError("nothing to do: give --dx, --pcs, --line, --remove, --move, --status, --note, --query, "
                         "--answer or --payer-claim-number")
    for _, letter in args.move:
        if len(letter) != 1 or letter.upper() not in POINTER_LETTERS:
            raise UsageError(f"--move: {letter!r} is not a diagnosis position A-L")
    if (args.indicators or args.option or args.yes_no) and not args.query:
        raise UsageError("--indicators, --option and --yes-no go with --query")
    store = open_session(args)
    try:
        cid = args.case_id
        try:
            store.work(cid)
        except StoreError as exc:
            raise UsageError(str(exc)) from None
        done: list[str] = []
        try:
            # One user action, one commit: every coding change is made on the case's work in turn
            # (session/coding.py, as the app makes them) and written together; a typo anywhere
            # leaves the case as it was.
            def plan(case: Case, work: CaseWork) -> list[coding.Change]:
                out: list[coding.Change] = []
                said: list[str] = []

                def do(ch: coding.Change, message: str) -> None:
                    out.append(ch)
                    said.append(message)

                for code in args.remove:
                    up = code.strip().upper()
                    if normalize(code) in work.diagnoses:
                        do(coding.remove_dx(case, work, code), f"removed {code}")
                    elif up in work.procedures:
                        do(coding.remove_procedure(case, work, up), f"removed {code}")
                    elif any(l.code == up for l in work.lines):
                        i = next(i for i, l in enumerate(work.lines) if l.code == up)
                        do(coding.remove_line(case, work, i), f"removed {code}")
                    else:
                        raise CodingError(f"{code} is not assigned to case {cid}")
                for i, code in enumerate(args.dx):
                    ch = coding.assign_dx(case, work, code, i if args.first else None)
                    do(ch, f"assigned {ch.value}")
                for code, letter in args.move:
                    c = normalize(code)
                    if c not in work.diagnoses:
                        raise CodingError(f"--move: {code} is not assigned to case {cid}")
                    target = min(POINTER_LETTERS.index(letter.upper()), len(work.diagnoses) - 1)
                    do(coding.move_dx(case, work, code, target - work.diagnoses.index(c)),
                       f"moved {c} to {POINTER_LETTERS[target]}")
                for code in args.pcs:
                    ch = coding.add_procedure(case, work, code)
                    do(ch, f"assigned {ch.value}")
                for line in lines:
                    do(coding.add_line(case, work, line), f"added line {line.code}")
                for spec in getattr(args, "poa", []):
                    code, _, ind = spec.rpartition("=")
                    for t in [code] if code else [d for d in work.diagnoses if not work.poa_of(d)]:
                        ch = coding.set_poa(case, work, t, ind)
                        do(ch, f"POA {normalize(t)} {ch.value or 'cleared'}")
                stay = {}
                for spec in getattr(args, "stay", []):
                    name, eq, value = spec.partition("=")
                    if not eq:
                        raise UsageError(f"--stay {spec!r}: give FIELD=VALUE")
                    stay[name.strip().replace("-", "_")] = value
                if stay:
                    do(coding.set_stay(case, work, stay), "stay saved")
                for spec in getattr(args, "pcs_date", []):
                    code, eq, day = spec.partition("=")
                    if not eq:
                        raise UsageError(f"--pcs-date {spec!r}: give CODE=YYYY-MM-DD")
                    do(coding.set_procedure_date(case, work, code, day), f"date {code.strip().upper()} {day or 'cleared'}")
                if args.payer_claim_number is not None:
                    do(coding.set_payer_claim_number(case, work, args.payer_claim_number), "payer claim number saved")
                if args.note is not None:
                    do(coding.set_notes(case, work, args.note), "note saved")
                planned.extend(said)
                return out

            planned: list[str] = []
            store.change(cid, plan)
            done.extend(planned)
            if args.answer:
                # The session core ends the hold when the last open query is answered, as in the app.
                store.answer_query(cid, args.answer[0].upper(), args.answer[1])
                done.append(f"query {args.answer[0].upper()} answered")
            if args.query:
                # Checked for compliance, "Other" and "Clinically undetermined" added, the case on hold.
                q = store.add_query(cid, args.query, args.indicators, args.option, yes_no=args.yes_no)
                done.append(f"query {q.query_id} raised")
            if args.status:
                store.set_status(cid, args.status)
                done.append(f"status {args.status}")
            store.set_current_case(cid)
        except StoreWriteError as exc:
            # The process ends here: nothing is "kept in memory" for a retry that cannot come.
            store.discard()
            saved = f"; saved before it: {', '.join(done)}" if done else "; nothing was changed"
            raise UsageError(f"could not save to {store.journal_path}: {exc.reason}, so the last change "
                             f"was not saved{saved}. Free some space and run the command again.") from None
        except StoreError as exc:
            saved = f" (saved before the error: {', '.join(done)})" if done else " (nothing was changed)"
            raise UsageError(f"{exc}{saved}") from None
        work = store.work(cid)
        if args.json:
            _print_json(work.to_dict())
        else:
            print(_terminal(format_work(store, cid, work)))
    finally:
        try:
            store.close()
        except StoreWriteError as exc:
            store.discard()
            raise UsageError(f"could not save to {store.journal_path}: {exc.reason}; the last change was "
                             f"not saved") from None
        except StoreError as exc:
            raise UsageError(str(exc)) from None
    return 0
