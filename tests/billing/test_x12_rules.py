"""The scrubber catches, per claim, what pyx12 would reject (issue 20 item 9).

The element rules in billing/x12_text.py are pinned to pyx12's own 837P map here, and a property
test generates claims with hostile identifiers, names and codes: every claim the scrubber lets
through (no error) is written by the 837P writer and accepted by pyx12.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

import pyx12
from tests.export.conftest import envelope, fixed_settings, make_case, make_work, person
from workstation.billing import x12_text as x12
from workstation.billing.claim import build_claim
from workstation.billing.edits import has_errors, scrub
from workstation.cases.model import Address
from workstation.export.validate_837p import validate_837p
from workstation.export.x12_837p import X12DataError, write_837p
from workstation.session.work import ServiceLine

MAP = Path(pyx12.__file__).parent / "map"

# Which elements of the map each rule stands for (every one must agree with it).
PINNED = {
    x12.PAYER_ID: [("2010BB", "NM109")],
    x12.PAYER_NAME: [("2010BB", "NM103")],
    x12.MEMBER_ID: [("2010BA", "NM109")],
    x12.LAST_NAME: [("2010BA", "NM103"), ("2010CA", "NM103")],
    x12.ADDRESS_LINE: [("2010BA", "N301"), ("2010CA", "N301"), ("2310C", "N301")],
    x12.CITY: [("2010BA", "N401"), ("2010CA", "N401"), ("2310C", "N401")],
    x12.STATE: [("2010BA", "N402"), ("2010CA", "N402"), ("2310C", "N402")],
    x12.CLAIM_ID: [("2300", "CLM01")],
    x12.PAYER_CLAIM_NUMBER: [("2300", "REF02")],
    x12.RENDERING_NAME: [("2310B", "NM103")],
    x12.FACILITY_NAME: [("2310C", "NM103")],
    x12.PROCEDURE_CODE: [("2400", "SV101-02")],
    x12.MODIFIER: [("2400", f"SV101-0{i}") for i in range(3, 7)],
}


@lru_cache(maxsize=1)
def _map() -> dict[tuple[str, str], list[tuple[int, int, str]]]:
    lengths = {e.get("ele_num"): (int(e.get("min_len")), int(e.get("max_len")))
               for e in ET.parse(MAP / "dataele.xml").getroot()}
    out: dict[tuple[str, str], list[tuple[int, int, str]]] = {}

    def walk(node, loop: str) -> None:
        for ch in node:
            if ch.tag == "loop":
                walk(ch, ch.get("xid"))
            elif ch.tag == "segment":
                for el in ch.iter("element"):
                    lo, hi = lengths[el.findtext("data_ele")]
                    vc = el.find("valid_codes")
                    ext = vc.get("external", "") if vc is not None else ""
                    out.setdefault((loop, el.get("xid")), []).append((lo, hi, ext))

    walk(ET.parse(MAP / "837.5010.X222.A1.xml").getroot(), "")
    return out


@pytest.mark.parametrize("rule", list(PINNED), ids=lambda r: r.ref)
def test_each_rule_has_the_lengths_of_pyx12s_837p_map(rule):
    for where in PINNED[rule]:
        assert {(lo, hi) for lo, hi, _ in _map()[where]} == {(rule.min_len, rule.max_len)}, where


def test_the_state_list_is_pyx12s_and_applies_where_the_map_says():
    root = ET.parse(MAP / "codes.xml").getroot()
    states = next({c.text for c in cs.iter("code")} for cs in root if cs.findtext("id") == "states")
    assert x12.STATES == states
    assert {ext for *_, ext in _map()[("2300", "CLM11-04")]} == {"states"}
    assert {ext for *_, ext in _map()[("2310C", "N402")]} == {"states"}
    assert {ext for *_, ext in _map()[("2010BA", "N402")]} == {"states"}
    assert {ext for *_, ext in _map()[("2010CA", "N402")]} == {"states"}


def _clean_case(**kw):
    case = make_case("XR-0001", **kw)
    return case, make_work("XR-0001")


def _x12_edits(case, work) -> set[str]:
    return {e.edit_id for e in scrub(case, work, settings=fixed_settings(), ncci=None) if e.severity == "error"}


@pytest.mark.parametrize("field,value,edit", [
    ("payer_id", "Ä", "field.payer_id_x12"),          # cleans to one character
    ("payer_id", "*~", "field.payer_id_x12"),         # cleans to nothing
    ("member_id", "7", "field.member_id_x12"),
    ("payer_name", "~*^", "field.payer_name_x12"),
    ("accident_state", "XX", "field.accident_state_x12"),
    ("patient", "XX", "field.patient_state_x12"),
])
def test_what_pyx12_rejects_is_an_error_in_the_scrub(field, value, edit):
    kw = {field: value} if field != "patient" else {"patient": person(state=value)}
    if field == "accident_state":
        kw.update(accident="AA", accident_date="2026-03-01")
    case, work = _clean_case(**kw)
    assert edit in _x12_edits(case, work)
    try:  # and the writer refuses it, or pyx12 rejects the file
        text = write_837p([build_claim(case, work, fixed_settings())], fixed_settings(), envelope())
    except X12DataError:
        return
    assert not validate_837p(text).ok


@pytest.mark.parametrize("field,value", [("payer_id", "AB"), ("member_id", "1EG4"), ("accident_state", "ON")])
def test_the_values_pyx12_accepts_pass(field, value):
    kw = {field: value}
    if field == "accident_state":
        kw.update(accident="AA", accident_date="2026-03-01")
    case, work = _clean_case(**kw)
    assert not {e for e in _x12_edits(case, work) if e.endswith("_x12")}


def test_a_modifier_of_one_character_and_a_city_of_one_are_errors():
    case, work = _clean_case(patient=person(city="Ü"))
    work.lines[0].modifiers = ["5"]
    edits = _x12_edits(case, work)
    assert {"field.patient_city_x12", "line.modifier_x12"} <= edits


# ---------------------------------------------------------------- property: clean means accepted

HOSTILE = st.sampled_from(["Ä", "*", "~", "a:b", "Ø", "\u0007", "  ", "12", "ZZ", "Émile", "X~Y", "中文", "#",
                           "O'Brien", "A", "99", "^^"])


def sometimes(good, bad):
    """Mostly a good value, a hostile one about one time in five: so that claims of both kinds come up."""
    return st.integers(0, 4).flatmap(lambda n: bad if n == 0 else good)


IDS = sometimes(st.from_regex(r"[A-Z0-9]{2,12}", fullmatch=True), st.one_of(HOSTILE, st.text(min_size=1, max_size=6)))
NAMES = sometimes(st.sampled_from(["Medicare", "Blue Plan", "Springfield", "Nuñez", "Lee"]),
                  st.one_of(HOSTILE, st.text(min_size=1, max_size=12)))
STATE_CODES = sometimes(st.sampled_from(["IL", "ON", "PR", "DC", "il"]),
                        st.one_of(st.sampled_from(["XX", "QC", "ZZ", "I", "1L", "NL"]), st.text(max_size=3)))
MODS = sometimes(st.sampled_from(["25", "", "59", "XS"]), st.sampled_from(["5", "L", "~", "Ä1", "RT1"]))


@st.composite
def cases(draw):
    accident = draw(st.sampled_from(["", "AA", "EM"]))
    pos = draw(st.sampled_from(["11", "22"]))
    case = make_case(
        "XR-P",
        patient=person(last=draw(NAMES), first=draw(NAMES), line1=draw(NAMES), city=draw(NAMES),
                       state=draw(STATE_CODES)),
        payer_id=draw(IDS), member_id=draw(IDS), payer_name=draw(NAMES),
        accident=accident, accident_state=draw(STATE_CODES) if accident == "AA" else "",
        accident_date="2026-03-01" if accident else "",
        pos=pos, facility=draw(NAMES) if pos == "22" else "",
        facility_address=Address("900 Example Drive", "", draw(NAMES), draw(STATE_CODES), "627030900")
        if pos == "22" else None,
    )
    mods = [m for m in (draw(MODS),) if m]
    work = make_work("XR-P", lines=[ServiceLine("99214", mods, 1, Decimal("185.00"), ["A", "B"]),
                                    ServiceLine("81002", [], 1, Decimal("10.00"), ["B"])])
    return case, work


_SEEN = {"clean": 0, "held": 0}


# No shrinking: each clean example runs pyx12 (~0.3 s).
@settings(max_examples=60, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow])
@pytest.mark.slow
@given(cases())
def test_every_claim_the_scrubber_passes_is_accepted_by_pyx12(case_work):
    case, work = case_work
    edits = scrub(case, work, settings=fixed_settings(), ncci=None)
    if has_errors(edits):
        _SEEN["held"] += 1
        return
    _SEEN["clean"] += 1
    try:
        text = write_837p([build_claim(case, work, fixed_settings())], fixed_settings(), envelope())
    except X12DataError as exc:
        pytest.fail(f"the scrub passed a claim the 837P writer refuses: {exc}")
    report = validate_837p(text)
    assert report.ok, report.summary()


@pytest.mark.slow
def test_the_property_saw_both_kinds():
    # Runs after the property in file order: it must have met claims of both kinds, or it proves nothing.
    if _SEEN["clean"] + _SEEN["held"]:
        assert _SEEN["clean"] >= 5 and _SEEN["held"] >= 5, _SEEN
