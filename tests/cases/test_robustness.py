"""Arbitrary JSON never crashes the importers: every record gets a case or a message."""
from __future__ import annotations

from pathlib import Path

from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from workstation.cases.fhir import parse_bundle
from workstation.cases.report import ImportMessage, Messages
from workstation.cases.jsonfile import parse_cases, validate
from workstation.cases.textnotes import parse_note

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(
        st.sampled_from(["patient", "encounter", "type", "date_of_service", "first", "last", "sex", "zip",
                         "address", "documents", "title", "text", "coverage", "subscriber", "resourceType",
                         "reference", "subject", "class", "code", "period", "start", "entry", "resource"]),
        kids, max_size=5),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_json_cases_never_crash(data) -> None:
    out: list[ImportMessage] = []
    cases = parse_cases(data, Path("x.json"), Messages("x.json", out))
    assert cases or out
    if isinstance(data, dict):
        validate(data)


@settings(max_examples=200, deadline=None)
@given(st.lists(json_values, max_size=6))
def test_fhir_bundles_never_crash(entries) -> None:
    out: list[ImportMessage] = []
    bundle = {"resourceType": "Bundle", "entry": [{"resource": e} if i % 2 else e for i, e in enumerate(entries)]}
    cases = parse_bundle(bundle, Path("b.json"), Messages("b.json", out))
    assert cases or out


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_text_notes_never_crash(text: str) -> None:
    out: list[ImportMessage] = []
    cases = parse_note(text, Path("n.txt"), Messages("n.txt", out))
    assert cases or out


FIXTURE = Path(__file__).parent / "fixtures" / "fhir" / "synthea_like_bundle.json"


# No shrinking: a damaged bundle shrinks slowly, and the failing draw is printed anyway.
@settings(max_examples=300, deadline=None, phases=(Phase.explicit, Phase.reuse, Phase.generate))
@given(st.data())
def test_a_damaged_real_bundle_never_crashes(data) -> None:
    import orjson

    bundle = orjson.loads(FIXTURE.read_bytes())
    for _ in range(data.draw(st.integers(1, 3))):
        node = bundle["entry"][data.draw(st.integers(0, len(bundle["entry"]) - 1))]["resource"]
        # walk down a few levels, then replace what is there with anything
        for _depth in range(data.draw(st.integers(0, 2))):
            kids = [k for k, v in node.items() if isinstance(v, dict)] if isinstance(node, dict) else []
            if not kids:
                break
            node = node[data.draw(st.sampled_from(sorted(kids)))]
        if isinstance(node, dict) and node:
            node[data.draw(st.sampled_from(sorted(node)))] = data.draw(json_values)
    out: list[ImportMessage] = []
    cases = parse_bundle(bundle, Path("b.json"), Messages("b.json", out))
    assert cases or out
    assert not any("could not" in m.text for m in out)
    for c in cases:  # whatever survives is a well-formed case
        assert c.encounter.date_of_service and c.patient.last and c.source_key
