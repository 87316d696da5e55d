"""ICD-10-PCS: decode, validate and build codes from the compiled tables (compiled from the CMS
tables, index and definitions XML by `codes/compile/icd10pcs.py`).

The tables are stored as they are published (908 tables, 2,661 rows), not as 79,000 expanded
codes: a code is valid when one row of its table (first three characters) allows each of its
last four characters. Every valid code can still be enumerated cheaply (`all_codes`).

Compiled layout (`codebooks/icd10pcs-2025.json.gz`):
  labels:  every distinct axis label once; the rest refer to labels by index.
  axes:    {section char: [axis name for positions 1..7]} (names vary by section: "Body Part",
           "Body Region", "Substance" ...).
  tables:  [[first three chars, [label of pos 1, 2, 3], root operation definition,
            [row, ...]]] where a row is [[chars, [label, ...]] for positions 4..7]. Labels stay
           per row because a character can mean different things in two rows of one table.
  index:   [[parent, title, code, see, use]] in index order; parent -1 for a main term; code is
           a full code (7), a partial code (4-6) or a table (3) as the index prints it.
  definitions: {section: {"title", "axes": {pos: {"name", "terms": [[titles], definition,
           explanation, includes]}}}} and "devices": the device aggregation table.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Iterator

from workstation.codes.formats import PCS_FORMAT
from workstation.codes.lookup_result import LookupNote, LookupResult

SYSTEM = "icd10pcs"
RELEASE = "FY2025"
BOOK = "icd10pcs-2025"
# Seven characters, digits and letters without I and O (never used, to avoid 1 and 0).
PCS_CHARS = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"


# ---------------------------------------------------------------- query

def count_codes(doc: dict[str, Any]) -> int:
    n = 0
    for _key, _head, _def, rows in doc["tables"]:
        for row in rows:
            k = 1
            for chars, _ in row:
                k *= len(chars)
            n += k
    return n


@dataclass(frozen=True)
class Axis:
    position: int  # 1..7
    name: str      # "Section", "Body System", "Operation", "Body Part", "Approach", "Device", "Qualifier"...
    char: str
    label: str


@dataclass(frozen=True)
class Definition:
    section: str
    axis: int
    axis_name: str
    terms: tuple[str, ...]  # the labels it defines ("1st Toe, Left", "1st Toe, Right")
    definition: str
    explanation: str
    includes: tuple[str, ...]


@dataclass(frozen=True)
class IndexEntry:
    id: int
    path: tuple[str, ...]  # main term, subterms: ("Abortion", "Laminaria")
    code: str | None       # as printed: a full code, a partial code (0UT9) or a table (0QB)
    see: str | None
    use: str | None

    @property
    def complete(self) -> bool:
        return self.code is not None and len(self.code) == 7


def normalize(code: str) -> str:
    return code.strip().upper().replace(" ", "").replace("-", "")


# Labels that mean "nothing here" and stay out of a composed title.
_EMPTY = {"No Device", "No Qualifier", "None", "No Substance"}


def _lateral(body: str) -> str:
    """'Hip Joint, Right' -> 'Right Hip Joint', as CMS long titles print body parts."""
    for side in ("Right and Left", "Right", "Left", "Bilateral", "Female", "Male"):
        suffix = f", {side}"
        if body.endswith(suffix):
            return f"{side} {body[: -len(suffix)]}"
    return body


_COUNTS = {"One", "Two", "Three", "Four", "Single", "Multiple"}


def _device(dev: str) -> str:
    """'Synthetic Substitute, Metal' -> 'Metal Synthetic Substitute' (one-word kind before the device)."""
    head, sep, tail = dev.rpartition(", ")
    if sep and head and " " not in tail and "," not in head and tail not in _COUNTS and not tail[:1].isdigit():
        return f"{tail} {head}"
    return dev


def _approach(ap: str) -> str:
    return ap if ap.startswith("Via ") or ap.endswith("Approach") else f"{ap} Approach"


# Root operations the CMS long titles word differently from "Operation of Body part".
_BODY_ONLY = {
    "Repair": "Repair {body}", "Release": "Release {body}", "Reposition": "Reposition {body}",
    "Supplement": "Supplement {body}", "Map": "Map {body}", "Extirpation": "Extirpation of Matter from {body}",
    "Fragmentation": "Fragmentation in {body}", "Control": "Control Bleeding in {body}",
    "Detachment": "Detachment at {body}",
}
_DEVICE_FIRST = {
    "Removal": "Removal of {dev} from {body}", "Revision": "Revision of {dev} in {body}",
    "Insertion": "Insertion of {dev} into {body}", "Change": "Change {dev} in {body}",
}

# Root operations that put a substance into a site: "Introduction of Substance into Site".
_INTO = {"Introduction", "Irrigation", "Transfusion"}


def compose_title(section: str, labels: list[str]) -> str:
    """A long title from the seven axis labels, in the CMS order-file style.

    Medical and Surgical (and the sections shaped like it): "Root operation of Body part[ with
    Device][, Qualifier], Approach Approach"; Bypass and Transfer read "Bypass Body part to Qualifier";
    "Diagnostic" and New Technology groups go last; Administration reads "Introduction of
    Substance into Site". The order file's wording is not in the tables, so other sections
    follow the same pattern as closely as their axes allow.
    """
    _sec, system, op, p4, p5, p6, p7 = labels
    keep = lambda s: s not in _EMPTY  # noqa: E731
    last = [q for q in (p7,) if q == "Diagnostic" or q.startswith("New Technology Group")]
    if op in _INTO and section in "3X":
        title = f"{op} of {p6} into {_lateral(p4)}"
        if keep(p7) and not last:
            title += f", {p7}"
        return ", ".join([title, _approach(p5)] + last)
    if section in "012X":
        body = _lateral(p4)
        q = p7 if keep(p7) and not last else None
        dev = _device(p6) if keep(p6) else None
        if op in ("Bypass", "Transfer") and q:
            word = "from" if body.startswith("Coronary Artery") else "to"
            title = f"{op} {body} {word} {_lateral(q)}"
            q = None
        elif op in _DEVICE_FIRST and dev:
            title = _DEVICE_FIRST[op].format(dev=dev, body=body)
            dev = None
        else:
            title = _BODY_ONLY.get(op, "{op} of {body}").format(op=op, body=body)
        if dev:
            title += f" with {dev}"
        if q:
            title += f", {_lateral(q)}"
        return ", ".join([title, _approach(p5)] + last)
    if section in "BC":  # Imaging, Nuclear Medicine: Type of Body part using Contrast
        title = f"{op} of {_lateral(p4)}"
        if keep(p5):
            title += f" using {p5}" + (" Contrast" if section == "B" and "Contrast" not in p5 else "")
        return ", ".join([title] + [q for q in (p6, p7) if keep(q)])
    if section == "D":  # Radiation Therapy: Modality of Site using Modality qualifier
        if op == "Other Radiation" and keep(p5):  # the qualifier names the modality
            op, p5 = p5, "None"
        title = f"{op} of {_lateral(p4)}"
        if keep(p5):
            title += f" using {p5}"
        return ", ".join([title] + [q for q in (p6, p7) if keep(q)])
    if section in "45":  # Measurement of Cardiac Sampling and Pressure; Performance of Respiratory Ventilation
        title = f"{op} of {p4} {p6}"
        rest = [q for q in (p7,) if keep(q)]
        return ", ".join([title] + rest + [_approach(p5) if section == "4" else p5])
    parts = [f"{op} of {_lateral(p4)}" if keep(p4) else op]
    parts += [p for p in (p5, p6, p7) if keep(p)]
    return ", ".join(parts)


class ICD10PCS:
    """One compiled ICD-10-PCS release; everything derived is built on first use."""

    def __init__(self, doc: dict[str, Any], release: str = RELEASE) -> None:
        self.release = release
        self.fiscal_year = 2025
        self.version = doc.get("version", "")
        self._labels: list[str] = doc["labels"]
        self._axes: dict[str, list[str]] = doc["axes"]
        self._tables_raw: list[list[Any]] = doc["tables"]
        self._index_raw: list[list[Any]] = doc["index"]
        self._defs: dict[str, Any] = doc["definitions"]

    @classmethod
    def from_book(cls, doc: dict[str, Any], name: str, entry: dict[str, Any]) -> "ICD10PCS":
        book = cls(doc, entry.get("release", RELEASE))
        book.fiscal_year = int(entry.get("fiscal_year", 2025))
        return book

    # -- tables
    @cached_property
    def tables(self) -> dict[str, list[Any]]:
        """First three characters -> [head labels, root operation definition, rows]."""
        return {t[0]: t[1:] for t in self._tables_raw}

    def _head(self, pos: int, prefix: str) -> list[tuple[str, str]]:
        """Choices for position 1..3 after a prefix of pos-1 characters."""
        seen: dict[str, str] = {}
        for key, (heads, _d, _rows) in self.tables.items():
            if key.startswith(prefix):
                seen.setdefault(key[pos - 1], self._labels[heads[pos - 1]])
        return sorted(seen.items())

    def _rows(self, code: str) -> list[list[Any]]:
        t = self.tables.get(code[:3])
        if t is None:
            return []
        rest = code[3:]
        return [r for r in t[2] if all(ch in r[i][0] for i, ch in enumerate(rest))]

    def is_valid(self, code: str) -> bool:
        c = normalize(code)
        return bool(PCS_FORMAT.match(c)) and bool(self._rows(c))

    def next_choices(self, prefix: str) -> list[tuple[str, str]]:
        """Characters (with their labels) the tables allow after a valid prefix of 0..6 characters."""
        p = normalize(prefix)
        if len(p) > 6:
            return []
        if len(p) < 3:
            return self._head(len(p) + 1, p)
        choices: dict[str, str] = {}
        axis = len(p) - 3  # index of the next axis within a row
        for row in self._rows(p):
            chars, labs = row[axis]
            for ch, li in zip(chars, labs):
                choices.setdefault(ch, self._labels[li])
        return sorted(choices.items(), key=lambda kv: PCS_CHARS.index(kv[0]))

    def axis_names(self, section: str) -> list[str]:
        return list(self._axes.get(section, ["Section", "Body System", "Operation", "Body Part", "Approach", "Device", "Qualifier"]))

    def decode(self, code: str) -> list[Axis]:
        """The seven axes of a valid code; [] for a code the tables do not allow.

        For a partial code (a valid prefix) the axes decoded so far.
        """
        c = normalize(code)
        if not c or len(c) > 7 or any(ch not in PCS_CHARS for ch in c):
            return []
        t = self.tables.get(c[:3])
        names = self.axis_names(c[0])
        if len(c) < 3:
            out = []
            for i in range(len(c)):
                labels = dict(self._head(i + 1, c[:i]))
                if c[i] not in labels:
                    return []
                out.append(Axis(i + 1, names[i], c[i], labels[c[i]]))
            return out
        if t is None:
            return []
        heads, _d, _rows = t
        out = [Axis(i + 1, names[i], c[i], self._labels[heads[i]]) for i in range(3)]
        rows = self._rows(c)
        if not rows:
            return []
        row = rows[0]
        for i, ch in enumerate(c[3:]):
            chars, labs = row[i]
            out.append(Axis(i + 4, names[i + 3], ch, self._labels[labs[chars.index(ch)]]))
        return out

    def title(self, code: str) -> str | None:
        axes = self.decode(code)
        if len(axes) != 7:
            return None
        return compose_title(axes[0].char, [a.label for a in axes])

    def root_operation_definition(self, code: str) -> str:
        t = self.tables.get(normalize(code)[:3])
        return t[1] if t else ""

    def all_codes(self) -> Iterator[tuple[str, str]]:
        """Every valid code with its composed title, table by table (about 79,000)."""
        L = self._labels
        for key, heads, _d, rows in self._tables_raw:
            sec = key[0]
            h = [L[i] for i in heads]
            for row in rows:
                axes = [list(zip(chars, labs)) for chars, labs in row]
                for combo in itertools.product(*axes):
                    code = key + "".join(ch for ch, _ in combo)
                    yield code, compose_title(sec, h + [L[li] for _, li in combo])

    def count(self) -> int:
        return count_codes({"tables": self._tables_raw})

    # -- definitions
    def definition(self, section: str, axis: int, char_or_label: str, body_system: str | None = None) -> Definition | None:
        """The official definition of an axis value: by label ("Resection", "Percutaneous
        Endoscopic", "Appendix") or by character. A character names the same thing across a
        section only for the root operation (axis 3) and approach (axis 5); for body parts and
        devices pass `body_system` so the character can be read in its table.
        """
        sec = self._defs["sections"].get(section.upper())
        if not sec:
            return None
        ax = sec["axes"].get(str(axis))
        if not ax:
            return None
        wanted = char_or_label
        if len(char_or_label) == 1:
            label = self._label_for(section.upper(), axis, char_or_label.upper(), body_system)
            if label is None:
                return None
            wanted = label
        low = wanted.lower()
        for titles, definition, explanation, includes in ax["terms"]:
            if any(t.lower() == low for t in titles):
                return Definition(section.upper(), axis, ax["name"], tuple(titles), definition, explanation, tuple(includes))
        return None

    def _label_for(self, section: str, axis: int, char: str, body_system: str | None) -> str | None:
        for key, (heads, _d, rows) in self.tables.items():
            if key[0] != section or (body_system and key[1] != body_system.upper()):
                continue
            if axis <= 3:
                if key[axis - 1] == char:
                    return self._labels[heads[axis - 1]]
                continue
            for row in rows:
                chars, labs = row[axis - 4]
                if char in chars:
                    return self._labels[labs[chars.index(char)]]
        return None

    def definitions_for(self, code: str) -> list[Definition]:
        """The definitions of each axis value of a code (root operation, approach, body part...)."""
        axes = self.decode(code)
        if not axes:
            return []
        out = []
        for a in axes[2:]:
            d = self.definition(axes[0].char, a.position, a.label)
            if d:
                out.append(d)
        return out

    @property
    def definitions(self) -> dict[str, Any]:
        """The definitions as compiled: {section: {"title", "axes": {pos: {"name", "terms"}}}}."""
        return self._defs["sections"]

    @property
    def index(self) -> list[IndexEntry]:
        return self._index

    # -- index
    @cached_property
    def _index(self) -> list[IndexEntry]:
        out: list[IndexEntry] = []
        paths: list[tuple[str, ...]] = []
        for i, (parent, title, code, see, use) in enumerate(self._index_raw):
            base = paths[parent] if parent >= 0 else ()
            path = base + (title,) if title else base
            paths.append(path)
            out.append(IndexEntry(i, path, code, see, use))
        return out

    def index_entries(self) -> list[IndexEntry]:
        """Every index term with its path, code (full, partial or table) and see / use reference."""
        return self._index

# ---------------------------------------------------------------- loading

def icd10pcs() -> ICD10PCS:
    """The newest ICD-10-PCS release compiled or installed (`codebooks install`): it serves every date."""
    from workstation.codes import books

    return books.open_book(SYSTEM, ICD10PCS.from_book, default=BOOK)


# ---------------------------------------------------------------- lookup

def pcs_result(code: str, date: str | None = None, year: int | None = None) -> LookupResult | None:
    """The lookup shape for a PCS code, or None when the tables do not allow it."""
    c = normalize(code)
    if not PCS_FORMAT.match(c):
        return None
    book = icd10pcs()
    axes = book.decode(c)
    if len(axes) != 7:
        return None
    notes: list[LookupNote] = []
    if date:
        from workstation.codes.books import fiscal_year

        fy = fiscal_year(date)
        have = book.fiscal_year
        if fy != have:
            notes.append({"kind": "release", "label": "Code year", "origin": f"ICD-10-PCS FY{have}", "origin_level": "", "refs": [],
                          "text": f"the date of service falls in FY{fy}; only the FY{have} tables are compiled, so check the code in the FY{fy} tables"})
    return {
        "code": c,
        "system": SYSTEM,
        "release": book.release,
        "title": book.title(c),
        "billable": True,
        "level": "code",
        "axes": [{"position": a.position, "name": a.name, "value": a.char, "label": a.label} for a in axes],
        "definitions": [
            {"axis": d.axis, "name": d.axis_name, "term": d.terms[0], "definition": d.definition,
             "explanation": d.explanation, "includes": list(d.includes)}
            for d in book.definitions_for(c)
        ],
        "path": [],
        "notes": notes,
        "seventh": None,
    }


def invalid_reason(code: str) -> str:
    """Why the tables reject a seven-character code: the longest allowed prefix and what may follow."""
    book = icd10pcs()
    c = normalize(code)
    good = ""
    for i in range(1, len(c) + 1):
        if not book.decode(c[:i]):
            break
        good = c[:i]
    if len(good) == len(c):
        return f"{c} is a valid ICD-10-PCS code"
    allowed = "".join(ch for ch, _ in book.next_choices(good))
    where = f"after {good}" if good else "as the section"
    return (f"{c} is not a valid ICD-10-PCS code: the tables do not allow {c[len(good)]!r} {where} "
            f"(allowed: {allowed or 'nothing'})")


def pcs_lookup(code: str, date: str | None = None, year: int | None = None) -> LookupResult | None:
    """The PCS result, or why the tables reject a seven-character code starting with a digit."""
    hit = pcs_result(code, date=date, year=year)
    if hit is None and code[:1].isdigit():
        # No other code set has seven characters starting with a digit: explain the rejection.
        from workstation.codes.errors import LookupError_

        raise LookupError_(invalid_reason(code))
    return hit
