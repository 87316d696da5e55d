"""ICD-10-CM Alphabetic Index, Table of Drugs and Chemicals, Neoplasm Table, External Cause Index.

Coders start here, not in the tabular: a main term (the condition), its indented subterms, and
at the end a code, a cross-reference ("see", "see also") or, in the two tables, a row of codes.

Query API (all four objects are `TermTable`s, loaded lazily once per process)::

    idx = alphabetic_index()          # also drug_table(), neoplasm_table(), external_cause_index()
    idx.main_terms()                  # [Term, ...] level 0, in book order
    idx.term(id) / idx.children(id) / idx.path(id)   # path: main term first, the term last
    idx.find("Diabetes, type 2, with, chronic kidney disease")  # [Term(codes=["E11.22"], ...)]
    idx.entries()                     # (term_id, "Diabetes, diabetic, type 2, with, ...", codes)
    drug_table().rows("penicillin")   # substance rows by prefix; row.columns["poisoning_accidental"]

Codes are kept exactly as the index writes them: "E11.-" is incomplete and must be finished in
the tabular; "T36.0X1" still needs its 7th character. Never code from the index alone.

Compiled layout (`codebooks/icd10cm-<kind>-2025.json.gz`), column-wise for fast loading; term
ids are 1-based positions (for the Alphabetic Index they equal the source CSV's RowID):
  level, parent (0 = main term): lists of ints, one per term;
  term, nonessential, codes: one string per column, a line per term (codes space-joined);
  see, see_ids (space-joined ids), see_also, see_also_ids, see_codes, see_table, note:
  sparse {str(id): value};
  cells (tables only): one list per term of len(columns) codes or null, or null for no row.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Iterator

from workstation.codes import books

# Kinds of book and their compiled names (the sources are named in codes/compile/index_tables.py).
KINDS = ("index", "drug", "neoplasm", "eindex")
BOOK_NAMES = {k: f"icd10cm-{k}-2025" for k in KINDS}
TITLES = {
    "index": "ICD-10-CM Alphabetic Index of Diseases and Injuries",
    "drug": "ICD-10-CM Table of Drugs and Chemicals",
    "neoplasm": "ICD-10-CM Neoplasm Table",
    "eindex": "ICD-10-CM Index to External Causes",
}

# Table columns in source order (the XML's <head col="2".."7">; col 1 is the substance / site).
DRUG_COLUMNS = (
    "poisoning_accidental", "poisoning_intentional_self_harm", "poisoning_assault",
    "poisoning_undetermined", "adverse_effect", "underdosing",
)
NEOPLASM_COLUMNS = (
    "malignant_primary", "malignant_secondary", "in_situ", "benign",
    "uncertain_behavior", "unspecified_behavior",
)
COLUMNS: dict[str, tuple[str, ...]] = {"index": (), "drug": DRUG_COLUMNS, "neoplasm": NEOPLASM_COLUMNS, "eindex": ()}


@dataclass
class Term:
    """One index entry: a main term (level 0) or a subterm.

    `term` is the text without its non-essential modifiers, which sit in `nonessential` as
    written, e.g. "(mellitus) (sugar)". `codes` are as written ("E11.22", incomplete "E11.-", a
    paired manifestation code second). `see_ids` / `see_also_ids` are the ids of the terms a
    cross-reference names (the deepest resolvable term when only part of it resolves); empty when
    it names something outside this book (`see_table` then says "drug" or "neoplasm" if it names
    one of those tables) or a generic instruction ("see condition"). `see_codes`: tabular codes a
    "see category ..." names. `columns` (drug and neoplasm rows only): column -> code or None.
    """

    id: int
    level: int
    term: str
    nonessential: str = ""
    codes: list[str] = field(default_factory=list)
    see: str = ""
    see_ids: list[int] = field(default_factory=list)
    see_also: str = ""
    see_also_ids: list[int] = field(default_factory=list)
    parent: int | None = None
    has_children: bool = False
    see_codes: list[str] = field(default_factory=list)
    see_table: str = ""
    note: str = ""
    columns: dict[str, str | None] | None = None

    @property
    def label(self) -> str:
        """The term as printed: text then non-essential modifiers."""
        return " ".join(p for p in (self.term, self.nonessential) if p)

    @property
    def incomplete(self) -> list[str]:
        """Codes ending in "-": to be completed in the tabular."""
        return [c for c in self.codes if c.endswith("-")]

    def all_codes(self) -> list[str]:
        """`codes`, then the table columns' codes in column order."""
        out = list(self.codes)
        if self.columns:
            out.extend(c for c in self.columns.values() if c)
        return out


# ------------------------------------------------------------------ matching

_PARENS = re.compile(r"\([^()]*\)")


def normalize_text(text: str) -> str:
    """Lower case, accents and parenthesised (non-essential) words dropped, hyphens as spaces,
    spacing and commas tidied: 'Legg-Calvé-Perthes  disease' -> 'legg calve perthes disease'."""
    t = text.replace("\u2019", "'").replace("\u2018", "'").lower()
    if not t.isascii():
        t = "".join(c for c in unicodedata.normalize("NFKD", t) if not unicodedata.combining(c))
    t = _PARENS.sub(" ", t).replace("-", " ")
    return ", ".join(" ".join(p.split()) for p in t.split(",") if p.strip())


def split_path(text: str) -> list[str]:
    """'Diabetes, type 2 (mellitus), with' -> ['diabetes', 'type 2', 'with']."""
    t = normalize_text(text)
    return [p for p in t.split(", ") if p] if t else []


def _aliases(term: str) -> set[str]:
    """Names a term answers to: its text, each comma-separated form ("Disease, diseased"),
    and the text without a trailing NEC or NOS ("skin NOS" for "skin")."""
    t = normalize_text(term)
    if not t:
        return set()
    out = {t}
    pieces = t.split(", ")
    if len(pieces) > 1:
        out.update(pieces)
    for a in list(out):
        if a.endswith((" nec", " nos")):
            out.add(a[:-4])
    return out


class _Matcher:
    """Finds terms by comma-separated path text, level by level.

    A term whose own text has commas ("Abdomen, abdominal") may take several parts at once.
    The names under a parent are indexed the first time that parent is searched, so a look-up
    pays only for the levels it walks through.
    """

    def __init__(self, terms: list[str], children: Callable[[int], list[int]]) -> None:
        self.terms = terms
        self.children = children  # parent id (0 = the root) -> child ids in book order
        self._names: dict[int, tuple[dict[str, list[int]], dict[str, list[int]]]] = {}
        self._lock = threading.Lock()
        self.max_span = 1 + max((t.count(",") for t in terms), default=0)

    def names(self, parent: int) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
        """(full texts, other forms) of the terms under a parent, each -> ids in book order.

        Full texts come first: a term named exactly beats one that merely has that form
        ("Injury" is the main term Injury, not "Cave-in, injury").
        """
        got = self._names.get(parent)
        if got is None:
            exact: dict[str, list[int]] = {}
            forms: dict[str, list[int]] = {}
            for i in self.children(parent):
                full = normalize_text(self.terms[i - 1])
                if not full:
                    continue
                exact.setdefault(full, []).append(i)
                for a in _aliases(self.terms[i - 1]) - {full}:
                    forms.setdefault(a, []).append(i)
            with self._lock:
                got = self._names.setdefault(parent, (exact, forms))
        return got

    def _candidates(self, parent: int, key: str) -> list[int]:
        exact, forms = self.names(parent)
        # Then singular / plural forms ("Complications" for "Complication (s)").
        alt = key[:-1] if key.endswith("s") else key + "s"
        for table, k in ((exact, key), (forms, key), (exact, alt), (forms, alt)):
            ids = table.get(k)
            if ids:
                return ids
        return []

    def resolve(self, parts: list[str], parent: int = 0) -> tuple[list[int], int]:
        """(ids, parts consumed): every term that takes all parts, or else the deepest partial
        match (consumed < len(parts)); ([], 0) when not even the first part matches."""
        best: tuple[list[int], int] = ([], 0)
        full: list[int] = []
        for k in range(1, min(len(parts), self.max_span) + 1):
            key = ", ".join(parts[:k])
            for tid in self._candidates(parent, key):
                if k == len(parts):
                    if tid not in full:
                        full.append(tid)
                    continue
                ids, used = self.resolve(parts[k:], tid)
                if ids and used == len(parts) - k:
                    full.extend(i for i in ids if i not in full)
                    continue
                depth, ids = (k + used, ids) if ids else (k, [tid])
                if depth > best[1]:
                    best = (list(ids), depth)
                elif depth == best[1]:
                    best[0].extend(i for i in ids if i not in best[0])
        if full:
            return full, len(parts)
        return best


def table_named(text: str) -> str:
    """'drug' or 'neoplasm' when a cross-reference sends the coder to one of the tables
    ("Table of Drugs and Chemicals, by drug, poisoning"; "Neoplasm, skin, benign")."""
    t = normalize_text(text)
    if t.startswith("table of drugs"):
        return "drug"
    if t.startswith("table of neoplasms") or t == "neoplasm" or t.startswith("neoplasm,"):
        return "neoplasm"
    return ""


# ------------------------------------------------------------------ query


class TermTable:
    """One compiled index or table. Cheap to create; lookup structures are built on first use."""

    def __init__(self, kind: str, doc: dict[str, Any], fiscal_year: int = 2025) -> None:
        self.kind = kind
        self.doc = doc
        self.fiscal_year = fiscal_year  # of the release it was compiled from
        self.title: str = doc.get("title", TITLES.get(kind, kind))
        self.columns: tuple[str, ...] = tuple(doc.get("columns", ()))
        self.headings: dict[str, str] = dict(zip(self.columns, doc.get("headings", [])[1:]))
        self._level: list[int] = doc["level"]
        # One string per column, split here: far quicker to load than 81,000 JSON strings.
        self._text: list[str] = doc["term"].split("\n")
        self._ness: list[str] = doc["nonessential"].split("\n")
        self._codes: list[str] = doc["codes"].split("\n")
        self._parent: list[int] = doc["parent"]
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._text)

    @cached_property
    def _main_ids(self) -> list[int]:
        return [i for i, lv in enumerate(self._level, start=1) if lv == 0]

    def _end(self, term_id: int) -> int:
        """Terms are stored depth first: a term's descendants are the ids after it up to this one."""
        levels, top, j = self._level, self._level[term_id - 1], term_id
        while j < len(levels) and levels[j] > top:
            j += 1
        return j + 1

    def _kids(self, term_id: int) -> list[int]:
        if term_id == 0:
            return self._main_ids
        want = self._level[term_id - 1] + 1
        return [i for i in range(term_id + 1, self._end(term_id)) if self._level[i - 1] == want]

    @cached_property
    def _matcher(self) -> _Matcher:
        return _Matcher(self._text, self._kids)

    def term(self, term_id: int) -> Term:
        """The term with this id (KeyError for an unknown id)."""
        if not 1 <= term_id <= len(self._text):
            raise KeyError(f"no term {term_id} in the {self.title}")
        d, i, k = self.doc, term_id - 1, str(term_id)
        codes = self._codes[i]
        cells = d["cells"][i] if "cells" in d else None
        p = self._parent[i]
        return Term(
            id=term_id, level=self._level[i], term=self._text[i], nonessential=self._ness[i],
            codes=codes.split(" ") if codes else [],
            see=d["see"].get(k, ""), see_ids=_ids(d["see_ids"].get(k)),
            see_also=d["see_also"].get(k, ""), see_also_ids=_ids(d["see_also_ids"].get(k)),
            parent=p or None, has_children=self._has_children(term_id),
            see_codes=list(d["see_codes"].get(k, [])), see_table=d["see_table"].get(k, ""),
            note=d["note"].get(k, ""),
            columns=dict(zip(self.columns, cells)) if cells is not None else None,
        )

    def _has_children(self, term_id: int) -> bool:
        # Terms are stored depth first, so a term has children when the next one is deeper.
        return term_id < len(self._level) and self._level[term_id] > self._level[term_id - 1]

    def main_terms(self) -> list[Term]:
        return [self.term(i) for i in self._main_ids]

    def children(self, term_id: int) -> list[Term]:
        self.term(term_id)  # KeyError for an unknown id
        return [self.term(i) for i in self._kids(term_id)]

    def path(self, term_id: int) -> list[Term]:
        """Main term first, down to the term itself."""
        out = []
        i = term_id
        while i:
            out.append(self.term(i))
            i = self._parent[i - 1]
        return out[::-1]

    def path_text(self, term_id: int) -> str:
        """'Diabetes, diabetic, type 2, with, chronic kidney disease' (without modifiers)."""
        parts = []
        i = term_id
        while i:
            parts.append(self._text[i - 1] or self._ness[i - 1])
            i = self._parent[i - 1]
        return ", ".join(reversed(parts))

    def descendants(self, term_id: int) -> Iterator[Term]:
        """Every term below, depth first in book order."""
        for i in range(term_id + 1, self._end(term_id)):
            yield self.term(i)

    def find(self, path_text: str, prefix: bool = False) -> list[Term]:
        """Terms named by a comma-separated path, main term first, case-insensitive, ignoring
        non-essential modifiers: "Diabetes, type 2, with, chronic kidney disease".

        A term answers to its full text or to any of its comma-separated forms ("Diabetes" for
        "Diabetes, diabetic"). With prefix=True the last part may be the start of a term, and
        the results are every term it starts (book order).
        """
        parts = split_path(path_text)
        if not parts:
            return []
        with self._lock:
            m = self._matcher
        if not prefix:
            ids, used = m.resolve(parts)
            return [self.term(i) for i in ids] if used == len(parts) else []
        if len(parts) == 1:
            parents = [0]
        else:
            ids, used = m.resolve(parts[:-1])
            if used != len(parts) - 1:
                return []
            parents = ids
        last = parts[-1]
        found: set[int] = set()
        for p in parents:
            for names in m.names(p):
                for name, ids in names.items():
                    if name.startswith(last):
                        found.update(ids)
        return [self.term(i) for i in sorted(found)]

    def rows(self, name: str) -> list[Term]:
        """Table rows whose substance / site starts with `name` (case-insensitive), with paths
        allowed ("Penicillin" or "breast, skin"). For the Neoplasm Table the sites are the
        subterms of its single main term "Neoplasm, neoplastic"."""
        text = name if not self._neoplasm_root else f"{self._text[self._neoplasm_root - 1]}, {name}"
        if self._neoplasm_root and split_path(name)[:1] == ["neoplasm"]:
            text = name
        return self.find(text, prefix=True)

    @cached_property
    def _neoplasm_root(self) -> int:
        return self._main_ids[0] if self.kind == "neoplasm" and len(self._main_ids) == 1 else 0

    def entries(self) -> Iterator[tuple[int, str, list[str]]]:
        """(term_id, full path text, codes) for every term in book order: for the search index.
        For table rows, codes are the row's column codes in column order."""
        d = self.doc
        paths: list[str] = [""] * (len(self._text) + 1)
        cells = d.get("cells")
        for i, (text, p) in enumerate(zip(self._text, self._parent), start=1):
            own = text or self._ness[i - 1]
            paths[i] = f"{paths[p]}, {own}" if p else own
            codes = self._codes[i - 1].split(" ") if self._codes[i - 1] else []
            if cells is not None and cells[i - 1] is not None:
                codes += [c for c in cells[i - 1] if c]
            yield i, paths[i], codes


def _ids(text: str | None) -> list[int]:
    return [int(x) for x in text.split()] if text else []


def load(kind: str) -> TermTable:
    """The newest compiled or installed (`codebooks install`) book of this kind; FY2025 as shipped."""
    if kind not in BOOK_NAMES:
        raise ValueError(f"unknown index kind {kind!r} (one of {', '.join(KINDS)})")
    return books.open_book(f"icd10cm-{kind}", lambda doc, _name, entry: TermTable(kind, doc, int(entry.get("fiscal_year", 2025))),
                           default=BOOK_NAMES[kind])


def alphabetic_index() -> TermTable:
    """The Alphabetic Index of Diseases and Injuries (FY2025)."""
    return load("index")


def drug_table() -> TermTable:
    """The Table of Drugs and Chemicals; rows' columns are DRUG_COLUMNS."""
    return load("drug")


def neoplasm_table() -> TermTable:
    """The Neoplasm Table; rows' columns are NEOPLASM_COLUMNS."""
    return load("neoplasm")


def external_cause_index() -> TermTable:
    """The Index to External Causes."""
    return load("eindex")
