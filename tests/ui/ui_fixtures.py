"""Fixed synthetic cases for the UI tests (invented patients; codes come from the code books)."""
from __future__ import annotations

from workstation.cases.model import Address, Case, Coverage, Document, Encounter, Person, Provider


def ui_cases() -> list[Case]:
    office = Case(
        case_id="UI-001",
        patient=Person("Ada", "Testpatient", dob="1958-04-12", sex="F",
                       address=Address("12 Elm St", "", "Springfield", "IL", "627010000")),
        encounter=Encounter("office", "2026-03-02", "11",
                            rendering_provider=Provider("Hart, Grace", "1234567893")),
        coverage=Coverage("Medicare Part B", "00952", member_id="1EG4TE5MK73", plan_type="MB"),
        documents=[Document(
            "Progress note",
            "Follow-up of type 2 diabetes mellitus with diabetic chronic kidney disease, stage 3a.\n"
            "A1c 8.1. eGFR 52. Continue metformin; add lisinopril.\n"
            "Assessment: type 2 diabetes with diabetic CKD; CKD stage 3a.",
            author="Hart, Grace", date="2026-03-02")],
        source="ui-test", source_key="ui-001",
    )
    injury = Case(
        case_id="UI-002",
        patient=Person("Ben", "Samplecase", dob="1941-11-30", sex="M"),
        encounter=Encounter("emergency", "2026-02-14", "23",
                            rendering_provider=Provider("Okafor, Lin", "1234567893")),
        coverage=Coverage("Acme Health", "ACME1", member_id="XJ88812", plan_type="CI"),
        documents=[Document(
            "ED note",
            "Fall at home. Displaced fracture of the right femoral neck (midcervical) on X-ray.\n"
            "Plan: orthopedics consult, admit.",
            date="2026-02-14")],
        source="ui-test", source_key="ui-002",
    )
    inpatient = Case(
        case_id="UI-003",
        patient=Person("Cy", "Exampleson", dob="1990-07-01", sex="M"),
        encounter=Encounter("inpatient", "2026-01-20", "21", admit_date="2026-01-18", discharge_date="2026-01-20"),
        coverage=Coverage(self_pay=True),
        documents=[Document(
            "Discharge summary",
            "Acute appendicitis. Laparoscopic appendectomy performed on hospital day 1.",
            date="2026-01-20")],
        source="ui-test", source_key="ui-003",
    )
    return [office, injury, inpatient]
