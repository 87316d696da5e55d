"""Instructional notes: Excludes1, Code first / manifestation, Use additional code."""
from tests.billing.factory import ids, make_work, only, run


def test_excludes1_type1_and_type2_diabetes():
    edits = run(work=make_work(["E11.9", "E10.9"]))
    [e] = only(edits, "dx.excludes1")  # one edit for the pair, though each excludes the other
    assert e.severity == "error" and {"E11.9", "E10.9"} <= set(e.message.split())
    assert "Excludes1 at E11" in e.source
    assert "dx.excludes1" not in ids(run(work=make_work(["E11.9", "I10"])))


def test_codes_meant_to_go_together_are_not_a_conflict():
    # E11.22 asks for the N18 stage; N18 says code E11.22 first: no Excludes1 between them.
    assert "dx.excludes1" not in ids(run(work=make_work(["E11.22", "N18.30"])))


def test_manifestation_code_cannot_be_first_listed():
    edits = run(work=make_work(["F02.80", "G30.0"]))
    assert "dx.manifestation_first" in ids(edits, "F02.80")
    assert "dx.code_first_order" in ids(edits, "F02.80")  # and G30.0 must come before it
    clean = run(work=make_work(["G30.0", "F02.80"]))
    assert not {"dx.manifestation_first", "dx.code_first_order", "dx.etiology_missing"} & ids(clean)


def test_manifestation_without_its_etiology():
    edits = run(work=make_work(["I10", "F02.80"]))
    [e] = only(edits, "dx.etiology_missing")
    assert e.severity == "warning" and "G30" in e.message
    assert "dx.manifestation_first" not in ids(edits)


def test_code_first_sequencing_for_a_non_manifestation_code():
    # N18: "Code first ... diabetic chronic kidney disease (E08.22, E09.22, E10.22, E11.22, E13.22)".
    edits = run(work=make_work(["N18.30", "E11.22"]))
    [e] = only(edits, "dx.code_first_order")
    assert e.target == "N18.30" and "E11.22" in e.message and "Code first at N18" in e.source
    assert "dx.code_first_order" not in ids(run(work=make_work(["E11.22", "N18.30"])))


def test_use_additional_code_reminder():
    edits = run(work=make_work(["E11.22"]))
    reminders = [e for e in only(edits, "dx.use_additional") if "E11.22" in e.source]
    assert len(reminders) == 1 and reminders[0].severity == "info" and "N18.1-N18.6" in reminders[0].message
    met = run(work=make_work(["E11.22", "N18.30"]))
    assert not [e for e in only(met, "dx.use_additional") if "E11.22" in e.source]


def test_use_additional_list_is_one_reminder_and_any_item_meets_it():
    # E11: use additional code to identify control using insulin (Z79.4), oral drugs (Z79.84) ...
    edits = [e for e in only(run(work=make_work(["E11.9"])), "dx.use_additional") if e.source.endswith("at E11")]
    assert len(edits) == 1 and "Z79.4" in edits[0].message and "Z79.84" in edits[0].message
    met = run(work=make_work(["E11.9", "Z79.84"]))
    assert not [e for e in only(met, "dx.use_additional") if e.source.endswith("at E11")]


def test_excludes1_narrowed_by_with_subdivision():
    # QA regression: G63 Excludes1 "diabetes mellitus (E08-E13 with .42)" flagged every diabetes
    # code; it names only the diabetic polyneuropathy codes (E11.42, ...).
    assert "dx.excludes1" in ids(run(work=make_work(["E11.42", "G63"])))
    assert "dx.excludes1" not in ids(run(work=make_work(["E11.22", "G63"])))


def test_hypertension_with_ckd_or_heart_failure_is_a_combination_code():
    # QA: I10 + N18.31 passed silently; guideline I.C.9.a presumes the link (I12.-, I11.0, I13.-).
    [e] = only(run(work=make_work(["I10", "N18.31"])), "dx.hypertension_combination")
    assert e.severity == "warning" and "I12.-" in e.message
    assert "I11.0" in only(run(work=make_work(["I10", "I50.32"])), "dx.hypertension_combination")[0].message
    assert "I13.-" in only(run(work=make_work(["I10", "I50.32", "N18.4"])), "dx.hypertension_combination")[0].message
    assert "dx.hypertension_combination" not in ids(run(work=make_work(["I12.9", "N18.31"])))
    assert "dx.hypertension_combination" not in ids(run(work=make_work(["I10", "E78.5"])))
