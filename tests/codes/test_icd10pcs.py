"""ICD-10-PCS: counts recomputed from the official XML, decoding, validation, building, errors."""
from __future__ import annotations

import itertools
import re

import pytest

from workstation.codes.compile import icd10pcs as pcs_mod
from workstation.codes.errors import SourceError
from workstation.codes.icd10pcs import icd10pcs
from workstation.codes.lookup import LookupError_, lookup

TABLES = "icd10pcs/icd10pcs_tables_2025.xml"


@pytest.fixture(scope="module")
def book():
    return icd10pcs()


def _codes_by_regex(xml: str) -> set[str]:
    """Every valid code, expanded from the raw XML text with regular expressions only
    (independently of the compiler's parser)."""
    codes: set[str] = set()
    for table in re.findall(r"<pcsTable>(.*?)</pcsTable>", xml, re.S):
        head, _, body = table.partition("<pcsRow")
        first3 = "".join(re.findall(r'<label code="(.)">', head))
        assert len(first3) == 3, head[:200]
        for row in re.findall(r"<pcsRow[^>]*>(.*?)</pcsRow>", "<pcsRow" + body, re.S):
            axes = [re.findall(r'<label code="(.)">', ax) for ax in re.findall(r"<axis [^>]*>(.*?)</axis>", row, re.S)]
            assert len(axes) == 4
            for combo in itertools.product(*axes):
                codes.add(first3 + "".join(combo))
    return codes


def test_every_valid_code_recomputed_from_the_xml(sources, book):
    expected = _codes_by_regex((sources / TABLES).read_text(encoding="utf-8"))
    assert len(expected) == 78948
    listed = [code for code, _title in book.all_codes()]
    assert len(listed) == len(set(listed)) == book.count()
    assert set(listed) == expected


def test_declared_row_counts_match(sources):
    xml = (sources / TABLES).read_text(encoding="utf-8")
    declared = sum(int(n) for n in re.findall(r'<pcsRow codes="(\d+)"', xml))
    assert declared == 78948
    assert len(re.findall(r"<pcsTable>", xml)) == 908


def test_decode_appendectomy(book):
    axes = book.decode("0DTJ4ZZ")
    assert [a.label for a in axes] == [
        "Medical and Surgical", "Gastrointestinal System", "Resection", "Appendix",
        "Percutaneous Endoscopic", "No Device", "No Qualifier",
    ]
    assert [a.name for a in axes][:4] == ["Section", "Body System", "Operation", "Body Part"]
    assert book.title("0DTJ4ZZ") == "Resection of Appendix, Percutaneous Endoscopic Approach"
    assert book.is_valid("0dtj4zz")


def test_titles_follow_the_cms_long_title_pattern(book):
    assert book.title("0016070") == "Bypass Cerebral Ventricle to Nasopharynx with Autologous Tissue Substitute, Open Approach"
    assert book.title("0DBJ4ZX") == "Excision of Appendix, Percutaneous Endoscopic Approach, Diagnostic"
    assert book.title("0SR9019") == "Replacement of Right Hip Joint with Metal Synthetic Substitute, Cemented, Open Approach"
    assert book.title("0W9G30Z") == "Drainage of Peritoneal Cavity with Drainage Device, Percutaneous Approach"
    assert book.title("0DC68ZZ") == "Extirpation of Matter from Stomach, Via Natural or Artificial Opening Endoscopic"


def test_invalid_combinations_rejected(book):
    assert not book.is_valid("0DTJ9ZZ")   # approach 9 is not in the resection table for appendix
    assert not book.is_valid("0DTJ4ZY")   # qualifier Y not allowed there
    assert not book.is_valid("0DTJ4Z")    # too short
    assert not book.is_valid("0DTI4ZZ")   # I is never used
    assert book.decode("0DTJ9ZZ") == []
    assert book.title("0DTJ9ZZ") is None


def test_row_labels_differ_within_a_table(book):
    # The same qualifier character means different things in two rows of table 001.
    assert book.decode("0016070")[6].label == "Nasopharynx"
    assert book.is_valid("00160J0")


def test_next_choices_walks_the_tables(book):
    sections = dict(book.next_choices(""))
    assert sections["0"] == "Medical and Surgical" and "I" not in sections and "E" not in sections
    assert dict(book.next_choices("0D"))["T"] == "Resection"
    approaches = book.next_choices("0DTJ")
    assert ("4", "Percutaneous Endoscopic") in approaches
    assert "3" not in dict(approaches)  # percutaneous resection of the appendix is not in the table
    assert book.next_choices("0DTJ4Z") == [("Z", "No Qualifier")] or ("Z", "No Qualifier") in book.next_choices("0DTJ4Z")
    for code, _ in itertools.islice(book.all_codes(), 0, 78948, 997):
        for i in range(7):
            assert code[i] in dict(book.next_choices(code[:i])), code


def test_definitions(book):
    d = book.definition("0", 3, "T")
    assert d.terms == ("Resection",) and d.definition == "Cutting out or off, without replacement, all of a body part"
    assert book.definition("0", 5, "Percutaneous Endoscopic").definition.startswith("Entry, by puncture or minor incision")
    assert "Vermiform appendix" in book.definition("0", 4, "J", body_system="D").includes
    assert book.root_operation_definition("0DTJ4ZZ") == d.definition


def test_index_entries(book):
    entries = {e.path: e for e in book.index_entries()}
    assert entries[("Abortion", "Laminaria")].code == "10A07ZW"
    hyst = entries[("Abdominohysterectomy",)]
    assert hyst.see == "Resection, Uterus" and hyst.code == "0UT9"
    assert entries[("Abdominal aortic plexus",)].use == "Abdominal Sympathetic Nerve"
    # Every code or partial code the index gives decodes in the tables, but for two codes the
    # official FY2025 index still lists and the tables no longer hold.
    bad = sorted(e.code for e in book.index_entries() if e.code and not book.decode(e.code))
    assert bad == ["5A0512C", "5A0522C"]


def test_lookup_finds_pcs_and_keeps_icd10cm(book):
    r = lookup("0DTJ4ZZ")
    assert r["system"] == "icd10pcs" and r["title"].startswith("Resection of Appendix")
    assert [a["value"] for a in r["axes"]] == list("0DTJ4ZZ")
    assert lookup("S72012A")["system"] == "icd10cm"  # seven dotless characters, but not in the PCS tables
    with pytest.raises(LookupError_, match="does not allow|do not allow"):
        lookup("0DTJ9ZZ")


def test_malformed_xml_names_file_and_line(tmp_path):
    bad = tmp_path / "tables.xml"
    bad.write_text('<?xml version="1.0"?>\n<ICD10PCS.tabular>\n  <version>2025</version>\n  <pcsTable>\n</ICD10PCS.tabular>\n')
    with pytest.raises(SourceError, match=r"tables\.xml:5: malformed XML"):
        pcs_mod.compile_tables(bad, {})


def test_row_count_mismatch_names_file_and_line(sources, tmp_path):
    xml = (sources / TABLES).read_text(encoding="utf-8")
    broken = xml.replace('<pcsRow codes="99">', '<pcsRow codes="98">', 1)
    line = xml[: xml.index('<pcsRow codes="99">')].count("\n") + 1
    path = tmp_path / "icd10pcs_tables_2025.xml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(SourceError, match=rf"icd10pcs_tables_2025\.xml:{line}: table 001 row 1: declares 98 codes"):
        pcs_mod.compile_tables(path, {})
