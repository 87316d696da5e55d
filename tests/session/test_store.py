"""The store API: coding changes, resume, audit, validation, settings, counters."""
from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest

from workstation.session.store import CodingError, SessionStore, UnknownCase, resolve_path
from workstation.session.work import ServiceLine


def reopen(store: SessionStore) -> SessionStore:
    store.close()
    return SessionStore.open(store.path)


def test_assignments_survive_reopen_and_resume_at_the_same_case(store):
    assert store.assign_dx("CASE-001", "e1122") == "E11.22"
    store.assign_dx("CASE-001", "N18.31")
    store.add_line("CASE-001", ServiceLine("G0439", charge=175, pointers=["A", "B"]))
    store.set_notes("CASE-001", "checked labs")
    store.set_current_case("CASE-001")
    store.set_status("CASE-001", "coded")
    store = reopen(store)
    try:
        w = store.work("CASE-001")
        assert store.current_case() == "CASE-001"
        assert w.diagnoses == ["E11.22", "N18.31"]
        assert w.lines[0].code == "G0439" and w.lines[0].pointers == ["A", "B"] and w.lines[0].charge == 175
        assert w.status == "coded" and w.notes == "checked labs"
        assert store.work("CASE-002").diagnoses == []
    finally:
        store.close()


def test_reopen_without_close_replays_the_journal(store_path, cases):
    s = SessionStore.open(store_path)
    s.add_cases(cases)
    s.assign_dx("CASE-001", "E11.22")
    s._lock.release()  # simulate a crash: no close, no compaction
    s._journal.close()
    s2 = SessionStore.open(store_path)
    try:
        assert s2.work("CASE-001").diagnoses == ["E11.22"]
        assert [c.case_id for c in s2.cases()] == ["CASE-001", "CASE-002", "CASE-003"]
        assert s2.case("CASE-001").patient.dob == "1956-04-12"
    finally:
        s2.close()


def test_compaction_keeps_everything(store, monkeypatch):
    import workstation.session.store as st

    monkeypatch.setattr(st, "COMPACT_EVERY", 3)
    for code in ["E11.22", "N18.31", "I10", "E78.5", "Z79.4"]:
        store.assign_dx("CASE-001", code)
    assert store._journal.size < 4000  # compacted at least once: the journal restarted
    store = reopen(store)
    try:
        assert store.work("CASE-001").diagnoses == ["E11.22", "N18.31", "I10", "E78.5", "Z79.4"]
        assert len(store.audit("CASE-001")) == 1 + 5 + 1  # add_case, 5 assigns, new -> in_progress
    finally:
        store.close()


@pytest.mark.parametrize("code, words", [
    ("E11", "header"),
    ("S72.012", "7th character"),
    ("Z99.999", "not a code in ICD-10-CM FY2026"),
    ("11.22", "not an ICD-10-CM code"),
])
def test_refused_diagnoses_say_why(store, code, words):
    with pytest.raises(CodingError, match=words):
        store.assign_dx("CASE-001", code)
    assert store.work("CASE-001").diagnoses == []
    assert store.work("CASE-001").status == "new"


def test_code_year_follows_the_date_of_service(store):
    # N18.31 (CKD stage 3a) came in FY2021, so both years have it; a seventh-character code proves
    # nothing about years, so use the release names in the refusal instead.
    with pytest.raises(CodingError, match="FY2025"):
        store.assign_dx("CASE-002", "Z99.999")
    with pytest.raises(CodingError, match="FY2026"):  # inpatient: the discharge date decides
        store.assign_dx("CASE-003", "Z99.999")


def test_no_release_for_the_date(store_path, make_case):
    with SessionStore.open(store_path) as s:
        s.add_cases([make_case("OLD-001", "2019-05-01")])
        with pytest.raises(CodingError, match="no compiled icd10cm release covers 2019-05-01"):
            s.assign_dx("OLD-001", "E11.22")


def test_duplicate_and_sequencing_keep_pointers_on_the_same_codes(store):
    store.assign_dx("CASE-001", "E11.22")
    store.assign_dx("CASE-001", "N18.31")
    store.assign_dx("CASE-001", "I10")
    with pytest.raises(CodingError, match="already assigned"):
        store.assign_dx("CASE-001", "E11.22")
    store.add_line("CASE-001", ServiceLine("G0439", pointers=["B", "C"]))
    store.move_dx("CASE-001", "I10", -2)  # I10 first
    w = store.work("CASE-001")
    assert w.diagnoses == ["I10", "E11.22", "N18.31"]
    assert w.lines[0].pointers == ["C", "A"]  # still N18.31 and I10
    store.remove_dx("CASE-001", "N18.31")
    assert store.work("CASE-001").lines[0].pointers == ["A"]
    store.assign_dx("CASE-001", "E78.5", position=0)
    w = store.work("CASE-001")
    assert w.diagnoses[0] == "E78.5" and w.lines[0].pointers == ["B"]


def test_service_line_checks(store):
    store.assign_dx("CASE-001", "E11.22")
    with pytest.raises(CodingError, match="pointer B names no diagnosis"):
        store.add_line("CASE-001", ServiceLine("G0439", pointers=["A", "B"]))
    with pytest.raises(CodingError, match="not a code in the HCPCS"):
        store.add_line("CASE-001", ServiceLine("G0000"))
    with pytest.raises(CodingError, match="not a HCPCS Level II modifier"):
        store.add_line("CASE-001", ServiceLine("99213", modifiers=["ZZ"]))
    with pytest.raises(CodingError, match="units"):
        store.add_line("CASE-001", ServiceLine("99213", units=0))
    i = store.add_line("CASE-001", ServiceLine("99213", modifiers=["25"], pointers=["A"]))
    store.update_line("CASE-001", i, units=2, charge=120)
    assert store.work("CASE-001").lines[i].units == 2
    with pytest.raises(CodingError, match="unknown service line field"):
        store.update_line("CASE-001", i, colour="red")
    store.remove_line("CASE-001", i)
    assert store.work("CASE-001").lines == []
    with pytest.raises(CodingError, match="no service line 1"):
        store.remove_line("CASE-001", 0)


def test_procedures_inpatient_only_and_checked_in_the_tables(store):
    with pytest.raises(CodingError, match="inpatient"):
        store.add_procedure("CASE-001", "0DTJ4ZZ")
    assert store.add_procedure("CASE-003", "0dtj4zz") == "0DTJ4ZZ"
    with pytest.raises(CodingError, match="not a valid ICD-10-PCS code"):
        store.add_procedure("CASE-003", "0DTJ4ZY")
    store.remove_procedure("CASE-003", "0DTJ4ZZ")
    assert store.work("CASE-003").procedures == []


def test_status_rules(store):
    with pytest.raises(CodingError, match="no diagnosis"):
        store.set_status("CASE-001", "coded")
    store.assign_dx("CASE-001", "E11.22")
    q = store.add_query("CASE-001", "Please clarify the CKD stage", "eGFR 52", ["3a", "3b", "other", "clinically undetermined"])
    with pytest.raises(CodingError, match="query still open"):
        store.set_status("CASE-001", "coded")
    store.answer_query("CASE-001", q.query_id, "3a")
    store.set_status("CASE-001", "coded")
    w = store.work("CASE-001")
    assert w.status == "coded" and w.queries[0].status == "answered" and w.queries[0].answer == "3a"
    with pytest.raises(CodingError, match="unknown status"):
        store.set_status("CASE-001", "done")


def test_audit_who_when_before_after(store):
    store.set_setting("coder_id", "jdoe")
    store.assign_dx("CASE-001", "E11.22")
    store.remove_dx("CASE-001", "E11.22")
    entries = store.audit("CASE-001")
    assert [e["action"] for e in entries] == ["add_case", "assign_dx", "set_status", "remove_dx"]
    assert entries[-1]["before"] == ["E11.22"] and entries[-1]["after"] == []
    assert entries[-1]["who"] == "jdoe" and entries[-1]["when"].endswith("Z")
    assert entries[0]["who"] != "jdoe"  # added before the coder id was set: the OS user
    everything = store.audit()
    assert any(e["action"] == "set_setting" and e["after"] == {"coder_id": "jdoe"} for e in everything)
    assert [e["seq"] for e in everything] == sorted(e["seq"] for e in everything)


def test_control_numbers_never_repeat(store_path):
    with SessionStore.open(store_path) as s:
        a = [s.next_control_number("isa") for _ in range(3)]
    with SessionStore.open(store_path) as s:
        b = s.next_control_number("isa")
        other = s.next_control_number("batch")
    assert a == [1, 2, 3] and b == 4 and other == 1


def test_add_cases_skips_known_sources_and_renames_clashing_ids(store, make_case):
    again = make_case("CASE-001")
    assert store.add_cases([again]) == []
    clash = make_case("CASE-001")
    clash.source_key = "other-file:1"
    assert store.add_cases([clash]) == ["CASE-001-2"]
    with pytest.raises(UnknownCase, match="no case NOPE"):
        store.work("NOPE")


def test_mark_exported_and_settings(store):
    store.assign_dx("CASE-001", "E11.22")
    store.mark_exported(["CASE-001"], "B0001", "exports/b0001.x12")
    w = store.work("CASE-001")
    assert (w.status, w.export_batch, w.export_file) == ("exported", "B0001", "exports/b0001.x12")
    store.set_setting("practice", {"npi": "1234567893"})
    store = reopen(store)
    try:
        assert store.settings()["practice"] == {"npi": "1234567893"}
    finally:
        store.close()


def test_returned_work_is_a_copy(store):
    store.assign_dx("CASE-001", "E11.22")
    w = store.work("CASE-001")
    w.diagnoses.append("I10")
    assert store.work("CASE-001").diagnoses == ["E11.22"]


def test_read_only_open_changes_nothing(store):
    store.assign_dx("CASE-001", "E11.22")
    ro = SessionStore.open(store.path, readonly=True)  # no lock: allowed while the writer is open
    assert ro.work("CASE-001").diagnoses == ["E11.22"]
    with pytest.raises(Exception, match="read-only"):
        ro.assign_dx("CASE-001", "I10")
    ro.close()


def test_files_are_private_and_bare_names_go_to_sessions(store_dir, cases):
    p = resolve_path("monday")
    assert p == store_dir / "monday.json"
    with SessionStore.open(p) as s:
        s.add_cases(cases)
        s.assign_dx("CASE-001", "E11.22")
    assert stat.S_IMODE(store_dir.stat().st_mode) == 0o700
    for f in [p, Path(f"{p}.cases"), Path(f"{p}.journal")]:
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
    assert not Path(f"{p}.lock").exists()


def test_changes_from_several_threads_keep_their_order(store):
    import threading

    got: list[int] = []

    def worker() -> None:
        for _ in range(10):
            got.append(store.next_control_number("claim"))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == list(range(1, 41))
    store = reopen(store)
    try:
        assert store.next_control_number("claim") == 41
    finally:
        store.close()


@pytest.mark.parametrize("case_id, code, words", [
    ("CASE-001", "T36.01A", "did you mean T36.0X1A"),
    ("CASE-001", "S72.012Z", "'Z' is not a 7th character of S72.012"),
    ("CASE-002", "C50.A0", "it was added later (valid in FY2026, FY2027)"),  # CASE-002 is in FY2025
])
def test_refusals_name_the_code_that_was_meant(store, case_id, code, words):
    # QA regression: the refusal said only "not a code", leaving the coder to guess the slip.
    with pytest.raises(CodingError, match=re.escape(words)):
        store.assign_dx(case_id, code)


def test_coding_change_reopens_an_exported_case(store):
    """QA round 3: an exported case whose codes change goes back to in_progress, audited, batch kept."""
    store.assign_dx("CASE-001", "E11.22")
    store.set_status("CASE-001", "coded")
    store.mark_exported(["CASE-001"], "B0001", "exports/b0001.x12")
    store.set_notes("CASE-001", "a note is not a coding change")
    assert store.work("CASE-001").status == "exported"
    store.remove_dx("CASE-001", "E11.22")
    w = store.work("CASE-001")
    assert (w.status, w.export_batch, w.sent_before) == ("in_progress", "B0001", True)
    assert [x["batch"] for x in w.exports] == ["B0001"]
    last = store.audit("CASE-001")[-1]
    assert last["action"] == "reopen" and last["before"]["status"] == "exported"
    assert last["after"] == {"status": "in_progress", "export_batch": "B0001"}


def test_a_change_does_not_rebuild_the_whole_case(store_path, cases):
    """QA round 3 (save time grew with untouched cases): validating a change reads only the encounter,
    and the hand-written CaseWork.to_dict is exactly dataclasses.asdict."""
    from dataclasses import asdict

    from workstation.session.work import CaseWork, Query, ServiceLine

    with SessionStore.open(store_path) as s:
        s.add_cases(cases)
    with SessionStore.open(store_path) as s:
        s.assign_dx("CASE-001", "E11.22")
        s.add_procedure("CASE-003", "0DTJ4ZZ")  # inpatient: the encounter type is read
        assert s._case_obj == {}  # the full intake record (documents and all) was not rebuilt
        assert s.case("CASE-003").encounter.type == "inpatient"
    w = CaseWork("X", "coded", ["E11.22"], ["0DTJ4ZZ"], [ServiceLine("G0439", ["25"], 2, 10.0, ["A"], "2025-01-02")],
                 [Query("Q1", "q?", "i", ["a", "b"])], "n", "B1", "f", [{"batch": "B1", "file": "f", "at": "t"}], "P1")
    d = w.to_dict()
    assert d == asdict(w) and CaseWork.from_dict(d) == w
    d["lines"][0]["modifiers"].append("59")
    d["exports"][0]["batch"] = "changed"
    assert w.lines[0].modifiers == ["25"] and w.exports[0]["batch"] == "B1"  # a copy, as asdict gives
