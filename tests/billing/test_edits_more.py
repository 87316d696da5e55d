"""The remaining edits, each with a case that triggers it and one that does not."""
import pytest

from workstation.billing.settings import PracticeSettings
from workstation.cases.model import Coverage, Person
from workstation.session.work import ServiceLine

from tests.billing.factory import ids, make_case, make_work, run


def one_line(**kw):
    base = dict(code="J1100", modifiers=[], units=1, charge=None, pointers=["A"])
    base.update(kw)
    return make_work(["I10", "E78.5"], [ServiceLine(**base)])


@pytest.mark.parametrize(
    "edit_id,bad,good",
    [
        ("line.pointer_repeated", dict(pointers=["A", "A"]), dict(pointers=["A", "B"])),
        ("line.modifier_format", dict(modifiers=["L"]), dict(modifiers=["LT"])),
        ("line.modifier_repeated", dict(modifiers=["LT", "LT"]), dict(modifiers=["LT", "GA"])),
        ("line.date", dict(date="2026-01-04"), dict(date="2026-01-05")),
    ],
)
def test_line_edits(edit_id, bad, good):
    assert edit_id in ids(run(work=one_line(**bad)))
    assert edit_id not in ids(run(work=one_line(**good)))


def test_duplicate_pcs():
    case = make_case(encounter_type="inpatient", pos="21")
    assert "pcs.duplicate" in ids(run(case, make_work(["K35.80"], procedures=["0DTJ4ZZ", "0DTJ4ZZ"])))
    assert "pcs.duplicate" not in ids(run(case, make_work(["K35.80"], procedures=["0DTJ4ZZ"])))


def test_inpatient_dates():
    case = make_case(encounter_type="inpatient", pos="21")
    assert not {"field.admit_date", "field.discharge_date"} & ids(run(case))
    case.encounter.admit_date = ""
    assert "field.admit_date" in ids(run(case))
    case.encounter.admit_date, case.encounter.discharge_date = "2026-01-06", "2026-01-05"
    assert "field.discharge_date" in ids(run(case))


def test_accident_code():
    assert "field.accident" in ids(run(make_case(accident="XX")))
    assert "field.accident" not in ids(run(make_case(accident="OA")))


def test_patient_name_and_address():
    case = make_case()
    case.patient.last = ""
    case.patient.address.city = ""
    assert {"field.patient_name", "field.patient_address"} <= ids(run(case))
    assert not {"field.patient_name", "field.patient_address"} & ids(run(make_case()))


def test_subscriber_dob_and_payer_name():
    sub = Person("Parent", "Example", dob="", sex="F")
    cov = Coverage("", "P1", "M1", relationship="spouse", subscriber=sub, plan_type="CI")
    assert {"field.subscriber_dob", "field.payer_name"} <= ids(run(make_case(coverage=cov)))
    cov.payer_name, sub.dob = "Plan", "1970-01-01"
    assert not {"field.subscriber_dob", "field.payer_name"} & ids(run(make_case(coverage=cov)))


@pytest.mark.parametrize(
    "field,value",
    [("billing_name", ""), ("taxonomy", "207Q"), ("submitter_id", ""), ("receiver_id", "")],
)
def test_practice_settings_edits(field, value):
    s = PracticeSettings()
    setattr(s, field, value)
    assert f"settings.{field}" in ids(run(settings=s))
    assert f"settings.{field}" not in ids(run(settings=PracticeSettings()))


def test_practice_address_missing():
    s = PracticeSettings()
    s.address.line1 = ""
    assert "settings.address.line1" in ids(run(settings=s))
