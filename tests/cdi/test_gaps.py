"""Gap detection: each kind fires where it must and stays quiet where it must not.

Synthetic cases use invented patients; the codes, titles and siblings come from the compiled code
books, the demo cases from the demo worklist (sessions/demo) with the answer key's codes.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from workstation.cases.demo import demo_cases
from workstation.cases.model import Case, Document, Encounter, Person, Provider
from workstation.cdi.gaps import Gap, axis_of, find_gaps, siblings, unspecified_node
from workstation.cdi.rules import load
from workstation.codes import books
from workstation.session.work import CaseWork

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cases"))
from answer_key import KEY  # noqa: E402


def case(*notes: str, sex: str = "F", dob: str = "1960-05-01", dos: str = "2026-03-02", type_: str = "office") -> Case:
    docs = [Document(f"Note {i + 1}", text, date=dos) for i, text in enumerate(notes)]
    return Case("T-1", Person("Test", "Patient", dob=dob, sex=sex),
                Encounter(type_, dos, rendering_provider=Provider("Hart, Grace")), documents=docs)


def gaps(c: Case, *dx: str) -> list[Gap]:
    return find_gaps(c, CaseWork(c.case_id, "in_progress", list(dx)))


def kinds(gs: list[Gap]) -> list[tuple[str, str, str]]:
    return [(g.kind, g.action, g.code) for g in gs]


@pytest.fixture(scope="module")
def demo() -> dict[str, Case]:
    return {c.case_id: c for c in demo_cases()}


# ---------------------------------------------------------------- the demo answer key

def test_every_case_the_key_marks_for_a_query_is_found_and_no_fully_coded_case_gets_a_gap(demo):
    for cid, exp in KEY.items():
        found = gaps(demo[cid], *exp.dx)
        if exp.query:
            assert [g for g in found if g.action == "query"], f"{cid}: {exp.query}"
        else:
            assert found == [], f"{cid}: {[g.message for g in found]}"


# ---------------------------------------------------------------- unspecified code, by axis

def test_axis_of_an_unspecified_code_comes_from_its_siblings_titles():
    book, rules = books.icd10cm(date="2026-06-01"), load()
    expected = {"M17.10": "laterality", "N18.30": "stage", "F32.9": "severity", "J96.90": "acuity",
                "O99.019": "trimester", "I50.9": "type"}
    for code, axis in expected.items():
        node = unspecified_node(book, code)
        assert node is not None and axis_of(node, siblings(book, node), rules) == axis, code
    assert unspecified_node(book, "H66.001") is None  # "Suppurative and unspecified otitis media" is a family heading
    assert unspecified_node(book, "M17.11") is None


def test_unspecified_side_with_no_side_in_the_record_is_a_query_with_the_sides_as_options(demo):
    [g] = gaps(demo["DEMO-025"], "M17.10")
    assert (g.kind, g.action, g.axis) == ("unspecified", "query", "laterality")
    assert [o.code for o in g.options] == ["M17.11", "M17.12", "M17.0"]
    assert g.options[0].text == "Unilateral primary osteoarthritis, right knee"
    assert any("Primary osteoarthritis of the knee" in e.text for e in g.evidence)


def test_unspecified_side_with_the_side_in_the_record_is_a_coding_error_not_a_query():
    c = case("Assessment: primary osteoarthritis of the left knee. Injected the knee.")
    [g] = gaps(c, "M17.10")
    assert (g.kind, g.action, g.suggested) == ("unspecified", "code", "M17.12")
    assert gaps(c, "M17.12") == []


def test_a_side_word_for_another_body_part_does_not_decide_the_knee():
    c = case("Right-handed. Knee pain for 2 years; primary osteoarthritis of the knee.")
    assert kinds(gaps(c, "M17.10")) == [("unspecified", "query", "M17.10")]


def test_unspecified_type_named_in_the_record_is_a_coding_error():
    c = case("Assessment: chronic diastolic CHF, stable on furosemide.")
    [g] = gaps(c, "I50.9")
    assert (g.action, g.axis, g.suggested) == ("code", "type", "I50.3")


def test_unspecified_type_without_indicators_raises_nothing():
    assert gaps(case("Hyperlipidemia, on atorvastatin."), "E78.5") == []
    assert gaps(case("History of CHF, stable. No changes."), "I50.9") == []


# ---------------------------------------------------------------- specificity rules (rules.toml)

def test_heart_failure_with_bnp_and_lvef_asks_type_and_acuity(demo):
    [g] = gaps(demo["DEMO-028"], "I11.0", "I50.9")
    assert (g.kind, g.rule) == ("specificity", "heart_failure_type_acuity")
    assert "I50.23" in [o.code for o in g.options]
    assert any("BNP 1,450" in e.text for e in g.evidence) and any("LVEF 35%" in e.text for e in g.evidence)
    assert "Universal Definition" in g.source


def test_heart_failure_already_specified_raises_nothing(demo):
    assert gaps(demo["DEMO-002"], *KEY["DEMO-002"].dx) == []  # BNP 310, but I50.32 is coded


def test_anemia_with_a_transfusion_asks_the_type(demo):
    [g] = gaps(demo["DEMO-029"], "M17.11", "D64.9")
    assert g.rule == "anemia_type_transfusion"
    assert [o.code for o in g.options] == ["D62", "D50.0", "D64.89"]
    assert g.options[0].text == "Acute posthemorrhagic anemia"


def test_anemia_not_transfused_raises_nothing():
    c = case("Hgb nadir 10.9, not transfused. Anemia, monitor.")
    assert gaps(c, "D64.9") == []


def test_diabetes_of_undocumented_type_with_dka_at_onset_asks_the_type(demo):
    [g] = gaps(demo["DEMO-026"], *KEY["DEMO-026"].dx)
    assert g.rule == "diabetes_type"
    assert [o.text for o in g.options] == ["Type 1 diabetes mellitus", "Type 2 diabetes mellitus",
                                            "Other specified diabetes mellitus"]


def test_diabetes_documented_as_type_2_raises_nothing():
    c = case("Type 2 diabetes mellitus, history of DKA in 2019 during an infection. On metformin.")
    assert gaps(c, "E11.9") == []


def test_unspecified_fracture_with_imaging_asks_the_type(demo):
    [g] = [g for g in gaps(demo["DEMO-027"], *KEY["DEMO-027"].dx) if g.kind == "specificity"]
    assert (g.rule, g.axis) == ("fracture_type", "type")
    assert "S52.53" in [o.code for o in g.options] and g.options[2].text == "Colles' fracture"


def test_unspecified_fracture_without_imaging_raises_nothing():
    c = case("Wrist fracture of the left radius, splinted at an outside facility. Follow-up.")
    assert gaps(c, "S52.502D") == []


# ---------------------------------------------------------------- episode of care (7th character)

def test_active_treatment_text_beside_a_subsequent_care_code_is_a_query(demo):
    [g] = [g for g in gaps(demo["DEMO-027"], *KEY["DEMO-027"].dx) if g.kind == "episode"]
    assert (g.action, g.code) == ("query", "S52.502D")  # the copied-forward "closed reduction performed"
    assert [o.code for o in g.options] == ["S52.502D", "S52.502A"]
    assert any("closed reduction" in e.text for e in g.evidence)


def test_cast_removed_today_coded_initial_is_a_coding_fix_and_a_planned_removal_is_not():
    c = case("Follow-up of the left wrist fracture. Cast removed, new short arm cast applied.")
    [g] = [g for g in gaps(c, "S52.502A") if g.kind == "episode"]
    assert (g.action, g.suggested) == ("code", "S52.502D")
    planned = case("Laceration of the right hand repaired with 5 sutures. Suture removal in 10 days.")
    assert gaps(planned, "S61.411A", "W54.0XXA") == []


# ---------------------------------------------------------------- indicators without a diagnosis

def test_low_sodium_without_hyponatremia_is_a_query():
    c = case("Labs: sodium 128, potassium 4.1. Confused.")
    [g] = gaps(c, "R41.0")
    assert (g.kind, g.action, g.rule) == ("indicator", "query", "hyponatremia")
    assert [o.code for o in g.options][:2] == ["E87.1", "E22.2"]


def test_low_sodium_must_not_fire_when_coded_documented_or_not_a_sodium_value():
    assert gaps(case("Labs: sodium 128."), "E87.1") == []
    [g] = gaps(case("Sodium 128: hyponatremia, fluid restrict."), "I10")
    assert (g.kind, g.action) == ("indicator", "code")  # documented, not coded: fix the coding
    assert gaps(case("Given methylprednisolone sodium succinate 125 mg IV."), "T78.3XXA") == []
    assert gaps(case("Sodium 139."), "I10") == []


def test_sepsis_criteria_with_bacteremia_is_a_query_and_fewer_criteria_are_not():
    c = case("Blood cultures: bacteremia with E. coli. T 38.9 C, HR 112, RR 18, WBC 15.2.")
    [g] = gaps(c, "R78.81")
    assert g.rule == "sepsis_vs_bacteremia" and "SIRS" in g.source
    assert gaps(case("Bacteremia. T 37.0 C, HR 112, RR 18, WBC 9.0."), "R78.81") == []
    assert gaps(c, "A41.51", "R78.81") == []


def test_low_bmi_with_poor_intake_is_a_query_by_the_glim_age_threshold():
    note = "BMI 21.0. Poor oral intake for a month."
    [g] = gaps(case(note, dob="1950-01-01"), "I10")  # 76 years: under 22
    assert g.rule == "malnutrition"
    assert gaps(case(note, dob="1980-01-01"), "I10") == []  # 46 years: 21.0 is not under 20
    assert gaps(case("BMI 17.5. Eating well."), "I10") == []


# ---------------------------------------------------------------- conflicts, instructions, symptoms

def test_two_documents_that_disagree_on_the_side_are_a_conflict():
    c = case("Right knee pain; right knee osteoarthritis.", "Injected the left knee.")
    assert ("conflict", "query", "M17.11") in kinds(gaps(c, "M17.11"))
    same = case("Right knee pain.", "Injected the right knee.")
    assert gaps(same, "M17.11") == []


def test_two_documents_that_disagree_on_the_type_are_a_conflict():
    c = case("Type 1 diabetes mellitus since age 11.", "Assessment: type 2 diabetes mellitus, on insulin.")
    [g] = [g for g in gaps(c, "E11.9") if g.kind == "conflict"]
    assert (g.action, g.topic, [o.text for o in g.options]) == ("query", "type of diabetes", ["Type 1", "Type 2"])
    assert len(g.evidence) == 2
    assert [g for g in gaps(case("Type 2 diabetes.", "Type 2 DM, on metformin."), "E11.9") if g.kind == "conflict"] == []
    fx = case("X-ray: non-displaced fracture.", "Assessment: nondisplaced fracture, cast.")
    assert [g for g in gaps(fx, "S52.502D") if g.kind == "conflict"] == []
    hf = case("Systolic heart failure, LVEF 35%.", "Diastolic dysfunction too: combined systolic and diastolic failure.")
    assert [g for g in gaps(hf, "I50.42") if g.kind == "conflict"] == []


def test_use_additional_code_documented_and_not_assigned():
    c = case("Type 2 diabetes with diabetic CKD, stage 3a. Continue metformin.")
    found = gaps(c, "E11.22")
    assert [g.suggested for g in found if g.kind == "use_additional"] == ["N18.1-N18.6"]
    assert [g for g in gaps(c, "E11.22", "N18.31", "Z79.84") if g.kind == "use_additional"] == []


def test_code_first_underlying_condition_documented_and_not_assigned():
    c = case("Polyneuropathy due to amyloidosis.")
    assert ("code_first", "code", "G63") in kinds(gaps(c, "G63"))
    assert [g for g in gaps(c, "E85.4", "G63") if g.kind == "code_first"] == []


def test_symptom_coded_beside_the_diagnosis_that_explains_it():
    c = case("Fever and sepsis due to pneumonia.")
    assert ("symptom", "code", "R50.9") in kinds(gaps(c, "A41.9", "J18.9", "R50.9"))
    assert [g for g in gaps(c, "R50.9") if g.kind == "symptom"] == []
