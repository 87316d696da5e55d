"""Medicare Code Editor edits against the compiled MCE v37 lists (codes checked in the MCE file)."""
import pytest

from workstation.billing.edits.mce_edits import mce_lists
from workstation.cases.model import Coverage

from tests.billing.factory import ids, make_case, make_work, only, run


@pytest.fixture(autouse=True)
def compiled_mce():
    return mce_lists()  # the MCE ships compiled: a failure to load is a failure, never a skip


def test_sex_edit_female_only_code_on_male_patient():
    # O80 (full-term uncomplicated delivery) is on the MCE female-only list.
    edits = run(make_case(sex="M", dob="1995-01-01"), make_work(["O80"]))
    [e] = only(edits, "mce.sex")
    assert e.target == "O80" and "female-only" in e.message and e.source.startswith("MCE v37 (FY2020)")
    assert "mce.sex" not in ids(run(make_case(sex="F", dob="1995-01-01"), make_work(["O80"])))


def test_sex_edit_male_only_code_on_female_patient():
    # N40.0 benign prostatic hyperplasia: male-only.
    assert "mce.sex" in ids(run(make_case(sex="F"), make_work(["N40.0"])))
    assert "mce.sex" not in ids(run(make_case(sex="M"), make_work(["N40.0"])))


def test_unknown_sex_is_not_a_sex_conflict():
    assert "mce.sex" not in ids(run(make_case(sex="U"), make_work(["N40.0"])))


def test_age_edit_adult_code_on_a_child():
    # Z00.00 general adult medical examination: adult (15-124).
    edits = run(make_case(dob="2016-02-01"), make_work(["Z00.00"]))
    [e] = only(edits, "mce.age")
    assert "adult" in e.message and "9" in e.message
    assert "mce.age" not in ids(run(make_case(dob="1980-02-01"), make_work(["Z00.00"])))


def test_age_is_counted_on_the_date_of_service():
    # 15th birthday the day after the DOS (2026-01-05): still 14, fails the adult edit.
    assert "mce.age" in ids(run(make_case(dob="2011-01-06"), make_work(["Z00.00"])))
    assert "mce.age" not in ids(run(make_case(dob="2011-01-05"), make_work(["Z00.00"])))


def test_age_edit_maternity_code():
    assert "mce.age" in ids(run(make_case(dob="1960-01-01"), make_work(["O80"])))  # 66: outside 9-64
    # MCE v37 maternity is 9-64 (12-55 only before v35): 58 and 11 pass, 8 fails.
    assert "mce.age" not in ids(run(make_case(dob="1967-06-01"), make_work(["O80"])))
    assert "mce.age" not in ids(run(make_case(dob="2014-06-01"), make_work(["O80"])))
    assert "mce.age" in ids(run(make_case(dob="2017-06-01"), make_work(["O80"])))


def test_unacceptable_principal_on_inpatient_claim():
    # Z37.0 single live birth is unacceptable as principal diagnosis.
    inpatient = make_case(encounter_type="inpatient", pos="21", sex="F", dob="1995-01-01")
    edits = run(inpatient, make_work(["Z37.0", "O80"]))
    assert "mce.unacceptable_principal" in ids(edits, "Z37.0")
    assert "mce.unacceptable_principal" not in ids(run(inpatient, make_work(["O80", "Z37.0"])))
    # An office visit's first-listed Z00.00 is normal outpatient coding: no MCE principal edit.
    assert "mce.unacceptable_principal" not in ids(run(make_case(), make_work(["Z00.00"])))


def test_manifestation_on_mce_list_is_reported_once():
    edits = run(work=make_work(["F02.80", "G30.0"]))
    assert len(only(edits, "dx.manifestation_first")) == 1


def test_sex_edit_on_inpatient_procedure():
    # 0UT90ZZ resection of uterus, open: female-only procedure on the MCE v37 (FY2020) list, which
    # applies to the inpatient discharges it covers (later ones get the MCE of their own year).
    case = make_case(encounter_type="inpatient", pos="21", sex="M", dob="1970-01-01", dos="2020-03-02")
    assert "mce.sex_procedure" in ids(run(case, make_work(["I10"], procedures=["0UT90ZZ"])))
    case.patient.sex = "F"
    assert "mce.sex_procedure" not in ids(run(case, make_work(["I10"], procedures=["0UT90ZZ"])))


def test_outpatient_outcome_of_delivery_first_listed_is_a_warning():
    """QA round 3: Z37.- first on an outpatient claim got no edit (the MCE principal edit is inpatient-only)."""
    office = make_case(sex="F", dob="1995-01-01")
    [w] = only(run(office, make_work(["Z37.0", "O80"])), "dx.outcome_of_delivery_first")
    assert w.severity == "warning" and w.target == "Z37.0"
    assert "dx.outcome_of_delivery_first" not in ids(run(office, make_work(["O80", "Z37.0"])))
    assert "dx.outcome_of_delivery_first" not in ids(run(office, make_work(["Z00.00"])))
    # Inpatient keeps the MCE error and gets no second, outpatient edit.
    inpatient = make_case(encounter_type="inpatient", pos="21", sex="F", dob="1995-01-01")
    edits = run(inpatient, make_work(["Z37.0", "O80"]))
    assert "mce.unacceptable_principal" in ids(edits) and "dx.outcome_of_delivery_first" not in ids(edits)
