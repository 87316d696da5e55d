"""What the search index is made of: every code set's codes and the texts that lead to them.

Each source is read through the code set's own module (never the raw official files); every
code set ships compiled, so a missing book fails the build. Every function here adds to an
`IndexBuilder`.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from workstation.codes import books, hcpcs, icd10pcs, index_tables
from workstation.codes.icd10cm import normalize

log = logging.getLogger(__name__)

# Kinds of evidence, in the order they rank when everything else is equal.
KIND_TITLE = 0
KIND_INDEX = 1
KIND_INCLUSION = 2
KIND_DRUG = 3
KIND_NEOPLASM = 4
KIND_EINDEX = 5
KIND_PCS_INDEX = 6
KIND_MODIFIER = 7
KIND_LABELS = {
    KIND_TITLE: "title",
    KIND_INDEX: "index",
    KIND_INCLUSION: "inclusion term",
    KIND_DRUG: "drug table",
    KIND_NEOPLASM: "neoplasm table",
    KIND_EINDEX: "external cause index",
    KIND_PCS_INDEX: "PCS index",
    KIND_MODIFIER: "modifier",
}
# Index-backed kinds: a coder's path to the code, so they rank above a bare title match.
INDEX_KINDS = frozenset({KIND_INDEX, KIND_DRUG, KIND_NEOPLASM, KIND_EINDEX, KIND_PCS_INDEX})
# The ICD-10-CM Index and Tables (FY2025, serving later years): a hit on a code not valid in the
# case's year leads to what replaced it (search/engine.py, codes/dated.year_of).
TABLE_KINDS = (KIND_INDEX, KIND_DRUG, KIND_NEOPLASM, KIND_EINDEX)

SYSTEMS = ("icd10cm", "icd10pcs", "hcpcs")


@dataclass
class IndexBuilder:
    """Collects codes (with the years they exist in) and the texts that point to them."""

    # code rows: [code, system, title, billable, year mask, needs_seventh, parent row or -1]
    codes: list[list[Any]] = field(default_factory=list)
    by_key: dict[tuple[str, str], int] = field(default_factory=dict)
    # doc rows: [code row, kind, text, optional words]
    docs: list[list[Any]] = field(default_factory=list)
    seen_docs: set[tuple[int, int, str]] = field(default_factory=set)
    sources: dict[str, Any] = field(default_factory=dict)  # book name -> sha256, for staleness
    years: dict[str, list[int]] = field(default_factory=dict)  # system -> fiscal years indexed

    def code(self, system: str, code: str, title: str, billable: bool, year: int = 0,
             needs_seventh: bool = False, parent: int = -1) -> int:
        key = (system, code)
        title = " ".join(title.split())
        i = self.by_key.get(key)
        bit = (1 << (year - 2000)) if year else 0
        if i is None:
            i = len(self.codes)
            self.by_key[key] = i
            self.codes.append([code, system, title, int(billable), bit, int(needs_seventh), parent])
        else:
            row = self.codes[i]
            row[4] |= bit
            # Newer releases are added last: their title and flags win.
            row[2], row[3], row[5] = title, int(billable), int(needs_seventh)
            if parent >= 0:
                row[6] = parent
        return i

    def find(self, system: str, code: str) -> int | None:
        return self.by_key.get((system, code))

    def doc(self, code_row: int, kind: int, text: str, optional: str = "") -> None:
        text = " ".join(text.split())
        if not text:
            return
        key = (code_row, kind, text)
        if key in self.seen_docs:
            return
        self.seen_docs.add(key)
        self.docs.append([code_row, kind, text, optional])


def _sha(name: str) -> str | None:
    entry = books.manifest()["codebooks"].get(name)
    return entry.get("sha256") if entry else None


# ---------------------------------------------------------------- ICD-10-CM tabular

def add_icd10cm(b: IndexBuilder) -> None:
    years = books.icd10cm_years()
    for fy in years:  # oldest first, so the newest title wins
        book = books.icd10cm(fy)
        rows = list(book.rows())  # (code, title, level, billable) in tabular order
        parents: list[int] = list(book.doc["codes"]["parent"])
        for name in books.icd10cm_entries(fy):  # October and any installed April update
            b.sources[name] = _sha(name)
        row_of: list[int] = [-1] * len(rows)
        seventh_parent: set[int] = set()
        for i, (code, title, level, billable) in enumerate(rows):
            if level in ("chapter", "block"):
                continue
            parent = parents[i]
            par = row_of[parent] if parent >= 0 else -1
            row_of[i] = b.code("icd10cm", code, title, billable, fy, parent=par)
            if billable and parent >= 0 and len(code) == 8 and _is_seventh(rows[parent][0], code):
                seventh_parent.add(parent)
        for p in seventh_parent:
            b.codes[row_of[p]][5] = 1
        for i, (code, title, level, billable) in enumerate(rows):
            r = row_of[i]
            if r < 0 or (billable and parents[i] in seventh_parent):
                continue  # 7th-character codes are found through their header
            b.doc(r, KIND_TITLE, title)
        for node, notes in book.raw_notes().items():
            r = b.find("icd10cm", node)
            if r is None:
                continue  # chapter and block notes are too broad to lead to one code
            for kind, text in notes:
                if kind in ("inclusion_term", "includes"):
                    b.doc(r, KIND_INCLUSION, text)
    b.years["icd10cm"] = years


def _is_seventh(header: str, code: str) -> bool:
    bare, head = code.replace(".", ""), header.replace(".", "")
    return len(bare) == 7 and bare[:-1].rstrip("X") == head


# ---------------------------------------------------------------- Alphabetic Index and tables

_CM_CODE = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z-]{0,4})?-?$")


def cm_row_for(b: IndexBuilder, code: str) -> int | None:
    """The code row an index entry names: 'E11.22', an incomplete 'E11.-' / 'C79.8-' (its header)."""
    c = code.strip().upper().rstrip("-").rstrip(".")
    if not c:
        return None
    c = normalize(c)
    r = b.find("icd10cm", c)
    if r is None and len(c.replace(".", "")) > 3:
        # A code the index names but the tabular expanded or retired: its nearest header.
        while r is None and len(c.replace(".", "")) > 3:
            bare = c.replace(".", "")[:-1]
            c = normalize(bare)
            r = b.find("icd10cm", c)
    return r


def add_index_tables(b: IndexBuilder) -> None:
    for name, table, kind in (("alphabetic_index", index_tables.alphabetic_index(), KIND_INDEX),
                              ("drug_table", index_tables.drug_table(), KIND_DRUG),
                              ("neoplasm_table", index_tables.neoplasm_table(), KIND_NEOPLASM),
                              ("external_cause_index", index_tables.external_cause_index(), KIND_EINDEX)):
        b.sources[f"index:{name}"] = _add_term_table(b, table, kind)


def _column(v: Any) -> list[str]:
    """A text column of a compiled table: a list, or one newline-joined string."""
    if v is None:
        return []
    if isinstance(v, str):
        return v.split("\n")
    return [x or "" for x in v]


def _see_target(see_ids: Any, i: int) -> int:
    """The first term a "see" reference of term i resolves to (0: none)."""
    try:
        v = see_ids.get(str(i)) if isinstance(see_ids, dict) else see_ids[i - 1]
    except (IndexError, KeyError, TypeError):
        return 0
    if isinstance(v, (list, tuple)):
        v = v[0] if v else 0
    if isinstance(v, str):
        v = v.split()[0] if v.split() else "0"
    try:
        return int(v)
    except (TypeError, ValueError):
        return 0


def _add_term_table(b: IndexBuilder, table: Any, kind: int) -> int:
    """An index or table from `index_tables` (columnar doc): one entry per term and code.

    The path text is what the coder reads ("Diabetes, diabetic, type 2, with, chronic kidney
    disease"); the non-essential modifiers of the term and its parents ("(mellitus)") are
    indexed as optional words. A term with only a "see" reference leads to the codes of the
    term it names.
    """
    d = table.doc
    texts: list[str] = _column(d.get("term"))
    parents: list[int] = list(d["parent"])
    ness = _column(d.get("nonessential")) or [""] * len(texts)
    codes = _column(d.get("codes")) or [""] * len(texts)
    cells = d.get("cells")
    see_ids = d.get("see_ids") or {}
    columns = list(table.columns)
    headings = table.headings
    n = len(texts)
    paths = [""] * (n + 1)
    opts = [""] * (n + 1)
    own_codes: list[list[tuple[str, str]]] = [[] for _ in range(n + 1)]
    for i in range(1, n + 1):
        p = parents[i - 1]
        text = texts[i - 1] or ness[i - 1]
        paths[i] = f"{paths[p]}, {text}" if p else text
        opts[i] = f"{opts[p]} {ness[i - 1]}".strip() if p else ness[i - 1]
        pairs = [("", c) for c in (codes[i - 1].split(" ") if codes[i - 1] else []) if c]
        if cells is not None and cells[i - 1]:
            for col, c in zip(columns, cells[i - 1]):
                if c:
                    label = headings.get(col) or col.replace("_", " ")
                    pairs.append((label, c))
        own_codes[i] = pairs
    added = 0
    for i in range(1, n + 1):
        pairs = own_codes[i]
        path = paths[i]
        if not pairs:
            target = _see_target(see_ids, i)
            if target and 0 < target <= n and own_codes[target]:
                pairs = [("", c) for _l, c in own_codes[target] if not _l][:3]
                path = f"{path} (see {paths[target]})"
        for label, code in pairs:
            if not code[:1].isalpha():
                continue
            r = cm_row_for(b, code)
            if r is None:
                continue
            b.doc(r, kind, f"{path}, {label}" if label else path, opts[i])
            added += 1
    return added


# ---------------------------------------------------------------- ICD-10-PCS

def add_icd10pcs(b: IndexBuilder) -> None:
    book = icd10pcs.icd10pcs()
    b.sources[icd10pcs.BOOK] = _sha(icd10pcs.BOOK)
    for code, title in book.all_codes():
        r = b.code("icd10pcs", code, title, True)
        b.doc(r, KIND_TITLE, title)
    b.years["icd10pcs"] = []
    for e in book.index_entries():
        code = (e.code or "").strip().upper()
        if not code:
            continue
        path = ", ".join(e.path)
        r = b.find("icd10pcs", code)
        if r is None:
            # A partial code or a table: a header row the coder completes axis by axis.
            axes = book.decode(code)
            if not axes:
                continue
            title = ", ".join(a.label for a in axes)
            r = b.code("icd10pcs", code, title, False)
        b.doc(r, KIND_PCS_INDEX, path)


# ---------------------------------------------------------------- HCPCS Level II

def add_hcpcs(b: IndexBuilder) -> None:
    book = hcpcs.hcpcs()
    b.sources["hcpcs"] = _sha(hcpcs.BOOK)
    for c in book.all_codes():
        r = b.code("hcpcs", c.code, c.long or c.short, True)
        b.doc(r, KIND_TITLE, c.long or c.short)
        if c.short and c.short != c.long:
            b.doc(r, KIND_TITLE, c.short)
    for m in book.modifiers().values():
        r = b.code("hcpcs", m.code, m.long or m.short, False)  # a modifier is never a line's code alone
        b.doc(r, KIND_MODIFIER, m.long or m.short)
    b.years["hcpcs"] = []


def collect(systems: Iterable[str] = SYSTEMS) -> IndexBuilder:
    """Gather every available code set into one builder."""
    b = IndexBuilder()
    wanted = set(systems)
    if "icd10cm" in wanted:
        add_icd10cm(b)
        add_index_tables(b)
    if "icd10pcs" in wanted:
        add_icd10pcs(b)
    if "hcpcs" in wanted:
        add_hcpcs(b)
    return b
