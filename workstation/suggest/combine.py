"""Combination codes when the note's conditions are linked by the classification itself.

- Hypertension with chronic kidney disease: presumed linked (guideline I.C.9.a.2): I12.- instead
  of I10 (I12.0 with stage 5 or end-stage, I12.9 otherwise), the N18 stage kept.
- Hypertension with heart failure: presumed linked (I.C.9.a.1): I11.0, the I50 type kept.
- Hypertension with both: I13.0 (CKD stage 1-4 with heart failure), I13.2 (stage 5 / ESRD).
- Diabetes with chronic kidney disease: "with" in the Alphabetic Index presumes the link
  (I.A.15): E11.9 + N18.x -> E11.22 (E10 / E13 likewise), the N18 stage kept ("use additional
  code").
- The same condition found twice at different specificity (I50.9 and I50.32; E11.9 and E11.22):
  the unspecified one goes.

Each rule returns the codes to drop and to add, with the reason; the caller checks every
added code in the tabular of the code year.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Combination:
    drop: tuple[str, ...]
    add: str
    why: str


def _stage5(ckd: list[str]) -> bool:
    return any(c in ("N18.5", "N18.6") for c in ckd)


def combinations(codes: list[str]) -> list[Combination]:
    """The combination codes the set of diagnosis codes calls for."""
    out: list[Combination] = []
    have = set(codes)
    ckd = [c for c in codes if c.startswith("N18.")]
    hf = [c for c in codes if c.startswith("I50.")]
    htn = [c for c in codes if c == "I10" or c.startswith(("I11.", "I12."))]
    if htn and ckd and hf:
        add = "I13.2" if _stage5(ckd) else "I13.0"
        out.append(Combination(tuple(htn), add, "hypertension with heart failure and chronic kidney disease are "
                               "presumed linked (guideline I.C.9.a.3): the I13 combination code, with the I50 type and the N18 stage"))
    elif htn and ckd and "I10" in htn:
        add = "I12.0" if _stage5(ckd) else "I12.9"
        out.append(Combination(("I10",), add, "hypertension with chronic kidney disease is presumed linked "
                               "(guideline I.C.9.a.2): I12.-, with the N18 stage"))
    elif htn and hf and "I10" in htn:
        out.append(Combination(("I10",), "I11.0", "hypertension with heart failure is presumed linked "
                               "(guideline I.C.9.a.1): I11.0, with the I50 type"))
    if ckd:
        for dm in ("E10", "E11", "E13"):
            if f"{dm}.9" in have and f"{dm}.22" not in have:
                out.append(Combination((f"{dm}.9",), f"{dm}.22", "diabetes with chronic kidney disease: the Alphabetic "
                                       "Index's 'with' presumes the link (guideline I.A.15); the N18 stage also coded"))
    return out


def redundant(codes: list[str], titles: dict[str, str]) -> dict[str, str]:
    """{code: the more specific code that makes it redundant}: same category, one unspecified."""
    out: dict[str, str] = {}
    for a in codes:
        ta = titles.get(a, "").lower()
        if not ("unspecified" in ta or a.endswith(".9") or len(a) <= 3):
            continue
        for b in codes:
            if b == a or b[:3] != a[:3] or b in out:
                continue
            tb = titles.get(b, "").lower()
            if "unspecified" not in tb or len(b) > len(a):
                out[a] = b
                break
    return out
