"""CPT (HCPCS Level I): format check always; descriptors only from a site's own licensed file.

CPT codes and descriptors belong to the AMA. None ship with the workstation. A site holding a
licence imports its CSV (code, short descriptor, long descriptor) with
`workstation codebooks import-cpt FILE`; it goes to the user's data directory (never the
repository) as `cpt.json`, mode 0600. Until then a CPT code is accepted by its format and shown
as "description requires a CPT licence".
"""
from __future__ import annotations

import csv
import hashlib
import io
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson

from workstation.codes.errors import SourceError
from workstation.codes.formats import is_cpt as is_cpt_format
from workstation.codes.lookup_result import LookupResult
from workstation.paths import user_data_dir

SYSTEM = "cpt"
FILE_NAME = "cpt.json"
NO_LICENCE = "description requires a CPT licence"


@dataclass(frozen=True)
class CptCode:
    code: str
    short: str
    long: str


def cpt_path() -> Path:
    return _file_in(user_data_dir())


@lru_cache(maxsize=64)  # looked up on every scrub: the Path is built once per folder
def _file_in(folder: Path) -> Path:
    return folder / FILE_NAME


def _decode(raw: bytes, path: Path) -> str:
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise SourceError(f"{path}: not a text file")


def parse_cpt_csv(path: Path) -> dict[str, list[str]]:
    """A licensed CPT CSV -> {code: [short, long]}; a header row is optional.

    Errors name the file and line. Tab-separated files are accepted too.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(f"CPT file {path} does not exist") from None
    except OSError as exc:
        raise SourceError(f"cannot read CPT file {path}: {exc.strerror}") from None
    text = _decode(raw, path)
    first = text.split("\n", 1)[0]
    delim = "\t" if first.count("\t") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    out: dict[str, list[str]] = {}
    for row in reader:
        n = reader.line_num
        if not any(c.strip() for c in row):
            continue
        code = row[0].strip().upper()
        if not out and not is_cpt_format(code) and n == 1:
            continue  # a header row
        if len(row) < 3:
            raise SourceError(f"{path}:{n}: expected 3 columns (code, short descriptor, long descriptor), found {len(row)}")
        if not is_cpt_format(code):
            raise SourceError(f"{path}:{n}: {row[0].strip()!r} is not a CPT code (five digits, or four digits and F, T, U, A or M)")
        short, long = " ".join(row[1].split()), " ".join(row[2].split())
        if not (short or long):
            raise SourceError(f"{path}:{n}: {code} has no descriptor")
        if code in out:
            raise SourceError(f"{path}:{n}: {code} appears twice")
        out[code] = [short or long, long or short]
    if not out:
        raise SourceError(f"{path}: no CPT rows found")
    return out


def import_cpt(path: Path) -> dict[str, Any]:
    """Import a licensed CPT file into the user's data directory; returns what was written."""
    from workstation.fileio import atomic_write_bytes

    codes = parse_cpt_csv(path)
    doc = {
        "source": path.name,
        "source_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "imported": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "codes": codes,
    }
    dest = cpt_path()
    dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    atomic_write_bytes(dest, orjson.dumps(doc, option=orjson.OPT_SORT_KEYS), mode=0o600)
    _cache.clear()
    return {"file": str(dest), "codes": len(codes), "source": path.name}


class CPT:
    def __init__(self, doc: dict[str, Any]) -> None:
        self._codes: dict[str, list[str]] = doc["codes"]
        self.source: str = doc.get("source", "")
        self.imported: str = doc.get("imported", "")

    def __len__(self) -> int:
        return len(self._codes)

    def get(self, code: str) -> CptCode | None:
        c = code.strip().upper()
        row = self._codes.get(c)
        return CptCode(c, row[0], row[1]) if row else None

    def all_codes(self) -> list[CptCode]:
        return [CptCode(c, r[0], r[1]) for c, r in self._codes.items()]


_lock = threading.Lock()
_cache: dict[tuple[str, int], CPT] = {}


def cpt() -> CPT | None:
    """The imported CPT file, or None when the site has not imported one."""
    path = cpt_path()
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    key = (str(path), st.st_mtime_ns)
    with _lock:
        book = _cache.get(key)
        if book is None:
            try:
                doc = orjson.loads(path.read_bytes())
            except (OSError, orjson.JSONDecodeError) as exc:
                from workstation.codes.books import CodebookError

                raise CodebookError(f"imported CPT file {path} is unreadable ({exc}); import it again with: "
                                    "workstation codebooks import-cpt FILE") from None
            _cache.clear()
            book = _cache[key] = CPT(doc)
    return book


def cpt_result(code: str, date: str | None = None, year: int | None = None) -> LookupResult | None:
    c = code.strip().upper()
    if not is_cpt_format(c):
        return None
    book = cpt()
    base: LookupResult = {"code": c, "system": SYSTEM, "release": "not imported", "title": NO_LICENCE, "billable": True,
                          "level": "code", "path": [], "notes": [], "seventh": None, "licensed": False}
    if book is None:
        return base
    hit = book.get(c)
    if hit is None:
        from workstation.codes.errors import LookupError_

        raise LookupError_(f"unknown code {c}: not in the imported CPT file ({book.source}, {len(book)} codes)")
    return base | {"release": f"imported {book.imported[:10]} from {book.source}", "title": hit.long,  # type: ignore[return-value]
                   "short": hit.short, "licensed": True}
