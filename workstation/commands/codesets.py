"""`workstation pcs|modifiers|pos|mce|ncci` and `workstation codebooks import-cpt|import-ncci`.

The import actions belong under `codebooks`; `commands/codebooks.py` calls
`add_codebooks_actions` with its action subparsers.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import orjson

from workstation.commands import UsageError


def add_codebooks_actions(cbs: argparse._SubParsersAction) -> None:
    c = cbs.add_parser("import-cpt", help="import a licensed CPT file (CSV: code, short, long) into your data folder")
    c.add_argument("file")
    c.set_defaults(func=cmd_import_cpt)

    n = cbs.add_parser("import-ncci", help="import CMS NCCI practitioner PTP edit files and MUE tables into your data folder")
    n.add_argument("paths", nargs="+", metavar="PATH", help="PTP .txt files (or their .zip) and MUE .csv tables")
    n.add_argument("--effective", metavar="YYYY-MM-DD", help="the MUE table's effective date, if its file name does not say")
    n.set_defaults(func=cmd_import_ncci)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("pcs", help="build an ICD-10-PCS code axis by axis: decode a prefix, list the next choices")
    p.add_argument("prefix", nargs="?", default="", help="0 to 7 characters (e.g. 0DT, 0DTJ4ZZ)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_pcs)

    m = sub.add_parser("modifiers", help="HCPCS Level II modifiers (all, or the ones given)")
    m.add_argument("codes", nargs="*")
    m.add_argument("--json", action="store_true")
    m.set_defaults(func=cmd_modifiers)

    s = sub.add_parser("pos", help="CMS Place of Service codes (all, or the ones given)")
    s.add_argument("codes", nargs="*")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_pos)

    e = sub.add_parser("mce", help="Medicare Code Editor edits listing a diagnosis or procedure code (v37)")
    e.add_argument("codes", nargs="+")
    e.add_argument("--json", action="store_true")
    e.set_defaults(func=cmd_mce)

    nc = sub.add_parser("ncci", help="query imported NCCI edits: PTP pair or MUE")
    ns = nc.add_subparsers(dest="ncci_command", metavar="ACTION", required=True)
    pp = ns.add_parser("ptp", help="the PTP edit between two codes on a date")
    pp.add_argument("code1")
    pp.add_argument("code2")
    pp.add_argument("--date", help="date of service YYYY-MM-DD (default today)")
    pp.set_defaults(func=cmd_ncci_ptp)
    mu = ns.add_parser("mue", help="the medically unlikely edit of a code on a date")
    mu.add_argument("code")
    mu.add_argument("--date", help="date of service YYYY-MM-DD (default today)")
    mu.set_defaults(func=cmd_ncci_mue)
    info = ns.add_parser("info", help="what has been imported")
    info.set_defaults(func=cmd_ncci_info)


def _dump(obj: object) -> None:
    sys.stdout.write(orjson.dumps(obj, option=orjson.OPT_INDENT_2).decode() + "\n")


def _book(loader):
    from workstation.codes.books import CodebookError

    try:
        return loader()
    except CodebookError as exc:
        raise UsageError(str(exc)) from None


def cmd_import_cpt(args: argparse.Namespace) -> int:
    from workstation.codes.cpt import import_cpt
    from workstation.codes.errors import SourceError

    try:
        r = import_cpt(Path(args.file))
    except SourceError as exc:
        raise UsageError(str(exc)) from None
    print(f"imported {r['codes']} CPT codes from {r['source']} into {r['file']}")
    return 0


def cmd_import_ncci(args: argparse.Namespace) -> int:
    from workstation.codes.errors import SourceError
    from workstation.codes.ncci import import_ncci, ncci_path

    try:
        r = import_ncci([Path(p) for p in args.paths], effective=args.effective)
    except SourceError as exc:
        raise UsageError(str(exc)) from None
    for name, kind, n in r.files:
        print(f"  {name}: {n} {'PTP edits' if kind == 'ptp' else 'MUE rows'}")
    print(f"imported {r.rows} rows into {ncci_path()}")
    return 0


def cmd_pcs(args: argparse.Namespace) -> int:
    from workstation.codes.icd10pcs import icd10pcs, normalize, PCS_CHARS

    book = _book(icd10pcs)
    prefix = normalize(args.prefix)
    if len(prefix) > 7 or any(ch not in PCS_CHARS for ch in prefix):
        raise UsageError(f"{args.prefix!r} is not an ICD-10-PCS prefix (up to 7 of 0-9 and A-Z without I and O)")
    axes = book.decode(prefix)
    if prefix and not axes:
        raise UsageError(f"{prefix} is not allowed by the ICD-10-PCS tables")
    choices = book.next_choices(prefix) if len(prefix) < 7 else []
    names = book.axis_names(prefix[0]) if prefix else book.axis_names("0")
    if args.json:
        _dump({
            "prefix": prefix,
            "axes": [{"position": a.position, "name": a.name, "value": a.char, "label": a.label} for a in axes],
            "title": book.title(prefix) if len(prefix) == 7 else None,
            "next": {"position": len(prefix) + 1, "name": names[len(prefix)] if len(prefix) < 7 else None,
                     "choices": [{"value": c, "label": l} for c, l in choices]},
        })
        return 0
    for a in axes:
        print(f"{a.position}. {a.name:<22} {a.char}  {a.label}")
    if len(prefix) == 7:
        print(f"{prefix}  {book.title(prefix)}")
        return 0
    print(f"next: {len(prefix) + 1}. {names[len(prefix)] if prefix else 'Section'}")
    for c, label in choices:
        print(f"  {prefix}{c}  {label}")
    return 0


def cmd_modifiers(args: argparse.Namespace) -> int:
    from workstation.codes.hcpcs import modifiers

    mods = _book(modifiers)
    want = [c.upper() for c in args.codes] or sorted(mods)
    missing = [c for c in want if c not in mods]
    if missing:
        raise UsageError(f"not a HCPCS Level II modifier: {', '.join(missing)} (CPT modifiers such as 25 or 59 need a CPT licence)")
    if args.json:
        _dump([{"code": c, "long": mods[c].long, "short": mods[c].short, "short_release": mods[c].short_release} for c in want])
        return 0
    for c in want:
        print(f"{c}  {mods[c].long}")
    return 0


def cmd_pos(args: argparse.Namespace) -> int:
    from workstation.codes.hcpcs import place_of_service

    pos = _book(place_of_service)
    want = [c.zfill(2) for c in args.codes] or sorted(pos)
    missing = [c for c in want if c not in pos]
    if missing:
        raise UsageError(f"not a Place of Service code: {', '.join(missing)}")
    if args.json:
        _dump([{"code": c, "name": pos[c].name, "telehealth": pos[c].telehealth} for c in want])
        return 0
    for c in want:
        print(f"{c}  {pos[c].name}{'  (telehealth)' if pos[c].telehealth else ''}")
    return 0


def cmd_mce(args: argparse.Namespace) -> int:
    from workstation.codes.mce import mce

    codes = [c.strip() for c in args.codes if c.strip()]
    if not codes:
        raise UsageError("give a diagnosis or procedure code, e.g. workstation mce O80")
    book = _book(mce)
    out = []
    for code in codes:
        kind = "P" if len(code.replace(".", "")) == 7 and code[:1].isdigit() else "D"
        out.append({
            "code": code.upper(),
            "edits": book.edits(code, kind) or book.edits(code, "P" if kind == "D" else "D"),
            "age_category": book.age_category(code),
            "age_range": list(book.age_ranges[book.age_category(code)]) if book.age_category(code) else None,
            "sex": book.sex(code),
            "title": book.title(code),
        })
    if args.json:
        _dump({"version": book.version, "effective_from": book.effective_from, "results": out})
        return 0
    print(f"Medicare Code Editor v{book.version} ({book.effective_from} to {book.effective_to})")
    for r in out:
        edits = ", ".join(r["edits"]) or "no edits"
        extra = f"  ages {r['age_range'][0]}-{r['age_range'][1]}" if r["age_range"] else ""
        print(f"{r['code']:<9} {edits}{extra}{'  ' + r['title'] if r['title'] else ''}")
    return 0


def _ncci_or_usage():
    from workstation.codes.ncci import ncci

    book = ncci()
    if book is None:
        raise UsageError("no NCCI edits imported; import the CMS files with: workstation codebooks import-ncci PATH...")
    return book


def cmd_ncci_ptp(args: argparse.Namespace) -> int:
    book = _ncci_or_usage()
    try:
        hit = book.ptp_conflict(args.code1, args.code2, args.date)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if hit is None:
        print(f"no PTP edit between {args.code1.upper()} and {args.code2.upper()}")
        return 0
    how = {"0": "no modifier allowed", "1": "a modifier may bypass it"}.get(hit.modifier_indicator, hit.modifier_indicator)
    print(f"PTP edit: column 1 {hit.column1}, column 2 {hit.column2} ({how})")
    return 0


def cmd_ncci_mue(args: argparse.Namespace) -> int:
    book = _ncci_or_usage()
    try:
        hit = book.mue(args.code, args.date)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if hit is None:
        print(f"no MUE for {args.code.upper()}")
        return 0
    print(f"MUE {args.code.upper()}: {hit.max_units} unit(s); {hit.adjudication_indicator}")
    return 0


def cmd_ncci_info(args: argparse.Namespace) -> int:
    _dump(_ncci_or_usage().summary())
    return 0
