"""Compile official sources into `codebooks/`: versioned, deterministic, written atomically.

Each compiled code book is `codebooks/<name>.json.gz` (orjson, gzip with a fixed mtime, so the
same sources give byte-identical files). `codebooks/manifest.json` lists each book with its
source files and their sha256, its release and its counts. Other code sets add themselves with
`register_builder`.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import orjson

from workstation.codes import icd10cm
from workstation.paths import codebooks_dir

MANIFEST = "manifest.json"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def atomic_write_bytes(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write to a temporary file in the same folder, fsync, rename: never a half-written file.

    A private file (no group/other bits, e.g. 0600 for patient data) gets a private folder (0700)
    when the folder has to be created here.
    """
    if not path.parent.exists():
        private = not mode & 0o077
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700 if private else 0o777)
        if private:
            os.chmod(path.parent, 0o700)  # mkdir's mode is filtered by the umask
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    try:  # make the rename itself durable
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


def pack(doc: Any) -> bytes:
    return gzip.compress(orjson.dumps(doc, option=orjson.OPT_SORT_KEYS), compresslevel=9, mtime=0)


def write_book(out_dir: Path, name: str, doc: Any, entry: dict[str, Any]) -> dict[str, Any]:
    """Write one compiled book and return its manifest entry (with file name, size and sha256)."""
    data = pack(doc)
    path = out_dir / f"{name}.json.gz"
    atomic_write_bytes(path, data)
    entry = dict(entry)
    entry["file"] = path.name
    entry["bytes"] = len(data)
    entry["sha256"] = hashlib.sha256(data).hexdigest()
    return entry


def read_manifest(out_dir: Path | None = None) -> dict[str, Any]:
    path = (out_dir or codebooks_dir()) / MANIFEST
    if not path.exists():
        return {"codebooks": {}}
    return orjson.loads(path.read_bytes())


def update_manifest(out_dir: Path, entries: dict[str, dict[str, Any]]) -> None:
    """Merge entries into the manifest; a lock keeps two builds from losing each other's entries."""
    import fcntl

    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / ".manifest.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        manifest = read_manifest(out_dir)
        manifest.setdefault("codebooks", {}).update(entries)
        data = orjson.dumps(manifest, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"
        atomic_write_bytes(out_dir / MANIFEST, data)


def source_entry(path: Path, sources_root: Path) -> dict[str, str]:
    return {"path": path.relative_to(sources_root).as_posix(), "sha256": sha256_file(path)}


# ------------------------------------------------------------ ICD-10-CM

@dataclass(frozen=True)
class TabularRelease:
    fiscal_year: int
    update: str  # "april" (the April 1 update) or "october"
    source: str  # path under the sources folder
    effective_from: str
    effective_to: str


ICD10CM_RELEASES = [
    TabularRelease(2025, "april", "icd10cm/icd10cm-tabular-2025-april.xml", "2024-10-01", "2025-09-30"),
    TabularRelease(2026, "april", "icd10cm/icd10cm-tabular-2026-april.xml", "2025-10-01", "2026-09-30"),
]


def build_icd10cm(sources: Path, out_dir: Path, log: Callable[[str], None] = print) -> dict[str, dict[str, Any]]:
    entries: dict[str, dict[str, Any]] = {}
    for rel in ICD10CM_RELEASES:
        src = sources / rel.source
        if not src.exists():
            raise icd10cm.SourceError(f"missing source file {src}")
        doc = icd10cm.compile_tabular(src)
        if doc["version"] and doc["version"] != str(rel.fiscal_year):
            raise icd10cm.SourceError(f"{src}: says version {doc['version']}, expected {rel.fiscal_year}")
        name = f"icd10cm-{rel.fiscal_year}"
        entry = {
            "system": "icd10cm",
            "fiscal_year": rel.fiscal_year,
            "update": rel.update,
            "release": f"FY{rel.fiscal_year} ({rel.update} update)",
            # The April update is the newest text we hold for the year, so it serves the whole
            # fiscal year; `effective_from` is when the fiscal year starts.
            "effective_from": rel.effective_from,
            "effective_to": rel.effective_to,
            "sources": [source_entry(src, sources)],
            "counts": icd10cm.count_levels(doc),
        }
        entries[name] = write_book(out_dir, name, doc, entry)
        log(f"  {name}: {entry['counts']['billable']} billable codes, {entries[name]['bytes'] / 1e6:.1f} MB")
    return entries


# Other code sets register here: name -> function(sources, out_dir, log) -> manifest entries.
BUILDERS: dict[str, Callable[[Path, Path, Callable[[str], None]], dict[str, dict[str, Any]]]] = {
    "icd10cm": build_icd10cm,
}


def register_builder(name: str, fn: Callable[[Path, Path, Callable[[str], None]], dict[str, dict[str, Any]]]) -> None:
    BUILDERS[name] = fn


def build_all(sources: Path, out_dir: Path | None = None, only: list[str] | None = None,
              log: Callable[[str], None] = print) -> dict[str, dict[str, Any]]:
    out_dir = out_dir or codebooks_dir()
    _load_extra_builders()
    all_entries: dict[str, dict[str, Any]] = {}
    for name, fn in BUILDERS.items():
        if only and name not in only:
            continue
        log(f"building {name}")
        entries = fn(sources, out_dir, log)
        update_manifest(out_dir, entries)  # after each set, so one failure keeps the others
        all_entries.update(entries)
    return all_entries


def _load_extra_builders() -> None:
    """Import the modules of the other code sets so they can register their builders."""
    import importlib

    for mod in ("index_tables", "icd10pcs", "hcpcs", "mce", "registry"):
        try:
            importlib.import_module(f"workstation.codes.{mod}")
        except ModuleNotFoundError as exc:
            if exc.name != f"workstation.codes.{mod}":
                raise
    # The search index reads every other compiled book, so it registers (and runs) last.
    importlib.import_module("workstation.search.index")
    if "search" in BUILDERS:
        BUILDERS["search"] = BUILDERS.pop("search")
