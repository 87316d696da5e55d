"""HCPCS Level II codes, HCPCS modifiers and CMS Place of Service codes.

Sources (official CMS releases, see SOURCES.md):
  * July 2025 alpha-numeric HCPCS file (codes and modifiers with long descriptions only);
  * short descriptions from older releases where they exist: the 2022 CSV republication of the
    CMS file first, else the 2020 fixed-width CMS file. Each short description records the
    release it comes from, and whether that release's long description still reads the same
    (if not, the short one may be out of date);
  * the 2020 file also gives the date a code was added and its BETOS and coverage codes (as
    of 2020);
  * the CMS Place of Service code set (51 codes), with the 2022 wording kept beside it.

Compiled layout (`codebooks/hcpcs-2025.json.gz`):
  codes:     {code: [long, short, short release, short still current (0/1), added, betos, coverage]}
  modifiers: {modifier: [long, short, short release]}
  pos:       {code: [name, telehealth (0/1), name in the 2022 list or ""]}
  dates:     {code or modifier: [added, terminated]} (ISO, "" unknown): installed quarterly
             releases only, whose records carry ADD DT and TERM DT

A quarterly release the coder installs (`workstation codebooks install`, see
`codes/hcpcs_release.py`) is compiled into the same layout by `compile_release` and serves from
its quarter's first day: `hcpcs(date=...)` picks the newest book in force on a date, and
`HCPCS.invalid_on` refuses a code its book does not have, a code added after the date, or a code
past its termination date.
"""
from __future__ import annotations

import csv
import io
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import orjson

from workstation.codes.errors import SourceError
from workstation.codes.formats import HCPCS_FORMAT, MODIFIER_FORMAT, POS_FORMAT

SYSTEM = "hcpcs"
RELEASE = "2025 July"
BOOK = "hcpcs-2025"
SOURCES = {
    "long": "hcpcs/HCPC2025_JUL_ANWEB_v3.derived.csv",
    "short_2022": "hcpcs/tuva_hcpcs_level_2_2022.csv",
    "fixed_2020": "hcpcs/HCPC2020_ANWEB_w_disclaimer.txt",
    "modifiers": "modifiers/hcpcs_level2_modifiers_2025JUL.derived.csv",
    "pos": "place-of-service/somo_cms_place_of_service_codes.json",
    "pos_2022": "place-of-service/tuva_place_of_service_2022.csv",
}

# HCPCS Level II sections, by code range (first letter and number), as CMS names them.
SECTIONS: list[tuple[str, str, str]] = [
    ("A0000", "A0999", "Transportation Services Including Ambulance"),
    ("A2000", "A8999", "Medical and Surgical Supplies"),
    ("A9000", "A9999", "Administrative, Miscellaneous and Investigational"),
    ("B0000", "B9999", "Enteral and Parenteral Therapy"),
    ("C0000", "C9999", "Outpatient PPS"),
    ("E0000", "E9999", "Durable Medical Equipment"),
    ("G0000", "G9999", "Procedures/Professional Services (Temporary)"),
    ("H0000", "H9999", "Alcohol and Drug Abuse Treatment Services"),
    ("J0000", "J8999", "Drugs Administered Other Than Oral Method"),
    ("J9000", "J9999", "Chemotherapy Drugs"),
    ("K0000", "K9999", "Temporary Codes"),
    ("L0000", "L4999", "Orthotic Procedures and Devices"),
    ("L5000", "L9999", "Prosthetic Procedures"),
    ("M0000", "M9999", "Medical Services"),
    ("P0000", "P9999", "Pathology and Laboratory Services"),
    ("Q0000", "Q9999", "Q Codes (Temporary)"),
    ("R0000", "R9999", "Diagnostic Radiology Services"),
    ("S0000", "S9999", "Temporary National Codes (Non-Medicare)"),
    ("T0000", "T9999", "National T Codes Established for State Medicaid Agencies"),
    ("U0000", "U9999", "Coronavirus Diagnostic Panel"),
    ("V0000", "V2999", "Vision Services"),
    ("V5000", "V5999", "Hearing Services"),
]

# The 2020 CMS fixed-width record (HCPC2020_ANWEB): 1-based, inclusive columns.
F2020 = {
    "code": (1, 5), "seq": (6, 10), "rec": (11, 11), "long": (12, 91), "short": (92, 119),
    "coverage": (230, 230), "betos": (257, 259), "added": (269, 276), "effective": (277, 284),
    "terminated": (285, 292), "action": (293, 293),
}
# Record identification: 3 procedure, 4 its continuation, 7 modifier, 8 its continuation.
_REC_FIRST = {"3", "7"}
_REC_MORE = {"4", "8"}


# ---------------------------------------------------------------- compile

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


# ---------------------------------------------------------------- query

@dataclass(frozen=True)
class Section:
    start: str
    end: str
    name: str

    @property
    def key(self) -> str:
        """'A0000-A0999': the range, as a stable id for trees and menus."""
        return f"{self.start}-{self.end}"

    @property
    def title(self) -> str:
        return self.name


@dataclass(frozen=True)
class HcpcsCode:
    code: str
    long: str
    short: str            # "" when no release we hold has one
    short_release: str    # "2022", "2020" or ""
    short_current: bool   # that release's long description reads as the 2025 one
    added: str            # YYYYMMDD the code was added (2020 file), "" if newer
    betos: str            # as of 2020
    coverage: str         # Medicare coverage code as of 2020
    section: Section | None


@dataclass(frozen=True)
class Modifier:
    code: str
    long: str
    short: str
    short_release: str


@dataclass(frozen=True)
class PlaceOfService:
    code: str
    name: str
    telehealth: bool
    name_2022: str


def section_of(code: str) -> Section | None:
    c = code.strip().upper()
    for start, end, name in SECTIONS:
        if start <= c <= end:
            return Section(start, end, name)
    return None


class HCPCS:
    def __init__(self, doc: dict[str, Any], name: str = BOOK, release: str = RELEASE,
                 effective_from: str = "2025-07-01", origin: str = "shipped") -> None:
        self._codes: dict[str, list[Any]] = doc["codes"]
        self._mods: dict[str, list[Any]] = doc["modifiers"]
        self._pos: dict[str, list[Any]] = doc["pos"]
        self._dates: dict[str, list[str]] = doc.get("dates", {})
        self.name = name
        self.release = release
        self.effective_from = effective_from
        self.origin = origin

    def dates(self, code: str) -> tuple[str, str]:
        """(added, terminated) as the release's record gives them (ISO; "" when it does not)."""
        d = self._dates.get(code.strip().upper())
        return (d[0], d[1]) if d else ("", "")

    def invalid_on(self, code: str, day: str) -> str:
        """Why a code or modifier may not be billed on `day` under this release ("" when it may)."""
        c = code.strip().upper()
        if c not in self._codes and c not in self._mods:
            return f"{c} is not in HCPCS {self.release}"
        added, ended = self.dates(c)
        if added and day < added:
            return f"{c} was added {added} (HCPCS {self.release}); not valid on {day}"
        if ended and day > ended:
            return f"{c} was terminated {ended} (HCPCS {self.release}); not valid on {day}"
        return ""

    def __len__(self) -> int:
        return len(self._codes)

    def __contains__(self, code: str) -> bool:
        return code.strip().upper() in self._codes

    def get(self, code: str) -> HcpcsCode | None:
        c = code.strip().upper()
        row = self._codes.get(c)
        if row is None:
            return None
        long, short, rel, current, added, betos, cov = row
        return HcpcsCode(c, long, short, rel, bool(current), added, betos, cov, section_of(c))

    def all_codes(self) -> Iterator[HcpcsCode]:
        for c in self._codes:
            yield self.get(c)  # type: ignore[misc]

    def sections(self) -> list[Section]:
        return [Section(*s) for s in SECTIONS]

    def in_section(self, section: Section) -> list[HcpcsCode]:
        return [self.get(c) for c in sorted(self._codes) if section.start <= c <= section.end]  # type: ignore[misc]

    def codes_in_section(self, key: str) -> list[HcpcsCode]:
        """Codes of the section with this key ('A0000-A0999'), in code order."""
        start, _, end = key.partition("-")
        return self.in_section(Section(start, end or start, ""))

    def modifiers(self) -> dict[str, Modifier]:
        return {m: Modifier(m, *row) for m, row in self._mods.items()}

    def modifier(self, code: str) -> Modifier | None:
        m = code.strip().upper()
        row = self._mods.get(m)
        return Modifier(m, *row) if row else None

    def places_of_service(self) -> dict[str, PlaceOfService]:
        return {c: PlaceOfService(c, r[0], bool(r[1]), r[2]) for c, r in self._pos.items()}


_lock = threading.Lock()
_books: dict[str, HCPCS] = {}


def releases() -> list[dict[str, Any]]:
    """The HCPCS books in the manifest (shipped and installed), oldest first; a book installed for
    the same quarter as a shipped one comes after it (and so serves in its place)."""
    from workstation.codes import books

    es = [{**e, "name": n} for n, e in books.manifest()["codebooks"].items() if e["system"] == SYSTEM]
    return sorted(es, key=lambda e: (e.get("effective_from", ""), e.get("origin") == "installed", e["name"]))


def book_for(day: str | None = None) -> dict[str, Any]:
    """The manifest entry of the HCPCS release in force on `day` (the newest one when no day is
    given); a day before every compiled release gets the oldest (shown as dated on the claim)."""
    from workstation.codes import books

    es = releases()
    if not es:
        raise books.CodebookError(f"no compiled HCPCS book; build it with: {books.REBUILD}")
    try:
        d = books.as_date(day).isoformat() if day else ""
    except ValueError:  # an impossible date is the date check's to report: use the newest
        d = ""
    if not d:
        return es[-1]
    in_force = [e for e in es if e.get("effective_from", "") <= d]
    return in_force[-1] if in_force else es[0]


def hcpcs(date: str | None = None) -> HCPCS:
    """The compiled HCPCS Level II book (codes, modifiers, places of service) in force on a date of
    service, or the newest one; loaded on first use."""
    e = book_for(date)
    name = e["name"]
    book = _books.get(name)
    if book is None:
        with _lock:
            book = _books.get(name)
            if book is None:
                from workstation.codes.books import load_doc

                release = e.get("release", RELEASE).replace(" (installed)", "")
                book = _books[name] = HCPCS(load_doc(name), name, release, e.get("effective_from", ""),
                                            e.get("origin", "shipped"))
    return book


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


def modifiers() -> dict[str, Modifier]:
    """HCPCS Level II modifiers (July 2025): {"LT": Modifier("LT", "Left side (...)", ...)}."""
    return hcpcs().modifiers()


def place_of_service() -> dict[str, PlaceOfService]:
    """CMS Place of Service codes: {"11": PlaceOfService("11", "Office", False, "Office")}."""
    return hcpcs().places_of_service()


# ---------------------------------------------------------------- lookup

def hcpcs_result(code: str, date: str | None = None, year: int | None = None) -> dict[str, Any] | None:
    """The lookup of a HCPCS code in the release in force on `date` (the newest without one);
    LookupError_ when that release has the code but not on that day (added later, terminated)."""
    from workstation.codes.errors import LookupError_

    c = code.strip().upper()
    if not HCPCS_FORMAT.match(c):
        return None
    book = hcpcs(date)
    hit = book.get(c)
    if hit is None:
        if date:
            for e in releases():
                if e["name"] != book.name and c in hcpcs(e["effective_from"]):
                    raise LookupError_(f"{c} is not in HCPCS {book.release}, the release in force on {date}; "
                                       f"it is in HCPCS {hcpcs(e['effective_from']).release} (from {e['effective_from']})")
        return None
    if date and (why := book.invalid_on(c, str(date))):
        raise LookupError_(why)
    notes = []
    if hit.short:
        stale = "" if hit.short_current else " (its long description then read differently)"
        notes.append(_note("short", "Short description", f"{hit.short}{stale}", f"HCPCS {hit.short_release}"))
    return {
        "code": hit.code,
        "system": SYSTEM,
        "release": book.release,
        "book": {"name": book.name, "origin": book.origin, "effective_from": book.effective_from},
        "title": hit.long,
        "short": hit.short,
        "short_release": hit.short_release,
        "billable": True,
        "level": "code",
        "section": hit.section.name if hit.section else "",
        "path": [{"code": f"{hit.section.start}-{hit.section.end}", "title": hit.section.name, "level": "section"}] if hit.section else [],
        "notes": notes,
        "seventh": None,
    }


def _note(kind: str, label: str, text: str, origin: str) -> dict[str, Any]:
    return {"kind": kind, "label": label, "text": text, "origin": origin, "origin_level": "", "refs": []}


def hcpcs_lookup(code: str, date: str | None = None, year: int | None = None) -> dict[str, Any] | None:
    hit = hcpcs_result(code, date=date, year=year)
    if hit is None:
        return None
    # Five dotless characters can also be an ICD-10-CM code (G0439 / G04.39): say so.
    try:
        from workstation.codes import books

        cm = books.icd10cm(year, date=date) if (year or date) else books.icd10cm()
        other = cm.get(code)
    except Exception:  # no ICD-10-CM book is no reason to fail a HCPCS lookup
        other = None
    if other is not None:
        hit["also"] = {"system": "icd10cm", "code": other.code, "title": other.title}
        hit["notes"].append(_note("also", "Also ICD-10-CM", f"{other.code} {other.title} (type it with the dot for ICD-10-CM)", f"ICD-10-CM FY{cm.fiscal_year}"))
    return hit
