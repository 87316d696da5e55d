"""Issue 13 item 3: an Index/Drug table hit (FY2025 tables) whose code is not valid in the case's
code year leads to what replaced it; never dropped, never offered as billable. A code still valid
is unchanged."""
from __future__ import annotations

from workstation.search.engine import SearchEngine


def _by_code(results):
    return {r.code: (i, r) for i, r in enumerate(results)}


def test_an_index_hit_that_became_a_header_leads_to_its_codes(engine: SearchEngine) -> None:
    late = engine.search("plantar fasciitis", system="icd10cm", limit=10, date="2026-11-20")
    found = _by_code(late)
    i, m = found["M72.2"]
    assert not m.billable and m.kind == "replaced in its year" and m.replaced_by == ("M72.20", "M72.21", "M72.22")
    assert "M72.2 is a header in FY2027" in m.note and m.via == "index: Fasciitis, plantar"
    # what replaced it comes right after it, billable, saying why it is there
    after = late[i + 1 : i + 4]
    assert [r.code for r in after] == ["M72.20", "M72.21", "M72.22"]
    assert all(r.billable and r.via.startswith("in place of M72.2 (FY2027): index:") for r in after)
    # the day before FY2027: M72.2 itself is the billable code, nothing replaced
    before = engine.search("plantar fasciitis", system="icd10cm", limit=10, date="2026-09-30")
    _, m = _by_code(before)["M72.2"]
    assert m.billable and not m.note and not m.replaced_by
    assert not any(r.via.startswith("in place of") for r in before)


def test_a_drug_table_hit_on_a_deleted_code_is_kept_and_leads_to_the_new_codes(engine: SearchEngine) -> None:
    late = engine.search("poisoning organic solvent", system="icd10cm", limit=12, date="2026-11-20")
    found = _by_code(late)
    i, t = found["T52.8X1"]  # deleted in FY2027 (T52.8 expanded): not silently dropped
    assert not t.billable and "not in ICD-10-CM FY2027" in t.note and t.via.startswith("drug table:")
    # the accidental intent (6th character 1) is kept: T52.811-, T52.821-, T52.891-
    assert t.replaced_by == ("T52.811", "T52.821", "T52.891")
    assert [r.code for r in late[i + 1 : i + 4]] == ["T52.811", "T52.821", "T52.891"]
    assert all(r.needs_seventh and r.via.startswith("in place of T52.8X1") for r in late[i + 1 : i + 4])
    assert not any(r.billable and r.code.startswith("T52.8X") for r in late)
    # a hit still valid in FY2027 is unchanged
    _, naphtha = found["T52.0X1"]
    assert naphtha.needs_seventh and not naphtha.note
    before = engine.search("poisoning organic solvent", system="icd10cm", limit=12, date="2026-09-30")
    _, t = _by_code(before)["T52.8X1"]
    assert t.needs_seventh and not t.note
    assert not any(r.via.startswith("in place of") for r in before)


def test_codes_valid_in_the_year_are_untouched(engine: SearchEngine) -> None:
    for day in ("2026-09-30", "2026-11-20"):
        res = engine.search("fracture of xiphoid process", system="icd10cm", limit=8, date=day)
        assert "S22.24" in [r.code for r in res]
        assert not any(r.note or r.via.startswith("in place of") for r in res)


def test_a_replacement_already_among_the_hits_moves_up_to_the_hit_it_replaces(engine: SearchEngine) -> None:
    res = engine.search("plantar fasciitis", limit=50, date="2026-11-20")  # the screen's search
    codes = [r.code for r in res]
    i = codes.index("M72.2")
    assert codes[i + 1 : i + 4] == ["M72.20", "M72.21", "M72.22"]
    assert all(codes.count(c) == 1 for c in ("M72.20", "M72.21", "M72.22"))
