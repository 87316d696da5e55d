"""A compiled code book on disk: `codebooks/<name>.json.gz` and the manifest that lists them.

Books are orjson, gzip'd with a fixed mtime, so the same sources give byte-identical files;
`manifest.json` lists each book with its source files and their sha256, release and counts.
Both the compilers (writing) and the runtime loader (reading the manifest) use this leaf module.
"""
from __future__ import annotations

import gzip
import hashlib
from pathlib import Path
from typing import Any

import orjson

from workstation.fileio import atomic_write_bytes
from workstation.paths import codebooks_dir

MANIFEST = "manifest.json"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


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
