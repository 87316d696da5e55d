"""Issue 14 item 2: note references narrowed by their qualifiers, every form the tabular prints."""
from __future__ import annotations

import collections
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from workstation.codes import books
from workstation.codes.model import OPEN_FRACTURE_7TH, parse_refs
from tests.billing.factory import ids, make_work, run

# A code reference followed by a qualifier: "with fifth character 1", "with .42", "with open fracture 7th character".
QUALIFIED = re.compile(r"[A-Z]\d[0-9A-Z][0-9A-Z.\-]*\)?,?\s*with\s+(?:(?:fifth|5th|sixth|6th|seventh|7th|final)\b[^)]*?"
                       r"characters?\b|open fracture 7th character|\.[0-9A-Z])")
FORM = re.compile(r"with\s+(open fracture 7th character|(?:fifth|5th|sixth|6th|seventh|7th|final)(?:\s+(?:or|to)\s+\w+)?"
                  r"[\s-]+characters?|\.)")

# How often each form is printed in the FY2026 tabular (every <note> of the XML).
FY2026_FORMS = {
    "fifth or sixth character": 119, "fifth or six character": 1, "fifth to sixth characters": 1,
    "fifth character": 9, "fifth-character": 1, "5th character": 12, "sixth character": 6, "6th character": 1,
    "7th character": 6, "seventh character": 2, "open fracture 7th character": 1,
    "final characters": 12, "final character": 1, ".": 24,
}


def qualified_notes(sources: Path, fy: int) -> list[str]:
    root = ET.parse(sources / f"icd10cm/icd10cm-tabular-{fy}-april.xml").getroot()
    out = []
    for n in root.iter("note"):
        t = " ".join((n.text or "").split())
        if QUALIFIED.search(t):
            out.append(t)
    return out


@pytest.mark.parametrize("fy", [pytest.param(2025, marks=pytest.mark.slow), 2026])
def test_every_qualified_reference_in_the_tabular_is_narrowed(sources: Path, fy: int) -> None:
    counts: collections.Counter[str] = collections.Counter()
    for t in qualified_notes(sources, fy):
        counts[FORM.search(t).group(1).lower()] += 1
        refs = parse_refs(t)
        assert refs and all(r.at or "." in r.start for r in refs), t
    if fy == 2026:
        assert dict(counts) == FY2026_FORMS


@pytest.mark.parametrize("text, inside, outside", [
    # fifth or sixth character: the 6th, or the 5th when the 6th is the placeholder X
    ("(T36-T50 with fifth or sixth character 5)", ["T36.0X5A", "T36.95XA", "T43.225A", "T50.905D"],
     ["T36.0X1A", "T36.91XA", "T43.221A", "T51.0X5A"]),
    ("(T36-T50 with fifth or six character 5)", ["T39.015A"], ["T39.011A"]),
    ("(T36-T65 with fifth or sixth character 1-4 or 6)", ["T36.0X1A", "T36.94XA", "T52.811A", "T43.226A"],
     ["T36.0X5A", "T36.95XA", "T43.225A"]),
    ("underdosing of medication (T36-T50) with fifth or sixth character 6", ["T36.0X6A", "T36.96XA"], ["T36.0X5A"]),
    ("poisoning due to drug or toxin (T51-T65 with fifth or sixth character to indicate intent)",
     ["T51.0X1A", "T65.91XA", "T52.814A"], ["T51.0X5A", "T36.0X1A"]),
    # fifth to sixth characters: both positions
    ("hallucinations in drug psychosis (F11-F19 with fifth to sixth characters 51)",
     ["F11.151", "F12.251", "F19.951"], ["F17.210", "F11.150", "F10.151", "F11.15"]),
    ("whooping cough with pneumonia (A37 with fifth-character 1)", ["A37.01", "A37.91"], ["A37.00", "A37.90"]),
    ("(S06.0X- with seventh character S)", ["S06.0X0S", "S06.0X9S"], ["S06.0X0A", "S06.1X0S"]),
    ("open fracture of elbow and forearm (S52.- with open fracture 7th character)",
     ["S52.001B", "S52.001C", "S52.001E", "S52.001R"], ["S52.001A", "S52.001D", "S52.001S", "S42.001B"]),
    ("gangrene in diabetes mellitus (E08-E13 with .52)", ["E11.52", "E08.52"], ["E11.51", "E14.52"]),
    ("(E08-E13 with .9)", ["E11.9"], ["E11.8"]),
])
def test_each_qualifier_form(text: str, inside: list[str], outside: list[str]) -> None:
    refs = parse_refs(text)
    assert refs
    for code in inside:
        assert any(r.covers(code) for r in refs), code
    for code in outside:
        assert not any(r.covers(code) for r in refs), code


def test_open_fracture_characters_are_those_of_the_fracture_tables(sources: Path) -> None:
    book = books.icd10cm(2026)
    for cat in ("S42", "S52", "S62", "S72", "S82", "S92"):
        chars = book.seventh_table(cat + ".0")[1]["chars"]
        opened = "".join(ch for ch, meaning in chars if "open fracture" in meaning)
        if cat in ("S52", "S72", "S82"):
            assert opened == OPEN_FRACTURE_7TH, cat
        else:
            assert set(opened) <= set(OPEN_FRACTURE_7TH), cat


def test_excludes1_fires_only_for_the_codes_the_note_means() -> None:
    # R44 Excludes1 "hallucinations in drug psychosis (F11-F19 with fifth to sixth characters 51)"
    assert "dx.excludes1" not in ids(run(work=make_work(["R44.0", "F17.210"])))
    assert "dx.excludes1" in ids(run(work=make_work(["R44.0", "F12.151"])))
    # use additional code for adverse effect (T36-T50 with fifth or sixth character 5) is met by the T code
    cm = books.icd10cm(2026)
    ae = [r for n in cm.notes("D61.1") if n.kind in ("code_first", "use_additional_code") for r in n.refs if r.start == "T36"]
    assert ae and any(r.covers("T45.1X5A") for r in ae) and not any(r.covers("T45.1X1A") for r in ae)
