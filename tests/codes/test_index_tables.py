"""Alphabetic Index, Drug Table, Neoplasm Table, External Cause Index: compiled exactly from the sources."""
from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import orjson
import pytest

from workstation.cli import main
from workstation.codes import bookfile, books, build, index_tables as it
from workstation.codes.compile import index_tables as itc
from workstation.codes.errors import SourceError
from workstation.paths import codebooks_dir

XML_KINDS = ("drug", "neoplasm", "eindex")


def manifest_counts(kind: str) -> dict[str, int]:
    return bookfile.read_manifest()["codebooks"][it.BOOK_NAMES[kind]]["counts"]


# ---------------------------------------------------------------- counts recomputed from the files

def test_index_counts_match_a_plain_text_recount(sources: Path) -> None:
    """Recount the CSV line by line with regular expressions (not the csv module the compiler uses)."""
    lines = (sources / itc.SOURCES["index"]).read_text(encoding="utf-8").splitlines()[1:]
    lines = [ln for ln in lines if ln.strip()]
    main_terms = sum(1 for ln in lines if re.match(r'^\d+,[A-Z],0,', ln))
    codes = sum(1 for ln in lines if re.search(r',[A-Z][0-9][0-9A-Z][0-9A-Z.\-]*$', ln))
    incomplete = sum(1 for ln in lines if re.search(r',[A-Z][0-9][0-9A-Z][0-9A-Z.]*-$', ln))
    counts = manifest_counts("index")
    assert counts["terms"] == len(lines) == len(it.alphabetic_index())
    assert counts["main_terms"] == main_terms == len(it.alphabetic_index().main_terms())
    assert counts["codes"] == codes
    assert counts["incomplete"] == incomplete
    assert sum(len(c) for _, _, c in it.alphabetic_index().entries()) == codes


@pytest.mark.parametrize("kind", XML_KINDS)
def test_xml_counts_match_an_elementtree_recount(sources: Path, kind: str) -> None:
    root = ET.parse(sources / itc.SOURCES[kind]).getroot()
    n_main = len(root.findall("letter/mainTerm"))
    n_terms = n_main + sum(1 for _ in root.iter("term"))
    cells = [(c.text or "").strip() for c in root.iter("cell")]
    codes = [c for c in cells if c not in ("", "-", "--")] + [(c.text or "").strip() for c in root.iter("code")]
    counts = manifest_counts(kind)
    book = it.load(kind)
    assert counts["terms"] == n_terms == len(book)
    assert counts["main_terms"] == n_main == len(book.main_terms())
    assert counts["codes"] == len(codes) == sum(len(c) for _, _, c in book.entries())
    assert counts["incomplete"] == sum(1 for c in codes if c.endswith("-"))
    assert counts["see_refs"] == sum(1 for _ in root.iter("see")) + sum(1 for _ in root.iter("seecat")) \
        + sum(1 for _ in root.iter("subcat")) - _both_see_and_seecat(root)


def _both_see_and_seecat(root: ET.Element) -> int:
    """A term with <see> and <seecat>/<subcat> holds them as one reference."""
    return sum(1 for e in root.iter() if e.find("see") is not None
               and (e.find("seecat") is not None or e.find("subcat") is not None))


def test_year_checks_are_in_the_manifest() -> None:
    counts = manifest_counts("index")
    for fy in books.icd10cm_years():
        assert f"not_in_fy{fy}" in counts and f"not_billable_fy{fy}" in counts
    # Every Drug Table code lacks only its 7th character.
    drug = manifest_counts("drug")
    assert drug["not_billable_fy2026"] == drug["needs_7th_fy2026"] == drug["codes"]


def test_code_counts_per_year() -> None:
    fy26 = books.icd10cm(2026)
    assert fy26.get("E11.99") is None  # a code that does not exist
    counts = itc.code_counts(["E11.22", "E11.-", "E11", "E11.99", "T36.0X1"], {2026: fy26})
    assert counts["codes"] == 5 and counts["incomplete"] == 1
    assert counts["not_in_fy2026"] == 1          # E11.99
    assert counts["not_billable_fy2026"] == 2    # E11 (a category), T36.0X1 (needs a 7th character)
    assert counts["needs_7th_fy2026"] == 1


@pytest.mark.slow
def test_build_is_deterministic_and_matches_committed(sources: Path, tmp_path: Path) -> None:
    entries = itc.build_index_tables(sources, tmp_path, log=lambda s: None)
    committed = bookfile.read_manifest()["codebooks"]
    for name, entry in entries.items():
        data = (tmp_path / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert (codebooks_dir() / entry["file"]).read_bytes() == data, f"{name} is stale: rebuild it"
        assert committed[name]["counts"] == entry["counts"]
        assert len(data) < 3_000_000
    assert "index" in build.BUILDERS


def test_loading_is_lazy_per_table() -> None:
    code = ("import workstation.codes.index_tables as it; from workstation.codes import books; "
            "assert not books.opened(); it.drug_table(); assert books.opened() == [it.BOOK_NAMES['drug']]; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"


# ---------------------------------------------------------------- spot checks

def test_diabetes_type_2_with_ckd() -> None:
    idx = it.alphabetic_index()
    hits = idx.find("Diabetes, type 2, with, chronic kidney disease")
    assert [t.codes for t in hits] == [["E11.22"]]
    path = idx.path(hits[0].id)
    assert [t.term for t in path] == ["Diabetes, diabetic", "type 2", "with", "chronic kidney disease"]
    assert path[0].nonessential == "(mellitus) (sugar)" and path[0].codes == ["E11.9"]
    assert path[0].level == 0 and path[0].parent is None and path[-1].parent == path[-2].id
    # modifiers and case are ignored
    assert idx.find("DIABETES (mellitus), Type 2, with, Chronic Kidney Disease") == hits
    assert (hits[0].id, "Diabetes, diabetic, type 2, with, chronic kidney disease", ["E11.22"]) in list(idx.entries())


def test_ids_are_the_csv_row_ids(sources: Path) -> None:
    # Row 2 of the CSV (RowID 2) is "Abandonment".
    assert it.alphabetic_index().term(2).term == "Abandonment"
    with pytest.raises(KeyError):
        it.alphabetic_index().term(0)


def test_see_resolves_to_the_term_it_names() -> None:
    idx = it.alphabetic_index()
    (ab,) = idx.find("Abandonment")
    assert ab.see == "Maltreatment" and ab.codes == []
    assert [idx.term(i).term for i in ab.see_ids] == ["Maltreatment"]
    assert idx.term(ab.see_ids[0]).level == 0
    # a "see Condition, subterm" path goes down to the subterm it names
    (abuse_adult,) = idx.find("Abuse, adult")
    assert abuse_adult.see == "Maltreatment, adult"
    assert [idx.path_text(i) for i in abuse_adult.see_ids] == ["Maltreatment, adult"]
    # ... also when the main term is written in another of its forms ("Disease, diseased")
    (dm_type,) = idx.find("Dementia, Alzheimer's type")
    assert dm_type.see == "Disease, Alzheimer's"
    assert [idx.path_text(i) for i in dm_type.see_ids] == ["Disease, diseased, Alzheimer's"]


def test_see_also_and_table_references() -> None:
    idx = it.alphabetic_index()
    (abdomen,) = idx.find("Abdomen")
    assert abdomen.term == "Abdomen, abdominal" and abdomen.see_also == "condition" and abdomen.see_also_ids == []
    (neo,) = idx.find("Neoplasm, neoplastic")
    assert neo.see_also == "Table of Neoplasms" and neo.see_table == "neoplasm"
    drug_refs = [idx.term(i) for i, _, _ in idx.entries() if idx.term(i).see.startswith("Table of Drugs")]
    assert drug_refs and all(t.see_table == "drug" for t in drug_refs)


def test_incomplete_codes_are_kept_as_written() -> None:
    idx = it.alphabetic_index()
    (keto,) = idx.find("Diabetes, type 2, with, coma due to, ketoacidosis")
    assert keto.codes == ["E11.1-"] and keto.incomplete == ["E11.1-"]
    (amb,) = idx.find("Amblyopia")
    assert amb.codes == ["H53.00-"]


def test_prefix_find() -> None:
    idx = it.alphabetic_index()
    terms = [t.term for t in idx.find("diabet", prefix=True)]
    assert "Diabetes, diabetic" in terms
    # a term answers to each of its comma-separated forms ("Bronze, bronzed, diabetes")
    assert all(any(f.strip().lower().startswith("diabet") for f in t.split(",")) for t in terms)
    assert idx.find("diabet") == []


def test_drug_table_penicillin() -> None:
    drugs = it.drug_table()
    assert drugs.columns == it.DRUG_COLUMNS
    (pen,) = drugs.find("Penicillin")
    assert pen.nonessential == "(any)"
    assert list(pen.columns.items()) == [
        ("poisoning_accidental", "T36.0X1"), ("poisoning_intentional_self_harm", "T36.0X2"),
        ("poisoning_assault", "T36.0X3"), ("poisoning_undetermined", "T36.0X4"),
        ("adverse_effect", "T36.0X5"), ("underdosing", "T36.0X6"),
    ]
    assert [t.term for t in drugs.rows("penicillin")][:2] == ["Penicillin", "Penicillinase"]
    # the source lists it twice, under "#" and under "P"
    propanol, again = drugs.find("1-propanol")
    assert again.term == "1-Propanol" and again.columns == propanol.columns
    assert propanol.columns["adverse_effect"] is None and propanol.columns["poisoning_accidental"] == "T51.3X1"
    assert drugs.headings["poisoning_accidental"].startswith("Poisoning Accidental")


def test_neoplasm_table_breast() -> None:
    neo = it.neoplasm_table()
    assert neo.columns == it.NEOPLASM_COLUMNS
    (root,) = neo.main_terms()
    assert root.term == "Neoplasm, neoplastic" and root.columns["malignant_primary"] == "C80.1"
    (breast,) = neo.rows("breast")
    assert breast.level == 1 and breast.parent == root.id
    assert breast.nonessential == "(connective tissue) (glandular tissue) (soft parts)"
    assert breast.columns == {
        "malignant_primary": "C50.9-", "malignant_secondary": "C79.81", "in_situ": "D05.-",
        "benign": "D24.-", "uncertain_behavior": "D48.6-", "unspecified_behavior": "D49.3",
    }
    assert [t.term for t in neo.children(breast.id)][:2] == ["areola", "axillary tail"]
    # "see Neoplasm, skin" resolves inside the table ("skin NOS")
    (cutis,) = neo.find("Neoplasm, cutis")
    assert cutis.see == "Neoplasm, skin" and neo.term(cutis.see_ids[0]).term == "skin NOS"


def test_external_cause_index() -> None:
    ext = it.external_cause_index()
    (ladder,) = ext.find("Fall, from, ladder")
    assert ladder.codes == ["W11"]
    (strangulation,) = ext.find("Strangulation")
    assert strangulation.see_codes == ["T71"] and strangulation.see == "category T71"
    (abandon,) = ext.find("Abandonment")
    assert abandon.term == "Abandonment NEC" and abandon.nonessential.startswith("(causing exposure")


# ---------------------------------------------------------------- malformed sources

CSV_HEADER = "RowID,Letter,Level,Term,See,SeeAlso,NonEssModif,Code\n"


def test_csv_bad_level_names_file_and_line(tmp_path: Path) -> None:
    p = tmp_path / "index.csv"
    p.write_text(CSV_HEADER + "1,A,0,Aarskog's syndrome,,,,Q87.19\n2,A,x,Abandonment,Maltreatment,,,\n")
    with pytest.raises(SourceError, match=r"index\.csv: line 3: Level 'x'"):
        itc.parse_index_csv(p)


def test_csv_level_jump_and_bad_code(tmp_path: Path) -> None:
    p = tmp_path / "index.csv"
    p.write_text(CSV_HEADER + "1,A,0,Abasia,,,,F44.4\n2,A,2,acute,,,,R10.0\n")
    with pytest.raises(SourceError, match=r"line 3: Level 2 does not follow"):
        itc.parse_index_csv(p)
    p.write_text(CSV_HEADER + "1,A,0,Abasia,,,,F44 4\n")
    with pytest.raises(SourceError, match=r"line 2: malformed code"):
        itc.parse_index_csv(p)


def test_truncated_xml_names_file_and_line(sources: Path, tmp_path: Path) -> None:
    src = (sources / itc.SOURCES["drug"]).read_bytes()
    p = tmp_path / "icd10cm-drug-2025.xml"
    p.write_bytes(src[:5000])
    n_lines = src[:5000].count(b"\n") + 1
    with pytest.raises(SourceError, match=rf"icd10cm-drug-2025\.xml: line {n_lines}: XML error"):
        itc.parse_index_xml(p, "drug")


def test_xml_bad_cell_and_level(tmp_path: Path) -> None:
    p = tmp_path / "neo.xml"
    head = ('<ICD10CM.index><indexHeading><head col="1">Neoplasm</head><head col="2">Malignant Primary</head>'
            '<head col="3">Malignant Secondary</head><head col="4">Ca in situ</head><head col="5">Benign</head>'
            '<head col="6">Uncertain Behavior</head><head col="7">Unspecified Behavior</head></indexHeading>\n'
            '<letter><title>N</title><mainTerm><title>Neoplasm</title>\n')
    p.write_text(head + '<term level="1"><title>breast</title>\n<cell col="2">C50,9</cell></term>'
                 '</mainTerm></letter></ICD10CM.index>\n')
    with pytest.raises(SourceError, match=r"neo\.xml: line 4: malformed code 'C50,9'"):
        itc.parse_index_xml(p, "neoplasm")
    p.write_text(head + '<term level="2"><title>breast</title></term></mainTerm></letter></ICD10CM.index>\n')
    with pytest.raises(SourceError, match=r"neo\.xml: line 3: <term level='2'> nested at level 1"):
        itc.parse_index_xml(p, "neoplasm")


def test_builder_reports_a_broken_source(sources: Path, tmp_path: Path) -> None:
    fake = tmp_path / "sources"
    (fake / "icd10cm").mkdir(parents=True)
    (fake / itc.SOURCES["index"]).write_text(CSV_HEADER + "1,A,-1,Aarskog's syndrome,,,,Q87.19\n")
    with pytest.raises(SourceError, match=r"flattened\.csv: line 2"):
        itc.build_index_tables(fake, tmp_path / "out", log=lambda s: None)


# ---------------------------------------------------------------- CLI

def test_cli_index(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["index", "Diabetes, type 2, with, chronic kidney disease"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Diabetes, diabetic (mellitus) (sugar)  E11.9")
    assert out[-1] == "      chronic kidney disease  E11.22"
    assert main(["index", "Diabetes,", "type", "2"]) == 0
    out = capsys.readouterr().out
    assert "    with\n" in out and "more lines (--all" in out and "incomplete" in out
    assert main(["index", "Abandonment"]) == 0
    assert capsys.readouterr().out.strip() == "Abandonment  - see Maltreatment"


def test_cli_index_json_and_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["index", "--json", "Abandonment"]) == 0
    doc = orjson.loads(capsys.readouterr().out)
    assert doc["matches"][0]["path"][0]["see"] == "Maltreatment"
    assert main(["index", "zzzzqq"]) == 1
    assert "no " in capsys.readouterr().err
    assert main(["index", ","]) == 2


def test_cli_drug_and_neoplasm(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["drug", "penicillin"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:3] == ["Substance", "Accidental", "Self-harm"]
    assert out[1].split() == ["Penicillin", "(any)", "T36.0X1", "T36.0X2", "T36.0X3", "T36.0X4", "T36.0X5", "T36.0X6"]
    assert main(["neoplasm", "--json", "breast"]) == 0
    doc = orjson.loads(capsys.readouterr().out)
    assert doc["matches"][0]["path"][-1]["columns"]["malignant_primary"] == "C50.9-"
    assert main(["eindex", "fall, from, ladder"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].split() == ["ladder", "W11"]


def test_most_cross_references_resolve() -> None:
    """Of the references that name an index term (not an instruction, a table or the tabular),
    nearly all resolve, most of them all the way down."""
    for kind in ("index", "eindex"):
        c = manifest_counts(kind)
        named = c["see_refs"] - c.get("see_instruction", 0) - c.get("see_to_table", 0)
        assert c["see_resolved"] + c["see_partial"] >= 0.9 * named
        assert c["see_resolved"] >= 0.7 * named
    idx = it.alphabetic_index()
    # every resolved id is a real term
    for i, _, _ in list(idx.entries())[:5000]:
        for j in idx.term(i).see_ids + idx.term(i).see_also_ids:
            assert idx.term(j).term or idx.term(j).nonessential


def test_cli_empty_term_gives_an_example_of_that_table(capsys: pytest.CaptureFixture[str]) -> None:
    # QA: `workstation drug ""` suggested looking up "Diabetes, type 2" in the drug table.
    assert main(["drug", " "]) == 2
    assert 'workstation drug "Alprazolam"' in capsys.readouterr().err
    assert main(["neoplasm", ""]) == 2
    assert "Diabetes" not in capsys.readouterr().err
