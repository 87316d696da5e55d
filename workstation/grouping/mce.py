"""The Medicare Code Editor of the code year for inpatient claims, from the msdrg package's editor.

msdrg's MCE is a port of the CMS Java MCE 2.0 (its authors report a 100% match with v43.1 on
50,000 claims); it edits by the discharge date with the CMS code master of each year, through
the last date its tables cover (`COVERS_TO`). It reports which edits fired and how often, not on
which code, so `edit_case` attributes each edit by re-running the editor on the principal
diagnosis alone, then with one secondary diagnosis or one procedure at a time.

Sex conflicts: the editor's female-only / male-only attributes end on 2024-09-30 (msdrg raises
SEX_CONFLICT for C61 on a female or O80 on a male through that date and not from 2024-10-01),
which is CMS deactivating the sex conflict edit lists from FY2025. So FY2025+ discharges get no sex
edit here, and the FY2020 (v37) sex lists are not applied to them either.
"""
from __future__ import annotations

import atexit
import threading
from dataclasses import dataclass
from datetime import date as Date
from typing import Any, Iterable

from workstation.cases.model import Case
from workstation.grouping.drg import ASSUMED_STATUS, SEX_CODES, GroupingError, _age, bare, discharge_of
from workstation.grouping.versions import version_for
from workstation.session.work import CaseWork

COVERS_FROM = Date(2022, 10, 1)  # msdrg's first grouper / MCE year (FY2023)
COVERS_TO = Date(2027, 3, 31)  # the MCE "version" msdrg 1.2.0 reports: 20270331

# What each MCE edit means, in a coder's words (CMS "Definitions of Medicare Code Edits").
MEANINGS: dict[str, str] = {
    "INVALID_CODE": "is not a valid code for the discharge date (not in the CMS code master of that year)",
    "E_CODE_AS_PDX": "is an external cause code: it cannot be the principal diagnosis",
    "DUPLICATE_OF_PDX": "duplicates the principal diagnosis",
    "AGE_CONFLICT": "conflicts with the patient's age (newborn, pediatric, maternity or adult code)",
    "SEX_CONFLICT": "conflicts with the patient's sex",
    "MANIFESTATION_AS_PDX": "is a manifestation code: it cannot be the principal diagnosis (code the underlying condition first)",
    "UNACCEPTABLE_PDX": "is not acceptable as the principal diagnosis of an inpatient stay",
    "NONSPECIFIC_PDX": "is a non-specific principal diagnosis",
    "QUESTIONABLE_ADMISSION": "is a questionable reason for an inpatient admission",
    "REQUIRES_SDX": "as principal diagnosis requires a secondary diagnosis",
    "UNSPECIFIED": "is an unspecified code the MCE flags",
    "NON_COVERED": "is a procedure Medicare does not cover",
    "LIMITED_COVERAGE": "is a procedure Medicare covers only under limited circumstances",
    "BILATERAL": "is a bilateral procedure without a diagnosis that supports it",
    "OPEN_BIOPSY": "is an open biopsy",
    "NONSPECIFIC_OR": "is a non-specific O.R. procedure",
    "QUESTIONABLE_OBSTETRIC_ADMISSION": "makes the obstetric admission questionable",
    "WRONG_PROCEDURE_PERFORMED": "is coded with a wrong-procedure-performed diagnosis",
    "INCONSISTENT_WITH_LENGTH_OF_STAY": "is inconsistent with the length of stay",
    "MEDICARE_IS_SECONDARY_PAYER": "suggests Medicare is the secondary payer",
    "INVALID_AGE": "the patient's age is not valid for the editor",
    "INVALID_SEX": "the patient's sex is not valid for the editor",
    "INVALID_DISCHARGE_STATUS": "the patient status is not a valid discharge status",
}


def covers(d: Date | None) -> bool:
    return d is not None and COVERS_FROM <= d <= COVERS_TO


@dataclass(frozen=True)
class MceFinding:
    name: str  # the MCE edit, e.g. UNACCEPTABLE_PDX
    target: str  # the code it fell on, or "claim"
    prepayment: bool  # PREPAYMENT (returned before payment) vs POSTPAYMENT review

    def message(self) -> str:
        what = MEANINGS.get(self.name, self.name.replace("_", " ").lower())
        return f"{self.target} {what}" if self.target != "claim" else f"the claim: {what}"


_lock = threading.Lock()
_editor: Any = None


def _get_editor() -> Any:
    global _editor
    if _editor is None:
        import msdrg

        _editor = msdrg.MceEditor()
        atexit.register(_close)
    return _editor


def _close() -> None:
    global _editor
    if _editor is not None:
        _editor.close()
        _editor = None


def _run(claim: dict[str, Any]) -> dict[str, tuple[int, bool]]:
    with _lock:
        res = _get_editor().edit(claim)
    return {e["name"]: (int(e.get("count") or 1), e.get("edit_type") != "POSTPAYMENT") for e in res.get("edits") or []}


# (MCE version, code) -> whether the code is on any of the editor's age lists (see has_age_list).
_age_listed: dict[tuple[str, str], bool] = {}
PROBE_AGES = (0, 124)  # every MCE age list (newborn 0, pediatric 0-17, maternity, adult 15-124) excludes one


def has_age_list(label: str, discharge_date: int, code: str) -> bool:
    """Whether the code is on one of the MCE's age lists of that version (label from
    grouping.versions), i.e. whether AGE_CONFLICT can ever fall on it. An age conflict is a
    property of one code and the age, whatever else is on the claim; each list leaves out age 0
    or age 124, so the code alone at those two ages answers it. Asked once per version and code
    (the lists change with the version, on October 1 and April 1)."""
    key = (label, code)
    hit = _age_listed.get(key)
    if hit is None:
        probe = {"discharge_date": discharge_date, "sex": 2, "discharge_status": int(ASSUMED_STATUS), "sdx": [],
                 "procedures": [], "pdx": {"code": code}}
        hit = _age_listed[key] = any("AGE_CONFLICT" in _run({**probe, "age": age}) for age in PROBE_AGES)
    return hit


def age_listed(case: Case, codes: Iterable[str]) -> list[str] | None:
    """The codes (as given) on the MCE age lists of the version in force on the case's discharge
    date, the only codes an AGE_CONFLICT can fall on; None when the editor does not cover that
    date or the case has none (edit_case says why)."""
    try:
        discharge = discharge_of(case)
    except GroupingError:
        return None
    if not covers(discharge):
        return None
    label = version_for(discharge).label
    day = discharge.year * 10000 + discharge.month * 100 + discharge.day  # YYYYMMDD
    return [c for c in codes if has_age_list(label, day, bare(c))]


def edit_case(case: Case, work: CaseWork, any_setting: bool = False, only: str | None = None) -> list[MceFinding]:
    """The MCE edits of the code year on the case as coded, each on the code it falls on.
    `any_setting` runs it on an outpatient case too (for the code-year age lists only); `only`
    keeps one edit (e.g. AGE_CONFLICT): the same findings as filtering the result afterwards, but
    the per-code runs are skipped when the whole claim does not raise that edit."""
    if (case.encounter.type != "inpatient" and not any_setting) or not work.diagnoses:
        return []
    discharge = discharge_of(case)
    if not covers(discharge):
        raise GroupingError(f"the msdrg MCE covers discharges {COVERS_FROM} to {COVERS_TO}, not {discharge}")
    day = discharge.year * 10000 + discharge.month * 100 + discharge.day  # YYYYMMDD
    if only == "AGE_CONFLICT" and not age_listed(case, work.diagnoses):
        # The scrubber asks this of every outpatient claim: when no code is on an age list, the
        # editor cannot raise it, so the claim is not run (the same answer, without the runs).
        return []
    try:
        admitted = Date.fromisoformat(case.encounter.admit_date) if case.encounter.admit_date else discharge
    except ValueError:
        admitted = discharge
    base = {
        "discharge_date": day,
        "age": _age(case.patient.dob, admitted),
        "sex": SEX_CODES.get((case.patient.sex or "").upper(), 2),
        "discharge_status": int(work.stay.patient_status or ASSUMED_STATUS),
    }
    pdx = {"code": bare(work.diagnoses[0])}
    # The whole claim decides which edits fire; the single-code runs only say where they fall
    # (an edit that needs a combination, e.g. a delivery procedure without its outcome code, is
    # not reported from a partial run).
    whole = _run({**base, "pdx": pdx, "sdx": [{"code": bare(c)} for c in work.diagnoses[1:]],
                  "procedures": [{"code": bare(p)} for p in work.procedures]})
    if only is not None:
        whole = {n: v for n, v in whole.items() if n == only}
    if not whole:
        return []
    alone = _run({**base, "pdx": pdx, "sdx": [], "procedures": []})
    targets: dict[str, list[str]] = {n: [work.diagnoses[0]] for n in alone if n in whole}
    singles = [(c, {"sdx": [{"code": bare(c)}], "procedures": []}) for c in work.diagnoses[1:]]
    singles += [(p, {"sdx": [], "procedures": [{"code": bare(p)}]}) for p in work.procedures]
    for code, extra in singles:
        got = _run({**base, "pdx": pdx, **extra})
        for n, (cnt, _) in got.items():
            if n in whole and cnt > alone.get(n, (0, True))[0]:
                targets.setdefault(n, []).append(code)
    out: list[MceFinding] = []
    for n, (_, pre) in whole.items():
        out += [MceFinding(n, t, pre) for t in targets.get(n, ["claim"])]
    return out
