"""Open compiled code books (each once per process) and pick the release for a date of service.

`open_book(kind, read, year)` is the one loader: every book (ICD-10-CM by year or date, its
index and tables, ICD-10-PCS, HCPCS, the MCE, the registry maps) is found in the manifest by its
kind and fiscal year, read from its file once, turned into its reader object by `read`, and kept.
The modules of each code set only name their reader (`icd10pcs()`, `hcpcs()`, `mce()` ...)."""
from __future__ import annotations

import gzip
import threading
import zlib
from datetime import date as Date
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, TypeVar

import orjson

from workstation.codes.bookfile import read_manifest
from workstation.codes.icd10cm import ICD10CM
from workstation.paths import codebooks_dir, user_data_dir

REBUILD = "workstation codebooks build --sources PATH/TO/codebook-sources"


class CodebookError(Exception):
    """A compiled code book is missing or unreadable; the message names the file and the fix."""


class NoRelease(CodebookError):
    """No compiled release covers a date of service."""


BookT = TypeVar("BookT")
# How a kind of book is built from its compiled document: read(doc, name, manifest entry).
Reader = Callable[[Any, str, dict[str, Any]], BookT]

_opened: dict[str, object] = {}            # manifest name -> the reader object built from it
_opening: dict[str, threading.Lock] = {}   # one lock per book, so two books can load at once
_guard = threading.Lock()
_icd10cm_for: dict[tuple[object, object], object] = {}  # (fiscal_year, date) -> book: icd10cm() per claim is hot


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
    manifest.cache_clear()
    book_entry.cache_clear()
    with _guard:
        _opened.clear()
        _icd10cm_for.clear()


@lru_cache(maxsize=None)
def book_entry(kind: str, year: int | None = None, default: str | None = None) -> tuple[str, dict[str, Any]]:
    """The manifest name and entry of the book of `kind` (its manifest "system": icd10cm,
    icd10cm-index, icd10pcs, hcpcs, mce, registry ...) for fiscal `year`, or the newest.

    Within a year the latest update wins (an April update over the October release), then an
    installed book over a shipped one. With no such book in the manifest, `default` names the
    shipped file to open (its own error then says how to rebuild it)."""
    try:
        entries = {n: e for n, e in manifest()["codebooks"].items() if e.get("system") == kind
                   and (year is None or e.get("fiscal_year") == year)}
    except CodebookError:
        if default is None:
            raise
        entries = {}
    if not entries:
        if default is not None:
            return default, {}
        have = ", ".join(sorted(n for n, e in manifest()["codebooks"].items() if e.get("system") == kind)) or "none"
        raise CodebookError(f"no compiled {kind} book{f' for FY{year}' if year else ''} (have: {have}); "
                            f"build it with: {REBUILD}")
    name = max(entries, key=lambda n: (int(entries[n].get("fiscal_year") or 0),
                                       entries[n].get("update_from", entries[n].get("effective_from", "")),
                                       entries[n].get("origin") == "installed"))
    return name, entries[name]


def open_book(kind: str, read: Reader[BookT], year: int | None = None, *, name: str | None = None,
              default: str | None = None) -> BookT:
    """The book of `kind` for fiscal `year` (None: the newest; `name`: that very release), read
    once per process and kept (thread-safe; `reload()` forgets it)."""
    if name is None:
        name, entry = book_entry(kind, year, default)
    else:
        entry = manifest()["codebooks"].get(name)
        if entry is None or entry.get("system") != kind:
            raise CodebookError(f"no compiled {kind} release {name}; build it with: {REBUILD}")
    book = _opened.get(name)
    if book is None:
        with _guard:
            lock = _opening.setdefault(name, threading.Lock())
        with lock:
            book = _opened.get(name)
            if book is None:
                book = read(load_doc(name), name, entry)
                with _guard:
                    _opened[name] = book
    return book  # type: ignore[return-value]  # the object `read` built for this name


def opened() -> list[str]:
    """The books opened so far in this process, by manifest name (for tests and diagnostics)."""
    with _guard:
        return sorted(_opened)


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
    key = (fiscal_year, date)
    book = _icd10cm_for.get(key)
    if book is None:
        book = _icd10cm(fiscal_year, date)
        if len(_icd10cm_for) > 4096:
            _icd10cm_for.clear()
        _icd10cm_for[key] = book
    return book  # type: ignore[return-value]  # only ICD10CM objects are kept under these keys


def _icd10cm(fiscal_year: int | None, date: Date | str | None) -> ICD10CM:
    if date is not None:
        return open_book("icd10cm", _read_icd10cm, name=release_for_date(date)["name"])
    if fiscal_year is None and not icd10cm_years():
        raise CodebookError(f"no compiled ICD-10-CM codebook in {codebooks_dir()}; build it with: {REBUILD}")
    if fiscal_year is not None and not icd10cm_entries(int(fiscal_year)):
        raise CodebookError(f"no compiled ICD-10-CM release for FY{fiscal_year} (have: {icd10cm_years()})")
    return open_book("icd10cm", _read_icd10cm, None if fiscal_year is None else int(fiscal_year))


def _read_icd10cm(doc: Any, name: str, entry: dict[str, Any]) -> ICD10CM:
    fy = int(entry["fiscal_year"])
    return ICD10CM(fy, f"{fy}-{entry['update']}", doc, name=name, origin=entry.get("origin", "shipped"))
