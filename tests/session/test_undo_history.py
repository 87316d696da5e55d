"""Undo that survives a restart (issue 15): the history is on the case's record, journaled."""
from __future__ import annotations

from pathlib import Path

import pytest

from workstation.session import undo as undo_history
from workstation.session.store import SessionStore
from workstation.session.validate import CodingError
from workstation.session.work import ServiceLine


@pytest.fixture
def store(tmp_path: Path):
    import sys

    sys.path.insert(0, str(Path(__file__).parents[1] / "ui"))
    from ui_fixtures import ui_cases

    s = SessionStore.open(tmp_path / "undo.json")
    s.add_cases(ui_cases())
    yield s
    if not s.closed:
        s.close()


def change(s: SessionStore, case_id: str, label: str, do) -> None:
    """As the coding screen saves: the undo entry first, then the change."""
    s.push_undo(case_id, label)
    do()


def test_undo_after_reopening_the_store(store: SessionStore) -> None:
    change(store, "UI-001", "E11.22 added", lambda: store.assign_dx("UI-001", "E11.22"))
    change(store, "UI-001", "I10 added", lambda: store.assign_dx("UI-001", "I10"))
    change(store, "UI-001", "line 99213 added", lambda: store.add_line("UI-001", ServiceLine("99213", pointers=["A", "B"])))
    path = store.path
    store.close()
    with SessionStore.open(path) as again:  # a restart: the history came back from the journal
        assert [e.label for e in undo_history.entries(again.work("UI-001"))] == ["E11.22 added", "I10 added", "line 99213 added"]
        assert again.undo("UI-001") == "line 99213 added"
        assert again.work("UI-001").lines == [] and again.work("UI-001").diagnoses == ["E11.22", "I10"]
        assert again.undo("UI-001") == "I10 added"
    with SessionStore.open(path) as third:  # the undo itself was journaled too
        w = third.work("UI-001")
        assert w.diagnoses == ["E11.22"] and len(w.undo) == 1
        assert [e["action"] for e in third.audit("UI-001")][-2:] == ["undo", "undo"]


def test_history_keeps_at_least_twenty_changes_per_case(store: SessionStore) -> None:
    for i in range(undo_history.DEPTH + 5):
        store.push_undo("UI-001", f"change {i}")
    store.push_undo("UI-002", "other")
    assert undo_history.DEPTH >= 20
    assert len(store.work("UI-001").undo) == undo_history.DEPTH
    assert undo_history.last(store.work("UI-001")).label == f"change {undo_history.DEPTH + 4}"
    assert len(store.work("UI-002").undo) == 1  # per case


def test_undo_restores_the_status_only_for_a_status_change(store: SessionStore) -> None:
    change(store, "UI-001", "E11.22 added", lambda: store.assign_dx("UI-001", "E11.22"))
    store.push_undo("UI-001", "marked coded", status_change=True)
    store.set_status("UI-001", "coded")
    assert store.undo("UI-001") == "marked coded"
    assert store.work("UI-001").status == "in_progress"
    assert store.work("UI-001").diagnoses == ["E11.22"]


def test_nothing_to_undo_is_refused_and_a_refused_change_leaves_no_entry(store: SessionStore) -> None:
    with pytest.raises(CodingError, match="nothing to undo"):
        store.undo("UI-001")
    store.push_undo("UI-001", "E11.2 added")
    with pytest.raises(CodingError):
        store.assign_dx("UI-001", "E11.2")  # a header: refused
    store.drop_undo("UI-001")
    assert store.work("UI-001").undo == []
