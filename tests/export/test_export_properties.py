"""Property tests: whatever names, addresses, member ids and charges arrive, the 837P validates."""
from __future__ import annotations

import pytest

from decimal import Decimal

from hypothesis import HealthCheck, Phase, assume, given, settings, strategies as st

from tests.export.conftest import envelope, make_case, make_work
from workstation.billing.claim import build_claim
from workstation.billing.settings import PracticeSettings
from workstation.cases.model import Address, Person
from workstation.export.validate_837p import validate_837p
from workstation.export.x12_837p import DELIMITERS, clean, ident, write_837p
from workstation.session.work import ServiceLine

# Any text at all, including the X12 delimiters, control characters and non-Latin scripts.
ANY_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=70)
TEXTY = st.one_of(ANY_TEXT, st.sampled_from(["O'Brien", "Smith*Jones", "Ann~Marie", "a:b^c", "Zoë", "Nguyễn"]))
STATES = st.sampled_from(["IL", "CA", "NY", "TX", "WA", "PR", "DC"])
ZIPS = st.one_of(st.from_regex(r"[0-9]{5}", fullmatch=True), st.from_regex(r"[0-9]{9}", fullmatch=True))
CHARGES = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)
# X12 basic character set without the delimiters, plus '#' for addresses.
BASIC_CHARSET = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !\"&'()+,-./;?=#")
DOB = st.dates(min_value=__import__("datetime").date(1920, 1, 1), max_value=__import__("datetime").date(2025, 12, 31))


@st.composite
def people(draw) -> Person:
    last = draw(TEXTY)
    line1, city = draw(TEXTY), draw(TEXTY)
    assume(clean(last) and clean(line1) and len(clean(city)) >= 2)  # N401 needs 2 characters
    return Person(draw(TEXTY), last, draw(st.one_of(st.just(""), TEXTY)), draw(DOB).isoformat(),
                  draw(st.sampled_from(["F", "M", "U"])),
                  Address(line1, draw(st.one_of(st.just(""), TEXTY)), city, draw(STATES), draw(ZIPS)))


@st.composite
def claims(draw, case_id: str):
    member_id = draw(TEXTY)
    assume(len(ident(member_id)) >= 2)
    relationship = draw(st.sampled_from(["self", "spouse", "child", "other"]))
    patient = draw(people())
    subscriber = draw(people()) if relationship != "self" else None
    case = make_case(case_id, patient=patient, subscriber=subscriber, relationship=relationship,
                     member_id=member_id, prior_auth=draw(st.one_of(st.just(""), TEXTY)))
    n = draw(st.integers(1, 4))
    lines = [ServiceLine(draw(st.sampled_from(["99213", "99214", "81002", "G0439", "J1100"])), [],
                         draw(st.integers(1, 12)), draw(CHARGES), draw(st.sampled_from([["A"], ["B"], ["A", "B"]])))
             for _ in range(n)]
    return build_claim(case, make_work(case_id, lines=lines), PracticeSettings())


# No shrinking: each example runs pyx12 (~0.3 s), and a failure is readable as found.
@settings(max_examples=25, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@pytest.mark.slow
@given(a=claims("PROP-0001"), b=claims("PROP-0002"))
def test_arbitrary_patient_data_still_validates(a, b):
    text = write_837p([a, b], PracticeSettings(), envelope())
    assert text.isascii()
    report = validate_837p(text)
    assert report.ok, report.summary()
    assert report.claims == 2
    assert text.count("\n") == text.count("~")  # one segment per line: no delimiter leaked into data
    clm = [s for s in text.split("~\n") if s.startswith("CLM*")]
    assert [Decimal(c.split("*")[2]) for c in clm] == [a.total_charge, b.total_charge]


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_clean_never_leaves_a_delimiter(text):
    out = clean(text, 60)
    assert not set(out) & set(DELIMITERS)
    assert out.isascii() and out == out.upper() and out == out.strip() and len(out) <= 60
    assert "  " not in out
    assert set(out) <= BASIC_CHARSET
