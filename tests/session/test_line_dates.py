"""Inpatient professional lines start on the day the documentation gives them."""
from __future__ import annotations

from workstation.cases.demo import demo_cases
from workstation.session.line_dates import default_line_date


def case(cid: str):
    return next(c for c in demo_cases() if c.case_id == cid)


def test_procedure_line_takes_the_operative_note_date() -> None:
    assert default_line_date(case("DEMO-008"), "44970") == "2026-01-29"  # not the discharge date 01-31
    assert default_line_date(case("DEMO-009"), "27125") == "2026-02-16"


def test_admission_and_discharge_visits() -> None:
    c = case("DEMO-028")
    assert default_line_date(c, "99223") == "2026-09-01"
    assert default_line_date(c, "99239") == "2026-09-04"


def test_no_date_offered_outside_a_stay_or_without_a_procedure_note() -> None:
    assert default_line_date(case("DEMO-001"), "99214") == ""  # office visit: the date of service
    assert default_line_date(case("DEMO-007"), "32555") == ""  # no procedure note: the coder says
    assert default_line_date(case("DEMO-028"), "99232") == ""  # a subsequent day: which one is not known
