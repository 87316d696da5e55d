"""CMS-1500 text and the patient statement."""
from __future__ import annotations

from decimal import Decimal

from tests.export.conftest import HOSPITAL, HOSPITAL_ADDRESS, HOSPITAL_NPI, make_case, make_claim, make_work, person
from workstation.billing.claim import build_claim
from workstation.billing.edits.model import Edit
from workstation.billing.settings import PracticeSettings
from workstation.export.cms1500 import render_cms1500
from workstation.export.statement import render_statement


def test_cms1500_boxes():
    claim = make_claim(patient=person("Maria", "Lopez", "1990-01-15"), subscriber=person("Rob", "Lopez", "1958-09-30", "M"),
                       relationship="spouse", prior_auth="PA777", accident="AA", accident_state="IL",
                       accident_date="2026-03-01")
    text = render_cms1500(claim)
    assert "[X] MEDICARE" in text and "[ ] MEDICAID" in text
    assert "1a. INSURED'S I.D. NUMBER: 1EG4TE5MK73" in text
    assert "2. PATIENT'S NAME: LOPEZ, MARIA" in text
    assert "3. PATIENT'S BIRTH DATE: 01 15 1990   SEX: [ ] M [X] F" in text
    assert "4. INSURED'S NAME: LOPEZ, ROB" in text
    assert "[X] SPOUSE" in text and "[ ] SELF" in text
    assert "ICD IND: 0" in text
    assert "A. E1122" in text and "B. N1831" in text and "E11.22" not in text  # no decimal point on the form
    assert "23. PRIOR AUTHORIZATION NUMBER: PA777" in text
    assert "b. AUTO ACCIDENT?  [X] YES [ ] NO   PLACE (STATE) IL" in text
    assert "a. EMPLOYMENT? (CURRENT OR PREVIOUS)  [ ] YES [X] NO" in text
    assert "c. OTHER ACCIDENT?  [ ] YES [X] NO" in text
    assert "14. DATE OF CURRENT ILLNESS, INJURY, PREGNANCY: QUAL 431   03 01 2026" in text
    narrow = render_cms1500(claim, width=72)  # the smallest preview keeps every box-10/14/15 detail
    for part in ("PLACE (STATE) IL", "QUAL 431   03 01 2026", "QUAL 439   03 01 2026"):
        assert part in narrow
    assert "15. OTHER DATE: QUAL 439   03 01 2026" in text
    assert "32. SERVICE FACILITY LOCATION:" in text and "32a." not in text  # office: no separate facility
    assert "25. FEDERAL TAX I.D. NUMBER: 990000001" in text and "26. PATIENT'S ACCOUNT NO.: DEMO-0001" in text
    assert "28. TOTAL CHARGE: $ 195.00" in text
    assert "33a. NPI 1555000003" in text
    line1 = next(l for l in text.splitlines() if l.startswith(" 1 03 04 26"))
    assert "99214" in line1 and "25" in line1 and "AB" in line1 and "185.00" in line1 and "1234567893" in line1


def test_cms1500_employment_box_10a_and_no_dates_without_accident():
    text = render_cms1500(make_claim(accident="EM", accident_date="2026-02-20"))
    assert "a. EMPLOYMENT? (CURRENT OR PREVIOUS)  [X] YES [ ] NO" in text
    assert "b. AUTO ACCIDENT?  [ ] YES [X] NO" in text and "PLACE (STATE)" not in text  # state only for auto
    assert "QUAL 431   02 20 2026" in text and "QUAL 439   02 20 2026" in text
    plain = render_cms1500(make_claim())
    assert plain.count("[ ] YES [X] NO") == 3
    assert "QUAL 431" not in plain and "QUAL 439" not in plain


def test_cms1500_box_32_service_facility():
    claim = make_claim(encounter_type="emergency", pos="23", facility=HOSPITAL, facility_address=HOSPITAL_ADDRESS,
                       facility_npi=HOSPITAL_NPI)
    lines = render_cms1500(claim).splitlines()
    i = lines.index("32. SERVICE FACILITY LOCATION: EXAMPLE COMMUNITY HOSPITAL")
    assert lines[i + 1:i + 4] == ["    900 EXAMPLE DRIVE", "    SPRINGFIELD, IL 62703-0900", f"    32a. NPI {HOSPITAL_NPI}"]
    bad = make_claim(encounter_type="emergency", pos="23", facility=HOSPITAL, facility_address=HOSPITAL_ADDRESS,
                     facility_npi="1508002107")
    assert "    32a. NPI" in render_cms1500(bad).splitlines()  # a bad check digit is left off the form


def test_cms1500_width_and_edits():
    edit = Edit("line.pointer_missing", "error", "line 2 has no diagnosis pointer", "837P TR3", "line 2")
    text = render_cms1500(make_claim(), [edit], width=80)
    assert max(len(l) for l in text.splitlines()) <= 80
    assert "ERROR   line 2: line 2 has no diagnosis pointer" in text


def test_statement_totals_and_address():
    case = make_case("DEMO-0009", self_pay=True, patient=person("Ann", "Example", line1="4 Oak Ave"))
    work = make_work("DEMO-0009")
    claim = build_claim(case, work, PracticeSettings())
    text = render_statement(case, claim, PracticeSettings(), today="2026-03-10", payments=Decimal("50.00"))
    assert "PATIENT STATEMENT" in text and "Statement date:   03/10/2026" in text
    assert "ANN EXAMPLE" in text and "4 OAK AVE" in text
    assert "AMOUNT DUE" in text and text.rstrip().count("145.00") == 1
    assert "Total charges" in text and "195.00" in text
    assert "99214" in text and "81002" in text


def test_tabular_ages_90_and_over_are_capped():
    """QA round 3: ages 90+ were written as-is; Safe Harbor style, they are one category "90+"."""
    import csv
    import io

    import orjson

    from workstation.billing.claim import build_claim
    from workstation.export import tabular
    from tests.export.conftest import fixed_settings, make_case, make_work, person

    rows = []
    for cid, dob in (("DEMO-0001", "1936-03-04"), ("DEMO-0002", "1936-03-05"), ("DEMO-0003", "1921-01-01")):
        case = make_case(cid, patient=person(dob=dob))  # DOS 2026-03-04: 90, 89, 105
        work = make_work(cid)
        rows.append((case, work, build_claim(case, work, fixed_settings())))
    ages = [orjson.loads(l)["age"] for l in tabular.to_jsonl(rows).splitlines()]
    assert ages == ["90+", 89, "90+"]
    table = list(csv.DictReader(io.StringIO(tabular.to_csv(rows))))
    assert [r["age"] for r in table] == ["90+", "89", "90+"]
    assert tabular.reported_age(None) is None
