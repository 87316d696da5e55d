"""Synthetic claims and sessions for the export tests (no real patients; codes from the code books)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from workstation.billing.claim import Claim, build_claim
from workstation.billing.settings import PracticeSettings
from workstation.cases.model import Address, Case, Coverage, Encounter, Person, Provider
from workstation.export.x12_837p import Envelope
from workstation.session.work import CaseWork, ServiceLine

WHEN = datetime(2026, 3, 5, 9, 30)
# ICD-10-CM FY2026 billable codes (verified against the compiled code book in test_validate).
DX = ["E11.22", "N18.31", "I10"]


def person(first: str = "Ann", last: str = "Example", dob: str = "1961-04-12", sex: str = "F",
           line1: str = "12 Test Road", city: str = "Springfield", state: str = "IL", zip: str = "62704") -> Person:
    return Person(first, last, "", dob, sex, Address(line1, "", city, state, zip))


def make_case(case_id: str = "DEMO-0001", *, patient: Person | None = None, subscriber: Person | None = None,
              relationship: str = "self", self_pay: bool = False, member_id: str = "1EG4TE5MK73",
              payer_id: str = "DEMO00001", payer_name: str = "Medicare Part B (demo)", plan: str = "MB",
              dos: str = "2026-03-04", accident: str = "", accident_state: str = "", accident_date: str = "",
              prior_auth: str = "", rendering: Provider | None = None, encounter_type: str = "office",
              pos: str = "11", facility: str = "", facility_address: Address | None = None,
              facility_npi: str = "") -> Case:
    cov = Coverage(
        payer_name="" if self_pay else payer_name, payer_id="" if self_pay else payer_id,
        member_id="" if self_pay else member_id, plan_type="" if self_pay else plan,
        relationship=relationship, subscriber=subscriber, self_pay=self_pay, prior_authorization=prior_auth,
    )
    enc = Encounter(encounter_type, dos, pos, accident=accident, accident_state=accident_state,
                    accident_date=accident_date, facility=facility, facility_address=facility_address or Address(),
                    facility_npi=facility_npi,
                    rendering_provider=rendering or Provider("Rivera, Dana", "1234567893", "207Q00000X"))
    return Case(case_id, patient or person(), enc, cov, source="test", source_key=f"test:{case_id}")


def make_work(case_id: str = "DEMO-0001", dx: list[str] | None = None,
              lines: list[ServiceLine] | None = None, status: str = "coded") -> CaseWork:
    return CaseWork(
        case_id, status, list(dx or DX[:2]), [],
        lines if lines is not None else [
            ServiceLine("99214", ["25"], 1, Decimal("185.00"), ["A", "B"]),
            ServiceLine("81002", [], 1, Decimal("10.00"), ["B"]),
        ],
    )


def fixed_settings() -> PracticeSettings:
    """Practice settings pinned here (not the demo defaults, which may change) for golden output."""
    return PracticeSettings(
        billing_name="Maple Grove Family Medicine", npi="1555000003", tax_id="990000001", taxonomy="207Q00000X",
        address=Address("100 Example Way", "", "Springfield", "IL", "627010001"), phone="2175550100",
        submitter_id="DEMOSUBMIT01", submitter_name="Maple Grove Family Medicine", submitter_contact="Billing Office",
        submitter_phone="2175550100", receiver_id="DEMORECEIVER", receiver_name="Demo Clearinghouse",
    )


# A synthetic outpatient hospital (the NPI only satisfies the check digit).
HOSPITAL = "Example Community Hospital"
HOSPITAL_ADDRESS = Address("900 Example Drive", "", "Springfield", "IL", "627030900")
HOSPITAL_NPI = "1508002106"


def make_claim(**kw) -> Claim:
    case = make_case(**kw)
    return build_claim(case, make_work(case.case_id), fixed_settings())


def envelope(isa: int = 1, gs: int = 1, usage: str = "T") -> Envelope:
    s = fixed_settings()
    return Envelope(s.submitter_id, s.receiver_id, isa, gs, WHEN, usage=usage, reference=f"{isa:09d}")


@pytest.fixture
def settings() -> PracticeSettings:
    return PracticeSettings()


@pytest.fixture
def session(tmp_path: Path):
    """A session store with four synthetic cases: two clean claims (one a dependent), one self-pay,
    one with an open provider query."""
    from workstation.session.store import SessionStore

    spouse = person("Robert", "Example", "1958-09-30", "M")
    cases = [
        make_case("DEMO-0001"),
        make_case("DEMO-0002", patient=person("Maria", "O'Brien-Nuñez", "1990-01-15"), subscriber=spouse,
                  relationship="spouse", payer_id="DEMO00003", payer_name="Commercial Health Plan (demo)",
                  plan="CI", member_id="XKJ-884421"),
        make_case("DEMO-0003", self_pay=True),
        make_case("DEMO-0004"),
    ]
    store = SessionStore.open(tmp_path / "s" / "session.json")
    store.add_cases(cases)
    for c in cases:
        for code in DX[:2]:
            store.assign_dx(c.case_id, code)
        store.add_line(c.case_id, ServiceLine("99214", [], 1, Decimal("185.00"), ["A", "B"]))
        store.set_status(c.case_id, "coded")
    store.add_query("DEMO-0004", "Please clarify the stage of chronic kidney disease.",
                    "eGFR 52", ["Stage 3a", "Stage 3b", "Other", "Clinically undetermined"])
    yield store
    store.close()


@pytest.fixture(autouse=True)
def _private_user_data(tmp_path_factory, monkeypatch):
    """Exports keep the last interchange number per submitter in the user's data folder: use a fresh one."""
    monkeypatch.setenv("WORKSTATION_DATA_DIR", str(tmp_path_factory.mktemp("user-data")))
