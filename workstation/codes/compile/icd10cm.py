"""Compile the CDC ICD-10-CM tabular XML into the compiled book (build time only).

The layout of the compiled document is described in `workstation/codes/icd10cm.py`, which reads
it at run time; this module is the only one that parses the tabular XML.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from workstation.codes.errors import SourceError
from workstation.codes.icd10cm import _LEVEL_LETTER, note_key, seventh_code

# XML element -> note kind
_NOTE_TAGS = {
    "includes": "includes",
    "inclusionTerm": "inclusion_term",
    "excludes1": "excludes1",
    "excludes2": "excludes2",
    "codeFirst": "code_first",
    "useAdditionalCode": "use_additional_code",
    "codeAlso": "code_also",
    "notes": "note",
}
_SKIP_TAGS = {"name", "desc", "diag", "section", "sectionIndex", "sevenChrNote", "sevenChrDef"}


def _text(el: ET.Element | None) -> str:
    return " ".join((el.text or "").split()) if el is not None else ""


def _notes_of(el: ET.Element, path: Path) -> list[list[str]]:
    out: list[list[str]] = []
    for child in el:
        kind = _NOTE_TAGS.get(child.tag)
        if kind:
            for n in child.findall("note"):
                t = _text(n)
                if t:
                    out.append([kind, t])
        elif child.tag == "visualImpairment":
            out.append(["note", _visual_impairment(child)])
        elif child.tag not in _SKIP_TAGS:
            raise SourceError(f"{path.name}: unexpected element <{child.tag}> under {_text(el.find('name')) or el.get('id')}")
    return out


def _visual_impairment(el: ET.Element) -> str:
    """The H54 table of visual impairment categories, flattened to readable lines."""
    lines = ["Category of visual impairment (visual acuity with best possible correction):"]
    for cat in el.findall("visCategory"):
        value = _text(cat.find("value"))
        if not value:
            continue
        maxes = ", ".join(_text(r.find("visMax/value")) for r in cat.findall("visRange"))
        mins = ", ".join(_text(r.find("visMin/value")) for r in cat.findall("visRange"))
        lines.append(f"Category {value}: maximum less than {maxes}; minimum equal to or better than {mins or 'none'}")
    return "\n".join(lines)


def _seventh_of(el: ET.Element, path: Path | None = None) -> dict[str, Any] | None:
    """The 7th-character table defined at a node: its note, characters, inclusion notes, exclusions.

    A <note> inside <sevenChrDef> follows the <extension> it belongs to ("initial encounter for
    open fracture NOS" under B at S52): kept as that character's inclusion terms. A note of the
    node saying "7th characters D and S do not apply to codes ... with 6th character 7 ... or 8"
    is read into `not_with` [[position, characters there, excluded 7th characters]].
    """
    d = el.find("sevenChrDef")
    if d is None:
        return None
    note_el = el.find("sevenChrNote")
    notes = [_text(n) for n in note_el.findall("note")] if note_el is not None else []
    chars: list[list[str]] = []
    inclusions: dict[str, list[str]] = {}
    for e in d:
        if e.tag == "extension":
            chars.append([e.get("char", ""), _text(e)])
        elif e.tag == "note" and chars and _text(e):
            inclusions.setdefault(chars[-1][0], []).append(_text(e))
    out: dict[str, Any] = {"note": notes, "chars": chars}
    if inclusions:
        out["inclusions"] = inclusions
    texts = notes + [_text(n) for n in el.findall("notes/note")]
    not_with = [x for t in texts for x in seventh_exclusions(t)]
    for t in texts:
        if _NOT_APPLY.search(t) and not seventh_exclusions(t):
            raise SourceError(f"{path.name if path else 'tabular'}: a 7th-character exclusion note that cannot be read: {t!r}")
    if not_with:
        out["not_with"] = not_with
    return out


_NOT_APPLY = re.compile(r"7th characters?\b.*\bnot apply", re.I)
_EXCL_RE = re.compile(
    r"7th characters? (?P<chars>[A-Z](?:\s*(?:,|and|or)\s*[A-Z])*) (?:do|does) not apply to codes in "
    r"(?:category|subcategory) [A-Z0-9.]+ with (?P<ord>\d)th character (?P<rest>.*)", re.I)


def seventh_exclusions(text: str) -> list[list[Any]]:
    """"7th characters D and S do not apply to codes in category S06 with 6th character 7 - death
    ..., or 8 - death ..." -> [[6, "78", "DS"]]: no D or S for a code whose 6th character is 7 or 8."""
    m = _EXCL_RE.search(text)
    if not m:
        return []
    excluded = "".join(re.findall(r"\b([A-Z])\b", m["chars"]))
    rest = m["rest"]
    values = re.findall(r"(?:^|\bor\s+|,\s*)([0-9A-Z])(?=\s+-\s|\s*[,.]|\s+or\b|$)", rest)
    if not excluded or not values:
        return []
    return [[int(m["ord"]), "".join(values), excluded]]


def seventh_allowed(table: dict[str, Any], code: str) -> list[list[str]]:
    """The characters of a 7th-character table that the table's own notes allow for `code`."""
    bare = code.replace(".", "").ljust(6, "X")
    out = []
    for char, meaning in table["chars"]:
        if any(len(bare) >= pos and bare[pos - 1] in at and char in excl for pos, at, excl in table.get("not_with", [])):
            continue
        out.append([char, meaning])
    return out


def compile_tabular(path: Path) -> dict[str, Any]:
    """Read one CDC tabular XML and return the compiled document."""
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as exc:
        raise SourceError(f"{path}: not a readable tabular XML ({exc})") from exc
    if root.tag != "ICD10CM.tabular":
        raise SourceError(f"{path}: root element is <{root.tag}>, expected <ICD10CM.tabular>")
    version = _text(root.find("version"))
    codes: list[list[Any]] = []
    notes: dict[str, list[list[str]]] = {}
    seventh: dict[str, dict[str, Any]] = {}

    def add(code: str, title: str, level: str, parent: int, el: ET.Element | None) -> int:
        idx = len(codes)
        codes.append([code, title, level, parent, 0])
        if el is not None:
            key = note_key(code, level)
            n = _notes_of(el, path)
            if n:
                notes[key] = n
            s = _seventh_of(el, path)
            if s:
                seventh[key] = s
        return idx

    def walk_diag(el: ET.Element, parent: int, inherited_7th: dict[str, Any] | None) -> None:
        code = _text(el.find("name"))
        title = _text(el.find("desc"))
        if not code or not title:
            raise SourceError(f"{path.name}: a <diag> without name or desc under {codes[parent][0]}")
        children = el.findall("diag")
        level = "category" if len(code) == 3 else ("subcategory" if children else "code")
        idx = add(code, title, level, parent, el)
        table = seventh.get(code) or inherited_7th
        for c in children:
            walk_diag(c, idx, table)
        if not children:
            if table:
                # The leaf needs a 7th character: it becomes a header over the expanded codes.
                codes[idx][2] = "subcategory" if len(code) > 3 else "category"
                for char, meaning in seventh_allowed(table, code):
                    codes.append([seventh_code(code, char), f"{title}, {meaning}", "code", idx, 1])
            else:
                codes[idx][4] = 1

    for ch in root.findall("chapter"):
        num = _text(ch.find("name"))
        ch_idx = add(f"Chapter {num}", _text(ch.find("desc")), "chapter", -1, ch)
        for sec in ch.findall("section"):
            sid = sec.get("id") or ""
            sec_idx = add(sid, _text(sec.find("desc")), "block", ch_idx, sec)
            for d in sec.findall("diag"):
                walk_diag(d, sec_idx, None)
    if not codes:
        raise SourceError(f"{path}: no chapters found")
    for row in codes:
        if "\n" in row[0] or "\n" in row[1]:
            raise SourceError(f"{path.name}: a line break inside the code or title of {row[0]!r}")
    return {
        "system": "icd10cm",
        "version": version,
        "codes": {
            "code": "\n".join(r[0] for r in codes),
            "title": "\n".join(r[1] for r in codes),
            "level": "".join(_LEVEL_LETTER[r[2]] for r in codes),
            "parent": [r[3] for r in codes],
            "billable": "".join(str(r[4]) for r in codes),
        },
        "notes": notes,
        "seventh": seventh,
    }


def count_levels(doc: dict[str, Any]) -> dict[str, int]:
    cols = doc["codes"]
    counts = {lvl: cols["level"].count(letter) for lvl, letter in _LEVEL_LETTER.items()}
    billable = cols["billable"].count("1")
    counts["billable"] = billable
    counts["headers"] = sum(counts[l] for l in ("category", "subcategory", "code")) - billable
    counts["notes"] = sum(len(v) for v in doc["notes"].values())
    counts["seventh_tables"] = len(doc["seventh"])
    return counts
