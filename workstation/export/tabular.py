"""Coded encounters as CSV (one row per encounter) and JSON Lines (one object per encounter).

For analysis elsewhere (spreadsheets, pandas), so no direct identifiers are written: no name,
address, birth date, member id or phone. What stays: the case id (the practice's own account
number), age at the date of service (90 and over as "90+", as the HIPAA Safe Harbor method
aggregates them), sex, the encounter and the coding.
"""
from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any, Iterable

import orjson

from workstation.billing.claim import Claim
from workstation.cases.model import Case
from workstation.session.work import CaseWork

CSV_COLUMNS = (
    "case_id", "status", "encounter_type", "date_of_service", "place_of_service", "age", "sex",
    "payer_id", "filing_indicator", "self_pay", "first_listed_dx", "diagnoses", "procedures_pcs",
    "lines", "total_charge", "open_queries", "export_batch",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _age(dob: str, on: str) -> int | None:
    try:
        b, d = date.fromisoformat(dob), date.fromisoformat(on)
    except (TypeError, ValueError):
        return None
    return d.year - b.year - ((d.month, d.day) < (b.month, b.day))


AGE_CAP = 90  # HIPAA Safe Harbor, 45 CFR 164.514(b)(2)(i)(C): ages over 89 are one category


def reported_age(age: int | None) -> int | str | None:
    """The age as written: the number below 90, "90+" from 90 on (a rare age can identify someone)."""
    if age is None:
        return None
    return f"{AGE_CAP}+" if age >= AGE_CAP else age


def record(case: Case, work: CaseWork, claim: Claim) -> dict[str, Any]:
    """The de-identified record of one coded encounter (the JSON Lines object)."""
    return {
        "case_id": case.case_id,
        "status": work.status,
        "encounter_type": case.encounter.type,
        "date_of_service": claim.date_of_service,
        "place_of_service": claim.place_of_service,
        "age": reported_age(_age(case.patient.dob, claim.date_of_service)),
        "sex": case.patient.sex,
        "payer_id": claim.payer.payer_id if claim.payer else "",
        "filing_indicator": claim.filing_indicator,
        "self_pay": claim.self_pay,
        "diagnoses": list(work.diagnoses),
        "procedures_pcs": list(work.procedures),
        "lines": [
            {
                "number": l.number, "date": l.date, "code": l.code, "modifiers": list(l.modifiers),
                "units": str(l.units.normalize()) if l.units is not None else "",
                "charge": None if l.charge is None else str(l.charge), "pointers": list(l.pointers),
            }
            for l in claim.lines
        ],
        "total_charge": str(claim.total_charge),
        "open_queries": len(work.open_queries),
        "export_batch": work.export_batch,
    }


def _safe(value: Any) -> str:
    """Spreadsheet formula injection guard: a cell never starts with = + - @."""
    s = "" if value is None else str(value)
    return "'" + s if s.startswith(_FORMULA_START) else s


def to_csv(rows: Iterable[tuple[Case, CaseWork, Claim]]) -> str:
    """One row per encounter; lists joined with spaces, service lines as CODE[-MODS]xUNITS."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for case, work, claim in rows:
        r = record(case, work, claim)
        lines = " ".join(
            l["code"] + ("-" + "-".join(l["modifiers"]) if l["modifiers"] else "") + "x" + l["units"]
            for l in r["lines"]
        )
        w.writerow([_safe(x) for x in (
            r["case_id"], r["status"], r["encounter_type"], r["date_of_service"], r["place_of_service"],
            "" if r["age"] is None else r["age"], r["sex"], r["payer_id"], r["filing_indicator"],
            "yes" if r["self_pay"] else "no", r["diagnoses"][0] if r["diagnoses"] else "",
            " ".join(r["diagnoses"]), " ".join(r["procedures_pcs"]), lines, r["total_charge"],
            r["open_queries"], r["export_batch"],
        )])
    return buf.getvalue()


def to_jsonl(rows: Iterable[tuple[Case, CaseWork, Claim]]) -> str:
    return "".join(orjson.dumps(record(c, w, cl)).decode() + "\n" for c, w, cl in rows)
