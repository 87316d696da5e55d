"""Checks a code before the store accepts it, against the code set in force on the case's date.

ICD-10-CM diagnoses: the release for the date of service (inpatient: the discharge date, when
set); unknown, malformed and header codes are refused, with the 7th character spelled out when
one is missing. ICD-10-PCS procedures: valid in the PCS tables, inpatient cases only. Service
lines: HCPCS Level II in the HCPCS file, CPT by format (its descriptors are licensed), modifiers,
units, charges, and diagnosis pointers that name assigned diagnoses.
"""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import date as Date
from typing import Any

from workstation.cases.model import Case
from workstation.codes import books, cpt, hcpcs, icd10pcs
from workstation.codes.formats import (
    CPT_FORMAT, CPT_FORMAT_TEXT, HCPCS_FORMAT, ICD10CM_FORMAT, MODIFIER_FORMAT, PCS_FORMAT, POINTER_LETTERS,
)
from workstation.codes.icd10cm import normalize
from workstation.session.storage import StoreError
from workstation.session.work import CaseWork, ServiceLine

MAX_MODIFIERS = 4
MAX_POINTERS = 4


class CodingError(StoreError):
    """A code or line the store refuses; the message names the code and says why."""


def coding_date(case: Case) -> str:
    """The date that picks the code year (`Encounter.coding_date`)."""
    return case.coding_date


# ---------------------------------------------------------------- diagnoses

def validate_dx(case: Case, code: str) -> str:
    """The code, normalised (E11.22), if it may be reported for this case; else CodingError."""
    raw = (code or "").strip()
    if not raw:
        raise CodingError("no diagnosis code given")
    c = normalize(raw)
    if not ICD10CM_FORMAT.match(c):
        raise CodingError(f"{raw!r} is not an ICD-10-CM code (expected a letter, two characters, "
                          f"then optionally a dot and up to four more, e.g. E11.22)")
    day = coding_date(case)
    try:
        book = books.icd10cm(date=day)
    except books.NoRelease as exc:
        raise CodingError(str(exc)) from None
    except ValueError as exc:  # a malformed date of service on the case
        raise CodingError(f"case {case.case_id}: {exc}") from None
    except books.CodebookError as exc:
        raise CodingError(str(exc)) from None
    hit = book.get(c)
    if hit is None:
        hint = book.near_misses(c) or _other_years(c, book.fiscal_year)
        raise CodingError(f"{c} is not a code in ICD-10-CM FY{book.fiscal_year} "
                          f"(release {book.release}, in force on {day})" + (f": {hint}" if hint else ""))
    if not hit.billable:
        if book.needs_seventh(c):
            s = book.seventh_characters(c)
            table = s[1] if s else []
            chars = "; ".join(f"{ch} {meaning}" for ch, meaning in table[:3])
            more = f"; and {len(table) - 3} more" if len(table) > 3 else ""
            example = book.with_seventh(c, table[0][0]) if table else ""
            raise CodingError(f"{c} needs a 7th character to be billable, e.g. {example} ({chars}{more})")
        kids = book.children(c)
        level = hit.level if hit.level in ("chapter", "block", "category", "subcategory") else "header"
        more = f"; choose one of its {len(kids)} subdivisions, e.g. {kids[0].code}" if kids else ""
        raise CodingError(f"{c} is a header ({level}), not billable in FY{book.fiscal_year}{more}")
    return c


def _other_years(code: str, fy: int) -> str:
    """"it is valid in FY2026" for a code added or deleted between the compiled years; else ""."""
    try:
        years = [y for y in books.icd10cm_years() if y != fy and books.icd10cm(fiscal_year=y).is_billable(code)]
    except books.CodebookError:
        return ""
    if not years:
        return ""
    when = "added later" if min(years) > fy else "deleted"
    return f"it was {when} (valid in {', '.join(f'FY{y}' for y in years)})"


# ---------------------------------------------------------------- procedures

def validate_pcs(case: Case, code: str) -> str:
    c = (code or "").strip().upper().replace(".", "")
    if not PCS_FORMAT.match(c):
        raise CodingError(f"{code!r} is not an ICD-10-PCS code (7 characters, digits and letters other than O and I)")
    if case.encounter.type != "inpatient":
        raise CodingError(f"{c}: ICD-10-PCS codes are reported for inpatient hospital cases only "
                          f"(case {case.case_id} is {case.encounter.type}); use HCPCS/CPT service lines")
    try:
        book = icd10pcs.icd10pcs()
    except books.CodebookError as exc:
        raise CodingError(str(exc)) from None
    if not book.is_valid(c):
        raise CodingError(f"{c} is not a valid ICD-10-PCS code: that combination is not in the PCS tables")
    return c


# ---------------------------------------------------------------- service lines

def validate_line_code(code: str, day: str = "") -> str:
    """A HCPCS code must be valid on the line's date in the HCPCS release in force then (a
    quarterly release installed by the coder serves from its quarter's first day)."""
    c = (code or "").strip().upper()
    if HCPCS_FORMAT.match(c):
        book = hcpcs_book(day)
        if book.get(c) is None:
            raise CodingError(f"{c} is not a code in the HCPCS Level II file ({book.release})")
        if day and (why := book.invalid_on(c, day)):
            raise CodingError(why)
        return c
    if CPT_FORMAT.match(c):
        # CPT descriptors are licensed: without an imported CPT file the code is accepted by its
        # format, "not verified"; with one, it must be in it (as `workstation lookup` says).
        try:
            licensed = cpt.cpt()
        except books.CodebookError as exc:
            raise CodingError(str(exc)) from None
        if licensed is not None and licensed.get(c) is None:
            raise CodingError(f"{c} is not in the imported CPT file ({licensed.source})")
        return c
    raise CodingError(f"{code!r} is not a HCPCS Level II code (a letter and four digits, e.g. G0439) "
                      f"or a CPT code ({CPT_FORMAT_TEXT})")


def hcpcs_book(day: str = "") -> hcpcs.HCPCS:
    try:
        return hcpcs.hcpcs(day or None)
    except books.CodebookError as exc:
        raise CodingError(str(exc)) from None


def validate_line(work: CaseWork, line: ServiceLine, day: str = "") -> ServiceLine:
    """A normalised copy of the line, or CodingError. Pointers must name assigned diagnoses.
    `day`: the case's date of service, when the line has no date of its own."""
    code = validate_line_code(line.code, line.date or day)
    mods = [str(m).strip().upper() for m in (line.modifiers or []) if str(m).strip()]
    if len(mods) > MAX_MODIFIERS:
        raise CodingError(f"{code}: at most {MAX_MODIFIERS} modifiers per line (got {len(mods)})")
    for m in mods:
        if not MODIFIER_FORMAT.match(m):
            raise CodingError(f"{code}: modifier {m!r} is not two letters or digits")
        # Modifiers starting with a digit are CPT's (licensed: format only); the rest are HCPCS Level II.
        if m[0].isalpha() and hcpcs_book().modifier(m) is None:
            raise CodingError(f"{code}: {m} is not a HCPCS Level II modifier")
    if len(set(mods)) != len(mods):
        raise CodingError(f"{code}: a modifier is repeated ({', '.join(mods)})")
    try:
        units = float(line.units)
    except (TypeError, ValueError):
        raise CodingError(f"{code}: units {line.units!r} is not a number") from None
    if not (0 < units <= 9999):
        raise CodingError(f"{code}: units must be more than 0 (got {line.units})")
    units_out: float | int = int(units) if units.is_integer() else units
    charge = line.charge
    if charge is not None:
        try:
            charge = round(float(charge), 2)
        except (TypeError, ValueError):
            raise CodingError(f"{code}: charge {line.charge!r} is not an amount") from None
        if charge < 0 or charge > 9_999_999.99:
            raise CodingError(f"{code}: charge {charge:.2f} is out of range")
    pointers = [str(p).strip().upper() for p in (line.pointers or []) if str(p).strip()]
    if len(pointers) > MAX_POINTERS:
        raise CodingError(f"{code}: at most {MAX_POINTERS} diagnosis pointers per line (got {len(pointers)})")
    if len(set(pointers)) != len(pointers):
        raise CodingError(f"{code}: a diagnosis pointer is repeated ({','.join(pointers)})")
    for p in pointers:
        if len(p) != 1 or p not in POINTER_LETTERS:
            raise CodingError(f"{code}: diagnosis pointer {p!r} is not a letter A-L")
        i = POINTER_LETTERS.index(p)
        if i >= len(work.diagnoses):
            n = len(work.diagnoses)
            have = "none" if n == 0 else "A" if n == 1 else f"A-{POINTER_LETTERS[min(n, 12) - 1]}"
            raise CodingError(f"{code}: pointer {p} names no diagnosis (assigned: {have})")
    day = (line.date or "").strip()
    if day:
        try:
            Date.fromisoformat(day)
        except ValueError:
            raise CodingError(f"{code}: service date {day!r} is not YYYY-MM-DD") from None
    return replace(line, code=code, modifiers=mods, units=units_out, charge=charge, pointers=pointers, date=day)


def remap_pointers(lines: list[ServiceLine], old: list[str], new: list[str]) -> list[ServiceLine]:
    """Keep each line pointing at the same diagnoses after they were removed or resequenced."""
    out = []
    for line in lines:
        ptrs = []
        for p in line.pointers:
            i = POINTER_LETTERS.find(p)
            if 0 <= i < len(old) and old[i] in new:
                ptrs.append(POINTER_LETTERS[new.index(old[i])])
        out.append(replace(line, pointers=ptrs))
    return out


def check_line_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields of an update_line call, if they are all ServiceLine fields; else CodingError."""
    unknown = set(fields) - set(ServiceLine.__dataclass_fields__)
    if unknown:
        raise CodingError(f"unknown service line field(s): {', '.join(sorted(unknown))}")
    return fields


# X12 REF02 is 1-50 characters; payers' claim numbers (ICN/DCN) are letters and digits, at most
# with dashes, dots or slashes. Anything else would be changed by the X12 cleaning and no longer
# match the payer's record.
PAYER_CLAIM_NUMBER = re.compile(r"^[A-Z0-9][A-Z0-9\-./]{0,49}$")


def validate_payer_claim_number(number: str) -> str:
    """The payer claim control number, upper-cased; "" clears it. Raises CodingError if malformed."""
    value = (number or "").strip().upper()
    if value and not PAYER_CLAIM_NUMBER.match(value):
        raise CodingError("a payer claim number is 1-50 letters or digits (dashes, dots and slashes allowed), "
                          "as on the payer's remittance or claim status")
    return value


# ---------------------------------------------------------------- inpatient: POA and the stay

STAY_FIELDS = ("admission_type", "admission_source", "patient_status", "admit_hour", "discharge_hour", "admitting_dx")
# NUBC UB-04 FL14 priority (type) of admission or visit.
ADMISSION_TYPES = {"1": "emergency", "2": "urgent", "3": "elective", "4": "newborn",
                   "5": "trauma center", "9": "information not available"}


def validate_poa(case: Case, work: CaseWork, code: str, indicator: str) -> tuple[str, str]:
    """(dotted code, indicator) when a POA indicator may be recorded: inpatient cases only, for an
    assigned diagnosis, one of Y N U W E (E: exempt from POA reporting). "" clears it."""
    from workstation.session.work import POA_VALUES

    if case.encounter.type != "inpatient":
        raise CodingError(f"case {case.case_id} is not an inpatient stay: present-on-admission indicators "
                          "are reported for inpatient diagnoses only")
    c = normalize(code)
    if c not in work.diagnoses:
        raise CodingError(f"{c} is not assigned to case {case.case_id}")
    value = (indicator or "").strip().upper()
    if value in ("1", "BLANK", "EXEMPT"):
        value = "E"
    if value and value not in POA_VALUES:
        raise CodingError(f"POA {indicator!r} for {c}: one of Y (present), N (not present), U (documentation "
                          "insufficient), W (clinically undetermined) or E (exempt from POA reporting)")
    return c, value


def validate_stay(case: Case, fields: dict[str, str]) -> dict[str, str]:
    """The stay fields, checked for shape (NUBC code lengths, hours 00-23); inpatient cases only."""
    if case.encounter.type != "inpatient":
        raise CodingError(f"case {case.case_id} is not an inpatient stay")
    out: dict[str, str] = {}
    for name, raw in fields.items():
        if name not in STAY_FIELDS:
            raise CodingError(f"unknown stay field {name!r}; one of: {', '.join(STAY_FIELDS)}")
        value = str(raw or "").strip().upper()
        if value:
            if name == "admission_type" and value not in ADMISSION_TYPES:
                raise CodingError(f"admission type {value!r}: one of "
                                  + ", ".join(f"{k} {v}" for k, v in ADMISSION_TYPES.items()))
            if name == "admission_source" and not re.fullmatch(r"[0-9A-Z]", value):
                raise CodingError(f"point of origin {value!r}: one character (NUBC UB-04 FL15), e.g. 1, 2, 4")
            if name == "patient_status":
                if re.fullmatch(r"[0-9]", value):
                    value = "0" + value
                if not re.fullmatch(r"[0-9]{2}", value):
                    raise CodingError(f"patient status {value!r}: two digits (NUBC UB-04 FL17), e.g. 01 home, "
                                      "03 skilled nursing facility, 06 home health, 20 expired")
            if name == "admitting_dx":
                value = validate_dx(case, value)
            if name in ("admit_hour", "discharge_hour"):
                if re.fullmatch(r"[0-9]", value):
                    value = "0" + value
                if not (re.fullmatch(r"[0-9]{2}", value) and int(value) <= 23):
                    raise CodingError(f"{name.replace('_', ' ')} {value!r}: an hour 00-23")
        out[name] = value
    return out


def validate_pcs_date(case: Case, work: CaseWork, code: str, day: str) -> tuple[str, str]:
    """(code, ISO date) for a coded ICD-10-PCS procedure performed within the stay ("" clears)."""
    c = (code or "").strip().upper()
    if c not in work.procedures:
        raise CodingError(f"{c} is not assigned to case {case.case_id}")
    day = (day or "").strip()
    if not day:
        return c, ""
    try:
        d = Date.fromisoformat(day)
    except ValueError:
        raise CodingError(f"procedure date {day!r}: give YYYY-MM-DD") from None
    enc = case.encounter
    lo, hi = enc.admit_date or enc.date_of_service, enc.discharge_date or enc.date_of_service
    if lo and hi and not lo <= d.isoformat() <= hi:
        raise CodingError(f"procedure date {day} is outside the stay ({lo} to {hi})")
    return c, d.isoformat()
