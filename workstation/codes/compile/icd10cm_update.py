"""A new ICD-10-CM year from the CMS change lists, laid over the previous year's tabular.

CMS publishes each October's code-descriptions addenda (`icd10cm_codes_addenda_YYYY.txt`: Add,
Delete, Revise) and order files before the CDC tabular XML can be had. From those, and from
change lists made mechanically from the two order files (added.csv, deleted.csv, revised.csv,
billable-status-changes.csv), this builds the new year's book over the previous year's compiled
tabular:

- every code of the new year with its title and billable flag (the addenda's count must match);
- codes added are placed under their parent by code; a new category under the block whose range
  holds it (or, when no range holds it, the last block of its chapter that starts before it:
  recorded in the provenance);
- deleted codes are gone; codes that gained children are headers; retitled codes retitled;
- instructional notes are the previous year's: the addenda carry none, so a code new in the year
  has only the notes inherited from its existing ancestors. The compiled document says so
  (`provenance`) and names every code it changed (`changed`), for `lookup` and `codebooks info`.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workstation.codes.errors import SourceError
from workstation.codes.icd10cm import _LEVEL_LETTER, _LETTER_LEVEL, normalize

MISSING = ("The instructional notes (Includes, Excludes1/2, Code first, Use additional code, Code also) "
           "of codes new in FY{fy} are not in the CMS addenda: only notes inherited from existing "
           "ancestors apply. Notes and 7th-character tables are those of the FY{prev} tabular. "
           "Install the FY{fy} CDC tabular XML (workstation codebooks install) to replace this book.")


@dataclass
class ChangeLists:
    """The change lists of one year, checked against each other."""

    fiscal_year: int
    added: list[dict[str, str]]  # codeDotted, billable, longTitle (headers included)
    deleted: list[dict[str, str]]
    revised: list[dict[str, str]]
    to_header: list[dict[str, str]]
    addenda_counts: dict[str, int] = field(default_factory=dict)  # "from", "to", "additions", ...
    files: list[Path] = field(default_factory=list)


_ADDENDA_LINE = re.compile(r"^(Add|Delete|Revise from|Revise to):\s+(\S+)\s+(.*)$")
_ADDENDA_COUNT = re.compile(r"^\s*(\d+)\s+(codes in icd10cm_order_(\d{4})\.txt|additions|deletions|revisions)\s*$")


def _csv(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        raise SourceError(f"missing change list {path}")
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def read_change_lists(folder: Path, fiscal_year: int) -> ChangeLists:
    """Read and cross-check the addenda and the four change lists; SourceError names what disagrees."""
    addenda = folder / f"icd10cm_codes_addenda_{fiscal_year}.txt"
    if not addenda.exists():
        raise SourceError(f"missing addenda file {addenda}")
    adds: dict[str, str] = {}
    deletes: dict[str, str] = {}
    revise_to: dict[str, str] = {}
    counts: dict[str, int] = {}
    for raw in addenda.read_text(encoding="utf-8").splitlines():
        line = raw.rstrip("\r")
        if m := _ADDENDA_LINE.match(line):
            tag, code, title = m.groups()
            target = {"Add": adds, "Delete": deletes, "Revise to": revise_to}.get(tag)
            if target is not None:
                target[normalize(code)] = title.strip()
        elif m := _ADDENDA_COUNT.match(line):
            n, what, year = int(m.group(1)), m.group(2), m.group(3)
            key = ("to" if int(year) == fiscal_year else "from") if year else what
            counts[key] = n
    ch = ChangeLists(
        fiscal_year,
        added=_csv(folder / "added.csv"),
        deleted=_csv(folder / "deleted.csv"),
        revised=_csv(folder / "revised.csv"),
        to_header=_csv(folder / "billable-status-changes.csv"),
        addenda_counts=counts,
        files=[addenda] + [folder / n for n in ("added.csv", "deleted.csv", "revised.csv", "billable-status-changes.csv")],
    )
    # The addenda and the order-file lists must tell the same story.
    added_billable = {r["codeDotted"]: r["longTitle"] for r in ch.added if r["billable"] == "true"}
    if added_billable != adds:
        diff = sorted(set(added_billable) ^ set(adds))[:5] or sorted(c for c in adds if adds[c] != added_billable.get(c))[:5]
        raise SourceError(f"{addenda.name} and added.csv disagree on the added codes (e.g. {', '.join(diff)})")
    removed = {r["codeDotted"] for r in ch.deleted if r["wasBillable"] == "true"} | {r["codeDotted"] for r in ch.to_header}
    if removed != set(deletes):
        raise SourceError(f"{addenda.name} deletions differ from deleted.csv + billable-status-changes.csv: "
                          f"{', '.join(sorted(removed ^ set(deletes))[:5])}")
    if {r["codeDotted"]: r["newLongTitle"] for r in ch.revised} != revise_to:
        raise SourceError(f"{addenda.name} revisions differ from revised.csv")
    if any(r["direction"] != "billable-to-header" for r in ch.to_header):
        raise SourceError("billable-status-changes.csv: only billable-to-header changes can be applied")
    for key, n in (("additions", len(adds)), ("deletions", len(deletes)), ("revisions", len(revise_to))):
        if key in counts and counts[key] != n:
            raise SourceError(f"{addenda.name}: its summary says {counts[key]} {key}, its lines give {n}")
    return ch


def _range_holds(block: str, cat: str) -> bool:
    lo, _, hi = block.partition("-")
    return lo <= cat <= (hi or lo)


def apply_changes(prev: dict[str, Any], ch: ChangeLists) -> dict[str, Any]:
    """The new year's compiled document: `prev` (the previous year's) with the changes applied."""
    cols = prev["codes"]
    codes = cols["code"].split("\n")
    titles = cols["title"].split("\n")
    levels = [_LETTER_LEVEL[x] for x in cols["level"]]
    parents = list(cols["parent"])
    billable = [x == "1" for x in cols["billable"]]
    # A tree of node ids; new nodes get ids past the end.
    kids: dict[int, list[int]] = {}
    for i, p in enumerate(parents):
        kids.setdefault(p, []).append(i)
    by_code = {c: i for i, c in enumerate(codes) if levels[i] not in ("chapter", "block")}
    changed: dict[str, str] = {}
    placed: list[dict[str, str]] = []
    notes = {k: v for k, v in prev["notes"].items()}
    seventh = {k: v for k, v in prev["seventh"].items()}

    # Deleted entries (headers included), with anything below them.
    gone: set[int] = set()

    def drop(i: int) -> None:
        gone.add(i)
        for k in kids.get(i, []):
            drop(k)

    for r in ch.deleted:
        i = by_code.get(r["codeDotted"])
        if i is None:
            raise SourceError(f"deleted.csv: {r['codeDotted']} is not in the FY{ch.fiscal_year - 1} book")
        drop(i)
    listed = {r["codeDotted"] for r in ch.deleted}
    if stray := sorted(codes[i] for i in gone if codes[i] not in listed):
        raise SourceError(f"deleted.csv: deleting its codes would also remove {', '.join(stray[:5])}, which it does not list")
    for i in gone:
        by_code.pop(codes[i], None)
        notes.pop(codes[i], None)
        seventh.pop(codes[i], None)
    for p in list(kids):
        kids[p] = [k for k in kids[p] if k not in gone]

    for r in ch.to_header:
        i = by_code.get(r["codeDotted"])
        if i is None or not billable[i]:
            raise SourceError(f"billable-status-changes.csv: {r['codeDotted']} is not a billable FY{ch.fiscal_year - 1} code")
        billable[i] = False
        if levels[i] == "code":
            levels[i] = "subcategory"
        changed[codes[i]] = "became a header (it has new subdivisions)"
    for r in ch.revised:
        i = by_code.get(r["codeDotted"])
        if i is None:
            raise SourceError(f"revised.csv: {r['codeDotted']} is not in the FY{ch.fiscal_year - 1} book")
        if titles[i] != r["previousLongTitle"]:
            raise SourceError(f"revised.csv: {r['codeDotted']} was titled {titles[i]!r}, not {r['previousLongTitle']!r}")
        titles[i] = r["newLongTitle"]
        changed[codes[i]] = f"retitled (was: {r['previousLongTitle']})"

    def block_for(cat: str) -> int:
        blocks = [i for i in range(len(codes)) if levels[i] == "block" and i not in gone]
        for b in blocks:
            if _range_holds(codes[b], cat):
                return b
        before = [b for b in blocks if codes[b].partition("-")[0] <= cat and codes[b][0] == cat[0]]
        if not before:
            raise SourceError(f"added.csv: no block of the tabular can hold new category {cat}")
        b = before[-1]
        placed.append({"category": cat, "block": codes[b]})
        return b

    # Added entries, shortest first so a new parent exists before its children.
    for r in sorted(ch.added, key=lambda r: (len(r["code"]), r["code"])):
        code = r["codeDotted"]
        if code in by_code:
            raise SourceError(f"added.csv: {code} is already in the FY{ch.fiscal_year - 1} book")
        bare = code.replace(".", "")
        parent = -1
        if len(bare) == 3:
            parent = block_for(bare)
        else:
            for k in range(len(bare) - 1, 2, -1):
                for cand in (bare[:k], bare[:k].rstrip("X")):
                    hit = by_code.get(normalize(cand)) if len(cand) >= 3 else None
                    if hit is not None:
                        parent = hit
                        break
                if parent >= 0:
                    break
        if parent < 0:
            raise SourceError(f"added.csv: no parent for new code {code}")
        if billable[parent]:
            raise SourceError(f"added.csv: {code} falls under {codes[parent]}, billable in FY{ch.fiscal_year}")
        i = len(codes)
        codes.append(code)
        titles.append(r["longTitle"])
        is_billable = r["billable"] == "true"
        levels.append("category" if len(bare) == 3 else ("code" if is_billable else "subcategory"))
        parents.append(parent)
        billable.append(is_billable)
        by_code[code] = i
        siblings = kids.setdefault(parent, [])
        pos = 0
        for n, s in enumerate(siblings):
            if codes[s] < code:  # ICD-10-CM order is code order: digits before letters
                pos = n + 1
        siblings.insert(pos, i)
        changed[code] = "new in FY%d" % ch.fiscal_year

    # Re-number in tabular (depth-first) order.
    order: list[int] = []

    def walk(i: int) -> None:
        order.append(i)
        for k in kids.get(i, []):
            walk(k)

    for root in kids.get(-1, []):
        walk(root)
    new_index = {old: n for n, old in enumerate(order)}
    for i in order:
        if levels[i] in ("category", "subcategory", "code") and not billable[i] and not kids.get(i):
            raise SourceError(f"FY{ch.fiscal_year}: header {codes[i]} has no codes below it")
    doc = {
        "system": "icd10cm",
        "version": str(ch.fiscal_year),
        "codes": {
            "code": "\n".join(codes[i] for i in order),
            "title": "\n".join(titles[i] for i in order),
            "level": "".join(_LEVEL_LETTER[levels[i]] for i in order),
            "parent": [-1 if parents[i] < 0 else new_index[parents[i]] for i in order],
            "billable": "".join("1" if billable[i] else "0" for i in order),
        },
        "notes": notes,
        "seventh": seventh,
        "changed": dict(sorted(changed.items())),
        "provenance": {
            "status": "provisional",
            "basis": f"FY{ch.fiscal_year - 1} CDC tabular with the CMS FY{ch.fiscal_year} code-descriptions addenda "
                     "and change lists made from the CMS order files",
            "missing": MISSING.format(fy=ch.fiscal_year, prev=ch.fiscal_year - 1),
            "new_categories_placed": placed,
        },
    }
    n_billable = doc["codes"]["billable"].count("1")
    want = ch.addenda_counts.get("to")
    if want is not None and n_billable != want:
        raise SourceError(f"FY{ch.fiscal_year}: {n_billable} billable codes after the changes, the addenda say {want}")
    return doc
