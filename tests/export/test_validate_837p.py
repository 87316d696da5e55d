"""Validation: pyx12 finds structural errors; our checks find what pyx12 does not."""
from __future__ import annotations

from pathlib import Path

from tests.export.conftest import envelope, make_claim, person
from workstation.billing.settings import PracticeSettings
from workstation.codes import books
from workstation.export.validate_837p import own_checks, run_pyx12, validate_837p
from workstation.export.x12_837p import write_837p

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "codebook-sources" / "x12-837p-samples"


def good_text() -> str:
    claims = [make_claim(case_id="DEMO-0001"),
              make_claim(case_id="DEMO-0002", patient=person("Kim", "Kid", "2014-02-02", "M"),
                         subscriber=person("Lee", "Parent"), relationship="child")]
    return write_837p(claims, PracticeSettings(), envelope())


def test_demo_codes_are_billable_in_fy2026():
    book = books.icd10cm(fiscal_year=2026)
    for code in ("E11.22", "N18.31", "I10"):
        assert book.get(code).billable
    assert not book.get("E11").billable


def test_written_file_passes_pyx12_and_own_checks():
    report = validate_837p(good_text())
    assert report.ok, report.summary()
    assert report.claims == 2
    assert "IK5*A" in report.ack and "AK9*A*1*1*1" in report.ack


def test_pyx12_reports_structural_errors_without_patient_data():
    text = good_text().replace("N4*SPRINGFIELD*IL*62704~", "N4*SPRINGFIELD*IL*62704*US*EXTRA*MORE*X*Y*Z~", 1)
    text = text.replace("DMG*D8*19610412*F", "DMG*D8*19619999*F")
    problems, ack = run_pyx12(text)
    assert problems
    assert "IK5*R" in ack or "IK5*E" in ack
    joined = " ".join(p.message for p in problems)
    assert "DMG02" in joined
    assert "19619999" not in joined  # values are never echoed


def test_wrong_segment_count_is_caught():
    text = good_text()
    se = next(s for s in text.split("~") if s.strip().startswith("SE*"))
    n = int(se.strip().split("*")[1])
    report = validate_837p(text.replace(se.strip(), f"SE*{n + 1}*0001"))
    assert not report.ok
    assert any("SE count" in p.message or "count" in p.message.lower() for p in report.problems)


def test_total_mismatch_is_caught():
    text = good_text().replace("CLM*DEMO-0001*195.00", "CLM*DEMO-0001*196.00")
    problems, _, _ = own_checks(text)
    assert [p.message for p in problems] == ["CLM02 total 196.00 is not the sum of the SV102 charges 195.00"]


def test_bad_npi_is_caught():
    text = good_text().replace("XX*1234567893", "XX*1234567890")
    problems, _, _ = own_checks(text)
    assert problems and all("rendering provider NPI" in p.message for p in problems)


def test_header_and_unknown_codes_are_caught():
    text = good_text().replace("ABK:E1122", "ABK:E11", 1).replace("ABF:N1831", "ABF:N1899", 1)
    msgs = [p.message for p in own_checks(text)[0]]
    assert "ICD-10-CM E11 is not billable (a header) on 20260304" in msgs
    assert "ICD-10-CM N1899 is not a code on 20260304" in msgs


def test_code_not_yet_valid_on_an_earlier_date_is_caught():
    # N18.31 (CKD stage 3a) is valid in FY2025 and FY2026; E11.A (type 2 diabetes in remission) is new in FY2026.
    fy25 = books.icd10cm(fiscal_year=2025)
    assert fy25.get("E11.A") is None and books.icd10cm(fiscal_year=2026).get("E11.A").billable
    text = good_text().replace("ABK:E1122", "ABK:E11A").replace("20260304", "20250304")
    msgs = [p.message for p in own_checks(text)[0]]
    assert "ICD-10-CM E11A is not a code on 20250304" in msgs


def test_pointer_out_of_range_is_caught():
    text = good_text().replace("UN*1***1:2~", "UN*1***1:5~", 1)
    msgs = [p.message for p in own_checks(text)[0]]
    assert "diagnosis pointer 5 is out of range 1-2" in msgs


def test_not_x12_is_rejected():
    report = validate_837p("hello world")
    assert not report.ok


def test_published_sample_passes_pyx12():
    sample = SAMPLES / "demo.example1.837"
    if not sample.exists():
        import pytest

        pytest.skip("x12 samples not beside this clone")
    text = sample.read_text().replace("005010X222A2", "005010X222A1")
    problems, _ = run_pyx12(text)
    assert problems == []


def test_isa_width_is_checked():
    text = good_text()
    assert not [p for p in own_checks(text)[0] if p.segment == "ISA"]
    # a sender id one character short: the ISA is no longer 106 characters
    broken = text.replace("*ZZ*DEMOSUBMIT01   *", "*ZZ*DEMOSUBMIT01  *", 1)
    assert any(p.segment == "ISA" for p in own_checks(broken)[0])


def test_replacement_claim_without_ref_f8_is_caught():
    """QA round 3: a replacement (CLM05-3 7) must carry the payer claim control number REF*F8."""
    claim = make_claim(case_id="DEMO-0001")
    claim.frequency, claim.payer_claim_number = "7", "2226001234567"
    text = write_837p([claim], PracticeSettings(), envelope())
    assert ":B:7*" in text and "REF*F8*2226001234567~" in text
    report = validate_837p(text)
    assert report.ok, report.summary()  # pyx12 and own checks accept the replacement
    stripped = text.replace("REF*F8*2226001234567~\n", "")
    seg_count = next(s for s in stripped.split("~") if s.strip().startswith("SE*")).strip()
    n = int(seg_count.split("*")[1])
    stripped = stripped.replace(seg_count, f"SE*{n - 1}*0001")
    msgs = [p.message for p in own_checks(stripped)[0]]
    assert msgs == ["claim frequency 7 without the payer claim control number (REF*F8)"]
