"""scrub_many (the bulk scrubber the analytics extract uses) gives each claim exactly what scrub
gives it, in the same order; and the cached practice-settings check follows the settings."""
from __future__ import annotations

from dataclasses import replace

from tests.billing.factory import TODAY
from tests.billing.test_demo_scrub import coded
from workstation.billing.claim import build_claim
from workstation.billing.edits import scrub, scrub_many
from workstation.billing.settings import PracticeSettings
from workstation.cases.demo import demo_cases
from workstation.session.work import CaseWork, ServiceLine


def _claims() -> list[tuple]:
    """Every demo case coded with its answer key, and again miscoded in ways that raise edits."""
    settings = PracticeSettings()
    out = []
    for c in demo_cases():
        good = coded(c.case_id)
        # Miscoded: the key's diagnoses reversed, an unspecified extra code, a line without pointers.
        bad = CaseWork(c.case_id, diagnoses=list(reversed(good.diagnoses)) + ["R69"],
                       procedures=list(good.procedures),
                       lines=[*good.lines, ServiceLine("99213", [], 1, None, [])])
        for work in (good, bad, CaseWork(c.case_id)):
            out.append((c, work, build_claim(c, work, settings)))
    return out


def test_scrub_many_equals_scrub_claim_by_claim() -> None:
    claims = _claims()
    settings = PracticeSettings()
    one_by_one = [scrub(c, w, cl, settings, ncci=None, today=TODAY, cpt=None) for c, w, cl in claims]
    assert scrub_many(claims, settings, ncci=None, today=TODAY, cpt=None) == one_by_one
    # Both sides: the miscoded claims have errors the coded ones do not.
    errors = [sum(e.severity == "error" for e in edits) for edits in one_by_one]
    assert sum(errors[0::3]) == 0 and all(n > 0 for n in errors[1::3])
    # In smaller batches too (the extract scrubs a store in batches).
    batched = [e for at in range(0, len(claims), 7)
               for e in scrub_many(claims[at:at + 7], settings, ncci=None, today=TODAY, cpt=None)]
    assert batched == one_by_one


def test_settings_problems_follow_the_settings_values() -> None:
    """problems() is worked out once per set of values: changing a value changes the answer."""
    s = PracticeSettings()
    assert s.problems() == []
    s.npi = "1234567890"
    assert [f for f, _ in s.problems()] == ["npi"]
    s.address = replace(s.address, city="")
    assert [f for f, _ in s.problems()] == ["npi", "address.city"]
    s.npi, s.address = PracticeSettings().npi, PracticeSettings().address
    assert s.problems() == []
