"""`workstation codebooks build|info|diff|release` and `workstation lookup`."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import orjson

from workstation.codes.bookfile import update_manifest
from workstation.codes.build import build_all
from workstation.codes.errors import SourceError
from workstation.commands import UsageError
from workstation.paths import codebooks_dir
from workstation.search.index import build_search


def register(sub: argparse._SubParsersAction) -> None:
    cb = sub.add_parser("codebooks", help="build and inspect the compiled code books")
    cbs = cb.add_subparsers(dest="codebooks_command", metavar="ACTION", required=True)

    b = cbs.add_parser("build", help="compile the official sources into codebooks/")
    b.add_argument("--sources", required=True, help="folder of official source files (codebook-sources)")
    b.add_argument("--out", help="output folder (default: codebooks/)")
    b.add_argument("--only", nargs="*", help="only these code sets (icd10cm, index, icd10pcs, hcpcs, mce, registry, search)")
    b.set_defaults(func=cmd_build)

    ins = cbs.add_parser("install", help="install a CMS/CDC release (.zip or folder) into the user data folder")
    ins.add_argument("path", help="the release as downloaded: a .zip, or the folder it unpacks to")
    ins.set_defaults(func=cmd_install)

    i = cbs.add_parser("info", help="compiled releases and their counts")
    i.add_argument("--json", action="store_true")
    i.set_defaults(func=cmd_info)

    d = cbs.add_parser("diff", help="codes added, deleted and retitled between two ICD-10-CM years")
    d.add_argument("old", type=int)
    d.add_argument("new", type=int)
    d.add_argument("--json", action="store_true")
    d.set_defaults(func=cmd_diff)

    im = cbs.add_parser("impact", help="cases whose codes a new ICD-10-CM year deleted, made headers or retitled")
    im.add_argument("--session", required=True, help="session store (name in sessions/ or a path)")
    im.add_argument("--from", dest="old", type=int, help="old fiscal year (default: the one before --to)")
    im.add_argument("--to", dest="new", type=int, help="new fiscal year (default: the newest compiled)")
    im.add_argument("--json", action="store_true")
    im.set_defaults(func=cmd_impact)

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
    sources = Path(args.sources)
    if not sources.is_dir():
        raise UsageError(f"sources folder {sources} does not exist")
    out = Path(args.out) if args.out else codebooks_dir()
    only = args.only or None
    book_sets = [n for n in only if n != "search"] if only else None
    try:
        if only is None or book_sets:
            build_all(sources, out, book_sets)
        if only is None or "search" in only:
            # The search index reads every compiled book, so it is built after them.
            print("building search")
            update_manifest(out, build_search(sources, out, print))
    except SourceError as exc:
        raise UsageError(str(exc)) from None
    return 0


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
    print("Which book serves which dates:")
    for line in serving_lines(entries):
        print("  " + line)
    print()
    for name in sorted(entries):
        e = entries[name]
        print(f"{name}: {e.get('release', '')}  [{e['file']}, {e['bytes'] / 1e6:.1f} MB]")
        for src in e.get("sources", []):
            print(f"  source {src['path']}  sha256 {src['sha256'][:16]}...")
        for k, v in e.get("counts", {}).items():
            print(f"  {k:>22}: {v}")
    return 0


def serving_lines(entries: dict) -> list[str]:
    """One line per dated book: name, dates it serves, where it came from."""
    from datetime import date, timedelta

    out = []
    # HCPCS: each quarterly book serves until the next one starts; an installed book of the same
    # quarter as the shipped one serves in its place.
    hc = sorted((n for n in entries if entries[n]["system"] == "hcpcs" and entries[n].get("effective_from")),
                key=lambda n: (entries[n]["effective_from"], entries[n].get("origin") == "installed", n))
    hc_end: dict[str, str] = {}
    for a, b in zip(hc, hc[1:]):
        sa, sb = entries[a]["effective_from"], entries[b]["effective_from"]
        hc_end[a] = f"replaced by {b}" if sa == sb else (date.fromisoformat(sb) - timedelta(days=1)).isoformat()
    for name in sorted(entries, key=lambda n: (entries[n]["system"], entries[n].get("effective_from") or "", n)):
        e = entries[name]
        start = e.get("update_from") or e.get("effective_from")
        if not start:
            continue
        end = e.get("effective_to") or hc_end.get(name) or "(until replaced)"
        origin = e.get("origin", "shipped")
        where = e.get("installed_from", "") if origin == "installed" else ""
        out.append(f"{name:<20} {start} .. {end:<16} {origin:<11} {e.get('release', '')}" + (f"  from {where}" if where else ""))
        if e.get("missing"):
            out.append(f"{'':<20} missing: {e['missing']}")
        if e["system"] in ("icd10pcs", "mce") and e.get("effective_to"):
            out.append(f"{'':<20} also serves later dates (no newer release compiled): cases and claims show it as dated")
    return out


def cmd_install(args: argparse.Namespace) -> int:
    from workstation.codes.compile.install import InstallError, install
    from workstation.grouping.tables_install import TablesInstallError, install_tables  # POA exempt, IPPS Table 5

    try:
        if install_tables(Path(args.path)).only:  # nothing else in PATH: no code-set release to install
            return 0
        install(Path(args.path))
    except (InstallError, TablesInstallError) as exc:
        raise UsageError(str(exc)) from None
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
          f"{len(d['deleted']) + len(d['became_header'])} deleted ({len(d['deleted'])} gone, "
          f"{len(d['became_header'])} became headers), {len(d['retitled'])} retitled (billable codes)")
    for c in d["added"]:
        print(f"+ {c['code']:<9} {c['title']}")
    for c in d["deleted"]:
        print(f"- {c['code']:<9} {c['title']}")
    for c in d["became_header"]:
        print(f"> {c['code']:<9} {c['title']}  (now a header: use {', '.join(c['replaced_by'])})")
    for c in d["retitled"]:
        print(f"~ {c['code']:<9} {c['old_title']}\n  {'':<9} -> {c['new_title']}")
    return 0


def cmd_impact(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from workstation.codes import books
    from workstation.session.impact import impact
    from workstation.session.store import SessionStore, StoreError, resolve_path

    try:
        years = books.icd10cm_years()
        new = args.new or years[-1]
        old = args.old or max((y for y in years if y < new), default=new)
        if old not in years or new not in years or old >= new:
            raise UsageError(f"--from/--to must be two compiled ICD-10-CM years, old before new (have: {years})")
        with SessionStore.open(resolve_path(args.session), create=False, readonly=True) as store:
            found = impact(store.cases(), store.all_work(), old, new)
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    except books.CodebookError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        sys.stdout.write(orjson.dumps({"from": old, "to": new, "cases": [asdict(c) for c in found]},
                                      option=orjson.OPT_INDENT_2).decode() + "\n")
        return 0
    must = [c for c in found if c.must_change]
    print(f"ICD-10-CM FY{old} -> FY{new}: {len(found)} cases with affected codes, {len(must)} must change "
          f"(their date of service is in FY{new})")
    for c in found:
        mark = "MUST CHANGE" if c.must_change else f"FY{c.fiscal_year}: keeps its codes"
        print(f"{c.case_id}  {c.coding_date}  [{mark}]")
        for h in c.codes:
            print(f"  {h.code:<9} {h.change}: {h.detail}")
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
    lines.append(f"  {r['system']} {r.get('release', '')}"
                 + (" (provisional book)" if (r.get("book") or {}).get("provisional") else "") + f" - {flag}")
    if r.get("provenance"):
        p = r["provenance"]
        lines.append(f"  FY change: {p['change']}")
        lines.append(f"  text from: {p['basis']}")
        lines.append(f"  missing:   {p['missing']}")
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
        incl = s.get("inclusions") or {}
        for ch, meaning in s["chars"]:
            lines.append(f"    {ch}  {meaning}")
            for t in incl.get(ch, []):
                lines.append(f"         includes: {t}")
    if r.get("notes"):
        lines.append("  notes:")
        for n in r["notes"]:
            if n["kind"] == "seventh_char":
                continue
            lines.append(f"    [{n['label']} - from {n['origin']}] {n['text']}")
    return "\n".join(lines)
