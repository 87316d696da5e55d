"""The demo worklist, coded per the answer key, exports as an 837P that pyx12 accepts with zero errors."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from tests.cases.answer_key import KEY
from workstation.cases.demo import demo_cases
from workstation.cdi.gaps import find_gaps
from workstation.cdi.queries import draft
from workstation.export.batch import plan_export, run_export
from workstation.export.validate_837p import validate_837p
from workstation.session.work import ServiceLine


@pytest.fixture(scope="module")
def demo_session(tmp_path_factory):
    from workstation.session.store import SessionStore

    path = tmp_path_factory.mktemp("demo") / "demo.json"
    store = SessionStore.open(path, create=True)
    store.add_cases(demo_cases())
    for case_id, exp in KEY.items():
        for code in exp.dx:
            store.assign_dx(case_id, code)
        for code in exp.pcs:
            store.add_procedure(case_id, code)
        for line in exp.lines:
            store.add_line(case_id, ServiceLine(code=line.code, modifiers=list(line.modifiers), units=line.units,
                                                pointers=list(line.pointers), date=line.date))
        if exp.query:
            # A query must be compliant (indicators quoted, reasonable options): the one gap detection drafts.
            gap = next(g for g in find_gaps(store.case(case_id), store.work(case_id)) if g.action == "query")
            d = draft(store.case(case_id), gap)
            store.add_query(case_id, exp.query, d.indicators, d.options, gap=d.gap)
        else:
            store.set_status(case_id, "coded")
    yield store
    store.close()


def test_demo_export_validates_with_zero_errors(demo_session, tmp_path: Path):
    plan = plan_export(demo_session, "837p")
    self_pay = {c.case_id for c in demo_cases() if c.coverage.self_pay}
    queried = {cid for cid, exp in KEY.items() if exp.query}
    held = {h.case_id: h.reasons for h in plan.held}
    assert queried <= set(held) and self_pay <= set(held)
    # Every other demo case is clean when coded per the key (a held one names its reason here).
    unexpected = {cid: r for cid, r in held.items() if cid not in queried | self_pay}
    assert not unexpected, unexpected
    out = tmp_path / "demo.837"
    result = run_export(demo_session, "837p", out, now=datetime(2026, 4, 1, 8, 0))
    assert result.validation.ok and result.validation.problems == []
    assert result.validation.claims == len(result.exported) == len(KEY) - len(queried | self_pay)
    again = validate_837p(out.read_text())  # the file on disk, read back
    assert again.ok, again.summary()
    assert "IK5*A" in again.ack and "IK5*R" not in again.ack


def _claim_segments(text: str) -> dict[str, list[list[str]]]:
    """Each claim's segments (CLM to the next CLM or SE), by claim id."""
    out: dict[str, list[list[str]]] = {}
    cur: list[list[str]] | None = None
    for raw in text.split("~"):
        seg = raw.strip().split("*")
        if seg[0] == "CLM":
            cur = out.setdefault(seg[1], [])
        elif seg[0] in ("HL", "SE"):
            cur = None
        if cur is not None:
            cur.append(seg)
    return out


def test_demo_export_carries_accidents_facilities_and_fees(demo_session, tmp_path: Path):
    # The session may have been exported above: a re-send is a replacement, naming the payer's claim number.
    for cid, w in demo_session.all_work().items():
        if w.sent_before:
            demo_session.set_payer_claim_number(cid, f"2026{cid[-3:]}00001")  # synthetic
    plan = plan_export(demo_session, "837p", again=True)
    held = {cid for cid, exp in KEY.items() if exp.query} | {c.case_id for c in demo_cases() if c.coverage.self_pay}
    assert {r.case.case_id for r in plan.ready} == set(KEY) - held
    # The demo fee schedule covers every line of the answer key: no default charges anywhere.
    from workstation.billing.edits import scrub

    for r in plan.ready:
        assert not [e for e in scrub(r.case, r.work, r.claim) if e.edit_id == "line.charge_default"], r.case.case_id
        assert all(l.charge_source == "fee_schedule" for l in r.claim.lines), r.case.case_id
    out = tmp_path / "demo.837"
    result = run_export(demo_session, "837p", out, again=True, now=datetime(2026, 10, 1, 8, 0))
    assert result.validation.ok, result.validation.summary()
    claims = _claim_segments(out.read_text())
    # Accidents: OA (DEMO-003 fall, DEMO-021 dog bite), AA with state (DEMO-022), EM (DEMO-023 work injury)
    expected = {"DEMO-003": ("OA", "20260309"), "DEMO-021": ("OA", "20260719"),
                "DEMO-022": ("AA:::OH", "20260828"), "DEMO-023": ("EM", "20260911")}
    for cid, (clm11, when) in expected.items():
        segs = claims[cid]
        assert segs[0][11] == clm11, cid
        assert ["DTP", "439", "D8", when] in segs, cid
    assert not any(s[:2] == ["DTP", "439"] for cid, segs in claims.items() if cid not in expected for s in segs)
    # Service facility: the ER, the hospital and the surgery center get 2310C; office visits do not.
    facility = {cid for cid, segs in claims.items() if any(s[:2] == ["NM1", "77"] for s in segs)}
    assert {"DEMO-003", "DEMO-022", "DEMO-008", "DEMO-015"} <= facility
    assert not facility & {"DEMO-001", "DEMO-002", "DEMO-023"}
    er = claims["DEMO-022"]
    i = next(n for n, s in enumerate(er) if s[:2] == ["NM1", "77"])
    assert er[i][3] == "SCIOTO VALLEY MEDICAL CENTER" and er[i][8] == "XX" and len(er[i][9]) == 10
    assert er[i + 1][0] == "N3" and er[i + 2][0] == "N4" and len(er[i + 2][3]) == 9
    for cid in facility:
        assert claims[cid][0][5][:2] in ("21", "22", "23", "24"), cid
