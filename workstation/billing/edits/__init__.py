"""The claim scrubber: the edits a payer will run, shown while the coder is still coding.

`scrub(case, work, claim=None, settings=None)` returns every Edit that applies, errors first.
An "error" blocks export, a "warning" does not, an "info" is a reminder. Each edit names its
source (the code-set note, the MCE list, the NCCI table, the 837P rule) and its target:
a diagnosis code ("E11.22"), a service line ("line 2"), or a field ("patient.dob").

Edit groups live in sibling modules (diagnoses, mce_edits, lines, ncci_edits, fields); each is
a function (ctx) -> list[Edit] so a new group is one more function in CHECKS.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from workstation.billing.claim import Claim, build_claim
from workstation.billing.edits.model import SEVERITIES, Edit, ScrubContext, _UNSET
from workstation.billing.settings import PracticeSettings
from workstation.cases.model import Case
from workstation.session.work import CaseWork

__all__ = ["Edit", "SEVERITIES", "Verdict", "scrub", "scrub_many", "verdict", "ncci_loaded", "has_errors", "blocking",
           "edits_for_target"]


_CHECKS: tuple | None = None
_SEVERITY_ORDER = {s: i for i, s in enumerate(SEVERITIES)}


def _checks() -> tuple:
    """The edit groups in the order they run (imported once: scrub runs on every keystroke)."""
    global _CHECKS
    if _CHECKS is None:
        _CHECKS = _load_checks()
    return _CHECKS


def _load_checks() -> tuple:
    from workstation.billing.edits import code_years, diagnoses, fields, guidelines, line_dx, lines, mce_edits, ncci_edits
    from workstation.billing.edits import mce_year_edits, poa_edits

    return (
        fields.check_fields,
        diagnoses.check_codes,
        diagnoses.check_sequencing,
        guidelines.check_guidelines,
        mce_edits.check_mce,
        lines.check_lines,
        line_dx.check_line_diagnoses,
        lines.check_procedures,
        ncci_edits.check_ncci,
        poa_edits.check_poa,
        mce_year_edits.check_mce_year,
        mce_year_edits.check_outpatient_age_year,
        code_years.check_code_years,  # dated PCS / HCPCS / MCE releases
    )


def scrub(
    case: Case,
    work: CaseWork,
    claim: Claim | None = None,
    settings: PracticeSettings | None = None,
    *,
    ncci: Any = _UNSET,
    today: str | None = None,
    cpt: Any = _UNSET,
) -> list[Edit]:
    """Every edit for a case as coded now, errors first then warnings then info.

    `ncci` and `cpt` stand for the imported NCCI tables and CPT file (None: treat as not
    imported): tests use them, and bulk callers pass the tables they loaded once instead of
    looking at the files again for every case. `today` (ISO date) overrides the clock for the
    future-date check.
    """
    settings = settings or PracticeSettings()
    return scrub_many([(case, work, claim or build_claim(case, work, settings))], settings,
                      ncci=ncci, today=today, cpt=cpt)[0]


def scrub_many(
    claims: Sequence[tuple[Case, CaseWork, Claim]],
    settings: PracticeSettings | None = None,
    *,
    ncci: Any = _UNSET,
    today: str | None = None,
    cpt: Any = _UNSET,
) -> list[list[Edit]]:
    """scrub() of many claims of one practice at once (the analytics extract reads thousands): the
    same edits, in the same order, for each. Each group of edits runs over every claim before the
    next group starts, which keeps the interpreter on one check at a time (about a third faster
    than one claim at a time)."""
    settings = settings or PracticeSettings()
    contexts = [ScrubContext(case, work, claim, settings, ncci, today, cpt_override=cpt)
                for case, work, claim in claims]
    found: list[list[Edit]] = [[] for _ in contexts]
    for check in _checks():
        for out, ctx in zip(found, contexts):
            out.extend(check(ctx))
    order = _SEVERITY_ORDER
    # Stable: within a severity, the order the checks found them (fields, codes, lines ...).
    return [sorted(out, key=lambda e: order.get(e.severity, 9)) for out in found]


def has_errors(edits: list[Edit]) -> bool:
    return any(e.severity == "error" for e in edits)


def blocking(edits: list[Edit]) -> list[Edit]:
    """The edits that stop a claim from being exported."""
    return [e for e in edits if e.severity == "error"]


def edits_for_target(edits: list[Edit], target: str) -> list[Edit]:
    """The edits beside one code or line in the UI."""
    return [e for e in edits if e.target == target]


def ncci_loaded(ncci: Any = _UNSET) -> bool:
    """True when the NCCI PTP/MUE tables are imported (`ncci` overrides, as in scrub)."""
    from workstation.billing.edits.ncci_edits import _ncci

    class _Ctx:  # _ncci reads only the override
        ncci_override = ncci

    return _ncci(_Ctx()) is not None  # type: ignore[arg-type]


@dataclass(frozen=True)
class Verdict:
    """What the claim pane and `workstation scrub` say about a claim.

    Reminders (info) never count: a claim with only reminders is clean. A claim is never called
    clean while the NCCI edits are not loaded, since its procedure pairs and units were not checked
    (a self-pay statement is no claim: NCCI does not apply to it).
    """

    errors: int
    warnings: int
    reminders: int
    ncci_checked: bool

    @property
    def clean(self) -> bool:
        return not self.errors and not self.warnings and self.ncci_checked

    @property
    def label(self) -> str:
        if self.errors or self.warnings:
            parts = [f"{n} {w}{'s' if n != 1 else ''}" for n, w in ((self.errors, "error"), (self.warnings, "warning")) if n]
            text = "not clean: " + ", ".join(parts)
            return text + ("" if self.ncci_checked else "; NCCI not loaded")
        if not self.ncci_checked:
            return "NCCI not loaded"
        return "clean"


NCCI_NOT_LOADED_HINT = ("NCCI not loaded: procedure-to-procedure pairs and medically unlikely units were not "
                        "checked, so no claim is called clean (import the CMS files: workstation codebooks import-ncci PATH...)")


def verdict(edits: list[Edit], *, ncci_checked: bool) -> Verdict:
    count = {s: sum(1 for e in edits if e.severity == s) for s in SEVERITIES}
    return Verdict(count["error"], count["warning"], count["info"], ncci_checked)


def claim_verdict(edits: list[Edit], claim: Claim | None = None, ncci: Any = _UNSET) -> Verdict:
    """The verdict for a scrubbed claim, NCCI state looked up (not needed for a self-pay statement)."""
    needs = not (claim is not None and claim.self_pay)
    return verdict(edits, ncci_checked=(not needs) or ncci_loaded(ncci))
