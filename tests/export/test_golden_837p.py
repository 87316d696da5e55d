"""A golden 837P: the writer's exact output for fixed synthetic claims.

Regenerate after an intended change with WORKSTATION_UPDATE_GOLDEN=1 and review the diff.
"""
from __future__ import annotations

import os
from pathlib import Path

from tests.export.conftest import (
    HOSPITAL, HOSPITAL_ADDRESS, HOSPITAL_NPI, envelope, fixed_settings, make_claim, person,
)
from workstation.cases.model import Provider
from workstation.export.validate_837p import validate_837p
from workstation.export.x12_837p import write_837p

GOLDEN = Path(__file__).parent / "golden" / "three_claims.837"


def golden_claims():
    return [
        make_claim(case_id="DEMO-0001"),
        make_claim(case_id="DEMO-0002", patient=person("Maria", "O'Brien-Nuñez", "1990-01-15", "F"),
                   subscriber=person("Robert", "Smith*Jones", "1958-09-30", "M"), relationship="spouse",
                   payer_id="DEMO00003", payer_name="Commercial Health Plan (demo)", plan="CI",
                   member_id="XKJ-884421", prior_auth="PA20260301", encounter_type="outpatient_surgery", pos="22",
                   facility=HOSPITAL, facility_address=HOSPITAL_ADDRESS, facility_npi=HOSPITAL_NPI),
        make_claim(case_id="DEMO-0003", patient=person("Ann~Marie", "Zoë", "1972-11-30", "F", line1="9 Elm St: Unit ^4"),
                   accident="AA", accident_state="IL", accident_date="2026-03-01", payer_id="DEMO00002", payer_name="State Medicaid (demo)",
                   plan="MC", member_id="MCD55501", rendering=Provider("", "", "")),
    ]


def test_golden_837p():
    text = write_837p(golden_claims(), fixed_settings(), envelope(isa=123, gs=45))
    if os.environ.get("WORKSTATION_UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="ascii")
    assert text == GOLDEN.read_text(encoding="ascii")


def test_golden_file_is_valid():
    report = validate_837p(GOLDEN.read_text(encoding="ascii"))
    assert report.ok, report.summary()
    assert report.claims == 3
