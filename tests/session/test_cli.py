"""`workstation sessions ...` and `workstation code`: same checks, audit and errors as the app."""
from __future__ import annotations

import orjson
import pytest

from workstation.cli import main
from workstation.session.store import SessionStore, StoreError


@pytest.fixture
def cli_store(store_path, cases):
    with SessionStore.open(store_path) as s:
        s.add_cases(cases)
    return store_path


def test_code_like_the_issue_example(cli_store, capsys):
    rc = main(["code", "--session", str(cli_store), "CASE-001", "--dx", "E11.22", "N18.31",
               "--line", "G0439 x1 @175.00 >A,B", "--status", "coded"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "E11.22" in out and "Type 2 diabetes mellitus with diabetic chronic kidney disease" in out
    assert "G0439 x1 @175.00 >A,B" in out
    with SessionStore.open(cli_store, readonly=True) as s:
        w = s.work("CASE-001")
        assert (w.status, w.diagnoses, w.lines[0].pointers) == ("coded", ["E11.22", "N18.31"], ["A", "B"])
        actions = [e["action"] for e in s.audit("CASE-001")]
        assert actions == ["add_case", "assign_dx", "set_status", "assign_dx", "add_line", "set_status"]
        assert s.current_case() == "CASE-001"


@pytest.mark.parametrize("argv, words", [
    (["--dx", "E11.22", "E11"], "E11 is a header"),
    (["--dx", "S72.012"], "needs a 7th character"),
    (["--dx", "Z99.999"], "not a code in ICD-10-CM"),
    (["--dx", "E11.22", "--line", "G0439 >A,B"], "pointer B names no diagnosis"),
    (["--line", "G0439 3 units"], "cannot read '3'"),
    (["--remove", "I10"], "not assigned"),
])
def test_code_errors_exit_2_and_change_nothing(cli_store, capsys, argv, words):
    rc = main(["code", "--session", str(cli_store), "CASE-001", *argv])
    err = capsys.readouterr().err
    assert rc == 2 and words in err
    with SessionStore.open(cli_store, readonly=True) as s:
        assert s.work("CASE-001").diagnoses == []
        assert [e["action"] for e in s.audit("CASE-001")] == ["add_case"]


@pytest.mark.slow
def test_unknown_case_and_locked_store_exit_2(cli_store, capsys):
    assert main(["code", "--session", str(cli_store), "NOPE", "--dx", "E11.22"]) == 2
    assert "no case NOPE" in capsys.readouterr().err
    with SessionStore.open(cli_store):
        assert main(["code", "--session", str(cli_store), "CASE-001", "--dx", "E11.22"]) == 2
        assert "open in another workstation" in capsys.readouterr().err
        assert main(["sessions", "show", str(cli_store), "--json"]) == 0  # looking needs no lock


def test_show_resume_audit_list(cli_store, capsys):
    assert main(["code", "--session", str(cli_store), "CASE-002", "--dx", "E11.22"]) == 0
    assert main(["code", "--session", str(cli_store), "CASE-002", "--remove", "E11.22", "--dx", "I10"]) == 0
    capsys.readouterr()
    assert main(["sessions", "show", str(cli_store), "--case", "CASE-002", "--json"]) == 0
    assert orjson.loads(capsys.readouterr().out)["diagnoses"] == ["I10"]
    assert main(["sessions", "resume", str(cli_store)]) == 0
    assert "resume at CASE-002" in capsys.readouterr().out
    assert main(["sessions", "audit", str(cli_store), "--case", "CASE-002", "--json"]) == 0
    entries = orjson.loads(capsys.readouterr().out)
    assert [e["action"] for e in entries][-1] == "assign_dx" and entries[-1]["after"] == ["I10"]
    assert main(["sessions", "list"]) == 0
    out = capsys.readouterr().out
    assert "s.json" in out and "3 cases" in out and "new 2" in out and "in_progress 1" in out


def test_new_refuses_an_existing_store(store_dir, capsys):
    assert main(["sessions", "new", "monday"]) == 0
    assert (store_dir / "monday.json").exists()
    assert main(["sessions", "new", "monday"]) == 2
    assert "already exists" in capsys.readouterr().err


def test_a_json_file_that_is_not_a_store_is_left_alone(tmp_path):
    p = tmp_path / "worklist.json"
    p.write_bytes(b'{"cases": []}')
    with pytest.raises(StoreError, match="not a workstation session store"):
        SessionStore.open(p)
    assert p.read_bytes() == b'{"cases": []}' and not list(tmp_path.glob("*.corrupt-*"))


def test_line_spec_takes_a_service_date(cli_store, capsys):
    # QA regression: an inpatient surgeon's line could not be dated the day of surgery from the CLI.
    assert main(["code", "--session", str(cli_store), "CASE-003", "--dx", "K35.80",
                 "--line", "44970 >A 2025-09-21"]) == 0
    assert "2025-09-21" in capsys.readouterr().out
    with SessionStore.open(cli_store, readonly=True) as s:
        assert s.work("CASE-003").lines[0].date == "2025-09-21"
    assert main(["code", "--session", str(cli_store), "CASE-003", "--line", "44970 >A 2025-02-30"]) == 2
    assert "not YYYY-MM-DD" in capsys.readouterr().err


def test_show_docs_prints_the_case_to_read(cli_store, capsys):
    assert main(["sessions", "show", str(cli_store), "--case", "CASE-003", "--docs"]) == 0
    out = capsys.readouterr().out
    assert "Encounter: inpatient" in out and "admitted 2025-09-20" in out
    assert main(["sessions", "show", str(cli_store), "--case", "CASE-003", "--docs", "--json"]) == 0
    assert orjson.loads(capsys.readouterr().out)["case"]["case_id"] == "CASE-003"


def test_query_from_the_command_line_holds_the_case_until_answered(cli_store, capsys):
    # QA: a coder on the CLI could not raise the provider query a vague note calls for.
    assert main(["code", "--session", str(cli_store), "CASE-001", "--dx", "E11.9",
                 "--query", "Please clarify the type of diabetes", "--indicators", "A1c 8.1%",
                 "--option", "Type 1", "--option", "Type 2"]) == 0
    with SessionStore.open(cli_store, readonly=True) as s:
        w = s.work("CASE-001")
        [q] = w.queries
        assert (w.status, q.status, q.indicators) == ("query", "open", "A1c 8.1%")
        assert q.options == ["Type 1", "Type 2", "Other (please specify)", "Clinically undetermined"]
    assert main(["code", "--session", str(cli_store), "CASE-001", "--status", "coded"]) == 2
    assert "query still open" in capsys.readouterr().err
    assert main(["code", "--session", str(cli_store), "CASE-001", "--answer", "q1", "Type 2",
                 "--status", "coded"]) == 0
    with SessionStore.open(cli_store, readonly=True) as s:
        w = s.work("CASE-001")
        assert (w.status, w.queries[0].status, w.queries[0].answer) == ("coded", "answered", "Type 2")
    assert main(["code", "--session", str(cli_store), "CASE-001", "--option", "x"]) == 2


def test_move_resequences_and_pointers_follow(cli_store, capsys):
    # QA: the CLI could not resequence (code-first fixes) without removing and re-adding codes.
    assert main(["code", "--session", str(cli_store), "CASE-001", "--dx", "N18.31", "E11.22",
                 "--line", "G0439 >B"]) == 0
    assert main(["code", "--session", str(cli_store), "CASE-001", "--move", "e11.22", "A"]) == 0
    with SessionStore.open(cli_store, readonly=True) as s:
        w = s.work("CASE-001")
        assert w.diagnoses == ["E11.22", "N18.31"] and w.lines[0].pointers == ["A"]
        assert s.audit("CASE-001")[-1]["action"] == "move_dx"
    assert main(["code", "--session", str(cli_store), "CASE-001", "--move", "I10", "A"]) == 2
    assert main(["code", "--session", str(cli_store), "CASE-001", "--move", "E11.22", "M"]) == 2


def test_payer_claim_number_from_the_command_line(cli_store, capsys):
    """QA round 3: a replacement claim needs the payer's claim number; `code` sets and clears it."""
    assert main(["code", "--session", str(cli_store), "CASE-001", "--payer-claim-number", " ab-123/4 "]) == 0
    assert "Payer claim number: AB-123/4" in capsys.readouterr().out
    assert main(["code", "--session", str(cli_store), "CASE-001", "--payer-claim-number", "12 34"]) == 2
    assert "payer claim number" in capsys.readouterr().err
    with SessionStore.open(cli_store, readonly=True) as s:
        assert s.work("CASE-001").payer_claim_number == "AB-123/4"
        e = s.audit("CASE-001")[-1]
        assert (e["action"], e["before"], e["after"]) == ("set_payer_claim_number", "", "AB-123/4")
        assert s.work("CASE-001").status == "new"  # not a coding change
    assert main(["code", "--session", str(cli_store), "CASE-001", "--payer-claim-number", ""]) == 0
    with SessionStore.open(cli_store, readonly=True) as s:
        assert s.work("CASE-001").payer_claim_number == ""
