"""NCCI procedure-to-procedure pairs and medically unlikely edits, once the NCCI files are imported.

workstation.codes.ncci: ncci() -> None if not imported; .ptp_conflict(code1, code2, date) ->
(column1, column2, modifier_indicator) | None; .mue(code, date) -> (max_units, indicator) | None.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from workstation.billing.edits.model import _UNSET, Edit, ScrubContext, line_target
from workstation.codes import ncci

# NCCI-associated modifiers: those that may bypass a PTP edit whose modifier indicator is 1, when
# the clinical circumstances justify it (NCCI Policy Manual for Medicare Services, Chapter I,
# section E "Modifiers and Modifier Indicators"): anatomic, global surgery and other modifiers.
ANATOMIC_MODIFIERS = frozenset({
    "E1", "E2", "E3", "E4", "FA", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9",
    "LC", "LD", "LM", "LT", "RC", "RI", "RT", "TA", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9",
})
GLOBAL_SURGERY_MODIFIERS = frozenset({"24", "25", "57", "58", "78", "79"})
OTHER_BYPASS_MODIFIERS = frozenset({"27", "59", "91", "XE", "XP", "XS", "XU"})
BYPASS_MODIFIERS = ANATOMIC_MODIFIERS | GLOBAL_SURGERY_MODIFIERS | OTHER_BYPASS_MODIFIERS
NCCI_MANUAL = "NCCI Policy Manual ch. I.E (NCCI-associated modifiers)"


def bypassed(col1_mods: list[str], col2_mods: list[str]) -> str | None:
    """The NCCI-associated modifier on the column-two line that lets an indicator-1 pair through, or None.

    An anatomic modifier says the two services were on different sites, so the same anatomic
    modifier on both lines (RT and RT) does not bypass the pair.
    """
    a, b = set(col1_mods), set(col2_mods)
    other = sorted(b & (GLOBAL_SURGERY_MODIFIERS | OTHER_BYPASS_MODIFIERS))
    if other:
        return other[0]
    different_site = sorted((b & ANATOMIC_MODIFIERS) - a)
    return different_site[0] if different_site else None


def ncci_loaded(ctx: ScrubContext) -> bool:
    """True when the NCCI PTP/MUE tables are imported (edits can be checked)."""
    return _ncci(ctx) is not None


def _ncci(ctx: ScrubContext) -> Any:
    if ctx.ncci_override is not _UNSET:
        return ctx.ncci_override
    return ncci.ncci()  # None until the site imports the CMS NCCI files


def _digit(value: Any) -> str:
    s = str(value).strip()
    return s[:1]


def _source(nc: Any, what: str) -> str:
    rel = getattr(nc, "release", "") or getattr(nc, "version", "")
    return f"NCCI {what} {rel}".strip()


def check_ncci(ctx: ScrubContext) -> list[Edit]:
    nc = _ncci(ctx)
    if nc is None:
        return []
    out: list[Edit] = []
    lines = ctx.claim.lines
    # PTP: every pair of lines on the same date.
    done: set[tuple[str, str, str]] = set()
    for i, a in enumerate(lines):
        for b in lines[i + 1:]:
            if a.date != b.date or a.code == b.code:
                continue
            hit = nc.ptp_conflict(a.code, b.code, a.date) or nc.ptp_conflict(b.code, a.code, a.date)
            if not hit:
                continue
            col1, col2, indicator = hit[0], hit[1], _digit(hit[2])
            if indicator == "9" or (col1, col2, a.date) in done:
                continue  # 9: the edit no longer applies
            done.add((col1, col2, a.date))
            col2_line = b if b.code == col2 else a
            col1_line = a if col2_line is b else b
            if indicator == "1" and bypassed(col1_line.modifiers, col2_line.modifiers):
                continue
            if indicator == "1":
                msg = (f"{col2} (line {col2_line.number}) is bundled into {col1} (line {col1_line.number}) on the same day. "
                       f"If it was a separate, distinct service, documented as such, add the NCCI-associated modifier "
                       f"that says why (a different site: RT/LT, F1-F9, T1-T9 ...; 59 or XE/XP/XS/XU; 25, 57, 58, 78, 79, "
                       f"24, 27, 91 where they apply) to line {col2_line.number}; otherwise remove it.")
            else:
                msg = (f"{col2} (line {col2_line.number}) cannot be billed with {col1} (line {col1_line.number}) "
                       "on the same day, and no modifier can bypass this pair: remove it.")
            out.append(Edit("ncci.ptp", "error", msg,
                            _source(nc, f"PTP edit (modifier indicator {indicator}); {NCCI_MANUAL}"), line_target(col2_line.number)))
    # MUE: indicator 1 per line; 2 and 3 per code per day.
    per_day: dict[tuple[str, str], list] = {}
    for line in lines:
        per_day.setdefault((line.code, line.date), []).append(line)
    for (code, day), group in per_day.items():
        got = nc.mue(code, day)
        if not got:
            continue
        limit, indicator = Decimal(str(got[0])), _digit(got[1])
        if indicator == "1":
            for line in group:
                if line.units > limit:
                    out.append(Edit("ncci.mue", "error",
                                    f"Line {line.number}: {line.units} units of {code} is more than the MUE of {limit} per line.",
                                    _source(nc, "MUE (line edit)"), line_target(line.number)))
        else:
            total = sum((l.units for l in group), Decimal(0))
            if total > limit:
                kind = "policy" if indicator == "2" else "clinical"
                out.append(Edit("ncci.mue", "error",
                                f"{total} units of {code} on {day} is more than the MUE of {limit} per day "
                                f"({kind} date-of-service edit).",
                                _source(nc, f"MUE (date of service edit, {kind})"), line_target(group[0].number)))
    return out
