"""The UI's one door into the domain core: plain functions over the real modules, no Textual.

Screens and widgets call these from workers; each returns the core's own types (`SearchResult`,
`Claim`, `Edit`, `LookupResult`), so a type checker follows the UI into the core.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from workstation.billing.claim import Claim, build_claim
from workstation.billing.edits import Edit, scrub
from workstation.billing.settings import PracticeSettings
from workstation.cases.model import Case
from workstation.codes import books, cpt, icd10pcs
from workstation.codes.dated import code_year_title
from workstation.codes.errors import LookupError_
from workstation.codes.formats import SYSTEM_LABELS
from workstation.codes.icd10cm import ICD10CM
from workstation.codes.lookup import icd10cm_result, lookup
from workstation.codes.lookup_result import LookupResult
from workstation.search.engine import SearchResult, get_engine
from workstation.session.store import SessionStore
from workstation.session.work import CaseWork

__all__ = ["SYSTEM_LABELS", "SearchResult", "search", "warm", "icd10cm", "detail", "claim_view",
           "practice_settings", "title_of", "edit_targets", "cpt_loaded", "code_year_title"]

def search(query: str, system: str = "all", date: str | None = None, limit: int = 50,
           sex: str | None = None, age: int | None = None) -> list[SearchResult]:
    """Codes matching what the coder typed. `sex` and `age` (the patient's) rank down codes the
    MCE would reject for them."""
    q = query.strip()
    if not q:
        return []
    return get_engine().search(q, system=system, limit=limit, date=date, sex=sex, age=age)


def warm() -> None:
    """Load the code book, the search index and the suggestion reader in the background (once the
    worklist shows), so the first keystroke and the first `g` do not wait for them."""
    from workstation.suggest.suggest import warm as warm_suggestions

    icd10cm(None)
    get_engine().warm()
    warm_suggestions()


def icd10cm(date: str | None = None) -> ICD10CM:
    """The ICD-10-CM book of a date (the newest when no compiled release covers it)."""
    try:
        return books.icd10cm(date=date) if date else books.icd10cm()
    except books.NoRelease:
        return books.icd10cm()


def detail(code: str, system: str, date: str | None = None) -> LookupResult | None:
    """Everything the detail panel shows for a code, or None when the code is unknown."""
    if system == "icd10cm":
        try:
            return icd10cm_result(code, date=date)
        except books.NoRelease:  # a date outside the compiled years: the newest book
            return icd10cm_result(code)
    try:
        return lookup(code, date=date)
    except LookupError_:
        return None


# ---------------------------------------------------------------- claim

@dataclass
class ClaimView:
    """What the claim pane shows: the built claim (or None) and the live edits."""

    claim: Claim | None = None
    edits: list[Edit] = field(default_factory=list)
    problem: str = ""  # why there is no claim (a build error, shown to the coder)


def practice_settings(store: SessionStore) -> PracticeSettings:
    return PracticeSettings.from_store(store)


def title_of(code: str, system: str, date: str | None = None) -> str:
    """A code's title for the claim list; "" when the book does not know it."""
    if system == "icd10cm":
        c = icd10cm(date).get(code)
        return c.title if c else ""
    if system == "icd10pcs":
        return icd10pcs.icd10pcs().title(code) or ""
    d = detail(code, system, date)
    return str((d or {}).get("title") or "")


def claim_view(store: SessionStore, case: Case, work: CaseWork) -> ClaimView:
    """Build the claim from the stored case and scrub it (runs in a worker)."""
    view = ClaimView()
    settings = practice_settings(store)
    try:
        view.claim = build_claim(case, work, settings)
    except ValueError as exc:  # shown in the claim pane; the message never names the patient
        view.problem = f"claim not built: {exc}"
    view.edits = list(scrub(case, work, claim=view.claim, settings=settings))
    return view


def edit_targets(edits: list[Edit]) -> dict[str, str]:
    """code or line -> worst severity among the edits that concern it."""
    rank = {"error": 3, "warning": 2, "info": 1}
    out: dict[str, str] = {}
    for e in edits:
        if e.target and rank.get(e.severity, 0) > rank.get(out.get(e.target, ""), 0):
            out[e.target] = e.severity
    return out


def cpt_loaded() -> bool:
    """True when the site has imported its licensed CPT file (else CPT codes are checked by format only)."""
    try:
        return cpt.cpt() is not None
    except books.CodebookError:  # an unreadable file: the lookup reports it; here it is not loaded
        return False
