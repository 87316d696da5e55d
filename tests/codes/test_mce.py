"""Medicare Code Editor v37: counts from the file, spot checks, age/sex/principal checks, errors."""
from __future__ import annotations

from collections import Counter

import pytest

from workstation.codes.compile import mce as mce_mod
from workstation.codes.errors import SourceError
from workstation.codes.mce import mce


def test_counts_recomputed_from_the_file(sources):
    counts: Counter[tuple[str, str]] = Counter()
    for line in (sources / mce_mod.SOURCE).read_text(encoding="utf-8").splitlines()[1:]:
        f = line.split("\t")
        counts[(f[4], f[5])] += 1
    book = mce()
    for (edit, kind), n in counts.items():
        assert len(book.codes(edit, kind)) == n, (edit, kind)
    assert counts[("Female_Only", "D")] == 3135 and counts[("Principal_Manifestation", "D")] == 395


def test_codes_are_dotted_and_found_either_way():
    book = mce()
    assert "E84.11" in book.codes("Newborn_Only")
    assert book.age_category("E8411") == book.age_category("e84.11") == "newborn"


def test_spot_checks():
    book = mce()
    assert book.sex("C53.9") == "F"            # malignant neoplasm of cervix uteri: female only
    assert book.sex("N40.0") == "M"
    assert book.sex("0UT90ZZ") == "F"          # resection of uterus: a female-only procedure
    assert book.sex("E11.9") is None
    assert book.is_manifestation("G63")        # polyneuropathy in diseases classified elsewhere
    assert not book.is_manifestation("E11.42")
    assert book.is_unacceptable_principal("Z37.0")
    assert book.age_category("O80") == "maternity"
    assert book.age_category("Z38.00") == "newborn"
    assert book.age_category("N40.0") == "adult"


def test_age_ranges_are_data():
    book = mce()
    assert book.version == "37"
    # Maternity is 9-64 since MCE v35 (FY2018); v37 is FY2020. (QA: it was compiled as the old 12-55.)
    assert book.age_ranges == {"newborn": (0, 0), "pediatric": (0, 17), "maternity": (9, 64), "adult": (15, 124)}
    assert book.effective_from == "2019-10-01"


def test_checks():
    book = mce()
    assert book.check_age("O80", 30) is None
    assert book.check_age("O80", 65).edit == "Maternity_Only"
    assert book.check_age("O80", 8).edit == "Maternity_Only"
    # Inside 9-64 but outside the pre-v35 12-55: no edit.
    assert book.check_age("O80", 10) is None and book.check_age("O80", 60) is None
    assert book.check_age("Z38.00", 40).edit == "Newborn_Only"
    assert book.check_sex("N40.0", "F").edit == "Male_Only"
    assert book.check_sex("N40.0", "M") is None
    assert [e.edit for e in book.check_principal("Z37.0")] == ["Principal_Unacceptable"]
    assert [e.edit for e in book.check_principal("G63")] == ["Principal_Manifestation"]


def test_malformed_row_names_file_and_line(sources, tmp_path):
    lines = (sources / mce_mod.SOURCE).read_text(encoding="utf-8").splitlines()
    lines[4] = lines[4].replace("\tD\t", "\tX\t")
    path = tmp_path / "MCE_Simple_Code_Edits_v37.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"MCE_Simple_Code_Edits_v37\.txt:5: code type 'X'"):
        mce_mod.compile_mce(path)
    path.write_text(lines[0] + "\n37\t10\t4\tA\tNewborn_Only\tD\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"\.txt:2: expected 8 tab-separated fields"):
        mce_mod.compile_mce(path)


def test_cli_mce_without_a_code_is_a_usage_error(capsys) -> None:
    # QA: `workstation mce ""` printed "no edits" and exit 0 for no code at all.
    from workstation.cli import main

    assert main(["mce", " "]) == 2
    assert "give a diagnosis or procedure code" in capsys.readouterr().err
