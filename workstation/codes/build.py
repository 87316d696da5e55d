"""Compile official sources into `codebooks/` (build time): versioned, deterministic, written atomically.

Each compiled code book is `codebooks/<name>.json.gz` (orjson, gzip with a fixed mtime, so the
same sources give byte-identical files). `codebooks/manifest.json` lists each book with its
source files and their sha256, its release and its counts (see `bookfile`). `BUILDERS` names
the compiler of every code set; the search index, which reads the compiled books, is built after
them by the caller (`workstation codebooks build`).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from workstation.codes.bookfile import source_entry, update_manifest, write_book
from workstation.codes.compile import icd10cm, icd10cm_update
from workstation.codes.compile.hcpcs import build_hcpcs
from workstation.codes.compile.icd10pcs import build_icd10pcs
from workstation.codes.compile.index_tables import build_index_tables
from workstation.codes.compile.mce import build_mce
from workstation.codes.compile.registry import build_registry
from workstation.codes.errors import SourceError
from workstation.paths import codebooks_dir

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


@dataclass(frozen=True)
class ProvisionalRelease:
    """A year built from the CMS addenda and change lists over the previous year's tabular."""

    fiscal_year: int
    base_year: int
    folder: str  # under the sources folder
    effective_from: str
    effective_to: str


ICD10CM_PROVISIONAL = [
    ProvisionalRelease(2027, 2026, "icd10cm/fy2027", "2026-10-01", "2027-09-30"),
]


def build_icd10cm(sources: Path, out_dir: Path, log: Callable[[str], None] = print) -> dict[str, dict[str, Any]]:
    entries: dict[str, dict[str, Any]] = {}
    docs: dict[int, dict[str, Any]] = {}
    for rel in ICD10CM_RELEASES:
        src = sources / rel.source
        if not src.exists():
            raise SourceError(f"missing source file {src}")
        doc = icd10cm.compile_tabular(src)
        if doc["version"] and doc["version"] != str(rel.fiscal_year):
            raise SourceError(f"{src}: says version {doc['version']}, expected {rel.fiscal_year}")
        docs[rel.fiscal_year] = doc
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
            "origin": "shipped",
            "sources": [source_entry(src, sources)],
            "counts": icd10cm.count_levels(doc),
        }
        entries[name] = write_book(out_dir, name, doc, entry)
        log(f"  {name}: {entry['counts']['billable']} billable codes, {entries[name]['bytes'] / 1e6:.1f} MB")
    for prov in ICD10CM_PROVISIONAL:
        base = docs.get(prov.base_year)
        if base is None:
            raise SourceError(f"FY{prov.fiscal_year} is built over FY{prov.base_year}, which is not compiled")
        changes = icd10cm_update.read_change_lists(sources / prov.folder, prov.fiscal_year)
        doc = icd10cm_update.apply_changes(base, changes)
        name = f"icd10cm-{prov.fiscal_year}"
        base_src = next(r.source for r in ICD10CM_RELEASES if r.fiscal_year == prov.base_year)
        entry = {
            "system": "icd10cm",
            "fiscal_year": prov.fiscal_year,
            "update": "october",
            "release": f"FY{prov.fiscal_year} (provisional: FY{prov.base_year} tabular + CMS FY{prov.fiscal_year} addenda)",
            "effective_from": prov.effective_from,
            "effective_to": prov.effective_to,
            "origin": "provisional",
            "provisional": True,
            "basis": doc["provenance"]["basis"],
            "missing": doc["provenance"]["missing"],
            "new_categories_placed": doc["provenance"]["new_categories_placed"],
            "sources": [source_entry(sources / base_src, sources)]
                       + [source_entry(f, sources) for f in changes.files],
            "counts": {**icd10cm.count_levels(doc), "changed": len(doc["changed"])},
        }
        entries[name] = write_book(out_dir, name, doc, entry)
        log(f"  {name}: {entry['counts']['billable']} billable codes (provisional), {entries[name]['bytes'] / 1e6:.1f} MB")
    return entries


Builder = Callable[[Path, Path, Callable[[str], None]], dict[str, dict[str, Any]]]

# Every code set's compiler, in build order: name -> function(sources, out_dir, log) -> manifest entries.
BUILDERS: dict[str, Builder] = {
    "icd10cm": build_icd10cm,
    "index": build_index_tables,
    "icd10pcs": build_icd10pcs,
    "hcpcs": build_hcpcs,
    "mce": build_mce,
    "registry": build_registry,  # ICD-10-CM -> ICD-O-3, SEER site recode, NAACCR v26 dictionary
}


def build_all(sources: Path, out_dir: Path | None = None, only: list[str] | None = None,
              log: Callable[[str], None] = print) -> dict[str, dict[str, Any]]:
    out_dir = out_dir or codebooks_dir()
    all_entries: dict[str, dict[str, Any]] = {}
    for name, fn in BUILDERS.items():
        if only and name not in only:
            continue
        log(f"building {name}")
        entries = fn(sources, out_dir, log)
        update_manifest(out_dir, entries)  # after each set, so one failure keeps the others
        all_entries.update(entries)
    return all_entries
