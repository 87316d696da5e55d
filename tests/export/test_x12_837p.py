"""The 837P writer: envelope, loops, counts, cleaning."""
from __future__ import annotations

from decimal import Decimal

import pytest

from tests.export.conftest import HOSPITAL, HOSPITAL_ADDRESS, HOSPITAL_NPI, envelope, make_claim, person
from workstation.cases.model import Address
from workstation.billing.settings import PracticeSettings
from workstation.export.x12_837p import DELIMITERS, X12DataError, clean, write_837p


def segments(text: str) -> list[list[str]]:
    return [s.strip().split("*") for s in text.split("~") if s.strip()]


def seg_ids(text: str) -> list[str]:
    return [s[0] for s in segments(text)]


def test_isa_is_fixed_width_with_padded_control_number():
    text = write_837p([make_claim()], PracticeSettings(), envelope(isa=42, gs=7))
    isa = text.split("~")[0] + "~"
    assert len(isa) == 106
    els = isa[:-1].split("*")
    assert len(els) == 17
    assert els[13] == "000000042"
    assert els[15] == "T" and els[16] == ":" and els[11] == "^" and els[12] == "00501"
    gs = segments(text)[1]
    assert gs[0] == "GS" and gs[1] == "HC" and gs[6] == "7" and gs[8] == "005010X222A1"
    assert segments(text)[-2] == ["GE", "1", "7"]
    assert segments(text)[-1] == ["IEA", "1", "000000042"]


def test_se_counts_segments_from_st_to_se():
    claims = [make_claim(case_id=f"C{i}") for i in range(3)]
    segs = segments(write_837p(claims, PracticeSettings(), envelope()))
    st = next(i for i, s in enumerate(segs) if s[0] == "ST")
    se = next(i for i, s in enumerate(segs) if s[0] == "SE")
    assert segs[st] == ["ST", "837", "0001", "005010X222A1"]
    assert int(segs[se][1]) == se - st + 1
    assert segs[se][2] == "0001"


def test_header_loops_in_order():
    ids = seg_ids(write_837p([make_claim()], PracticeSettings(), envelope()))
    assert ids[:14] == ["ISA", "GS", "ST", "BHT", "NM1", "PER", "NM1", "HL", "PRV", "NM1", "N3", "N4", "REF", "HL"]


def test_self_subscriber_has_no_patient_loop():
    segs = segments(write_837p([make_claim()], PracticeSettings(), envelope()))
    hls = [s for s in segs if s[0] == "HL"]
    assert hls == [["HL", "1", "", "20", "1"], ["HL", "2", "1", "22", "0"]]
    sbr = next(s for s in segs if s[0] == "SBR")
    assert sbr[1] == "P" and sbr[2] == "18" and sbr[-1] == "MB"
    assert not any(s[0] == "PAT" for s in segs)
    il = next(s for s in segs if s[:2] == ["NM1", "IL"])
    assert il[8:] == ["MI", "1EG4TE5MK73"]
    # subscriber who is the patient: N3, N4, DMG follow NM1*IL
    i = segs.index(il)
    assert [s[0] for s in segs[i + 1:i + 4]] == ["N3", "N4", "DMG"]
    assert segs[i + 3] == ["DMG", "D8", "19610412", "F"]


def test_dependent_gets_2000c_with_pat_and_demographics():
    claim = make_claim(patient=person("Tom", "Kid", "2015-06-01", "M"), subscriber=person("Pat", "Parent"),
                       relationship="child")
    segs = segments(write_837p([claim], PracticeSettings(), envelope()))
    hls = [s for s in segs if s[0] == "HL"]
    assert hls[1] == ["HL", "2", "1", "22", "1"]
    assert hls[2] == ["HL", "3", "2", "23", "0"]
    assert ["PAT", "19"] in segs
    qc = next(s for s in segs if s[:2] == ["NM1", "QC"])
    assert qc[3:5] == ["KID", "TOM"]
    assert ["DMG", "D8", "20150601", "M"] in segs
    sbr = next(s for s in segs if s[0] == "SBR")
    assert sbr[2] == ""


def test_claim_hi_lines_and_dates():
    segs = segments(write_837p([make_claim()], PracticeSettings(), envelope()))
    clm = next(s for s in segs if s[0] == "CLM")
    assert clm[1:3] == ["DEMO-0001", "195.00"] and clm[5] == "11:B:1" and clm[6:10] == ["Y", "A", "Y", "Y"]
    assert ["HI", "ABK:E1122", "ABF:N1831"] in segs
    sv1 = [s for s in segs if s[0] == "SV1"]
    assert sv1[0] == ["SV1", "HC:99214:25", "185.00", "UN", "1", "", "", "1:2"]
    assert sv1[1] == ["SV1", "HC:81002", "10.00", "UN", "1", "", "", "2"]
    assert [s for s in segs if s[0] == "LX"] == [["LX", "1"], ["LX", "2"]]
    assert [s for s in segs if s[0] == "DTP"] == [["DTP", "472", "D8", "20260304"]] * 2
    assert ["NM1", "82", "1", "RIVERA", "DANA", "", "", "", "XX", "1234567893"] in segs
    assert ["PRV", "PE", "PXC", "207Q00000X"] in segs


def test_accident_and_prior_authorization():
    claim = make_claim(accident="AA", accident_state="il", accident_date="2026-03-01", prior_auth="AUTH-7781")
    segs = segments(write_837p([claim], PracticeSettings(), envelope()))
    clm = next(s for s in segs if s[0] == "CLM")
    assert clm[11] == "AA:::IL"
    assert ["REF", "G1", "AUTH-7781"] in segs
    # DTP*439 right after CLM (before REF), the only 2300 date on an office claim
    i = segs.index(clm)
    assert segs[i + 1] == ["DTP", "439", "D8", "20260301"]


@pytest.mark.parametrize("code", ["AA", "OA", "EM"])
def test_accident_date_written_for_every_accident_code(code):
    claim = make_claim(accident=code, accident_state="OH", accident_date="2026-02-27")
    segs = segments(write_837p([claim], PracticeSettings(), envelope()))
    assert segs.count(["DTP", "439", "D8", "20260227"]) == 1
    assert next(s for s in segs if s[0] == "CLM")[11] == ("AA:::OH" if code == "AA" else code)


def test_no_accident_no_accident_date():
    claim = make_claim(accident_date="2026-02-27")  # a date alone says nothing: no CLM11, no DTP*439
    segs = segments(write_837p([claim], PracticeSettings(), envelope()))
    assert not any(s[:2] == ["DTP", "439"] for s in segs)
    assert len(next(s for s in segs if s[0] == "CLM")) == 10


@pytest.mark.parametrize("code", ["AA", "OA"])
def test_accident_without_date_is_refused_where_the_tr3_requires_it(code):
    with pytest.raises(X12DataError, match="accident date"):
        write_837p([make_claim(accident=code, accident_state="OH")], PracticeSettings(), envelope())


def test_employment_without_date_is_written_without_dtp439():
    segs = segments(write_837p([make_claim(accident="EM")], PracticeSettings(), envelope()))
    assert not any(s[:2] == ["DTP", "439"] for s in segs)


def test_accident_date_comes_before_admission_date():
    claim = make_claim(accident="OA", accident_date="2026-02-28", encounter_type="inpatient", pos="21")
    claim.admit_date = "2026-03-01"
    segs = segments(write_837p([claim], PracticeSettings(), envelope()))
    dtps = [s[1] for s in segs if s[0] == "DTP"]
    assert dtps[:2] == ["439", "435"]


def _facility_claim(pos="23", npi=HOSPITAL_NPI, address=HOSPITAL_ADDRESS):
    return make_claim(encounter_type="emergency", pos=pos, facility=HOSPITAL, facility_address=address,
                      facility_npi=npi)


def test_service_facility_2310c_after_rendering_provider():
    segs = segments(write_837p([_facility_claim()], PracticeSettings(), envelope()))
    i = segs.index(["NM1", "77", "2", "EXAMPLE COMMUNITY HOSPITAL", "", "", "", "", "XX", HOSPITAL_NPI])
    assert segs[i - 2][:2] == ["NM1", "82"] and segs[i - 1][0] == "PRV"  # 2310B, then 2310C
    assert segs[i + 1] == ["N3", "900 EXAMPLE DRIVE"]
    assert segs[i + 2] == ["N4", "SPRINGFIELD", "IL", "627030900"]
    assert segs[i + 3] == ["LX", "1"]
    assert next(s for s in segs if s[0] == "CLM")[5] == "23:B:1"


@pytest.mark.parametrize("npi", ["", "1508002107"])  # none, or a bad check digit: NM1 without NM108/NM109
def test_service_facility_npi_only_when_valid(npi):
    segs = segments(write_837p([_facility_claim(npi=npi)], PracticeSettings(), envelope()))
    assert ["NM1", "77", "2", "EXAMPLE COMMUNITY HOSPITAL"] in segs


@pytest.mark.parametrize("pos", ["11", "10", "02"])
def test_no_service_facility_at_the_office_or_by_telehealth(pos):
    segs = segments(write_837p([_facility_claim(pos=pos)], PracticeSettings(), envelope()))
    assert not any(s[:2] == ["NM1", "77"] for s in segs)


def test_no_service_facility_without_an_address():
    segs = segments(write_837p([_facility_claim(address=Address())], PracticeSettings(), envelope()))
    assert not any(s[:2] == ["NM1", "77"] for s in segs)


def test_service_facility_needs_nine_digit_zip():
    claim = _facility_claim(address=Address("900 Example Drive", "", "Springfield", "IL", "62703"))
    with pytest.raises(X12DataError, match="service facility ZIP must be 9 digits"):
        write_837p([claim], PracticeSettings(), envelope())


def test_facility_claims_validate_with_pyx12():
    from workstation.export.validate_837p import validate_837p

    claims = [_facility_claim(), _facility_claim(npi=""),
              make_claim(case_id="ACC-1", accident="OA", accident_date="2026-03-01", encounter_type="emergency",
                         pos="23", facility=HOSPITAL, facility_address=HOSPITAL_ADDRESS)]
    claims[1].claim_id = "FAC-2"
    report = validate_837p(write_837p(claims, PracticeSettings(), envelope()))
    assert report.ok, report.summary()
    assert report.claims == 3


@pytest.mark.parametrize("last", ["O'Brien", "Smith*Jones", "Ann~Marie", "Col:on", "Rep^eat", "Zoë Ñúñez",
                                  "Tab\tNew\nLine"])
def test_names_never_break_the_file(last):
    claim = make_claim(patient=person("Ann~Marie", last, line1="1 Main St: Apt ^2~"))
    text = write_837p([claim], PracticeSettings(), envelope())
    segs = segments(text)
    assert all(len(s) <= 20 for s in segs)
    il = next(s for s in segs if s[:2] == ["NM1", "IL"])
    assert il[4] == "ANN MARIE"
    assert il[3] == clean(last) and il[3]
    assert text.isascii()
    # every segment still starts with a known id: nothing was split
    assert set(seg_ids(text)) <= {"ISA", "GS", "ST", "BHT", "NM1", "PER", "HL", "PRV", "N3", "N4", "REF", "SBR",
                                  "DMG", "CLM", "HI", "LX", "SV1", "DTP", "SE", "GE", "IEA"}


def test_clean_folds_and_strips_delimiters():
    assert clean("O'Brien") == "O'BRIEN"
    assert clean("Smith*Jones") == "SMITH JONES"
    assert clean("José Ñúñez-Straße") == "JOSE NUNEZ-STRASSE"
    assert clean("  a:b^c~d  ") == "A B C D"
    assert clean("x" * 80, 60) == "X" * 60
    assert not set(clean("*:^~" * 5)) & set(DELIMITERS)


def test_self_pay_claim_is_refused():
    with pytest.raises(X12DataError, match="self-pay"):
        write_837p([make_claim(self_pay=True)], PracticeSettings(), envelope())


def test_missing_required_value_names_claim_not_patient():
    claim = make_claim(patient=person("Zed", "***"))
    with pytest.raises(X12DataError) as exc:
        write_837p([claim], PracticeSettings(), envelope())
    assert "DEMO-0001" in str(exc.value) and "last name" in str(exc.value)
    assert "Zed" not in str(exc.value)


def test_line_without_charge_is_refused():
    claim = make_claim()
    claim.lines[0].charge = None
    with pytest.raises(X12DataError, match="no charge"):
        write_837p([claim], PracticeSettings(), envelope())


def test_total_is_sum_of_lines():
    claim = make_claim()
    claim.lines[1].charge = Decimal("0.05")
    segs = segments(write_837p([claim], PracticeSettings(), envelope()))
    assert next(s for s in segs if s[0] == "CLM")[2] == "185.05"


def test_inpatient_visit_carries_admission_date():
    claim = make_claim()
    claim.place_of_service, claim.admit_date = "21", "2026-03-01"
    segs = segments(write_837p([claim], PracticeSettings(), envelope()))
    i = next(i for i, s in enumerate(segs) if s[0] == "CLM")
    assert segs[i][5] == "21:B:1" and segs[i + 1] == ["DTP", "435", "D8", "20260301"]
    claim.admit_date = ""
    with pytest.raises(X12DataError, match="admission date"):
        write_837p([claim], PracticeSettings(), envelope())
