"""Compliant queries: the check, drafts from gaps, the lifecycle rules of the session core, tracking, export."""
from __future__ import annotations

from datetime import date

import pytest

from workstation.cases.demo import demo_cases
from workstation.session import query_compliance as compliance
from workstation.cdi.gaps import find_gaps
from workstation.cdi.queries import draft, json_document, text_documents, tracked
from workstation.session import coding
from workstation.session.work import CaseWork, Query

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cases"))
from answer_key import KEY  # noqa: E402

GOOD = ("Please clarify the type of heart failure.", "BNP 1,450 pg/mL; LVEF 35%", ["Systolic", "Diastolic"])


def reasons(question: str, indicators: str, options: list[str], yes_no: str = "") -> str:
    return " ".join(str(p) for p in compliance.check(question, indicators, options, yes_no))


def test_a_compliant_query_passes():
    assert compliance.check(*GOOD) == []


def test_a_single_option_is_refused():
    assert "at least two" in reasons(GOOD[0], GOOD[1], ["Acute on chronic systolic heart failure"])
    assert "at least two" in reasons(GOOD[0], GOOD[1], ["Acute on chronic", compliance.OTHER, compliance.UNDETERMINED])


def test_options_without_indicators_are_refused():
    assert "clinical indicators" in reasons(GOOD[0], "", GOOD[2])


def test_words_of_payment_are_refused_wherever_they_stand():
    assert "payment (DRG)" in reasons("Please clarify: it changes the DRG.", GOOD[1], GOOD[2])
    assert "reimbursement" in reasons(GOOD[0], GOOD[1] + " (affects reimbursement)", GOOD[2])
    assert "MCC" in reasons(GOOD[0], GOOD[1], ["Acute (an MCC)", "Chronic"])
    assert compliance.payment_words("CC: knee pain") == []  # the chief complaint is not a CC


def test_yes_no_only_to_confirm_a_documented_condition_or_settle_poa():
    leading = ("Is this acute on chronic heart failure?", GOOD[1], ["Yes", "No"])
    assert "yes/no query may only" in reasons(*leading)
    assert compliance.check(*leading, yes_no="poa") == []
    assert compliance.check(*leading, yes_no="confirm") == []
    assert "offers Yes and No" in reasons(*GOOD, yes_no="poa")


def test_other_and_undetermined_are_added_once():
    assert coding.query_options(["Right", "Left"]) == ["Right", "Left", compliance.OTHER, compliance.UNDETERMINED]
    assert coding.query_options(["Right", "Left", "Other", "Unable to determine"]) == ["Right", "Left", "Other",
                                                                                         "Unable to determine"]
    assert coding.query_options([]) == []


def test_every_demo_gap_drafts_a_compliant_query_naming_patient_encounter_and_indicators():
    cases = {c.case_id: c for c in demo_cases()}
    for cid, exp in KEY.items():
        if not exp.query:
            continue
        c = cases[cid]
        for gap in [g for g in find_gaps(c, CaseWork(cid, "in_progress", list(exp.dx))) if g.action == "query"]:
            d = draft(c, gap)
            assert d.problems() == [], (cid, d.problems())
            assert d.provider == c.encounter.rendering_provider.name
            text = d.text(c)
            assert f"Patient: {c.patient.last}" in text and f"Encounter: {cid}" in text
            assert all(e.text in d.indicators and e.document in d.indicators for e in gap.evidence)
            assert text.rstrip().endswith(f"[ ] {compliance.UNDETERMINED}")


# ---------------------------------------------------------------- lifecycle (session/coding.py)

def test_adding_a_query_holds_the_case_and_the_last_answer_ends_the_hold():
    w = CaseWork("C1", "in_progress", ["I50.9"])
    q1, change = coding.add_query(w, *GOOD, now="2026-03-01T10:00:00.000Z", provider="Hart, Grace")
    assert (w.status, change) == ("query", coding.StatusChange("in_progress", "query"))
    assert q1.options[-2:] == [compliance.OTHER, compliance.UNDETERMINED] and q1.provider == "Hart, Grace"
    q2, change = coding.add_query(w, "Please clarify the acuity.", "IV diuresis 5.2 L", ["Acute", "Chronic"], now="t")
    assert (q2.query_id, change) == ("Q2", None)
    _, change = coding.answer_query(w, "q1", "Systolic", now="t")
    assert (w.status, change) == ("query", None)  # Q2 still open
    _, change = coding.withdraw_query(w, "Q2", now="t")
    assert (w.status, change) == ("in_progress", coding.StatusChange("query", "in_progress"))
    with pytest.raises(ValueError, match="not open"):
        coding.answer_query(w, "Q1", "again", now="t")


def test_a_leading_query_is_refused_and_changes_nothing():
    w = CaseWork("C1", "in_progress", ["I50.9"])
    with pytest.raises(coding.QueryRefused, match="yes/no"):
        coding.add_query(w, "Is this acute on chronic?", GOOD[1], ["Yes", "No"], now="t")
    assert (w.status, w.queries) == ("in_progress", [])


def test_tracking_sorts_open_queries_oldest_first_with_their_age():
    cases = {c.case_id: c for c in demo_cases() if c.case_id in ("DEMO-025", "DEMO-028")}
    works = {
        "DEMO-025": CaseWork("DEMO-025", "query", queries=[
            Query("Q1", "Which knee?", "knee pain", ["Right", "Left"], "open", "", "2026-05-20T09:00:00Z", "")]),
        "DEMO-028": CaseWork("DEMO-028", "in_progress", queries=[
            Query("Q1", "HF type?", "BNP", ["A", "B"], "answered", "A", "2026-05-01T09:00:00Z", "2026-05-04T09:00:00Z"),
            Query("Q2", "HF acuity?", "BNP", ["A", "B"], "open", "", "2026-05-10T09:00:00Z", "")]),
    }
    rows = tracked(cases, works, date(2026, 6, 1))
    assert [(t.case_id, t.query.query_id, t.age_days) for t in rows] == [
        ("DEMO-028", "Q2", 22), ("DEMO-025", "Q1", 12), ("DEMO-028", "Q1", 3)]
    assert rows[1].provider == "Castillo, Diego"  # the encounter's rendering provider
    docs = text_documents(rows, cases)
    assert sorted(docs) == ["Castillo, Diego", "Haddad, Samir"]
    assert "Query DEMO-028 Q2" in docs["Haddad, Samir"] and "Answer recorded 2026-05-04: A" in docs["Haddad, Samir"]
    assert "Which knee?" not in docs["Haddad, Samir"]
    j = json_document(rows, cases)
    assert [d["status"] for d in j] == ["open", "open", "answered"] and j[0]["encounter"]["type"] == "inpatient"
