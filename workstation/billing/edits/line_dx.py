"""Edits between a service line and the diagnoses it points to, and drug-line NDCs.

  * laterality: a line's RT/LT/50 (or digit/eyelid) modifier against the side the pointed diagnoses name;
  * a line pointing only to external-cause codes (V00-Y99), which say how an injury happened, not
    what was treated;
  * drug lines (HCPCS J codes and other drug codes, BETOS O1D/O1E) without an NDC.
"""
from __future__ import annotations

import re
from functools import lru_cache

from workstation.billing.claim import ClaimLine
from workstation.billing.edits.guidelines import is_external_cause
from workstation.codes import hcpcs
from workstation.codes.formats import is_hcpcs
from workstation.billing.edits.model import Edit, ScrubContext, line_target
from workstation.billing.ndc import NDC_UNITS, normalize_ndc
from workstation.codes.icd10cm import normalize

# Side of a HCPCS Level II anatomic modifier (HCPCS modifier file descriptors).
LEFT_MODIFIERS = frozenset({"LT", "E1", "E2", "FA", "F1", "F2", "F3", "F4", "TA", "T1", "T2", "T3", "T4"})
RIGHT_MODIFIERS = frozenset({"RT", "E3", "E4", "F5", "F6", "F7", "F8", "F9", "T5", "T6", "T7", "T8", "T9"})
BILATERAL_MODIFIER = "50"

# "right"/"left" naming the side of the body, not a part named for its side (left ventricle, right
# heart, left main coronary artery, right/left colon and bundle branch are not laterality).
_SIDE = re.compile(r"\b(right|left|bilateral)\b(?!\s*(?:-sided\s+)?(?:heart|ventric|atri|bundle|main|coronary|"
                   r"anterior descending|circumflex|colon|colic|upper quadrant|lower quadrant|side of heart))", re.I)


@lru_cache(maxsize=4096)
def side_of(fy: int, code: str) -> str:
    """'R', 'L', 'B' (bilateral or both named) or '' from the code's tabular title."""
    from workstation.codes import books

    c = books.icd10cm(fiscal_year=fy).get(code)
    if c is None:
        return ""
    found = {m.group(1).lower() for m in _SIDE.finditer(c.title)}
    if "bilateral" in found or {"right", "left"} <= found:
        return "B"
    return "R" if "right" in found else "L" if "left" in found else ""


def _pointed(ctx: ScrubContext, line: ClaimLine) -> list[str]:
    by_letter = {d.letter: normalize(d.code) if d.code else "" for d in ctx.claim.diagnoses}
    return [by_letter[p] for p in line.pointers if by_letter.get(p)]


def _laterality(ctx: ScrubContext, fy: int, line: ClaimLine, pointed: list[str]) -> Edit | None:
    mods = set(line.modifiers)
    line_side = ("B" if BILATERAL_MODIFIER in mods or (mods & LEFT_MODIFIERS and mods & RIGHT_MODIFIERS)
                 else "L" if mods & LEFT_MODIFIERS else "R" if mods & RIGHT_MODIFIERS else "")
    if not line_side:
        return None
    sides = {c: side_of(fy, c) for c in pointed}
    lateral = {c: s for c, s in sides.items() if s}
    if not lateral:
        return None  # no pointed diagnosis names a side (unspecified side, or not a paired organ)
    have = set(lateral.values())
    word = {"R": "right", "L": "left", "B": "bilateral"}
    if line_side == "B":
        ok = "B" in have or {"R", "L"} <= have
    else:
        ok = line_side in have or "B" in have
    if ok:
        return None
    mod = ", ".join(sorted(m for m in mods if m in LEFT_MODIFIERS | RIGHT_MODIFIERS | {BILATERAL_MODIFIER}))
    named = ", ".join(f"{c} ({word[s]})" for c, s in lateral.items())
    return Edit("line.laterality", "error",
                f"Line {line.number} ({line.code}-{mod}) is for the {word[line_side]} side, but the diagnosis it "
                f"points to is {named}: correct the modifier or the diagnosis so they name the same side.",
                f"ICD-10-CM FY{fy} laterality (guideline I.B.13) against the HCPCS anatomic modifier; "
                "X12 837P 5010 SV101 / SV107", line_target(line.number))


@lru_cache(maxsize=4096)
def is_drug_code(code: str) -> bool:
    """A HCPCS Level II drug code: the J section (drugs administered other than oral method and
    chemotherapy drugs), or another code whose BETOS is O1D (chemotherapy) or O1E (other drugs)."""
    if not is_hcpcs(code):
        return False
    if code.startswith("J"):
        return True
    hit = hcpcs.hcpcs().get(code)
    return hit is not None and hit.betos in ("O1D", "O1E")


def _ndc(line: ClaimLine) -> Edit | None:
    t = line_target(line.number)
    if not line.ndc:
        return Edit("line.ndc_missing", "warning",
                    f"Line {line.number}: {line.code} is a drug code and has no NDC; most payers (all Medicaid "
                    "programs) deny drug lines without the 11-digit NDC, its quantity and unit. Enter them from "
                    "the vial or the administration record.",
                    "X12 837P 5010 loop 2410 LIN03/CTP04-05 (drug identification); CMS-1500 box 24 shaded area",
                    t)
    if normalize_ndc(line.ndc) is None:
        return Edit("line.ndc_format", "error",
                    f"Line {line.number}: NDC {line.ndc!r} is not 11 digits (5-4-2) or a hyphenated 10-digit NDC "
                    "(4-4-2, 5-3-2, 5-4-1).",
                    "X12 837P 5010 LIN03 (N4: NDC in 5-4-2 format)", t)
    if line.ndc_unit and line.ndc_unit not in NDC_UNITS:
        return Edit("line.ndc_unit", "error",
                    f"Line {line.number}: NDC unit {line.ndc_unit!r} is not one of "
                    f"{', '.join(f'{k} ({v})' for k, v in NDC_UNITS.items())}.",
                    "X12 837P 5010 CTP05-1 unit or basis for measurement", t)
    if line.ndc_quantity is not None and line.ndc_quantity <= 0:
        return Edit("line.ndc_quantity", "error",
                    f"Line {line.number}: the NDC quantity must be more than 0.",
                    "X12 837P 5010 CTP04 quantity", t)
    return None


def check_line_diagnoses(ctx: ScrubContext) -> list[Edit]:
    out: list[Edit] = []
    book = ctx.book
    for line in ctx.claim.lines:
        pointed = _pointed(ctx, line)
        if pointed and all(is_external_cause(c) for c in pointed):
            out.append(Edit("line.external_cause_only", "error",
                            f"Line {line.number} ({line.code}) points only to external cause code"
                            f"{'s' if len(pointed) > 1 else ''} {', '.join(pointed)}: a line points to the "
                            "injury or condition treated; external cause codes (V00-Y99) only explain how it "
                            "happened. Point it to the injury's letter.",
                            "ICD-10-CM Official Guidelines I.C.20 (external cause codes are secondary codes); "
                            "X12 837P 5010 SV107 / CMS-1500 box 24E", line_target(line.number)))
        if book is not None and pointed:
            e = _laterality(ctx, book.fiscal_year, line, pointed)
            if e is not None:
                out.append(e)
        if is_drug_code(line.code) and not ctx.claim.self_pay:  # a statement has no 2410 loop
            e = _ndc(line)
            if e is not None:
                out.append(e)
    return out
