import pytest
from decimal import Decimal

from workstation.billing.claim import build_claim, filing_indicator
from workstation.billing.settings import PracticeSettings
from workstation.cases.model import Coverage, Person
from workstation.session.work import ServiceLine

from tests.billing.factory import DOS, make_case, make_work


def test_claim_from_coded_case():
    case = make_case(accident="AA", accident_state="IL", accident_date="2026-01-03")
    case.coverage.prior_authorization = "PA123"
    work = make_work(
        ["E11.22", "N18.30"],
        [ServiceLine("G0439", ["25"], 1, None, ["A", "B"]), ServiceLine("J1100", [], 4, None, ["A"]),
         ServiceLine("G0008", [], 1, 12.5, ["B"])],
    )
    claim = build_claim(case, work, PracticeSettings())
    assert [(d.letter, d.code) for d in claim.diagnoses] == [("A", "E11.22"), ("B", "N18.30")]
    assert claim.relationship == "18" and claim.subscriber is case.patient
    assert claim.payer.payer_id == "DEMO00003" and claim.filing_indicator == "CI"
    assert claim.billing_provider.npi == PracticeSettings().npi
    assert claim.rendering_provider.npi == case.encounter.rendering_provider.npi
    l1, l2, l3 = claim.lines
    assert (l1.number, l1.date, l1.place_of_service, l1.modifiers, l1.pointers) == (1, DOS, "11", ["25"], ["A", "B"])
    assert l1.charge == Decimal("120.00") and l1.charge_source == "fee_schedule"
    assert l2.charge == Decimal("20.00")  # 4 units x 5.00 per unit
    assert l3.charge == Decimal("12.50") and l3.charge_source == "line"
    assert claim.total_charge == Decimal("152.50")
    assert l1.pointer_numbers() == [1, 2]
    assert claim.prior_authorization == "PA123"
    assert (claim.accident.code, claim.accident.state, claim.accident.date) == ("AA", "IL", "2026-01-03")
    assert claim.facility is None  # POS 11: the billing provider's office
    assert claim.frequency == "1"
    d = claim.to_dict()
    assert d["total_charge"] == "152.50" and d["lines"][1]["units"] == "4"


def test_dependent_subscriber_and_relationship_codes():
    sub = Person("Parent", "Example", dob="1970-01-01", sex="M")
    case = make_case(coverage=Coverage("Plan", "P1", "M1", relationship="child", subscriber=sub, plan_type="medicaid"))
    claim = build_claim(case, make_work())
    assert claim.relationship == "19" and claim.subscriber is sub and not claim.patient_is_subscriber
    assert claim.filing_indicator == "MC"
    for rel, code in [("spouse", "01"), ("other", "G8"), ("self", "18")]:
        case.coverage.relationship = rel
        assert build_claim(case, make_work()).relationship == code


def test_filing_indicators():
    assert filing_indicator("MB") == "MB" and filing_indicator("mb") == "MB"
    assert filing_indicator("Medicare") == "MB"
    assert filing_indicator("") == "ZZ"


def test_self_pay_claim_has_no_payer():
    case = make_case(coverage=Coverage(self_pay=True))
    claim = build_claim(case, make_work())
    assert claim.payer is None and claim.self_pay and claim.filing_indicator == "09"


def test_no_fee_and_no_default_leaves_charge_empty():
    s = PracticeSettings(default_charge="")
    claim = build_claim(make_case(), make_work(lines=[ServiceLine("A4206", pointers=["A"])]), s)
    assert claim.lines[0].charge is None and claim.lines[0].charge_source == "none"
    assert claim.total_charge == Decimal("0.00")


def test_thirteen_diagnoses_keep_twelve_on_claim():
    dx = ["E11.9", "I10", "Z00.00", "N18.30", "E78.5", "J45.909", "K21.9", "M54.50", "R51.9", "G43.909", "F41.1", "F32.A", "Z79.4"]
    claim = build_claim(make_case(), make_work(dx))
    assert len(claim.diagnoses) == 12 and claim.diagnoses[-1].letter == "L"
    assert claim.extra_diagnoses == ["Z79.4"]


def test_inpatient_uses_discharge_date_and_carries_procedures():
    case = make_case(encounter_type="inpatient", pos="21")
    case.encounter.admit_date, case.encounter.discharge_date = "2025-09-28", "2025-10-02"
    claim = build_claim(case, make_work(procedures=["0DTJ4ZZ"]))
    assert claim.date_of_service == "2025-10-02" and claim.inpatient_procedures == ["0DTJ4ZZ"]


from hypothesis import given, strategies as st  # noqa: E402


@given(st.lists(st.tuples(st.integers(1, 99999), st.integers(1, 20)), min_size=1, max_size=20))
def test_total_is_the_sum_of_line_charges(items):
    lines = [ServiceLine("J1100", [], units, cents / 100, ["A"]) for cents, units in items]
    claim = build_claim(make_case(), make_work(["I10"], lines))
    assert claim.total_charge == sum((Decimal(c) / 100 for c, _ in items), Decimal(0)).quantize(Decimal("0.01"))
    assert all(l.charge_source == "line" for l in claim.lines)


def test_service_facility_only_away_from_the_office():
    from workstation.cases.model import Address

    hospital = Address("900 Example Drive", "", "Springfield", "IL", "627030900")
    settings = PracticeSettings()
    for pos in ("21", "22", "23", "24"):
        case = make_case(encounter_type="emergency", pos=pos, facility="Example Community Hospital",
                         facility_address=hospital, facility_npi="1508002106")
        fac = build_claim(case, make_work(), settings).facility
        assert fac is not None and (fac.name, fac.address, fac.npi) == (
            "Example Community Hospital", hospital, "1508002106")
    for pos in ("11", "02", "10"):
        case = make_case(pos=pos, facility="Example Community Hospital", facility_address=hospital)
        assert build_claim(case, make_work(), settings).facility is None
    no_address = make_case(encounter_type="emergency", pos="23", facility="Example Community Hospital")
    assert build_claim(no_address, make_work(), settings).facility is None
    # The billing provider's own address is not a separate service facility.
    own = make_case(encounter_type="outpatient_surgery", pos="22", facility="Us",
                    facility_address=Address(**vars(settings.address)))
    assert build_claim(own, make_work(), settings).facility is None
    # No facility name: kept empty for the scrubber to report (NM103 is required), never guessed.
    unnamed = make_case(encounter_type="emergency", pos="23", facility_address=hospital)
    assert build_claim(unnamed, make_work(), settings).facility.name == ""


def test_a_case_sent_before_builds_a_replacement_claim():
    """QA round 3: re-sending an exported case must be frequency 7 with the payer's claim number."""
    from workstation.billing.edits import scrub
    from workstation.export.x12_837p import X12DataError, _claim_segments, _Segments

    case = make_case()
    work = make_work(["E11.22"], [ServiceLine("G0439", [], 1, None, ["A"])])
    assert build_claim(case, work).frequency == "1"
    work.export_batch = "837P-20260305-000000001"
    claim = build_claim(case, work)
    assert claim.frequency == "7" and claim.payer_claim_number == ""
    assert "claim.payer_claim_number" in {e.edit_id for e in scrub(case, work, claim) if e.severity == "error"}
    with pytest.raises(X12DataError, match="payer claim number"):
        _claim_segments(_Segments(), claim, 2)
    work.payer_claim_number = "2226001234567"
    claim = build_claim(case, work)
    assert "claim.payer_claim_number" not in {e.edit_id for e in scrub(case, work, claim)}
    seg = _Segments()
    _claim_segments(seg, claim, 2)
    assert "REF*F8*2226001234567" in seg.items
