"""The demo worklist and its answer key, end to end through the session store.

Every expected code must exist and be reportable for the case's date of service, and the store
must accept the whole coding of every case (diagnoses, PCS, service lines, queries).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from .answer_key import KEY
from workstation.cases.npi import npi_is_valid
from workstation.cases.demo import demo_cases
from workstation.codes.lookup import lookup
from workstation.session.work import ServiceLine

CASES = {c.case_id: c for c in demo_cases()}


def test_every_case_has_an_answer_and_every_answer_a_case() -> None:
    assert len(CASES) >= 30
    assert set(CASES) == set(KEY)


@pytest.mark.parametrize("case_id", sorted(KEY))
def test_expected_codes_exist_for_the_date_of_service(case_id: str) -> None:
    case, exp = CASES[case_id], KEY[case_id]
    enc = case.encounter
    day = enc.discharge_date if enc.type == "inpatient" and enc.discharge_date else enc.date_of_service
    for code in exp.dx:
        hit = lookup(code, date=day)
        assert hit["system"] == "icd10cm" and hit["billable"], code
        assert hit["code"] == code  # the key is written in the normalized dotted form
    for code in exp.pcs:
        assert lookup(code, date=day)["system"] == "icd10pcs", code
    for line in exp.lines:
        assert lookup(line.code, date=day)["system"] in ("hcpcs", "cpt"), line.code
    if exp.pcs:
        assert enc.type == "inpatient", "PCS codes are for inpatient stays only"
    for line in exp.lines:  # a service date inside the stay
        assert not line.date or (enc.admit_date or enc.date_of_service) <= line.date <= enc.date_of_service, line


def _open(tmp_path: Path):
    from workstation.session.store import SessionStore

    return SessionStore.open(tmp_path / "answer.json", create=True)


@pytest.mark.parametrize("case_id", sorted(KEY))
def test_the_store_accepts_the_expected_coding(tmp_path: Path, case_id: str) -> None:
    exp = KEY[case_id]
    with _open(tmp_path) as store:
        assert store.add_cases([CASES[case_id]]) == [case_id]
        for code in exp.dx:
            store.assign_dx(case_id, code)
        for code in exp.pcs:
            store.add_procedure(case_id, code)
        for line in exp.lines:
            store.add_line(
                case_id,
                ServiceLine(code=line.code, modifiers=list(line.modifiers), units=line.units,
                            pointers=list(line.pointers), date=line.date),
            )
        if exp.query:
            # A query must be compliant (indicators quoted, reasonable options): the one gap detection drafts.
            from workstation.cdi.gaps import find_gaps
            from workstation.cdi.queries import draft

            gap = next(g for g in find_gaps(store.case(case_id), store.work(case_id)) if g.action == "query")
            d = draft(store.case(case_id), gap)
            store.add_query(case_id, exp.query, d.indicators, d.options, gap=d.gap)
        work = store.work(case_id)
    assert work.diagnoses == list(exp.dx)
    assert work.procedures == list(exp.pcs)
    assert [l.date for l in work.lines] == [l.date for l in exp.lines]
    assert [l.code for l in work.lines] == [l.code for l in exp.lines]
    assert len(work.open_queries) == (1 if exp.query else 0)


def test_worklist_variety_the_issue_asks_for() -> None:
    cases = list(CASES.values())
    kinds = {c.encounter.type for c in cases}
    assert {"office", "emergency", "outpatient_surgery", "inpatient", "telehealth"} <= kinds
    assert any(c.coverage.self_pay for c in cases)
    assert {c.coverage.relationship for c in cases} >= {"self", "spouse", "child"}
    assert all(c.coverage.subscriber for c in cases if c.coverage.relationship != "self")
    assert {c.coverage.plan_type for c in cases} >= {"MB", "MC", "CI"}
    assert all(c.coverage.payer_id for c in cases if c.coverage.plan_type == "MB")
    assert sum(1 for e in KEY.values() if e.query) >= 3
    assert sum(1 for e in KEY.values() if e.pcs) >= 5
    # 7th characters, Drug table (T3x/T4x), Neoplasm table (C/D0-D4), diabetes, hypertensive heart+kidney
    all_dx = [d for e in KEY.values() for d in e.dx]
    assert any(len(d.replace(".", "")) == 7 and d[0] in "ST" for d in all_dx)
    assert any(d.startswith(("T36", "T37", "T38", "T39", "T4", "T50")) for d in all_dx)
    assert any(d[0] == "C" for d in all_dx) and any(d.startswith("D1") for d in all_dx)
    assert any(d.startswith("E11.2") for d in all_dx) and any(d.startswith("I13") for d in all_dx)


@pytest.mark.parametrize("case_id", sorted(KEY))
def test_demo_case_details_are_claim_ready(case_id: str) -> None:
    case = CASES[case_id]
    dos = dt.date.fromisoformat(case.encounter.date_of_service)
    assert dt.date(2024, 10, 1) <= dos <= dt.date(2026, 9, 30)  # a compiled ICD-10-CM year
    assert npi_is_valid(case.encounter.rendering_provider.npi)
    assert len(case.patient.address.zip) == 9 and case.patient.address.zip.isdigit()
    assert case.patient.dob < case.encounter.date_of_service
    assert case.documents and all(len(d.text) > 80 for d in case.documents)
    assert case.source == "demo" and len(case.source_key) == 64
    if not case.coverage.self_pay:
        assert case.coverage.payer_name and case.coverage.member_id
    if case.encounter.type == "inpatient":
        assert case.encounter.admit_date <= case.encounter.discharge_date == case.encounter.date_of_service


def test_most_dates_are_2026_and_some_are_in_fy2025() -> None:
    years = [c.encounter.date_of_service[:4] for c in CASES.values()]
    assert years.count("2026") > len(years) / 2
    assert any(c.encounter.date_of_service < "2025-10-01" for c in CASES.values())
