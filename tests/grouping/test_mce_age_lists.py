"""The MCE age-list probe (grouping.mce.has_age_list) that lets the scrubber skip the editor on
outpatient claims: it must give exactly the findings of running the editor every time."""
from __future__ import annotations

import random

from workstation.billing.edits.mce_edits import mce_lists
from workstation.cases.demo import demo_cases
from workstation.cases.model import Case
from workstation.codes.books import icd10cm
from workstation.grouping import mce
from workstation.grouping.versions import VERSIONS
from workstation.session.work import CaseWork


OFFICE = next(c for c in demo_cases() if c.encounter.type == "office")


def _case(dob: str, dos: str) -> Case:
    d = OFFICE.to_dict()
    d["patient"]["dob"] = dob
    d["encounter"]["date_of_service"] = dos
    return Case.from_dict(d)


def _dotted(bare: str) -> str:
    return bare if len(bare) <= 3 else f"{bare[:3]}.{bare[3:]}"


def _sample() -> tuple[list[str], list[str]]:
    """Codes on the FY2020 age lists (still billable in FY2026) and codes on none of them."""
    rnd = random.Random(19)
    book = icd10cm(2026)
    lists = mce_lists()
    listed = sorted({_dotted(c) for cat in lists.age.values() for c in cat if book.is_billable(_dotted(c))})
    listed_bare = {c.replace(".", "") for c in listed}
    billable = [c for c, _t, _l, b in book.rows() if b and c.replace(".", "") not in listed_bare]
    return rnd.sample(listed, 120), rnd.sample(billable, 120)


def test_codes_on_the_age_lists_are_found_and_others_are_not() -> None:
    listed, others = _sample()
    day = 20251115  # v43.0
    assert all(mce.has_age_list("v43.0", day, c.replace(".", "")) for c in ["Z38.00", "O80", "Z3A.39"])
    assert not any(mce.has_age_list("v43.0", day, c.replace(".", "")) for c in ["I10", "E11.9", "J20.9"])
    found = sum(mce.has_age_list("v43.0", day, c.replace(".", "")) for c in listed)
    assert found >= 0.9 * len(listed)  # the lists of FY2020; a few codes left them since


def test_the_probe_does_not_change_within_a_version() -> None:
    """The probe is kept per version and code: a code's answer on the first and the last day of
    each version must agree (the editor changes its lists on version boundaries only)."""
    listed, others = _sample()
    for v in VERSIONS:
        first, last = int(v.start.strftime("%Y%m%d")), int(v.end.strftime("%Y%m%d"))
        for code in listed[:40] + others[:40]:
            bare = code.replace(".", "")
            probe = {"sex": 2, "discharge_status": 1, "sdx": [], "procedures": [], "pdx": {"code": bare}}
            at = [any("AGE_CONFLICT" in mce._run({**probe, "discharge_date": day, "age": age}) for age in mce.PROBE_AGES)
                  for day in (first, last)]
            assert at[0] == at[1], (v.label, code)


def test_skipping_claims_without_age_listed_codes_gives_the_editors_findings() -> None:
    """edit_case(only=AGE_CONFLICT), which skips the editor when no code is age-listed, against
    the editor's full findings filtered to AGE_CONFLICT, over random claims of every age."""
    listed, others = _sample()
    rnd = random.Random(7)
    compared = conflicts = 0
    for _ in range(400):
        age = rnd.choice([0, 1, 5, 11, 12, 14, 15, 16, 17, 18, 30, 55, 56, 64, 65, 90])
        dos = rnd.choice(["2025-11-15", "2026-05-20", "2026-11-20"])
        case = _case(f"{int(dos[:4]) - age - 1}-12-31", dos)
        pool = listed if rnd.random() < 0.5 else others
        dx = list(dict.fromkeys(rnd.choice(pool if i == 0 or rnd.random() < 0.5 else others)
                                for i in range(rnd.randint(1, 4))))
        work = CaseWork(case.case_id, diagnoses=dx)
        full = [f for f in mce.edit_case(case, work, any_setting=True) if f.name == "AGE_CONFLICT"]
        assert mce.edit_case(case, work, any_setting=True, only="AGE_CONFLICT") == full, (age, dos, dx)
        compared += 1
        conflicts += bool(full)
    assert compared == 400 and conflicts >= 40  # both sides: many claims with a conflict, many without


def _newer_age_listed() -> list[str]:
    """FY2026 codes on the code year's MCE age lists but not on the v37 lists (F01.511 ...)."""
    book, v37 = icd10cm(2026), mce_lists()
    return [c for c, _t, _l, b in book.rows()
            if b and v37.age_category(c) is None and mce.has_age_list("v43.0", 20251115, c.replace(".", ""))]


def test_outpatient_age_conflict_of_a_code_newer_than_v37() -> None:
    """Both sides of the outpatient code-year age edit, which runs the editor only for such codes."""
    from tests.billing.factory import make_work, run

    newer = _newer_age_listed()
    assert "F01.511" in newer  # vascular dementia subcodes added after FY2020, on the adult list
    child, adult = _case("2020-01-01", "2025-11-15"), _case("1950-01-01", "2025-11-15")
    assert "mce.age" in {e.edit_id for e in run(child, make_work(["F01.511"]))}
    assert "mce.age" not in {e.edit_id for e in run(adult, make_work(["F01.511"]))}
    assert "mce.age" not in {e.edit_id for e in run(child, make_work(["J06.9"]))}


def test_the_outpatient_check_skips_the_editor_only_when_it_would_report_nothing(monkeypatch) -> None:
    from workstation.billing.edits import mce_year_edits
    from workstation.billing.edits.model import ScrubContext
    from workstation.billing.claim import build_claim
    from workstation.billing.settings import PracticeSettings

    listed, others = _sample()
    newer = _newer_age_listed()
    rnd = random.Random(11)
    claims = []
    for _ in range(300):
        age = rnd.choice([0, 5, 12, 16, 30, 60, 90])
        case = _case(f"{2025 - age}-06-30", rnd.choice(["2025-11-15", "2026-05-20"]))
        dx = list(dict.fromkeys(rnd.choice(rnd.choice([listed, others, newer])) for _ in range(rnd.randint(1, 3))))
        work = CaseWork(case.case_id, diagnoses=dx)
        claims.append((case, work, build_claim(case, work, PracticeSettings())))
    check = mce_year_edits.check_outpatient_age_year

    def edits() -> list:
        return [check(ScrubContext(c, w, cl, PracticeSettings())) for c, w, cl in claims]

    fast = edits()
    monkeypatch.setattr(mce_year_edits, "_may_report", lambda ctx, v37: True)
    assert fast == edits()
    assert sum(bool(e) for e in fast) >= 20  # conflicts were found, and skipped claims had none
