"""Compile the CMS ICD-10-PCS tables, index and definitions XML into the compiled book (build time only).

The layout of the compiled document is described in `workstation/codes/icd10pcs.py`, which reads
it at run time.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from xml.parsers import expat
from pathlib import Path
from typing import Any, Callable

from workstation.codes.errors import SourceError
from workstation.codes.icd10pcs import BOOK, PCS_CHARS, SYSTEM, count_codes

SOURCES = {
    "tables": "icd10pcs/icd10pcs_tables_2025.xml",
    "index": "icd10pcs/icd10pcs_index_2025.xml",
    "definitions": "icd10pcs/icd10pcs_definitions_2025.xml",
}


class _Tree:
    """A parsed XML file that remembers the line each element starts on, for error messages."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines: dict[int, int] = {}
        self.root = self._parse(path)

    def _parse(self, path: Path) -> ET.Element:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise SourceError(f"missing source file {path}") from None
        parser = expat.ParserCreate()
        stack: list[ET.Element] = []
        text: list[list[str]] = []
        root: list[ET.Element] = []

        def start(tag: str, attrs: dict[str, str]) -> None:
            el = ET.Element(tag, attrs)
            self.lines[id(el)] = parser.CurrentLineNumber
            if stack:
                stack[-1].append(el)
            else:
                root.append(el)
            stack.append(el)
            text.append([])

        def end(tag: str) -> None:
            el = stack.pop()
            el.text = "".join(text.pop()) or None  # text before the first child (mixed content)

        def chars(data: str) -> None:
            if stack and len(stack[-1]) == 0:
                text[-1].append(data)

        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = chars
        parser.buffer_text = True
        try:
            parser.Parse(data, True)
        except expat.ExpatError as exc:
            raise SourceError(f"{path}:{exc.lineno}: malformed XML ({expat.errors.messages[exc.code]}), column {exc.offset}") from None
        return root[0]

    def where(self, el: ET.Element) -> str:
        return f"{self.path}:{self.lines.get(id(el), '?')}"


def _labels_of(axis: ET.Element, tree: _Tree, where: str) -> list[tuple[str, str]]:
    out = []
    for lab in axis.findall("label"):
        ch = (lab.get("code") or "").strip()
        text = (lab.text or "").strip()
        if len(ch) != 1 or ch not in PCS_CHARS or not text:
            raise SourceError(f"{tree.where(lab)}: {where}: bad label code {ch!r} / text {text!r} on axis {axis.get('pos')}")
        out.append((ch, text))
    if not out:
        raise SourceError(f"{tree.where(axis)}: {where}: axis {axis.get('pos')} has no labels")
    declared = axis.get("values")
    if declared is not None and declared.isdigit() and int(declared) != len(out):
        raise SourceError(f"{tree.where(axis)}: {where}: axis {axis.get('pos')} declares {declared} values but has {len(out)}")
    return out


def compile_tables(path: Path, labels: dict[str, int]) -> tuple[str, dict[str, list[str]], list[list[Any]]]:
    """The tables XML -> (version, axis names per section, compact tables)."""
    tree = _Tree(path)
    root = tree.root
    if root.tag != "ICD10PCS.tabular":
        raise SourceError(f"{tree.where(root)}: root element is <{root.tag}>, expected <ICD10PCS.tabular>")
    version = (root.findtext("version") or "").strip()

    def lab(text: str) -> int:
        if text not in labels:
            labels[text] = len(labels)
        return labels[text]

    axes: dict[str, list[str]] = {}
    tables: list[list[Any]] = []
    seen: set[str] = set()
    for ti, table in enumerate(root.findall("pcsTable"), 1):
        where = f"table {ti}"
        head = {a.get("pos"): a for a in table.findall("axis")}
        if sorted(head) != ["1", "2", "3"]:
            raise SourceError(f"{tree.where(table)}: {where}: expected axes 1-3 at table level, found {sorted(k or '?' for k in head)}")
        key, head_labels, names = "", [], []
        definition = ""
        for pos in ("1", "2", "3"):
            got = _labels_of(head[pos], tree, where)
            if len(got) != 1:
                raise SourceError(f"{tree.where(head[pos])}: {where}: axis {pos} must have one value, has {len(got)}")
            key += got[0][0]
            head_labels.append(lab(got[0][1]))
            names.append((head[pos].findtext("title") or "").strip())
            if pos == "3":
                definition = (head[pos].findtext("definition") or "").strip()
        where = f"table {key}"
        if key in seen:
            raise SourceError(f"{tree.where(table)}: {where}: table appears twice")
        seen.add(key)
        rows = []
        for ri, row in enumerate(table.findall("pcsRow"), 1):
            rax = {a.get("pos"): a for a in row.findall("axis")}
            if sorted(rax) != ["4", "5", "6", "7"]:
                raise SourceError(f"{tree.where(row)}: {where} row {ri}: expected axes 4-7, found {sorted(k or '?' for k in rax)}")
            compact = []
            for pos in ("4", "5", "6", "7"):
                got = _labels_of(rax[pos], tree, f"{where} row {ri}")
                compact.append(["".join(c for c, _ in got), [lab(t) for _, t in got]])
                if ri == 1:
                    names.append((rax[pos].findtext("title") or "").strip())
            declared = row.get("codes")
            n = 1
            for chars, _ in compact:
                n *= len(chars)
            if declared is not None and declared.isdigit() and int(declared) != n:
                raise SourceError(f"{tree.where(row)}: {where} row {ri}: declares {declared} codes but its axes make {n}")
            rows.append(compact)
        if not rows:
            raise SourceError(f"{tree.where(table)}: {where}: table has no rows")
        sec = key[0]
        # Axis names are the same across a section in the published files; keep the first.
        axes.setdefault(sec, names)
        tables.append([key, head_labels, definition, rows])
    if not tables:
        raise SourceError(f"{tree.where(root)}: no <pcsTable> elements")
    return version, axes, tables


def compile_index(path: Path) -> list[list[Any]]:
    """The index XML -> flat rows [parent, title, code, see, use] in index order."""
    tree = _Tree(path)
    root = tree.root
    if root.tag != "ICD10PCS.index":
        raise SourceError(f"{tree.where(root)}: root element is <{root.tag}>, expected <ICD10PCS.index>")
    rows: list[list[Any]] = []

    def ref(el: ET.Element) -> str | None:
        for tag in ("code", "codes", "tab"):
            v = el.findtext(tag)
            if v is not None:
                v = v.strip()
                if not re.fullmatch(r"[0-9A-HJ-NP-Z]{3,7}", v):
                    raise SourceError(f"{tree.where(el)}: index term {title_of(el)!r}: malformed code {v!r}")
                return v
        return None

    def title_of(el: ET.Element) -> str:
        return (el.findtext("title") or "").strip()

    def walk(el: ET.Element, parent: int) -> None:
        code = ref(el)
        see = el.find("see")
        use = el.find("use")
        see_text = " ".join((see.text or "").split()) if see is not None else None
        use_text = " ".join((use.text or "").split()) if use is not None else None
        if see is not None and code is None:
            code = ref(see)
        if use is not None and code is None:
            code = ref(use)
        me = len(rows)
        rows.append([parent, title_of(el), code, see_text, use_text])
        for child in el.findall("term"):
            walk(child, me)

    for letter in root.findall("letter"):
        for main in letter.findall("mainTerm"):
            if not title_of(main):
                raise SourceError(f"{tree.where(main)}: a main term under letter {letter.findtext('title')!r} has no title")
            walk(main, -1)
    if not rows:
        raise SourceError(f"{tree.where(root)}: no <mainTerm> elements")
    return rows


def compile_definitions(path: Path) -> dict[str, Any]:
    tree = _Tree(path)
    root = tree.root
    if root.tag != "ICD10PCS.definitions":
        raise SourceError(f"{tree.where(root)}: root element is <{root.tag}>, expected <ICD10PCS.definitions>")
    sections: dict[str, Any] = {}
    for sec in root.findall("section"):
        code = sec.get("code")
        if not code or code not in PCS_CHARS:
            raise SourceError(f"{tree.where(sec)}: section with bad code {code!r}")
        axes: dict[str, Any] = {}
        for axis in sec.findall("axis"):
            terms = []
            for t in axis.findall("terms"):
                titles = [(x.text or "").strip() for x in t.findall("title")]
                if not titles or not all(titles):
                    raise SourceError(f"{tree.where(t)}: section {code} axis {axis.get('pos')}: a definition without a title")
                terms.append([
                    titles,
                    (t.findtext("definition") or "").strip(),
                    (t.findtext("explanation") or "").strip(),
                    [(x.text or "").strip() for x in t.findall("includes")],
                ])
            axes[axis.get("pos") or "?"] = {"name": (axis.findtext("title") or "").strip(), "terms": terms}
        sections[code] = {"title": (sec.findtext("title") or "").strip(), "axes": axes}
    devices = []
    for agg in root.iter("aggregate"):
        parent = agg.find("parent")
        devices.append({
            "device": (agg.findtext("device") or "").strip(),
            "operation": (agg.findtext("operation") or "").strip(),
            "body_systems": [(b.text or "").strip() for b in agg.findall("bodySys")],
            "parent": (parent.text or "").strip() if parent is not None else "",
            "parent_value": parent.get("value", "") if parent is not None else "",
        })
    return {"sections": sections, "devices": devices}


def compile_pcs(sources: Path) -> dict[str, Any]:
    labels: dict[str, int] = {}
    version, axes, tables = compile_tables(sources / SOURCES["tables"], labels)
    return {
        "version": version,
        "labels": list(labels),
        "axes": axes,
        "tables": tables,
        "index": compile_index(sources / SOURCES["index"]),
        "definitions": compile_definitions(sources / SOURCES["definitions"]),
    }


def build_icd10pcs(sources: Path, out_dir: Path, log: Callable[[str], None] = print) -> dict[str, dict[str, Any]]:
    from workstation.codes.bookfile import source_entry, write_book

    doc = compile_pcs(sources)
    if doc["version"] and doc["version"] != "2025":
        raise SourceError(f"{sources / SOURCES['tables']}: says version {doc['version']}, expected 2025")
    n = count_codes(doc)
    entry = {
        "system": SYSTEM,
        "fiscal_year": 2025,
        "release": "FY2025",
        "effective_from": "2024-10-01",
        "effective_to": "2025-09-30",
        "sources": [source_entry(sources / p, sources) for p in SOURCES.values()],
        "counts": {
            "tables": len(doc["tables"]),
            "rows": sum(len(t[3]) for t in doc["tables"]),
            "codes": n,
            "index_terms": len(doc["index"]),
            "definitions": sum(len(a["terms"]) for s in doc["definitions"]["sections"].values() for a in s["axes"].values()),
        },
    }
    out = write_book(out_dir, BOOK, doc, entry)
    log(f"  {BOOK}: {n} valid codes from {entry['counts']['tables']} tables, {out['bytes'] / 1e6:.1f} MB")
    return {BOOK: out}
