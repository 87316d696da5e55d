"""NCCI: the CMS practitioner procedure-to-procedure (PTP) edits and medically unlikely edits (MUE).

The quarterly CMS files are public but large (hundreds of thousands of rows each) and updated
every quarter, so none ship with the workstation: `workstation codebooks import-ncci PATH...`
reads them into the user's data directory as an SQLite database (`ncci.sqlite3`, mode 0600), so a
claim check queries a pair without loading the whole table.

Formats (see codebook-sources/ncci-format-samples/):
  * PTP (e.g. ccipra-v322r0-f1.txt, tab-separated; a .zip of them is read too): a few heading
    lines, then rows: Column 1, Column 2, "*" if in existence before 1996, effective date
    YYYYMMDD, deletion date YYYYMMDD or "*" (none), modifier indicator 0 (not allowed),
    1 (allowed), 9 (not applicable: the edit was deleted retroactively), rationale.
  * MUE (e.g. MCR_MUE_PractitionerServices_Eff_07-01-2026.csv): the AMA notice, a heading row
    ("HCPCS/CPT Code", "Practitioner Services MUE Values", "MUE Adjudication Indicator",
    "MUE Rationale"), then one row per code. The table's effective date is in the file name
    ("Eff_07-01-2026") or given with --effective.
"""
from __future__ import annotations

import csv
import io
import os
import re
import shutil
import sqlite3
import tempfile
import threading
import zipfile
from dataclasses import dataclass, field
from datetime import date as Date
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple

from workstation.codes.errors import SourceError
from workstation.paths import user_data_dir

FILE_NAME = "ncci.sqlite3"
CODE = re.compile(r"^[0-9A-Z]{5}$")
DATE8 = re.compile(r"^\d{8}$")
EFF_IN_NAME = re.compile(r"Eff_(\d{2})-(\d{2})-(\d{4})", re.I)

SCHEMA = """
CREATE TABLE IF NOT EXISTS ptp (
    column1 TEXT NOT NULL, column2 TEXT NOT NULL, prior_1996 INTEGER NOT NULL,
    effective TEXT NOT NULL, deletion TEXT, modifier TEXT NOT NULL, rationale TEXT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (column1, column2, effective)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS mue (
    code TEXT NOT NULL, effective TEXT NOT NULL, max_units INTEGER NOT NULL,
    indicator TEXT NOT NULL, rationale TEXT NOT NULL, source TEXT NOT NULL,
    PRIMARY KEY (effective, code)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS mue_tables (effective TEXT PRIMARY KEY, source TEXT NOT NULL, rows INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS imports (source TEXT NOT NULL, kind TEXT NOT NULL, rows INTEGER NOT NULL, imported TEXT NOT NULL);
"""


class PtpEdit(NamedTuple):
    column1: str
    column2: str
    modifier_indicator: str  # "0" no modifier bypasses the edit, "1" a modifier (59, XS...) may


class MueEdit(NamedTuple):
    max_units: int
    adjudication_indicator: str  # "1 Line Edit", "2 Date of Service Edit: Policy", "3 Date of Service Edit: Clinical"


@dataclass
class ImportReport:
    files: list[tuple[str, str, int]] = field(default_factory=list)  # (file, kind, rows)

    @property
    def rows(self) -> int:
        return sum(n for _, _, n in self.files)


def ncci_path() -> Path:
    return _file_in(user_data_dir())


@lru_cache(maxsize=64)  # looked up on every scrub: the Path is built once per folder
def _file_in(folder: Path) -> Path:
    return folder / FILE_NAME


def _iso(d8: str) -> str:
    return f"{d8[:4]}-{d8[4:6]}-{d8[6:]}"


# ---------------------------------------------------------------- parsing

def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _inputs(path: Path) -> Iterator[tuple[str, str]]:
    """(display name, text) for a file, or each .txt/.csv inside a .zip."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as z:
                for name in sorted(z.namelist()):
                    if name.lower().endswith((".txt", ".csv")) and not name.endswith("/"):
                        yield f"{path.name}:{name}", _text(z.read(name))
            return
        yield path.name, _text(path.read_bytes())
    except FileNotFoundError:
        raise SourceError(f"NCCI file {path} does not exist") from None
    except OSError as exc:
        raise SourceError(f"cannot read NCCI file {path}: {exc.strerror}") from None


def kind_of(text: str) -> str | None:
    head = text[:4000].lower()
    if "mue" in head and ("mue values" in head or "adjudication" in head):
        return "mue"
    if "column 1" in head or "column1/column2" in head or "column 2" in head:
        return "ptp"
    return None


def parse_ptp(name: str, text: str) -> Iterator[tuple[str, str, int, str, str | None, str, str]]:
    """Rows (column1, column2, prior_1996, effective ISO, deletion ISO or None, modifier, rationale)."""
    delim = "\t"
    started = False
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        f = [x.strip() for x in line.split(delim)]
        if len(f) < 6 and "," in line:
            f = [x.strip() for x in next(csv.reader([line]))]
        looks = len(f) >= 6 and CODE.match(f[0].upper() or "-") and CODE.match(f[1].upper() or "-")
        if not looks:
            if started:
                raise SourceError(f"{name}:{n}: not a PTP edit row (expected column 1, column 2, *, effective, deletion, modifier)")
            continue  # heading lines
        started = True
        c1, c2, prior, eff, dele, mod = f[0].upper(), f[1].upper(), f[2], f[3], f[4], f[5]
        rationale = f[6] if len(f) > 6 else ""
        if not DATE8.match(eff):
            raise SourceError(f"{name}:{n}: effective date {eff!r} is not YYYYMMDD")
        if dele not in ("*", "") and not DATE8.match(dele):
            raise SourceError(f"{name}:{n}: deletion date {dele!r} is not YYYYMMDD or *")
        if mod not in ("0", "1", "9"):
            raise SourceError(f"{name}:{n}: modifier indicator {mod!r} is not 0, 1 or 9")
        yield c1, c2, int(prior == "*"), _iso(eff), (_iso(dele) if DATE8.match(dele) else None), mod, rationale
    if not started:
        raise SourceError(f"{name}: no PTP edit rows found")


def parse_mue(name: str, text: str) -> Iterator[tuple[str, int, str, str]]:
    """Rows (code, max units, adjudication indicator, rationale) after the heading row."""
    reader = csv.reader(io.StringIO(text))
    started = False
    for row in reader:
        n = reader.line_num
        if not any(c.strip() for c in row):
            continue
        if not started:
            if len(row) >= 3 and "mue" in row[1].lower():
                started = True
            continue
        if len(row) < 3:
            raise SourceError(f"{name}:{n}: expected code, MUE value, adjudication indicator; found {len(row)} columns")
        code, units, ind = row[0].strip().upper(), row[1].strip(), " ".join(row[2].split())
        if not CODE.match(code):
            raise SourceError(f"{name}:{n}: malformed HCPCS/CPT code {row[0].strip()!r}")
        if not units.isdigit():
            raise SourceError(f"{name}:{n}: MUE value {units!r} for {code} is not a whole number")
        if not ind[:1] in ("1", "2", "3"):
            raise SourceError(f"{name}:{n}: MUE adjudication indicator {ind!r} for {code} does not start with 1, 2 or 3")
        yield code, int(units), ind, (row[3].strip() if len(row) > 3 else "")
    if not started:
        raise SourceError(f"{name}: no MUE heading row (HCPCS/CPT Code, ... MUE Values, ...) found")


def _effective_of(name: str, given: str | None) -> str:
    if given:
        try:
            return Date.fromisoformat(given).isoformat()
        except ValueError:
            raise SourceError(f"--effective {given!r} is not YYYY-MM-DD") from None
    m = EFF_IN_NAME.search(name)
    if not m:
        raise SourceError(f"{name}: cannot tell the MUE table's effective date from its name (expected 'Eff_MM-DD-YYYY'); give it with --effective YYYY-MM-DD")
    mm, dd, yyyy = m.groups()
    return f"{yyyy}-{mm}-{dd}"


# ---------------------------------------------------------------- import

def import_ncci(paths: Iterable[Path], effective: str | None = None) -> ImportReport:
    """Read PTP edit files and MUE tables into the user's NCCI database (merged with earlier imports).

    The database is rebuilt in a temporary copy and renamed into place, so a failed import
    leaves the previous one intact.
    """
    from datetime import datetime, timezone

    dest = ncci_path()
    dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=f".{FILE_NAME}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    os.chmod(tmp, 0o600)
    report = ImportReport()
    try:
        if dest.exists():
            shutil.copyfile(dest, tmp)
        con = sqlite3.connect(tmp)
        try:
            con.executescript(SCHEMA)
            now = datetime.now(timezone.utc).isoformat(timespec="seconds")
            for path in paths:
                for name, text in _inputs(Path(path)):
                    kind = kind_of(text)
                    if kind == "ptp":
                        n = 0
                        batch = []
                        for row in parse_ptp(name, text):
                            batch.append(row + (name,))
                            if len(batch) >= 50_000:
                                con.executemany("INSERT OR REPLACE INTO ptp VALUES (?,?,?,?,?,?,?,?)", batch)
                                n += len(batch)
                                batch.clear()
                        con.executemany("INSERT OR REPLACE INTO ptp VALUES (?,?,?,?,?,?,?,?)", batch)
                        n += len(batch)
                    elif kind == "mue":
                        eff = _effective_of(name, effective)
                        rows = [(code, eff, units, ind, why, name) for code, units, ind, why in parse_mue(name, text)]
                        con.execute("DELETE FROM mue WHERE effective = ?", (eff,))  # a table replaces its quarter
                        con.executemany("INSERT OR REPLACE INTO mue VALUES (?,?,?,?,?,?)", rows)
                        con.execute("INSERT OR REPLACE INTO mue_tables VALUES (?,?,?)", (eff, name, len(rows)))
                        n = len(rows)
                    else:
                        raise SourceError(f"{name}: neither an NCCI PTP edit file nor an MUE table (no Column 1/Column 2 or MUE heading)")
                    con.execute("INSERT INTO imports VALUES (?,?,?,?)", (name, kind, n, now))
                    report.files.append((name, kind, n))
            con.commit()
        finally:
            con.close()
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, dest)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _reset()
    return report


# ---------------------------------------------------------------- query

def _day(d: Date | str | None) -> str:
    if d is None:
        return Date.today().isoformat()
    if isinstance(d, Date):
        return d.isoformat()
    try:
        return Date.fromisoformat(str(d).strip()).isoformat()
    except ValueError:
        raise ValueError(f"not a date: {d!r} (expected YYYY-MM-DD)") from None


class NCCI:
    """Queries on an imported NCCI database (read-only, one connection guarded by a lock)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._lock = threading.Lock()

    def _all(self, sql: str, args: tuple) -> list[tuple]:
        with self._lock:
            return self._con.execute(sql, args).fetchall()

    def ptp_conflict(self, code1: str, code2: str, date: Date | str | None = None) -> PtpEdit | None:
        """The PTP edit in force on the date between two codes (either order), or None.

        An edit is in force from its effective date through its deletion date. Indicator 9
        marks an edit deleted retroactively: it never applies.
        """
        a, b, day = code1.strip().upper(), code2.strip().upper(), _day(date)
        rows = self._all(
            "SELECT column1, column2, modifier FROM ptp WHERE ((column1=? AND column2=?) OR (column1=? AND column2=?))"
            " AND effective <= ? AND (deletion IS NULL OR deletion >= ?) AND modifier != '9'"
            " ORDER BY effective DESC LIMIT 1",
            (a, b, b, a, day, day),
        )
        return PtpEdit(*rows[0]) if rows else None

    def mue(self, code: str, date: Date | str | None = None) -> MueEdit | None:
        """The MUE (max units of service per line/day, adjudication indicator) in the newest table
        in force on the date, or None when that table has no MUE for the code (or none is in force)."""
        day = _day(date)
        tables = self._all("SELECT effective FROM mue_tables WHERE effective <= ? ORDER BY effective DESC LIMIT 1", (day,))
        if not tables:
            return None
        rows = self._all("SELECT max_units, indicator FROM mue WHERE effective = ? AND code = ?", (tables[0][0], code.strip().upper()))
        return MueEdit(*rows[0]) if rows else None

    @property
    def release(self) -> str:
        """What is imported, for edit sources: 'PTP v322r0, MUE 2026-07-01'."""
        versions = sorted({m.group(0) for (src,) in self._all("SELECT DISTINCT source FROM ptp", ())
                           for m in [re.search(r"v\d+r\d+", src)] if m})
        mue = self._all("SELECT max(effective) FROM mue_tables", ())[0][0]
        parts = [f"PTP {', '.join(versions)}" if versions else "", f"MUE {mue}" if mue else ""]
        return ", ".join(p for p in parts if p)

    def summary(self) -> dict[str, object]:
        return {
            "ptp_edits": self._all("SELECT count(*) FROM ptp", ())[0][0],
            "mue_tables": [{"effective": e, "source": s, "rows": n} for e, s, n in self._all("SELECT * FROM mue_tables ORDER BY effective", ())],
            "imports": [{"source": s, "kind": k, "rows": n, "imported": t} for s, k, n, t in self._all("SELECT * FROM imports", ())],
        }

    def close(self) -> None:
        with self._lock:
            self._con.close()


_lock = threading.Lock()
_cache: dict[tuple[str, int], NCCI] = {}


def ncci() -> NCCI | None:
    """The imported NCCI edits, or None when the site has not imported any."""
    path = ncci_path()
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    key = (str(path), st.st_mtime_ns)
    with _lock:
        book = _cache.get(key)
        if book is None:
            _reset_locked()
            book = _cache[key] = NCCI(path)
    return book


def _reset_locked() -> None:
    for old in _cache.values():
        old.close()
    _cache.clear()


def _reset() -> None:
    with _lock:
        _reset_locked()
