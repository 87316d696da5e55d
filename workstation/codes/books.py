"""Load compiled code books lazily (once per process) and pick the release for a date of service."""
from __future__ import annotations

import gzip
import threading
import zlib
from datetime import date as Date
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson

from workstation.codes.bookfile import read_manifest
from workstation.codes.icd10cm import ICD10CM
from workstation.paths import codebooks_dir, user_data_dir

REBUILD = "workstation codebooks build --sources PATH/TO/codebook-sources"


class CodebookError(Exception):
    """A compiled code book is missing or unreadable; the message names the file and the fix."""


class NoRelease(CodebookError):
    """No compiled release covers a date of service."""


_lock = threading.Lock()


def installed_dir() -> Path:
    """Releases the coder installed (`workstation codebooks install`): in the user data folder."""
    return user_data_dir() / "codebooks"


def load_doc(name: str, directory: Path | None = None) -> Any:
    """The compiled document `codebooks/<name>.json.gz` (or the installed one of that name),
    with a clear error if it is missing or corrupt."""
    if directory is None:
        try:
            entry = manifest()["codebooks"].get(name)
        except CodebookError:
            entry = None
        if entry is not None and entry.get("origin") == "installed":
            directory = installed_dir()
    path = (directory or codebooks_dir()) / f"{name}.json.gz"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CodebookError(f"compiled codebook {path} is missing; rebuild it with: {REBUILD}") from None
    except OSError as exc:
        raise CodebookError(f"cannot read compiled codebook {path} ({exc.strerror}); rebuild it with: {REBUILD}") from None
    try:
        return orjson.loads(gzip.decompress(raw))
    except (OSError, EOFError, zlib.error, orjson.JSONDecodeError) as exc:
        raise CodebookError(f"compiled codebook {path} is corrupt ({exc}); rebuild it with: {REBUILD}") from None


@lru_cache(maxsize=None)
def manifest() -> dict[str, Any]:
    """The shipped manifest, with the releases the coder installed laid over it.

    An installed release replaces a shipped one of the same name (a full FY2027 over the
    provisional one); an installed April update is a book of its own, serving from April 1.
    """
    try:
        m = read_manifest()
    except (OSError, orjson.JSONDecodeError) as exc:
        raise CodebookError(f"{codebooks_dir() / 'manifest.json'} is unreadable ({exc}); rebuild with: {REBUILD}") from None
    user = installed_dir()
    if (user / "manifest.json").exists():
        try:
            mine = read_manifest(user)
        except (OSError, orjson.JSONDecodeError) as exc:
            raise CodebookError(f"{user / 'manifest.json'} (installed code books) is unreadable ({exc}); "
                                "reinstall with: workstation codebooks install PATH") from None
        merged = dict(m.get("codebooks", {}))
        for name, e in mine.get("codebooks", {}).items():
            merged[name] = {**e, "origin": "installed"}
        m = {**m, "codebooks": merged}
    return m


def reload() -> None:
    """Forget the loaded manifest and books (after an install)."""
    import sys

    manifest.cache_clear()
    _icd10cm.cache_clear()
    pcs = sys.modules.get("workstation.codes.icd10pcs")
    if pcs is not None:
        pcs._book = None
    hc = sys.modules.get("workstation.codes.hcpcs")
    if hc is not None:
        hc._books.clear()
    tables = sys.modules.get("workstation.codes.index_tables")
    if tables is not None:
        tables._books.clear()


def icd10cm_years() -> list[int]:
    """Fiscal years with a compiled ICD-10-CM release, oldest first."""
    return sorted({e["fiscal_year"] for e in manifest()["codebooks"].values() if e["system"] == "icd10cm"})


def icd10cm_entries(fy: int) -> dict[str, dict[str, Any]]:
    """The ICD-10-CM books of one fiscal year by name (October release, April update)."""
    return {n: e for n, e in manifest()["codebooks"].items() if e["system"] == "icd10cm" and e.get("fiscal_year") == fy}


def fiscal_year(d: Date | str) -> int:
    """US federal fiscal year of a date: FY2026 runs 2025-10-01 to 2026-09-30."""
    d = as_date(d)
    return d.year + 1 if d.month >= 10 else d.year


def as_date(d: Date | str) -> Date:
    if isinstance(d, Date):
        return d
    try:
        return Date.fromisoformat(str(d).strip())
    except ValueError:
        raise ValueError(f"not a date: {d!r} (expected YYYY-MM-DD)") from None


def release_for_date(d: Date | str, system: str = "icd10cm") -> dict[str, Any]:
    """The manifest entry of the release in force on a date of service.

    The fiscal year decides (October 1 to September 30). An April update applies from April 1;
    where the April text is the only one compiled for a year, it serves that whole year.
    Raises NoRelease when no compiled release covers the date.
    """
    fy = fiscal_year(d)
    books = [{**e, "name": n} for n, e in manifest()["codebooks"].items()
             if e["system"] == system and e.get("fiscal_year") == fy]
    if not books:
        have = ", ".join(f"FY{y}" for y in icd10cm_years()) or "none"
        raise NoRelease(
            f"no compiled {system} release covers {as_date(d).isoformat()} (FY{fy}); compiled: {have}"
        )
    day = as_date(d).isoformat()
    # Prefer the newest update already in force on the day; else the year's earliest.
    in_force = [e for e in books if e.get("update_from", e["effective_from"]) <= day]
    pick = max(in_force or books, key=lambda e: e.get("update_from", e["effective_from"]))
    return pick


def icd10cm(fiscal_year: int | None = None, date: Date | str | None = None) -> ICD10CM:
    """The ICD-10-CM book for a date of service, or for a fiscal year (its newest update), or the newest one."""
    if date is not None:
        return _icd10cm(release_for_date(date)["name"])
    if fiscal_year is None:
        years = icd10cm_years()
        if not years:
            raise CodebookError(f"no compiled ICD-10-CM codebook in {codebooks_dir()}; build it with: {REBUILD}")
        fiscal_year = years[-1]
    entries = icd10cm_entries(int(fiscal_year))
    if not entries:
        raise CodebookError(f"no compiled ICD-10-CM release for FY{fiscal_year} (have: {icd10cm_years()})")
    name = max(entries, key=lambda n: entries[n].get("update_from", entries[n]["effective_from"]))
    return _icd10cm(name)


@lru_cache(maxsize=None)
def _icd10cm(name: str) -> ICD10CM:
    with _lock:
        entry = manifest()["codebooks"].get(name)
        if entry is None:
            raise CodebookError(f"no compiled ICD-10-CM release {name} (have: {icd10cm_years()})")
        fy = int(entry["fiscal_year"])
        book = ICD10CM(fy, f"{fy}-{entry['update']}", load_doc(name), name=name,
                       origin=entry.get("origin", "shipped"))
        return book
