"""NCCI PTP and MUE edits against rows of the CMS files, imported into a temporary NCCI database."""
import pytest

from workstation.codes import ncci as ncci_mod
from workstation.session.work import ServiceLine

from tests.billing.factory import ids, make_case, make_work, only, run

DOS = "2026-08-03"  # the MUE sample table is effective 2026-07-01


@pytest.fixture
def imported(sources, tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSTATION_DATA_DIR", str(tmp_path))
    samples = sources / "ncci-format-samples"
    ncci_mod.import_ncci([samples / "ccipra-v322r0-f1.FORMAT-SAMPLE.txt",
                          samples / "MCR_MUE_PractitionerServices_Eff_07-01-2026.excerpt.csv"])
    yield ncci_mod.ncci()
    ncci_mod._reset()


def scrub_lines(*lines, dos=DOS):
    return run(make_case(dos=dos), make_work(["I10"], list(lines)), ncci=ncci_mod.ncci())


def line(code, mods=(), units=1):
    return ServiceLine(code, list(mods), units, None, ["A"])


def test_ptp_pair_with_modifier_indicator_1(imported):
    # 0001U / 0030U: column 1 / column 2, modifier indicator 1, in force from 2018-07-01.
    edits = scrub_lines(line("0001U"), line("0030U"))
    [e] = only(edits, "ncci.ptp")
    assert e.target == "line 2" and "59" in e.message and "indicator 1" in e.source
    # A bypass modifier on the column 2 code is accepted.
    assert "ncci.ptp" not in ids(scrub_lines(line("0001U"), line("0030U", ["XU"])))
    # ... but not on the column 1 code.
    assert "ncci.ptp" in ids(scrub_lines(line("0001U", ["XU"]), line("0030U")))


def test_ptp_either_order_and_different_days(imported):
    assert "ncci.ptp" in ids(scrub_lines(line("0030U"), line("0001U")))
    other_day = ServiceLine("0030U", [], 1, None, ["A"], "2026-08-04")
    assert "ncci.ptp" not in ids(scrub_lines(line("0001U"), other_day))


def test_ptp_modifier_indicator_0_cannot_be_bypassed(imported):
    # 0001A / 36591: indicator 0, in force 2022-01-01 to 2023-12-31.
    edits = scrub_lines(line("0001A"), line("36591", ["59"]), dos="2023-06-01")
    [e] = only(edits, "ncci.ptp")
    assert "no modifier" in e.message
    assert "ncci.ptp" not in ids(scrub_lines(line("0001A"), line("36591"), dos="2024-06-01"))  # deleted


def test_mue_date_of_service_edit(imported):
    # 0009U: MUE 2, indicator 3 (date of service, clinical): units add up across lines.
    assert "ncci.mue" in ids(scrub_lines(line("0009U", units=2), line("0009U", ["91"], units=1)))
    assert "ncci.mue" not in ids(scrub_lines(line("0009U", units=2)))


def test_mue_needs_a_table_in_force(imported):
    assert "ncci.mue" not in ids(scrub_lines(line("0009U", units=5), dos="2026-03-02"))


class LineEditNcci:
    """Stand-in for a table with a line-edit (indicator 1) MUE; the sample has none."""

    def ptp_conflict(self, a, b, date=None):
        return None

    def mue(self, code, date=None):
        return (1, "1 Line Edit") if code == "J1100" else None


def test_mue_line_edit():
    edits = run(make_case(), make_work(["I10"], [line("J1100", units=2)]), ncci=LineEditNcci())
    assert "ncci.mue" in ids(edits)
    two_lines = make_work(["I10"], [line("J1100", ["RT"]), line("J1100", ["LT"])])
    assert "ncci.mue" not in ids(run(make_case(), two_lines, ncci=LineEditNcci()))


def test_no_ncci_imported_no_ncci_edits():
    assert not {"ncci.ptp", "ncci.mue"} & ids(run(work=make_work(["I10"], [line("0001U"), line("0030U")]), ncci=None))
