"""The demo worklist, coded per the answer key, exports as an 837P that pyx12 accepts with zero errors."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from tests.cases.answer_key import KEY
from workstation.cases.demo import demo_cases
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
            store.add_query(case_id, exp.query, indicators="see the note", options=("other", "clinically undetermined"))
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
