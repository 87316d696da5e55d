"""`export --format 837`: professional claims on the 837P, inpatient stays on the 837I, each case once.

The demo worklist is coded per the answer key, with the POA of tests/cases/drg_key.py. The stay
fields (admission type, point of origin, hours) and the facility's tax id and revenue-code charge
table are test values: the hospital abstracts and configures its own (no NUBC revenue codes are
shipped).
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from tests.cases.answer_key import KEY
from tests.cases.drg_key import DRG_KEY
from workstation.billing.facility import FacilitySettings, RevenueCharge
from workstation.cases.demo import demo_cases
from workstation.cdi.gaps import find_gaps
from workstation.cdi.queries import draft
from workstation.cli import main
from workstation.export.batch import plan_export, run_export
from workstation.export.validate_837i import validate_837i
from workstation.export.validate_837p import validate_837p
from workstation.session.store import SessionStore
from workstation.session.work import ServiceLine

pytestmark = pytest.mark.slow  # codes the whole demo worklist and runs pyx12 on two files

FACILITY = FacilitySettings(tax_id="311234567", type_of_bill="111",
                            revenue=[RevenueCharge("0120", "1850.00", "day"), RevenueCharge("0250", "240.00", "stay")])
INPATIENT = {c.case_id for c in demo_cases() if c.encounter.type == "inpatient"}
QUERIED = {cid for cid, exp in KEY.items() if exp.query}
SELF_PAY = {c.case_id for c in demo_cases() if c.coverage.self_pay}


def coded_demo(path: Path) -> SessionStore:
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
        if case_id in DRG_KEY:
            d, case = DRG_KEY[case_id], store.case(case_id)
            for code, poa in zip(exp.dx, d.poa):
                store.set_poa(case_id, code, poa)
            newborn = case_id == "DEMO-031"
            store.set_stay(case_id, admission_type="4" if newborn else "1", admission_source="5" if newborn else "1",
                           patient_status=d.status or "01", admit_hour="08", discharge_hour="14",
                           admitting_dx=exp.dx[0])
            for code in exp.pcs:
                store.set_procedure_date(case_id, code, case.encounter.admit_date)
        if exp.query:
            gap = next(g for g in find_gaps(store.case(case_id), store.work(case_id)) if g.action == "query")
            q = draft(store.case(case_id), gap)
            store.add_query(case_id, exp.query, q.indicators, q.options, gap=q.gap)
        else:
            store.set_status(case_id, "coded")
    FACILITY.save(store)
    return store


def claim_ids(text: str) -> list[str]:
    return [seg.split("*")[1] for seg in text.replace("\n", "").split("~") if seg.startswith("CLM*")]


def test_demo_worklist_export_writes_an_837p_and_an_837i_each_case_once(tmp_path: Path) -> None:
    store = coded_demo(tmp_path / "s.json")
    try:
        out = tmp_path / "demo.837p"
        result = run_export(store, "837", out, now=datetime(2026, 10, 1, 8, 0))
        p_text, i_text = out.read_text(), (tmp_path / "demo.837i").read_text()
        p_report, i_report = validate_837p(p_text), validate_837i(i_text)  # the files on disk, read back
        assert p_report.ok, p_report.summary()
        assert i_report.ok, i_report.summary()
        assert "IK5*A" in i_report.ack and "IK5*R" not in i_report.ack
        assert "ST*837*0001*005010X223A2" in i_text and "ST*837*0001*005010X222A1" in p_text
        expected_i = INPATIENT - QUERIED - SELF_PAY
        expected_p = set(KEY) - INPATIENT - QUERIED - SELF_PAY
        assert set(claim_ids(i_text)) == expected_i and len(claim_ids(i_text)) == len(expected_i)
        assert set(claim_ids(p_text)) == expected_p
        # Each DRG the grouper gave is on its claim, with every POA in C022-09.
        for cid in expected_i:
            assert f"HI*DR:{DRG_KEY[cid].drg:03d}~" in i_text.replace("\n", "")
        # Each case marked exported once, by the batch of the one file it is in.
        by_kind = {f.kind: f for f in result.files}
        assert [f.kind for f in result.files] == ["837p", "837i"]
        for cid in expected_i | expected_p:
            w = store.work(cid)
            f = by_kind["837i" if cid in INPATIENT else "837p"]
            assert w.status == "exported" and len(w.exports) == 1, cid
            assert w.export_batch == f.batch and w.export_file == str(f.path), cid
        assert by_kind["837p"].batch.startswith("837P-") and by_kind["837i"].batch.startswith("837I-")
        assert by_kind["837p"].interchange_control != by_kind["837i"].interchange_control
        # The message says what was written where.
        text = result.summary()
        assert str(out.absolute()) in text and str((tmp_path / "demo.837i").absolute()) in text
        assert "005010X223A2" in text and "005010X222A1" in text
        assert all(cid in text for cid in expected_i)
        assert store.pending_exports() == {}
    finally:
        store.close()


def test_a_stay_without_poa_is_held_back_and_the_rest_written(tmp_path: Path) -> None:
    store = coded_demo(tmp_path / "s.json")
    try:
        store.set_poa("DEMO-035", "N17.9", "")  # the POA of one secondary diagnosis is cleared
        out = tmp_path / "ip.837i"
        result = run_export(store, "837i", out, now=datetime(2026, 10, 1, 8, 0))
        held = {h.case_id: h.reasons for h in result.held if not h.skipped}
        assert any("N17.9" in r and "present-on-admission" in r for r in held["DEMO-035"]), held
        written = claim_ids(out.read_text())
        assert "DEMO-035" not in written
        assert set(written) == INPATIENT - QUERIED - SELF_PAY - {"DEMO-035"}
        assert validate_837i(out.read_text()).ok
        assert store.work("DEMO-035").status == "coded" and store.work("DEMO-035").exports == []
        assert "DEMO-035" in result.summary() and "present-on-admission" in result.summary()
        # Professional cases are not part of an 837I export.
        assert store.work("DEMO-001").status == "coded"
    finally:
        store.close()


def test_facility_settings_not_ready_hold_the_stays_and_the_837p_still_goes(tmp_path: Path, capsys) -> None:
    store = coded_demo(tmp_path / "s.json")
    FacilitySettings(type_of_bill="111").save(store)  # no tax id, no revenue-code table
    path = store.path
    store.close()
    out = tmp_path / "claims.837p"
    rc = main(["export", "--session", str(path), "--format", "837", "--out", str(out)])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    assert out.exists() and not (tmp_path / "claims.837i").exists()
    assert "facility settings not ready" in captured.out and "revenue-code charge table is empty" in captured.out
    assert "no 837I written" in captured.out
    with SessionStore.open(path, create=False, readonly=True) as again:
        assert again.work("DEMO-008").status == "coded"
        assert again.work("DEMO-001").status == "exported"


def test_a_stays_professional_lines_go_out_afterwards_on_an_837p_as_an_original_claim(tmp_path: Path) -> None:
    """`837` bills the stay on the hospital's 837I and says how to bill the physician's lines; doing
    what it says sends them on an 837P as an original claim (CLM05-3 = 1), never a replacement."""
    store = coded_demo(tmp_path / "s.json")
    try:
        stay = next(cid for cid in sorted(INPATIENT - QUERIED - SELF_PAY) if store.work(cid).lines)
        advice = f"workstation export --format 837p --case {stay} --again"
        assert advice in plan_export(store, "837").summary()
        run_export(store, "837", tmp_path / "demo.837p", now=datetime(2026, 10, 1, 8, 0))
        assert store.work(stay).status == "exported"
        out = tmp_path / "pro.837p"
        again = run_export(store, "837p", out, case_ids=[stay], again=True, now=datetime(2026, 10, 1, 9, 0))
        text = out.read_text().replace("\n", "")
        assert claim_ids(text) == [stay]
        clm = next(seg for seg in text.split("~") if seg.startswith("CLM*"))
        assert clm.split("*")[5].split(":")[2] == "1", clm   # an original claim
        assert validate_837p(out.read_text()).ok
        assert len(store.work(stay).exports) == 2 and again.files
    finally:
        store.close()
