"""Compile the CMS Medicare Code Editor lists (v37, tab-separated) into the compiled MCE book
(build time only). The layout is described in `workstation/codes/mce.py`, which reads it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from workstation.codes.errors import SourceError
from workstation.codes.mce import (
    AGE_EDITS, AGE_RANGES, BOOK, EFFECTIVE_FROM, EFFECTIVE_TO, SEX_EDITS, SYSTEM, VERSION, _key,
)

SOURCE = "mce/MCE_Simple_Code_Edits_v37.txt"
HEADER = ["MCE_Version", "ICD_Version", "MCE_Section", "MCE_Subsection", "MCE_Edit_Type",
          "ICD_Code_Type", "ICD_Code", "ICD_Desc"]


KNOWN_EDITS = set(AGE_EDITS) | set(SEX_EDITS) | {
    "Principal_Manifestation", "Principal_Unacceptable", "Principal_Questionable_Admit",
    "Noncovered_Always", "Noncovered_Over60", "Limited_Coverage", "Wrong_Performed", "Noncovered_LOS_96hr",
}


def compile_mce(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceError(f"missing source file {path}") from None
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path}: not UTF-8 text ({exc})") from None
    lines = text.splitlines()
    if not lines or lines[0].split("\t") != HEADER:
        raise SourceError(f"{path}:1: expected the tab-separated header {' '.join(HEADER)}")
    edits: dict[str, dict[str, list[str]]] = {}
    titles: dict[str, str] = {}
    version = None
    for n, line in enumerate(lines[1:], 2):
        if not line.strip():
            continue
        f = line.split("\t")
        if len(f) != len(HEADER):
            raise SourceError(f"{path}:{n}: expected {len(HEADER)} tab-separated fields, found {len(f)}")
        ver, icd, _sec, _sub, edit, kind, code, desc = (x.strip() for x in f)
        if icd != "10":
            raise SourceError(f"{path}:{n}: ICD version {icd!r}, expected 10")
        if version is None:
            version = ver
        elif ver != version:
            raise SourceError(f"{path}:{n}: MCE version {ver} differs from {version} on earlier rows")
        if edit not in KNOWN_EDITS:
            raise SourceError(f"{path}:{n}: unknown edit type {edit!r}")
        if kind not in ("D", "P"):
            raise SourceError(f"{path}:{n}: code type {kind!r}, expected D or P")
        if not code.isalnum() or not (3 <= len(code) <= 7) or (kind == "P" and len(code) != 7):
            raise SourceError(f"{path}:{n}: malformed {'diagnosis' if kind == 'D' else 'procedure'} code {code!r}")
        key = _key(code, kind)
        edits.setdefault(edit, {"D": [], "P": []})[kind].append(key)
        titles.setdefault(key, desc)
    if version != VERSION:
        raise SourceError(f"{path}: MCE version {version}, expected {VERSION}")
    return {
        "version": version,
        "effective_from": EFFECTIVE_FROM,
        "effective_to": EFFECTIVE_TO,
        "age_ranges": {k: list(v) for k, v in AGE_RANGES.items()},
        "edits": edits,
        "titles": titles,
    }


def build_mce(sources: Path, out_dir: Path, log: Callable[[str], None] = print) -> dict[str, dict[str, Any]]:
    from workstation.codes.bookfile import source_entry, write_book

    src = sources / SOURCE
    doc = compile_mce(src)
    counts = {f"{edit} ({'dx' if k == 'D' else 'proc'})": len(codes)
              for edit, by in sorted(doc["edits"].items()) for k, codes in by.items() if codes}
    entry = {
        "system": SYSTEM,
        "release": f"MCE v{doc['version']} (FY2020)",
        "fiscal_year": 2020,
        "effective_from": EFFECTIVE_FROM,
        "effective_to": EFFECTIVE_TO,
        "sources": [source_entry(src, sources)],
        "counts": counts,
    }
    out = write_book(out_dir, BOOK, doc, entry)
    log(f"  {BOOK}: {sum(counts.values())} edit rows in {len(doc['edits'])} edit types")
    return {BOOK: out}
