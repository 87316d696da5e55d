"""Issue 13 item 1: FY2027 ICD-10-CM from the CMS addenda and change lists, over the FY2026 tabular."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from workstation.codes import books
from workstation.codes.diff import diff_releases
from workstation.codes.errors import SourceError
from workstation.codes.compile.icd10cm_update import apply_changes, read_change_lists
from workstation.session.validate import CodingError, validate_dx
from tests.session.conftest import make_case


def rows(sources: Path, name: str) -> list[dict[str, str]]:
    with open(sources / "icd10cm/fy2027" / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_every_added_code_with_its_title_and_flag(sources: Path) -> None:
    book = books.icd10cm(2027)
    added = rows(sources, "added.csv")
    assert len(added) == 238
    for r in added:
        c = book.get(r["codeDotted"])
        assert c is not None, r["codeDotted"]
        assert c.title == r["longTitle"] and c.billable == (r["billable"] == "true"), r["codeDotted"]
        assert book.provenance(c.code)["change"] == "new in FY2027"
    # placed by code: parent is the longest existing code, category under a block of its chapter
    assert [p.code for p in book.path("M67.A01")] == ["Chapter 13", "M65-M67", "M67", "M67.A", "M67.A0", "M67.A01"]
    assert [p.code for p in book.path("K6A.01")][:3] == ["Chapter 11", "K65-K68", "K6A"]
    assert books.icd10cm(2026).get("M67.A01") is None


def test_deleted_gone_headers_made_and_retitled(sources: Path) -> None:
    book = books.icd10cm(2027)
    for r in rows(sources, "deleted.csv"):
        assert book.get(r["codeDotted"]) is None, r["codeDotted"]
        assert books.icd10cm(2026).get(r["codeDotted"]) is not None
    for r in rows(sources, "billable-status-changes.csv"):
        c = book.get(r["codeDotted"])
        assert c is not None and not c.billable and book.children(c.code), r["codeDotted"]
        assert not book.needs_seventh(c.code)
        assert book.provenance(c.code)["change"].startswith("became a header")
    assert [k.code for k in book.children("M72.2")] == ["M72.20", "M72.21", "M72.22"]
    for r in rows(sources, "revised.csv"):
        assert book.get(r["codeDotted"]).title == r["newLongTitle"]
    assert book.provenance("E11.22") is None  # unchanged codes keep the FY2026 text without a remark
    # inherited notes still apply to a new code; its own are missing
    assert any(n.origin == "Chapter 13" for n in book.notes("M67.A01"))


def test_manifest_and_lookup_say_where_the_text_comes_from() -> None:
    e = books.manifest()["codebooks"]["icd10cm-2027"]
    assert e["provisional"] is True and e["origin"] == "provisional"
    assert "addenda" in e["basis"] and "not in the CMS addenda" in e["missing"]
    assert e["effective_from"] == "2026-10-01" and e["counts"]["billable"] == 74_879
    assert any(s["path"].endswith("icd10cm_codes_addenda_2027.txt") for s in e["sources"])
    r = subprocess.run([sys.executable, "-m", "workstation", "lookup", "M72.2", "--date", "2026-10-01", "--json"],
                       capture_output=True, text=True)
    d = json.loads(r.stdout)
    assert d["release"] == "FY2027" and d["book"]["provisional"]
    assert d["provenance"]["change"].startswith("became a header") and "not in the CMS addenda" in d["provenance"]["missing"]
    r = subprocess.run([sys.executable, "-m", "workstation", "lookup", "M67.A01", "--date", "2026-10-01"],
                       capture_output=True, text=True)
    assert r.returncode == 0 and "missing:" in r.stdout and "new in FY2027" in r.stdout


def test_dates_from_2026_10_01_code_under_fy2027() -> None:
    before, after = make_case("B-001", "2026-09-30"), make_case("A-001", "2026-10-01")
    assert validate_dx(after, "M67.A01") == "M67.A01"
    with pytest.raises(CodingError, match="FY2026.*added later"):
        validate_dx(before, "M67.A01")
    assert validate_dx(before, "M72.2") == "M72.2"
    with pytest.raises(CodingError, match="header.*M72.20"):
        validate_dx(after, "M72.2")
    assert validate_dx(before, "S23.420A") == "S23.420A"
    with pytest.raises(CodingError, match="not a code in ICD-10-CM FY2027"):
        validate_dx(after, "S23.420A")
    inpatient = make_case("I-001", "2026-09-28", "inpatient", discharge="2026-10-02")
    assert validate_dx(inpatient, "M67.A01") == "M67.A01"  # the discharge date decides


def test_diff_2026_2027_agrees_with_the_change_lists(sources: Path) -> None:
    d = diff_releases(books.icd10cm(2026), books.icd10cm(2027))
    added = {r["codeDotted"] for r in rows(sources, "added.csv") if r["billable"] == "true"}
    assert {c["code"] for c in d["added"]} == added and len(added) == 190
    assert {c["code"] for c in d["deleted"]} == {r["codeDotted"] for r in rows(sources, "deleted.csv") if r["wasBillable"] == "true"}
    assert {c["code"] for c in d["became_header"]} == {r["codeDotted"] for r in rows(sources, "billable-status-changes.csv")}
    assert len(d["deleted"]) + len(d["became_header"]) == 30
    assert {c["code"]: c["new_title"] for c in d["retitled"]} == {r["codeDotted"]: r["newLongTitle"] for r in rows(sources, "revised.csv")}
    m722 = next(c for c in d["became_header"] if c["code"] == "M72.2")
    assert m722["replaced_by"] == ["M72.20", "M72.21", "M72.22"]


def test_change_lists_that_disagree_are_refused(sources: Path, tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "fy2027"
    shutil.copytree(sources / "icd10cm/fy2027", folder)
    text = (folder / "added.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "added.csv").write_text("".join(l for l in text if not l.startswith("M67A01,")), encoding="utf-8")
    with pytest.raises(SourceError, match="disagree.*M67.A01"):
        read_change_lists(folder, 2027)
    ch = read_change_lists(sources / "icd10cm/fy2027", 2027)
    ch.addenda_counts["to"] = 74_880
    with pytest.raises(SourceError, match="74879 billable codes after the changes, the addenda say 74880"):
        apply_changes(books.icd10cm(2026).doc, ch)
