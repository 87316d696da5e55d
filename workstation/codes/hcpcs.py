"""HCPCS Level II codes, HCPCS modifiers and CMS Place of Service codes (compiled by
`codes/compile/hcpcs.py`).

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
`codes/compile/hcpcs_release.py`) is compiled into the same layout by `compile/hcpcs.compile_release` and serves from
its quarter's first day: `hcpcs(date=...)` picks the newest book in force on a date, and
`HCPCS.invalid_on` refuses a code its book does not have, a code added after the date, or a code
past its termination date.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from workstation.codes.formats import HCPCS_FORMAT
from workstation.codes.lookup_result import LookupNote, LookupResult

SYSTEM = "hcpcs"
RELEASE = "2025 July"
BOOK = "hcpcs-2025"

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
    from workstation.codes import books

    return books.open_book(SYSTEM, _read, name=book_for(date)["name"])


def _read(doc: dict[str, Any], name: str, entry: dict[str, Any]) -> HCPCS:
    release = entry.get("release", RELEASE).replace(" (installed)", "")
    return HCPCS(doc, name, release, entry.get("effective_from", ""), entry.get("origin", "shipped"))


def modifiers() -> dict[str, Modifier]:
    """HCPCS Level II modifiers (July 2025): {"LT": Modifier("LT", "Left side (...)", ...)}."""
    return hcpcs().modifiers()


def place_of_service() -> dict[str, PlaceOfService]:
    """CMS Place of Service codes: {"11": PlaceOfService("11", "Office", False, "Office")}."""
    return hcpcs().places_of_service()


# ---------------------------------------------------------------- lookup

def hcpcs_result(code: str, date: str | None = None, year: int | None = None) -> LookupResult | None:
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
    notes: list[LookupNote] = []
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


def _note(kind: str, label: str, text: str, origin: str) -> LookupNote:
    return {"kind": kind, "label": label, "text": text, "origin": origin, "origin_level": "", "refs": []}
