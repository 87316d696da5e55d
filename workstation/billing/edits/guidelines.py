"""Sequencing and combination edits the ICD-10-CM Official Guidelines set, beyond the tabular's notes.

Each rule quotes the guideline section it applies (FY2026 ICD-10-CM Official Guidelines for Coding
and Reporting; the sections cited read the same in FY2025):
  * I.C.19.e.5.a adverse effect: the nature of the effect first, the T36-T50 code (6th character 5) after;
  * I.C.19.e.5.b poisoning (T36-T50 intent 1-4, toxic effects T51-T65): the poisoning first, its
    manifestations after; I.C.19.e.5.c underdosing (6th character 6) never first-listed;
  * I.C.9.a.2 / I.C.9.a.3 hypertensive CKD and heart disease: the I12/I13 subcode must match the
    CKD stage and the presence of heart failure;
  * I.C.21.c.16 Z codes that may only be principal/first-listed; I.B.14 codes that are only secondary
    (BMI, coma scale, NIHSS, blood alcohol level, underimmunization status);
  * I.C.20 external cause codes are never first-listed.
"""
from __future__ import annotations

from functools import lru_cache

from workstation.billing.edits.diagnoses import _known, drug_effect_kind
from workstation.billing.edits.model import Edit, ScrubContext

GUIDELINES = "ICD-10-CM Official Guidelines FY{fy}"


def _g(fy: int, section: str) -> str:
    return f"{GUIDELINES.format(fy=fy)} {section}"


def _bare(code: str) -> str:
    return code.replace(".", "")


def is_external_cause(code: str) -> bool:
    """Chapter 20, External causes of morbidity (V00-Y99)."""
    return code[:1] in ("V", "W", "X", "Y")


# --------------------------------------------------------------------------- drugs and toxins

def _drug_sequencing(fy: int, dx: list[str]) -> list[Edit]:
    out: list[Edit] = []
    kinds = {c: drug_effect_kind(fy, c) for c in dx}
    if dx and kinds[dx[0]] == "adverse_effect":
        out.append(Edit(
            "dx.adverse_effect_first", "error",
            f"{dx[0]} (adverse effect of a drug properly prescribed and administered) is listed first: "
            "the nature of the adverse effect (e.g. tachycardia, gastritis, angioedema; T88.7 if not "
            f"specified) is sequenced first and {dx[0]} after it (guideline I.C.19.e.5.a: assign the "
            "appropriate code for the nature of the adverse effect followed by the appropriate code for "
            "the adverse effect of the drug (T36-T50)).",
            _g(fy, "I.C.19.e.5.a (adverse effect)"), dx[0]))
    if dx and kinds[dx[0]] == "underdosing":
        out.append(Edit(
            "dx.underdosing_first", "error",
            f"{dx[0]} (underdosing) is listed first: an underdosing code is never the principal or first-listed "
            "code; list the condition that relapsed or worsened first, then the underdosing code (guideline "
            "I.C.19.e.5.c: codes for underdosing should never be assigned as principal or first-listed codes).",
            _g(fy, "I.C.19.e.5.c (underdosing)"), dx[0]))
    poison = next((i for i, c in enumerate(dx) if kinds[c] in ("poisoning", "toxic_effect")), None)
    if poison:
        code = dx[poison]
        before = [c for c in dx[:poison] if kinds[c] not in ("poisoning", "toxic_effect")]
        symptoms = [c for c in before if c.startswith("R")]
        what = "toxic effect" if kinds[code] == "toxic_effect" else "poisoning"
        section = "I.C.19.e.5.b (poisoning)"
        msg = (f"{code} ({what}) is listed after {', '.join(before)}: a {what} is sequenced first and its "
               "manifestations after it (guideline I.C.19.e.5.b: \"first assign the appropriate code from "
               "categories T36-T50 ... Use additional code(s) for all manifestations of poisonings\"; "
               f"I.C.19.e.5.d for toxic effects T51-T65). Move {code} to A")
        if symptoms:
            out.append(Edit("dx.poisoning_first", "error",
                            msg + f"; {', '.join(symptoms)} {'is a sign or symptom' if len(symptoms) == 1 else 'are signs or symptoms'} of it.",
                            _g(fy, section), code))
        else:
            out.append(Edit("dx.poisoning_first", "warning",
                            msg + ", unless the encounter was for another condition and the poisoning is incidental.",
                            _g(fy, section), code))
    return out


# --------------------------------------------------------------------------- hypertension

_HTN = "I.C.9.a (hypertension with heart and kidney disease)"


def _ckd(dx: list[str]) -> tuple[str | None, bool]:
    """The first N18 code on the claim and whether it is stage 5 or ESRD (N18.5, N18.6)."""
    ckd = next((c for c in dx if c.startswith("N18.")), None)
    return ckd, bool(ckd and ckd in ("N18.5", "N18.6"))


def _hypertension(fy: int, dx: list[str]) -> list[Edit]:
    out: list[Edit] = []
    ckd, late = _ckd(dx)
    hf = next((c for c in dx if c.startswith("I50.")), None)

    def edit(edit_id: str, severity: str, target: str, msg: str, section: str) -> None:
        out.append(Edit(edit_id, severity, msg, _g(fy, section), target))

    if "I10" in dx and (ckd or hf):
        if ckd and hf:
            combo, with_ = "I13.- (hypertensive heart and chronic kidney disease)", f"{hf} and {ckd}"
        elif ckd:
            combo, with_ = "I12.- (hypertensive chronic kidney disease)", ckd
        else:
            combo, with_ = "I11.0 (hypertensive heart disease with heart failure)", hf
        edit("dx.hypertension_combination", "warning", "I10",
             f"I10 with {with_}: ICD-10-CM presumes the hypertension caused them; code {combo} in place of "
             "I10, keeping the stage/type codes, unless the provider documents that they are unrelated.", _HTN)

    stage_text = "stage 5 CKD or ESRD" if late else "CKD stage 1-4 or unspecified"
    # The I12/I13 subcode names the CKD stage: the N18 code on the claim must agree (I.C.9.a.2/3).
    want = {"I12.9": ("I12.0", True), "I12.0": ("I12.9", False),
            "I13.0": ("I13.2", True), "I13.2": ("I13.0", False),
            "I13.10": ("I13.11", True), "I13.11": ("I13.10", False)}
    for code, (other, needs_late) in want.items():
        if code in dx and ckd and late == needs_late:
            edit("dx.hypertension_ckd_stage", "error", code,
                 f"{code} does not match {ckd} ({stage_text}): code {other} with {ckd} (guideline "
                 "I.C.9.a.2: \"The appropriate code from category N18 should be used as a secondary code "
                 "with a code from category I12 to identify the stage of chronic kidney disease\"; the I12/I13 "
                 "subcode itself names the stage).", "I.C.9.a.2-3 (hypertensive chronic kidney disease)")
    # Heart failure with hypertensive CKD, or CKD with hypertensive heart disease: I13 (I.C.9.a.3).
    i12 = next((c for c in dx if c.startswith("I12")), None)
    i11 = next((c for c in dx if c.startswith("I11")), None)
    if i12 and hf:
        target = "I13.2" if i12 == "I12.0" or late else "I13.0"
        edit("dx.hypertension_heart_kidney", "warning", i12,
             f"{i12} with heart failure {hf}: hypertension with both heart involvement and CKD is the "
             f"combination code {target} (category I13), with {hf} and the N18 stage, unless the provider "
             "documents the heart failure as unrelated (guideline I.C.9.a.3: \"Assign codes from combination "
             "category I13 ... when there is hypertension with both heart involvement and chronic kidney disease\").",
             "I.C.9.a.3 (hypertensive heart and chronic kidney disease)")
    if i11 and ckd:
        target = ("I13.2" if late else "I13.0") if (i11 == "I11.0" or hf) else ("I13.11" if late else "I13.10")
        edit("dx.hypertension_heart_kidney", "warning", i11,
             f"{i11} with {ckd}: hypertensive heart disease with CKD is the combination code {target} "
             "(category I13), not I11.- (guideline I.C.9.a.3: \"The Includes note at I13 specifies that the "
             "conditions included at I11 and I12 are included together in I13\").",
             "I.C.9.a.3 (hypertensive heart and chronic kidney disease)")
    if hf and any(c in dx for c in ("I11.9", "I13.10", "I13.11")):
        code = next(c for c in ("I11.9", "I13.10", "I13.11") if c in dx)
        other = {"I11.9": "I11.0", "I13.10": "I13.0", "I13.11": "I13.2"}[code]
        edit("dx.hypertension_heart_failure", "warning", code,
             f"{code} is 'without heart failure' but {hf} is coded: code {other}, unless the provider documents "
             "the heart failure as unrelated to the hypertension (guideline I.C.9.a.1: heart conditions "
             "classified to I50.- with hypertension are presumed linked and coded I11.0, or I13.0/I13.2 with CKD).",
             "I.C.9.a.1 (hypertension with heart disease)")
    return out


# --------------------------------------------------------------------------- position rules

# Guideline I.C.21.c.16 "Z Codes That May Only be Principal/First-Listed Diagnosis" (FY2026):
# (reference as printed, exceptions under it).
FIRST_LISTED_ONLY: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Z00", ("Z00.6",)),
    ("Z01", ()),
    ("Z02", ("Z02.9",)),
    ("Z04", ()),
    ("Z33.2", ()),
    ("Z31.81", ()),
    ("Z31.83", ()),
    ("Z31.84", ()),
    ("Z34", ()),
    ("Z39", ()),
    ("Z38", ()),
    ("Z40", ()),
    ("Z42", ()),
    ("Z51.0", ()),
    ("Z51.1", ()),
    ("Z52", ("Z52.9",)),
    ("Z76.1", ()),
    ("Z76.2", ()),
    ("Z99.12", ()),
)

# Guideline I.B.14: "The BMI, coma scale, NIHSS, blood alcohol level codes and underimmunization
# status codes should only be reported as secondary diagnoses."
SECONDARY_ONLY: tuple[tuple[str, str], ...] = (
    ("Z68", "body mass index (BMI)"),
    ("R40.21", "coma scale"), ("R40.22", "coma scale"), ("R40.23", "coma scale"), ("R40.24", "coma scale"),
    ("R29.7", "NIH stroke scale (NIHSS)"),
    ("Y90", "blood alcohol level"),
    ("Z28.3", "underimmunization status"),
)


_ANTINEOPLASTIC = ("Z51.0", "Z51.1")


@lru_cache(maxsize=1 << 14)  # pure: a fixed table read per code, on every scrub
def first_listed_only(code: str) -> str | None:
    """The I.C.16 table entry that makes `code` first-listed only, or None."""
    b = _bare(code)
    for ref, exceptions in FIRST_LISTED_ONLY:
        if b.startswith(_bare(ref)) and not any(b.startswith(_bare(x)) for x in exceptions):
            return ref
    return None


@lru_cache(maxsize=1 << 14)  # pure: a fixed table read per code, on every scrub
def secondary_only(code: str) -> str | None:
    b = _bare(code)
    return next((what for ref, what in SECONDARY_ONLY if b.startswith(_bare(ref))), None)


def _positions(ctx: ScrubContext, fy: int, dx: list[str]) -> list[Edit]:
    out: list[Edit] = []
    if not dx:
        return out
    first = dx[0]
    if is_external_cause(first) and not _mce_says_unacceptable(ctx, first):
        out.append(Edit("dx.external_cause_first", "error",
                        f"{first} is an external cause code (V00-Y99) and can never be first-listed: list the "
                        "injury or condition first (guideline I.C.20: an external cause code is a secondary code, "
                        "never the principal or first-listed diagnosis).",
                        _g(fy, "I.C.20 (external causes of morbidity)"), first))
    elif (what := secondary_only(first)) and not _mce_says_unacceptable(ctx, first):
        out.append(Edit("dx.secondary_only_first", "error",
                        f"{first} ({what}) is listed first, but it may only be reported as a secondary diagnosis, "
                        "with the condition it relates to first (guideline I.B.14: \"The BMI, coma scale, NIHSS, "
                        "blood alcohol level codes and underimmunization status codes should only be reported as "
                        "secondary diagnoses\").",
                        _g(fy, "I.B.14 (documentation by clinicians other than the patient's provider)"), first))
    for code in dx[1:]:
        ref = first_listed_only(code)
        if ref is None:
            continue
        if ref in _ANTINEOPLASTIC and first_listed_only(first) in _ANTINEOPLASTIC:
            continue  # I.C.2.e.2: radiation and chemo/immunotherapy in one encounter, in any sequence
        out.append(Edit("dx.first_listed_only", "warning",
                        f"{code} is listed as an additional diagnosis, but {ref} may only be the principal/"
                        "first-listed diagnosis, except when there are multiple encounters on the same day and "
                        f"their records are combined (guideline I.C.21.c.16). List it first, or leave it off.",
                        _g(fy, "I.C.21.c.16 (Z codes that may only be principal/first-listed)"), code))
    return out


def _mce_says_unacceptable(ctx: ScrubContext, code: str) -> bool:
    """The MCE edit already reports this inpatient principal diagnosis: say it once."""
    if not ctx.inpatient:
        return False
    from workstation.billing.edits.mce_edits import mce_lists

    mce = mce_lists()
    return _bare(code) in mce.unacceptable


def check_guidelines(ctx: ScrubContext) -> list[Edit]:
    book = ctx.book
    if book is None:
        return []
    fy = book.fiscal_year
    dx = _known(ctx)
    return _positions(ctx, fy, dx) + _drug_sequencing(fy, dx) + _hypertension(fy, dx)
