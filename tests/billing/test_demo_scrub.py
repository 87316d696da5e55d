"""The whole demo worklist coded with its answer key scrubs with no error and at most one reminder
per code (issue 14: an edit that fires on a coder's correct answer teaches the coder to ignore edits)."""
from __future__ import annotations

from collections import Counter

import pytest

from tests.billing.factory import TODAY
from tests.cases.answer_key import KEY
from tests.cases.drg_key import DRG_KEY
from workstation.billing.edits import scrub
from workstation.cases.demo import demo_cases
from workstation.session.work import CaseWork, ServiceLine


def coded(case_id: str) -> CaseWork:
    exp = KEY[case_id]
    lines = [ServiceLine(l.code, list(l.modifiers), l.units, None, list(l.pointers), l.date) for l in exp.lines]
    # Inpatient stays are coded with their present-on-admission indicators, as a coder would.
    poa = dict(zip(exp.dx, DRG_KEY[case_id].poa)) if case_id in DRG_KEY else {}
    return CaseWork(case_id, diagnoses=list(exp.dx), procedures=list(exp.pcs), lines=lines, poa=poa)


@pytest.fixture(scope="module")
def scrubbed() -> dict[str, list]:
    return {c.case_id: scrub(c, coded(c.case_id), ncci=None, today=TODAY) for c in demo_cases()}


def test_no_error_on_any_demo_case_coded_with_its_key(scrubbed):
    errors = {cid: [(e.edit_id, e.message) for e in edits if e.severity == "error"] for cid, edits in scrubbed.items()}
    assert not {cid: e for cid, e in errors.items() if e}


def test_at_most_one_reminder_per_code(scrubbed):
    for cid, edits in scrubbed.items():
        per_target = Counter(e.target for e in edits if e.severity == "info")
        assert all(n <= 1 for n in per_target.values()), (cid, per_target)


def test_the_only_warnings_are_drug_lines_waiting_for_their_ndc(scrubbed):
    # The notes do not give the NDCs: the coder enters them from the vials (837P 2410).
    warnings = {e.edit_id for edits in scrubbed.values() for e in edits if e.severity == "warning"}
    # The shipped HCPCS (July 2025) and PCS (FY2025) files serve these later dates: said on every
    # claim that uses them (issue 13), until the coder installs the current releases.
    assert warnings <= {"line.ndc_missing", "codeset.dated_hcpcs", "codeset.dated_icd10pcs"}
