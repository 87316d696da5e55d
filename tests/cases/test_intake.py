"""Importing encounters: FHIR R4 bundles, JSON cases, text notes, and every kind of bad input."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import orjson
import pytest

from workstation.cases import intake
from workstation.cases.demo import demo_cases
from workstation.cases.intake import MAX_FILE_BYTES, import_paths
from workstation.cases.jsonfile import validate

FIX = Path(__file__).parent / "fixtures"
BUNDLE = FIX / "fhir" / "synthea_like_bundle.json"
# names in the fixtures: none may appear in a message
PATIENT_WORDS = ("Quigley", "Tobias", "Irene", "Muñoz", "José", "Example", "Rosa", "Dana", "Larkspur", "1958", "2014-02-17")


def msgs(report, severity: str | None = None) -> list[str]:
    return [str(m) for m in report.messages if severity is None or m.severity == severity]


def assert_no_patient_details(report) -> None:
    for m in report.messages:
        for word in PATIENT_WORDS:
            assert word not in m.text and word not in m.record, (word, str(m))


# ------------------------------------------------------------------ FHIR

def test_fhir_bundle_gives_one_case_per_encounter() -> None:
    r = import_paths([BUNDLE])
    assert not r.errors
    assert [c.encounter.type for c in r.cases] == ["office", "emergency", "inpatient"]
    assert [c.encounter.place_of_service for c in r.cases] == ["11", "23", "21"]
    office, ed, inpatient = r.cases
    assert office.encounter.date_of_service == "2026-01-08"
    # inpatient: the discharge date decides the code year
    assert (inpatient.encounter.admit_date, inpatient.encounter.discharge_date, inpatient.encounter.date_of_service) == (
        "2026-05-02", "2026-05-04", "2026-05-04")
    p = office.patient
    assert (p.first, p.middle, p.last, p.dob, p.sex) == ("Tobias", "Lee", "Quigley", "2014-02-17", "M")
    assert (p.address.state, p.address.zip) == ("OH", "43215")  # state name -> USPS code
    assert office.encounter.rendering_provider.npi == "1720536840"  # from the conditional reference
    assert office.encounter.rendering_provider.name == "Nguyen, Linh"
    # The case names its file by content, not by name (issue 20: Synthea names files after patients).
    from workstation.cases.intake import file_id

    assert all(c.case_id.startswith("FHIR-") and c.source == file_id(BUNDLE.read_bytes()) for c in r.cases)
    assert len({c.source_key for c in r.cases}) == 3


def test_fhir_coverage_with_the_patient_not_the_subscriber() -> None:
    cov = import_paths([BUNDLE]).cases[0].coverage
    assert (cov.payer_name, cov.payer_id, cov.member_id, cov.group_number, cov.plan_type) == (
        "Lakeshore Health Plan", "LHP77", "LHP55501234", "45010", "CI")
    assert cov.relationship == "child"
    assert cov.subscriber is not None and (cov.subscriber.first, cov.subscriber.sex) == ("Irene", "F")
    assert not cov.self_pay


def test_fhir_conditions_and_notes_are_documentation_not_codes() -> None:
    ed = import_paths([BUNDLE]).cases[1]
    summary = ed.documents[0]
    assert summary.title == "Encounter summary"
    assert "Fracture of forearm (disorder) [SNOMED CT 65966004]" in summary.text
    assert "not assigned codes" in summary.text
    assert "Plain X-ray" in summary.text
    notes = [d for d in ed.documents[1:]]
    assert len(notes) == 1 and "torus fracture of the distal left radius" in notes[0].text  # base64 decoded
    assert notes[0].title == "History and physical note"


def test_fhir_reports_ignored_types_pdf_and_unlinked_resources_once() -> None:
    r = import_paths([BUNDLE])
    infos = msgs(r, "info")
    assert any("ExplanationOfBenefit (1), Immunization (1), Observation (1)" in m for m in infos)
    assert any("DocumentReference/d0000000-0000-4000-8000-000000000009" in m and "application/pdf" in m for m in infos)
    assert any("not linked to an encounter" in m and "Condition (1)" in m for m in infos)
    assert_no_patient_details(r)


def test_reimporting_a_later_export_adds_only_the_new_encounter() -> None:
    r = import_paths([BUNDLE, FIX / "fhir" / "synthea_like_bundle_later_export.json"])
    assert len(r.cases) == 4 and r.skipped_duplicates == 3
    assert r.cases[-1].encounter.type == "telehealth" and r.cases[-1].encounter.place_of_service == "10"
    again = import_paths([BUNDLE], known_keys={c.source_key for c in r.cases})
    assert again.cases == [] and again.skipped_duplicates == 3


def test_bundle_without_patient_is_refused_with_a_message() -> None:
    r = import_paths([FIX / "bad" / "bundle_without_patient.json"])
    assert r.cases == []
    (err,) = r.errors
    assert "missing patient" in err.text and err.file.endswith("bundle_without_patient.json")


def test_an_encounter_whose_patient_is_missing_is_skipped_alone() -> None:
    r = import_paths([FIX / "bad" / "bundle_with_dangling_subject.json"])
    assert [c.encounter.type for c in r.cases] == ["office", "inpatient"]
    (err,) = r.errors
    assert err.record == "Encounter/8e0b1f00-2222-4c55-8d00-00000000a002" and "missing patient" in err.text


def test_a_single_resource_that_is_not_a_bundle() -> None:
    r = import_paths([FIX / "bad" / "single_observation.json"])
    assert r.cases == [] and "not a Bundle" in r.errors[0].text


def test_fhir_self_pay_and_payer_from_claim_display(tmp_path: Path) -> None:
    b = orjson.loads(BUNDLE.read_bytes())
    b["entry"] = [e for e in b["entry"] if e["resource"]["resourceType"] != "Coverage"]
    for e in b["entry"]:
        if e["resource"]["resourceType"] == "Claim":
            e["resource"]["insurance"][0]["coverage"]["display"] = "NO_INSURANCE"
    f = tmp_path / "b.json"
    f.write_bytes(orjson.dumps(b))
    r = import_paths([f])
    assert r.cases[0].coverage.self_pay
    assert any("payer is unknown" in m.text for m in r.warnings)  # encounters without a Claim


# ------------------------------------------------------------------ JSON case format

def test_json_cases_list_object_and_wrapper(tmp_path: Path) -> None:
    r = import_paths([FIX / "json"])
    assert [c.case_id for c in r.cases] == ["CLINIC-0003", "CLINIC-0001", "CLINIC-0002"]  # one_case, two_cases
    assert r.cases[2].coverage.relationship == "child" and r.cases[2].coverage.subscriber.first == "Pat"
    wrapped = tmp_path / "wrapped.json"
    wrapped.write_bytes(orjson.dumps({"cases": [c.to_dict() for c in demo_cases()[:2]]}))
    r2 = import_paths([wrapped])
    assert [c.to_dict() for c in r2.cases] == [c.to_dict() for c in demo_cases()[:2]]  # round trip, keys kept


def test_json_errors_name_the_record_and_the_field() -> None:
    r = import_paths([FIX / "bad" / "cases_invalid.json"])
    assert [c.case_id for c in r.cases] == ["OK-3"]
    by_record = {m.record: m.text for m in r.errors}
    assert "cases[0].encounter.date_of_service: required" in by_record["cases[0] (BAD-1)"]
    assert "cases[0].patient.sex: must be one of" in by_record["cases[0] (BAD-1)"]
    bad2 = by_record["cases[1] (BAD-2)"]
    assert "cases[1].patient.address.zip" in bad2 and "cases[1].encounter.type" in bad2
    assert "cases[1].encounter.date_of_service: not a calendar date" in bad2
    assert_no_patient_details(r)


def test_every_demo_case_matches_the_schema() -> None:
    for c in demo_cases():
        assert validate(c.to_dict()) == []


def test_schema_checker_catches_wrong_types() -> None:
    errs = validate({"patient": "someone", "encounter": {"type": "office", "date_of_service": "2026-01-01"}, "documents": {}})
    assert "case.patient: expected object, got string" in errs
    assert "case.documents: expected array, got object" in errs


def test_malformed_json_names_the_file_and_the_others_still_import() -> None:
    r = import_paths([FIX / "bad" / "malformed.json", BUNDLE])
    assert len(r.cases) == 3
    (err,) = r.errors
    assert err.file.endswith("malformed.json") and err.text.startswith("malformed JSON")


# ------------------------------------------------------------------ text notes

def test_text_notes_folder() -> None:
    r = import_paths([FIX / "notes"])
    assert not r.errors
    office, ed = r.cases
    assert (office.patient.last, office.patient.first, office.patient.middle, office.patient.dob) == (
        "Example", "Dana", "Lee", "1958-04-12")
    assert office.coverage.payer_id == "15202" and office.coverage.member_id == "5TN2WA8KP62"
    assert office.encounter.rendering_provider.npi == "1482039157"
    assert office.documents[0].title == "Progress note" and office.documents[0].text.startswith("CC: Knee pain")
    assert (ed.encounter.type, ed.encounter.place_of_service, ed.encounter.date_of_service) == ("emergency", "23", "2026-03-15")
    assert ed.coverage.self_pay and ed.case_id.startswith("NOTE-")


def test_note_without_patient_and_note_not_utf8() -> None:
    r = import_paths([FIX / "bad" / "note_without_patient.txt", FIX / "bad" / "note_latin1.txt"])
    assert r.cases == []
    texts = [m.text for m in r.errors]
    assert any(t.startswith("missing patient") for t in texts)
    assert any(t.startswith("not UTF-8 text (byte 0xf1 at offset 11)") for t in texts)
    assert_no_patient_details(r)


def test_text_without_a_header() -> None:
    f = FIX / "notes" / "2026-02-03_office.txt"
    r = import_paths([f])
    assert len(r.cases) == 1
    body_only = f.read_text().split("---\n", 1)[1]
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "x.txt"
        p.write_text(body_only)
        r2 = import_paths([p])
    assert r2.cases == [] and "no header" in r2.errors[0].text


# ------------------------------------------------------------------ files, sizes, crashes

def test_files_over_the_limit_are_not_read(tmp_path: Path) -> None:
    big = tmp_path / "huge.json"
    with open(big, "wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)  # sparse: no 50 MB written
    r = import_paths([big, BUNDLE])
    assert len(r.cases) == 3
    (err,) = r.errors
    assert err.file.endswith("huge.json") and "over the import limit of 50 MB" in err.text


def test_missing_paths_empty_folders_and_hidden_files(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    hidden = tmp_path / "full" / ".cache"
    hidden.mkdir(parents=True)
    (hidden / "junk.json").write_text("{not json")
    (tmp_path / "full" / "readme.md").write_text("not a case")
    (tmp_path / "full" / "case.json").write_bytes((FIX / "json" / "one_case.json").read_bytes())
    r = import_paths([tmp_path / "nope.json", tmp_path / "empty", tmp_path / "full"])
    assert [c.case_id for c in r.cases] == ["CLINIC-0003"] and r.files == 1
    assert any(m.severity == "error" and "no such file" in m.text for m in r.messages)
    assert any(m.severity == "warning" and "no .json or .txt" in m.text for m in r.messages)


def test_a_parser_crash_stops_only_its_file(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*a, **k):
        raise KeyError("surprise")

    monkeypatch.setattr(intake, "parse_bundle", boom)
    r = import_paths([BUNDLE, FIX / "json" / "one_case.json"])
    assert [c.case_id for c in r.cases] == ["CLINIC-0003"]
    assert "could not be imported (KeyError)" in r.errors[0].text


# ------------------------------------------------------------------ the command and the store

def _run(*argv: str) -> int:
    from workstation.cli import main

    return main(list(argv))


def test_import_command_twice_adds_nothing_the_second_time(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from workstation.session.store import SessionStore

    session = tmp_path / "s" / "imp.json"
    assert _run("import", "--session", str(session), str(FIX)) == 1  # the bad fixtures give errors
    out = capsys.readouterr()
    assert "12 case(s) added" in out.out and "3 duplicate(s) skipped" in out.out
    assert "malformed.json: error: malformed JSON" in out.err
    with SessionStore.open(session) as store:
        ids = store.case_ids()
        assert len(ids) == 12 and len(set(ids)) == 12
    assert stat.S_IMODE(os.stat(session.parent / "imp.json.cases").st_mode) == 0o600

    assert _run("import", "--session", str(session), "--json", str(FIX / "fhir"), str(FIX / "json"), str(FIX / "notes")) == 0
    report = orjson.loads(capsys.readouterr().out)
    assert report["added"] == [] and report["skipped_duplicates"] == 12  # 7 FHIR encounters, 3 JSON, 2 notes
    with SessionStore.open(session) as store:
        assert store.case_ids() == ids


def test_import_demo_flag_and_dry_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    session = tmp_path / "demo.json"
    assert _run("import", "--dry-run", str(FIX / "notes")) == 0
    assert "2 case(s) read, nothing saved" in capsys.readouterr().out
    assert not session.exists()
    assert _run("import", "--session", str(session), "--demo", str(FIX / "notes")) == 0
    assert f"{2 + len(demo_cases())} case(s) added" in capsys.readouterr().out


def test_top_level_session_option_and_bare_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("WORKSTATION_SESSIONS", str(tmp_path / "sessions"))
    assert _run("--session", "monday", "import", str(FIX / "notes")) == 0
    assert (tmp_path / "sessions" / "monday.json").exists()
    assert "2 case(s) added" in capsys.readouterr().out


def test_demo_worklist_is_found_when_sessions_live_elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from workstation.cases import demo

    monkeypatch.setenv("WORKSTATION_SESSIONS", str(tmp_path))
    assert demo.worklist_path().is_file()
    assert len(demo.demo_cases()) == len(demo_cases())


def test_import_into_an_open_store(tmp_path: Path) -> None:
    from workstation.session.store import SessionStore

    with SessionStore.open(tmp_path / "ui.json") as store:
        report, added = intake.import_into(store, [BUNDLE])
        assert len(added) == 3 and report.skipped_duplicates == 0
        report, added = intake.import_into(store, [BUNDLE], extra=demo_cases()[:1])
        assert added == ["DEMO-001"] and report.skipped_duplicates == 3


def test_json_nulls_mean_not_given(tmp_path: Path) -> None:
    f = tmp_path / "nulls.json"
    f.write_bytes(orjson.dumps({"patient": {"first": "A", "last": "B", "middle": None, "address": None},
                                "encounter": {"type": "office", "date_of_service": "2026-04-01", "facility": None},
                                "coverage": None, "documents": [{"title": "Note", "text": "Seen."}]}))
    r = import_paths([f])
    assert not r.errors, msgs(r)
    (case,) = r.cases
    assert case.coverage.relationship == "self" and case.patient.address.zip == "" and case.encounter.facility == ""
    assert case.case_id.startswith("JSON-") and case.source.startswith("sha256:") and "nulls" not in case.source


# ------------------------------------------------------------------ accident date and service facility

def _ed_bundle(tmp_path: Path, *, location: bool = True, accident: dict | None = None) -> Path:
    """The fixture bundle with the ED encounter at a Location (address, NPI) and a Claim with an accident."""
    b = orjson.loads(BUNDLE.read_bytes())
    ed_ref = "urn:uuid:7e0b1f00-2222-4c55-8d00-00000000a002"
    loc_url = "urn:uuid:10c00000-0000-4000-8000-000000000001"
    org_url = "urn:uuid:0c000000-0000-4000-8000-000000000001"
    b["entry"].append({"fullUrl": org_url, "resource": {
        "resourceType": "Organization", "id": "0c000000-0000-4000-8000-000000000001", "name": "Example Children's Hospital",
        "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1508002106"}],
        "address": [{"line": ["1 Org Plaza"], "city": "Columbus", "state": "Ohio", "postalCode": "43205"}]}})
    if location:
        b["entry"].append({"fullUrl": loc_url, "resource": {
            "resourceType": "Location", "id": "10c00000-0000-4000-8000-000000000001", "name": "Emergency Department",
            "address": {"line": ["700 Example Way", "Emergency entrance"], "city": "Columbus", "state": "OH",
                        "postalCode": "43205-2664"},
            "managingOrganization": {"reference": org_url}}})
    for e in b["entry"]:
        r = e["resource"]
        if e.get("fullUrl") == ed_ref:
            r["serviceProvider"] = {"reference": org_url}
            if location:
                r["location"] = [{"location": {"reference": loc_url}}]
    b["entry"].append({"fullUrl": "urn:uuid:e0000000-0000-4000-8000-0000000000a2", "resource": {
        "resourceType": "Claim", "id": "e0000000-0000-4000-8000-0000000000a2", "status": "active",
        "patient": {"reference": "urn:uuid:5c3a9d2e-1111-4a6b-9c1d-0a1b2c3d4e01"},
        "insurance": [{"sequence": 1, "focal": True, "coverage": {"display": "Lakeshore Health Plan"}}],
        "accident": accident if accident is not None else {
            "date": "2026-03-21", "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                                                       "code": "SPT"}]},
            "locationAddress": {"state": "Ohio"}},
        "item": [{"sequence": 1, "encounter": [{"reference": ed_ref}]}]}})
    f = tmp_path / "ed.json"
    f.write_bytes(orjson.dumps(b))
    return f


def test_fhir_facility_from_the_location_and_accident_from_the_claim(tmp_path: Path) -> None:
    r = import_paths([_ed_bundle(tmp_path)])
    assert not r.errors
    office, ed, _ = r.cases
    e = ed.encounter
    assert e.facility == "Example Children's Hospital"
    a = e.facility_address
    assert (a.line1, a.line2, a.city, a.state, a.zip) == ("700 Example Way", "Emergency entrance", "Columbus", "OH",
                                                          "432052664")
    assert e.facility_npi == "1508002106"  # the managing organization's NPI
    assert (e.accident, e.accident_date, e.accident_state) == ("OA", "2026-03-21", "OH")  # sports: other accident
    assert office.encounter.accident == "" and office.encounter.facility_address.line1 == ""
    assert not any("Location" in m for m in msgs(r, "info"))  # read, not ignored
    assert_no_patient_details(r)


def test_fhir_facility_falls_back_to_the_organization_and_mva_is_auto(tmp_path: Path) -> None:
    acc = {"date": "2026-03-20T23:10:00-04:00", "type": {"coding": [{"code": "MVA"}]}}
    ed = import_paths([_ed_bundle(tmp_path, location=False, accident=acc)]).cases[1].encounter
    assert (ed.facility_address.line1, ed.facility_address.zip, ed.facility_npi) == ("1 Org Plaza", "43205", "1508002106")
    assert (ed.accident, ed.accident_date, ed.accident_state) == ("AA", "2026-03-20", "")


def test_text_note_accident_and_facility_header(tmp_path: Path) -> None:
    f = tmp_path / "n.txt"
    f.write_text("Patient: Example, Rosa\nDOB: 1980-01-02\nDate of service: 2026-04-03\nEncounter: ED\n"
                 "Payer: Lakeshore Health Plan\nMember ID: LHP1\nFacility: Example Community Hospital\n"
                 "Facility address: 900 Example Drive, Springfield, IL 62703-0900\nFacility NPI: 1508002106\n"
                 "Accident: auto\nAccident date: 04/02/2026\nAccident state: il\n---\nRear-ended at a light.\n")
    r = import_paths([f])
    assert not r.errors and not r.warnings
    e = r.cases[0].encounter
    assert (e.facility_address.line1, e.facility_address.city, e.facility_address.state, e.facility_address.zip) == (
        "900 Example Drive", "Springfield", "IL", "627030900")
    assert (e.facility_npi, e.accident, e.accident_date, e.accident_state) == ("1508002106", "AA", "2026-04-02", "IL")


def test_text_note_bad_accident_and_facility_lines_are_warnings(tmp_path: Path) -> None:
    f = tmp_path / "n.txt"
    f.write_text("Patient: Example, Rosa\nDate of service: 2026-04-03\nPayer: X\n"
                 "Facility address: somewhere downtown\nFacility NPI: 12345\nAccident: meteor\n"
                 "Accident date: yesterday\n---\nNote.\n")
    r = import_paths([f])
    assert len(r.cases) == 1
    warned = " ".join(m.text for m in r.warnings)
    for part in ("facility address must read", "facility NPI must be 10 digits", "accident must be auto",
                 "unreadable accident date"):
        assert part in warned
    e = r.cases[0].encounter
    assert (e.facility_address.line1, e.facility_npi, e.accident, e.accident_date) == ("", "", "", "")
    assert "downtown" not in warned  # the value itself is never echoed


def test_json_accident_and_facility_fields(tmp_path: Path) -> None:
    case = demo_cases()[0].to_dict()
    case.pop("source_key")
    enc = case["encounter"]
    enc.update(place_of_service="22", accident="EM", accident_date="2026-01-10", facility_npi="1508002106",
               facility_address={"line1": "900 Example Drive", "city": "Springfield", "state": "IL", "zip": "627030900"})
    f = tmp_path / "c.json"
    f.write_bytes(orjson.dumps(case))
    r = import_paths([f])
    assert not r.errors and not r.warnings
    e = r.cases[0].encounter
    assert (e.accident_date, e.facility_npi, e.facility_address.zip, e.facility_address.line2) == (
        "2026-01-10", "1508002106", "627030900", "")
    # wrong forms are named by field
    enc.update(accident_date="2026-02-30", facility_npi="15080", facility_address={"zip": "1234", "state": "Ohio"})
    errs = validate(case)
    for field in ("case.encounter.accident_date: not a calendar date", "case.encounter.facility_npi",
                  "case.encounter.facility_address.zip", "case.encounter.facility_address.state"):
        assert any(e.startswith(field) for e in errs), (field, errs)


def test_json_warns_about_an_accident_without_its_date_and_a_bad_facility_npi(tmp_path: Path) -> None:
    case = demo_cases()[0].to_dict()
    case.pop("source_key")
    case["encounter"].update(accident="OA", facility_npi="1508002107")
    f = tmp_path / "c.json"
    f.write_bytes(orjson.dumps(case))
    warned = [m.text for m in import_paths([f]).warnings]
    assert any("without the accident date" in w for w in warned)
    assert any(w.startswith("service facility") and "check digit" in w for w in warned)


def test_demo_accidents_have_dates_and_hospital_cases_a_facility() -> None:
    for c in demo_cases():
        e = c.encounter
        if e.accident:
            assert e.accident_date and e.accident_date <= e.date_of_service, c.case_id
        if e.place_of_service in ("21", "22", "23", "24"):
            a = e.facility_address
            assert a.line1 and a.city and a.state and len(a.zip) == 9, c.case_id
            assert len(e.facility_npi) == 10, c.case_id
