"""ICD-10-CM: query the compiled code book (compiled from the CDC tabular XML by `codes/compile/icd10cm.py`).

Compiled layout (one orjson document per release, gzip-compressed):
  codes:   columns in tabular order, stored so that loading parses a few long strings rather
           than 100,000 small lists (twice as fast): "code" and "title" newline-joined, "level"
           one letter per row (C chapter, B block, K category, S subcategory, c code),
           "parent" row indexes (-1 for a chapter), "billable" one 0/1 digit per row. Chapters are
           "Chapter 1".."Chapter 22", blocks their range ("A00-A09"); codes carry their dot.
           7th-character codes are expanded (S72.012A, T36.0X1A) and their parent is the code
           they extend, which becomes a header.
  notes:   {node: [[kind, text], ...]}: each note once, on the node where the tabular prints it.
  seventh: {node: {"note": [...], "chars": [[char, meaning], ...]}} where a 7th-character table
           is defined; it applies to every code below that node.
Inheritance is resolved at look-up time (`ICD10CM.notes`), so nothing is stored twice.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, Iterator

from workstation.codes.model import CodeRef, Note, NOTE_KINDS, parse_refs

LEVELS = ("chapter", "block", "category", "subcategory", "code")


@lru_cache(maxsize=1 << 16)  # pure, and called several times per code by every scrub (a fifth of its time)
def normalize(code: str) -> str:
    """'e1122' / 'E11.22' / ' e11.22 ' -> 'E11.22'; ranges and chapters pass through upper-cased."""
    c = code.strip().upper().replace(" ", "")
    if c.startswith("CHAPTER"):
        return "Chapter " + c[7:]
    if "-" in c[1:] and len(c) > 4 and not c.endswith("-"):
        return c  # a block such as A00-A09
    c = c.rstrip("-").rstrip(".")
    c = c.replace(".", "")
    if len(c) > 3:
        c = c[:3] + "." + c[3:]
    return c


def note_key(code: str, level: str) -> str:
    """Where a node's notes are kept: its code, except a block named like its only category
    ("T07" block holds category T07): the block's notes are kept apart under "T07-T07"."""
    return f"{code}-{code}" if level == "block" and "-" not in code else code

def seventh_code(code: str, char: str) -> str:
    """Add a 7th character, with placeholder X up to six characters: T36.0 + 1A? no: T36.0X1 + A."""
    bare = code.replace(".", "")
    bare = bare.ljust(6, "X") + char
    return bare[:3] + "." + bare[3:]


_LEVEL_LETTER = {"chapter": "C", "block": "B", "category": "K", "subcategory": "S", "code": "c"}
_LETTER_LEVEL = {v: k for k, v in _LEVEL_LETTER.items()}


# ---------------------------------------------------------------- query

@dataclass(frozen=True)
class Code:
    code: str
    title: str
    level: str
    billable: bool
    index: int
    parent: int

    @property
    def is_header(self) -> bool:
        return not self.billable


@dataclass
class ICD10CM:
    """One compiled ICD-10-CM release."""

    fiscal_year: int
    release: str  # e.g. "2026-april"
    doc: dict[str, Any] = field(repr=False)
    name: str = ""  # manifest name, e.g. "icd10cm-2027"
    origin: str = "shipped"  # shipped, installed, provisional

    @property
    def provisional(self) -> bool:
        return self.doc.get("provenance", {}).get("status") == "provisional"

    def provenance(self, code: str) -> dict[str, str] | None:
        """For a code this year's update changed in a provisional book: what changed, where the
        text comes from and what is missing. None for any other code."""
        prov = self.doc.get("provenance")
        c = self.get(code)
        if not prov or c is None:
            return None
        what = self.doc.get("changed", {}).get(c.code)
        if what is None:
            return None
        return {"change": what, "basis": prov["basis"], "missing": prov["missing"]}

    @cached_property
    def _codes(self) -> list[str]:
        return self.doc["codes"]["code"].split("\n")

    @cached_property
    def _titles(self) -> list[str]:
        return self.doc["codes"]["title"].split("\n")

    @cached_property
    def _by_code(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self._codes)}

    @cached_property
    def _children(self) -> dict[int, list[int]]:
        kids: dict[int, list[int]] = {}
        for i, p in enumerate(self.doc["codes"]["parent"]):
            kids.setdefault(p, []).append(i)
        return kids

    @cached_property
    def _built(self) -> dict[int, Code]:
        return {}

    def _code(self, i: int) -> Code:
        # Built once per row and kept with the book (Code is frozen): the scrubber looks the same
        # codes up many times per claim.
        c = self._built.get(i)
        if c is None:
            cols = self.doc["codes"]
            c = self._built[i] = Code(
                self._codes[i], self._titles[i], _LETTER_LEVEL[cols["level"][i]],
                cols["billable"][i] == "1", i, cols["parent"][i],
            )
        return c

    def __len__(self) -> int:
        return len(self._codes)

    def __contains__(self, code: str) -> bool:
        return normalize(code) in self._by_code

    def get(self, code: str) -> Code | None:
        i = self._by_code.get(normalize(code))
        return None if i is None else self._code(i)

    def all_codes(self) -> Iterator[Code]:
        built = self._built
        cols = self.doc["codes"]
        levels, billable, parents = cols["level"], cols["billable"], cols["parent"]
        for i, (code, title) in enumerate(zip(self._codes, self._titles)):
            c = built.get(i)  # a bulk walk (release diffs) builds without keeping
            yield c if c is not None else Code(code, title, _LETTER_LEVEL[levels[i]], billable[i] == "1", i, parents[i])

    def rows(self) -> Iterator[tuple[str, str, str, bool]]:
        """Every row as (code, title, level, billable), in tabular order: for bulk readers (search)."""
        cols = self.doc["codes"]
        levels, billable = cols["level"], cols["billable"]
        for i, (code, title) in enumerate(zip(self._codes, self._titles)):
            yield code, title, _LETTER_LEVEL[levels[i]], billable[i] == "1"

    def raw_notes(self) -> dict[str, list[list[str]]]:
        """{node: [[kind, text], ...]} as compiled, each note once where it appears (for bulk readers)."""
        return self.doc["notes"]

    def is_billable(self, code: str) -> bool:
        c = self.get(code)
        return bool(c and c.billable)

    def chapters(self) -> list[Code]:
        return [self._code(i) for i in self._children.get(-1, [])]

    def children(self, code: str) -> list[Code]:
        c = self.get(code)
        return [] if c is None else [self._code(i) for i in self._children.get(c.index, [])]

    def parent(self, code: str) -> Code | None:
        c = self.get(code)
        return None if c is None or c.parent < 0 else self._code(c.parent)

    def path(self, code: str) -> list[Code]:
        """Chapter, block, category ... down to the code itself."""
        c = self.get(code)
        out: list[Code] = []
        while c is not None:
            out.append(c)
            c = None if c.parent < 0 else self._code(c.parent)
        return out[::-1]

    def notes(self, code: str) -> list[Note]:
        """Every instructional note that applies to the code, nearest level first, with its origin."""
        out: list[Note] = []
        for node in reversed(self.path(code)):
            out.extend(self._node_notes(node))
        return out

    @cached_property
    def _notes_at(self) -> dict[str, tuple[Note, ...]]:
        return {}

    def _node_notes(self, node: Code) -> tuple[Note, ...]:
        """The notes printed at one node, read once per book: a chapter's or a block's notes are
        the same for each of its codes (Note is frozen, so they are shared)."""
        key = note_key(node.code, node.level)
        hit = self._notes_at.get(key)
        if hit is not None:
            return hit
        out: list[Note] = []
        for kind, text in self.doc["notes"].get(key, []):
            out.append(Note(kind, text, node.code, node.level, tuple(parse_refs(text))))
        s = self.doc["seventh"].get(key)
        if s:
            for t in s["note"]:
                out.append(Note("seventh_note", t, node.code, node.level, tuple(parse_refs(t))))
            incl = s.get("inclusions", {})
            for char, meaning in s["chars"]:
                also = "; ".join(incl.get(char, []))
                out.append(Note("seventh_char", f"{char}  {meaning}" + (f" (includes: {also})" if also else ""),
                                node.code, node.level, ()))
        hit = self._notes_at[key] = tuple(out)
        return hit

    def notes_of_kind(self, code: str, kind: str) -> list[Note]:
        return [n for n in self.notes(code) if n.kind == kind]

    def seventh_table(self, code: str) -> tuple[str, dict[str, Any]] | None:
        """The 7th-character table that applies to a code: (origin node, the compiled table)."""
        for node in reversed(self.path(code)):
            s = self.doc["seventh"].get(note_key(node.code, node.level))
            if s:
                return node.code, s
        return None

    def seventh_characters(self, code: str) -> tuple[str, list[tuple[str, str]]] | None:
        """The 7th characters valid for a code (origin node, [(char, meaning)]), if a table applies.

        For a header one 7th character away from billable, only the characters that give a code
        in the book: the table's own notes exclude some (S06 with 6th character 7 or 8: A only).
        """
        found = self.seventh_table(code)
        if found is None:
            return None
        origin, s = found
        chars = [(c, m) for c, m in s["chars"]]
        c = self.get(code)
        if c is not None and self.needs_seventh(c.code):
            have = {self._codes[k][-1] for k in self._children.get(c.index, [])}
            chars = [(ch, m) for ch, m in chars if ch in have]
        return origin, chars

    def seventh_inclusions(self, code: str) -> dict[str, list[str]]:
        """Inclusion terms printed under 7th characters ({"B": ["initial encounter for open fracture NOS"]})."""
        found = self.seventh_table(code)
        return dict(found[1].get("inclusions", {})) if found else {}

    def needs_seventh(self, code: str) -> bool:
        """True for a code that is reportable only once a 7th character is added (S72.012).

        A six-character header whose children are subdivisions (Z91.011 -> Z91.0110) is not.
        """
        c = self.get(code)
        if c is None or c.billable:
            return False
        kids = self._children.get(c.index, [])
        bare = c.code.replace(".", "")
        for k in kids:
            kid = self._codes[k].replace(".", "")
            if len(kid) != 7 or kid[:-1].rstrip("X") != bare:
                return False
        return bool(kids) and self.seventh_table(c.code) is not None

    def with_seventh(self, code: str, char: str) -> str:
        """S72.012 + A -> S72.012A; T36.0 + 1A style placeholders -> T36.0X1A."""
        return seventh_code(normalize(code), char.upper())

    def near_misses(self, code: str) -> str:
        """Why a code that is not in the book may have been meant: "" when nothing close is found.

        The slips coders make with 7th characters: the placeholder X left out (T36.01A for
        T36.0X1A, W06A for W06.XXXA), or a 7th character the code's table does not define.
        """
        raw = normalize(code).replace(".", "")
        if self.get(raw) is not None or len(raw) < 4 or len(raw) > 7:
            return ""
        if len(raw) == 7:
            stem = self.get(raw[:-1]) or self.get(raw[:-1].rstrip("X"))
            if stem is not None and self.needs_seventh(stem.code):
                origin, chars = self.seventh_characters(stem.code) or ("", [])
                return (f"'{raw[-1]}' is not a 7th character of {stem.code} "
                        f"(its table at {origin} allows {', '.join(ch for ch, _ in chars)})")
            return ""
        # Too short for a 7th-character code: try the placeholder X in every free position.
        from itertools import combinations

        found = []
        missing = 7 - len(raw)
        for spots in combinations(range(3, 7), missing):
            chars = list(raw[:-1])
            for i in spots:
                chars.insert(i, "X")
            cand = "".join(chars) + raw[-1]
            if len(cand) == 7 and (hit := self.get(cand)) is not None and hit.billable and hit.code not in found:
                found.append(hit.code)
        if found:
            return f"a 7th-character code needs the placeholder X: did you mean {' or '.join(found)}?"
        return ""

    def refs_resolve(self, ref: CodeRef) -> list[Code]:
        """Codes in the book that a note reference names (the first code of a range, or the code)."""
        out = []
        for c in (ref.start, ref.end):
            if c and (hit := self.get(c)):
                out.append(hit)
        return out

    def block_of(self, code: str) -> Code | None:
        for node in self.path(code):
            if node.level == "block":
                return node
        return None


NOTE_KIND_LABELS = {k: v for k, v in NOTE_KINDS.items()}
