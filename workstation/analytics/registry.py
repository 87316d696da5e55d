"""Case finding for the cancer registry, from the compiled `codebooks/registry.json.gz`.

A coded ICD-10-CM diagnosis is
- "reportable" when the IMS ICD-10-CM -> ICD-O-3 table lists it with flag Y,
- "not reportable" when the table lists it with flag O (e.g. carcinoma in situ of the skin, D04),
- "check" when it is a neoplasm code (ICD-10-CM chapter 2, C00-D49) the table does not list:
  a registrar must look at it; no site or histology is guessed from a neighbouring code,
- not a registry code otherwise (None).
The SEER site recode (2023) is computed from the ICD-O-3 site, histology, behavior and the year of
diagnosis exactly as the SEER table orders its rows: the first row that matches wins.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workstation.codes import books
from workstation.codes.icd10cm import normalize

REPORTABLE = "reportable"
NOT_REPORTABLE = "not reportable"
CHECK = "check"

@dataclass(frozen=True)
class Finding:
    code: str
    status: str  # REPORTABLE, NOT_REPORTABLE or CHECK
    site: str = ""  # ICD-O-3 topography, e.g. C509
    histology: str = ""  # ICD-O-3 morphology, 4 digits
    behavior: str = ""  # 0 benign, 1 uncertain, 2 in situ, 3 malignant, 6 metastatic
    grade: str = ""
    laterality: str = ""  # NAACCR laterality code as the table gives it
    recode: str = ""  # SEER site recode (2023), "" when no row matches
    recode_name: str = ""


@dataclass(frozen=True)
class RecodeRow:
    recode: str
    name: str
    sites: tuple[tuple[int, int], ...]
    hist_in: tuple[tuple[int, int], ...]
    hist_out: tuple[tuple[int, int], ...]
    beh_in: frozenset[str]
    year_min: int | None
    year_max: int | None

    def matches(self, site: int, hist: int, beh: str, year: int | None) -> bool:
        if not any(a <= site <= b for a, b in self.sites):
            return False
        if self.hist_in and not any(a <= hist <= b for a, b in self.hist_in):
            return False
        if any(a <= hist <= b for a, b in self.hist_out):
            return False
        if self.beh_in and beh not in self.beh_in:
            return False
        if year is not None:
            if self.year_min is not None and year < self.year_min:
                return False
            if self.year_max is not None and year > self.year_max:
                return False
        return True


class Registry:
    def __init__(self, doc: dict[str, Any]) -> None:
        self.icdo3: dict[str, list[str]] = doc["icdo3"]
        sr = doc["site_recode"]
        self.recode_edition: str = sr["edition"]
        self.groups: dict[str, str] = sr["groups"]
        self.rows = [RecodeRow(r["recode"], r["name"], tuple(map(tuple, r["sites"])), tuple(map(tuple, r["hist_in"])),
                               tuple(map(tuple, r["hist_out"])), frozenset(r["beh_in"]), r["year_min"], r["year_max"])
                     for r in sr["rows"]]
        self.naaccr: dict[str, Any] = doc["naaccr"]
        self._cache: dict[tuple[str, int | None], Finding | None] = {}

    def site_recode(self, site: str, histology: str, behavior: str, year: int | None = None) -> str:
        try:
            s = int(site.lstrip("C"))
            h = int(histology)
        except ValueError:
            return ""
        for row in self.rows:
            if row.matches(s, h, behavior, year):
                return row.recode
        return ""

    def find(self, code: str, year: int | None = None, neoplasm_chapter: bool | None = None) -> Finding | None:
        """The registry finding for a diagnosis code; `neoplasm_chapter` says whether the code is in
        ICD-10-CM chapter 2 (else the code's first letter and digits decide: C00-D49)."""
        key = (code, year)
        if key in self._cache:
            return self._cache[key]
        c = normalize(code)
        row = self.icdo3.get(c)
        out: Finding | None
        if row is not None:
            site, hist, beh, grade, lat, flag, _gender = row
            rc = self.site_recode(site, hist, beh, year)
            out = Finding(c, REPORTABLE if flag == "Y" else NOT_REPORTABLE, site, hist, beh, grade, lat, rc,
                          self.groups.get(rc, ""))
        else:
            in_ch2 = neoplasm_chapter if neoplasm_chapter is not None else _is_neoplasm_code(c)
            out = Finding(c, CHECK) if in_ch2 else None
        self._cache[key] = out
        return out


def _is_neoplasm_code(code: str) -> bool:
    """ICD-10-CM chapter 2 spans C00-D49."""
    head = code[:3].upper()
    return head[:1] == "C" or ("D00" <= head <= "D49")


def registry() -> Registry:
    """The compiled registry maps (ICD-10-CM to ICD-O-3, SEER site recode, NAACCR items)."""
    return books.open_book("registry", lambda doc, _name, _entry: Registry(doc), default="registry")
