"""`workstation search` on the command line: text, --json, --jsonl, errors."""
from __future__ import annotations

import io
import sys

import orjson
import pytest

from workstation.cli import main


def test_search_prints_codes(engine, capsys):
    assert main(["search", "t2dm", "ckd", "--limit", "3"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("E11.22")


def test_search_json(engine, capsys):
    assert main(["search", "--json", "--system", "icd10cm", "--limit", "2", "e112"]) == 0
    doc = orjson.loads(capsys.readouterr().out)
    assert doc["query"] == "e112"
    assert [r["code"] for r in doc["results"]] == ["E11.2", "E11.21"]
    assert set(doc["results"][0]) >= {"code", "system", "title", "billable", "score", "via"}


def test_search_jsonl_one_line_per_query(engine, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("diabtes\nE11.22\n\naspirin poisoning accidental\n"))
    assert main(["search", "--jsonl", "--limit", "2", "--system", "icd10cm"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4
    docs = [orjson.loads(l) for l in lines]
    assert [d["query"] for d in docs] == ["diabtes", "E11.22", "", "aspirin poisoning accidental"]
    assert docs[1]["results"][0] == {
        "code": "E11.22", "system": "icd10cm",
        "title": "Type 2 diabetes mellitus with diabetic chronic kidney disease",
        "billable": True, "score": 100.0, "via": "code",
    }
    assert docs[2]["results"] == []
    assert docs[3]["results"][0]["code"] == "T39.011"


def test_search_date_restricts(engine, capsys):
    assert main(["search", "--json", "--date", "2019-06-01", "E11.22"]) == 0
    captured = capsys.readouterr()
    assert all(r["system"] != "icd10cm" for r in orjson.loads(captured.out)["results"])
    assert "no compiled ICD-10-CM release" in captured.err


@pytest.mark.parametrize("argv, message", [
    (["search"], "give words or a code"),
    (["search", "x", "--date", "2025-13-01"], "not a date"),
    (["search", "x", "--limit", "0"], "--limit"),
    (["search", "--jsonl", "x"], "standard input"),
])
def test_usage_errors(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err
