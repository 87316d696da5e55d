"""The service date a new professional line of an inpatient stay starts with (box 24A).

An inpatient claim's date of service is the discharge date, but the physician's services have
their own days: the operation on the day of the operative note, the admission visit on the day
of admission, the discharge visit on the day of discharge. Offering the discharge date for all of
them made the coder retype the date on nearly every line. The date is only offered: the coder
sees it in the line form and can change it.
"""
from __future__ import annotations

import re

from workstation.cases.model import Case

# Documents that record a procedure, by their title.
_PROCEDURE_NOTE = re.compile(r"operative|procedure|delivery|catheteri[sz]ation|surg|endoscop|biopsy", re.IGNORECASE)

# CPT evaluation and management codes tied to a day of the stay (AMA CPT code ranges).
_ADMISSION_VISITS = {"99221", "99222", "99223", "99460", "99477"}  # initial hospital / newborn care
_DISCHARGE_VISITS = {"99238", "99239", "99463"}  # hospital / newborn discharge day management


def _is_procedure_code(code: str) -> bool:
    """CPT surgery, radiology, laboratory and medicine codes (not E/M 99xxx); HCPCS as documented."""
    c = code.strip().upper()
    return c.isdigit() and len(c) == 5 and not c.startswith("99")


def default_line_date(case: Case, code: str) -> str:
    """The date to offer for a new line of `code`, or "" (the claim's date of service)."""
    e = case.encounter
    if e.type != "inpatient":
        return ""
    c = code.strip().upper()
    if c in _ADMISSION_VISITS and e.admit_date:
        return e.admit_date
    if c in _DISCHARGE_VISITS and e.discharge_date:
        return e.discharge_date
    if _is_procedure_code(c):
        dates = [d.date for d in case.documents if d.date and _PROCEDURE_NOTE.search(d.title or "")]
        if len(set(dates)) == 1:  # one procedure day documented: that one (else the coder chooses)
            return dates[0]
    return ""
