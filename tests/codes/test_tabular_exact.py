"""Issue 14 item 1: the compiled tabular is the published one, checked code by code against the XML."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path

import pytest

from workstation.codes import books
from workstation.codes.compile.icd10cm import seventh_exclusions

YEARS = [2025, 2026]


@lru_cache(maxsize=None)
def _root(path: Path) -> ET.Element:
    return ET.parse(path).getroot()


def xml(sources: Path, fy: int) -> ET.Element:
    return _root(sources / f"icd10cm/icd10cm-tabular-{fy}-april.xml")


def _diags(el: ET.Element):
    for d in el.iter("diag"):
        yield d


@pytest.mark.parametrize("fy", YEARS)
def test_seventh_characters_the_s06_note_excludes_are_not_codes(sources: Path, fy: int) -> None:
    root = xml(sources, fy)
    s06 = next(d for d in root.iter("diag") if d.findtext("name") == "S06")
    note = " ".join(n.text or "" for n in s06.findall("notes/note"))
    assert seventh_exclusions(note) == [[6, "78", "DS"]]
    book = books.icd10cm(fy)
    wrong = 0
    for d in _diags(s06):
        if d.find("diag") is not None:
            continue
        name = d.findtext("name")
        bare = name.replace(".", "").ljust(6, "X")
        for ch in "ADS":
            code = book.with_seventh(name, ch)
            excluded = bare[5] in "78" and ch in "DS"
            wrong += excluded
            hit = book.get(code)
            assert (hit is None) == excluded, code
            if hit is not None:
                assert hit.billable
        if bare[5] in "78":
            assert book.seventh_characters(name)[1] == [("A", "initial encounter")]
    assert wrong == 76  # 38 codes with 6th character 7 or 8, without D and S
    assert book.get("S06.1X7D") is None and book.get("S06.1X7A").billable and book.get("S06.1X6D").billable


def test_no_other_seventh_character_exclusion_note_is_left_unread(sources: Path) -> None:
    for fy in YEARS:
        for n in xml(sources, fy).iter("note"):
            t = n.text or ""
            if "7th character" in t and "not apply" in t:
                assert seventh_exclusions(t), t


@pytest.mark.parametrize("fy", YEARS)
def test_blocks_named_like_their_category_keep_their_own_notes(sources: Path, fy: int) -> None:
    root = xml(sources, fy)
    book = books.icd10cm(fy)
    same = [(s, s.find("diag")) for s in root.iter("section") if s.findall("diag") and
            s.get("id") in {d.findtext("name") for d in s.findall("diag")}]
    assert len(same) >= 38
    for sec, cat in same:
        code = sec.get("id")
        block_notes = [(c.tag, " ".join((n.text or "").split())) for c in sec if c.tag in ("excludes1", "excludes2", "includes", "notes", "useAdditionalCode", "codeFirst", "codeAlso") for n in c.findall("note")]
        got = [(n.kind, n.text) for n in book.notes(code) if n.origin == code and n.origin_level == "block"]
        assert len(got) == len(block_notes), code
        # No code below shows a note twice.
        for leaf in [code] + [d.findtext("name") for d in cat.iter("diag")][:50]:
            ns = [(n.kind, n.text, n.origin, n.origin_level) for n in book.notes(leaf) if n.kind != "seventh_char"]
            assert len(ns) == len(set(ns)), leaf
    t07 = [n.text for n in book.notes_of_kind("T07", "excludes1") if n.origin_level == "block"]
    assert t07, "the T07 block's Excludes1 notes are served"


@pytest.mark.parametrize("fy", YEARS)
def test_six_character_headers_with_children_are_headers_not_seventh_stems(sources: Path, fy: int) -> None:
    book = books.icd10cm(fy)
    n = 0
    for d in xml(sources, fy).iter("diag"):
        name = d.findtext("name")
        if len(name.replace(".", "")) == 6 and d.find("diag") is not None:
            n += 1
            assert not book.needs_seventh(name), name
            assert not book.get(name).billable
    assert n > 0
    assert not book.needs_seventh("Z91.011") if book.get("Z91.011") else True
    assert book.needs_seventh("S72.012")


@pytest.mark.parametrize("fy", YEARS)
def test_inclusion_notes_of_seventh_characters_are_kept(sources: Path, fy: int) -> None:
    book = books.icd10cm(fy)
    found = 0
    for d in xml(sources, fy).iter("diag"):
        table = d.find("sevenChrDef")
        if table is None:
            continue
        last = None
        want: dict[str, list[str]] = {}
        for e in table:
            if e.tag == "extension":
                last = e.get("char")
            elif e.tag == "note":
                want.setdefault(last, []).append(" ".join((e.text or "").split()))
        if want:
            found += 1
            assert book.seventh_inclusions(d.findtext("name")) == want, d.findtext("name")
    assert found >= 8
    for cat in ("S52", "S72", "S82"):
        assert book.seventh_inclusions(cat + ".001")["B"] == ["initial encounter for open fracture NOS"]
    assert any("open fracture NOS" in n.text for n in book.notes("S52.001") if n.kind == "seventh_char")
