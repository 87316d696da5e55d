"""The coding changes of session/coding.py: pure (the work changes, nothing is written), and one
commit per user action whether the store makes one (`assign_dx`) or several (`change`, the CLI)."""
from __future__ import annotations

import pytest

from tests.session.conftest import make_case
from workstation.cli import main
from workstation.session import coding
from workstation.session.store import SessionStore
from workstation.session.validate import CodingError
from workstation.session.work import CaseWork, ServiceLine


def test_a_change_is_made_on_the_work_and_written_nowhere():
    case, work = make_case("CASE-001"), CaseWork("CASE-001")
    ch = coding.assign_dx(case, work, "e1122")
    assert (ch.action, ch.before, ch.after, ch.value) == ("assign_dx", [], ["E11.22"], "E11.22")
    coding.assign_dx(case, work, "N18.31", position=0)
    coding.add_line(case, work, ServiceLine("G0439", pointers=["B"]))
    assert work.lines[0].pointers == ["B"]
    moved = coding.move_dx(case, work, "E11.22", -1)
    assert work.diagnoses == ["E11.22", "N18.31"] and work.lines[0].pointers == ["A"]  # the pointer follows
    assert moved.changed and not coding.move_dx(case, work, "E11.22", -1).changed  # already first
    assert work.status == "new"  # starting the case is the store's write (coding.started)
    with pytest.raises(CodingError, match="already assigned"):
        coding.assign_dx(case, work, "E11.22")


def test_started_starts_a_new_case_and_reopens_an_exported_one_only():
    w = CaseWork("C")
    assert coding.started(w).after == "in_progress" and w.status == "in_progress"
    assert coding.started(w) is None
    w.status, w.export_batch = "exported", "B1"
    assert coding.started(w).action == "reopen"
    w.status = "coded"
    assert coding.started(w) is None


def test_several_changes_are_one_commit_and_a_refused_one_writes_nothing(store_path):
    with SessionStore.open(store_path) as s:
        s.add_cases([make_case("CASE-001")])
        seq = s._seq

        def plan(case, work):
            return [coding.assign_dx(case, work, "E11.22"), coding.assign_dx(case, work, "N18.31"),
                    coding.add_line(case, work, ServiceLine("G0439", pointers=["A", "B"]))]

        s.change("CASE-001", plan)
        assert s._seq == seq + 1
        assert s.work("CASE-001").diagnoses == ["E11.22", "N18.31"]
        assert [e["action"] for e in s.audit("CASE-001")][1:] == ["assign_dx", "set_status", "assign_dx", "add_line"]

        def bad(case, work):
            return [coding.assign_dx(case, work, "I10"), coding.assign_dx(case, work, "E11")]  # E11 is a header

        with pytest.raises(CodingError):
            s.change("CASE-001", bad)
        assert s._seq == seq + 1 and s.work("CASE-001").diagnoses == ["E11.22", "N18.31"]


def test_workstation_code_with_a_typo_leaves_the_case_as_it_was(store_path, capsys):
    with SessionStore.open(store_path) as s:
        s.add_cases([make_case("CASE-001")])
    assert main(["code", "--session", str(store_path), "CASE-001", "--dx", "E11.22", "--stay", "nonsense"]) == 2
    assert main(["code", "--session", str(store_path), "CASE-001", "--dx", "E11.22", "--pcs-date", "x"]) == 2
    with SessionStore.open(store_path, readonly=True) as s:
        assert s.work("CASE-001").diagnoses == []
    assert main(["code", "--session", str(store_path), "CASE-001", "--dx", "E11.22"]) == 0
    with SessionStore.open(store_path, readonly=True) as s:
        assert s.work("CASE-001").diagnoses == ["E11.22"]
