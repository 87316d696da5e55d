"""Required fields and formats, self-pay, open provider queries."""
from workstation.billing.settings import PracticeSettings
from workstation.cases.model import Address, Coverage, Person

from tests.billing.factory import ids, make_case, make_work, only, open_query, run


def test_billing_npi_must_pass_check_digit():
    edits = run(settings=PracticeSettings(npi="1234567890"))
    [e] = only(edits, "settings.npi")
    assert e.severity == "error" and "check digit" in e.message
    assert "settings.npi" not in ids(run(settings=PracticeSettings(npi="1234567893")))


def test_rendering_npi_checked_when_present():
    assert "field.rendering_npi" in ids(run(make_case(rendering_npi="1234567890")))
    assert "field.rendering_npi" not in ids(run(make_case(rendering_npi="")))
    assert "field.rendering_npi" not in ids(run(make_case()))


def test_billing_zip_must_have_nine_digits():
    s = PracticeSettings()
    s.address.zip = "62701"
    assert "settings.address.zip" in ids(run(settings=s))


def test_tax_id():
    assert "settings.tax_id" in ids(run(settings=PracticeSettings(tax_id="12-345")))


def test_patient_zip_five_or_nine():
    assert "field.patient_zip" in ids(run(make_case(zip_="6270")))
    assert "field.patient_zip" in ids(run(make_case(zip_="")))
    assert "field.patient_zip" not in ids(run(make_case(zip_="627011234")))


def test_dos_valid_and_not_in_future():
    assert "field.dos" in ids(run(make_case(dos="2026-02-30")))
    assert "field.dos_future" in ids(run(make_case(dos="2026-11-28")))
    assert not {"field.dos", "field.dos_future"} & ids(run(make_case(dos="2026-11-27")))


def test_member_and_payer_ids():
    cov = Coverage("Commercial Health Plan (demo)", "", "", plan_type="CI")
    edits = ids(run(make_case(coverage=cov)))
    assert {"field.member_id", "field.payer_id"} <= edits
    assert not {"field.member_id", "field.payer_id"} & ids(run())


def test_self_pay_skips_payer_edits_and_gets_a_statement():
    edits = run(make_case(coverage=Coverage(self_pay=True)))
    assert "selfpay.statement" in ids(edits)
    assert not {"field.member_id", "field.payer_id", "field.payer_name"} & ids(edits)


def test_patient_dob_and_sex():
    assert "field.patient_dob" in ids(run(make_case(dob="")))
    assert "field.patient_dob" in ids(run(make_case(dob="2026-02-01")))  # born after the DOS
    assert "field.patient_sex" in ids(run(make_case(sex="")))
    [u] = only(run(make_case(sex="U")), "field.patient_sex")
    assert u.severity == "warning"
    assert "field.patient_sex" not in ids(run(make_case(sex="M")))


def test_subscriber_needed_when_patient_is_a_dependent():
    cov = Coverage("Plan", "P1", "M1", relationship="child", plan_type="CI")
    assert "field.subscriber" in ids(run(make_case(coverage=cov)))
    cov.subscriber = Person("Parent", "Example", dob="1970-01-01", sex="F")
    assert "field.subscriber" not in ids(run(make_case(coverage=cov)))


def test_auto_accident_needs_state():
    assert "field.accident_state" in ids(run(make_case(accident="AA")))
    assert "field.accident_state" not in ids(run(make_case(accident="AA", accident_state="IL")))
    assert "field.accident_state" not in ids(run(make_case(accident="EM")))


def test_accident_needs_its_date():
    for code in ("AA", "EM", "OA"):
        [e] = only(run(make_case(accident=code, accident_state="IL")), "field.accident_date")
        assert e.severity == "error" and e.blocks_export and "accident date" in e.message
        assert e.target == "encounter.accident_date" and "DTP*439" in e.source
        assert "field.accident_date" not in ids(run(make_case(accident=code, accident_state="IL",
                                                              accident_date="2026-01-02")))
    assert "field.accident_date" not in ids(run(make_case()))  # no accident, no date needed


def test_accident_date_must_be_a_date_on_or_before_the_service():
    def acc(when: str) -> list:
        return only(run(make_case(accident="OA", accident_date=when)), "field.accident_date")

    assert "not a valid date" in acc("2026-02-30")[0].message
    assert "after the date of service" in acc("2026-01-06")[0].message  # DOS 2026-01-05
    assert "before the patient's date of birth" in acc("1950-01-01")[0].message
    assert acc("2026-01-05") == []  # same day is the usual ER case


HOSPITAL = Address("900 Example Drive", "", "Springfield", "IL", "627030900")


def test_service_facility_address_checked_when_it_goes_on_the_claim():
    ok = make_case(encounter_type="emergency", pos="23", facility="Example Community Hospital",
                   facility_address=HOSPITAL, facility_npi="1508002106")
    assert not {i for i in ids(run(ok)) if i.startswith("field.facility")}
    short_zip = make_case(encounter_type="emergency", pos="23", facility="Example Community Hospital",
                          facility_address=Address("900 Example Drive", "", "Springfield", "IL", "62703"))
    [e] = only(run(short_zip), "field.facility_zip")
    assert e.severity == "error" and "9 digits" in e.message and "N403" in e.source
    no_city = make_case(encounter_type="emergency", pos="23", facility="Example Community Hospital",
                        facility_address=Address("900 Example Drive", "", "", "", "627030900"))
    assert "field.facility_address" in ids(run(no_city))
    unnamed = make_case(encounter_type="emergency", pos="23", facility_address=HOSPITAL)
    assert "field.facility_name" in ids(run(unnamed))
    # At the office there is no 2310C, so a partial facility address does not matter.
    office = make_case(pos="11", facility="Clinic", facility_address=Address("1 Any St", "", "", "", "1"))
    assert not {i for i in ids(run(office)) if i.startswith("field.facility")}


def test_bad_facility_npi_is_a_warning_and_left_off():
    case = make_case(encounter_type="emergency", pos="23", facility="Example Community Hospital",
                     facility_address=HOSPITAL, facility_npi="1508002107")
    [e] = only(run(case), "field.facility_npi")
    assert e.severity == "warning" and "check digit" in e.message


def test_place_of_service_in_cms_list():
    assert "field.pos" in ids(run(make_case(pos="00")))
    assert "field.pos" in ids(run(make_case(pos="1")))
    assert "field.pos" not in ids(run(make_case(pos="22")))


def test_open_query_blocks_export():
    edits = run(work=make_work(queries=[open_query()]))
    [e] = only(edits, "query.open")
    assert e.severity == "error" and e.blocks_export
    answered = open_query()
    answered.status = "answered"
    assert "query.open" not in ids(run(work=make_work(queries=[answered])))


def test_messages_never_carry_patient_details():
    case = make_case(dob="", zip_="1", sex="", coverage=Coverage("Plan", "", "", relationship="child"))
    for e in run(case, make_work(["E11", "O80"], queries=[open_query()])):
        for secret in ("Testa", "Example", "1 Sample St", "Springfield"):
            assert secret not in e.message


def test_errors_come_first():
    edits = run(make_case(zip_=""), make_work(["E11.22"]))
    sev = [e.severity for e in edits]
    assert sev == sorted(sev, key=["error", "warning", "info"].index)


def test_name_x12_cannot_carry_is_an_error_while_coding():
    """QA round 3: a name that cleans to nothing for X12 showed 0 errors, yet the export held the case."""
    import pytest

    from workstation.billing.claim import build_claim
    from workstation.export.x12_837p import X12DataError, _claim_segments, _Segments

    for last in ("山田", "~~~", "*:^"):
        case = make_case()
        case.patient.last = last
        edits = run(case)
        [e] = only(edits, "field.patient_name_x12")
        assert e.severity == "error" and last not in e.message and e.target == "patient.name"
        # The writer rejects the very same claim: the scrubber and the export agree.
        with pytest.raises(X12DataError):
            _claim_segments(_Segments(), build_claim(case, make_work(), PracticeSettings()), 2)
    case = make_case()
    case.patient.first = "太郎"
    assert only(run(case), "field.patient_name_x12")
    for fine in ("José", "O'Brien-Smith", "Ångström"):
        case = make_case()
        case.patient.last = fine
        assert "field.patient_name_x12" not in ids(run(case))
    cov = Coverage("Plan", "P1", "M1", relationship="child", plan_type="CI",
                   subscriber=Person("花子", "Example", dob="1970-01-01", sex="F"))
    assert "field.subscriber_name_x12" in ids(run(make_case(coverage=cov)))
