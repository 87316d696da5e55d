"""Fixtures for the session store: synthetic cases and a private store folder."""
from __future__ import annotations

from pathlib import Path

import pytest

from workstation.cases.model import Case, Encounter, Person
from workstation.session.store import SessionStore


def make_case(case_id: str, dos: str = "2025-11-03", type_: str = "office", discharge: str = "") -> Case:
    # Synthetic patients only: no real person behind these names.
    return Case(
        case_id=case_id,
        patient=Person(first="Test", last=f"Patient{case_id[-3:]}", dob="1956-04-12", sex="F"),
        encounter=Encounter(type=type_, date_of_service=dos, discharge_date=discharge,
                            admit_date=dos if type_ == "inpatient" else ""),
        source="tests",
        source_key=f"tests:{case_id}",
    )


@pytest.fixture(name="make_case")
def make_case_fixture():
    return make_case


@pytest.fixture
def store_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "sessions"
    monkeypatch.setenv("WORKSTATION_SESSIONS", str(d))
    return d


@pytest.fixture
def store_path(store_dir: Path) -> Path:
    return store_dir / "s.json"


@pytest.fixture
def cases() -> list[Case]:
    return [
        make_case("CASE-001"),
        make_case("CASE-002", "2025-03-14"),  # FY2025
        make_case("CASE-003", "2025-09-20", "inpatient", discharge="2025-10-02"),  # discharge in FY2026
    ]


@pytest.fixture
def store(store_path: Path, cases: list[Case]):
    s = SessionStore.open(store_path)
    s.add_cases(cases)
    yield s
    if not s.closed:
        s.close()
