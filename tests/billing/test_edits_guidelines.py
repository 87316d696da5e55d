"""Guideline edits (issue 14): each rule with a case that must fire and one that must not."""
from __future__ import annotations

import pytest

from tests.billing.factory import ids, make_case, make_work, only, run
from workstation.cases.model import Coverage
from workstation.session.work import ServiceLine


def dx(*codes: str, lines: list[ServiceLine] | None = None):
    return run(work=make_work(list(codes), lines))


# ---------------------------------------------------------------- I.C.19.e.5 drugs and toxins

def test_adverse_effect_code_first_note_applies_to_adverse_effect_codes_only():
    # T36-T50: "Code first, for adverse effects, the nature of the adverse effect, such as: aspirin gastritis (K29.-)".
    adverse = only(dx("T39.015A", "K29.70"), "dx.code_first_order")
    assert adverse and adverse[0].target == "T39.015A" and "K29.70" in adverse[0].message
    # The same pair with a poisoning code: the poisoning is first (I.C.19.e.5.b), no code-first error.
    assert "dx.code_first_order" not in ids(dx("T39.012A", "K29.70"))


def test_adverse_effect_t_code_listed_first_is_an_error():
    [e] = only(dx("T45.515A", "R31.0"), "dx.adverse_effect_first")
    assert e.severity == "error" and "I.C.19.e.5.a" in e.source
    assert "dx.adverse_effect_first" not in ids(dx("R31.0", "T45.515A"))
    assert "dx.adverse_effect_first" not in ids(dx("T42.4X2A", "R40.0"))  # a poisoning, not an adverse effect


def test_poisoning_is_sequenced_before_its_manifestations():
    [e] = only(dx("R40.0", "T42.4X2A"), "dx.poisoning_first")
    assert e.severity == "error" and e.target == "T42.4X2A" and "I.C.19.e.5.b" in e.source
    assert "dx.poisoning_first" not in ids(dx("T42.4X2A", "R40.0", "F32.2"))
    # A condition that is not a sign or symptom before it: a warning (the poisoning may be incidental).
    [w] = only(dx("F32.2", "T42.4X2A"), "dx.poisoning_first")
    assert w.severity == "warning"


def test_underdosing_is_never_first_listed():
    [e] = only(dx("T50.1X6A", "I50.9"), "dx.underdosing_first")
    assert e.severity == "error" and "I.C.19.e.5.c" in e.source
    assert "dx.underdosing_first" not in ids(dx("I50.9", "T50.1X6A"))


def test_toxic_effect_is_sequenced_first_too():
    # T58.01XA: intent in the 5th character (X placeholder in the 6th): the title decides.
    assert only(dx("R06.02", "T58.01XA"), "dx.poisoning_first")[0].severity == "error"
    assert "dx.poisoning_first" not in ids(dx("T58.01XA", "R06.02"))


def test_underdosing_items_of_the_t36_t50_note_only_for_underdosing_codes():
    def reminder(code: str, *more: str) -> list:
        return [e for e in only(dx(*more, code), "dx.use_additional") if e.target == code]

    assert not reminder("T45.515A", "R31.0")  # adverse effect: Y63/Z91.1- do not apply
    [r] = reminder("T50.1X6A", "I50.9")
    assert "Z91.12-" in r.message
    assert not reminder("T50.1X6A", "I50.9", "Z91.138")  # met


# ---------------------------------------------------------------- code first met before

def test_code_first_is_met_when_the_named_condition_is_listed_before():
    # J91.0 "Code first underlying neoplasm (C00-D49)": met by C34.11 before it, though C79.51 follows.
    assert "dx.code_first_order" not in ids(dx("C34.11", "J91.0", "C79.51"))
    [e] = only(dx("J91.0", "C34.11"), "dx.code_first_order")
    assert e.target == "J91.0" and "C34.11" in e.message


# ---------------------------------------------------------------- I.C.9.a hypertension

def test_hypertensive_ckd_stage_5_or_esrd_needs_i12_0():
    [e] = only(dx("I12.9", "N18.6"), "dx.hypertension_ckd_stage")
    assert e.severity == "error" and "I12.0" in e.message and "I.C.9.a" in e.source
    assert "I12.9" in only(dx("I12.0", "N18.4"), "dx.hypertension_ckd_stage")[0].message
    assert "dx.hypertension_ckd_stage" not in ids(dx("I12.0", "N18.6"))
    assert "dx.hypertension_ckd_stage" not in ids(dx("I12.9", "N18.31"))


def test_i13_subcode_matches_the_ckd_stage():
    assert "I13.2" in only(dx("I13.0", "I50.32", "N18.5"), "dx.hypertension_ckd_stage")[0].message
    assert "I13.10" in only(dx("I13.11", "N18.30"), "dx.hypertension_ckd_stage")[0].message
    assert "dx.hypertension_ckd_stage" not in ids(dx("I13.2", "I50.32", "N18.6"))
    assert "dx.hypertension_ckd_stage" not in ids(dx("I13.0", "I50.32", "N18.4"))


def test_heart_failure_with_hypertensive_ckd_needs_i13():
    [e] = only(dx("I12.9", "N18.4", "I50.32"), "dx.hypertension_heart_kidney")
    assert e.target == "I12.9" and "I13.0" in e.message and "I.C.9.a.3" in e.source
    assert "I13.2" in only(dx("I12.0", "N18.6", "I50.32"), "dx.hypertension_heart_kidney")[0].message
    assert "I13.0" in only(dx("I11.0", "I50.32", "N18.4"), "dx.hypertension_heart_kidney")[0].message
    assert "dx.hypertension_heart_kidney" not in ids(dx("I13.0", "I50.32", "N18.4"))
    assert "dx.hypertension_heart_kidney" not in ids(dx("I12.9", "N18.4"))


def test_without_heart_failure_code_with_heart_failure_coded():
    assert "I11.0" in only(dx("I11.9", "I50.9"), "dx.hypertension_heart_failure")[0].message
    assert "dx.hypertension_heart_failure" not in ids(dx("I11.0", "I50.9"))


# ---------------------------------------------------------------- position rules

def test_first_listed_only_z_codes_i_c_21_c_16():
    [e] = only(dx("E78.5", "Z00.00"), "dx.first_listed_only")
    assert e.severity == "warning" and e.target == "Z00.00" and "I.C.21.c.16" in e.source
    assert "dx.first_listed_only" not in ids(dx("Z00.00", "E78.5"))
    assert "dx.first_listed_only" in ids(dx("C50.412", "Z51.11"))
    assert "dx.first_listed_only" not in ids(dx("E11.9", "Z00.6"))  # the table's exception
    assert "dx.first_listed_only" not in ids(dx("E11.9", "Z79.4"))  # not in the table
    # I.C.2.e.2: chemotherapy and radiation therapy in one encounter may be listed in any sequence.
    assert "dx.first_listed_only" not in ids(dx("Z51.11", "Z51.0", "C50.412"))


def test_secondary_only_codes_i_b_14():
    [e] = only(dx("Z68.41", "E66.01"), "dx.secondary_only_first")
    assert e.severity == "error" and "I.B.14" in e.source
    assert "dx.secondary_only_first" not in ids(dx("E66.01", "Z68.41"))


def test_external_cause_code_never_first_listed():
    [e] = only(dx("W19.XXXA", "S52.502A"), "dx.external_cause_first")
    assert e.severity == "error" and "I.C.20" in e.source
    assert "dx.external_cause_first" not in ids(dx("S52.502A", "W19.XXXA"))


# ---------------------------------------------------------------- lines against their diagnoses

def test_line_pointing_only_to_an_external_cause_code():
    codes = ["S61.451A", "W54.0XXA"]
    [e] = only(dx(*codes, lines=[ServiceLine("12002", pointers=["B"])]), "line.external_cause_only")
    assert e.severity == "error" and e.target == "line 1" and "W54.0XXA" in e.message
    assert "line.external_cause_only" not in ids(dx(*codes, lines=[ServiceLine("12002", pointers=["A", "B"])]))


@pytest.mark.parametrize("code,mods,fires", [
    ("M17.12", ["RT"], True),    # left knee, right-side modifier: the example
    ("M17.12", ["LT"], False),
    ("M17.10", ["RT"], False),   # unspecified knee: nothing to compare
    ("M17.11", ["50"], True),    # one knee, bilateral procedure
    ("M17.0", ["50"], False),    # bilateral primary osteoarthritis of knee
    ("M17.0", ["RT"], False),
    ("H25.11", ["LT"], True),    # right eye cataract, left modifier
    ("S62.611A", ["F6"], True),  # displaced fx proximal phalanx of left index finger; F6 = right hand 2nd digit
    ("S62.611A", ["F1"], False), # F1 = left hand 2nd digit
])
def test_laterality_against_the_line_modifier(code, mods, fires):
    line = ServiceLine("20610" if code.startswith("M17") else "99213", modifiers=mods, pointers=["A"])
    edits = dx(code, lines=[line])
    assert ("line.laterality" in ids(edits)) is fires
    if fires:
        assert only(edits, "line.laterality")[0].severity == "error"


def test_laterality_words_naming_an_organ_part_are_not_a_side():
    from workstation.billing.edits.line_dx import side_of

    assert side_of(2026, "I50.1") == ""  # Left ventricular failure
    assert side_of(2026, "M17.12") == "L" and side_of(2026, "M17.0") == "B"


def test_drug_line_without_an_ndc_is_a_warning():
    [e] = only(dx("M17.10", lines=[ServiceLine("J3301", units=4, pointers=["A"])]), "line.ndc_missing")
    assert e.severity == "warning" and "2410" in e.source
    with_ndc = ServiceLine("J3301", units=4, pointers=["A"], ndc="0003-0293-05", ndc_quantity=1, ndc_unit="ML")
    assert not {"line.ndc_missing", "line.ndc_format", "line.ndc_unit"} & ids(dx("M17.10", lines=[with_ndc]))
    assert "line.ndc_missing" not in ids(dx("M17.10", lines=[ServiceLine("20610", pointers=["A"])]))
    # Q-code drug (BETOS O1E) too; a self-pay statement has no 2410 loop.
    assert "line.ndc_missing" in ids(dx("D50.9", lines=[ServiceLine("Q0138", units=510, pointers=["A"])]))
    self_pay = make_case(coverage=Coverage("", "", "", "", "", self_pay=True))
    assert "line.ndc_missing" not in ids(run(self_pay, make_work(["M17.10"], [ServiceLine("J3301", units=4, pointers=["A"])])))


def test_ndc_entered_but_malformed():
    bad = ServiceLine("J3301", units=4, pointers=["A"], ndc="12345")
    assert only(dx("M17.10", lines=[bad]), "line.ndc_format")[0].severity == "error"
    unit = ServiceLine("J3301", units=4, pointers=["A"], ndc="00003029305", ndc_unit="KG")
    assert "line.ndc_unit" in ids(dx("M17.10", lines=[unit]))
    zero = ServiceLine("J3301", units=4, pointers=["A"], ndc="00003029305", ndc_quantity=0, ndc_unit="ML")
    assert "line.ndc_quantity" in ids(dx("M17.10", lines=[zero]))
    good = ServiceLine("J3301", units=4, pointers=["A"], ndc="00003029305", ndc_quantity=1, ndc_unit="ML")
    assert not {"line.ndc_format", "line.ndc_unit", "line.ndc_quantity"} & ids(dx("M17.10", lines=[good]))


def test_ndc_normalization_to_11_digits():
    from workstation.billing.ndc import normalize_ndc

    assert normalize_ndc("0003-0293-05") == "00003029305"  # 4-4-2
    assert normalize_ndc("12345-678-90") == "12345067890"  # 5-3-2
    assert normalize_ndc("12345-6789-1") == "12345678901"  # 5-4-1
    assert normalize_ndc("00003029305") == "00003029305"
    assert normalize_ndc("0003029305") is None  # 10 digits without hyphens: ambiguous, not guessed
