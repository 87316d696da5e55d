"""The claim scrubber: the edits a payer will run, shown while the coder is still coding.

`scrub(case, work, claim=None, settings=None)` returns every Edit that applies, errors first.
An "error" blocks export, a "warning" does not, an "info" is a reminder. Each edit names its
source (the code-set note, the MCE list, the NCCI table, the 837P rule) and its target:
a diagnosis code ("E11.22"), a service line ("line 2"), or a field ("patient.dob").

Edit groups live in sibling modules (diagnoses, mce_edits, lines, ncci_edits, fields); each is
a function (ctx) -> list[Edit] so a new group is one more function in CHECKS.
"""
from __future__ import annotations

from typing import Any

from workstation.billing.claim import Claim, build_claim
from workstation.billing.edits.model import SEVERITIES, Edit, ScrubContext, _UNSET
from workstation.billing.settings import PracticeSettings
from workstation.cases.model import Case
from workstation.session.work import CaseWork

__all__ = ["Edit", "SEVERITIES", "scrub", "has_errors", "blocking", "edits_for_target"]


def _checks():
    from workstation.billing.edits import code_years, diagnoses, fields, lines, mce_edits, ncci_edits

    return (
        fields.check_fields,
        diagnoses.check_codes,
        diagnoses.check_sequencing,
        mce_edits.check_mce,
        lines.check_lines,
        lines.check_procedures,
        ncci_edits.check_ncci,
        code_years.check_code_years,  # issue 13: dated PCS / HCPCS / MCE releases
    )


def scrub(
    case: Case,
    work: CaseWork,
    claim: Claim | None = None,
    settings: PracticeSettings | None = None,
    *,
    ncci: Any = _UNSET,
    today: str | None = None,
) -> list[Edit]:
    """Every edit for a case as coded now, errors first then warnings then info.

    `ncci` overrides the imported NCCI tables (None: treat as not imported); `today` (ISO date)
    overrides the clock for the future-date check. Both exist for tests.
    """
    settings = settings or PracticeSettings()
    claim = claim or build_claim(case, work, settings)
    ctx = ScrubContext(case, work, claim, settings, ncci, today)
    out: list[Edit] = []
    for check in _checks():
        out.extend(check(ctx))
    order = {s: i for i, s in enumerate(SEVERITIES)}
    # Stable: within a severity, the order the checks found them (fields, codes, lines ...).
    return sorted(out, key=lambda e: order.get(e.severity, 9))


def has_errors(edits: list[Edit]) -> bool:
    return any(e.severity == "error" for e in edits)


def blocking(edits: list[Edit]) -> list[Edit]:
    """The edits that stop a claim from being exported."""
    return [e for e in edits if e.severity == "error"]


def edits_for_target(edits: list[Edit], target: str) -> list[Edit]:
    """The edits beside one code or line in the UI."""
    return [e for e in edits if e.target == target]
