"""Compile the ICD-10-CM Alphabetic Index (CSV), the Drug and Neoplasm tables and the External
Cause Index (XML) into their compiled books (build time only).

The compiled layout is described in `workstation/codes/index_tables.py`, which reads it at run time.
"""
from __future__ import annotations

import csv
import re
import xml.parsers.expat
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from workstation.codes.errors import SourceError
from workstation.codes.index_tables import (
    BOOK_NAMES, COLUMNS, KINDS, TITLES, _Matcher, normalize_text, split_path, table_named,
)

# The shipped books' sources, under the codebook-sources folder.
SOURCES = {
    "index": "icd10cm/icd10cm-index-2025.flattened.csv",
    "drug": "icd10cm/icd10cm-drug-2025.xml",
    "neoplasm": "icd10cm/icd10cm-neoplasm-2025.xml",
    "eindex": "icd10cm/icd10cm-eindex-2025.xml",
}

FISCAL_YEAR = 2025

# What each column heading must say (lower case, words), so a reordered release fails the build.
_EXPECTED_HEADS = {
    "drug": ("substance", "poisoning accidental", "poisoning intentional self-harm", "poisoning assault",
             "poisoning undetermined", "adverse effect", "underdosing"),
    "neoplasm": ("neoplasm", "malignant primary", "malignant secondary", "ca in situ", "benign",
                 "uncertain behavior", "unspecified behavior"),
}

# A code as the index writes it: E11.22, I01, C56.-, T59.89-, H53.00-.
CODE_RE = re.compile(r"[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{0,4})?-?")
# "see category M01" / "see subcategory M14.8-": a reference into the tabular, not the index.
_SEE_CAT_RE = re.compile(r"\b(?:sub)?categor(?:y|ies)\b(.*)", re.I)
_CODE_IN_TEXT_RE = re.compile(r"\b[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{0,4})?-?(?![0-9A-Za-z])")
_EMPTY_CELLS = {"", "-", "--"}

_INSTRUCTION_RE = re.compile(
    r"^(?:condition\b|specific |specified |by |nature of |substance specified|(?:sub)?categor(?:y|ies)\b)")

def is_instruction(text: str) -> bool:
    """True for a cross-reference that names no term: "see condition", "see also specific
    organism", "see category M01" (a tabular reference, kept in `see_codes`)."""
    return bool(_INSTRUCTION_RE.match(normalize_text(text)))


@dataclass
class _Raw:
    """A term as read from a source, before cross-references are resolved."""

    level: int
    term: str
    nonessential: str
    codes: list[str]
    parent: int
    line: int
    see: str = ""
    see_also: str = ""
    see_codes: list[str] = field(default_factory=list)
    note: str = ""
    cells: list[str | None] | None = None


def _check_code(code: str, where: str) -> str:
    if not CODE_RE.fullmatch(code):
        raise SourceError(f"{where}: malformed code {code!r}")
    return code


def _parse_codes(text: str, where: str) -> list[str]:
    """'E11.22' -> ['E11.22']; a paired 'G30.9 [F02.80]' -> ['G30.9', 'F02.80'] (manifestation second)."""
    return [_check_code(c, where) for c in re.split(r"[\s,\[\]]+", text.strip()) if c]


def parse_index_csv(path: Path) -> list[_Raw]:
    """The flattened Alphabetic Index: the tree rebuilt from Level (0 = main term)."""
    expected = ["RowID", "Letter", "Level", "Term", "See", "SeeAlso", "NonEssModif", "Code"]
    rows: list[_Raw] = []
    stack: list[int] = []  # ids of the current ancestors, by level
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header != expected:
            raise SourceError(f"{path}: line 1: expected columns {','.join(expected)}, found {header}")
        for rec in reader:
            where = f"{path}: line {reader.line_num}"
            if not rec:
                continue
            if len(rec) != len(expected):
                raise SourceError(f"{where}: expected {len(expected)} fields, found {len(rec)}")
            row_id, _letter, level_s, term, see, see_also, nonessential, code = (" ".join(x.split()) for x in rec)
            try:
                level = int(level_s)
            except ValueError:
                raise SourceError(f"{where}: Level {level_s!r} is not a number") from None
            if level < 0 or level > len(stack):
                raise SourceError(f"{where}: Level {level} does not follow the row above (level {len(stack) - 1})")
            if not row_id.isdigit() or int(row_id) != len(rows) + 1:
                raise SourceError(f"{where}: RowID {row_id!r} out of sequence (expected {len(rows) + 1})")
            del stack[level:]
            parent = stack[-1] if stack else 0
            rows.append(_Raw(level, term, nonessential, _parse_codes(code, where), parent, reader.line_num,
                             see=see, see_also=see_also, see_codes=_see_codes(see) + _see_codes(see_also)))
            stack.append(len(rows))
    if not rows:
        raise SourceError(f"{path}: no index rows")
    return rows


def _see_codes(text: str) -> list[str]:
    """Tabular codes named after "category" / "subcategory" / "categories": 'categories O03-O04'."""
    m = _SEE_CAT_RE.search(text)
    return _CODE_IN_TEXT_RE.findall(m.group(1)) if m else []


class _Node:
    __slots__ = ("tag", "attrs", "text", "children", "line")

    def __init__(self, tag: str, attrs: dict[str, str], line: int) -> None:
        self.tag, self.attrs, self.line = tag, attrs, line
        self.text: list[Any] = []  # strings and child nodes in document order (mixed content)
        self.children: list[_Node] = []


def _parse_xml(path: Path) -> _Node:
    """A small tree with a line number on every element (ElementTree keeps none)."""
    parser = xml.parsers.expat.ParserCreate()
    root = _Node("#document", {}, 0)
    stack = [root]

    def start(tag: str, attrs: dict[str, str]) -> None:
        node = _Node(tag, attrs, parser.CurrentLineNumber)
        stack[-1].children.append(node)
        stack[-1].text.append(node)
        stack.append(node)

    def end(tag: str) -> None:
        stack.pop()

    def chars(data: str) -> None:
        stack[-1].text.append(data)

    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, chars
    try:
        with open(path, "rb") as f:
            parser.ParseFile(f)
    except xml.parsers.expat.ExpatError as exc:
        raise SourceError(f"{path}: line {exc.lineno}: XML error: {xml.parsers.expat.errors.messages[exc.code]}") from None
    if len(root.children) != 1:
        raise SourceError(f"{path}: no document element")
    return root.children[0]


def _plain(node: _Node, where: str) -> str:
    out = []
    for t in node.text:
        if isinstance(t, str):
            out.append(t)
        else:
            raise SourceError(f"{where}: line {t.line}: unexpected <{t.tag}> inside <{node.tag}>")
    return " ".join("".join(out).split())


def _title(node: _Node, path: Path) -> tuple[str, str]:
    """(term text, non-essential modifiers) of a <title>: '<nemod>(mono)</nemod> semicarbazone'."""
    text, nemod = [], []
    for t in node.text:
        if isinstance(t, str):
            text.append(t)
        elif t.tag == "nemod":
            nemod.append(_plain(t, str(path)))
        else:
            raise SourceError(f"{path}: line {t.line}: unexpected <{t.tag}> in a title")
    return " ".join("".join(text).split()), " ".join(nemod)


def parse_index_xml(path: Path, kind: str) -> tuple[list[_Raw], list[str]]:
    """Drug, neoplasm or external cause XML -> (terms, column headings)."""
    root = _parse_xml(path)
    if root.tag != "ICD10CM.index":
        raise SourceError(f"{path}: line {root.line}: expected <ICD10CM.index>, found <{root.tag}>")
    ncols = len(COLUMNS[kind])
    heads: list[str] = []
    rows: list[_Raw] = []

    def term(node: _Node, level: int, parent: int) -> None:
        where = f"{path}: line {node.line}"
        if node.tag == "term":
            lv = node.attrs.get("level", "")
            if not lv.isdigit() or int(lv) != level:
                raise SourceError(f"{where}: <term level={lv!r}> nested at level {level}")
        raw = _Raw(level, "", "", [], parent, node.line)
        rows.append(raw)
        me = len(rows)
        cells: dict[int, str | None] = {}
        kids: list[_Node] = []
        for c in node.children:
            cw = f"{path}: line {c.line}"
            if c.tag == "title":
                raw.term, raw.nonessential = _title(c, path)
            elif c.tag == "code":
                raw.codes.extend(_parse_codes(_plain(c, str(path)), cw))
            elif c.tag == "manif":
                text = _plain(c, str(path))
                if CODE_RE.fullmatch(text.strip("[] ")):
                    raw.codes.append(text.strip("[] "))  # a paired manifestation code, second
                else:
                    raw.note = text  # the Neoplasm Table uses it once as a continuation line
            elif c.tag == "see":
                raw.see = _plain(c, str(path))
            elif c.tag == "seeAlso":
                raw.see_also = _plain(c, str(path))
            elif c.tag in ("seecat", "subcat"):
                code = _check_code(_plain(c, str(path)), cw)
                raw.see_codes.append(code)
                ref = f"{'category' if c.tag == 'seecat' else 'subcategory'} {code}"
                raw.see = f"{raw.see}; {ref}" if raw.see else ref
            elif c.tag == "cell":
                col = c.attrs.get("col", "")
                if not col.isdigit() or not 2 <= int(col) <= ncols + 1:
                    raise SourceError(f"{cw}: <cell col={col!r}> outside the table's {ncols + 1} columns")
                value = _plain(c, str(path))
                cells[int(col)] = None if value in _EMPTY_CELLS else _check_code(value, cw)
            elif c.tag == "term":
                kids.append(c)
            else:
                raise SourceError(f"{cw}: unexpected element <{c.tag}>")
        if not raw.term and not raw.nonessential:
            raise SourceError(f"{where}: term without a title")
        raw.see_codes += [x for x in _see_codes(raw.see) + _see_codes(raw.see_also) if x not in raw.see_codes]
        if cells:
            raw.cells = [cells.get(col) for col in range(2, ncols + 2)]
        for k in kids:
            term(k, level + 1, me)

    for child in root.children:
        if child.tag in ("version", "title"):
            continue
        if child.tag == "indexHeading":
            heads = [_plain(h, str(path)) for h in sorted(child.children, key=lambda h: int(h.attrs.get("col", "0")))]
        elif child.tag == "letter":
            for m in child.children:
                if m.tag == "mainTerm":
                    term(m, 0, 0)
                elif m.tag != "title":
                    raise SourceError(f"{path}: line {m.line}: unexpected element <{m.tag}> in a letter")
        else:
            raise SourceError(f"{path}: line {child.line}: unexpected element <{child.tag}>")
    if kind in _EXPECTED_HEADS:
        got = tuple(" ".join(h.lower().split()) for h in heads)
        want = _EXPECTED_HEADS[kind]
        if len(got) != len(want) or not all(g.startswith(w) for g, w in zip(got, want)):
            raise SourceError(f"{path}: column headings {heads} are not the expected {list(want)}")
    if not rows:
        raise SourceError(f"{path}: no terms")
    return rows, heads


def compile_book(kind: str, rows: list[_Raw], heads: list[str]) -> tuple[dict[str, Any], dict[str, int]]:
    """Resolve cross-references and lay the book out column-wise. Returns (doc, counts)."""
    children: dict[int, list[int]] = {}
    for i, r in enumerate(rows, start=1):
        children.setdefault(r.parent, []).append(i)
    matcher = _Matcher([r.term for r in rows], lambda p: children.get(p, []))
    doc: dict[str, Any] = {
        "format": 1, "kind": kind, "title": TITLES[kind], "version": str(FISCAL_YEAR),
        "level": [r.level for r in rows], "term": "\n".join(r.term for r in rows),
        "nonessential": "\n".join(r.nonessential for r in rows), "codes": "\n".join(" ".join(r.codes) for r in rows),
        "parent": [r.parent for r in rows],
        "see": {}, "see_ids": {}, "see_also": {}, "see_also_ids": {}, "see_codes": {}, "see_table": {}, "note": {},
    }
    if COLUMNS[kind]:
        doc["columns"] = list(COLUMNS[kind])
        doc["headings"] = heads
        doc["cells"] = [r.cells for r in rows]
    refs = Counter()
    for i, r in enumerate(rows, start=1):
        k = str(i)
        for field_name, text in (("see", r.see), ("see_also", r.see_also)):
            if not text:
                continue
            doc[field_name][k] = text
            refs[f"{field_name}_refs"] += 1
            if is_instruction(text):
                refs[f"{field_name}_instruction"] += 1
                continue
            # A few See cells read "also X": a see-also written in the wrong column.
            target = text[5:] if text.startswith("also ") else text
            ids, used = matcher.resolve(split_path(target))
            table = table_named(target)
            if table and table != kind and (not ids or used < len(split_path(target))):
                # Sent on to a table; a partial match in this book ("Neoplasm, neoplastic") is kept.
                doc["see_table"][k] = table
                refs[f"{field_name}_to_table"] += 1
                if ids:
                    doc[f"{field_name}_ids"][k] = " ".join(map(str, ids))
                continue
            if ids:
                doc[f"{field_name}_ids"][k] = " ".join(map(str, ids))
                refs[f"{field_name}_resolved" if used == len(split_path(target)) else f"{field_name}_partial"] += 1
            else:
                refs[f"{field_name}_unresolved"] += 1
        if r.see_codes:
            doc["see_codes"][k] = r.see_codes
        if r.note:
            doc["note"][k] = r.note
    counts = {"terms": len(rows), "main_terms": sum(1 for r in rows if r.level == 0)}
    if COLUMNS[kind]:
        counts["rows_with_codes"] = sum(1 for r in rows if r.cells)
    counts.update(sorted(refs.items()))
    return doc, counts


def code_counts(codes: list[str], tabulars: dict[int, Any]) -> dict[str, int]:
    """How many code references there are, how many are incomplete, and per compiled tabular
    year how many name a code that year does not have, or a header that cannot be billed."""
    counts = {"codes": len(codes), "distinct_codes": len(set(codes)),
              "incomplete": sum(1 for c in codes if c.endswith("-"))}
    for fy, book in sorted(tabulars.items()):
        missing = not_billable = needs_7th = 0
        for c in codes:
            found = book.get(c.rstrip("-").rstrip("."))
            if found is None:
                missing += 1
            elif not c.endswith("-") and not found.billable:
                not_billable += 1
                needs_7th += book.needs_seventh(found.code)
        counts[f"not_in_fy{fy}"] = missing
        counts[f"not_billable_fy{fy}"] = not_billable
        # Of those, how many only lack their 7th character (every Drug Table code does).
        counts[f"needs_7th_fy{fy}"] = needs_7th
    return counts


def _tabulars(out_dir: Path, log: Callable[[str], None]) -> dict[int, Any]:
    """Every compiled ICD-10-CM year, read from the output folder (falling back to codebooks/)."""
    from workstation.codes.books import CodebookError, load_doc
    from workstation.codes.bookfile import read_manifest
    from workstation.codes.icd10cm import ICD10CM
    from workstation.paths import codebooks_dir

    for folder in (out_dir, codebooks_dir()):
        entries = {n: e for n, e in read_manifest(folder).get("codebooks", {}).items() if e.get("system") == "icd10cm"}
        if entries:
            try:
                return {e["fiscal_year"]: ICD10CM(e["fiscal_year"], f"{e['fiscal_year']}-{e.get('update', '')}",
                                                  load_doc(n, folder)) for n, e in entries.items()}
            except CodebookError as exc:
                log(f"  cannot check index codes against the tabular: {exc}")
                return {}
    log("  no compiled ICD-10-CM tabular: index codes not checked (build icd10cm first)")
    return {}


def build_index_tables(sources: Path, out_dir: Path, log: Callable[[str], None] = print) -> dict[str, dict[str, Any]]:
    """Builder for `workstation codebooks build --only index`: all four books."""
    from workstation.codes.bookfile import source_entry, write_book

    tabulars = _tabulars(out_dir, log)
    entries: dict[str, dict[str, Any]] = {}
    for kind in KINDS:
        src = sources / SOURCES[kind]
        if not src.exists():
            raise SourceError(f"missing source file {src}")
        if kind == "index":
            rows, heads = parse_index_csv(src), []
        else:
            rows, heads = parse_index_xml(src, kind)
        doc, counts = compile_book(kind, rows, heads)
        codes = [c for r in rows for c in r.codes] + [c for r in rows if r.cells for c in r.cells if c]
        counts = {**counts, **code_counts(codes, tabulars)}
        name = BOOK_NAMES[kind]
        entry = {
            "system": f"icd10cm-{kind}",
            "release": f"FY{FISCAL_YEAR}",
            "fiscal_year": FISCAL_YEAR,
            "title": TITLES[kind],
            "sources": [source_entry(src, sources)],
            "counts": counts,
        }
        entries[name] = write_book(out_dir, name, doc, entry)
        log(f"  {name}: {counts['terms']} terms, {counts['codes']} codes, {entries[name]['bytes'] / 1e6:.1f} MB")
    return entries
