"""Fabricated session stores whose totals are known, built through the real store API.

store_a (coder alice): A1 and A3 are the same patient (breast cancer, C50.911, seen twice);
A2 has an open provider query (held); A4 is self-pay; A5 is in code year FY2025 with B88.0,
which FY2026 deleted. store_b (coder bob): B1 has D04.10 (in the table, not reportable),
B2 is new (no work), B3 has C50.A0 (added in FY2026, not in the reportability table: "check").
store_empty has no case. Every name, street, birth date and member id below is fabricated.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from workstation.cases.model import Address, Case, Coverage, Encounter, Person
from workstation.session.store import SessionStore
from workstation.session.work import ServiceLine

PATIENT_1 = dict(first="Wilhelmina", last="Quarrington", dob="1950-03-15", sex="F",
                 address=Address("17 Larkspur Close", "", "Cleveland", "OH", "44101"))
PATIENT_2 = dict(first="Bartholomew", last="Fennimore", dob="1980-07-01", sex="M",
                 address=Address("4 Orchard Row", "", "Keene", "NH", "03601"))
PATIENT_3 = dict(first="Cornelius", last="Abernathy", dob="1940-01-01", sex="M",
                 address=Address("900 Canyon Dr", "", "Beverly Hills", "CA", "90210"))
PATIENT_4 = dict(first="Ottoline", last="Pemberton", dob="1992-12-31", sex="F",
                 address=Address("2 Mill Lane", "", "Akron", "OH", "44301"))

MEDICARE = Coverage(payer_name="Medicare Part B", payer_id="MCRB1", member_id="1EG4TE5MK73", plan_type="MB")
COMMERCIAL = Coverage(payer_name="Lakeshore Health Plan", payer_id="LHP01", member_id="LHP99887766", plan_type="CI")
MEDICAID = Coverage(payer_name="Ohio Medicaid", payer_id="OHMCD", member_id="MCD55544433", plan_type="MC")
SELF_PAY = Coverage(self_pay=True)

SECRETS = ["Wilhelmina", "Quarrington", "Bartholomew", "Fennimore", "Cornelius", "Abernathy", "Ottoline",
           "Pemberton", "1950-03-15", "1980-07-01", "1940-01-01", "Larkspur", "Orchard Row", "Canyon Dr",
           "1EG4TE5MK73", "LHP99887766", "MCD55544433", "44101", "03601", "90210", "Is the lesion"]


def case(cid: str, patient: dict, dos: str, cov: Coverage, etype: str = "office") -> Case:
    return Case(cid, Person(**patient), Encounter(etype, dos), cov, source="fabricated")


@dataclass
class Stores:
    folder: Path
    a: Path
    b: Path
    empty: Path


def _build(folder: Path) -> Stores:
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    a, b, empty = folder / "store_a.json", folder / "store_b.json", folder / "store_empty.json"
    with SessionStore.open(a) as s:
        s.set_setting("coder_id", "alice")
        s.add_cases([
            case("A1", PATIENT_1, "2026-01-10", MEDICARE),
            case("A2", PATIENT_2, "2026-02-05", COMMERCIAL, "emergency"),
            case("A3", PATIENT_1, "2026-03-02", MEDICARE),
            case("A4", PATIENT_4, "2025-11-20", SELF_PAY),
            case("A5", PATIENT_4, "2025-03-01", COMMERCIAL),
        ])
        s.assign_dx("A1", "C50.911"); s.assign_dx("A1", "I10")
        s.add_line("A1", ServiceLine("99213", charge=100, pointers=["A", "B"]))
        s.set_status("A1", "coded")
        s.assign_dx("A2", "C44.01")
        s.add_line("A2", ServiceLine("99284", charge=300, pointers=["A"]))
        s.add_query("A2", "Please clarify the histologic type of the malignant skin lesion of the lip.",
                    "Pathology report 2026-01-12: 'malignant neoplasm, skin of lip'",
                    ["Basal cell carcinoma", "Squamous cell carcinoma"])
        s.set_status("A2", "query")
        s.assign_dx("A3", "C50.911"); s.assign_dx("A3", "E11.9")
        s.add_line("A3", ServiceLine("99214", charge=150, pointers=["A", "B"]))
        s.set_status("A3", "coded")
        s.assign_dx("A4", "J06.9")
        s.add_line("A4", ServiceLine("99212", charge=80, pointers=["A"]))
        s.set_status("A4", "coded")
        s.assign_dx("A5", "B88.0")
        s.add_line("A5", ServiceLine("99213", charge=100, pointers=["A"]))
        s.set_status("A5", "coded")
        s.mark_exported(["A5"], "B0001", "batch-0001.x12")
    with SessionStore.open(b) as s:
        s.set_setting("coder_id", "bob")
        s.add_cases([
            case("B1", PATIENT_3, "2026-02-10", MEDICAID),
            case("B2", PATIENT_3, "2026-02-11", MEDICAID),
            case("B3", PATIENT_2, "2026-01-20", COMMERCIAL),
        ])
        s.assign_dx("B1", "D04.10"); s.assign_dx("B1", "L57.0")
        s.add_line("B1", ServiceLine("99213", charge=90, pointers=["A"]))
        s.set_status("B1", "coded")
        s.assign_dx("B3", "C50.A0")
        s.add_line("B3", ServiceLine("99213", charge=110, pointers=["A"]))
        q = s.add_query("B3", "Please clarify the laterality of the breast malignancy.",
                        "Mammogram 2026-01-15: 'irregular mass, 2 o'clock position'", ["Right breast", "Left breast"])
        s.answer_query("B3", q.query_id, "left")
        s.set_status("B3", "coded")
    with SessionStore.open(empty):
        pass
    return Stores(folder, a, b, empty)


@pytest.fixture(scope="session")
def built_stores(tmp_path_factory: pytest.TempPathFactory) -> Stores:
    return _build(tmp_path_factory.mktemp("analytics") / "stores")


@pytest.fixture
def stores(built_stores: Stores, tmp_path: Path) -> Stores:
    """A private copy for one test (tests may lock or damage their copy)."""
    import shutil

    folder = tmp_path / "stores"
    shutil.copytree(built_stores.folder, folder)
    folder.chmod(0o700)
    return Stores(folder, folder / "store_a.json", folder / "store_b.json", folder / "store_empty.json")
