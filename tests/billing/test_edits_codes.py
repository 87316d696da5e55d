"""Code validity: billable, 7th character, code year, duplicates, count. Real FY2025/FY2026 codes."""
from tests.billing.factory import DOS_FY2025, ids, make_case, make_work, only, run


def test_clean_case_has_no_errors_or_warnings():
    edits = run()
    # HCPCS July 2025 serving a 2026 date is always said (issue 13; tests/codes/test_code_years.py)
    assert [e for e in edits if e.severity != "info" and not e.edit_id.startswith("codeset.dated_")] == []


def test_header_code_not_billable():
    edits = run(work=make_work(["E11"]))
    [e] = only(edits, "dx.not_billable")
    assert e.target == "E11" and e.severity == "error" and "E11.9" not in e.message and "E11.0" in e.message
    assert "FY2026" in e.source
    assert "dx.not_billable" not in ids(run(work=make_work(["E11.9"])))


def test_needs_seventh_character_names_the_table():
    edits = run(work=make_work(["S72.012"]))
    [e] = only(edits, "dx.needs_seventh")
    assert "S72" in e.source and "A initial encounter for closed fracture" in e.message
    assert "dx.not_billable" not in ids(edits)  # one edit, the specific one
    assert not {"dx.needs_seventh", "dx.not_billable"} & ids(run(work=make_work(["S72.012A"])))


def test_wrong_seventh_character():
    edits = run(work=make_work(["S72.012Z"]))
    [e] = only(edits, "dx.bad_seventh")
    assert "S72.012" in e.message
    assert "dx.bad_seventh" not in ids(run(work=make_work(["S72.012D"])))


def test_code_not_in_the_code_year_of_the_dos():
    # E11.A (type 2 diabetes in remission) is new in FY2026.
    edits = run(make_case(dos=DOS_FY2025), make_work(["E11.A"]))
    [e] = only(edits, "dx.not_in_year")
    assert "FY2025" in e.message and "FY2026" in e.message and e.target == "E11.A"
    assert "dx.not_in_year" not in ids(run(make_case(), make_work(["E11.A"])))


def test_code_deleted_becomes_header():
    # B88.0 was billable in FY2025 and is a header in FY2026 (B88.01, B88.09).
    assert "dx.not_billable" in ids(run(make_case(), make_work(["B88.0"])))
    assert "dx.not_billable" not in ids(run(make_case(dos=DOS_FY2025), make_work(["B88.0"])))


def test_no_compiled_code_year():
    edits = run(make_case(dos="2019-05-01"), make_work(["E11.9"]))
    [e] = only(edits, "dx.no_release")
    assert e.severity == "error" and "no compiled code year" in e.message.lower()
    assert "dx.no_release" not in ids(run())


def test_unknown_and_malformed():
    assert "dx.unknown" in ids(run(work=make_work(["E11.99"])))
    assert "dx.malformed" in ids(run(work=make_work(["11E.9"])))
    assert not {"dx.unknown", "dx.malformed"} & ids(run(work=make_work(["E11.9"])))


def test_duplicate_diagnosis():
    edits = run(work=make_work(["E11.9", "I10", "E11.9"]))
    [e] = only(edits, "dx.duplicate")
    assert e.target == "E11.9"
    assert "dx.duplicate" not in ids(run(work=make_work(["E11.9", "I10"])))


THIRTEEN = ["Z00.00", "I10", "E11.9", "N18.30", "E78.5", "J45.909", "K21.9", "M54.50", "R51.9", "G43.909", "F41.1", "F32.A", "Z79.4"]


def test_more_than_twelve_diagnoses():
    assert "dx.too_many" in ids(run(work=make_work(THIRTEEN)))
    assert "dx.too_many" not in ids(run(work=make_work(THIRTEEN[:12])))


def test_no_diagnosis():
    assert "dx.none" in ids(run(work=make_work([])))


def test_excludes1_narrowed_by_fifth_character_gives_no_false_positive():
    """QA round 3: S23.0 Excludes1 "(M51.- with fifth character 4)" flagged every M51 code."""
    ok = run(work=make_work(["S23.0XXA", "M51.16"]))
    assert "dx.excludes1" not in ids(ok)
    clash = run(work=make_work(["S23.0XXA", "M51.24"]))  # thoracic region: the note means this one
    assert "dx.excludes1" in ids(clash)
