"""Compile the CMS HCPCS Level II files, the modifiers and the Place of Service codes into the
compiled HCPCS book (build time only).

The sources and the compiled layout are described in `workstation/codes/hcpcs.py`, which reads
the book at run time.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any, Callable, Iterator

import orjson

from workstation.codes.errors import SourceError
from workstation.codes.formats import HCPCS_FORMAT, MODIFIER_FORMAT, POS_FORMAT
from workstation.codes.hcpcs import BOOK, HCPCS, RELEASE, SYSTEM

SOURCES = {
    "long": "hcpcs/HCPC2025_JUL_ANWEB_v3.derived.csv",
    "short_2022": "hcpcs/tuva_hcpcs_level_2_2022.csv",
    "fixed_2020": "hcpcs/HCPC2020_ANWEB_w_disclaimer.txt",
    "modifiers": "modifiers/hcpcs_level2_modifiers_2025JUL.derived.csv",
    "pos": "place-of-service/somo_cms_place_of_service_codes.json",
    "pos_2022": "place-of-service/tuva_place_of_service_2022.csv",
}

# The 2020 CMS fixed-width record (HCPC2020_ANWEB): 1-based, inclusive columns.
F2020 = {
    "code": (1, 5), "seq": (6, 10), "rec": (11, 11), "long": (12, 91), "short": (92, 119),
    "coverage": (230, 230), "betos": (257, 259), "added": (269, 276), "effective": (277, 284),
    "terminated": (285, 292), "action": (293, 293),
}
# Record identification: 3 procedure, 4 its continuation, 7 modifier, 8 its continuation.
_REC_FIRST = {"3", "7"}
_REC_MORE = {"4", "8"}


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(f"missing source file {path}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")  # the CMS text files are Windows-1252


def _csv_rows(path: Path, header: list[str]) -> Iterator[tuple[int, list[str]]]:
    """Rows after a header that must start with `header` (case-insensitive); (line number, row)."""
    reader = csv.reader(io.StringIO(_read_text(path)))
    try:
        head = next(reader)
    except StopIteration:
        raise SourceError(f"{path}:1: empty file") from None
    if [h.strip().lower() for h in head[: len(header)]] != [h.lower() for h in header]:
        raise SourceError(f"{path}:1: expected columns {', '.join(header)}, found {', '.join(head)}")
    for row in reader:
        if not any(c.strip() for c in row):
            continue
        if len(row) < len(header):
            raise SourceError(f"{path}:{reader.line_num}: expected {len(header)} columns, found {len(row)}")
        yield reader.line_num, row


def _col(line: str, name: str) -> str:
    a, b = F2020[name]
    return line[a - 1 : b]


def parse_2020(path: Path) -> dict[str, dict[str, str]]:
    """The fixed-width 2020 file -> {code or modifier: {long, short, coverage, betos, added, ...}}."""
    out: dict[str, dict[str, str]] = {}
    record = re.compile(r"^[ A-Z0-9]{5}\d{5}[3478]")
    started = False
    last: str | None = None
    for n, line in enumerate(_read_text(path).splitlines(), 1):
        if not record.match(line):
            if started and line.strip():
                raise SourceError(f"{path}:{n}: not a HCPCS record (expected code, sequence and record id in columns 1-11)")
            continue  # the disclaimer before the first record
        started = True
        code, rec = _col(line, "code").strip(), _col(line, "rec")
        if rec in _REC_FIRST:
            if len(line) < F2020["action"][1]:
                raise SourceError(f"{path}:{n}: record for {code} is {len(line)} characters, shorter than the layout's {F2020['action'][1]}")
            out[code] = {k: _col(line, k).strip() for k in F2020 if k not in ("code", "seq", "rec")}
            last = code
        else:
            if code != last or code not in out:
                raise SourceError(f"{path}:{n}: continuation line for {code} without its first line")
            out[code]["long"] = (out[code]["long"] + " " + _col(line, "long").strip()).strip()
    if not out:
        raise SourceError(f"{path}: no HCPCS records found")
    return out


def parse_2022(path: Path) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for n, row in _csv_rows(path, ["hcpcs", "seqnum", "recid", "long_description", "short_description"]):
        code = row[0].strip()
        if not (HCPCS_FORMAT.match(code) or MODIFIER_FORMAT.match(code)):
            raise SourceError(f"{path}:{n}: malformed HCPCS code or modifier {code!r}")
        if row[2].strip() in _REC_FIRST and code not in out:
            out[code] = (row[3].strip(), row[4].strip())
    return out


def _same(a: str, b: str) -> bool:
    norm = lambda s: " ".join(s.lower().split())  # noqa: E731
    return norm(a) == norm(b)


def compile_hcpcs(sources: Path) -> dict[str, Any]:
    long_path = sources / SOURCES["long"]
    codes_long: dict[str, str] = {}
    mods_long: dict[str, str] = {}
    for n, row in _csv_rows(long_path, ["HCPCS", "LONG_DESCRIPTION"]):
        code, desc = row[0].strip().upper(), " ".join(row[1].split())
        if not desc:
            raise SourceError(f"{long_path}:{n}: {code} has no description")
        if HCPCS_FORMAT.match(code):
            codes_long[code] = desc
        elif MODIFIER_FORMAT.match(code):
            mods_long[code] = desc
        else:
            raise SourceError(f"{long_path}:{n}: malformed HCPCS code or modifier {code!r}")
    if not codes_long:
        raise SourceError(f"{long_path}: no HCPCS codes found")

    old = parse_2020(sources / SOURCES["fixed_2020"])
    new = parse_2022(sources / SOURCES["short_2022"])

    def short_of(code: str, long: str) -> tuple[str, str, int]:
        for release, table in (("2022", new), ("2020", old)):
            hit = table.get(code)
            if hit is None:
                continue
            old_long, short = (hit[0], hit[1]) if isinstance(hit, tuple) else (hit["long"], hit["short"])
            if short:
                return short, release, int(_same(old_long, long))
        return "", "", 0

    codes: dict[str, list[Any]] = {}
    for code, long in codes_long.items():
        short, rel, current = short_of(code, long)
        extra = old.get(code, {})
        codes[code] = [long, short, rel, current, extra.get("added", ""), extra.get("betos", ""), extra.get("coverage", "")]

    mod_path = sources / SOURCES["modifiers"]
    modifiers: dict[str, list[Any]] = {}
    for n, row in _csv_rows(mod_path, ["modifier", "long_description"]):
        mod = row[0].strip().upper()
        if not MODIFIER_FORMAT.match(mod):
            raise SourceError(f"{mod_path}:{n}: malformed modifier {mod!r}")
        long = " ".join(row[1].split())
        short, rel, _ = short_of(mod, long)
        modifiers[mod] = [long, short, rel]
    missing = set(mods_long) - set(modifiers)
    for mod in sorted(missing):  # in the HCPCS file but not in the modifier list: keep them too
        short, rel, _ = short_of(mod, mods_long[mod])
        modifiers[mod] = [mods_long[mod], short, rel]

    pos_path = sources / SOURCES["pos"]
    try:
        pos_rows = orjson.loads(_read_text(pos_path))
    except orjson.JSONDecodeError as exc:
        raise SourceError(f"{pos_path}: malformed JSON ({exc})") from None
    pos_2022 = {r[0].strip(): r[1].strip() for _, r in _csv_rows(sources / SOURCES["pos_2022"], ["place_of_service_code", "description"])}
    pos: dict[str, list[Any]] = {}
    for i, r in enumerate(pos_rows, 1):
        code = str(r.get("code", "")).strip()
        if not POS_FORMAT.match(code) or not r.get("description"):
            raise SourceError(f"{pos_path}: entry {i}: malformed place of service {r!r}")
        pos[code] = [r["description"].strip(), int(bool(r.get("is_telehealth"))), pos_2022.get(code, "")]
    return {"codes": codes, "modifiers": modifiers, "pos": pos}


def build_hcpcs(sources: Path, out_dir: Path, log: Callable[[str], None] = print) -> dict[str, dict[str, Any]]:
    from workstation.codes.bookfile import source_entry, write_book

    doc = compile_hcpcs(sources)
    codes = doc["codes"]
    entry = {
        "system": SYSTEM,
        "release": RELEASE,
        "effective_from": "2025-07-01",
        "sources": [source_entry(sources / p, sources) for p in SOURCES.values()],
        "counts": {
            "codes": len(codes),
            "with_short_2022": sum(1 for c in codes.values() if c[2] == "2022"),
            "with_short_2020": sum(1 for c in codes.values() if c[2] == "2020"),
            "without_short": sum(1 for c in codes.values() if not c[2]),
            "modifiers": len(doc["modifiers"]),
            "places_of_service": len(doc["pos"]),
        },
    }
    out = write_book(out_dir, BOOK, doc, entry)
    log(f"  {BOOK}: {len(codes)} codes, {len(doc['modifiers'])} modifiers, {len(doc['pos'])} places of service")
    return {BOOK: out}


def compile_release(records: list[Any], label: str, base: HCPCS) -> dict[str, Any]:
    """The HCPCS book of a quarterly release (`hcpcs_release.Record`s), in the shipped layout.

    Short descriptions come from the release when it has them; a trimmed file without them keeps
    the shipped book's (with the release they come from, and whether its long description still
    reads the same). Places of service are not in the HCPCS file: the shipped list is kept."""
    codes: dict[str, list[Any]] = {}
    modifiers: dict[str, list[Any]] = {}
    dates: dict[str, list[str]] = {}
    old_codes, old_mods = base._codes, base._mods
    for r in records:
        if r.short:
            short, rel, current = r.short, label, 1
        else:
            prev = old_codes.get(r.code) or old_mods.get(r.code)
            if prev and prev[1]:
                short, rel = prev[1], prev[2]
                current = int(_same(prev[0], r.long) and bool(prev[3] if len(prev) > 3 else 1))
            else:
                short, rel, current = "", "", 0
        if r.added or r.terminated:
            dates[r.code] = [r.added, r.terminated]
        if HCPCS_FORMAT.match(r.code):
            prev = old_codes.get(r.code)
            added = r.added.replace("-", "") or (prev[4] if prev else "")
            codes[r.code] = [r.long, short, rel, current, added,
                             r.betos or (prev[5] if prev else ""), r.coverage or (prev[6] if prev else "")]
        else:
            modifiers[r.code] = [r.long, short, rel]
    if not codes:
        raise SourceError("no HCPCS codes in the release")
    return {"codes": codes, "modifiers": modifiers, "pos": base._pos, "dates": dates}
