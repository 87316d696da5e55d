"""Issue 14: NCCI-associated modifiers, "NCCI not loaded", folded reminders, NDC in the 837P."""
from __future__ import annotations

import pytest

from tests.billing.factory import ids, make_case, make_work, only, run
from workstation.billing.edits import claim_verdict, verdict
from workstation.cases.model import Coverage
from workstation.session.work import ServiceLine


class PairNcci:
    """Stand-in NCCI table: 20610 (column 1) / 99213 (column 2) and 11042/97597, modifier indicator 1."""

    release = "test"

    def ptp_conflict(self, a, b, date=None):
        pairs = {("20610", "99213"), ("11042", "97597"), ("29515", "29540")}
        return (a, b, "1") if (a, b) in pairs else None

    def mue(self, code, date=None):
        return None


def ptp(lines: list[ServiceLine]) -> list:
    return only(run(make_case(), make_work(["M17.0", "M25.561"], lines), ncci=PairNcci()), "ncci.ptp")


@pytest.mark.parametrize("mod", ["25", "57", "59", "XE", "XP", "XS", "XU", "24", "27", "58", "78", "79", "91"])
def test_every_non_anatomic_ncci_modifier_on_column_two_bypasses(mod):
    assert not ptp([ServiceLine("20610", pointers=["A"]), ServiceLine("99213", [mod], pointers=["A"])])


def test_indicator_1_pair_without_a_modifier_fires():
    [e] = ptp([ServiceLine("20610", pointers=["A"]), ServiceLine("99213", pointers=["A"])])
    assert e.target == "line 2" and "NCCI Policy Manual" in e.source


@pytest.mark.parametrize("col1,col2,bypass", [
    (["RT"], ["LT"], True),    # different sides
    ([], ["LT"], True),
    (["RT"], ["RT"], False),   # same site: the anatomic modifier shows nothing distinct
    (["F1"], ["F2"], True),    # different fingers
    (["TA"], ["T1"], True),
    (["E1"], ["E1"], False),
    (["LC"], ["LD"], True),
])
def test_anatomic_modifiers_bypass_when_they_name_a_different_site(col1, col2, bypass):
    edits = ptp([ServiceLine("29515", col1, pointers=["A"]), ServiceLine("29540", col2, pointers=["A"])])
    assert (not edits) is bypass


def test_ncci_modifier_on_column_one_only_does_not_bypass():
    assert ptp([ServiceLine("20610", ["25"], pointers=["A"]), ServiceLine("99213", pointers=["A"])])


def test_never_clean_while_ncci_is_not_loaded():
    # A date the shipped HCPCS (July 2025) is in force for, so no dated-code-set warning either.
    edits = run(make_case(dos="2025-08-04"), make_work(["Z00.00"]))
    assert not [e for e in edits if e.severity != "info"]
    assert verdict(edits, ncci_checked=True).clean and verdict(edits, ncci_checked=True).label == "clean"
    v = verdict(edits, ncci_checked=False)
    assert not v.clean and v.label.startswith("NCCI not loaded")
    assert claim_verdict(edits, ncci=None).label.startswith("NCCI not loaded")
    assert claim_verdict(edits, ncci=PairNcci()).clean
    # A self-pay statement is no claim: NCCI does not apply.
    from workstation.billing.claim import build_claim

    case = make_case(coverage=Coverage("", "", "", "", "", self_pay=True))
    assert claim_verdict(edits, build_claim(case, make_work(["Z00.00"])), ncci=None).clean


def test_reminders_never_count_in_clean():
    # E11: use additional code for insulin / oral drugs ...; dated so the shipped HCPCS is in force
    edits = run(make_case(dos="2025-08-04"), make_work(["E11.9"]))
    assert [e for e in edits if e.severity == "info"] and not [e for e in edits if e.severity != "info"]
    assert verdict(edits, ncci_checked=True).clean
    errs = run(work=make_work(["E11.9", "E10.9"]))
    v = verdict(errs, ncci_checked=False)
    assert not v.clean and v.label.startswith("not clean: 1 error") and "NCCI not loaded" in v.label


def test_block_reminder_shows_once_per_claim_folded():
    # The tobacco list at I10-I1A applies to both I10 and I11.9: said once, on I10, naming I11.9.
    rem = [e for e in only(run(work=make_work(["I11.9", "I10"])), "dx.use_additional") if "Z77.22" in e.message]
    assert len(rem) == 1 and rem[0].target == "I11.9" and "also for I10" in rem[0].message
    met = run(work=make_work(["I11.9", "I10", "F17.210"]))
    assert not [e for e in only(met, "dx.use_additional") if "Z77.22" in e.message]


def test_at_most_one_reminder_per_code():
    edits = only(run(work=make_work(["E11.22", "I12.9"])), "dx.use_additional")
    targets = [e.target for e in edits]
    assert len(targets) == len(set(targets))
    [e112] = [e for e in edits if e.target == "E11.22"]
    assert "N18.1-N18.6" in e112.message and "Z79.4" in e112.message  # two instructions in one reminder


def test_scrub_command_says_ncci_not_loaded(tmp_path, capsys):
    from workstation.cases.demo import demo_cases
    from workstation.cli import main
    from workstation.session.store import SessionStore

    path = tmp_path / "s.json"
    with SessionStore.open(path, create=True) as store:
        case = demo_cases()[11]  # DEMO-012: otitis media
        store.add_cases([case])
        store.assign_dx(case.case_id, "H66.001")
        store.add_line(case.case_id, ServiceLine("99213", pointers=["A"]))
    assert main(["scrub", "--session", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"{case.case_id} [" in out and "NCCI not loaded" in out and "1 reminder" in out


def test_ndc_goes_to_the_837p_2410_loop():
    from tests.export.conftest import envelope
    from workstation.billing.claim import build_claim
    from workstation.billing.settings import PracticeSettings
    from workstation.export.x12_837p import write_837p

    case = make_case()
    lines = [ServiceLine("96372", pointers=["A"]),
             ServiceLine("J3301", units=4, pointers=["A"], ndc="0003-0293-05", ndc_quantity=1, ndc_unit="ML")]
    text = write_837p([build_claim(case, make_work(["M17.11"], lines))], PracticeSettings(), envelope())
    segs = [s.strip() for s in text.split("~")]
    i = segs.index("LIN**N4*00003029305")
    assert segs[i + 1] == "CTP****1*ML"
    assert segs[i - 2].startswith("SV1*HC:J3301") and segs[i - 1].startswith("DTP*472")
    assert sum(1 for s in segs if s.startswith("LIN")) == 1  # none for the administration line
    no_ndc = write_837p([build_claim(case, make_work(["M17.11"], lines[:1] + [ServiceLine("J3301", units=4, pointers=["A"])]))],
                        PracticeSettings(), envelope())
    assert "LIN*" not in no_ndc


def test_ndc_line_validates_with_pyx12():
    from tests.export.conftest import envelope
    from workstation.billing.claim import build_claim
    from workstation.billing.settings import PracticeSettings
    from workstation.export.validate_837p import validate_837p
    from workstation.export.x12_837p import write_837p

    lines = [ServiceLine("J3301", units=4, pointers=["A"], ndc="00003029305")]  # quantity: the line's units
    text = write_837p([build_claim(make_case(), make_work(["M17.11"], lines))], PracticeSettings(), envelope())
    assert "CTP****4*UN~" in text
    report = validate_837p(text)
    assert report.ok, report.summary()


def test_line_spec_takes_an_ndc():
    from workstation.commands.sessions import parse_line_spec

    line = parse_line_spec("J3301 x4 >A ndc=0003-0293-05:1ML")
    assert (line.ndc, line.ndc_quantity, line.ndc_unit) == ("0003-0293-05", 1.0, "ML")
    assert parse_line_spec("J3301 ndc=00003029305").ndc_quantity is None


def test_a_list_already_said_for_another_code_is_not_repeated():
    # H66's tobacco list holds every item of the I10-I1A list and one more (P96.81).
    rem = only(run(work=make_work(["H66.001", "I10"])), "dx.use_additional")
    assert [e.target for e in rem] == ["H66.001"] and "also for I10" in rem[0].message
    rem = {e.target: e for e in only(run(work=make_work(["I10", "H66.001"])), "dx.use_additional")}
    assert "Z77.22" in rem["I10"].message
    assert "P96.81" in rem["H66.001"].message and "Z77.22" not in rem["H66.001"].message
