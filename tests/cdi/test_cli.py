"""`workstation gaps` and `workstation queries ...`: the lifecycle from the command line."""
from __future__ import annotations

import stat

import orjson
import pytest

from workstation.cases.demo import demo_cases
from workstation.cli import main
from workstation.session.store import SessionStore


@pytest.fixture
def demo_store(tmp_path):
    path = tmp_path / "s.json"
    with SessionStore.open(path) as s:
        s.add_cases([c for c in demo_cases() if c.case_id in ("DEMO-001", "DEMO-025", "DEMO-028")])
        s.assign_dx("DEMO-025", "M17.10")
        s.assign_dx("DEMO-028", "I11.0")
        s.assign_dx("DEMO-028", "I50.9")
        s.assign_dx("DEMO-001", "M17.11")  # a fully specified code: no gap
    return path


def test_gaps_lists_what_to_query_with_the_record_and_the_source(demo_store, capsys):
    assert main(["gaps", "--session", str(demo_store)]) == 0
    out = capsys.readouterr().out
    assert "DEMO-025" in out and "1. query unspecified    M17.10" in out
    assert "DEMO-028" in out and "BNP 1,450 pg/mL" in out and "source: Bozkurt B" in out
    assert "DEMO-001" not in out
    assert main(["gaps", "--session", str(demo_store), "--case", "DEMO-028", "--json"]) == 0
    [g] = orjson.loads(capsys.readouterr().out)["DEMO-028"]
    assert (g["kind"], g["action"], g["code"], g["number"], g["queried"]) == ("specificity", "query", "I50.9", 1, False)
    assert main(["gaps", "--session", str(demo_store), "--case", "NOPE"]) == 2


def test_draft_send_list_show_answer_and_the_hold(demo_store, capsys):
    assert main(["queries", "draft", "--session", str(demo_store), "DEMO-025"]) == 0  # printed, not sent
    assert "Unilateral primary osteoarthritis, left knee (M17.12)" in capsys.readouterr().out
    with SessionStore.open(demo_store, readonly=True) as s:
        assert s.work("DEMO-025").queries == []
    assert main(["queries", "draft", "--session", str(demo_store), "DEMO-025", "--send"]) == 0
    assert "query Q1 raised to Castillo, Diego" in capsys.readouterr().out
    assert main(["queries", "draft", "--session", str(demo_store), "DEMO-028", "--send",
                 "--question", "Please clarify the acuity of the heart failure.",
                 "--option", "Acute", "--option", "Chronic", "--option", "Acute on chronic"]) == 0
    capsys.readouterr()
    with SessionStore.open(demo_store, readonly=True) as s:
        w = s.work("DEMO-025")
        assert w.status == "query" and w.queries[0].gap == "unspecified:M17.10"
        assert s.work("DEMO-028").queries[0].options == ["Acute", "Chronic", "Acute on chronic",
                                                          "Other (please specify)", "Clinically undetermined"]
    assert main(["gaps", "--session", str(demo_store), "--case", "DEMO-025"]) == 0
    assert "(queried)" in capsys.readouterr().out

    assert main(["queries", "list", "--session", str(demo_store)]) == 0
    out = capsys.readouterr().out
    assert "DEMO-025     Q1    open" in out and "Castillo, Diego" in out and "2 open" in out
    assert main(["queries", "show", "--session", str(demo_store), "DEMO-025", "q1"]) == 0
    assert "Patient: Navarro, Patricia" in capsys.readouterr().out

    assert main(["queries", "answer", "--session", str(demo_store), "DEMO-025", "Q1",
                 "Unilateral primary osteoarthritis, left knee (M17.12)"]) == 0
    assert "case in_progress" in capsys.readouterr().out  # the last open query answered ends the hold
    assert main(["queries", "withdraw", "--session", str(demo_store), "DEMO-028", "Q1"]) == 0
    assert main(["queries", "withdraw", "--session", str(demo_store), "DEMO-028", "Q1"]) == 2
    assert "withdrawn, not open" in capsys.readouterr().err
    with SessionStore.open(demo_store, readonly=True) as s:
        assert s.work("DEMO-028").status == "in_progress"
        actions = [e["action"] for e in s.audit("DEMO-025")]
        assert actions[-4:] == ["add_query", "set_status", "answer_query", "set_status"]


def test_a_non_compliant_query_is_refused_from_the_cli_with_the_reason(demo_store, capsys):
    rc = main(["code", "--session", str(demo_store), "DEMO-028", "--query", "Is this acute on chronic?",
               "--indicators", "BNP 1,450", "--option", "Yes", "--option", "No"])
    assert rc == 2 and "yes/no query may only" in capsys.readouterr().err
    rc = main(["queries", "draft", "--session", str(demo_store), "DEMO-028", "--send", "--option", "Acute"])
    assert rc == 2 and "at least two" in capsys.readouterr().err
    with SessionStore.open(demo_store, readonly=True) as s:
        assert s.work("DEMO-028").queries == [] and s.work("DEMO-028").status == "in_progress"


def test_export_one_text_document_per_provider_and_json_private_never_overwritten(demo_store, tmp_path, capsys):
    main(["queries", "draft", "--session", str(demo_store), "DEMO-025", "--send"])
    main(["queries", "draft", "--session", str(demo_store), "DEMO-028", "--send"])
    out = tmp_path / "send"
    assert main(["queries", "export", "--session", str(demo_store), "--out", str(out)]) == 0
    files = sorted(p.name for p in out.iterdir())
    assert files == ["queries-castillo-diego.txt", "queries-haddad-samir.txt"]
    for p in out.iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == 0o600
    assert "Query DEMO-028 Q1" in (out / "queries-haddad-samir.txt").read_text()
    assert main(["queries", "export", "--session", str(demo_store), "--out", str(out)]) == 2
    assert main(["queries", "export", "--session", str(demo_store), "--format", "json", "--out", str(tmp_path / "q.json")]) == 0
    doc = orjson.loads((tmp_path / "q.json").read_bytes())
    assert [(d["case_id"], d["provider"]) for d in doc] == [("DEMO-025", "Castillo, Diego"), ("DEMO-028", "Haddad, Samir")]
    capsys.readouterr()
    # A case with an open query never exports.
    assert main(["export", "--session", str(demo_store), "--format", "837p", "--out", str(tmp_path / "x.837"),
                 "--case", "DEMO-025", "--dry-run"]) in (0, 1)
    assert "DEMO-025: status is query" in capsys.readouterr().out


def test_a_yes_no_query_only_for_present_on_admission_or_a_documented_condition(demo_store, capsys):
    args = ["code", "--session", str(demo_store), "DEMO-028", "--query",
            "Was the heart failure exacerbation present on admission?", "--indicators",
            "Discharge summary: 3-pillow orthopnea and 4 kg weight gain before admission", "--option", "Yes", "--option", "No"]
    assert main(args) == 2
    assert main(args + ["--yes-no", "poa"]) == 0
    with SessionStore.open(demo_store, readonly=True) as s:
        [q] = s.work("DEMO-028").queries
        assert (q.form, q.options) == ("poa", ["Yes", "No", "Other (please specify)", "Clinically undetermined"])
