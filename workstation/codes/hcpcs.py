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
    def __init__(self, doc: dict[str, Any]) -> None:
        self._codes: dict[str, list[Any]] = doc["codes"]
        self._mods: dict[str, list[Any]] = doc["modifiers"]
        self._pos: dict[str, list[Any]] = doc["pos"]
        self.release = RELEASE

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


def hcpcs() -> HCPCS:
    """The compiled HCPCS Level II book (codes, modifiers, places of service), loaded on first use."""
    from workstation.codes import books

    return books.open_book(SYSTEM, lambda doc, _name, _entry: HCPCS(doc), default=BOOK)


def modifiers() -> dict[str, Modifier]:
    """HCPCS Level II modifiers (July 2025): {"LT": Modifier("LT", "Left side (...)", ...)}."""
    return hcpcs().modifiers()


def place_of_service() -> dict[str, PlaceOfService]:
    """CMS Place of Service codes: {"11": PlaceOfService("11", "Office", False, "Office")}."""
    return hcpcs().places_of_service()


# ---------------------------------------------------------------- lookup

def hcpcs_result(code: str, date: str | None = None, year: int | None = None) -> LookupResult | None:
    c = code.strip().upper()
    if not HCPCS_FORMAT.match(c):
        return None
    hit = hcpcs().get(c)
    if hit is None:
        return None
    notes: list[LookupNote] = []
    if hit.short:
        stale = "" if hit.short_current else " (its long description then read differently)"
        notes.append(_note("short", "Short description", f"{hit.short}{stale}", f"HCPCS {hit.short_release}"))
    return {
        "code": hit.code,
        "system": SYSTEM,
        "release": RELEASE,
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
