"""Walking the Alphabetic Index to the specific code, and the tabular / MCE checks."""
from __future__ import annotations

import pytest

from workstation.suggest.matcher import finish, mce_refusal, statement_stems, walk_index


@pytest.mark.parametrize("text,path,code", [
    ("Type 2 diabetes mellitus with diabetic chronic kidney disease",
     ["Diabetes, diabetic", "type 2", "with", "chronic kidney disease"], "E11.22"),
    ("CKD stage 3a", ["Disease, diseased", "kidney", "chronic", "stage 3a"], "N18.31"),  # abbreviation
    ("Chronic diastolic heart failure", ["Failure, failed", "heart", "diastolic", "chronic"], "I50.32"),
    ("Sepsis due to Escherichia coli", ["Sepsis", "Escherichia coli"], "A41.51"),
    ("Gestational diabetes mellitus, diet controlled", ["Diabetes, diabetic", "gestational", "diet controlled"], "O24.410"),
])
def test_walk_reaches_the_specific_code(text: str, path: list[str], code: str) -> None:
    w = walk_index(text)
    assert w is not None
    assert [t.term for t in w.path] == path
    assert w.code == code


def test_walk_stops_where_the_words_stop() -> None:
    # Type 2 but no complication named: the walk ends at "type 2" (E11.9), not below "with".
    w = walk_index("Type 2 diabetes mellitus")
    assert w is not None and w.code == "E11.9"
    assert [t.term for t in w.path] == ["Diabetes, diabetic", "type 2"]


def test_walk_follows_see_references() -> None:
    # Disease, kidney, chronic, hypertensive -> see Hypertension, kidney
    w = walk_index("Hypertensive chronic kidney disease")
    assert w is not None and w.code == "I12.9"


def test_without_subterm_only_when_said() -> None:
    assert walk_index("Concussion without loss of consciousness").code == "S06.0X0"
    assert walk_index("Concussion").code.startswith("S06.0")


def test_finish_goes_down_to_the_side_the_words_name() -> None:
    f = finish("M17.1-", statement_stems("Primary osteoarthritis of the left knee"), "2026-03-11")
    assert f is not None and f.code == "M17.12" and f.billable
    f = finish("M17.1-", statement_stems("Primary osteoarthritis of the right knee"), "2026-03-11")
    assert f is not None and f.code == "M17.11"


def test_finish_adds_the_seventh_character_only_when_known() -> None:
    f = finish("S06.0X0", statement_stems("Concussion"), "2026-03-11", seventh="A")
    assert f is not None and f.code == "S06.0X0A" and f.billable
    f = finish("S06.0X0", statement_stems("Concussion"), "2026-03-11")
    assert f is not None and f.needs_seventh and not f.billable


def test_finish_uses_the_code_year() -> None:
    # C50.A0 is new in FY2026: not in the FY2025 book.
    assert finish("C50.A0", frozenset(), "2025-03-01") is None
    assert finish("C50.A0", frozenset(), "2026-03-01").code == "C50.A0"


@pytest.mark.parametrize("code,sex,age,refused", [
    ("O24.410", "M", 40, True),    # maternity code for a man
    ("O24.410", "F", 30, False),
    ("N40.1", "F", 60, True),      # prostate for a woman
    ("N40.1", "M", 60, False),
    ("Z00.129", "F", 40, True),    # child health examination for an adult
    ("Z00.129", "F", 1, False),
])
def test_mce_sex_and_age(code: str, sex: str, age: int, refused: bool) -> None:
    assert bool(mce_refusal(code, sex, age)) is refused


def test_absent_words_support_no_subterm() -> None:
    # "without ... gangrene" must not walk to Appendicitis, acute, with, gangrene (K35.891)
    w = walk_index("Acute appendicitis without perforation or gangrene")
    assert w is not None and w.code == "K35.80"
    assert walk_index("Acute appendicitis with gangrene").code == "K35.891"


def test_unsupported_subterm() -> None:
    from workstation.suggest.matcher import statement_stems, unsupported_subterm

    path = "Atherosclerosis, transplanted heart, native coronary artery"
    title = "Atherosclerosis of native coronary artery of transplanted heart without angina pectoris"
    assert unsupported_subterm(path, statement_stems("atherosclerosis of native coronary arteries"), title) == \
        "transplanted heart"
    assert unsupported_subterm(path, statement_stems("atherosclerosis of native artery of transplanted heart"),
                               title) == ""


@pytest.mark.parametrize("text,code", [
    # "site classification" is an instruction, walked through; "trunk (skin) (subcutaneous)" says
    # more of the statement than "subcutaneous" alone, by its non-essential modifiers.
    ("Lipoma of subcutaneous tissue of the back (trunk)", "D17.1"),
    ("Lipoma of subcutaneous tissue", "D17.30"),
    ("Lipoma", "D17.9"),
])
def test_walk_through_site_classification(text: str, code: str) -> None:
    w = walk_index(text)
    assert w is not None and w.code == code
