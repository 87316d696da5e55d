"""What a new code year means for the work: cases whose codes the update deleted, made headers or retitled.

`impact(cases, works, old, new)` looks at every case's diagnoses against the diff of two
ICD-10-CM years. A case whose date of service (inpatient: discharge) falls in the new year must
change an affected code before its claim goes out; a case of the old year keeps its codes (the
year is decided by the date, never by when it is coded or exported) and is listed for information.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from workstation.cases.model import Case
from workstation.codes import books
from workstation.codes.diff import diff_releases
from workstation.codes.icd10cm import normalize
from workstation.session.work import CaseWork


@dataclass(frozen=True)
class CodeImpact:
    code: str
    change: str  # deleted, became_header, retitled
    detail: str  # the new title, or what replaces the code
    replaced_by: tuple[str, ...] = ()


@dataclass
class CaseImpact:
    case_id: str
    coding_date: str
    fiscal_year: int  # the code year of the case's date
    must_change: bool  # the case codes under the new year and an affected code is deleted/a header
    codes: list[CodeImpact] = field(default_factory=list)


def changes(old_fy: int, new_fy: int) -> dict[str, CodeImpact]:
    """Every billable code of `old_fy` the update to `new_fy` touched, with its replacements."""
    from workstation.codes.dated import year_of

    d = diff_releases(books.icd10cm(old_fy), books.icd10cm(new_fy))
    out: dict[str, CodeImpact] = {}
    day = books.manifest()["codebooks"][books.icd10cm(new_fy).name]["effective_from"]
    for c in d["deleted"]:
        y = year_of(c["code"], day, index_year=old_fy)
        out[c["code"]] = CodeImpact(c["code"], "deleted", y.message, tuple(y.replaced_by))
    for c in d["became_header"]:
        out[c["code"]] = CodeImpact(c["code"], "became_header",
                                    f"a header in FY{new_fy}: use one of {', '.join(c['replaced_by'])}",
                                    tuple(c["replaced_by"]))
    for c in d["retitled"]:
        out[c["code"]] = CodeImpact(c["code"], "retitled", f"now titled: {c['new_title']}")
    return out


def impact(cases: list[Case], works: dict[str, CaseWork], old_fy: int, new_fy: int) -> list[CaseImpact]:
    from workstation.session.validate import coding_date

    touched = changes(old_fy, new_fy)
    out: list[CaseImpact] = []
    for case in cases:
        work = works.get(case.case_id)
        if work is None:
            continue
        hits = [touched[c] for c in (normalize(x) for x in work.diagnoses if x) if c in touched]
        if not hits:
            continue
        day = coding_date(case)
        try:
            fy = books.fiscal_year(day)
        except ValueError:
            continue
        must = fy == new_fy and any(h.change in ("deleted", "became_header") for h in hits)
        out.append(CaseImpact(case.case_id, day, fy, must, hits))
    return out


_newest_changes: dict[tuple[int, int], dict[str, CodeImpact]] = {}


def must_change(case: Case, work: CaseWork | None) -> bool:
    """For the worklist: the case codes under the newest year and lists a code it deleted or made a header."""
    from workstation.session.validate import coding_date

    if work is None or not work.diagnoses:
        return False
    try:
        years = books.icd10cm_years()
        if len(years) < 2 or books.fiscal_year(coding_date(case)) != years[-1]:
            return False
        key = (years[-2], years[-1])
        if key not in _newest_changes:
            _newest_changes[key] = changes(*key)
        touched = _newest_changes[key]
    except (books.CodebookError, ValueError):
        return False
    return any(touched.get(normalize(c)) is not None and touched[normalize(c)].change != "retitled"
               for c in work.diagnoses if c)
