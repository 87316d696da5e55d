"""Batch export from a session: clean claims only, control numbers, marking, atomic 0600 files."""
from __future__ import annotations

import stat
from datetime import datetime

import pytest

from workstation.billing.settings import Payer, PracticeSettings
from workstation.export import batch
from workstation.export.batch import (ExportError, NothingToExport, SettingsInvalid, ValidationFailed, plan_export,
                                      run_export)
from workstation.export.validate_837p import Problem, ValidationReport

NOW = datetime(2026, 3, 5, 9, 30)


def test_plan_holds_self_pay_and_open_query(session):
    plan = plan_export(session, "837p")
    assert [r.case.case_id for r in plan.ready] == ["DEMO-0001", "DEMO-0002"]
    held = {h.case_id: h.reasons for h in plan.held}
    assert set(held) == {"DEMO-0003", "DEMO-0004"}
    assert any("self-pay" in r for r in held["DEMO-0003"])
    assert any("open provider query" in r for r in held["DEMO-0004"])
    assert "DEMO-0004" in plan.summary() and "$370.00" in plan.summary()


def test_837p_export_writes_valid_file_and_marks_cases(session, tmp_path):
    out = tmp_path / "out" / "batch.837"
    result = run_export(session, "837p", out, now=NOW)
    assert result.validation is not None and result.validation.ok
    assert result.exported == ["DEMO-0001", "DEMO-0002"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    text = out.read_text()
    assert text.startswith("ISA*") and text.count("CLM*") == 2
    assert text.split("~")[0].split("*")[13] == f"{result.interchange_control:09d}"
    for cid in result.exported:
        w = session.work(cid)
        assert w.status == "exported" and w.export_batch == result.batch and w.export_file == str(out)
    assert session.work("DEMO-0003").export_batch == ""
    assert not [p for p in out.parent.iterdir() if p.name != "batch.837"]  # no temp file left


def test_reexport_needs_again_and_control_numbers_never_repeat(session, tmp_path):
    first = run_export(session, "837p", tmp_path / "a.837", now=NOW)
    with pytest.raises(NothingToExport) as exc:
        run_export(session, "837p", tmp_path / "b.837", now=NOW)
    assert "--again" in str(exc.value)
    assert not (tmp_path / "b.837").exists()
    for cid in first.exported:  # a re-send replaces the claim: it names the payer's claim number
        session.set_payer_claim_number(cid, f"PCN{cid[-4:]}")
    second = run_export(session, "837p", tmp_path / "b.837", again=True, now=NOW)
    assert second.exported == first.exported
    assert second.interchange_control > first.interchange_control
    assert second.group_control > first.group_control
    assert second.batch != first.batch


def test_explicit_case_selection(session, tmp_path):
    result = run_export(session, "837p", tmp_path / "one.837", case_ids=["DEMO-0002"], now=NOW)
    assert result.exported == ["DEMO-0002"]
    assert "PAT*01" in (tmp_path / "one.837").read_text()
    with pytest.raises(ExportError, match="no such case"):
        plan_export(session, "837p", case_ids=["NOPE-1"])


def test_existing_file_is_not_overwritten(session, tmp_path):
    out = tmp_path / "x.837"
    out.write_text("earlier batch")
    with pytest.raises(ExportError, match="already exists"):
        run_export(session, "837p", out, now=NOW)
    assert out.read_text() == "earlier batch"


def test_bad_npi_stops_export_before_anything_is_numbered(session, tmp_path):
    s = PracticeSettings()
    s.npi = "1555000004"  # check digit wrong
    with pytest.raises(SettingsInvalid) as exc:
        run_export(session, "837p", tmp_path / "x.837", settings=s, now=NOW)
    assert "NPI 1555000004 fails the check digit" in str(exc.value)
    assert not (tmp_path / "x.837").exists()
    assert session.next_control_number("interchange") == 1  # none consumed


def test_missing_payer_id_in_settings_stops_export(session, tmp_path):
    s = PracticeSettings()
    s.payers.append(Payer("Unnamed Plan (demo)", ""))
    with pytest.raises(SettingsInvalid, match="has no payer id"):
        run_export(session, "cms1500", tmp_path / "x.txt", settings=s, now=NOW)
    assert not (tmp_path / "x.txt").exists()


def test_failed_validation_writes_nothing_and_marks_nothing(session, tmp_path, monkeypatch):
    bad = ValidationReport([Problem("pyx12", "segment: required segment missing (code 3)", 12, "N4")])
    monkeypatch.setattr(batch, "validate_837p", lambda text, check_codes=True: bad)
    out = tmp_path / "bad.837"
    with pytest.raises(ValidationFailed) as exc:
        run_export(session, "837p", out, now=NOW)
    assert "required segment missing" in str(exc.value)
    assert not out.exists() and list(tmp_path.iterdir()) == [tmp_path / "s"]
    assert session.work("DEMO-0001").status == "coded"


def test_statement_for_self_pay_only(session, tmp_path):
    out = tmp_path / "st.txt"
    result = run_export(session, "statement", out, now=NOW)
    assert result.exported == ["DEMO-0003"]
    text = out.read_text()
    assert "PATIENT STATEMENT" in text and "AMOUNT DUE" in text and "185.00" in text
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert session.work("DEMO-0003").status == "exported"


def test_cms1500_print_export(session, tmp_path):
    out = tmp_path / "claims.txt"
    result = run_export(session, "cms1500", out, now=NOW)
    pages = out.read_text().split("\f")
    assert len(pages) == len(result.exported) == 2
    assert all("CMS-1500 02/12" in p for p in pages)


def test_csv_and_jsonl_do_not_mark_and_hold_no_identifiers(session, tmp_path):
    import csv
    import json

    run_export(session, "csv", tmp_path / "e.csv", now=NOW)
    run_export(session, "jsonl", tmp_path / "e.jsonl", now=NOW)
    rows = list(csv.DictReader((tmp_path / "e.csv").open()))
    # DEMO-0004 had a query raised after coding: the session core puts it on hold (status "query"),
    # as the app and `workstation code --query` always did, so it is not a coded encounter here.
    assert session.work("DEMO-0004").status == "query"
    assert [r["case_id"] for r in rows] == ["DEMO-0001", "DEMO-0002", "DEMO-0003"]
    assert rows[0]["diagnoses"] == "E11.22 N18.31" and rows[0]["total_charge"] == "185.00"
    recs = [json.loads(l) for l in (tmp_path / "e.jsonl").read_text().splitlines()]
    assert recs[1]["diagnoses"] == ["E11.22", "N18.31"] and recs[1]["age"] == 36
    for text in ((tmp_path / "e.csv").read_text(), (tmp_path / "e.jsonl").read_text()):
        assert "Example" not in text and "1961" not in text and "1EG4TE5MK73" not in text
    assert all(session.work(c).status == "coded" for c in ("DEMO-0001", "DEMO-0002"))


def test_confirm_callback_can_cancel(session, tmp_path):
    seen = []
    with pytest.raises(ExportError, match="cancelled"):
        run_export(session, "837p", tmp_path / "c.837", now=NOW, confirm=lambda plan: seen.append(plan) or False)
    assert len(seen[0].ready) == 2 and not (tmp_path / "c.837").exists()


def test_plan_lists_cases_that_need_again(session, tmp_path):
    run_export(session, "837p", tmp_path / "a.837", now=NOW)
    plan = plan_export(session, "837p")
    assert plan.needs_again == ["DEMO-0001", "DEMO-0002"]
    assert not plan.ready


def test_overlong_submitter_id_is_a_settings_problem(session, tmp_path):
    s = PracticeSettings()
    s.submitter_id = "SUBMITTER-ID-TOO-LONG"
    with pytest.raises(SettingsInvalid, match="submitter id must be 2-15"):
        run_export(session, "837p", tmp_path / "x.837", settings=s, now=NOW)


def test_interchange_numbers_never_repeat_across_session_stores(session, tmp_path, monkeypatch):
    # QA: each store counted ISA13 from 1, so two sessions sent the clearinghouse the same number.
    class OtherStore:  # a second, fresh session store: its own counter starts at 1 again
        def next_control_number(self, kind):
            return 1

    first = batch.interchange_number(OtherStore(), "SUBMIT01")
    second = batch.interchange_number(OtherStore(), "SUBMIT01")
    assert (first, second) == (1, 2)
    assert batch.interchange_number(OtherStore(), "OTHER") == 1  # numbers are per submitter id
    result = run_export(session, "837p", tmp_path / "a.837", now=NOW)
    assert result.interchange_control >= 1
    again = batch.interchange_number(OtherStore(), PracticeSettings.from_store(session).submitter_id)
    assert again > result.interchange_control


def _clm_and_f8(text: str) -> dict[str, tuple[str, str]]:
    """claim id -> (CLM05-3 frequency, REF*F8 value or "")."""
    out: dict[str, tuple[str, str]] = {}
    cur = ""
    for raw in text.split("~"):
        seg = raw.strip().split("*")
        if seg[0] == "CLM":
            cur = seg[1]
            out[cur] = (seg[5].split(":")[2], "")
        elif seg[:2] == ["REF", "F8"] and cur:
            out[cur] = (out[cur][0], seg[2])
    return out


def test_changed_exported_case_reopens_and_resends_as_replacement(session, tmp_path):
    """QA: editing an exported case left it "exported" and --again sent frequency 1 again."""
    first = run_export(session, "837p", tmp_path / "a.837", now=NOW)
    assert _clm_and_f8((tmp_path / "a.837").read_text())["DEMO-0001"] == ("1", "")
    session.assign_dx("DEMO-0001", "I10")  # a coding change after the claim went out
    w = session.work("DEMO-0001")
    assert w.status == "in_progress" and w.export_batch == first.batch  # reopened, batch kept
    assert w.exports[0]["batch"] == first.batch
    reopen = [e for e in session.audit("DEMO-0001") if e["action"] == "reopen"]
    assert reopen and reopen[-1]["before"] == {"status": "exported", "export_batch": first.batch}
    assert reopen[-1]["after"]["status"] == "in_progress"
    # Not coded again yet: held; once coded, held for the missing payer claim number.
    assert "DEMO-0001" not in [r.case.case_id for r in plan_export(session, "837p").ready]
    session.set_status("DEMO-0001", "coded")
    plan = plan_export(session, "837p", case_ids=["DEMO-0001"])
    assert not plan.ready and "claim.payer_claim_number" in plan.held[0].reasons[0]
    session.set_payer_claim_number("DEMO-0001", "2226001234567")
    assert session.work("DEMO-0001").status == "coded"  # the number alone does not reopen
    result = run_export(session, "837p", tmp_path / "b.837", case_ids=["DEMO-0001"], now=NOW)
    assert result.validation.ok and result.validation.problems == []  # pyx12 accepts REF*F8
    assert _clm_and_f8((tmp_path / "b.837").read_text())["DEMO-0001"] == ("7", "2226001234567")
    text = (tmp_path / "b.837").read_text().split("~")
    i = next(n for n, seg in enumerate(text) if seg.strip().startswith("REF*F8"))
    assert text[i + 1].strip().startswith("HI*")  # 2300: after REF*G1 (if any), before HI
    w = session.work("DEMO-0001")
    assert [e["batch"] for e in w.exports] == [first.batch, result.batch]
    # The CMS-1500 of the replacement: box 22 resubmission code 7 and the original reference.
    session.assign_dx("DEMO-0001", "E78.5")
    session.set_status("DEMO-0001", "coded")
    run_export(session, "cms1500", tmp_path / "c.txt", case_ids=["DEMO-0001"], now=NOW)
    box22 = next(l for l in (tmp_path / "c.txt").read_text().splitlines() if l.startswith("22."))
    assert "RESUBMISSION CODE: 7" in box22 and "ORIGINAL REF. NO.: 2226001234567" in box22


@pytest.mark.parametrize("scrub_catches", [True, False])
def test_one_claim_the_validator_rejects_is_held_back_and_the_rest_go_out(tmp_path, monkeypatch, scrub_catches):
    """A payer id that cleans to one character would make pyx12 reject the whole 837P: the scrub
    holds that claim with the element named (2010BB NM109), and should a rule ever slip past the
    scrub, the export's own per-claim pyx12 check still holds it; the others are written (issue 20)."""
    from decimal import Decimal

    from workstation.billing.edits import fields

    if not scrub_catches:
        monkeypatch.setattr(fields, "_check_x12_elements", lambda ctx, err: None)

    from workstation.session.store import SessionStore
    from workstation.session.work import ServiceLine

    from .conftest import DX, make_case

    cases = [make_case(f"BAT-000{i}") for i in range(1, 4)] + [make_case("BAT-0009", payer_id="Ä")]
    store = SessionStore.open(tmp_path / "s" / "s.json")
    try:
        store.add_cases(cases)
        for c in cases:
            for code in DX[:2]:
                store.assign_dx(c.case_id, code)
            store.add_line(c.case_id, ServiceLine("99214", [], 1, Decimal("185.00"), ["A", "B"]))
            store.set_status(c.case_id, "coded")
        out = tmp_path / "out" / "b.837"
        result = run_export(store, "837p", out, now=NOW)
        assert result.exported == ["BAT-0001", "BAT-0002", "BAT-0003"]
        assert result.validation is not None and result.validation.ok
        held = {h.case_id: h.reasons for h in result.held}
        assert "BAT-0009" in held and any("837P" in r or "NM109" in r for r in held["BAT-0009"]), held
        assert out.read_text().count("CLM*") == 3
        assert store.work("BAT-0009").status == "coded"  # not billed: fix it and export it later
        # And the plan (the summary before writing, --dry-run) already holds it, with the reason.
        plan = plan_export(store, "837p", again=False)
        reasons = {h.case_id: h.reasons for h in plan.held}["BAT-0009"]
        why = "2010BB NM109 needs at least 2" if scrub_catches else "payer id is shorter than 2 characters"
        assert any(why in r for r in reasons), reasons
    finally:
        store.close()


def test_a_claim_the_validator_alone_rejects_is_held_and_the_rest_written(session, tmp_path, monkeypatch):
    """Whatever pyx12 rejects that no edit foresaw: each claim is validated alone, the failing one held."""
    real = batch.validate_837p

    def picky(text, check_codes=True):
        if "DEMO-0002" in text.replace("*", " "):
            return ValidationReport([Problem("pyx12", "element too short (code 4)", 30, "NM1")])
        return real(text, check_codes=check_codes)

    monkeypatch.setattr(batch, "validate_837p", picky)
    out = tmp_path / "o" / "b.837"
    result = run_export(session, "837p", out, now=NOW)
    assert result.exported == ["DEMO-0001"] and out.read_text().count("CLM*") == 1
    held = {h.case_id: h.reasons for h in result.held}
    assert any("NM1 element too short" in r for r in held["DEMO-0002"]), held
    assert session.work("DEMO-0002").status == "coded" and session.work("DEMO-0001").status == "exported"
