"""Dated code sets on the claim: a release serving a date it was not in force on is a warning.

ICD-10-PCS FY2025, HCPCS July 2025 and MCE v37 (FY2020) are the newest compiled releases of
their sets; they keep serving later dates (issue 13), but never silently.
"""
from __future__ import annotations

import re

from workstation.billing.edits.model import Edit, ScrubContext

_HCPCS_II = re.compile(r"^[A-V]\d{4}$")


def check_code_years(ctx: ScrubContext) -> list[Edit]:
    from workstation.codes import books
    from workstation.codes.dated import dated_books

    if ctx.dos is None:
        return []
    used: list[str] = []
    if ctx.work.procedures:
        used.append("icd10pcs")
    if any(_HCPCS_II.match((l.code or "").strip().upper()) for l in ctx.work.lines):
        used.append("hcpcs")
    from workstation.grouping.mce import covers

    if ctx.case.encounter.type == "inpatient" and not covers(ctx.dos):
        # The MCE is the inpatient (facility) editor; where the grouper's MCE of the code year
        # covers the discharge (mce_year_edits), the dated v37 lists do not serve it.
        used.append("mce")
    if not used:
        return []
    try:
        dated = dated_books(ctx.dos.isoformat(), tuple(used))
    except (books.CodebookError, ValueError):
        return []
    return [Edit(f"codeset.dated_{d.system}", "warning", d.message, f"codebooks/manifest.json: {d.release}", "claim")
            for d in dated]
