"""The CMS POA exempt list and IPPS Table 5, installed like a code book.

Neither is shipped. Each file here is a LAYOUT FIXTURE built in the test, in the layout CMS
publishes (the POA list per its ReadMe: Order, POAexemptCode, Description, tab-delimited, named
POAexemptCodesYYYY.txt; Table 5 as the final rule's text version: a title line, the header row,
one row per MS-DRG). Its few rows and figures are NOT CMS data and stand only for the layout;
the minimum sizes a real file must meet are lowered for them.
"""
from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest

from tests.cases.answer_key import KEY
from tests.cases.drg_key import DRG_KEY
from workstation.billing.claim import build_claim
from workstation.billing.edits import scrub
from workstation.cases.demo import demo_cases
from workstation.cli import main
from workstation.codes import poa_exempt
from workstation.grouping import drg_weights
from workstation.grouping.drg import format_result, group_case
from workstation.session.work import CaseWork, FacilityStay

CASES = {c.case_id: c for c in demo_cases()}

# Layout fixture rows (not the CMS list): Y92.002 and Y92.013 stand for exempt codes.
POA_FIXTURE = ("Order2026\tPOAexemptCode\tDescription\n"
               "00012345\tY92002\tLayout fixture row\n"
               "00012346\tY92013\tLayout fixture row\n")
# Layout fixture figures (not CMS weights): 9.xxxx marks them as such.
TABLE5_FIXTURE = (
    '"TABLE 5.--LIST OF MEDICARE SEVERITY DIAGNOSIS-RELATED GROUPS (MS-DRGs), RELATIVE WEIGHTING FACTORS, AND '
    'GEOMETRIC AND ARITHMETIC MEAN LENGTH OF STAY--FY 2026 (LAYOUT FIXTURE)"\t\t\t\t\t\t\t\t\n'
    "MS-DRG\tFY 2026 Final Rule Post-Acute DRG\tFY 2026 Final Rule Special Pay DRG\tMDC\tTYPE\tMS-DRG Title\t"
    "Weights\tGeometric mean LOS\tArithmetic mean LOS\n"
    '291\tYes\tNo\t05\tMED\t"Heart failure and shock w MCC, fixture"\t9.1111\t9.1\t9.2\n'
    "292\tYes\tNo\t05\tMED\tHeart failure and shock w CC fixture\t9.2222\t9.3\t9.4\n"
    "293\tYes\tNo\t05\tMED\tHeart failure and shock w/o CC/MCC fixture\t9.3333\t9.5\t9.6\n"
    "*  a footnote line, as under the CMS table\n"
)


@pytest.fixture
def small_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(poa_exempt, "MIN_CODES", 1)
    monkeypatch.setattr(drg_weights, "MIN_DRGS", 1)


def inpatient_work(case_id: str, poa: dict[str, str] | None = None) -> CaseWork:
    k, d = KEY[case_id], DRG_KEY[case_id]
    return CaseWork(case_id, "coded", list(k.dx), list(k.pcs), poa=poa if poa is not None else dict(zip(k.dx, d.poa)),
                    stay=FacilityStay("1", "1", d.status or "01", "08", "14", k.dx[0]))


def poa_edits(case_id: str, work: CaseWork) -> dict[str, list[str]]:
    case = CASES[case_id]
    out: dict[str, list[str]] = {}
    for e in scrub(case, work, build_claim(case, work)):
        if e.edit_id.startswith("dx.poa"):
            out.setdefault(e.target, []).append(e.edit_id)
    return out


def test_without_the_list_exempt_is_a_reminder_naming_the_file() -> None:
    work = inpatient_work("DEMO-009")  # Y92.013 marked E
    case = CASES["DEMO-009"]
    edits = [e for e in scrub(case, work, build_claim(case, work)) if e.edit_id == "dx.poa_exempt_unverified"]
    assert [e.target for e in edits] == ["Y92.013"]
    assert "POAexemptCodes2026.txt" in edits[0].message and "codebooks install" in edits[0].message


def test_installed_list_checks_exempt_both_ways(tmp_path: Path, small_files, capsys) -> None:
    f = tmp_path / "POAexemptCodes2026.txt"
    f.write_text(POA_FIXTURE)
    assert main(["codebooks", "install", str(f)]) == 0
    out = capsys.readouterr().out
    assert "installed the CMS POA exempt list FY2026: 2 codes from POAexemptCodes2026.txt" in out
    lst = poa_exempt.list_for(date(2026, 2, 20))
    assert lst is not None and lst.exempt("Y92.013") and lst.exempt("Y92013") and not lst.exempt("I10")
    assert poa_exempt.list_for(date(2026, 10, 2)) is None  # FY2027: not this list
    # On the list and E (or blank): nothing to say. Not on the list and E: an error.
    assert poa_edits("DEMO-009", inpatient_work("DEMO-009")) == {}
    both = inpatient_work("DEMO-009", {"S72.011A": "Y", "W06.XXXA": "Y", "Y92.013": "", "I10": "E"})
    assert poa_edits("DEMO-009", both) == {"I10": ["dx.poa_not_exempt"]}
    # On the list with Y: reported blank instead (a warning).
    on = inpatient_work("DEMO-009", {"S72.011A": "Y", "W06.XXXA": "Y", "Y92.013": "Y", "I10": "Y"})
    assert poa_edits("DEMO-009", on) == {"Y92.013": ["dx.poa_on_exempt_list"]}
    # Not on the list and blank: still missing.
    missing = inpatient_work("DEMO-009", {"S72.011A": "Y", "W06.XXXA": "Y", "Y92.013": "E"})
    assert poa_edits("DEMO-009", missing) == {"I10": ["dx.poa_missing"]}


def test_the_837i_sends_an_exempt_code_blank_only_when_the_list_says_so(tmp_path: Path, small_files) -> None:
    from datetime import datetime

    from workstation.billing.facility import FacilitySettings, RevenueCharge
    from workstation.billing.settings import PracticeSettings
    from workstation.export.x12_837i import InpatientClaim, write_837i
    from workstation.export.x12_837p import Envelope, X12DataError

    fac = FacilitySettings(tax_id="311234567", type_of_bill="111", revenue=[RevenueCharge("0120", "1.00", "day")])
    env = Envelope("DEMOSUBMIT01", "DEMORECEIVER", 7, 7, datetime(2026, 12, 1, 9, 30))
    work = inpatient_work("DEMO-009", {"S72.011A": "Y", "W06.XXXA": "Y", "Y92.013": "", "I10": "Y"})
    work.pcs_dates = {p: CASES["DEMO-009"].encounter.admit_date for p in work.procedures}
    with pytest.raises(X12DataError, match="Y92.013 has no present-on-admission"):
        write_837i([InpatientClaim(CASES["DEMO-009"], work)], PracticeSettings(), fac, env)
    f = tmp_path / "POAexemptCodes2026.txt"
    f.write_text(POA_FIXTURE)
    poa_exempt.install_list(poa_exempt.read_exempt_file(f))
    text = write_837i([InpatientClaim(CASES["DEMO-009"], work)], PracticeSettings(), fac, env)
    assert "ABF:Y92013*" in text or "ABF:Y92013~" in text


def test_a_release_zip_of_the_list_installs_and_a_wrong_file_is_refused(tmp_path: Path, small_files, capsys) -> None:
    z = tmp_path / "2026-poa-exempt-codes.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("ReadMePOAexempt2026.txt", "Description of Present On Admission (POA) files (layout fixture)")
        zf.writestr("POAexemptCodes2026.txt", POA_FIXTURE)
        zf.writestr("POAexemptAddCodes2026.txt", POA_FIXTURE)
    assert main(["codebooks", "install", str(z)]) == 0
    assert "2 codes" in capsys.readouterr().out
    bad = tmp_path / "bad" / "POAexemptCodes2027.txt"
    bad.parent.mkdir()
    bad.write_text("this is not the CMS layout\n")
    assert main(["codebooks", "install", str(bad)]) != 0
    assert "not tab-delimited" in capsys.readouterr().err
    assert poa_exempt.list_for(date(2026, 10, 5)) is None


def test_an_april_list_serves_from_april_first(tmp_path: Path, small_files) -> None:
    oct_, apr = tmp_path / "POAexemptCodes2026.txt", tmp_path / "POAexemptCodesApr26.txt"
    oct_.write_text(POA_FIXTURE)
    apr.write_text(POA_FIXTURE.replace("Order2026", "OrdApr26") + "00012347\tZ7901\tLayout fixture row\n")
    for f in (oct_, apr):
        poa_exempt.install_list(poa_exempt.read_exempt_file(f))
    assert not poa_exempt.list_for(date(2026, 3, 31)).exempt("Z79.01")
    assert poa_exempt.list_for(date(2026, 4, 1)).exempt("Z79.01")


def test_weights_say_why_until_table5_is_installed_then_show_its_figures(tmp_path: Path, small_files, capsys) -> None:
    case, work = CASES["DEMO-028"], inpatient_work("DEMO-028")
    before = group_case(case, work)
    assert before.drg == 293 and before.weight is None
    assert "CMS IPPS FY2026 final rule Table 5 is not installed" in before.weight_note
    assert before.weight_note in format_result(before)
    f = tmp_path / "FY2026-Table5-layout.txt"
    f.write_text(TABLE5_FIXTURE)
    assert main(["codebooks", "install", str(f)]) == 0
    assert "installed CMS IPPS FY2026 Table 5: 3 MS-DRGs" in capsys.readouterr().out
    after = group_case(case, work)
    assert (after.weight, after.gmlos, after.amlos, after.weight_note) == (9.3333, 9.5, 9.6, "")
    assert "9.3333" in format_result(after) and "Table 5" in format_result(after)
    # A DRG the table does not list says so, never a guessed figure.
    w, why = drg_weights.weight_of(470, date(2026, 7, 17))
    assert w is None and "470 is not in the installed FY2026 Table 5" in why
    # Another fiscal year is still missing.
    assert "FY2027" in drg_weights.weight_of(293, date(2026, 10, 2))[1]


def test_a_file_that_is_not_table5_is_refused(tmp_path: Path, small_files) -> None:
    f = tmp_path / "t5.txt"
    f.write_text(TABLE5_FIXTURE.replace("9.1111", "n/a"))
    with pytest.raises(drg_weights.Table5Error, match="291 has no numeric weight"):
        drg_weights.read_table5(f)
    g = tmp_path / "short.txt"
    g.write_text(TABLE5_FIXTURE)
    with pytest.raises(drg_weights.Table5Error, match="a full Table 5"):
        drg_weights.read_table5(g, min_drgs=500)
