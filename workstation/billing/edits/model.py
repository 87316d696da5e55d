"""Edit and the context every check reads from."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date as Date
from typing import Any

from workstation.billing.claim import Claim
from workstation.billing.settings import PracticeSettings
from workstation.cases.model import Case
from workstation.session.work import CaseWork

SEVERITIES = ("error", "warning", "info")


class _once:
    """functools.cached_property without its lock (Python 3.11 takes one on every first read):
    a context is made and read by one scrub in one thread."""

    def __init__(self, fn: Any) -> None:
        self.fn = fn
        self.name = fn.__name__
        self.__doc__ = fn.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.fn(obj)
        return value


_UNSET: Any = object()


@dataclass(frozen=True)
class Edit:
    edit_id: str  # stable id of the rule, e.g. "dx.excludes1", "line.pointer_missing"
    severity: str  # error (blocks export), warning, info
    message: str  # what is wrong and what to do, in a coder's words (no patient details)
    source: str  # the rule's authority, e.g. "ICD-10-CM FY2026 tabular: Excludes1 at E11"
    target: str  # the code ("E11.22"), the line ("line 2") or the field ("patient.dob")

    @property
    def blocks_export(self) -> bool:
        return self.severity == "error"

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def line_target(number: int) -> str:
    return f"line {number}"


@dataclass
class ScrubContext:
    case: Case
    work: CaseWork
    claim: Claim
    settings: PracticeSettings
    ncci_override: Any = _UNSET
    today_override: str | None = None
    notes: dict[str, Any] = field(default_factory=dict)
    cpt_override: Any = _UNSET

    @_once
    def dos(self) -> Date | None:
        try:
            return Date.fromisoformat(self.claim.date_of_service)
        except (TypeError, ValueError):
            return None

    @_once
    def today(self) -> Date:
        return Date.fromisoformat(self.today_override) if self.today_override else Date.today()

    @_once
    def inpatient(self) -> bool:
        return self.claim.encounter_type == "inpatient"

    @_once
    def book(self):
        """The ICD-10-CM book of the DOS's code year, or None (the fields check reports why)."""
        from workstation.codes import books

        if self.dos is None:
            return None
        try:
            return books.icd10cm(date=self.dos)
        except books.CodebookError:
            return None

    @_once
    def book_error(self) -> str:
        from workstation.codes import books

        if self.dos is None:
            return "the date of service is not a valid date"
        try:
            books.icd10cm(date=self.dos)
        except books.CodebookError as exc:
            return str(exc)
        return ""

    @_once
    def patient_age(self) -> int | None:
        """Age in whole years on the date of service."""
        try:
            dob = Date.fromisoformat(self.case.patient.dob)
        except (TypeError, ValueError):
            return None
        if self.dos is None or dob > self.dos:
            return None
        return self.dos.year - dob.year - ((self.dos.month, self.dos.day) < (dob.month, dob.day))

    @property
    def diagnoses(self) -> list[str]:
        """Every diagnosis the coder assigned (including any past the 12th)."""
        return list(self.work.diagnoses)
