"""Which claim a case is in an X12 export, and why a hospital's inpatient claim (837I) is held back.

`workstation export --format 837` sends each case once, on the claim its encounter calls for: an
inpatient stay is the hospital's facility claim, on the 837I (005010X223A2, with POA, PCS, DRG
and revenue-code lines); every other insured case is a professional claim, on the 837P
(005010X222A1). `--format 837p` keeps every insured case on the 837P (a practice billing its
physicians' hospital visits), `--format 837i` writes the inpatient stays alone.

The inpatient case's own CPT lines (the attending's services) are the physician's professional
claim and are not part of the hospital's 837I; the summary says so, so a practice that bills
them knows to use `--format 837p` in its own session.

Each facility claim is written and checked alone while the export is planned, so one with a
missing POA, stay field or DRG is held back with its reason and the rest go out.
"""
from __future__ import annotations

from datetime import datetime

from workstation.billing.facility import FacilitySettings
from workstation.billing.settings import PracticeSettings
from workstation.cases.model import Case
from workstation.export import x12_837i
from workstation.export.x12_837p import Envelope, X12DataError
from workstation.session.work import CaseWork

X12_FORMATS = ("837", "837p", "837i")
PROFESSIONAL, FACILITY = "837p", "837i"
_PLAN_ENVELOPE = Envelope("PLAN", "PLAN", 1, 1, datetime(2000, 1, 1))  # a dry write: never sent


def claim_kind(fmt: str, case: Case) -> str:
    """The file a case's claim goes in: "837i" (hospital inpatient) or "837p" (professional)."""
    if fmt == "837i" or (fmt == "837" and case.encounter.type == "inpatient"):
        return FACILITY
    return PROFESSIONAL


def is_facility_case(case: Case) -> bool:
    return case.encounter.type == "inpatient"


def group_drg(case: Case, work: CaseWork) -> tuple[int | None, str]:
    """(DRG, "") from the grouper of the discharge date, or (None, why it cannot be grouped)."""
    from workstation.grouping.drg import GroupingError, group_case

    try:
        result = group_case(case, work)
    except GroupingError as exc:
        return None, f"cannot be grouped: {exc}"
    if not result.ok or result.drg is None:
        return None, f"the grouper cannot group it ({result.return_code}): see `workstation drg`"
    return result.drg, ""


def facility_claim(case: Case, work: CaseWork, settings: PracticeSettings, facility: FacilitySettings,
                   facility_problems: list[str]) -> tuple[x12_837i.InpatientClaim | None, list[str]]:
    """The case's 837I claim, or None and the reasons it cannot go (each prefixed "837I:")."""
    if facility_problems:
        return None, ["837I: facility settings not ready (`workstation facility` or the facility screen): "
                      + "; ".join(facility_problems)]
    drg, why = group_drg(case, work)
    if why:
        return None, [f"837I: {why}"]
    ic = x12_837i.InpatientClaim(case, work, drg)
    try:
        x12_837i.write_837i([ic], settings, facility, _PLAN_ENVELOPE)
    except (X12DataError, ValueError) as exc:
        text = str(exc)
        for prefix in (f"claim {case.case_id}: ", "claim -: "):
            text = text.removeprefix(prefix)
        return None, [f"837I: {text}"]
    return ic, []


def professional_lines_note(case: Case, work: CaseWork) -> str:
    """What the summary says of an inpatient case's own CPT lines on a facility-only claim."""
    if not work.lines:
        return ""
    # The case is marked exported with the 837I, so the physician's 837P needs --again (it goes
    # out as an original claim then: it was never sent on an 837P).
    return (f"its {len(work.lines)} professional line(s) are the physician's claim, not on the hospital's 837I "
            f"(bill them afterwards with: workstation export --format 837p --case {case.case_id} --again)")
