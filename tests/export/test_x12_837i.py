"""837I 005010X223A2: every inpatient demo case, accepted by pyx12 and by our own checks."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from tests.cases.answer_key import KEY
from tests.cases.drg_key import DRG_KEY
from workstation.billing.facility import FacilitySettings, RevenueCharge
from workstation.billing.settings import PracticeSettings
from workstation.cases.demo import demo_cases
from workstation.export.validate_837i import own_checks, validate_837i
from workstation.export.x12_837i import InpatientClaim, write_837i
from workstation.export.x12_837p import Envelope, X12DataError
from workstation.grouping.drg import group_case
from workstation.session.work import CaseWork, FacilityStay

CASES = {c.case_id: c for c in demo_cases()}
# The hospital configures its own revenue codes and charges (none are shipped): a test value.
FACILITY = FacilitySettings(tax_id="311234567", type_of_bill="111",
                            revenue=[RevenueCharge("0120", "1850.00", "day")])
ENV = Envelope("DEMOSUBMIT01", "DEMORECEIVER", 7, 7, datetime(2026, 12, 1, 9, 30))


def claim(case_id: str) -> InpatientClaim:
    k, d = KEY[case_id], DRG_KEY[case_id]
    case = CASES[case_id]
    work = CaseWork(case_id, diagnoses=list(k.dx), procedures=list(k.pcs), poa=dict(zip(k.dx, d.poa)),
                    stay=FacilityStay("1", "1", d.status or "01", "08", "14", k.dx[0]),
                    pcs_dates={p: case.encounter.admit_date for p in k.pcs})
    return InpatientClaim(case, work, group_case(case, work).drg)


@pytest.mark.parametrize("case_id", sorted(DRG_KEY))
def test_inpatient_demo_case_837i_is_accepted_by_pyx12(case_id: str) -> None:
    text = write_837i([claim(case_id)], PracticeSettings(), FACILITY, ENV)
    report = validate_837i(text)
    assert report.ok, report.summary()
    assert report.claims == 1
    assert f"HI*DR:{DRG_KEY[case_id].drg:03d}~" in text


def test_poa_goes_in_c022_09_and_exempt_goes_blank() -> None:
    text = write_837i([claim("DEMO-009")], PracticeSettings(), FACILITY, ENV)
    assert "HI*ABK:S72011A:::::::Y~" in text
    assert "*ABF:Y92013*" in text  # marked exempt: no indicator
    assert "CL1*1*1*03~" in text and "SV2*0120**9250.00*DA*5~" in text  # 5 days x 1850.00


def test_writer_refuses_a_diagnosis_without_poa_and_missing_facility_settings() -> None:
    ic = claim("DEMO-035")
    ic.work.poa.pop("N17.9")
    with pytest.raises(X12DataError, match="present-on-admission"):
        write_837i([ic], PracticeSettings(), FACILITY, ENV)
    with pytest.raises(X12DataError, match="revenue-code charge table"):
        write_837i([claim("DEMO-035")], PracticeSettings(), replace(FACILITY, revenue=[]), ENV)


def test_own_checks_catch_a_wrong_total_and_a_bad_poa() -> None:
    text = write_837i([claim("DEMO-028")], PracticeSettings(), FACILITY, ENV)
    assert own_checks(text)[0] == []
    bad = text.replace("CLM*DEMO-028*5550.00", "CLM*DEMO-028*5551.00")
    assert any("CLM02" in p.message for p in own_checks(bad)[0])
    bad = text.replace("ABK:I110:::::::Y", "ABK:I110:::::::Q")
    assert any("POA" in p.message for p in own_checks(bad)[0])
