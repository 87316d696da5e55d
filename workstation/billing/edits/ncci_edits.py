"""NCCI procedure-to-procedure pairs and medically unlikely edits, once the NCCI files are imported.

workstation.codes.ncci: ncci() -> None if not imported; .ptp_conflict(code1, code2, date) ->
(column1, column2, modifier_indicator) | None; .mue(code, date) -> (max_units, indicator) | None.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from workstation.billing.edits.model import _UNSET, Edit, ScrubContext, line_target
from workstation.codes import ncci

# Modifiers that may bypass a PTP edit whose modifier indicator is 1 (NCCI Policy Manual ch. I).
BYPASS_MODIFIERS = frozenset({"59", "XE", "XP", "XS", "XU"})


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
            if indicator == "1" and BYPASS_MODIFIERS & set(col2_line.modifiers):
                continue
            if indicator == "1":
                msg = (f"{col2} (line {col2_line.number}) is bundled into {col1} (line {col1_line.number}) on the same day. "
                       f"If it was a separate, distinct service, documented as such, add 59 or XE/XP/XS/XU to line {col2_line.number}; "
                       "otherwise remove it.")
            else:
                msg = (f"{col2} (line {col2_line.number}) cannot be billed with {col1} (line {col1_line.number}) "
                       "on the same day, and no modifier can bypass this pair: remove it.")
            out.append(Edit("ncci.ptp", "error", msg,
                            _source(nc, f"PTP edit (modifier indicator {indicator})"), line_target(col2_line.number)))
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
