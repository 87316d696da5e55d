"""Service-line edits (pointers, units, charges, modifiers, duplicates) and inpatient PCS codes."""
from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Any

from workstation.billing.claim import MAX_LINES, MAX_MODIFIERS, MAX_POINTERS
from workstation.billing.edits.model import _UNSET, Edit, ScrubContext, line_target
from workstation.codes import cpt, hcpcs, icd10pcs
from workstation.codes.formats import CPT_FORMAT_TEXT, is_cpt, is_hcpcs, is_modifier

X12 = "X12 837P 5010"
# Beyond this a unit count is almost surely a typing slip (e.g. a charge typed as units).
ABSURD_UNITS = Decimal(999)


@lru_cache(maxsize=1)
def _modifier_set() -> frozenset[str]:
    return frozenset(hcpcs.modifiers())


def check_lines(ctx: ScrubContext) -> list[Edit]:
    claim = ctx.claim
    out: list[Edit] = []
    if not claim.lines:
        return [Edit("line.none", "error", "The claim has no service lines: add the services billed.",
                     f"{X12} required loop 2400", "lines")]
    if len(claim.lines) > MAX_LINES:
        out.append(Edit("line.too_many", "error",
                        f"{len(claim.lines)} service lines: a claim holds at most {MAX_LINES}; split the claim.",
                        f"{X12} loop 2400 (max 50)", "lines"))
    letters = {d.letter for d in claim.diagnoses}
    seen: dict[tuple[str, tuple[str, ...], str], int] = {}
    # None until the site imports its CPT file: CPT codes by format only.
    licensed = cpt.cpt() if ctx.cpt_override is _UNSET else ctx.cpt_override
    known_mods = _modifier_set()
    for line in claim.lines:
        t = line_target(line.number)
        code = line.code
        if not (is_hcpcs(code) or is_cpt(code)):
            out.append(Edit("line.code_format", "error",
                            f"Line {line.number}: {code or '(empty)'} is not a HCPCS (letter + 4 digits) or CPT "
                            f"({CPT_FORMAT_TEXT}) code.",
                            f"{X12} SV101", t))
        elif is_hcpcs(code) and (book := hcpcs.hcpcs(line.date or None)).get(code) is None:
            out.append(Edit("line.code_unknown", "error",
                            f"Line {line.number}: {code} is not in the HCPCS Level II file.",
                            f"HCPCS Level II {book.release}", t))
        elif is_hcpcs(code) and line.date and (why := book.invalid_on(code, line.date)):
            out.append(Edit("line.code_not_in_force", "error", f"Line {line.number}: {why}.",
                            f"HCPCS Level II {book.release}", t))
        elif is_cpt(code) and licensed is not None and licensed.get(code) is None:
            out.append(Edit("line.code_unknown", "error",
                            f"Line {line.number}: {code} is not in the imported CPT file.",
                            f"CPT ({licensed.source})", t))
        key = (code, tuple(line.modifiers), line.date)
        if key in seen:
            out.append(Edit("line.duplicate", "warning",
                            f"Line {line.number} repeats line {seen[key]} ({code} on {line.date}): "
                            "bill units on one line, or add a modifier if it was a separate service.",
                            "Payer duplicate-claim edit", t))
        else:
            seen[key] = line.number
        # Pointers
        if not line.pointers:
            out.append(Edit("line.pointer_missing", "error",
                            f"Line {line.number} ({code}) points to no diagnosis: add the letter of the diagnosis it treats.",
                            f"{X12} SV107 required; CMS-1500 box 24E", t))
        if len(line.pointers) > MAX_POINTERS:
            out.append(Edit("line.too_many_pointers", "error",
                            f"Line {line.number} has {len(line.pointers)} diagnosis pointers; at most {MAX_POINTERS}.",
                            f"{X12} SV107 (4 pointers)", t))
        bad = [p for p in line.pointers if p not in letters]
        if bad:
            out.append(Edit("line.pointer_invalid", "error",
                            f"Line {line.number} points to {', '.join(bad)}, but "
                            f"{'no diagnosis has that letter' if len(bad) == 1 else 'no diagnoses have those letters'}"
                            f" (diagnoses: {''.join(sorted(letters)) or 'none'}).",
                            f"{X12} SV107 / CMS-1500 box 24E", t))
        if len(set(line.pointers)) != len(line.pointers):
            out.append(Edit("line.pointer_repeated", "warning",
                            f"Line {line.number} repeats a diagnosis pointer ({', '.join(line.pointers)}).",
                            f"{X12} SV107", t))
        # Modifiers
        if len(line.modifiers) > MAX_MODIFIERS:
            out.append(Edit("line.too_many_modifiers", "error",
                            f"Line {line.number} has {len(line.modifiers)} modifiers; at most {MAX_MODIFIERS}.",
                            f"{X12} SV101-3..6", t))
        for m in line.modifiers:
            if not is_modifier(m):
                out.append(Edit("line.modifier_format", "error",
                                f"Line {line.number}: modifier {m!r} is not two letters or digits.",
                                f"{X12} SV101 modifier", t))
            elif not m.isdigit() and m not in known_mods:
                # Two-digit modifiers are CPT modifiers (licensed list): format check only.
                out.append(Edit("line.modifier_unknown", "warning",
                                f"Line {line.number}: modifier {m} is not in the HCPCS Level II modifier list.",
                                "HCPCS Level II modifiers", t))
        if len(set(line.modifiers)) != len(line.modifiers):
            out.append(Edit("line.modifier_repeated", "error",
                            f"Line {line.number} repeats a modifier ({', '.join(line.modifiers)}).",
                            f"{X12} SV101", t))
        # Units
        if line.units <= 0:
            out.append(Edit("line.units", "error",
                            f"Line {line.number}: units must be more than 0 (got {line.units}).",
                            f"{X12} SV104", t))
        elif line.units > ABSURD_UNITS:
            out.append(Edit("line.units", "error",
                            f"Line {line.number}: {line.units} units is not plausible; check the units.",
                            f"{X12} SV104", t))
        # Charges
        if line.charge is None:
            out.append(Edit("line.charge_missing", "error",
                            f"Line {line.number}: no charge, and {code} has no fee-schedule entry or default charge: "
                            "enter the charge or add the code to the fee schedule.",
                            f"{X12} SV102 required", t))
        elif line.charge <= 0:
            out.append(Edit("line.charge", "error",
                            f"Line {line.number}: charge must be more than 0 (got {line.charge}).",
                            f"{X12} SV102", t))
        elif line.charge_source == "default":
            out.append(Edit("line.charge_default", "warning",
                            f"Line {line.number}: {code} is not in the fee schedule; the default charge "
                            f"{line.charge} was used. Check it, or add {code} to the fee schedule.",
                            "Practice fee schedule", t))
        # Date
        if line.date and ctx.dos is not None and line.date != ctx.claim.date_of_service and not ctx.inpatient:
            out.append(Edit("line.date", "warning",
                            f"Line {line.number} is dated {line.date}, not the date of service {ctx.claim.date_of_service}.",
                            f"{X12} DTP*472", t))
        out.extend(_check_line_date(ctx, line, t))
    return out


def _check_line_date(ctx: ScrubContext, line: Any, t: str) -> list[Edit]:
    """A service not yet given, or (inpatient) given outside the stay, cannot be billed on this claim."""
    day = str(line.date or "")
    if not day:
        return []
    if day > ctx.today.isoformat() and day != ctx.claim.date_of_service:  # a future DOS is field.dos_future
        return [Edit("line.date_future", "error",
                     f"Line {line.number} is dated {day}, in the future: bill a service only once it is given.",
                     f"{X12} DTP*472", t)]
    enc = ctx.case.encounter
    if ctx.inpatient and enc.admit_date and enc.discharge_date and not enc.admit_date <= day <= enc.discharge_date:
        return [Edit("line.date_outside_stay", "error",
                     f"Line {line.number} is dated {day}, outside the stay ({enc.admit_date} to {enc.discharge_date}): "
                     "correct the date, or bill the service on its own claim.",
                     f"{X12} DTP*472 within the admission (DTP*435)", t)]
    return []


def check_procedures(ctx: ScrubContext) -> list[Edit]:
    """ICD-10-PCS codes: inpatient only, and valid in the PCS tables."""
    procs = ctx.work.procedures
    if not procs:
        return []
    out: list[Edit] = []
    if not ctx.inpatient:
        out.append(Edit("pcs.not_inpatient", "warning",
                        "ICD-10-PCS procedure codes are for inpatient hospital stays; this encounter is "
                        f"{ctx.claim.encounter_type or 'not inpatient'}: report the services as lines instead.",
                        "ICD-10-PCS Official Guidelines", "procedures"))
    book = icd10pcs.icd10pcs()
    release = icd10pcs.RELEASE
    seen: set[str] = set()
    for code in procs:
        c = (code or "").strip().upper()
        if c in seen:
            out.append(Edit("pcs.duplicate", "warning", f"ICD-10-PCS {c} is listed twice.",
                            "ICD-10-PCS", c))
            continue
        seen.add(c)
        if not book.is_valid(c):
            out.append(Edit("pcs.invalid", "error",
                            f"{c} is not a valid ICD-10-PCS code: its characters are not a row of the PCS tables.",
                            f"ICD-10-PCS {release} tables".replace("  ", " "), c))
    return out
