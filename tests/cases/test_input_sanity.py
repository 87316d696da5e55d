"""Input sanity (issue 20): impossible dates per record, XML, FIFOs and symlink loops by name."""
from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest

from workstation.cases.intake import date_problems, import_paths
from workstation.cases.model import Case, Encounter, Person


def _record(case_id: str, dob: str = "1960-04-12", dos: str = "2026-03-02", **enc) -> dict:
    return {"case_id": case_id, "patient": {"first": "Test", "last": "Person", "dob": dob, "sex": "F"},
            "encounter": {"type": "office", "date_of_service": dos, **enc},
            "documents": [{"title": "Note", "text": "Hypertension, stable."}]}


def _import(tmp_path: Path, records: list[dict]):
    f = tmp_path / "cases.json"
    f.write_bytes(orjson.dumps({"cases": records}))
    return import_paths([f])


@pytest.mark.parametrize("dob,dos,why", [
    ("1960-02-30", "2026-03-02", "patient birth date is not a calendar date"),
    ("1960-13-01", "2026-03-02", "patient birth date is not a calendar date"),
    ("2999-01-01", "2026-03-02", "birth date is in the future"),
    ("2026-03-05", "2026-03-02", "birth date is after the date of service"),
    ("1960-04-12", "2026-02-30", "date_of_service: not a calendar date"),
])
def test_an_impossible_date_refuses_that_record_only(tmp_path, dob, dos, why):
    report = _import(tmp_path, [_record("GOOD-1"), _record("BAD-1", dob, dos)])
    assert [c.case_id for c in report.cases] == ["GOOD-1"]
    errors = [str(m) for m in report.errors]
    assert len(errors) == 1 and "BAD-1" in errors[0] and why in errors[0], errors
    assert dob not in errors[0] or why.endswith("calendar date")  # no birth date in a message


def test_dates_that_are_fine_pass():
    case = Case("OK-1", Person("A", "B", dob="2026-03-02"), Encounter("office", "2026-03-02"))
    assert date_problems(case) == []  # a newborn seen on the day of birth


def test_fhir_impossible_date_is_refused_per_record(tmp_path):
    fixture = Path(__file__).parent / "fixtures" / "fhir" / "synthea_like_bundle.json"
    bundle = orjson.loads(fixture.read_bytes())
    good = import_paths([fixture])
    assert good.cases and not good.errors
    for e in bundle["entry"]:
        if e["resource"]["resourceType"] == "Patient":
            e["resource"]["birthDate"] = "1970-02-31"
    f = tmp_path / "b.json"
    f.write_bytes(orjson.dumps(bundle))
    report = import_paths([f])
    assert report.cases == [] and len(report.errors) == len(good.cases)  # one message per encounter
    assert all("patient birth date is not a calendar date" in m.text and "1970" not in m.text for m in report.errors)


def test_xml_fifo_and_symlink_loop_get_their_own_messages(tmp_path):
    xml = tmp_path / "ccd.xml"
    xml.write_text('<?xml version="1.0"?><ClinicalDocument/>')
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    loop = tmp_path / "loop.json"
    os.symlink(loop, loop)
    dangling = tmp_path / "gone.json"
    os.symlink(tmp_path / "nowhere.json", dangling)
    report = import_paths([xml, fifo, loop, dangling])
    text = {Path(m.file).name: m.text for m in report.errors}
    assert "XML" in text["ccd.xml"]
    assert "named pipe (FIFO)" in text["pipe.json"]
    assert "symbolic link loop" in text["loop.json"]
    assert "symbolic link to a file that does not exist" in text["gone.json"]


def test_sessions_new_with_a_relative_path_creates_it_there(tmp_path, monkeypatch, capsys):
    from workstation.cli import main

    d = tmp_path / "here"
    d.mkdir(mode=0o700)
    monkeypatch.chdir(d)
    monkeypatch.setenv("WORKSTATION_SESSIONS", str(tmp_path / "sessions"))
    assert main(["sessions", "new", "./x.json"]) == 0
    assert (d / "x.json").exists() and not (tmp_path / "sessions" / "x.json").exists()


def test_the_audit_trail_names_an_imported_file_by_sha256_and_size(tmp_path):
    import hashlib

    from workstation.cases.intake import import_into
    from workstation.session.store import SessionStore

    f = tmp_path / "Jane_Doe_1960.json"  # named after its patient, as Synthea does
    f.write_bytes(orjson.dumps({"cases": [_record("AUD-1")]}))
    digest = hashlib.sha256(f.read_bytes()).hexdigest()
    with SessionStore.open(tmp_path / "s" / "s.json") as store:
        report, added = import_into(store, [f])
        assert added == ["AUD-1"]
        entry = store.audit("AUD-1")[0]
        assert entry["action"] == "add_case" and digest in entry["after"]["source"]
        assert f"{f.stat().st_size} bytes" in entry["after"]["source"]
    for p in (tmp_path / "s").iterdir():
        assert b"Jane_Doe" not in p.read_bytes()
