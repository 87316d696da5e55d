"""Synthetic cases for the billing tests (every person, id and address is made up)."""
from __future__ import annotations

from workstation.billing.edits import Edit, scrub
from workstation.billing.settings import PracticeSettings
from workstation.cases.model import Address, Case, Coverage, Encounter, Person, Provider
from workstation.session.work import CaseWork, Query, ServiceLine

TODAY = "2026-11-27"
DOS = "2026-01-05"  # FY2026
DOS_FY2025 = "2025-06-02"
RENDERING_NPI = "1234567893"  # the CMS example NPI: check digit valid


def make_case(
    *,
    dob: str = "1960-03-04",
    sex: str = "F",
    dos: str = DOS,
    encounter_type: str = "office",
    pos: str = "11",
    coverage: Coverage | None = None,
    rendering_npi: str = RENDERING_NPI,
    accident: str = "",
    accident_state: str = "",
    accident_date: str = "",
    zip_: str = "62701",
    facility: str = "",
    facility_address: Address | None = None,
    facility_npi: str = "",
) -> Case:
    patient = Person("Testa", "Example", dob=dob, sex=sex, address=Address("1 Sample St", "", "Springfield", "IL", zip_))
    enc = Encounter(
        encounter_type, dos, pos,
        admit_date=dos if encounter_type == "inpatient" else "",
        discharge_date=dos if encounter_type == "inpatient" else "",
        rendering_provider=Provider("Doctor, Demo", rendering_npi, "207Q00000X"),
        accident=accident, accident_state=accident_state, accident_date=accident_date,
        facility=facility, facility_address=facility_address or Address(), facility_npi=facility_npi,
    )
    cov = coverage if coverage is not None else Coverage("Commercial Health Plan (demo)", "DEMO00003", "MEM123", "GRP1", "CI")
    return Case("case-1", patient, enc, cov)


def make_work(dx: list[str] | None = None, lines: list[ServiceLine] | None = None, **kw) -> CaseWork:
    if lines is None:
        lines = [ServiceLine("G0439", pointers=["A"])]
    return CaseWork("case-1", diagnoses=list(dx if dx is not None else ["Z00.00"]), lines=lines, **kw)


def run(case: Case | None = None, work: CaseWork | None = None, settings: PracticeSettings | None = None, **kw) -> list[Edit]:
    kw.setdefault("today", TODAY)
    kw.setdefault("ncci", None)
    return scrub(case or make_case(), work or make_work(), settings=settings, **kw)


def ids(edits: list[Edit], target: str | None = None) -> set[str]:
    return {e.edit_id for e in edits if target is None or e.target == target}


def only(edits: list[Edit], edit_id: str) -> list[Edit]:
    return [e for e in edits if e.edit_id == edit_id]


def open_query() -> Query:
    return Query("q1", "Please clarify the type of diabetes.", status="open")
