"""`workstation codebooks build|info|diff|release` and `workstation lookup`."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import orjson

from workstation.cli import UsageError


def register(sub: argparse._SubParsersAction) -> None:
    cb = sub.add_parser("codebooks", help="build and inspect the compiled code books")
    cbs = cb.add_subparsers(dest="codebooks_command", metavar="ACTION", required=True)

    b = cbs.add_parser("build", help="compile the official sources into codebooks/")
    b.add_argument("--sources", required=True, help="folder of official source files (codebook-sources)")
    b.add_argument("--out", help="output folder (default: codebooks/)")
    b.add_argument("--only", nargs="*", help="only these code sets (icd10cm, index, icd10pcs, hcpcs, mce, registry)")
    b.set_defaults(func=cmd_build)

    i = cbs.add_parser("info", help="compiled releases and their counts")
    i.add_argument("--json", action="store_true")
    i.set_defaults(func=cmd_info)

    d = cbs.add_parser("diff", help="codes added, deleted and retitled between two ICD-10-CM years")
    d.add_argument("old", type=int)
    d.add_argument("new", type=int)
    d.add_argument("--json", action="store_true")
    d.set_defaults(func=cmd_diff)

    r = cbs.add_parser("release", help="the release in force for a date of service")
    r.add_argument("date", help="YYYY-MM-DD")
    r.add_argument("--system", default="icd10cm")
    r.set_defaults(func=cmd_release)

    from workstation.commands.codesets import add_codebooks_actions

    add_codebooks_actions(cbs)  # import-cpt, import-ncci

    lk = sub.add_parser("lookup", help="show a code: title, billable, hierarchy, every note")
    lk.add_argument("code")
    lk.add_argument("--date", help="date of service YYYY-MM-DD (picks the code year)")
    lk.add_argument("--year", type=int, help="fiscal year of the ICD-10-CM release")
    lk.add_argument("--json", action="store_true")
    lk.set_defaults(func=cmd_lookup)


def cmd_build(args: argparse.Namespace) -> int:
    from workstation.codes.build import build_all
    from workstation.codes.icd10cm import SourceError

    sources = Path(args.sources)
    if not sources.is_dir():
        raise UsageError(f"sources folder {sources} does not exist")
    try:
        build_all(sources, Path(args.out) if args.out else None, args.only)
    except SourceError as exc:
        raise UsageError(str(exc)) from None
    return 0


def _books_or_usage():
    from workstation.codes import books

    return books


def cmd_info(args: argparse.Namespace) -> int:
    from workstation.codes import books

    try:
        m = books.manifest()
    except books.CodebookError as exc:
        raise UsageError(str(exc)) from None
    entries = m.get("codebooks", {})
    if getattr(args, "json", False):
        sys.stdout.write(orjson.dumps(m, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode() + "\n")
        return 0
    if not entries:
        print("no compiled code books; build them with: workstation codebooks build --sources DIR")
        return 0
    for name in sorted(entries):
        e = entries[name]
        print(f"{name}: {e.get('release', '')}  [{e['file']}, {e['bytes'] / 1e6:.1f} MB]")
        for src in e.get("sources", []):
            print(f"  source {src['path']}  sha256 {src['sha256'][:16]}...")
        for k, v in e.get("counts", {}).items():
            print(f"  {k:>22}: {v}")
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    from workstation.codes import books
    from workstation.codes.diff import diff_releases

    try:
        old, new = books.icd10cm(args.old), books.icd10cm(args.new)
    except books.CodebookError as exc:
        raise UsageError(str(exc)) from None
    d = diff_releases(old, new)
    if args.json:
        sys.stdout.write(orjson.dumps(d, option=orjson.OPT_INDENT_2).decode() + "\n")
        return 0
    print(f"ICD-10-CM FY{args.old} -> FY{args.new}: {len(d['added'])} added, "
          f"{len(d['deleted'])} deleted, {len(d['retitled'])} retitled (billable codes)")
    for c in d["added"]:
        print(f"+ {c['code']:<9} {c['title']}")
    for c in d["deleted"]:
        print(f"- {c['code']:<9} {c['title']}")
    for c in d["retitled"]:
        print(f"~ {c['code']:<9} {c['old_title']}\n  {'':<9} -> {c['new_title']}")
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    from workstation.codes import books

    try:
        e = books.release_for_date(args.date, args.system)
    except (books.NoRelease, ValueError) as exc:
        raise UsageError(str(exc)) from None
    print(f"{args.date}: {e['release']} ({e['file']})")
    return 0


def cmd_lookup(args: argparse.Namespace) -> int:
    from workstation.codes import books
    from workstation.codes.lookup import lookup, LookupError_

    try:
        result = lookup(args.code, date=args.date, year=args.year)
    except (books.CodebookError, ValueError) as exc:
        raise UsageError(str(exc)) from None
    except LookupError_ as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        sys.stdout.write(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode() + "\n")
        return 0
    print(format_lookup(result))
    return 0


def format_lookup(r: dict) -> str:
    lines = [f"{r['code']}  {r['title']}"]
    flag = "billable" if r["billable"] else ("header: needs a 7th character" if r.get("needs_seventh") else "header: not billable")
    lines.append(f"  {r['system']} {r.get('release', '')} - {flag}")
    if r.get("path"):
        lines.append("  path:")
        for p in r["path"]:
            lines.append(f"    {p['code']:<12} {p['title']}")
    if r.get("axes"):
        lines.append("  axes:")
        for a in r["axes"]:
            lines.append(f"    {a['position']}. {a['name']:<20} {a['value']}  {a['label']}")
    if r.get("seventh"):
        s = r["seventh"]
        lines.append(f"  7th characters (from {s['origin']}):")
        for ch, meaning in s["chars"]:
            lines.append(f"    {ch}  {meaning}")
    if r.get("notes"):
        lines.append("  notes:")
        for n in r["notes"]:
            if n["kind"] == "seventh_char":
                continue
            lines.append(f"    [{n['label']} - from {n['origin']}] {n['text']}")
    return "\n".join(lines)
