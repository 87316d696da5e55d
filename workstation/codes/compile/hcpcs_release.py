"""A HCPCS Level II quarterly release as CMS publishes it, read into the compiled HCPCS book.

CMS posts the alpha-numeric HCPCS file each quarter ("July 2025 Alpha-Numeric HCPCS File"): a zip
holding `HCPC2025_JUL_ANWEB_v3.xlsx` and the same records as fixed-width text
(`HCPC2025_JUL_ANWEB_v3.txt`), with a readme, the record layout, the procedure notes and a
transaction report beside them. Annual files before the quarterly names read
`HCPC2020_ANWEB_w_disclaimer.txt` / `HCPC2020_CONTR_ANWEB.xlsx` (the January release).

Both forms hold one record per code or modifier (record id 3 / 7), with continuation records
(4 / 8) that carry the rest of a long description, and the dates that decide validity:
ADD DT (the code was added), ACT EFF DT (the action's effective date), TERM DT (the last day it
may be billed) and ACTION CD. The fixed-width columns are `compile/hcpcs.F2020` (the layout CMS has kept
since 2014). The workbook is read with the standard library (zipfile + XML), by its header row;
a workbook trimmed to the two columns HCPCS and LONG_DESCRIPTION (as the July 2025 copy among the
sources is) gives codes and long descriptions only: no dates, no short descriptions.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from datetime import date as Date, timedelta
from pathlib import Path

from workstation.codes.errors import SourceError
from workstation.codes.formats import HCPCS_FORMAT, MODIFIER_FORMAT

QUARTERS = {"JAN": 1, "APR": 4, "JUL": 7, "OCT": 10}
MONTH_NAMES = {"JAN": "January", "APR": "April", "JUL": "July", "OCT": "October"}
# HCPC2025_JUL_ANWEB_v3.xlsx, HCPC2024_JAN_ANWEB_v2.txt, HCPC2020_ANWEB_w_disclaimer.txt,
# HCPC2020_CONTR_ANWEB.xlsx. Not the transaction report, the NOC list or the readme.
RELEASE_FILE = re.compile(
    r"^HCPC(?P<year>\d{4})(?:_(?P<q>JAN|APR|JUL|OCT))?_(?:CONTR_)?ANWEB(?:_w_disclaimer)?(?:_v(?P<v>\d+))?"
    r"\.(?P<ext>xlsx|txt)$", re.I)
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
_M = "{%s}" % _NS["m"]
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


@dataclass(frozen=True)
class Release:
    """Which quarter a file is, by its CMS name."""

    year: int
    quarter: str  # JAN APR JUL OCT
    version: int

    @property
    def effective_from(self) -> str:
        return Date(self.year, QUARTERS[self.quarter], 1).isoformat()

    @property
    def label(self) -> str:
        return f"{self.year} {MONTH_NAMES[self.quarter]}"

    @property
    def name(self) -> str:
        return f"hcpcs-{self.year}-{self.quarter.lower()}"


def release_of(name: str) -> Release | None:
    m = RELEASE_FILE.match(name)
    if not m:
        return None
    return Release(int(m.group("year")), (m.group("q") or "JAN").upper(), int(m.group("v") or 1))


@dataclass
class Record:
    code: str
    long: str
    short: str = ""
    added: str = ""  # ISO dates, "" when the file does not give one
    effective: str = ""
    terminated: str = ""
    action: str = ""
    betos: str = ""
    coverage: str = ""


def _iso(value: str) -> str:
    """'20200101' (or an Excel date serial) -> '2020-01-01'; '' stays ''."""
    v = value.strip()
    if not v:
        return ""
    if re.fullmatch(r"\d+(\.0+)?", v):
        n = int(float(v))
        if 19000101 <= n <= 29991231:
            s = str(n)
            try:
                return Date(int(s[:4]), int(s[4:6]), int(s[6:])).isoformat()
            except ValueError:
                raise SourceError(f"not a date: {value!r}") from None
        if 20_000 < n < 80_000:  # Excel's day count from 1899-12-30
            return (Date(1899, 12, 30) + timedelta(days=n)).isoformat()
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", v)
    if m:
        return Date(int(m.group(3)), int(m.group(1)), int(m.group(2))).isoformat()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v[:10]):
        return v[:10]
    raise SourceError(f"not a date: {value!r}")


# ---------------------------------------------------------------- fixed-width text

def read_text(path: Path) -> list[Record]:
    from workstation.codes.compile.hcpcs import parse_2020

    out = []
    for code, r in parse_2020(path).items():
        try:
            out.append(Record(code, r["long"], r["short"], _iso(r["added"]), _iso(r["effective"]),
                              _iso(r["terminated"]), r["action"], r["betos"], r["coverage"]))
        except SourceError as exc:
            raise SourceError(f"{path.name}: {code}: {exc}") from None
    return out


# ---------------------------------------------------------------- workbook

def _col_index(ref: str) -> int:
    n = 0
    for ch in ref:
        if not ch.isalpha():
            break
        n = n * 26 + ord(ch.upper()) - 64
    return n - 1


def _sheet_rows(path: Path) -> list[list[str]]:
    """The first worksheet's rows as text (shared strings resolved), read with zipfile + XML."""
    try:
        z = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SourceError(f"{path.name}: not a readable workbook ({exc})") from None
    with z:
        try:
            wb = ET.fromstring(z.read("xl/workbook.xml"))
            rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
            first = wb.find("m:sheets/m:sheet", _NS)
            if first is None:
                raise SourceError(f"{path.name}: the workbook has no sheet")
            target = next(r.get("Target", "") for r in rels if r.get("Id") == first.get(_REL))
            sheet = "xl/" + target.lstrip("/").removeprefix("xl/")
            strings: list[str] = []
            if "xl/sharedStrings.xml" in z.namelist():
                for si in ET.fromstring(z.read("xl/sharedStrings.xml")).iter(_M + "si"):
                    strings.append("".join(t.text or "" for t in si.iter(_M + "t")))
            rows: list[list[str]] = []
            with z.open(sheet) as f:
                for _, el in ET.iterparse(f):
                    if el.tag != _M + "row":
                        continue
                    row: list[str] = []
                    for c in el.iter(_M + "c"):
                        i = _col_index(c.get("r", "")) if c.get("r") else len(row)
                        t = c.get("t", "")
                        if t == "inlineStr":
                            val = "".join(x.text or "" for x in c.iter(_M + "t"))
                        else:
                            v = c.find("m:v", _NS)
                            val = v.text or "" if v is not None else ""
                            if t == "s" and val:
                                val = strings[int(val)]
                        row.extend([""] * (i + 1 - len(row)))
                        row[i] = val
                    rows.append(row)
                    el.clear()
        except (KeyError, StopIteration, ET.ParseError, zipfile.BadZipFile, EOFError, IndexError, ValueError) as exc:
            raise SourceError(f"{path.name}: not a readable workbook ({type(exc).__name__}: {exc})") from None
    return rows


def _header(h: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", h.strip().upper()).strip("_")


def read_workbook(path: Path) -> list[Record]:
    rows = _sheet_rows(path)
    if not rows:
        raise SourceError(f"{path.name}: the sheet is empty")
    # The header row: the first; the "w_disclaimer" files put the disclaimer's lines above it.
    at = next((i for i, r in enumerate(rows[:30])
               if {"HCPC", "HCPCS"} & {_header(h) for h in r} and "LONG_DESCRIPTION" in {_header(h) for h in r}), 0)
    head = [_header(h) for h in rows[at]]
    col = {h: i for i, h in enumerate(head) if h}
    code_col = col.get("HCPC", col.get("HCPCS", col.get("HCPCS_CODE")))
    long_col = col.get("LONG_DESCRIPTION")
    if code_col is None or long_col is None:
        raise SourceError(f"{path.name}: no HCPCS header row (expected HCPC and LONG DESCRIPTION, "
                          f"found {', '.join(h for h in head if h) or 'nothing'})")

    def cell(row: list[str], name: str) -> str:
        i = col.get(name)
        return row[i].strip() if i is not None and i < len(row) else ""

    out: list[Record] = []
    by_code: dict[str, Record] = {}
    for n, row in enumerate(rows[at + 1 :], at + 2):
        if not any(x.strip() for x in row):
            continue
        code = row[code_col].strip().upper() if code_col < len(row) else ""
        long = " ".join((row[long_col] if long_col < len(row) else "").split())
        rec = cell(row, "RECID")
        if rec in ("4", "8"):  # continuation of the long description
            if code not in by_code:
                raise SourceError(f"{path.name}: row {n}: continuation for {code} without its first record")
            by_code[code].long = f"{by_code[code].long} {long}".strip()
            continue
        if not (HCPCS_FORMAT.match(code) or MODIFIER_FORMAT.match(code)):
            raise SourceError(f"{path.name}: row {n}: malformed HCPCS code or modifier {code!r}")
        if not long:
            raise SourceError(f"{path.name}: row {n}: {code} has no description")
        try:
            r = Record(code, long, cell(row, "SHORT_DESCRIPTION"), _iso(cell(row, "ADD_DT")),
                       _iso(cell(row, "ACT_EFF_DT")), _iso(cell(row, "TERM_DT")), cell(row, "ACTION_CD"),
                       cell(row, "BETOS"), cell(row, "COV"))
        except SourceError as exc:
            raise SourceError(f"{path.name}: row {n}: {code}: {exc}") from None
        if code in by_code:
            raise SourceError(f"{path.name}: row {n}: {code} appears twice")
        by_code[code] = r
        out.append(r)
    return out


def read_release(path: Path) -> list[Record]:
    if path.suffix.lower() == ".xlsx":
        return read_workbook(path)
    return read_text(path)
