"""ICD-10-CM: the compiled code book is complete and exactly the official tabular."""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from workstation.codes import books
from workstation.codes.bookfile import read_manifest
from workstation.codes.build import build_icd10cm
from workstation.codes.model import parse_refs

PROJECT = Path(__file__).resolve().parents[2]


def independent_counts(xml_path: Path) -> dict[str, int]:
    """Recount billable codes and headers straight from the XML, without the compiler's code.

    A leaf <diag> is billable unless a sevenChrDef on it or an ancestor applies, in which case
    each 7th character gives one billable code and the leaf is a header, less the characters
    that a note beside the table says "do not apply" for the leaf's 6th character.
    """
    import re

    root = ET.parse(xml_path).getroot()
    billable = headers = 0
    seventh_codes = 0
    excl_re = re.compile(r"7th characters (\w) and (\w) do not apply .* with 6th character (\d) .*, or (\d) ")

    def walk(el: ET.Element, table: list[str], excl: tuple[str, str]) -> None:
        nonlocal billable, headers, seventh_codes
        d = el.find("sevenChrDef")
        if d is not None:
            table = [e.get("char") for e in d.findall("extension")]
            excl = ("", "")
            for n in el.iter("note"):
                if m := excl_re.search(n.text or ""):
                    excl = (m[1] + m[2], m[3] + m[4])
        kids = el.findall("diag")
        if kids:
            headers += 1
            for k in kids:
                walk(k, table, excl)
        elif table:
            headers += 1
            name = el.find("name").text.replace(".", "").ljust(6, "X")
            n = sum(1 for ch in table if not (ch in excl[0] and name[5] in excl[1]))
            billable += n
            seventh_codes += n
        else:
            billable += 1

    for sec in root.iter("section"):
        for diag in sec.findall("diag"):
            walk(diag, [], ("", ""))
    return {
        "billable": billable,
        "headers": headers,
        "chapters": len(root.findall("chapter")),
        "blocks": len(root.findall("chapter/section")),
        "categories": len(root.findall("chapter/section/diag")),
    }


@pytest.mark.parametrize("fy", [2025, 2026])
def test_counts_match_an_independent_recount(sources: Path, fy: int) -> None:
    expected = independent_counts(sources / f"icd10cm/icd10cm-tabular-{fy}-april.xml")
    counts = read_manifest()["codebooks"][f"icd10cm-{fy}"]["counts"]
    assert counts["billable"] == expected["billable"]
    assert counts["headers"] == expected["headers"]
    assert counts["chapter"] == expected["chapters"] == 22
    assert counts["block"] == expected["blocks"]
    assert counts["category"] == expected["categories"]
    book = books.icd10cm(fy)
    assert sum(1 for c in book.all_codes() if c.billable) == expected["billable"]


@pytest.mark.parametrize("fy, official", [(2025, 74_260), (2026, 74_719), (2027, 74_879)])
def test_billable_counts_equal_the_official_order_files(fy: int, official: int) -> None:
    """CMS's counts of codes in icd10cm_order_YYYY.txt (the FY2027 addenda state 74,719 and 74,879)."""
    assert sum(1 for c in books.icd10cm(fy).all_codes() if c.billable) == official


def test_e1122_carries_use_additional_code_for_ckd_stage() -> None:
    book = books.icd10cm(2026)
    uac = book.notes_of_kind("E11.22", "use_additional_code")
    own = [n for n in uac if n.origin == "E11.22"]
    assert own and "stage of chronic kidney disease (N18.1-N18.6)" in own[0].text
    ref = own[0].refs[0]
    assert (ref.start, ref.end) == ("N18.1", "N18.6")
    assert ref.covers("N18.30") and ref.covers("N18.6") and not ref.covers("N18.9")
    # inherited from the category, with its origin
    assert any(n.origin == "E11" and "insulin (Z79.4)" in n.text for n in uac)


def test_seventh_character_codes() -> None:
    book = books.icd10cm(2026)
    assert book.get("S72.012A").billable
    hdr = book.get("S72.012")
    assert hdr is not None and not hdr.billable
    assert book.needs_seventh("S72.012")
    origin, chars = book.seventh_characters("S72.012")
    assert origin == "S72" and ("A", "initial encounter for closed fracture") in chars
    t = book.get("T36.0X1A")
    assert t is not None and t.billable and t.title.startswith("Poisoning by penicillins, accidental")
    assert book.with_seventh("T36.0X1", "a") == "T36.0X1A"
    assert book.get("T36.01A") is None  # placeholder X is required


def test_excludes1_and_code_first() -> None:
    book = books.icd10cm(2026)
    ex1 = book.notes_of_kind("E11.9", "excludes1")
    type1 = [n for n in ex1 if "type 1 diabetes mellitus" in n.text]
    assert type1 and type1[0].origin == "E11"
    assert any(r.covers("E10.9") for r in type1[0].refs)
    cf = book.notes_of_kind("F02.80", "code_first")
    assert cf and any(r.covers("G30.0") for n in cf for r in n.refs)


def test_new_fy2026_code_is_absent_from_fy2025() -> None:
    assert books.icd10cm(2026).get("C50.A0") is not None
    assert books.icd10cm(2025).get("C50.A0") is None


def test_hierarchy_path() -> None:
    path = [c.code for c in books.icd10cm(2026).path("E11.22")]
    assert path == ["Chapter 4", "E08-E13", "E11", "E11.2", "E11.22"]


def test_release_for_date() -> None:
    assert books.release_for_date("2025-09-30")["fiscal_year"] == 2025
    assert books.release_for_date("2025-10-01")["fiscal_year"] == 2026
    assert books.icd10cm(date="2026-04-02").fiscal_year == 2026
    assert books.release_for_date("2026-09-30")["fiscal_year"] == 2026
    assert books.release_for_date("2026-10-01")["fiscal_year"] == 2027
    assert books.release_for_date("2026-11-27")["fiscal_year"] == 2027
    with pytest.raises(books.NoRelease, match="FY2028"):
        books.release_for_date("2027-10-01")
    with pytest.raises(ValueError, match="not a date"):
        books.release_for_date("2026-13-01")


def test_parse_refs_forms() -> None:
    refs = parse_refs("diabetes (E11.-), stage (N18.1-N18.6), poisoning (T36-T65), insulin (Z79.4)")
    assert [(r.start, r.end, r.incomplete) for r in refs] == [
        ("E11", "", True), ("N18.1", "N18.6", False), ("T36", "T65", False), ("Z79.4", "", False),
    ]


@pytest.mark.slow
def test_build_is_deterministic_and_matches_committed(sources: Path, tmp_path: Path) -> None:
    entries = build_icd10cm(sources, tmp_path, log=lambda s: None)
    committed = PROJECT / "codebooks"
    for name, entry in entries.items():
        rebuilt = (tmp_path / entry["file"]).read_bytes()
        assert hashlib.sha256(rebuilt).hexdigest() == entry["sha256"]
        assert rebuilt == (committed / entry["file"]).read_bytes(), f"{name} differs from codebooks/"


def test_missing_and_corrupt_codebook_name_the_file_and_fix(tmp_path: Path) -> None:
    with pytest.raises(books.CodebookError, match=r"icd10cm-2026\.json\.gz is missing.*codebooks build"):
        books.load_doc("icd10cm-2026", tmp_path)
    (tmp_path / "icd10cm-2026.json.gz").write_bytes(b"\x1f\x8bnot really gzip")
    with pytest.raises(books.CodebookError, match=r"icd10cm-2026\.json\.gz is corrupt.*codebooks build"):
        books.load_doc("icd10cm-2026", tmp_path)


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "workstation", *args], capture_output=True, text=True)


def test_cli_lookup_json_any_case_without_dot() -> None:
    r = run_cli("lookup", "e1122", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["code"] == "E11.22" and data["billable"] is True
    assert [p["code"] for p in data["path"]][-2:] == ["E11.2", "E11.22"]
    assert any(n["kind"] == "use_additional_code" and n["origin"] == "E11.22" for n in data["notes"])


def test_cli_lookup_unknown_and_malformed_exit_2() -> None:
    r = run_cli("lookup", "E11.99")
    assert r.returncode == 2 and "E11.99" in r.stderr
    r = run_cli("lookup", "not-a-code!")
    assert r.returncode == 2 and "not-a-code!" in r.stderr


def test_cli_lookup_date_picks_the_code_year() -> None:
    assert run_cli("lookup", "C50.A0", "--date", "2026-01-05").returncode == 0
    r = run_cli("lookup", "C50.A0", "--date", "2025-01-05")
    assert r.returncode == 2 and "FY2025" in r.stderr


def test_cli_diff_lists_added_codes() -> None:
    r = run_cli("codebooks", "diff", "2025", "2026", "--json")
    assert r.returncode == 0
    d = json.loads(r.stdout)
    assert "C50.A0" in {c["code"] for c in d["added"]}
    assert all(c["code"] not in {a["code"] for a in d["added"]} for c in d["deleted"])


def test_near_misses_name_the_placeholder_and_the_seventh_character() -> None:
    # QA: "T36.01A is not a code" left a coder guessing; the slip is the missing placeholder X.
    book = books.icd10cm(2026)
    assert "T36.0X1A" in book.near_misses("T36.01A")
    assert "W06.XXXA" in book.near_misses("w06a")
    bad7 = book.near_misses("S72.012Z")
    assert "'Z' is not a 7th character of S72.012" in bad7 and "A, B, C" in bad7
    assert book.near_misses("E11.99") == "" and book.near_misses("E11.22") == ""


def test_cli_lookup_unknown_code_says_what_was_meant() -> None:
    r = run_cli("lookup", "T36.01A")
    assert r.returncode == 2 and "did you mean T36.0X1A" in r.stderr
    r = run_cli("lookup", "C50.A0", "--date", "2025-01-05")
    assert r.returncode == 2 and "it is in FY2026" in r.stderr


def test_parse_refs_narrowed_by_with_subdivision() -> None:
    refs = parse_refs("diabetes mellitus (E08-E13 with .42)")
    assert [r.start for r in refs] == ["E08.42", "E09.42", "E10.42", "E11.42", "E12.42", "E13.42"]
    assert refs[3].covers("E11.42") and not any(r.covers("E11.22") for r in refs)
    pairs = [(r.start, r.end, r.incomplete) for r in parse_refs("(F10, F13 with .26, .96) and (E08-E09 with .51-.52, .61-)")]
    assert pairs == [("F10.26", "", False), ("F10.96", "", False), ("F13.26", "", False), ("F13.96", "", False),
                     ("E08.51", "E08.52", False), ("E08.61", "", True), ("E09.51", "E09.52", False), ("E09.61", "", True)]
    # the official typo "(F11-F19 with .15. .25, .95)" still reads as three subdivisions
    assert len(parse_refs("(F11-F19 with .15. .25, .95)")) == 27


@pytest.mark.parametrize("text, inside, outside", [
    ("(B27.0-B27.9 with fifth character 1)", ["B27.01", "B27.81"], ["B27.09", "B27.00", "B27.9"]),
    ("(V01-V09 with 5th character 1)", ["V01.01XA", "V09.01XA", "V01.91XA"], ["V01.00XA", "V01.09XA", "V10.01XA"]),
    ("(T36.8X- with sixth character 1-4)", ["T36.8X1A", "T36.8X4D"], ["T36.8X5A", "T36.8X6A", "T36.0X1A"]),
    ("(T39.0-, with sixth character 5)", ["T39.015A", "T39.095A"], ["T39.011A", "T39.1X5A"]),
    ("(S42.- with 7th character B or C)", ["S42.001B", "S42.001C"], ["S42.001A", "S42.001D"]),
    ("(S92.-with 7th character B)", ["S92.001B"], ["S92.001A"]),
    ("(S32.1--S32.9 with 7th character B)", ["S32.10XB", "S32.9XXB"], ["S32.10XA", "S32.000B"]),
    ("(F10-F19 with 5th character .6)", ["F10.26", "F13.96"], ["F10.20", "F10.27"]),
    ("(I69. with final characters -23)", ["I69.023", "I69.323"], ["I69.020", "I69.32"]),
    ("(E08, E09, E11, E13 with final characters .00 or .01)", ["E11.00", "E08.01", "E13.00"], ["E11.10", "E10.00", "E11.9"]),
    ("(T36-T50 with final character 6)", ["T36.0X6A", "T50.906D"], ["T36.0X1A", "T51.0X6A"]),
    ("leukemia in remission C91.0-C95.9 with 5th character 1", ["C91.01", "C95.91"], ["C91.00", "C95.90"]),
    ("(J96. with 5th character 2)", ["J96.02", "J96.22"], ["J96.01", "J96.00"]),
])
def test_parse_refs_narrowed_by_nth_character(text: str, inside: list[str], outside: list[str]) -> None:
    """QA round 3: "with fifth character 1" and the like were ignored, so the whole range was claimed."""
    refs = parse_refs(text)
    assert refs and all(r.at for r in refs)
    for code in inside:
        assert any(r.covers(code) for r in refs), code
    for code in outside:
        assert not any(r.covers(code) for r in refs), code


def test_every_nth_character_note_in_the_book_is_narrowed() -> None:
    """Grep of the compiled FY2026 notes: each note naming codes "with ... character" narrows them."""
    import re

    cm = books.icd10cm(2026)
    phrase = re.compile(r"[A-Z]\d[0-9A-Z][0-9A-Z.\-]*,?\s*with\s+(fifth|5th|sixth|6th|seventh|7th|final)\s+character")
    hits = 0
    for code, notes in cm.raw_notes().items():
        for kind, text in notes:
            if phrase.search(text):
                hits += 1
                assert any(r.at for r in parse_refs(text)), (code, text)
    assert hits >= 20
    # The real Excludes1 notes, as the scrubber reads them.
    g63 = [r for n in cm.notes_of_kind("G63", "excludes1") for r in n.refs]
    assert any(r.covers("B27.01") for r in g63) and not any(r.covers("B27.09") for r in g63)
    v00 = [r for n in cm.notes_of_kind("V00.118A", "excludes1") if n.origin == "V00.118" for r in n.refs]
    assert any(r.covers("V01.01XA") for r in v00) and not any(r.covers("V01.00XA") for r in v00)
